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
# **To re-run this notebook** you need the project around it: the package `helpers`, the
# cohort file and the published numbers. Get a copy of the project's repository and run
# `make install` in its folder; it creates `.venv` with the locked packages. Then either
# install a notebook front end into it once (`.venv/bin/python -m pip install jupyterlab`)
# and open `.venv/bin/jupyter lab notebooks/simulation.ipynb`, or choose `.venv/bin/python` as
# the kernel in an editor that runs notebooks. The book is built from the paired
# `notebooks/simulation.py`; after editing either file, `.venv/bin/jupytext --sync
# notebooks/simulation.py` brings the other into step.

# %% [markdown]
# (simulation)=
# # A laboratory with a known truth
#
# :::{admonition} What and why
# No real cohort tells us what the treatment truly did: we see each patient under one treatment
# only. A synthetic cohort can do better, because whoever generates it can also write down what
# *would* have happened under the other treatment. This chapter uses that privilege. It builds a
# *structural* model of the study, in which the effect of second-line ICIs is declared, draws the
# study from it many times, runs the paper's analysis and its alternatives on every draw, and
# measures how close each comes to the truth. The plan follows the ADEMP structure of simulation
# studies (aims, data-generating mechanisms, estimands, methods, performance measures) of
# {cite:t}`morris2019simulation`.
#
# **The structural model is this book's assumption, not the original study's data.** It is
# calibrated so that one draw looks like the paper, but nothing in the paper says that the
# treatment acts the way the model makes it act. What the chapter can show is how the methods
# behave *if* the world were like the model: a property of the methods, not evidence about the
# treatment.
# :::

# %% tags=["remove-cell"]
import datetime as dt

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

from helpers.paper.published import published
from helpers.paths import SIMULATION_DIR
from helpers.report.chapter import glue_all
from helpers.report.simulation import (
    Experiment,
    check_display,
    figure_check,
    figure_coverage,
    figure_estimates,
    figure_noncollapsibility,
    methods_display,
    performance_display,
    truth_display,
)
from helpers.report.tables import styled
from helpers.simulation.check import CHECK_SEED
from helpers.simulation.outputs import (
    CHECK,
    FAILURES,
    NONCOLLAPSIBILITY,
    PERFORMANCE,
    load_replicates,
    manifests,
    read_csv,
    read_truth,
)
from helpers.simulation.scenarios import CONFOUNDING_MULTIPLIER, scenario
from helpers.simulation.structural import CYCLE_MONTHS, load_params
from helpers.simulation.truth import RMST_HORIZONS, SURVIVAL_TIMES
from helpers.study import cohort as C
from helpers.study.design import ALPHA, PSM_SETTINGS, TABLE1_LABELS

folder = SIMULATION_DIR
params = load_params()
truth = read_truth(folder)
perf = read_csv(folder / PERFORMANCE)
fails = read_csv(folder / FAILURES)
check = read_csv(folder / CHECK)
noncollapse = read_csv(folder / NONCOLLAPSIBILITY)
runs = manifests(folder)
replicates = load_replicates(folder)


def month(d: dt.date) -> str:
    return d.strftime("%B %Y")


def hr(log_hr: float) -> str:
    return f"{np.exp(log_hr):.2f}"


def pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f}%"


experiment = Experiment(truth, perf, replicates)
measure, true_value, same_estimates = experiment.measure, experiment.true_value, experiment.same_estimates


def pairs(scen: str, method: str) -> str:
    return f"{experiment.mean_pairs(scen, method):.0f}"


glue_all(
    {
        "n": scenario("base").n,
        "n_small": scenario("small").n,
        "replicates": f"{runs['base']['replicates']:,}",
        "ci_level": f"{1 - ALPHA:.0%}",
        "alpha": ALPHA,
        "window_start": month(C.STUDY_START),
        "window_end": month(C.STUDY_END),
        "cutoff": C.DATA_CUTOFF.strftime("%d %B %Y").lstrip("0"),
        "follow_up_pub": published("cohort.median_follow_up_months"),
        "caliper": PSM_SETTINGS["caliper"],
        "caliper_logit": "0.2",
        "multiplier": f"{CONFOUNDING_MULTIPLIER:g}",
        "params_version": params.version,
        "n_characteristics": len(C.TABLE1_VARIABLES),
        "rmst_horizons": " and ".join(f"{t:g}" for t in RMST_HORIZONS),
        "surv_times": " and ".join(f"{t:g}" for t in SURVIVAL_TIMES),
    },
    "sim_",
)

# %% [markdown]
# ## Aims
#
# The simulation asks four questions of the paper's analysis and of the alternatives:
#
# 1. Does the paper's propensity score matching (a caliper of {glue:text}`sim_caliper` on the
#    probability scale) recover the treatment's effect, and is its {glue:text}`sim_ci_level`
#    confidence interval honest, that is, does it hold the truth as often as it claims?
# 2. Which effect does each method estimate? Hazard ratios of different populations, and
#    conditional or marginal ones, are different numbers even when every method works.
# 3. How do the answers change when there is no effect at all, when the treated and untreated
#    patients differ more than in Table 1, or when the cohort is half as large?
# 4. Does the scale of the caliper (probability, or {glue:text}`sim_caliper_logit` standard
#    deviations of the logit of the score) matter?
#
# ## Data-generating mechanisms: the structural model
#
# The calibrated cohort of the {ref}`Data chapter <data>` is built by *arranging* a fixed set of
# patients until the paper's printed counts come out exactly; it has no causal structure one
# could state. The structural model instead *draws* patients from mechanisms written down in
# advance (module `helpers.simulation.structural`, parameters in
# `data/simulation/structural_params.json`, version {glue:text}`sim_params_version`):
#
# - **Characteristics.** The {glue:text}`sim_n_characteristics` binary Table 1 characteristics
#   come from a Gaussian copula: two latent factors (a "disease burden" factor loading on the
#   metastasis sites and ECOG, and a factor shared by first-line ICI, sex and smoking) plus
#   independent noise give each patient a latent normal score per characteristic, which is
#   cut at a threshold. Three or more organ metastases force three or more metastatic sites.
#   The thresholds reproduce Table 1's prevalences in both groups together; the factor loadings
#   are assumptions (the paper prints margins, not associations).
# - **Treatment.** A logistic propensity model on the characteristics. Its coefficients are
#   solved so that, on average, the share treated and every characteristic's prevalence among
#   the treated are Table 1's (and so also among the untreated).
# - **PFS** follows a proportional-hazards model with a piecewise-constant baseline hazard, the
#   covariate hazard ratios of Table 4 (multivariable where the paper has one, univariate
#   otherwise) and a declared conditional treatment hazard ratio. Times are drawn by inverting the
#   cumulative hazard, as Bender, Augustin and Blettner (2005) describe.
# - **OS** is PFS plus post-progression survival: a fixed share of PFS events are deaths without
#   progression, the others progressions followed by a post-progression time from its own
#   proportional-hazards model (Table 5's covariate hazard ratios and a declared treatment hazard
#   ratio after progression). This illness–death construction was chosen over a copula of two
#   separate times because it makes PFS ≤ OS hold for every patient by construction and ties
#   the two endpoints together the way the disease does. Its price is that OS is not exactly
#   proportional-hazards in the treatment, so its conditional hazard ratio has to be computed
#   (below) rather than declared.
# - **Censoring.** Second-line start dates spread evenly over the study window
#   ({glue:text}`sim_window_start` to {glue:text}`sim_window_end`), follow-up ends at the
#   cut-off of {glue:text}`sim_cutoff`, and patients are lost to follow-up at a constant rate of
#   {glue:text}`sim_loss_rate` per month ({glue:text}`sim_loss_year` a year). The rate makes the
#   median of the follow-up distribution, which the reverse Kaplan–Meier method estimates, the
#   paper's {glue:text}`sim_follow_up_pub` months, without crowding the start dates into the
#   last year of the window as the calibrated cohort has to.
# - **Everything else** the data contract needs (age, ECOG, regimen, agent, cycles, best
#   response, adverse events) is filled in simply, so that every analysis of the book runs on a
#   drawn cohort: for example, one cycle per {glue:text}`sim_cycle_months` months of PFS, and
#   responses ordered by PFS with the group's printed shares.
#
# Every free number is fitted to the printed ones by a deterministic routine
# (`python -m helpers simulate-calibrate`): the thresholds and propensity model to Table 1, the
# untreated arm's baseline hazards to the 2L-non-ICIs median and landmark rates, the treatment
# hazard ratios to the 2L-ICIs ones, and the loss rate to the median follow-up. The result:

# %% tags=["remove-cell"]
glue_all(
    {
        "loss_rate": f"{params.loss_rate:.4f}",
        "loss_year": pct(1 - np.exp(-12 * params.loss_rate), 0),
        "cycle_months": CYCLE_MONTHS,
        "pfs_cond_hr": hr(params.pfs_treatment_log_hr),
        "pps_hr": hr(params.pps_treatment_log_hr),
        "death_share": pct(params.death_share, 0),
    },
    "sim_",
)
char_rows = []
for v in C.TABLE1_VARIABLES:
    char_rows.append(
        {
            "Characteristic": f"{TABLE1_LABELS[v][0]}: {TABLE1_LABELS[v][1]}",
            "Prevalence (both groups)": pct(params.targets["pooled_prevalence"][v]),
            "Propensity odds ratio": f"{np.exp(params.propensity[v]):.2f}",
            "PFS hazard ratio (Table 4)": f"{np.exp(params.pfs_log_hr[v]):.3f}",
            "Post-progression hazard ratio (Table 5)": f"{np.exp(params.pps_log_hr[v]):.3f}",
        }
    )
glue("sim_tbl_params", styled(pd.DataFrame(char_rows).set_index("Characteristic")), display=False)

# %% [markdown]
# ```{glue:figure} sim_tbl_params
# :name: sim-table-params
#
# The structural model's characteristics: prevalence (the calibration target), the propensity
# model's odds ratio and the hazard ratios of PFS and of survival after progression.
# ```
#
# The declared treatment effects are a conditional PFS hazard ratio of
# {glue:text}`sim_pfs_cond_hr` for second-line ICIs (fitted to the 2L-ICIs PFS curve) and a
# hazard ratio of {glue:text}`sim_pps_hr` after progression (fitted to the 2L-ICIs OS curve);
# {glue:text}`sim_death_share` of PFS events are deaths without progression. The hazard ratio
# after progression is above one because the paper's OS curves lie much closer together than its
# PFS curves: in this model, a patient on an ICI lives longer without progression but not
# longer after it. That is what the published curves imply under the model's structure, not a
# finding.
#
# ### One draw against the paper
#
# A cohort drawn from the model should look like the paper's, not exactly (that is the calibrated
# cohort's job) but within sampling error. The check below draws {glue:text}`sim_check_draws`
# cohorts of {glue:text}`sim_n` patients and computes for each the statistics the paper prints:
# Table 1 by group, group sizes, medians and landmark rates of Figure 1A and 1B, hazard ratios
# before and after matching, the number of matched pairs, the median follow-up and the
# multivariable hazard ratios of Tables 4 and 5.

# %% tags=["remove-cell"]
inside = int(check["inside"].sum())
glue_all(
    {
        "check_draws": int(check["draws"].max()),
        "check_n": len(check),
        "check_inside": inside,
        "check_outside": len(check) - inside,
        "check_seed": CHECK_SEED,
    },
    "sim_",
)
extreme = check.assign(tail=np.minimum(check["percentile"], 1 - check["percentile"])).sort_values("tail")
glue("sim_check_extreme", ", ".join(extreme["statistic"].head(3)), display=False)
glue(
    "sim_check_extreme_pct",
    ", ".join(f"{100 * p:.0f}" for p in extreme["percentile"].head(3)),
    display=False,
)
fig = figure_check(check)
glue("sim_fig_check", fig, display=False)
plt.close(fig)
glue("sim_tbl_check", styled(check_display(check)), display=False)

# %% [markdown]
# ```{glue:figure} sim_fig_check
# :name: sim-figure-check
#
# The paper's printed numbers (diamonds) against the spread of the same statistics over
# cohorts drawn from the structural model (grey: central {glue:text}`sim_ci_level` of the draws;
# tick: median).
# ```
#
# Of the {glue:text}`sim_check_n` statistics, {glue:text}`sim_check_inside` printed values lie
# inside the central range of the draws ({glue:text}`sim_check_outside` outside). The printed
# values that sit furthest in a tail are {glue:text}`sim_check_extreme` (at percentiles
# {glue:text}`sim_check_extreme_pct` of the draws). The OS hazard ratios of liver metastases and of
# many metastatic sites come out stronger in the model than in Table 5 because the model lets
# them act twice, before and after progression; the model keeps the paper's values for
# post-progression survival rather than fitting them, a choice that could be revisited.

# %% tags=["hide-input"]
styled(check_display(check))

# %% [markdown]
# ## Estimands: the truth
#
# For every patient the model gives both potential outcomes, $T(1)$ with a second-line ICI and
# $T(0)$ without, from the same random numbers. The estimands are then summaries of the two in a
# *target population*, with no censoring and no confounding:
#
# - the **conditional hazard ratio**, given all the characteristics: for PFS the declared
#   parameter; for OS the treatment coefficient of a Cox model with every characteristic,
#   fitted to both potential outcomes of everyone (a "least false" value, since OS is not exactly
#   proportional-hazards in the treatment);
# - the **marginal hazard ratio**: a Cox model with the treatment alone, fitted to $T(1)$ and
#   $T(0)$ of the target population;
# - the **difference in restricted mean survival time** (RMST) at horizons $\tau$ of
#   {glue:text}`sim_rmst_horizons` months, the mean of $\min(T(1), \tau)$ minus that of
#   $\min(T(0), \tau)$;
# - the **difference in survival** at {glue:text}`sim_surv_times` months.
#
# The target populations are everyone (the average treatment effect, ATE), the patients who
# were treated (ATT), and the *overlap* population, everyone weighted by $e(1 - e)$ where $e$ is
# the true propensity score (ATO). Each value is the mean over {glue:text}`sim_truth_populations`
# independent populations of {glue:text}`sim_truth_size` patients, with its Monte Carlo
# standard error (MC SE) from their spread.

# %% tags=["remove-cell"]
first = truth.iloc[0]
glue_all(
    {
        "truth_populations": int(first["populations"]),
        "truth_size": f"{int(first['size']):,}",
        "pfs_marg_ate_hr": hr(true_value("base", "pfs", "ATE")),
        "pfs_marg_att_hr": hr(true_value("base", "pfs", "ATT")),
        "os_cond_hr": hr(true_value("base", "os", "conditional")),
        "os_marg_ate_hr": hr(true_value("base", "os", "ATE")),
        "pfs_rmst12": f"{true_value('base', 'pfs', 'ATE', 'rmst_diff_12'):.2f}",
        "os_rmst24": f"{true_value('base', 'os', 'ATE', 'rmst_diff_24'):.2f}",
        "pfs_sd6": f"{100 * true_value('base', 'pfs', 'ATE', 'surv_diff_6'):.1f}",
        "strong_att_hr": hr(true_value("strong_confounding", "pfs", "ATT")),
        "nc_hr0": f"{noncollapse['marginal_hr'].iloc[0]:.3f}",
        "nc_hr1": f"{noncollapse.loc[noncollapse['multiplier'] == 1, 'marginal_hr'].iloc[0]:.3f}",
        "nc_hrmax": f"{noncollapse['marginal_hr'].iloc[-1]:.3f}",
        "nc_mult_max": f"{noncollapse['multiplier'].iloc[-1]:g}",
        "nc_cond": f"{noncollapse['conditional_hr'].iloc[0]:.3f}",
    },
    "sim_",
)
glue("sim_tbl_truth", styled(truth_display(truth, "base")), display=False)

# %% [markdown]
# ```{glue:figure} sim_tbl_truth
# :name: sim-table-truth
#
# The true values of the base model's estimands (hazard ratios; RMST differences in months;
# survival differences in percentage points), with their Monte Carlo standard errors.
# ```
#
# The conditional PFS hazard ratio is {glue:text}`sim_pfs_cond_hr`, but the marginal one, in the
# very same patients, is {glue:text}`sim_pfs_marg_ate_hr` for everyone and
# {glue:text}`sim_pfs_marg_att_hr` for the treated. For OS the conditional value is
# {glue:text}`sim_os_cond_hr` and the marginal {glue:text}`sim_os_marg_ate_hr`. On the absolute
# scale, an ICI adds {glue:text}`sim_pfs_rmst12` months of PFS within the first year on average,
# {glue:text}`sim_os_rmst24` months of life within two years, and
# {glue:text}`sim_pfs_sd6` percentage points to the share free of progression at six months.
#
# ### Non-collapsibility: marginal is not conditional, even without confounding
#
# The gap between the conditional and the marginal hazard ratio is not bias and not confounding:
# both compare the same patients under both treatments. It arises because the hazard ratio is
# *non-collapsible*: averaging proportional hazards over patients of different risk does not
# give proportional hazards with the same ratio, since the high-risk patients leave the risk set
# first. The figure holds the conditional PFS hazard ratio at its declared value and scales the
# covariates' log hazard ratios.

# %% tags=["remove-cell"]
fig = figure_noncollapsibility(noncollapse)
glue("sim_fig_noncollapse", fig, display=False)
plt.close(fig)
nc_table = pd.DataFrame(
    {
        "Covariate effects ×": [f"{m:g}" for m in noncollapse["multiplier"]],
        "SD of the prognostic score": [f"{v:.2f}" for v in noncollapse["prognostic_sd"]],
        "Conditional HR": [f"{v:.3f}" for v in noncollapse["conditional_hr"]],
        "Marginal HR (ATE)": [f"{v:.3f}" for v in noncollapse["marginal_hr"]],
    }
).set_index("Covariate effects ×")
glue("sim_tbl_noncollapse", styled(nc_table), display=False)

# %% [markdown]
# ```{glue:figure} sim_fig_noncollapse
# :name: sim-figure-noncollapse
#
# The marginal PFS hazard ratio (everyone, both potential outcomes) as the characteristics'
# effects on PFS grow, with the conditional hazard ratio held fixed. No confounding is involved.
# ```
#
# ```{glue:figure} sim_tbl_noncollapse
# :name: sim-table-noncollapse
#
# The same in numbers: the spread of the patients' PFS risk (standard deviation of the linear
# predictor of the characteristics) and the two hazard ratios.
# ```
#
# Without covariate effects the two coincide ({glue:text}`sim_nc_hr0` against
# {glue:text}`sim_nc_cond`); with the model's effects the marginal value is
# {glue:text}`sim_nc_hr1`, and with effects {glue:text}`sim_nc_mult_max` times as strong it is
# {glue:text}`sim_nc_hrmax`. A method that adjusts for the characteristics in a Cox model
# estimates the conditional number; matching and weighting estimate a marginal one. Both can be
# right, about different questions, and the comparison between methods has to say which.
#
# ## Methods
#
# Each replicate draws one cohort, and every method below runs on it, for PFS and for OS. A
# method is a function of a cohort in the data contract and an endpoint
# (`helpers.simulation.methods`); each is compared with the truth of the estimand it targets.

# %% tags=["remove-cell"]
base_methods = list(scenario("base").methods)
glue("sim_tbl_methods", styled(methods_display([*base_methods, "psm_cox_logit"])), display=False)

# %% [markdown]
# ```{glue:figure} sim_tbl_methods
# :name: sim-table-methods
#
# The methods of the experiment and the estimand each is compared with.
# ```
#
# Besides the three Cox models of the paper's kind, the experiment runs the appraisal chapter's
# estimators exactly as that chapter computes them (`helpers.study.estimators`): the matched
# pairs with a pair-robust variance and stratified by pair, weighting for the ATE, the ATT and
# the overlap population, the ATE-weighted model with covariates, and the doubly robust (AIPW)
# estimate of the absolute effects. The matched estimators are compared with the ATT, the
# population the paper's matching aims at. The crude Cox model is compared with the ATE: it is
# what a reader who takes an unadjusted comparison at face value believes it estimates.
#
# ## Performance measures
#
# For each method and estimand, over the replicates, the experiment reports the measures below,
# with the Monte Carlo standard errors of {cite:t}`morris2019simulation`:
#
# - **bias**, the mean estimate minus the truth (log hazard ratios);
# - the **empirical SE**, the standard deviation of the estimates over the replicates, and the
#   **model SE**, the root mean of the squared standard errors the method reported: if they
#   differ, the method's confidence intervals are too wide or too narrow;
# - **coverage**, the share of {glue:text}`sim_ci_level` intervals that hold the truth;
# - the **rejection rate**, the share of p-values below {glue:text}`sim_alpha`: power when there is
#   an effect, the type I error rate when there is none.
#
# Every measure is itself an estimate from a finite number of replicates and comes with its
# Monte Carlo SE, in brackets in the tables. Replicates where a method failed are counted, never
# dropped silently.
#
# ## Results
#
# Each scenario ran {glue:text}`sim_replicates` replicates on a local Dask cluster
# (`python -m helpers simulate`; see the end of the chapter).

# %% tags=["remove-cell"]
glue_all(
    {
        "base_psm_bias": f"{measure('base', 'psm_cox', 'pfs', 'bias'):.3f}",
        "base_psm_bias_mcse": f"{measure('base', 'psm_cox', 'pfs', 'bias_mcse'):.3f}",
        "base_psm_cov": pct(measure("base", "psm_cox", "pfs", "coverage")),
        "base_psm_cov_mcse": pct(measure("base", "psm_cox", "pfs", "coverage_mcse")),
        "base_psm_emp": f"{measure('base', 'psm_cox', 'pfs', 'emp_se'):.3f}",
        "base_psm_mod": f"{measure('base', 'psm_cox', 'pfs', 'mod_se'):.3f}",
        "base_crude_bias": f"{measure('base', 'crude_cox', 'pfs', 'bias'):.3f}",
        "base_crude_cov": pct(measure("base", "crude_cox", "pfs", "coverage")),
        "base_mv_bias": f"{measure('base', 'multivariable_cox', 'pfs', 'bias'):.3f}",
        "base_mv_cov": pct(measure("base", "multivariable_cox", "pfs", "coverage")),
        "base_psm_power_os": pct(measure("base", "psm_cox", "os", "power")),
        "base_crude_power_os": pct(measure("base", "crude_cox", "os", "power")),
        "base_mv_power_os": pct(measure("base", "multivariable_cox", "os", "power")),
        "base_psm_pairs": pairs("base", "psm_cox"),
        "base_psm_se_side": (
            "larger than"
            if measure("base", "psm_cox", "pfs", "mod_se") > measure("base", "psm_cox", "pfs", "emp_se")
            else "smaller than"
        ),
        "base_psm_se_effect": (
            "too wide (conservative)"
            if measure("base", "psm_cox", "pfs", "mod_se") > measure("base", "psm_cox", "pfs", "emp_se")
            else "too narrow"
        ),
        "n_failed_rows": int(fails["n"].sum()) if len(fails) else 0,
    },
    "sim_",
)
for name in runs:
    glue(f"sim_tbl_perf_{name}", styled(performance_display(perf, name)), display=False)
for endpoint in ("pfs", "os"):
    true_base = truth[truth["mechanism"] == "base"]
    fig = figure_estimates(replicates["base"], true_base, endpoint)
    glue(f"sim_fig_estimates_base_{endpoint}", fig, display=False)
    plt.close(fig)
    fig = figure_coverage(perf, endpoint)
    glue(f"sim_fig_coverage_{endpoint}", fig, display=False)
    plt.close(fig)

# %% [markdown]
# ### Base case
#
# ```{glue:figure} sim_fig_estimates_base_pfs
# :name: sim-figure-estimates-pfs
#
# Base case, PFS: the log hazard ratios each method estimated over the replicates, against the
# true value of the estimand it targets.
# ```
#
# ```{glue:figure} sim_tbl_perf_base
# :name: sim-table-perf-base
#
# Base case: performance of each method (estimate, Monte Carlo SE in brackets; bias and SEs on
# the log hazard ratio scale).
# ```
#
# The paper's matching keeps {glue:text}`sim_base_psm_pairs` pairs on average. For PFS it is
# nearly unbiased for the marginal effect in the treated (bias {glue:text}`sim_base_psm_bias`,
# Monte Carlo SE {glue:text}`sim_base_psm_bias_mcse`), and its intervals cover the truth in
# {glue:text}`sim_base_psm_cov` of the replicates (Monte Carlo SE {glue:text}`sim_base_psm_cov_mcse`).
# Its model SE ({glue:text}`sim_base_psm_mod`) is {glue:text}`sim_base_psm_se_side` its
# empirical SE ({glue:text}`sim_base_psm_emp`): analysing the matched pairs as if they were
# independent patients makes its intervals {glue:text}`sim_base_psm_se_effect` here. The crude Cox model is off by {glue:text}`sim_base_crude_bias`
# (coverage {glue:text}`sim_base_crude_cov`): the confounding in Table 1 is mild and partly offset
# by non-collapsibility. The multivariable Cox model targets the conditional hazard ratio (bias
# {glue:text}`sim_base_mv_bias`, coverage {glue:text}`sim_base_mv_cov`).
#
# For OS, where the effect is small, the chance of a significant result is
# {glue:text}`sim_base_psm_power_os` with the paper's matching, {glue:text}`sim_base_crude_power_os`
# with the crude model and {glue:text}`sim_base_mv_power_os` with the multivariable model:
# a non-significant OS comparison in a study of this size says little.
#
# ```{glue:figure} sim_fig_estimates_base_os
# :name: sim-figure-estimates-os
#
# Base case, OS: estimates over the replicates against the truth.
# ```


# %% tags=["remove-cell"]
se_verdict = experiment.se_verdict
RMST_FIRST = f"rmst_diff_{RMST_HORIZONS[0]:g}"  # the first horizon's RMST difference
modern = {
    "robust": "psm_robust",
    "strat": "psm_stratified",
    "ate": "iptw_ate",
    "att": "iptw_att",
    "ato": "overlap",
    "adj": "iptw_adjusted",
}
numbers = {}
for short, method in modern.items():
    numbers[f"base_{short}_bias"] = f"{measure('base', method, 'pfs', 'bias'):.3f}"
    numbers[f"base_{short}_cov"] = pct(measure("base", method, "pfs", "coverage"))
    numbers[f"base_{short}_emp"] = f"{measure('base', method, 'pfs', 'emp_se'):.3f}"
    numbers[f"base_{short}_mod"] = f"{measure('base', method, 'pfs', 'mod_se'):.3f}"
    numbers[f"base_{short}_se_verdict"] = se_verdict("base", method)
    numbers[f"strong_{short}_bias"] = f"{measure('strong_confounding', method, 'pfs', 'bias'):.3f}"
    numbers[f"strong_{short}_cov"] = pct(measure("strong_confounding", method, "pfs", "coverage"))
numbers["base_psm_se_verdict"] = se_verdict("base", "psm_cox")
for method, short in (("doubly_robust", "dr"), ("iptw_ate", "ate")):
    for scen in ("base", "strong_confounding"):
        prefix = "base" if scen == "base" else "strong"
        numbers[f"{prefix}_{short}_rmst_bias"] = f"{measure(scen, method, 'pfs', 'bias', RMST_FIRST):.2f}"
        numbers[f"{prefix}_{short}_rmst_cov"] = pct(measure(scen, method, "pfs", "coverage", RMST_FIRST))
numbers["rmst_horizon"] = f"{RMST_HORIZONS[0]:g}"
numbers["base_rmst_truth"] = f"{measure('base', 'doubly_robust', 'pfs', 'truth', RMST_FIRST):.2f}"
glue_all(numbers, "sim_")

# %% [markdown]
# ### The appraisal's estimators in the base case
#
# The appraisal chapter offers alternatives to the paper's analysis; here they meet a known
# truth. For PFS:
#
# - **The matched pairs as pairs.** The pair-robust variance leaves the paper's hazard ratio as
#   it is and changes only its standard error: mean model SE {glue:text}`sim_base_robust_mod`
#   against an empirical SE of {glue:text}`sim_base_robust_emp`, so its intervals are
#   {glue:text}`sim_base_robust_se_verdict` (coverage {glue:text}`sim_base_robust_cov`; the
#   paper's naive intervals are {glue:text}`sim_base_psm_se_verdict`). The pair-stratified model
#   estimates a different, within-pair hazard ratio from fewer comparisons: bias
#   {glue:text}`sim_base_strat_bias` against the ATT, empirical SE
#   {glue:text}`sim_base_strat_emp`, coverage {glue:text}`sim_base_strat_cov`.
# - **Weighting.** ATE weights: bias {glue:text}`sim_base_ate_bias`, coverage
#   {glue:text}`sim_base_ate_cov` (model SE {glue:text}`sim_base_ate_mod`, empirical
#   {glue:text}`sim_base_ate_emp`). ATT weights: bias {glue:text}`sim_base_att_bias`, coverage
#   {glue:text}`sim_base_att_cov`. Overlap weights, against the overlap population's truth: bias
#   {glue:text}`sim_base_ato_bias`, coverage {glue:text}`sim_base_ato_cov`. The robust variance of
#   the weighted models treats the weights as known numbers, although they are estimated; their
#   intervals come out {glue:text}`sim_base_ate_se_verdict` (ATE),
#   {glue:text}`sim_base_att_se_verdict` (ATT) and {glue:text}`sim_base_ato_se_verdict` (overlap).
# - **Weights and covariates together** (compared with the conditional hazard ratio): bias
#   {glue:text}`sim_base_adj_bias`, coverage {glue:text}`sim_base_adj_cov`.
# - **Absolute effects.** The true difference in restricted mean PFS up to {glue:text}`sim_rmst_horizon` months (ATE) is
#   {glue:text}`sim_base_rmst_truth` months. The doubly robust estimate misses it by
#   {glue:text}`sim_base_dr_rmst_bias` on average and covers it in
#   {glue:text}`sim_base_dr_rmst_cov` of the replicates; the ATE-weighted Kaplan–Meier difference
#   by {glue:text}`sim_base_ate_rmst_bias` (coverage {glue:text}`sim_base_ate_rmst_cov`).
#
# The performance table of the base case above lists every method, both endpoints included.

# %% tags=["remove-cell"]
glue_all(
    {
        "null_psm_t1e": pct(measure("null", "psm_cox", "pfs", "power")),
        "null_psm_t1e_mcse": pct(measure("null", "psm_cox", "pfs", "power_mcse")),
        "null_crude_t1e": pct(measure("null", "crude_cox", "pfs", "power")),
        "null_mv_t1e": pct(measure("null", "multivariable_cox", "pfs", "power")),
        "null_psm_t1e_os": pct(measure("null", "psm_cox", "os", "power")),
        "strong_crude_bias": f"{measure('strong_confounding', 'crude_cox', 'pfs', 'bias'):.3f}",
        "strong_crude_cov": pct(measure("strong_confounding", "crude_cox", "pfs", "coverage")),
        "strong_psm_bias": f"{measure('strong_confounding', 'psm_cox', 'pfs', 'bias'):.3f}",
        "strong_psm_cov": pct(measure("strong_confounding", "psm_cox", "pfs", "coverage")),
        "strong_psm_pairs": pairs("strong_confounding", "psm_cox"),
        "strong_mv_cov": pct(measure("strong_confounding", "multivariable_cox", "pfs", "coverage")),
        "small_psm_cov": pct(measure("small", "psm_cox", "pfs", "coverage")),
        "small_psm_power": pct(measure("small", "psm_cox", "pfs", "power")),
        "base_psm_power": pct(measure("base", "psm_cox", "pfs", "power")),
        "small_psm_power_os": pct(measure("small", "psm_cox", "os", "power")),
        "caliper_same": pct(same_estimates("caliper", "psm_cox", "psm_cox_logit")),
        "caliper_wider": (
            "the logit caliper"
            if float(pairs("caliper", "psm_cox_logit")) > float(pairs("caliper", "psm_cox"))
            else "the probability caliper"
        ),
        "caliper_prob_pairs": pairs("caliper", "psm_cox"),
        "caliper_logit_pairs": pairs("caliper", "psm_cox_logit"),
        "caliper_prob_emp": f"{measure('caliper', 'psm_cox', 'pfs', 'emp_se'):.3f}",
        "caliper_logit_emp": f"{measure('caliper', 'psm_cox_logit', 'pfs', 'emp_se'):.3f}",
        "caliper_prob_bias": f"{measure('caliper', 'psm_cox', 'pfs', 'bias'):.3f}",
        "caliper_logit_bias": f"{measure('caliper', 'psm_cox_logit', 'pfs', 'bias'):.3f}",
    },
    "sim_",
)

# %% [markdown]
# ### No treatment effect
#
# With both treatment effects set to zero, every estimand is null and each rejection is a false
# positive. At the {glue:text}`sim_alpha` level the paper's matching rejects in
# {glue:text}`sim_null_psm_t1e` of the replicates for PFS (Monte Carlo SE
# {glue:text}`sim_null_psm_t1e_mcse`) and {glue:text}`sim_null_psm_t1e_os` for OS; the crude and
# multivariable Cox models in {glue:text}`sim_null_crude_t1e` and {glue:text}`sim_null_mv_t1e`
# for PFS.
#
# ```{glue:figure} sim_tbl_perf_null
# :name: sim-table-perf-null
#
# No treatment effect: the rejection rate is the type I error rate.
# ```
#
# ### Stronger confounding
#
# Multiplying the propensity model's log odds ratios by {glue:text}`sim_multiplier` (with the
# share treated unchanged) makes the groups differ much more than in Table 1. The crude Cox
# model is now off by {glue:text}`sim_strong_crude_bias` (coverage
# {glue:text}`sim_strong_crude_cov`); the paper's matching, which keeps
# {glue:text}`sim_strong_psm_pairs` pairs on average, is off by {glue:text}`sim_strong_psm_bias`
# (coverage {glue:text}`sim_strong_psm_cov`), and the multivariable model covers its conditional
# target in {glue:text}`sim_strong_mv_cov`. The matched population also changes with the
# confounding: the true marginal PFS hazard ratio in the treated is {glue:text}`sim_strong_att_hr`
# here.
#
# The weighted models keep every patient. With ATE weights the PFS bias is
# {glue:text}`sim_strong_ate_bias` (coverage {glue:text}`sim_strong_ate_cov`), with ATT weights
# {glue:text}`sim_strong_att_bias` ({glue:text}`sim_strong_att_cov`) and with overlap weights
# {glue:text}`sim_strong_ato_bias` ({glue:text}`sim_strong_ato_cov`); the pair-robust matched
# analysis covers the ATT in {glue:text}`sim_strong_robust_cov`. For the restricted mean PFS up
# to {glue:text}`sim_rmst_horizon` months the doubly robust estimate is off by {glue:text}`sim_strong_dr_rmst_bias` months
# (coverage {glue:text}`sim_strong_dr_rmst_cov`) and the ATE-weighted Kaplan–Meier difference
# by {glue:text}`sim_strong_ate_rmst_bias` ({glue:text}`sim_strong_ate_rmst_cov`).
#
# ```{glue:figure} sim_tbl_perf_strong_confounding
# :name: sim-table-perf-strong
#
# Stronger confounding.
# ```
#
# ### A smaller cohort
#
# With {glue:text}`sim_n_small` patients instead of {glue:text}`sim_n`, the paper's matching
# covers the truth in {glue:text}`sim_small_psm_cov` of the replicates and detects the PFS effect
# in {glue:text}`sim_small_psm_power` (against {glue:text}`sim_base_psm_power` with the full
# cohort); for OS, power falls to {glue:text}`sim_small_psm_power_os`.
#
# ```{glue:figure} sim_tbl_perf_small
# :name: sim-table-perf-small
#
# A smaller cohort.
# ```
#
# ### The caliper's scale
#
# On the very same cohorts as the base case, a caliper of {glue:text}`sim_caliper` on the
# probability scale keeps {glue:text}`sim_caliper_prob_pairs` pairs on average, and
# {glue:text}`sim_caliper_logit` standard deviations of the logit keep
# {glue:text}`sim_caliper_logit_pairs`. The bias is {glue:text}`sim_caliper_prob_bias` against
# {glue:text}`sim_caliper_logit_bias` and the empirical SE {glue:text}`sim_caliper_prob_emp` against
# {glue:text}`sim_caliper_logit_emp`. The scale changes which pairs are formed in nearly every
# cohort (the two PFS estimates coincide in only {glue:text}`sim_caliper_same` of the replicates)
# but hardly what the analysis concludes: for these cohorts {glue:text}`sim_caliper_wider` is
# the wider one, and the extra pairs it keeps cost no visible bias.
#
# ```{glue:figure} sim_tbl_perf_caliper
# :name: sim-table-perf-caliper
#
# The caliper's scale: probability (the paper's) against the logit.
# ```
#
# ### Coverage across the scenarios
#
# ```{glue:figure} sim_fig_coverage_pfs
# :name: sim-figure-coverage-pfs
#
# Coverage of the {glue:text}`sim_ci_level` intervals for the PFS hazard ratio, per scenario and
# method, with $\pm 1.96$ Monte Carlo SE; the dashed line is the nominal level.
# ```
#
# ```{glue:figure} sim_fig_coverage_os
# :name: sim-figure-coverage-os
#
# Coverage for the OS hazard ratio.
# ```
#
# ## What the laboratory teaches
#
# - **Say which effect.** The conditional, the marginal-in-everyone and the marginal-in-the-treated
#   hazard ratios are different numbers in the same patients. The paper's matched hazard ratio
#   estimates the effect in the treated patients that could be matched, the multivariable model a
#   conditional one, and reading either as the other mixes questions.
# - **Matched pairs are not independent patients.** A Cox model on the matched cohort that ignores
#   the pairing reports a standard error that need not match the estimates' real spread (in this
#   model it is {glue:text}`sim_base_psm_se_side` it); the appraisal chapter's pair-robust and
#   pair-stratified analyses exist for that reason.
# - **Mild confounding, mild bias.** With Table 1's differences, even the crude comparison is not
#   far off for PFS; with stronger confounding, only the adjusted methods stay near their targets.
# - **Small studies miss small effects.** A study of this size has little power for an OS effect
#   of the model's size; a non-significant OS difference is not evidence of no difference.
#
# Failed method runs across all scenarios: {glue:text}`sim_n_failed_rows` (each kept with its
# error in the replicate files).
#
# ## Run it yourself
#
# The experiment is run outside the book build, which reads its committed results in
# `results/simulation/`:
#
# - `make simulate`: the truth, the check against the paper, every scenario and the figures;
# - `.venv/bin/python -m helpers simulate --scenario base --replicates 1000 --workers 2 --out my_run`:
#   one scenario on a local cluster;
# - `.venv/bin/python -m helpers simulate --scenario base --replicates 1000 --scheduler tcp://host:8786 --out my_run`:
#   the same on an existing Dask cluster;
# - `.venv/bin/python -m helpers simulate-cohort --seed 1 --out one_draw.csv`: one seed, one cohort.
#
# Replicate *i* draws its cohort from the *i*-th child of a `numpy.random.SeedSequence` of the
# experiment's seed, so the results are the same, byte for byte, whatever the number of workers
# and whatever order they finish in. Finished replicates are written to disk as they arrive, so
# an interrupted run resumes where it stopped; a method that fails on a replicate is recorded
# with its error.
