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
# and open `.venv/bin/jupyter lab notebooks/appraisal.ipynb`, or choose `.venv/bin/python` as
# the kernel in an editor that runs notebooks. The book is built from the paired
# `notebooks/appraisal.py`; after editing either file, `.venv/bin/jupytext --sync
# notebooks/appraisal.py` brings the other into step.

# %% [markdown]
# (appraisal)=
# # Appraisal: what a modern analysis of the same design says
#
# :::{admonition} What and why
# The earlier chapters rebuild the original study's analyses. This one asks whether those
# analyses answer the study's question: does adding an immune checkpoint inhibitor (ICI) to
# second-line therapy help patients with extensive-stage small-cell lung cancer? It writes down
# the randomised trial the study stands in for, asks which patients the matched estimate is
# about, and compares the paper's analysis with the methods a study of this design would use
# today: the matched pairs analysed as pairs, weighting, a doubly robust estimator, and effects on
# an absolute scale (months gained, patients in a hundred) beside the hazard ratio. It ends with
# every estimate in one table and one figure. The patients are synthetic, so the chapter
# demonstrates the methods and how much the answer can depend on them; it says nothing about
# the treatment itself.
# :::

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
from myst_nb import glue

from helpers.manuscript import load_study
from helpers.report.appraisal import (
    appraisal_numbers,
    comparison_display,
    evalue_display,
    intervals_display,
    pairs_display,
    population_display,
    target_trial_display,
    weights_display,
)
from helpers.report.chapter import glue_all
from helpers.report.figures import (
    appraisal_curves,
    appraisal_forest,
    appraisal_love_plot,
    appraisal_weight_distributions,
)
from helpers.report.tables import styled

results = load_study().results
glue_all(appraisal_numbers(results), "appraisal_")

# %% [markdown]
# ## The trial this study emulates
#
# An observational comparison of treatments is easiest to judge against the randomised trial
# it tries to imitate, its *target trial* (Hernán and Robins, 2016, American Journal of
# Epidemiology). Each part of that trial's protocol (who is eligible, which strategies are
# compared, how patients are assigned, when follow-up starts, what is measured, and which
# effect is estimated) either has a counterpart in the study or marks an assumption the study
# has to make instead. {ref}`The protocol table <tbl-appraisal-target-trial>` sets the two side
# by side; the facts about the original study come from its Methods section.
#
# (code-tbl-appraisal-target-trial)=

# %% tags=["hide-input"]
glue("appraisal_tbl_target_trial", styled(target_trial_display(results)), display=False)

# %% [markdown]
# ```{glue:figure} appraisal_tbl_target_trial
# :name: tbl-appraisal-target-trial
#
# The target trial | The protocol of the randomised trial the study emulates, what the
# retrospective design did for each component, and where it departs.
# ({ref}`code <code-tbl-appraisal-target-trial>`)
# ```
#
# Two departures matter most. Time zero is well chosen: follow-up starts when second-line
# therapy starts, in both groups, so neither group is credited with survival that happened
# before its treatment began. Assignment is the weak point: nothing in the records says why a
# patient received an ICI, so every comparison rests on the assumption that the recorded
# characteristics capture everything that drove the choice and also affects survival. The
# last section of this chapter asks how strong a missing factor would have to be to overturn
# the result.
#
# ## Which patients does the matched estimate describe?
#
# A causal effect is always an effect *in some population*. Three are common:
#
# - the **average treatment effect (ATE)**: everyone eligible, had all of them received an
#   ICI against had none of them;
# - the **average treatment effect in the treated (ATT)**: the patients who did receive an
#   ICI, against what would have happened to them without it;
# - the **average treatment effect in the overlap (ATO)**: patients whose characteristics
#   made either choice plausible, weighted towards those for whom the decision was closest
#   (Li, Morgan and Zaslavsky, 2018, Journal of the American Statistical Association).
#
# One-to-one matching of each treated patient to a control estimates the ATT, provided every
# treated patient is matched. With a caliper of {glue:text}`appraisal_caliper`, however,
# {glue:text}`appraisal_n_unmatched` of the {glue:text}`appraisal_n_treated` treated patients
# found no control close enough and were dropped. The matched estimate then describes the
# {glue:text}`appraisal_n_matched` treated patients who *were* matched, sometimes called the
# ATM, a population defined by the algorithm rather than by a clinical question.
# {ref}`The table of dropped patients <tbl-appraisal-population>` shows who they were.
#
# (code-tbl-appraisal-population)=

# %% tags=["hide-input"]
glue("appraisal_tbl_population", styled(population_display(results)), display=False)

# %% [markdown]
# ```{glue:figure} appraisal_tbl_population
# :name: tbl-appraisal-population
#
# Who the matching dropped | Treated (2L-ICIs) patients kept by the matching against those
# left without a control: the share with each characteristic, the mean propensity score, and
# the standardised difference (unmatched minus matched).
# ({ref}`code <code-tbl-appraisal-population>`)
# ```
#
# The dropped patients are not a random few. Their mean propensity score is
# {glue:text}`appraisal_unmatched_ps` against {glue:text}`appraisal_matched_ps` for the
# matched ones: they are the patients most typical of ICI treatment, for whom few untreated
# patients look alike. {glue:text}`appraisal_unmatched_1l_ici_pct`% of them had received an
# ICI in first line, against {glue:text}`appraisal_matched_1l_ici_pct`% of the matched
# treated, and {glue:text}`appraisal_n_large_smd` characteristics differ by more than the
# usual {glue:text}`appraisal_smd_threshold` threshold (the largest: "{glue:text}`appraisal_largest_smd_covariate`",
# {glue:text}`appraisal_largest_smd`). If the treatment works differently in such patients,
# the matched estimate is not the effect in the treated, and it is not the effect in everyone
# either.
#
# ## The matched pairs, analysed as pairs
#
# Matching builds pairs on purpose: the two members of a pair were chosen because they look
# alike. The paper then analysed its {glue:text}`appraisal_n_matched` pairs with an ordinary
# Cox model, as if the matched patients were unrelated people. Two small changes respect the
# pairing, and neither needs new data.
#
# - **A robust variance clustered on the pairs.** The hazard ratio stays exactly the same; only
#   its standard error changes. The usual (model-based) standard error adds up every patient's
#   contribution as if it were independent of all others; the robust one first adds the
#   contributions of the two members of each pair and then treats the *pairs* as independent.
#   If the members of a pair tend to do alike, this changes the width of the interval.
# - **A Cox model stratified by pair.** Each pair gets its own baseline hazard, so the model
#   compares the two members of each pair with each other and nothing else. Within a pair, the
#   only comparison made while both members are still followed is *who has the event first*.
#   So the pair-stratified hazard ratio is, almost exactly, the number of pairs in which the
#   2L-ICIs member had the first event divided by the number in which the 2L-non-ICIs member did.
#
# {ref}`The pairs table <tbl-appraisal-pairs>` counts those pairs.
#
# (code-tbl-appraisal-pairs)=

# %% tags=["hide-input"]
glue("appraisal_tbl_pairs", styled(pairs_display(results)), display=False)

# %% [markdown]
# ```{glue:figure} appraisal_tbl_pairs
# :name: tbl-appraisal-pairs
#
# Who had the first event in each matched pair | For each endpoint, the matched pairs in which
# the 2L-ICIs member had the first event (the other member still followed), those in which the
# 2L-non-ICIs member did, ties, and pairs that say nothing about the comparison because the
# first thing that happened was a censoring. ({ref}`code <code-tbl-appraisal-pairs>`)
# ```
#
# For PFS, the 2L-ICIs member progressed first in {glue:text}`appraisal_pairs_pfs_treated_first`
# pairs and the 2L-non-ICIs member in {glue:text}`appraisal_pairs_pfs_control_first`; their
# ratio, {glue:text}`appraisal_pairs_pfs_ratio`, is close to the pair-stratified hazard ratio,
# {glue:text}`appraisal_est_pfs_psm_stratified_hrci`. The paper's analysis gives
# {glue:text}`appraisal_est_pfs_psm_hrci` with a standard error of log HR of
# {glue:text}`appraisal_est_pfs_psm_se`. Clustering on the pairs gives a standard error of
# {glue:text}`appraisal_est_pfs_psm_robust_se`, {glue:text}`appraisal_est_pfs_robust_vs_naive`
# the paper's ({glue:text}`appraisal_est_pfs_psm_robust_hrci`),
# {glue:text}`appraisal_est_pfs_pair_similarity`. The pair-stratified model's standard error is
# {glue:text}`appraisal_est_pfs_strat_se_ratio` times as large, because it throws away every
# comparison between patients of different pairs and keeps one comparison per pair. For OS the
# picture is the same: {glue:text}`appraisal_est_os_psm_hrci` as in the paper,
# {glue:text}`appraisal_est_os_psm_robust_hrci` with the pair-robust variance and
# {glue:text}`appraisal_est_os_psm_stratified_hrci` within pairs. The three answer slightly
# different questions: the first two describe the matched patients as a group, the third the
# difference between two similar patients of one pair.
#
# ## Weighting instead of matching
#
# Weighting keeps every patient and changes how much each one counts. With the propensity
# score $e$ (the estimated probability of receiving an ICI given the recorded
# characteristics), a treated patient gets weight $1/e$ and a control $1/(1-e)$ for the ATE;
# for the ATT, treated patients count once and a control counts $e/(1-e)$; overlap weights
# give a treated patient $1-e$ and a control $e$. ATE and ATT weights are *stabilised* (each
# arm's weights are multiplied by a constant so that they add up to about the arm's size,
# which keeps the weights near one without changing the comparison within an arm), and
# *truncated* at the {glue:text}`appraisal_trunc_low_pct`st
# and {glue:text}`appraisal_trunc_high_pct`th percentiles: weights beyond those limits are set
# to them. Truncation keeps every patient, so the population stays the one the weights
# describe, and it only limits how much a few patients can sway the result. The alternative,
# dropping patients with a score outside
# [{glue:text}`appraisal_ps_low`, {glue:text}`appraisal_ps_high`], would change the
# population; here {glue:text}`appraisal_n_outside_ps_bounds` patients lie outside those bounds,
# so it would change nothing. Overlap weights are bounded by one and need neither step.
#
# (code-fig-appraisal-weights)=

# %% tags=["hide-input"]
fig = appraisal_weight_distributions(results)
glue("appraisal_fig_weights", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} appraisal_fig_weights
# :name: fig-appraisal-weights
#
# Weight distributions | The weights of each weighting method, 2L-ICIs above the axis and
# 2L-non-ICIs mirrored below. ({ref}`code <code-fig-appraisal-weights>`)
# ```
#
# The weights are moderate on this cohort: before truncation the largest ATE weight is
# {glue:text}`appraisal_iptw_ate_max_before` and the largest ATT weight
# {glue:text}`appraisal_iptw_att_max_before`. Truncation moved
# {glue:text}`appraisal_iptw_ate_n_truncated` ATE weights and
# {glue:text}`appraisal_iptw_att_n_truncated` ATT weights. The price of weighting is
# precision: unequal weights make a sample behave like a smaller one. The *effective sample
# size*, $(\sum w)^2 / \sum w^2$, says how many equally weighted patients it is worth. Under
# ATE weights the {glue:text}`appraisal_n_treated` treated patients are worth
# {glue:text}`appraisal_iptw_ate_ess_treated`; under overlap weights
# {glue:text}`appraisal_overlap_ess_treated`. {ref}`The weights table <tbl-appraisal-weights>`
# gives every method and arm.
#
# (code-tbl-appraisal-weights)=

# %% tags=["hide-input"]
glue("appraisal_tbl_weights", styled(weights_display(results)), display=False)

# %% [markdown]
# ```{glue:figure} appraisal_tbl_weights
# :name: tbl-appraisal-weights
#
# Weights and effective sample sizes | For each sample and arm: patients, the range of the
# weights (after truncation) and the largest before it, their sum, the effective sample size
# and how many weights truncation moved. For matching, a matched patient has weight one and
# an unmatched one zero. ({ref}`code <code-tbl-appraisal-weights>`)
# ```
#
# Whether the adjustment worked is judged by balance: after weighting, the weighted share of
# patients with each characteristic should be similar in both arms.
# {ref}`The love plot <fig-appraisal-love>` shows the absolute standardised difference of
# every characteristic in each sample.
#
# (code-fig-appraisal-love)=

# %% tags=["hide-input"]
fig = appraisal_love_plot(results)
glue("appraisal_fig_love", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} appraisal_fig_love
# :name: fig-appraisal-love
#
# Balance under every method | Absolute standardised mean difference of each Table 1
# characteristic between the arms: all patients unadjusted, the matched pairs, and each
# weighting. The dashed line marks the usual threshold.
# ({ref}`code <code-fig-appraisal-love>`)
# ```
#
# Before adjustment the largest difference is {glue:text}`appraisal_unadjusted_max_smd`;
# after matching it is {glue:text}`appraisal_psm_max_smd`, after ATE weighting
# {glue:text}`appraisal_iptw_ate_max_smd`, after ATT weighting
# {glue:text}`appraisal_iptw_att_max_smd`. Overlap weights balance every characteristic of
# the propensity model exactly ({glue:text}`appraisal_overlap_max_smd`), a property of overlap
# weights with a logistic model that the test suite checks on random data. Balance on the
# recorded characteristics says nothing about the unrecorded ones.
#
# ## Weighted survival curves and hazard ratios
#
# Once the weights are set, the analysis is the familiar one with each patient counted by
# their weight: a weighted Kaplan–Meier curve per arm (a patient with weight two counts as
# two patients at risk and, if they progress, as two events) and a weighted Cox model. The
# curves of {ref}`the PFS figure <fig-appraisal-curves-pfs>` are those of the paper's two
# samples (all patients, the matched pairs) beside the three weighted samples and the weighted
# Cox model with covariates described below.
#
# (code-fig-appraisal-curves)=

# %% tags=["hide-input"]
for endpoint in ("pfs", "os"):
    fig = appraisal_curves(results, endpoint)
    glue(f"appraisal_fig_curves_{endpoint}", fig, display=False)
    plt.close(fig)

# %% [markdown]
# ```{glue:figure} appraisal_fig_curves_pfs
# :name: fig-appraisal-curves-pfs
#
# PFS under every adjustment | Kaplan–Meier curves of the two arms in all patients, in the
# matched pairs, and weighted by each kind of weights; the last panel shows the curves that the
# ATE-weighted Cox model with covariates predicts, averaged over all patients. ({ref}`code <code-fig-appraisal-curves>`)
# ```
#
# ```{glue:figure} appraisal_fig_curves_os
# :name: fig-appraisal-curves-os
#
# OS under every adjustment | As {ref}`the PFS figure <fig-appraisal-curves-pfs>`, for overall
# survival. ({ref}`code <code-fig-appraisal-curves>`)
# ```
#
# For PFS the weighted Cox models give
# hazard ratios of {glue:text}`appraisal_est_pfs_iptw_ate_hrci` (ATE weights),
# {glue:text}`appraisal_est_pfs_iptw_att_hrci` (ATT weights) and
# {glue:text}`appraisal_est_pfs_overlap_hrci` (overlap weights). Their intervals use a *robust*
# (sandwich) variance: weighting makes some patients count more than once, and the ordinary
# variance would treat that as extra information. The robust variance still takes the weights
# as known numbers, although they were estimated from the same patients; the section on
# intervals below returns to this.
#
# For OS the weighted hazard ratios are {glue:text}`appraisal_est_os_iptw_ate_hrci`,
# {glue:text}`appraisal_est_os_iptw_att_hrci` and {glue:text}`appraisal_est_os_overlap_hrci`,
# against {glue:text}`appraisal_est_os_psm_hrci` after matching. The matched estimate sits
# apart because it describes other patients: the matching left out
# {glue:text}`appraisal_n_unmatched` treated patients, while every weighting keeps them all.
#
# ## Adding the covariates to the model, and a doubly robust estimate
#
# Weighting relies on the propensity model being right; a multivariable Cox model relies on
# the outcome model being right. Two ways of using both are common.
#
# The first, often seen in applied papers, is the Cox model weighted by the ATE weights that
# also includes the Table 1 characteristics. It is sometimes called doubly robust, but for a
# hazard ratio it has no such guarantee, and its hazard ratio,
# {glue:text}`appraisal_est_pfs_iptw_adjusted_hrci` for PFS and
# {glue:text}`appraisal_est_os_iptw_adjusted_hrci` for OS, answers another question: it is
# *conditional*, comparing patients with the same characteristics, like the multivariable
# model's ({glue:text}`appraisal_est_pfs_multivariable_hrci` and
# {glue:text}`appraisal_est_os_multivariable_hrci`). A hazard ratio does not average like a
# difference (it is not *collapsible*), so a conditional hazard ratio lies further from one
# than the marginal hazard ratio of the same effect, even without any confounding. To get an
# effect for everyone from either model, its predictions have to be averaged: each patient's
# survival curve is predicted once as if treated and once as if not, and the two averages over
# all patients are compared (*regression standardisation*). The last panel of the figures
# above shows those averaged curves, and the absolute effects of both Cox models with
# covariates are computed this way.
#
# The second is a *doubly robust* estimator in the strict sense: augmented inverse probability
# weighting (AIPW). It estimates the effect on an absolute scale, for all patients (the ATE):
# how many more patients in a hundred would be free of the event at
# {glue:text}`appraisal_surv_times` months, and how many months free of the event would be
# gained within {glue:text}`appraisal_rmst_horizons` months, had every patient received an ICI
# rather than none. It works in three steps.
#
# 1. Each patient gets a *pseudo-observation* for each quantity: the arm's Kaplan–Meier
#    estimate plus that patient's influence on it (how much the estimate moves when the patient
#    counts a little more), scaled up to a whole patient. A patient followed past the time gets
#    a value around one for "event-free at that time", a patient with an earlier event a value
#    around zero (either can fall a little outside the range from zero to one), and a patient
#    censored earlier something in between. Averaged over an arm, the pseudo-observations give
#    back the arm's curve.
# 2. An *outcome model* predicts each patient's pseudo-observation from the Table 1
#    characteristics, separately in each arm (a linear regression), so every patient gets a
#    prediction under ICI and one without.
# 3. The predictions are averaged over all patients, and then corrected with the propensity
#    score: the differences between what was observed and what was predicted, in the arm the
#    patient was actually in, are added back with the usual inverse probability weights
#    ($1/e$ for treated, $1/(1-e)$ for controls).
#
# If the outcome model is right, the correction adds nothing on average; if the propensity
# model is right, the correction removes whatever the outcome model got wrong. So the estimate
# is unbiased (in large samples) when *either* model is right, and only when both are wrong can
# confounding by the recorded characteristics remain. The test suite checks this on simulated
# cohorts with a known effect: right with either model removed, wrong with both. Its own
# assumption is that censoring is unrelated to the characteristics within each arm. It gives
# no hazard ratio, by design. Its intervals come from each patient's contribution to the
# estimate (its influence function), taking the two models as known; the bootstrap below also
# refits them. For PFS it estimates a gain of
# {glue:text}`appraisal_est_pfs_doubly_robust_rmst_diff_12` months
# ({glue:text}`appraisal_est_pfs_doubly_robust_rmst_diff_12_ci`) within the first
# {glue:text}`appraisal_rmst_tau_first`, and {glue:text}`appraisal_est_pfs_doubly_robust_surv_diff_6`
# more patients in a hundred ({glue:text}`appraisal_est_pfs_doubly_robust_surv_diff_6_ci`)
# free of progression at {glue:text}`appraisal_surv_time_first` months; for OS,
# {glue:text}`appraisal_est_os_doubly_robust_rmst_diff_12` months
# ({glue:text}`appraisal_est_os_doubly_robust_rmst_diff_12_ci`) within the first
# {glue:text}`appraisal_rmst_tau_first` and {glue:text}`appraisal_est_os_doubly_robust_rmst_diff_24`
# months ({glue:text}`appraisal_est_os_doubly_robust_rmst_diff_24_ci`) within the first
# {glue:text}`appraisal_rmst_tau_last`.
#
# ## Absolute effects: months and patients instead of a ratio
#
# A hazard ratio says how much faster events happen in one group, relative to the other, and
# it assumes that this ratio stays the same over the whole follow-up. Two absolute measures
# avoid both problems:
#
# - the **difference in survival at a fixed time**: how many more patients in a hundred are
#   free of the event at, here, {glue:text}`appraisal_surv_times` months;
# - the **restricted mean survival time (RMST)** up to a horizon τ: the area under the survival
#   curve from zero to τ, which is the average number of months, out of the first τ, that a
#   patient lives free of the event. Its difference between the arms is the number of months
#   gained within τ, and their ratio compares them in relative terms. The horizons here are
#   {glue:text}`appraisal_rmst_horizons` months.
#
# Each method gives them from its own curves: the Kaplan–Meier curves of its sample (weighted
# for the weighting methods), the standardised curves of the two Cox models with covariates, or
# the AIPW estimator.
# For PFS after matching, the 2L-ICIs arm gains
# {glue:text}`appraisal_est_pfs_psm_rmst_diff_12` months
# ({glue:text}`appraisal_est_pfs_psm_rmst_diff_12_ci`) of the first
# {glue:text}`appraisal_rmst_tau_first`, and at {glue:text}`appraisal_surv_time_first` months
# {glue:text}`appraisal_est_pfs_psm_surv_diff_6` more patients in a hundred
# ({glue:text}`appraisal_est_pfs_psm_surv_diff_6_ci`) are free of progression. For OS the gain
# within the first {glue:text}`appraisal_rmst_tau_first` months is
# {glue:text}`appraisal_est_os_psm_rmst_diff_12` months
# ({glue:text}`appraisal_est_os_psm_rmst_diff_12_ci`) after matching and
# {glue:text}`appraisal_est_os_iptw_ate_rmst_diff_12` months
# ({glue:text}`appraisal_est_os_iptw_ate_rmst_diff_12_ci`) with ATE weights: small, and
# compatible with no gain at all.
#
# Do the hazards look proportional, so that a single hazard ratio is a fair summary? The exact
# score test of R's `cox.zph` (Grambsch and Therneau) asks whether the treatment's effect
# drifts with time. Its p-values for the paper's four treatment models (all patients and the
# matched pairs, PFS and OS) are all at least {glue:text}`appraisal_ph_paper_p_min`, and over
# those four and the treatment term of every method here, {glue:text}`appraisal_ph_n_below_alpha`
# of {glue:text}`appraisal_ph_n_tests` tests fall below {glue:text}`appraisal_alpha` (the
# smallest p-value is {glue:text}`appraisal_ph_all_p_min`). The data give no sign that the
# hazards are not proportional; with this many patients the test would catch only a marked
# drift, which is one more reason to report the absolute effects, which do not need the
# assumption.
#
# ## How the intervals are obtained, and what they leave out
#
# Every interval in this chapter is a {glue:text}`appraisal_level_pct`% interval, and they come
# from five recipes.
#
# - **Greenwood's formula**, arms independent: the crude comparison and the paper's matched
#   analysis, as the paper would have computed them.
# - **The infinitesimal jackknife clustered on the pairs** for the two pair-aware matched
#   analyses: each patient's *influence* on an estimate (how much the estimate would move if
#   that patient counted a little more) is added up within each pair before squaring, exactly
#   as the pair-robust Cox variance does. Without weights and without pairs, this recipe gives
#   Greenwood's answer exactly.
# - **The infinitesimal jackknife with the weights taken as fixed** for the three weighting
#   methods. It ignores that the weights were estimated.
# - **The influence function of the AIPW estimator** for the doubly robust estimate, with the
#   propensity and outcome models taken as known.
# - **A bootstrap** for the two Cox models with covariates, whose standardised absolute effects
#   have no simple formula here. The whole analysis is repeated on {glue:text}`appraisal_boot_replicates`
#   resampled cohorts drawn with a fixed seed ({glue:text}`appraisal_boot_seed`): patients are
#   drawn with replacement within each arm, and the propensity model and the weights are
#   refitted every time. For the matched analyses whole pairs are drawn instead, with the
#   matching kept fixed, so the bootstrap does not show how much the matching itself could
#   vary. In at most {glue:text}`appraisal_boot_failed_max` replicates of a method the
#   resampled follow-up of an arm ended before {glue:text}`appraisal_rmst_tau_last` months;
#   those replicates are left out of the quantities up to that horizon.
#
# The bootstrap is also run for every other method, to check the formulas.
# {ref}`The intervals table <tbl-appraisal-intervals>` sets the two side by side for the log
# hazard ratio and for the RMST difference up to {glue:text}`appraisal_rmst_tau_first` months.
#
# (code-tbl-appraisal-intervals)=

# %% tags=["hide-input"]
glue("appraisal_tbl_intervals", styled(intervals_display(results)), display=False)

# %% [markdown]
# ```{glue:figure} appraisal_tbl_intervals
# :name: tbl-appraisal-intervals
#
# Analytic intervals against the bootstrap | For each endpoint and method: the standard error
# of log HR that its interval uses and the bootstrap's, how the intervals of its absolute
# effects are obtained, and the {glue:text}`appraisal_level_pct`% interval of the RMST difference
# both ways.
# ({ref}`code <code-tbl-appraisal-intervals>`)
# ```
#
# Where the formulas are standard (the crude and matched comparisons), the bootstrap standard
# errors are close to them; its percentile limits carry more random error of their own. For the weighting methods it shows what taking
# the weights as fixed costs. For PFS with ATE weights the bootstrap standard error of log HR,
# {glue:text}`appraisal_est_pfs_iptw_ate_boot_se`, is
# {glue:text}`appraisal_est_pfs_iptw_ate_boot_vs_se` the robust one,
# {glue:text}`appraisal_est_pfs_iptw_ate_se`, and its interval for the RMST difference,
# {glue:text}`appraisal_est_pfs_iptw_ate_rmst_diff_12_boot_ci` months, is
# {glue:text}`appraisal_est_pfs_iptw_ate_rmst_diff_12_boot_width_vs` the fixed-weights one,
# {glue:text}`appraisal_est_pfs_iptw_ate_rmst_diff_12_ci`. Estimating the
# weights from the data tends to *help* precision, so ignoring it usually errs on the side of
# intervals that are too wide; that is the common finding for ATE weights, and it is not
# guaranteed for other weights or other data. The limits of the bootstrap itself: with
# {glue:text}`appraisal_boot_replicates` replicates its standard errors are good to about
# {glue:text}`appraisal_boot_se_precision_pct`% and its percentile limits carry some Monte Carlo error, and, like every interval
# here, it describes only chance, not the confounding that no recorded characteristic captures.
#
# ## Every estimate in one place
#
# {ref}`The comparison table <tbl-appraisal-comparison>` and
# {ref}`the forest plot <fig-appraisal-forest>` put every method side by side, each with the
# population it describes (its *estimand*): ATE (all patients), ATT (all treated patients),
# ATM (the treated patients the matching kept), ATO (the overlap population, where either
# treatment was plausible) or conditional (patients with the same recorded characteristics).
#
# (code-tbl-appraisal-comparison)=

# %% tags=["hide-input"]
glue("appraisal_tbl_comparison", styled(comparison_display(results, sep="\n"), line_breaks=True), display=False)

# %% [markdown]
# ```{glue:figure} appraisal_tbl_comparison
# :name: tbl-appraisal-comparison
#
# Every method, one table | For each endpoint and method: its estimand, the patients (and
# events) it uses, the hazard ratio of 2L-ICIs against 2L-non-ICIs with its
# {glue:text}`appraisal_level_pct`% interval (none for the doubly robust AIPW estimator), the
# p-value of the proportional-hazards test of the treatment term, the RMST difference in
# months up to each horizon and the difference in survival in percentage points at each time,
# 2L-ICIs minus 2L-non-ICIs. An interval marked with an asterisk is the bootstrap's (the method
# has no analytic interval for it). ({ref}`code <code-tbl-appraisal-comparison>`)
# ```
#
# (code-fig-appraisal-forest)=

# %% tags=["hide-input"]
fig = appraisal_forest(results)
glue("appraisal_fig_forest", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} appraisal_fig_forest
# :name: fig-appraisal-forest
#
# Every method, one figure | Hazard ratio (left, log scale) and RMST difference up to the first
# horizon (right, months) of 2L-ICIs against 2L-non-ICIs, with
# {glue:text}`appraisal_level_pct`% intervals, for PFS and OS;
# each row names the method and its estimand. The doubly robust (AIPW) estimator gives no hazard
# ratio, so its row in the left panel says so. ({ref}`code <code-fig-appraisal-forest>`)
# ```
#
# For PFS {glue:text}`appraisal_est_pfs_verdict`: the hazard ratios run from
# {glue:text}`appraisal_est_pfs_hr_min` to {glue:text}`appraisal_est_pfs_hr_max`, and
# {glue:text}`appraisal_est_pfs_n_excluding_1` of the {glue:text}`appraisal_est_pfs_n_methods`
# intervals exclude one (the doubly robust estimator gives no hazard ratio; its absolute
# effects are in the right panel). For OS {glue:text}`appraisal_est_os_verdict`: the hazard
# ratios run from {glue:text}`appraisal_est_os_hr_min` to {glue:text}`appraisal_est_os_hr_max`;
# the interval excludes one for {glue:text}`appraisal_est_os_methods_excluding_1`, and it does
# not for {glue:text}`appraisal_est_os_methods_including_1`. Where the methods disagree on the
# side of one while their estimates lie close together, what moves is only where an interval
# falls relative to an arbitrary line: a reader who saw one row would be told "no difference",
# one who saw another "a significant benefit". Reporting the
# estimand, the interval and an absolute effect, rather than a p-value, is what keeps that
# choice visible. And since the data are synthetic, none of this says anything about the
# treatment: the point is how much the method can move the answer on the same patients.
#
# ## How strong would a missing confounder have to be?
#
# The *E-value* of {cite:t}`vanderweele2017evalue` turns that worry
# into a number. It is the smallest strength of association, on the risk-ratio scale, that an
# unmeasured factor would need with *both* the choice of an ICI and the outcome, beyond the
# recorded characteristics, to move the estimate to no effect. A second E-value does the same
# for the confidence limit nearest one: how strong a confounder would have to be for the
# interval to include no effect.
#
# The E-value is defined for risk ratios. A hazard ratio can stand in for one only when the
# outcome is rare (fewer than {glue:text}`appraisal_rare_threshold_pct`% of patients with the
# event by the end of follow-up). Here {glue:text}`appraisal_pfs_event_pct`% of patients
# progressed or died and {glue:text}`appraisal_os_event_pct`% died, so the outcome is common,
# and each hazard ratio is first converted by the approximation
# $\mathrm{RR} \approx (1 - 0.5^{\sqrt{\mathrm{HR}}}) / (1 - 0.5^{\sqrt{1/\mathrm{HR}}})$,
# which pulls it towards one. For a ratio below one the formula is applied to its inverse:
# $E = \mathrm{RR} + \sqrt{\mathrm{RR}(\mathrm{RR} - 1)}$ with $\mathrm{RR} > 1$.
#
# (code-tbl-appraisal-evalues)=

# %% tags=["hide-input"]
glue("appraisal_tbl_evalues", styled(evalue_display(results)), display=False)

# %% [markdown]
# ```{glue:figure} appraisal_tbl_evalues
# :name: tbl-appraisal-evalues
#
# E-values | The hazard ratio of 2L-ICIs against 2L-non-ICIs, its conversion to an
# approximate risk ratio for a common outcome, and the E-values of the estimate and of the
# confidence limit nearest one. ({ref}`code <code-tbl-appraisal-evalues>`)
# ```
#
# For PFS after matching, HR {glue:text}`appraisal_ev_pfs_psm_hr` corresponds to a risk ratio
# of about {glue:text}`appraisal_ev_pfs_psm_rr`, and its E-value is
# {glue:text}`appraisal_ev_pfs_psm_est`: an unrecorded factor, say a biomarker or the treating
# physician's preference, that made a patient {glue:text}`appraisal_ev_pfs_psm_est` times more
# likely to receive an ICI *and* {glue:text}`appraisal_ev_pfs_psm_est` times more likely to
# stay free of progression could explain the whole difference; a weaker one could not. For the
# interval to reach no effect, {glue:text}`appraisal_ev_pfs_psm_ci` would be enough. Factors of
# that size are not far-fetched in oncology, where performance status, tumour burden and access
# to newer drugs all shape both the choice and the prognosis. For OS after matching, HR
# {glue:text}`appraisal_ev_os_psm_hr`, the interval already {glue:text}`appraisal_ev_os_psm_includes_1`,
# so its E-value is {glue:text}`appraisal_ev_os_psm_ci`: no confounding is needed to make it
# compatible with no effect, and the estimate's own E-value,
# {glue:text}`appraisal_ev_os_psm_est`, says how little would erase it.
