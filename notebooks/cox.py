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

# %% [markdown]
# (cox)=
# # Prognostic factors within the 2L-ICIs group
#
# :::{admonition} What and why
# Tables 4 and 5 of the original study ask which baseline characteristics go with longer or
# shorter PFS and OS *among the patients who received an ICI in second line*. This chapter
# refits those Cox models on the synthetic cohort, shows which characteristics pass the paper's
# screening rule into the multivariable model, checks the proportional-hazards assumption the
# models rest on (the paper does not report such a check), and compares every hazard ratio with
# the printed one.
# :::

# %% tags=["remove-cell"]
import pandas as pd
from myst_nb import glue

from helpers.manuscript import load_study
from helpers.paper.fidelity import summary
from helpers.paper.published import TABLE1_KEYS, published
from helpers.paper.registry import VARIABLE_FROM_KEY as COX_KEY_TO_VAR
from helpers.report.tables import (
    characteristic_name,
    cox_display,
    fidelity_misses_display,
    format_p,
    join_words,
    styled,
)
from helpers.stats.cox import select_multivariable
from helpers.study.cohort import TABLE1_VARIABLES
from helpers.study.design import COX_ENTRY_P, TABLE1_LABELS

study = load_study()
results = study.results
tables = {"pfs": results.tables["table4_cox_pfs"], "os": results.tables["table5_cox_os"]}
PUBLISHED_TABLE = {"pfs": "table4_cox_pfs", "os": "table5_cox_os"}
alpha = published("cohort.significance_alpha_two_sided")
labels = {v: f"{name} ({first} vs {second})" for v, (name, first, second) in TABLE1_LABELS.items()}


# %% [markdown]
# ## Who is in the models
#
# The paper does not say which patients its Cox models used. The book follows
# {ref}`the methods chapter <methods>`: all patients of the 2L-ICIs group before matching. The
# other candidate would be the matched 2L-ICIs patients only.

# %% tags=["remove-cell"]
glue("cox_n", int(tables["pfs"]["n"].iloc[0]), display=False)
glue("cox_events_pfs", int(tables["pfs"]["events"].iloc[0]), display=False)
glue("cox_events_os", int(tables["os"]["events"].iloc[0]), display=False)
glue("cox_n_matched_ici", results.headline["matched"]["treated"], display=False)
glue("cox_n_characteristics", len(TABLE1_VARIABLES), display=False)

# %% [markdown]
# The models below therefore use {glue:text}`cox_n` patients, with
# {glue:text}`cox_events_pfs` PFS events (progression or death) and {glue:text}`cox_events_os`
# deaths; the matched 2L-ICIs group would have {glue:text}`cox_n_matched_ici`. Because the
# paper's liver-metastasis strata of Figure 3 average back to the rates of the whole
# pre-matching 2L-ICIs group, that group is the most likely population for Tables 4 and 5 as
# well, but this remains an inference.
#
# ## Univariate and multivariable models
#
# A Cox model relates the hazard of the event to one or more characteristics, each coded yes
# or no. Every one of the {glue:text}`cox_n_characteristics` characteristics of Table 1 is first
# fitted **on its own** (a *univariate* model). Its hazard ratio compares the level the paper
# lists first with the one it lists second, for example patients with liver metastases against
# patients without; an HR above one means a higher hazard, so shorter survival. The paper never
# states the reference level, but the directions of its HRs fit this coding.
#
# A univariate HR mixes the effect of the characteristic with that of everything associated
# with it: patients with liver metastases also tend to have more metastatic sites. A
# **multivariable** model fits several characteristics together, so that each HR is *adjusted*
# for the others in the model: it compares patients who differ in that characteristic but are
# alike in the rest.

# %% tags=["remove-cell"]
glue("cox_entry_p", COX_ENTRY_P, display=False)
glue("cox_pub_entry_p", published("cohort.cox_multivariate_entry_threshold_p"), display=False)
glue("cox_alpha", alpha, display=False)

# %% [markdown]
# The original study decided which characteristics enter the multivariable model by a screen:
# those whose univariate p-value is below {glue:text}`cox_pub_entry_p`. The book applies the same
# rule (`COX_ENTRY_P` = {glue:text}`cox_entry_p` in `helpers.study.design`).
#
# :::{note}
# **Screening on univariate p-values is debatable.** It selects characteristics by their
# *unadjusted* association, so a factor that matters only after adjustment can be left out and
# a factor that only borrows the effect of another can be let in. The multivariable p-values
# then ignore that the variables were picked on the same data, so they look more convincing
# than they are, and the threshold itself is arbitrary: a characteristic near it enters or not
# by chance. {ref}`The threshold table <tbl-cox-thresholds>` below shows how the selection
# changes with the threshold. A model chosen in advance from clinical knowledge avoids these
# problems. The book reproduces the screen because the paper used it, not as a recommendation.
# :::
#
# ## Table 4: progression-free survival
#
# (code-table-4)=

# %% tags=["hide-input"]
glue("cox_table_4", styled(cox_display(tables["pfs"], labels)), display=False)

# %% [markdown]
# ```{glue:figure} cox_table_4
# :name: table-4
#
# Table 4 | Univariate and multivariable Cox models for PFS in the 2L-ICIs group before
# matching: hazard ratio of the first-listed level against the second, with its Wald confidence
# interval and p-value. Only the characteristics that passed the univariate screen have a
# multivariable estimate. ({ref}`code <code-table-4>`)
# ```

# %% tags=["remove-cell"]
for endpoint, table in tables.items():
    key = PUBLISHED_TABLE[endpoint]
    entered = table.loc[table["in_multivariable"], "covariate"].tolist()
    pub_entered = [COX_KEY_TO_VAR[k] for k in published(f"{key}.multivariate_covariates")]
    independent = table.loc[table["multi_p_value"] < alpha, "covariate"].tolist()
    pub_p = {v: published(f"{key}.rows.{TABLE1_KEYS[v][0]}.multivariate.p") for v in TABLE1_VARIABLES}
    pub_independent = [v for v, p in pub_p.items() if p is not None and (isinstance(p, str) or p < alpha)]
    glue(f"cox_{endpoint}_entered", join_words(characteristic_name(v) for v in entered), display=False)
    glue(f"cox_{endpoint}_pub_entered", join_words(characteristic_name(v) for v in pub_entered), display=False)
    same = sorted(entered) == sorted(pub_entered)
    glue(f"cox_{endpoint}_entered_same", "the same set as" if same else "a different set from", display=False)
    glue(f"cox_{endpoint}_independent", join_words(characteristic_name(v) for v in independent), display=False)
    glue(f"cox_{endpoint}_pub_independent", join_words(characteristic_name(v) for v in pub_independent), display=False)

# %% [markdown]
# For PFS the screen lets in {glue:text}`cox_pfs_entered`, {glue:text}`cox_pfs_entered_same`
# the original study's multivariable model ({glue:text}`cox_pfs_pub_entered`). In the
# multivariable model, the characteristics with p below {glue:text}`cox_alpha` (the paper's
# "independent factors") are {glue:text}`cox_pfs_independent` here and
# {glue:text}`cox_pfs_pub_independent` in the original study.
#
# ## Table 5: overall survival
#
# (code-table-5)=

# %% tags=["hide-input"]
glue("cox_table_5", styled(cox_display(tables["os"], labels)), display=False)

# %% [markdown]
# ```{glue:figure} cox_table_5
# :name: table-5
#
# Table 5 | Univariate and multivariable Cox models for OS in the 2L-ICIs group before
# matching, laid out as {ref}`Table 4 <table-4>`. ({ref}`code <code-table-5>`)
# ```
#
# For OS the screen lets in {glue:text}`cox_os_entered`, {glue:text}`cox_os_entered_same` the
# original study's model ({glue:text}`cox_os_pub_entered`). The characteristics with
# multivariable p below {glue:text}`cox_alpha` are {glue:text}`cox_os_independent` here and
# {glue:text}`cox_os_pub_independent` in the original study.
#
# ## How much the screen depends on its threshold
#
# The cell below reapplies the screen with other common thresholds to the same univariate
# p-values.
#
# (code-tbl-cox-thresholds)=

# %% tags=["hide-input"]
thresholds = sorted({0.05, 0.10, COX_ENTRY_P, 0.20})
univariate = {}
for endpoint, table in tables.items():
    ours = table.rename(columns={"uni_p_value": "p_value"})
    printed = [
        published(f"{PUBLISHED_TABLE[endpoint]}.rows.{TABLE1_KEYS[v][0]}.univariate.p") for v in ours["covariate"]
    ]
    theirs = ours.assign(p_value=[0.0 if isinstance(p, str) else p for p in printed])  # '<0.001' enters at any rule
    univariate |= {(endpoint.upper(), "This book"): ours, (endpoint.upper(), "Original study"): theirs}
counts = {key: [len(select_multivariable(frame, entry_p=t)) for t in thresholds] for key, frame in univariate.items()}
screen = pd.DataFrame(counts, index=[f"P < {t:g}" for t in thresholds]).T
screen.index.names = ["Endpoint", "P-values from"]
glue("cox_tbl_thresholds", styled(screen), display=False)

# %% [markdown]
# ```{glue:figure} cox_tbl_thresholds
# :name: tbl-cox-thresholds
#
# The screen and its threshold | Number of characteristics that would enter the multivariable
# model of PFS and of OS under different univariate entry thresholds, from the book's univariate
# p-values and from those the original study printed in Tables 4 and 5.
# ({ref}`code <code-tbl-cox-thresholds>`)
# ```

# %% tags=["remove-cell"]
low, high = min(thresholds), max(thresholds)
glue("cox_thr_min", low, display=False)
glue("cox_thr_max", high, display=False)
sensitive = {"This book": [], "Original study": []}
for (endpoint, source), frame in univariate.items():
    in_between = (frame["p_value"] >= low) & (frame["p_value"] < high)
    sensitive[source] += [f"{characteristic_name(v)} ({endpoint})" for v in frame.loc[in_between, "covariate"]]
glue("cox_thr_sensitive", "; ".join(sensitive["This book"]) or "none", display=False)
glue("cox_thr_sensitive_pub", "; ".join(sensitive["Original study"]) or "none", display=False)

# %% [markdown]
# The characteristics whose entry depends on the choice, because their univariate p-value lies
# between the smallest and the largest threshold tried ({glue:text}`cox_thr_min` and
# {glue:text}`cox_thr_max`), are {glue:text}`cox_thr_sensitive` in the book and
# {glue:text}`cox_thr_sensitive_pub` in the original study. The paper printed no such check.
#
# :::{warning}
# **Prognostic, not predictive.** The abstract of the original study calls liver metastases,
# the number of metastatic lesions and 1L-PFS "independent predictive factors" for PFS, while its
# results and discussion call them prognostic. Only *prognostic* is supported. The models are
# fitted within one treatment group, so they show which patients do better or worse *when given
# an ICI*; they cannot show which patients gain more *from adding the ICI*, because no patient
# without an ICI is in them. A predictive factor would need both groups and a test of the
# interaction between the factor and the treatment, as in {ref}`the subgroups chapter
# <subgroups>`. Liver metastases, for instance, shorten survival with any treatment of this
# disease.
# :::
#
# ## Is the hazard ratio constant over time?
#
# Every HR in Tables 4 and 5 assumes *proportional hazards*: the ratio of the two hazards is the
# same early and late in follow-up. The book checks it with **scaled Schoenfeld residuals**
# (Grambsch and Therneau; details in {ref}`the methods chapter <methods>`). At each event time,
# the Schoenfeld residual of a characteristic is the value of the patient who had the event
# minus the average value among all patients still at risk, weighted by their fitted risk.
# Scaled by the model's variance, the residuals estimate how far the log-HR at that moment sits
# from the single fitted log-HR. If the HR is constant they scatter around zero with no trend;
# if it drifts, they drift too. The test correlates them with a function of time and gives one
# p-value per characteristic and a *global* p-value for the whole model.

# %% tags=["remove-cell"]
ph = results.tables["ph_tests"]
multi = ph[ph["model"] == "multivariable"]
per_cov = ph[ph["covariate"] != "GLOBAL"]
flagged = per_cov[per_cov["p_value"] < alpha]
for endpoint in tables:
    global_p = multi.loc[(multi["endpoint"] == endpoint) & (multi["covariate"] == "GLOBAL"), "p_value"].iloc[0]
    glue(f"cox_ph_global_{endpoint}", format_p(global_p), display=False)
glue("cox_ph_n_tests", len(per_cov), display=False)
glue("cox_ph_n_models", ph.groupby(["endpoint", "model"]).ngroups, display=False)
glue("cox_ph_n_flagged", len(flagged), display=False)
flagged_text = "; ".join(
    f"{characteristic_name(r.covariate)} ({r.endpoint.upper()}, {r.model.split()[0]} model)"
    for r in flagged.itertuples()
)
glue("cox_ph_flagged", flagged_text or "none", display=False)

# %% [markdown]
# {ref}`The test table <tbl-cox-ph>` shows the tests of the two multivariable models.
#
# (code-tbl-cox-ph)=

# %% tags=["hide-input"]
shown = multi.assign(
    endpoint=multi["endpoint"].str.upper(),
    covariate=[labels.get(c, "Global test") for c in multi["covariate"]],
    p_value=multi["p_value"].map(format_p),
)
shown = shown.set_index(["endpoint", "covariate"])[["statistic", "df", "p_value"]]
shown.index.names, shown.columns = ["Endpoint", "Characteristic"], ["Chi-square", "df", "P"]
glue("cox_tbl_ph", styled(shown).format("{:.3f}", subset=["Chi-square"]), display=False)

# %% [markdown]
# ```{glue:figure} cox_tbl_ph
# :name: tbl-cox-ph
#
# Proportional hazards in Tables 4 and 5 | Scaled Schoenfeld residual tests (Grambsch–Therneau,
# time transformed by one minus the Kaplan–Meier estimate) for each characteristic of the
# multivariable models and for each model as a whole. ({ref}`code <code-tbl-cox-ph>`)
# ```
#
# The global test gives p {glue:text}`cox_ph_global_pfs` for the PFS model and
# {glue:text}`cox_ph_global_os` for the OS model. Across all {glue:text}`cox_ph_n_models` models
# fitted for the two tables (every univariate model and both multivariable ones),
# {glue:text}`cox_ph_n_flagged` of the {glue:text}`cox_ph_n_tests` per-characteristic tests have
# p below {glue:text}`cox_alpha`: {glue:text}`cox_ph_flagged`. With this many tests a few small
# p-values would be expected by chance, and the synthetic survival times were generated from a
# proportional-hazards model, so the check says more about the generator than about real
# patients; on a real cohort it is the first thing to look at.
#
# ## Fidelity: how close are Tables 4 and 5?
#
# The fidelity audit compares every HR, confidence bound and p-value of Tables 4 and 5 with the
# book's value. The tolerance is wider than for Figure 1 (Cox estimates in small subsets move
# more), and a p-value counts as reproduced when it falls on the same side of
# {glue:text}`cox_alpha`.
#
# (code-tbl-cox-fidelity-summary)=

# %% tags=["hide-input"]
audit = study.audit.table
mine = audit[audit["section"] == "Cox (Tables 4-5)"]
status = summary(mine).set_index("section")
glue("cox_tbl_fidelity_summary", styled(status).format("{:.0%}", subset=["share_ok"]), display=False)

# %% [markdown]
# ```{glue:figure} cox_tbl_fidelity_summary
# :name: tbl-cox-fidelity-summary
#
# Fidelity of Tables 4 and 5 | Audit rows by status: equal at the printed digits (exact), within
# the tolerance, outside it, or impossible to reproduce; `share_ok` is the share exact or within.
# ({ref}`code <code-tbl-cox-fidelity-summary>`)
# ```
#
# The rows outside their tolerance are listed next.
#
# (code-tbl-cox-fidelity-off)=

# %% tags=["hide-input"]
off = fidelity_misses_display(mine[~mine["status"].isin(["exact", "within"])])
glue("cox_tbl_fidelity_off", styled(off), display=False)

# %% tags=["remove-cell"]
glue("cox_fid_n", len(mine), display=False)
glue("cox_fid_ok", int(mine["status"].isin(["exact", "within"]).sum()), display=False)
glue("cox_fid_off", int((~mine["status"].isin(["exact", "within"])).sum()), display=False)
glue(
    "cox_fid_off_multi",
    int((~mine["status"].isin(["exact", "within"]) & mine["key"].str.contains("multivariate")).sum()),
    display=False,
)

# %% [markdown]
# ```{glue:figure} cox_tbl_fidelity_off
# :name: tbl-cox-fidelity-off
#
# Fidelity of Tables 4 and 5, the misses | Audit rows outside their tolerance: the key in the
# project's copy of the published results, the printed and the reproduced value, their
# difference and the tolerance. ({ref}`code <code-tbl-cox-fidelity-off>`)
# ```
#
# Of {glue:text}`cox_fid_n` numbers, {glue:text}`cox_fid_ok` are exact or within tolerance;
# {glue:text}`cox_fid_off_multi` of the {glue:text}`cox_fid_off` misses are in the
# multivariable columns. Multivariable estimates depend on how the characteristics are
# correlated with one another, which the paper does not report; the synthetic cohort can only
# approximate those correlations (see {ref}`the data chapter <data>`).
