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
# (appraisal)=
# # Appraisal: what a modern analysis of the same design says
#
# :::{admonition} What and why
# The earlier chapters rebuild the original study's analyses. This one asks whether those
# analyses answer the study's question: does adding an immune checkpoint inhibitor (ICI) to
# second-line therapy help patients with extensive-stage small-cell lung cancer? It writes down
# the randomised trial the study stands in for, asks which patients the matched estimate is
# about, and compares the paper's analysis with the methods a study of this design would use
# today. The patients are synthetic, so the chapter demonstrates the methods and how much the
# answer can depend on them; it says nothing about the treatment itself.
# :::

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
from myst_nb import glue

from helpers.manuscript import load_study
from helpers.report.appraisal import (
    appraisal_numbers,
    evalue_display,
    population_display,
    target_trial_display,
    weights_display,
)
from helpers.report.chapter import glue_all
from helpers.report.figures import appraisal_love_plot, appraisal_weight_distributions
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
# ## How strong would a missing confounder have to be?
#
# The *E-value* (VanderWeele and Ding, 2017, Annals of Internal Medicine) turns that worry
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
