# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["remove-cell"]
# To re-run this notebook: get a copy of the project, run `make install` in its folder (it
# creates `.venv` with the locked packages), then open this notebook with
# `.venv/bin/jupyter lab notebooks/primer.ipynb`.

# %% [markdown]
# (primer)=
# # Methods primer
#
# This chapter works through the book's four main techniques (the Kaplan–Meier curve, the
# log-rank test, the Cox model and propensity score matching) on a toy data set small enough
# to redo with pencil and paper. Each step is computed twice: once by hand in the notebook, in
# a way meant to be read, and once by the `helpers` function that the rest of the book uses.
# When the two agree, the reader knows exactly what the function does. Near the end, the same
# toy data go through **lifelines**, the survival library most Python users meet first, to show
# where its defaults and the book's SPSS conventions agree and where they differ. The
# {ref}`methods chapter <methods>` gives the reasoning behind each method.

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import logrank_test
from lifelines.utils import median_survival_times
from myst_nb import glue

from helpers.report.plots import plot_km
from helpers.report.tables import format_p, styled, yes_no
from helpers.stats.cox import fit_cox
from helpers.stats.matching import match_nearest, standardized_differences
from helpers.stats.survival import fit_km, logrank, median_survival, survival_at_times
from helpers.study.design import PSM_SETTINGS
from helpers.study.efficacy import compare_survival


# %% tags=["remove-cell"]
def table(frame, *, precision=3, whole=(), index=True):
    """A Styler to glue: floats with `precision` decimals, the `whole` columns without decimals.

    A value that does not exist (a limit the data cannot give) prints as a dash, never 'nan';
    flags print as yes/no.
    """
    frame = frame.apply(lambda col: col.map(yes_no) if col.dtype == bool else col)
    sty = styled(frame).format(precision=precision, na_rep="—")
    if whole:
        sty = sty.format("{:g}", subset=list(whole))
    return sty if index else sty.hide(axis="index")


# %% [markdown]
# ## A toy trial
#
# The toy trial has {glue:text}`primer_n` invented patients in two arms, A and B. For each we
# record the months from the start of treatment to progression (`pfs_event = 1`) or to the last
# visit without progression (`pfs_event = 0`, censored). The column names are those of the real
# cohort, so the same functions apply. (`table`, used in the cells below, is a display helper
# defined in a hidden cell at the top of the notebook; it only formats a DataFrame for the page.)

# %%
toy = pd.DataFrame(
    {
        "patient": ["A1", "A2", "A3", "A4", "A5", "B1", "B2", "B3", "B4", "B5"],
        "group": ["Arm A"] * 5 + ["Arm B"] * 5,
        "pfs_months": [3.0, 5.0, 7.0, 10.0, 12.0, 1.0, 2.0, 4.0, 6.0, 8.0],
        "pfs_event": [1, 0, 1, 1, 0, 1, 1, 1, 0, 1],
    }
)
glue("primer_tbl_toy", table(toy, whole=["pfs_months"], index=False), display=False)

# %% tags=["remove-cell"]
glue("primer_n", len(toy), display=False)
glue("primer_n_events", int(toy["pfs_event"].sum()), display=False)
glue("primer_n_censored", int((toy["pfs_event"] == 0).sum()), display=False)
glue("primer_censored_ids", ", ".join(toy.loc[toy["pfs_event"] == 0, "patient"]), display=False)

# %% [markdown]
# ```{glue:figure} primer_tbl_toy
# :name: tbl-primer-toy
#
# The toy trial: one row per patient, with the time to progression or censoring in months.
# ```
#
# Of the {glue:text}`primer_n` patients, {glue:text}`primer_n_events` progressed and
# {glue:text}`primer_n_censored` were censored ({glue:text}`primer_censored_ids`). A censored
# time is a lower bound: those patients progressed, if at all, after the time shown.
#
# ## The Kaplan–Meier curve, step by step
#
# `helpers.stats.survival.fit_km` returns one row per distinct time with the number at risk just
# before it, the events and censorings at it, and the survival estimate. We add the factor
# $1 - d/n$ that each row multiplies into the curve.

# %%
km_a = fit_km(toy.loc[toy["group"] == "Arm A", "pfs_months"], toy.loc[toy["group"] == "Arm A", "pfs_event"])
km_b = fit_km(toy.loc[toy["group"] == "Arm B", "pfs_months"], toy.loc[toy["group"] == "Arm B", "pfs_event"])


def km_steps(km):
    """The KM table with the factor 1 - d/n of each row, for reading."""
    tab = km.table.assign(factor=1 - km.table["n_events"] / km.table["n_at_risk"])
    return tab[["time", "n_at_risk", "n_events", "n_censored", "factor", "survival", "se"]]


glue("primer_tbl_km_a", table(km_steps(km_a), whole=["time"], index=False), display=False)

# %% [markdown]
# ```{glue:figure} primer_tbl_km_a
# :name: tbl-primer-km-a
#
# Kaplan–Meier table of arm A: number at risk, events and censorings at each time, the factor
# $1 - d/n$, the survival estimate $\hat S(t)$ and its Greenwood standard error.
# ```

# %% tags=["remove-cell"]
ev_a = km_a.event_times.reset_index(drop=True)
for i, row in ev_a.iterrows():
    n, d = int(row["n_at_risk"]), int(row["n_events"])
    glue(f"primer_a_time_{i}", float(row["time"]), display=False)
    glue(f"primer_a_risk_{i}", n, display=False)
    glue(f"primer_a_frac_{i}", f"{n - d}/{n}", display=False)
    glue(f"primer_a_surv_{i}", float(row["survival"]), display=False)
censored_a = km_a.table[km_a.table["n_censored"] > 0]["time"].tolist()
glue("primer_a_cens_0", censored_a[0], display=False)
glue("primer_a_cens_1", censored_a[1], display=False)

# %% [markdown]
# Read the table from the top. At {glue:text}`primer_a_time_0:.0f` months all
# {glue:text}`primer_a_risk_0` patients of arm A are at risk and one progresses, so the chance
# of getting past that time is {glue:text}`primer_a_frac_0` and
# $\hat S = $ {glue:text}`primer_a_surv_0:.3f`. At {glue:text}`primer_a_cens_0:.0f` months a
# patient is censored: the curve does not move, but the patient leaves the risk set. So at
# {glue:text}`primer_a_time_1:.0f` months only {glue:text}`primer_a_risk_1` are at risk, one
# progresses, and the curve is multiplied by {glue:text}`primer_a_frac_1`, giving
# {glue:text}`primer_a_surv_1:.3f`. At {glue:text}`primer_a_time_2:.0f` months the factor is
# {glue:text}`primer_a_frac_2` and $\hat S$ falls to {glue:text}`primer_a_surv_2:.3f`, where it
# stays: the last patient is censored at {glue:text}`primer_a_cens_1:.0f` months, and the
# curve is unknown beyond that.
#
# The censored patient at {glue:text}`primer_a_cens_0:.0f` months is the whole point of the
# method: ignoring them would shrink the risk set too early (too pessimistic), and counting
# them as a progression would add a drop that never happened (also too pessimistic). Arm B is
# computed the same way.

# %%
glue("primer_tbl_km_b", table(km_steps(km_b), whole=["time"], index=False), display=False)

# %% [markdown]
# ```{glue:figure} primer_tbl_km_b
# :name: tbl-primer-km-b
#
# Kaplan–Meier table of arm B. The last patient progresses, so the curve reaches zero and the
# Greenwood standard error is not defined there.
# ```

# %% tags=["remove-cell"]
glue("primer_b_last", float(km_b.table["time"].iloc[-1]), display=False)

# %% [markdown]
# Arm B's last patient progresses at {glue:text}`primer_b_last:.0f` months, so its curve ends
# at zero, while arm A's ends above zero with a censored patient. The
# {ref}`figure <fig-primer-km>` draws both curves with `helpers.report.plots.plot_km`, from the
# `SurvivalComparison` that `helpers.study.efficacy.compare_survival` builds for the real cohort.

# %% tags=["hide-input"]
comparison = compare_survival(toy, "pfs", "group", exposure="Arm A", landmarks=(6.0,))
ax = plot_km(comparison, ylabel="Progression-free survival (toy data)")
glue("primer_fig_km", ax.figure, display=False)
plt.close(ax.figure)

# %% [markdown]
# ```{glue:figure} primer_fig_km
# :name: fig-primer-km
#
# Kaplan–Meier curves of the toy trial. Each drop is a progression; the tick marks are
# censored patients; dashed lines mark the medians. The table underneath gives the number at
# risk at each tick of the time axis.
# ```
#
# The steps of the curves are exactly the survival columns of the two tables above. The next
# cell checks it: the running product of the factors $1 - d/n$ must equal the survival
# column that `fit_km` returns.

# %%
by_hand_a = km_steps(km_a)["factor"].cumprod()
glue("primer_product_same", "equal" if np.allclose(by_hand_a, km_a.table["survival"]) else "not equal", display=False)

# %% [markdown]
# For arm A the running product and the helper's survival column are
# {glue:text}`primer_product_same`.
#
# ## The median and its confidence interval

# %%
medians = pd.DataFrame(
    [
        {"arm": arm, "style": style, **median_survival(km, style=style).__dict__}
        for arm, km in (("Arm A", km_a), ("Arm B", km_b))
        for style in ("symmetric", "loglog")
    ]
)
glue("primer_tbl_medians", table(medians, precision=2, index=False), display=False)

# %% [markdown]
# ```{glue:figure} primer_tbl_medians
# :name: tbl-primer-medians
#
# Median PFS of each arm with the symmetric (SE-based) and the log-log (Brookmeyer–Crowley)
# confidence intervals. A dash marks a limit that does not exist.
# ```

# %% tags=["remove-cell"]
glue("primer_median_a", km_a.median(), display=False)
glue("primer_median_b", km_b.median(), display=False)
glue("primer_surv_before_median_a", float(ev_a["survival"].iloc[1]), display=False)
sym_b = median_survival(km_b, style="symmetric")
glue("primer_sym_b_lower", float(sym_b.ci_lower), display=False)

# %% [markdown]
# The median is the first time at which the curve reaches one half or lower. In arm A the curve
# is still at {glue:text}`primer_a_surv_1:.3f` after {glue:text}`primer_a_time_1:.0f` months,
# so the median is the next event time, {glue:text}`primer_median_a:.0f` months; in arm B it is
# {glue:text}`primer_median_b:.0f` months. With so few patients the intervals are very
# wide. They also show the difference between the two styles: arm B's symmetric interval starts
# at {glue:text}`primer_sym_b_lower:.2f` months, a time that cannot exist, while the log-log
# interval stays within the observed times but has no upper limit for arm A, whose curve never
# falls far enough below one half.
#
# ## A landmark rate with Greenwood's standard error

# %% tags=["remove-cell"]
landmark = survival_at_times(km_b, [6.0]).iloc[0]
upto = km_b.event_times[km_b.event_times["time"] <= landmark["time"]]
terms = " + ".join(f"1/({n}×{n - d})" for n, d in zip(upto["n_at_risk"], upto["n_events"], strict=True))
glue("primer_landmark_t", float(landmark["time"]), display=False)
glue("primer_landmark_s", float(landmark["estimate"]), display=False)
glue("primer_greenwood_terms", terms, display=False)

# %% [markdown]
# The landmark rate at {glue:text}`primer_landmark_t:.0f` months in arm B is the curve read at
# that time, $\hat S = $ {glue:text}`primer_landmark_s:.3f`. Greenwood's formula adds one term
# $d/\{n(n-d)\}$ per event time up to the landmark, here {glue:text}`primer_greenwood_terms`,
# multiplies the sum by $\hat S^2$ and takes the square root. The cell does this by hand and
# compares it with `helpers.stats.survival.survival_at_times`.

# %%
by_hand = landmark["estimate"] * np.sqrt(
    (upto["n_events"] / (upto["n_at_risk"] * (upto["n_at_risk"] - upto["n_events"]))).sum()
)
glue("primer_se_hand", float(by_hand), display=False)
glue("primer_se_helper", float(landmark["se"]), display=False)
glue("primer_landmark_ci", f"{landmark['ci_lower']:.3f} to {landmark['ci_upper']:.3f}", display=False)

# %% [markdown]
# Both give a standard error of {glue:text}`primer_se_hand:.4f` (helper:
# {glue:text}`primer_se_helper:.4f`), and the interval $\hat S \pm z\,\mathrm{SE}$, clipped
# to the range zero to one, runs from {glue:text}`primer_landmark_ci`.
#
# ## The log-rank test by hand
#
# At every time when at least one patient progresses, the log-rank test asks: given how many
# patients of each arm were at risk, how many of the progressions would we *expect* in arm A if
# the arm made no difference? The cell builds one row per event time.

# %%
rows = []
for t in np.sort(toy.loc[toy["pfs_event"] == 1, "pfs_months"].unique()):
    at_risk = toy[toy["pfs_months"] >= t]
    events = at_risk[(at_risk["pfs_months"] == t) & (at_risk["pfs_event"] == 1)]
    n_a, n = int((at_risk["group"] == "Arm A").sum()), len(at_risk)
    d_a, d = int((events["group"] == "Arm A").sum()), len(events)
    variance = d * (n_a / n) * (1 - n_a / n) * (n - d) / max(n - 1, 1)
    rows.append((t, n_a, n - n_a, d_a, d - d_a, d * n_a / n, variance))
columns = ["time", "at risk A", "at risk B", "events A", "events B", "expected A", "variance"]
steps = pd.DataFrame(rows, columns=columns)
glue("primer_tbl_logrank", table(steps, whole=["time"], index=False), display=False)

# %% [markdown]
# ```{glue:figure} primer_tbl_logrank
# :name: tbl-primer-logrank
#
# The log-rank test, one row per event time: patients at risk and events in each arm, the
# events expected in arm A, $d \, n_A / n$, and the hypergeometric variance
# $d \, (n_A/n)(n_B/n)(n-d)/(n-1)$.
# ```
#
# The test statistic is $(O_A - E_A)^2 / V$, with $O_A$ the observed events in arm A, $E_A$
# the sum of the expected column and $V$ the sum of the variances. The next cell adds the
# columns and compares the result with `helpers.stats.survival.logrank`.

# %%
observed, expected, variance = steps["events A"].sum(), steps["expected A"].sum(), steps["variance"].sum()
statistic = (observed - expected) ** 2 / variance
test = logrank(toy["pfs_months"], toy["pfs_event"], toy["group"])
glue("primer_lr_observed", int(observed), display=False)
glue("primer_lr_expected", float(expected), display=False)
glue("primer_lr_variance", float(variance), display=False)
glue("primer_lr_hand", float(statistic), display=False)
glue("primer_lr_helper", float(test.statistic), display=False)
glue("primer_lr_p", format_p(test.p_value), display=False)

# %% [markdown]
# Arm A had {glue:text}`primer_lr_observed` progressions where
# {glue:text}`primer_lr_expected:.3f` were expected, with variance
# {glue:text}`primer_lr_variance:.3f`. The statistic is {glue:text}`primer_lr_hand:.4f` by
# hand and {glue:text}`primer_lr_helper:.4f` from the helper; on a chi-square distribution with
# one degree of freedom it gives p = {glue:text}`primer_lr_p`. Arm A did better than expected,
# but a trial this small cannot tell such a difference from chance.
#
# ## The Cox model and its partial likelihood
#
# Give each patient $x = 1$ in arm A and $x = 0$ in arm B. The Cox model says that arm A's
# hazard is $e^{\beta}$ times arm B's at every time, without saying what the hazards are. At an
# event time with $n_A$ patients of arm A and $n_B$ of arm B at risk, the chance that the event
# struck the patient it did, rather than another patient at risk, is
#
# $$\frac{e^{\beta x_{\text{event}}}}{n_A e^{\beta} + n_B},$$
#
# and the *partial likelihood* $L(\beta)$ is the product of these fractions over the event
# times. The risk sets are the "at risk" columns of the log-rank table, so the first factors
# can be written straight from it.


# %% tags=["remove-cell"]
def factor_text(row) -> str:
    top = "e^β" if row["events A"] else "1"
    return f"{top} / ({int(row['at risk A'])}·e^β + {int(row['at risk B'])})"


glue("primer_factor_0", factor_text(steps.iloc[0]), display=False)
glue("primer_factor_1", factor_text(steps.iloc[1]), display=False)
glue("primer_factor_2", factor_text(steps.iloc[2]), display=False)
glue("primer_factor_times", ", ".join(f"{t:g}" for t in steps["time"].iloc[:3]), display=False)

# %% [markdown]
# At the first three event times ({glue:text}`primer_factor_times` months) the factors are
# {glue:text}`primer_factor_0`, then {glue:text}`primer_factor_1`, then
# {glue:text}`primer_factor_2`. A factor with $e^{\beta}$ on top belongs to an event in arm A.
# Censored patients contribute no factor of their own, but they sit in the denominators for
# as long as they were followed. The next cell evaluates the logarithm of $L(\beta)$ on a fine
# grid of $\beta$ and finds its maximum.

# %%
betas = np.linspace(-4.0, 2.0, 6001)
d_a, d_all = steps["events A"].to_numpy(), (steps["events A"] + steps["events B"]).to_numpy()
n_a, n_b = steps["at risk A"].to_numpy(), steps["at risk B"].to_numpy()
log_pl = np.array([np.sum(d_a * b - d_all * np.log(n_a * np.exp(b) + n_b)) for b in betas])
best = betas[np.argmax(log_pl)]

toy["arm_a"] = (toy["group"] == "Arm A").astype(int)
cox = fit_cox(toy, "pfs_months", "pfs_event", ["arm_a"])
glue("primer_beta_grid", float(best), display=False)
glue("primer_beta_cox", float(cox.summary["coef"].iloc[0]), display=False)
glue("primer_loglik_grid", float(log_pl.max()), display=False)
glue("primer_loglik_cox", float(cox.loglik), display=False)

# %% [markdown]
# The grid's maximum is at $\beta = $ {glue:text}`primer_beta_grid:.3f`; `helpers.stats.cox.fit_cox`,
# which climbs to the maximum by Newton–Raphson steps, finds {glue:text}`primer_beta_cox:.3f`.
# The log partial likelihood at the maximum is {glue:text}`primer_loglik_grid:.4f` on the grid
# and {glue:text}`primer_loglik_cox:.4f` from the helper. The {ref}`figure <fig-primer-pl>`
# shows the whole curve.

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(6.0, 3.4), layout="constrained")
ax.plot(betas, log_pl, color="#424242", lw=1.6)
ax.axvline(cox.summary["coef"].iloc[0], color="#C62828", ls="--", lw=1.0, label="fit_cox estimate")
ax.axvline(0.0, color="#1565C0", ls=":", lw=1.0, label="β = 0 (no difference)")
ax.set_xlabel("β (log hazard ratio, arm A vs arm B)")
ax.set_ylabel("log partial likelihood")
ax.spines[["top", "right"]].set_visible(False)
ax.legend(frameon=False, loc="lower left")
glue("primer_fig_pl", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} primer_fig_pl
# :name: fig-primer-pl
#
# Log partial likelihood of the toy trial as a function of $\beta$. Its peak (dashed red) is
# the Cox estimate; the dotted blue line is $\beta = 0$, equal hazards.
# ```
#
# The curve is broad: values of $\beta$ well away from the maximum fit the data only a little
# worse, which is what a wide confidence interval says.

# %% tags=["remove-cell"]
hr = cox.summary.iloc[0]
glue("primer_hr", float(hr["estimate"]), display=False)
glue("primer_hr_ci", f"{hr['ci_lower']:.2f} to {hr['ci_upper']:.2f}", display=False)
glue("primer_hr_p", format_p(hr["p_value"]), display=False)
efron = fit_cox(toy, "pfs_months", "pfs_event", ["arm_a"], ties="efron")
glue("primer_beta_efron", float(efron.summary["coef"].iloc[0]), display=False)

# %% [markdown]
# The hazard ratio is $e^{\beta} = $ {glue:text}`primer_hr:.2f`: at any time, a patient in arm A
# progresses at about that fraction of the rate of a patient in arm B. Its confidence interval,
# {glue:text}`primer_hr_ci`, includes one, and the Wald p-value is
# {glue:text}`primer_hr_p`.
#
# :::{note}
# **Three checks you can make on this example.**
#
# - *Ties.* No two progressions happen at the same time here, so Breslow's and Efron's
#   handling of ties cannot differ: with `ties="efron"` the estimate is again
#   {glue:text}`primer_beta_efron:.3f`. The exercise below adds a tie.
# - *The log-rank test is the Cox score test.* The slope of the log partial likelihood at
#   $\beta = 0$ is $\sum (x_{\text{event}} - n_A/n)$, which is $O_A - E_A$ from the log-rank
#   table, and its curvature there is the summed variance $V$. So the log-rank statistic is the
#   Cox model's score test of $\beta = 0$.
# - *Why the p-values differ.* The log-rank p-value ({glue:text}`primer_lr_p`) and the Wald
#   p-value ({glue:text}`primer_hr_p`) test the same hypothesis in different ways; in large
#   samples they agree, in a trial this small they need not. The book, like the paper, prints the
#   log-rank p-value beside the curves and the Cox interval beside the HR.
# :::
#
# ## Propensity score matching, step by step
#
# Matching needs a score per patient. In the book it comes from a logistic regression on the
# Table 1 characteristics; here the scores are simply given, together with one yes/no
# characteristic (liver metastases, `liver_met`) to check balance on.
# {glue:text}`primer_pool_treated` patients are treated and {glue:text}`primer_pool_controls`
# are controls.

# %%
pool = pd.DataFrame(
    {
        "score": [0.80, 0.56, 0.545, 0.30, 0.79, 0.55, 0.535, 0.41, 0.22, 0.12],
        "treated": [1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
        "liver_met": [1, 1, 0, 0, 1, 1, 0, 0, 0, 0],
    },
    index=pd.Index(["T1", "T2", "T3", "T4", "C1", "C2", "C3", "C4", "C5", "C6"], name="patient"),
)
caliper = PSM_SETTINGS["caliper"]
glue("primer_tbl_pool", table(pool), display=False)
glue("primer_caliper", caliper, display=False)
glue("primer_pool_treated", int(pool["treated"].sum()), display=False)
glue("primer_pool_controls", int((pool["treated"] == 0).sum()), display=False)

# %% [markdown]
# ```{glue:figure} primer_tbl_pool
# :name: tbl-primer-pool
#
# The matching example: propensity score, treatment and one characteristic.
# ```
#
# The book's settings are used: a caliper of {glue:text}`primer_caliper` on the probability
# scale, and treated patients taken from the largest score down. The greedy rule is short
# enough to write out: each treated patient in turn takes the closest control still available
# if it lies within the caliper, and stays unmatched otherwise.


# %%
def greedy_by_hand(pool, caliper, largest_first=True):
    available, steps = sorted(pool.index[pool["treated"] == 0]), []
    treated = pool[pool["treated"] == 1].sort_values("score", ascending=not largest_first)
    for t, score in treated["score"].items():
        distance = (pool.loc[available, "score"] - score).abs()
        nearest = distance.idxmin()
        matched = bool(distance[nearest] <= caliper)
        steps.append((t, score, nearest, distance[nearest], matched))
        available = [c for c in available if not (matched and c == nearest)]
    return pd.DataFrame(steps, columns=["treated", "score", "nearest control", "distance", "matched"])


hand = greedy_by_hand(pool, caliper)
glue("primer_tbl_greedy", table(hand, index=False), display=False)

# %% [markdown]
# ```{glue:figure} primer_tbl_greedy
# :name: tbl-primer-greedy
#
# Greedy matching by hand, largest score first: for each treated patient in turn, the nearest
# control still available, the distance between their scores and whether it is within the
# caliper.
# ```

# %% tags=["remove-cell"]
first = hand.iloc[0]
glue("primer_first_t", first["treated"], display=False)
glue("primer_first_c", first["nearest control"], display=False)
glue("primer_first_d", float(first["distance"]), display=False)
unmatched = hand.loc[~hand["matched"]].iloc[0]
glue("primer_unmatched_t", unmatched["treated"], display=False)
glue("primer_unmatched_d", float(unmatched["distance"]), display=False)
glue("primer_n_pairs_hand", int(hand["matched"].sum()), display=False)

# %% [markdown]
# {glue:text}`primer_first_t` chooses first and takes {glue:text}`primer_first_c`, at distance
# {glue:text}`primer_first_d:.3f`. The others follow in score order. Patient
# {glue:text}`primer_unmatched_t` finds no control within the caliper (the nearest is
# {glue:text}`primer_unmatched_d:.3f` away) and is left out, giving
# {glue:text}`primer_n_pairs_hand` pairs. `helpers.stats.matching.match_nearest`, which the book uses
# on the real cohort, gives the same pairs.

# %%
match = match_nearest(pool["score"], pool["treated"], **PSM_SETTINGS)
glue("primer_tbl_pairs", table(match.pairs, index=False), display=False)
same = set(zip(match.pairs["treated_index"], match.pairs["control_index"], strict=True)) == set(
    zip(hand.loc[hand["matched"], "treated"], hand.loc[hand["matched"], "nearest control"], strict=True)
)
glue("primer_same_pairs", "the same" if same else "different", display=False)

# %% [markdown]
# ```{glue:figure} primer_tbl_pairs
# :name: tbl-primer-pairs
#
# The pairs found by `helpers.stats.matching.match_nearest` with the book's settings.
# ```
#
# The helper's pairs and the hand-made ones are {glue:text}`primer_same_pairs`. Greedy
# matching depends on the order in which treated patients choose. The next cell runs the same
# matching from the smallest score up.

# %%
match_small = match_nearest(pool["score"], pool["treated"], caliper=caliper, order="smallest")
glue("primer_n_pairs_largest", len(match.pairs), display=False)
glue("primer_n_pairs_smallest", len(match_small.pairs), display=False)
glue("primer_tbl_pairs_small", table(match_small.pairs, index=False), display=False)

# %% [markdown]
# ```{glue:figure} primer_tbl_pairs_small
# :name: tbl-primer-pairs-small
#
# The same matching with treated patients taken from the smallest score up.
# ```
#
# Taken from the largest score down, the treated patients form
# {glue:text}`primer_n_pairs_largest` pairs; from the smallest up, only
# {glue:text}`primer_n_pairs_smallest`. Neither order is "right": greedy matching makes the
# best choice for the patient in hand and never revisits it. This is why the book states its
# order, and why after-matching results can shift when the order or the caliper changes. The
# smallest-first run also shows that a greedy matching need not be the largest one possible.
#
# ### Did matching balance the characteristic?
#
# The standardised mean difference (SMD) compares the share with liver metastases between
# treated and controls, in units of the pooled standard deviation. The cell computes it for
# all patients and for the matched ones.

# %%
before = standardized_differences(pool, ["liver_met"], "treated")
after = standardized_differences(pool.loc[match.matched_index], ["liver_met"], "treated")
balance = pd.concat([before.assign(sample="all patients"), after.assign(sample="matched")]).set_index("sample")
glue("primer_tbl_smd", table(balance.drop(columns="covariate")), display=False)
glue("primer_smd_before", float(before["smd"].iloc[0]), display=False)
glue("primer_smd_after", float(after["smd"].iloc[0]), display=False)

# %% [markdown]
# ```{glue:figure} primer_tbl_smd
# :name: tbl-primer-smd
#
# Share with liver metastases among treated and controls, and the SMD, before and after
# matching.
# ```
#
# Before matching the SMD is {glue:text}`primer_smd_before:.3f`, far from balanced; in the
# matched pairs it is {glue:text}`primer_smd_after:.3f`. Matching achieved balance here by
# discarding the treated patient with no comparable control and the controls with low scores:
# the matched sample is more alike, but smaller and no longer the whole population.
#
# ## The same numbers with lifelines
#
# The book computes its survival statistics with its own functions because it must follow the
# conventions of SPSS, the software of the original study. Most Python users meet survival
# analysis through **lifelines** instead. The cell below runs lifelines' `KaplanMeierFitter`,
# `logrank_test` and `CoxPHFitter` on the toy trial and sets each result beside the book's
# (the `helpers` functions used above). For the tie, patient B3's progression is moved to the
# time of A1's, as in the last exercise below.

# %%
arms = {name: toy[toy["group"] == name] for name in ("Arm A", "Arm B")}
kmf = {name: KaplanMeierFitter().fit(d["pfs_months"], d["pfs_event"]) for name, d in arms.items()}
lr = logrank_test(*(arms[a]["pfs_months"] for a in arms), *(arms[a]["pfs_event"] for a in arms))
tied = toy.assign(pfs_months=toy["pfs_months"].where(toy["patient"] != "B3", 3.0))
columns = ["pfs_months", "pfs_event", "arm_a"]
cph = {
    name: CoxPHFitter().fit(data[columns], "pfs_months", "pfs_event") for name, data in (("toy", toy), ("tied", tied))
}
loglog_b = median_survival(km_b, style="loglog")
symmetric_b = median_survival(km_b, style="symmetric")
lifelines_ci_b = median_survival_times(kmf["Arm B"].confidence_interval_).to_numpy().ravel()


def interval(lower, upper):
    return f"{lower:.2f}–{upper:.2f}"


def coef(data, ties):
    return fit_cox(data, "pfs_months", "pfs_event", ["arm_a"], ties=ties).summary["coef"].iloc[0]


rows = [
    (
        "Arm A: S(t) at each time",
        "as in the table above",
        "the same",
        np.allclose(kmf["Arm A"].survival_function_.iloc[1:, 0], km_a.table["survival"]),
    ),
    (
        "Arm A: median, months",
        f"{km_a.median():g}",
        f"{kmf['Arm A'].median_survival_time_:g}",
        km_a.median() == kmf["Arm A"].median_survival_time_,
    ),
    (
        "Arm B: median 95% CI, log-log",
        interval(loglog_b.ci_lower, loglog_b.ci_upper),
        interval(*lifelines_ci_b),
        np.allclose([loglog_b.ci_lower, loglog_b.ci_upper], lifelines_ci_b),
    ),
    (
        "Arm B: median 95% CI, symmetric (SPSS)",
        interval(symmetric_b.ci_lower, symmetric_b.ci_upper),
        "not offered",
        None,
    ),
    (
        "Log-rank chi-square",
        f"{test.statistic:.4f}",
        f"{lr.test_statistic:.4f}",
        np.isclose(test.statistic, lr.test_statistic),
    ),
    (
        "Cox log HR, no ties",
        f"{coef(toy, 'breslow'):.4f}",
        f"{cph['toy'].params_.iloc[0]:.4f}",
        np.isclose(coef(toy, "breslow"), cph["toy"].params_.iloc[0], atol=1e-5),
    ),
    (
        "Cox log HR with a tie, Efron",
        f"{coef(tied, 'efron'):.4f}",
        f"{cph['tied'].params_.iloc[0]:.4f}",
        np.isclose(coef(tied, "efron"), cph["tied"].params_.iloc[0], atol=1e-5),
    ),
    ("Cox log HR with a tie, Breslow (SPSS)", f"{coef(tied, 'breslow'):.4f}", "not offered", None),
]
versus = pd.DataFrame(rows, columns=["Quantity", "helpers (SPSS conventions)", "lifelines", "Same"])
versus["Same"] = versus["Same"].map(lambda same: "—" if same is None else yes_no(same))
glue("primer_tbl_lifelines", table(versus, index=False), display=False)

# %% [markdown]
# ```{glue:figure} primer_tbl_lifelines
# :name: tbl-primer-lifelines
#
# The toy trial through the book's functions and through lifelines: Kaplan–Meier estimates,
# median and its confidence interval, log-rank statistic and Cox coefficient.
# ```
#
# The curves, the medians, the log-rank statistic and the Cox estimate without ties are the
# same: they are the same formulas. The two tools part ways in two places, both conventions
# rather than errors.
#
# - **The confidence interval of the median.** lifelines reads it off its pointwise confidence
#   band of $S(t)$, built on the $\log(-\log S)$ scale, so it is the *log-log*
#   (Brookmeyer–Crowley) interval of the book; for arm A, whose curve never falls far below one
#   half, lifelines reports an infinite upper limit where the book leaves it empty. It has no
#   symmetric, SE-based interval, which is what SPSS prints and what the original study shows.
# - **Ties in the Cox model.** `CoxPHFitter` always uses Efron's method. SPSS uses Breslow's,
#   so the book defaults to Breslow to reproduce the paper and offers Efron as an option. With
#   the tie, lifelines agrees with the book's Efron fit, and Breslow gives a different estimate.
#
# To reproduce a published SPSS analysis, then, lifelines needs care with these two choices;
# for new work its defaults are sound and well documented.
#
# ## Exercises

# %% tags=["remove-cell"]
patient = "A2"  # censored in arm A
exercise = toy.assign(pfs_event=toy["pfs_event"].where(toy["patient"] != patient, 1))
arm_a = exercise[exercise["group"] == "Arm A"]
km_ex = fit_km(arm_a["pfs_months"], arm_a["pfs_event"])
patient_time = float(toy.loc[toy["patient"] == patient, "pfs_months"].iloc[0])
glue("primer_ex1_patient", patient, display=False)
glue("primer_ex1_time", patient_time, display=False)
glue("primer_ex1_s", float(km_ex.survival_at(patient_time)), display=False)
glue("primer_ex1_s_next", float(km_ex.event_times["survival"].iloc[2]), display=False)
glue("primer_ex1_t_next", float(km_ex.event_times["time"].iloc[2]), display=False)
glue("primer_ex1_median", km_ex.median(), display=False)

# %% [markdown]
# :::{admonition} Exercise: a progression instead of a censoring
# :class: tip
#
# Patient {glue:text}`primer_ex1_patient` was censored at {glue:text}`primer_ex1_time:.0f`
# months. Suppose instead that {glue:text}`primer_ex1_patient` progressed then. Redo arm A's
# Kaplan–Meier table by hand. What is $\hat S$ just after that
# time, and what is the new median?
# :::
#
# :::{dropdown} Answer
# The risk set at {glue:text}`primer_ex1_time:.0f` months is unchanged, but now it contains an
# event, so the curve drops to {glue:text}`primer_ex1_s:.3f`. At
# {glue:text}`primer_ex1_t_next:.0f` months it drops again to
# {glue:text}`primer_ex1_s_next:.3f`, below one half, so the median becomes
# {glue:text}`primer_ex1_median:.0f` months. Treating a censored patient as an event makes the
# curve fall earlier: that is the bias censoring avoids.
# :::

# %% tags=["remove-cell"]
small_unmatched = sorted(set(pool.index[pool["treated"] == 1]) - set(match_small.pairs["treated_index"]))
loser = sorted(set(match.pairs["treated_index"]) - set(match_small.pairs["treated_index"]))[0]
taken = match.pairs.set_index("treated_index").loc[loser, "control_index"]
winner = match_small.pairs.set_index("control_index").loc[taken, "treated_index"]
by_hand_small = greedy_by_hand(pool, caliper, largest_first=False).set_index("treated")
glue("primer_ex2_unmatched", " and ".join(small_unmatched), display=False)
glue("primer_ex2_loser", loser, display=False)
glue("primer_ex2_winner", winner, display=False)
glue("primer_ex2_control", taken, display=False)
glue("primer_ex2_distance", float(by_hand_small.loc[loser, "distance"]), display=False)

# %% [markdown]
# :::{admonition} Exercise: matching in the other order
# :class: tip
#
# With the treated patients taken from the smallest score up, which of them end up unmatched,
# and why does the order matter for one of them?
# :::
#
# :::{dropdown} Answer
# {glue:text}`primer_ex2_unmatched` stay unmatched. One of them has no control within the
# caliper in either order. The other, {glue:text}`primer_ex2_loser`, loses out to the order:
# going up from the smallest score, {glue:text}`primer_ex2_winner` chooses before it and takes
# {glue:text}`primer_ex2_control`, the control that {glue:text}`primer_ex2_loser` took in the
# largest-first matching. The nearest control left for {glue:text}`primer_ex2_loser` is then
# {glue:text}`primer_ex2_distance:.3f` away, more than the caliper.
# :::

# %% tags=["remove-cell"]
moved, onto = "B3", "A1"  # B3's progression moved onto A1's time
onto_time = float(toy.loc[toy["patient"] == onto, "pfs_months"].iloc[0])
tied = toy.assign(pfs_months=toy["pfs_months"].where(toy["patient"] != moved, onto_time))
glue("primer_ex3_moved", moved, display=False)
glue("primer_ex3_onto", onto, display=False)
glue("primer_ex3_time", onto_time, display=False)
glue(
    "primer_ex3_breslow",
    float(fit_cox(tied, "pfs_months", "pfs_event", ["arm_a"]).summary["coef"].iloc[0]),
    display=False,
)
glue(
    "primer_ex3_efron",
    float(fit_cox(tied, "pfs_months", "pfs_event", ["arm_a"], ties="efron").summary["coef"].iloc[0]),
    display=False,
)

# %% [markdown]
# :::{admonition} Exercise: a tie
# :class: tip
#
# Move the progression of {glue:text}`primer_ex3_moved` to {glue:text}`primer_ex3_time:.0f`
# months, the time of {glue:text}`primer_ex3_onto`'s. Fit the Cox model with `ties="breslow"`
# and with `ties="efron"`. Do they still agree?
# :::
#
# :::{dropdown} Answer
# No. Breslow gives $\beta = $ {glue:text}`primer_ex3_breslow:.3f` and Efron
# {glue:text}`primer_ex3_efron:.3f`. Breslow lets both tied patients face the full risk set;
# Efron assumes that one of them, we do not know which, left the risk set before the other
# event, and so averages over the two orders. With many patients and few ties the difference is
# small.
# :::
