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
# `.venv/bin/jupyter lab notebooks/methods.ipynb`.

# %% [markdown]
# (methods)=
# # Methods
#
# This chapter describes, in words, what the original study measured and how this book
# analyses it. Where the paper does not say how something was done, the chapter states the
# choice made here and why; the {ref}`methods primer <primer>` then shows the main techniques
# at work on a toy example.

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
from myst_nb import glue

from helpers.manuscript import load_study
from helpers.paper import choices, consistency, sensitivity
from helpers.paper.published import published
from helpers.report import comparisons
from helpers.report.chapter import glue_all
from helpers.report.figures import follow_up_distribution
from helpers.report.tables import contingency_agreement_display, p_phrase, styled
from helpers.stats.contingency import EXPECTED_CUTOFF
from helpers.stats.matching import SMD_THRESHOLD
from helpers.study import cohort as C
from helpers.study.design import ALPHA, COX_ENTRY_P, ENDPOINTS, PSM_SETTINGS, REPORTED_LANDMARKS
from helpers.study.models import subgroup_summary

study = load_study()
results = study.results

# %% [markdown]
# ## Design of the original study

# %% tags=["remove-cell"]
glue_all(
    {
        "n_centers": published("meta.n_centers"),
        "window_start": C.STUDY_START.strftime("%B %Y"),
        "window_end": C.STUDY_END.strftime("%B %Y"),
        "cutoff": C.DATA_CUTOFF.strftime("%d %B %Y").lstrip("0"),
        "min_age": published("cohort.eligibility_numbers.min_age_years"),
        "steroid": published("cohort.eligibility_numbers.max_baseline_corticosteroid_mg_per_day_prednisone_equivalent"),
    },
    "methods_",
)

# %% [markdown]
# The original study is a retrospective cohort from {glue:text}`methods_n_centers` hospitals.
# It took in adults (age {glue:text}`methods_min_age` or more) with extensive-stage small-cell
# lung cancer, confirmed by pathology or cytology, whose disease had progressed after 1L
# treatment and who started 2L treatment between {glue:text}`methods_window_start` and
# {glue:text}`methods_window_end`. Patients needed adequate organ and marrow function, no more
# than {glue:text}`methods_steroid` mg of prednisone (or equivalent) a day, and complete
# records. Mixed histology, another active cancer, active autoimmune disease, immune
# deficiency, hepatitis B or C, active tuberculosis and symptomatic brain metastases excluded a
# patient. The exposure is simple: a patient belongs to the 2L-ICIs group if an immune
# checkpoint inhibitor was part of the 2L regimen, and to the 2L-non-ICIs group otherwise.
# Follow-up ended on {glue:text}`methods_cutoff`.
#
# ## Endpoints

# %% tags=["remove-cell"]
assessment = published("methods.tumor_assessment")
glue_all(
    {
        "recist": published("methods.response_criteria"),
        "ctcae": published("methods.adverse_event_grading"),
        "assess_cycles": assessment["every_n_cycles"],
        "assess_weeks": f"{assessment['interval_weeks_min']}–{assessment['interval_weeks_max']}",
        "follow_up_published": published("cohort.median_follow_up_months"),
    },
    "methods_",
)

# %% [markdown]
# Time zero for every time-to-event endpoint is the first day of 2L treatment.
#
# - **Progression-free survival (PFS)**, the primary endpoint, runs to radiological
#   progression or death from any cause, whichever comes first. A patient alive without
#   progression at the last contact is *censored* there: we know only that their PFS is longer
#   than the time observed. (The paper does not spell out this censoring rule; it is the usual
#   one.)
# - **Overall survival (OS)** runs to death from any cause; patients alive at the data cut-off
#   or at their last contact are censored.
# - **Best overall response** is read from imaging (CT of chest and upper abdomen, MRI of the
#   brain) at baseline and then every {glue:text}`methods_assess_cycles` cycles
#   ({glue:text}`methods_assess_weeks` weeks), classified by {glue:text}`methods_recist` as
#   complete response (CR), partial response (PR), stable disease (SD) or progressive disease
#   (PD). The **objective response rate (ORR)** is the share of patients with CR or PR; the
#   **disease control rate (DCR)** adds SD.
# - **Treatment-related adverse events** are graded by {glue:text}`methods_ctcae`. For each
#   kind of event the cohort stores the worst grade a patient had, so a patient counts once per
#   row of the safety table.
# - **Follow-up** is defined in the paper as the time from 2L start to death or the last
#   follow-up date. The paper reports a median follow-up of
#   {glue:text}`methods_follow_up_published` months without saying how it was estimated; see
#   {ref}`reverse Kaplan–Meier <methods-follow-up>` below.
#
# ## Comparing proportions between groups
#
# Tables 1 to 3 compare counts between the two groups. The paper says only that a chi-square
# or a Fisher exact test was used. We found the rule by recomputing every p-value the paper
# prints from the counts it prints, with each candidate test, and seeing which one gives the
# printed value to three decimals. `helpers.paper.sensitivity.printed_tables` rebuilds the
# two-by-two table behind every printed p-value of Tables 1 to 3 from the project's copy of
# the published counts, and `contingency_conventions` tests each table four ways: Pearson's
# chi-square without continuity correction, the chi-square with Yates's correction, Fisher's
# exact test, and the rule "Pearson unless an expected count is below the cut-off, then
# Fisher" (`method="auto"`). A recomputed p-value agrees when it rounds to the printed one, or
# is below the printed floor of `<0.001`.

# %% tags=["hide-input"]
agreement = sensitivity.contingency_agreement()
glue("methods_tbl_agreement", styled(contingency_agreement_display(agreement)), display=False)

# %% tags=["remove-cell"]
glue_all({"expected_cutoff": f"{EXPECTED_CUTOFF:g}"}, "methods_")
glue_all(
    {m: int(agreement.loc["All tables", m]) for m in ("printed", "auto", "pearson", "yates", "fisher")}, "methods_n_"
)

# %% [markdown]
# ```{glue:figure} methods_tbl_agreement
# :name: tbl-methods-p-agreement
#
# How many of the p-values printed in Tables 1–3 of the original study each test reproduces
# from the printed counts (to three decimals), beside the number of printed p-values.
# ```
#
# Only the combined rule reproduces all {glue:text}`methods_n_printed` printed p-values
# ({glue:text}`methods_n_auto` agree). Pearson's chi-square on its own gets
# {glue:text}`methods_n_pearson`, failing only on the rare adverse events where one group has
# no case; Fisher's test gets {glue:text}`methods_n_fisher` and the Yates-corrected chi-square
# {glue:text}`methods_n_yates`. So this book uses **Pearson's chi-square without continuity
# correction, replaced by the two-sided Fisher exact test when any expected count is below
# {glue:text}`methods_expected_cutoff`** (a common rule of thumb; for a two-by-two table
# SPSS prints both tests in the same output). The after-matching p-values of Tables 1 and 2
# are among those reproduced, so the paper tested the matched groups as independent samples;
# a paired test would respect the matching, but it is not what was published.
#
# ## Kaplan–Meier estimation
#
# Survival times are incomplete: at the cut-off many patients are still alive (or free of
# progression), and some left follow-up early. Dropping them would bias the estimate
# downwards; counting their last contact as an event would too. The Kaplan–Meier method uses
# each patient for as long as they were observed. At each time $t_j$ where $d_j$ events occur
# among the $n_j$ patients still *at risk* (observed up to at least $t_j$), the chance of getting
# past $t_j$ is estimated as $1 - d_j/n_j$, and the survival curve is the running product
#
# $$\hat S(t) = \prod_{t_j \le t} \left(1 - \frac{d_j}{n_j}\right).$$
#
# A censored patient leaves the risk set without an event, so they lower every later $n_j$
# but never cause a drop. A patient censored at the same time as an event is counted as still
# at risk at that time. The standard error comes from Greenwood's formula,
# $\widehat{\mathrm{Var}}\,\hat S(t) = \hat S(t)^2 \sum_{t_j \le t} d_j / \{n_j (n_j - d_j)\}$
# (Collett, *Modelling Survival Data in Medical Research*).

# %% tags=["remove-cell"]
gaps = consistency.median_ci_gaps()  # |midpoint of each printed CI - its median|
glue_all(
    {"ci_level": f"{100 * (1 - ALPHA):.0f}%", "n_median_ci": len(gaps), "max_asymmetry": f"{max(gaps):.3f}"},
    "methods_",
)

# %% [markdown]
# ### The median and its two confidence intervals
#
# The median survival time is the first time at which the curve reaches one half,
# $\hat S(t) \le 0.5$. Its {glue:text}`methods_ci_level` confidence interval can be built in two
# accepted ways, and they differ noticeably in small or sparse groups.
#
# - **Symmetric (SE-based).** The standard error of the median is approximated by the
#   Greenwood standard error of $\hat S$ at the median divided by the local slope of the curve,
#   estimated from the event times around it; the interval is the median plus or minus $z$
#   standard errors (Collett). This is the interval SPSS prints. It can reach below zero or
#   beyond the follow-up, and it is the style of the original study: across its
#   {glue:text}`methods_n_median_ci` printed median intervals the midpoint of each interval lies
#   at most {glue:text}`methods_max_asymmetry` months from its median, that is, within rounding.
# - **Log-log (Brookmeyer and Crowley).** The interval is the set of times whose pointwise
#   confidence interval for $S(t)$, computed on the $\log(-\log S)$ scale, contains one half. It
#   is never symmetric, always stays within the observed times, and may have no upper limit
#   when the curve does not fall far enough. It is what R's `survfit` gives with
#   `conf.type = "log-log"`.
#
# The book prints the symmetric interval, to compare like with like, and keeps the log-log
# interval beside it in the results tables (`helpers.stats.survival.median_survival` computes both).

# %% tags=["remove-cell"]
glue_all({f"{e}_landmarks": " and ".join(f"{t:g}" for t in REPORTED_LANDMARKS[e]) for e in ENDPOINTS}, "methods_")

# %% [markdown]
# ### Landmark rates
#
# A landmark rate is the curve read at a fixed time: here PFS at
# {glue:text}`methods_pfs_landmarks` months and OS at {glue:text}`methods_os_landmarks` months,
# as the paper reports them. The confidence interval is $\hat S(t) \pm z\,\mathrm{SE}$ with the
# Greenwood standard error, clipped to the range from zero to one (the log-log version is also
# available in `helpers.stats.survival.survival_at_times`).
#
# (methods-follow-up)=
# ### Median follow-up: the reverse Kaplan–Meier method
#
# The median of the observed times is a poor summary of follow-up: patients who die early
# pull it down even though the study could have followed them for much longer. The reverse
# Kaplan–Meier method (Schemper & Smith, 1996) swaps the roles of event and censoring, so that
# death *censors* follow-up and being alive at the last contact is the "event". Its median
# estimates how long patients would have been followed had they not died. The paper's
# {glue:text}`methods_follow_up_published` months fits this method and not the plain median
# of the observed times (see {ref}`the data chapter <data>`), so the book uses it.
# {ref}`The follow-up figure <figure-follow-up>` shows why the two differ so much in this cohort.
#
# (code-figure-follow-up)=

# %% tags=["hide-input"]
fig = follow_up_distribution(results)
glue("methods_figure_follow_up", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} methods_figure_follow_up
# :name: figure-follow-up
#
# Follow-up in the synthetic cohort | Each patient's observed time from the start of 2L
# treatment to death (grey) or to the last contact alive (blue), one-month bins, drawn with
# seaborn's `histplot`. The dashed line is the median of all observed times, the dotted line the
# reverse Kaplan–Meier median follow-up. ({ref}`code <code-figure-follow-up>`)
# ```
#
# Most observed times end in an early death, so their median is short. The patients still alive
# were followed much longer, and the reverse Kaplan–Meier median, which counts only them as
# "events", describes that follow-up.
#
# ## Comparing survival between groups
#
# ### The log-rank test
#
# The log-rank test asks whether two groups share one survival curve. At each event time it
# compares the number of events observed in a group with the number expected if the event
# had struck the patients at risk at random, whatever their group. Summing observed minus
# expected over all event times, and dividing its square by the summed hypergeometric
# variance, gives a chi-square statistic with one degree of freedom for two groups. The test
# weighs all event times equally and is most powerful when one group's hazard is a constant
# multiple of the other's. The p-values printed beside the Kaplan–Meier curves in this book,
# as in the paper, are log-rank p-values.
#
# ### The Cox model and hazard ratios
#
# The hazard ratio (HR) comes from a Cox proportional-hazards model, which assumes that the
# hazard of a patient with covariates $x$ is a common, unspecified baseline hazard multiplied by
# $e^{\beta x}$. The coefficients are estimated by maximising the *partial likelihood*: at each
# event time, the probability that the event happened to the patient it did happen to, rather
# than to someone else at risk. The HR is $e^{\beta}$, its interval $e^{\beta \pm z\,\mathrm{SE}}$
# and its p-value the Wald test.

# %% tags=["remove-cell"]
ties = sensitivity.tie_methods(results.cohort).set_index(["endpoint", "model"]).loc[("pfs", "treatment (all patients)")]
glue_all(
    {
        "ties_default": choices.ties_default(),
        "software": choices.software(),
        "n_pfs_events": int(ties["events"]),
        "n_pfs_times": int(ties["distinct_event_times"]),
        "n_pfs_tied": int(ties["tied_event_times"]),
        "hr_breslow": f"{ties['hr_breslow']:.3f}",
        "hr_efron": f"{ties['hr_efron']:.3f}",
    },
    "methods_",
)

# %% [markdown]
# When several events share a time, the partial likelihood needs a convention about the order
# in which they happened. **Breslow's** approximation treats every tied event as facing the
# full risk set; **Efron's** removes the tied patients from the risk set gradually and is
# closer to the exact answer. SPSS uses Breslow and R's `coxph` Efron. The original study ran
# {glue:text}`methods_software`, so the book's default is {glue:text}`methods_ties_default`
# (`ties="breslow"` in `helpers.stats.cox.fit_cox`). Ties are common in the synthetic cohort,
# whose times are whole days: its {glue:text}`methods_n_pfs_events` PFS events fall on only
# {glue:text}`methods_n_pfs_times` distinct times, and {glue:text}`methods_n_pfs_tied` of them
# share their time with another event. The difference is small all the same, because each tie
# holds a few patients among hundreds at risk: the treatment HR of PFS is
# {glue:text}`methods_hr_breslow` with Breslow's method and {glue:text}`methods_hr_efron` with
# Efron's ({ref}`the fidelity chapter <table-ties>` shows the other models).
#
# ### Checking proportional hazards
#
# A single HR summarises the comparison only if the ratio of hazards is roughly constant over
# follow-up. The book checks this with the scaled Schoenfeld residual test of Grambsch &
# Therneau (1994), for every model of Tables 4 and 5 (the `ph_tests` table of the results). A Schoenfeld residual compares, at each event
# time, the covariate of the patient who had the event with its average over the risk set,
# weighted by risk. If the HR drifts with time, the scaled residuals drift too, and the test
# correlates them with a function of time (here one minus the Kaplan–Meier estimate, which is
# robust to a few long times). A small p-value warns that the HR changes over follow-up. The
# original study does not report such a check.

# %% tags=["remove-cell"]
glue_all({f"ph_{e}": p_phrase(results.treatment_ph_p("before_psm", e)) for e in ENDPOINTS}, "methods_")

# %% [markdown]
# On the main comparisons before matching, a Cox model with the treatment group as its only
# covariate, the test gives {glue:text}`methods_ph_pfs` for PFS and {glue:text}`methods_ph_os`
# for OS (the {ref}`efficacy chapter <efficacy>` reports all four panels of Figure 1). The
# generator builds its survival times from a proportional-hazards model, so this says more
# about the generator than about the real patients.
#
# ## Prognostic factors within the 2L-ICIs group

# %% tags=["remove-cell"]
glue_all(
    {
        "cox_entry": COX_ENTRY_P,
        "n_characteristics": len(C.TABLE1_VARIABLES),
        "n_ici": int(results.cox("pfs")["n"].iloc[0]),
    },
    "methods_",
)

# %% [markdown]
# Tables 4 and 5 of the original study look for factors associated with PFS and OS among the
# patients who received an ICI. The book fits them, as the paper's numbers imply, on the
# {glue:text}`methods_n_ici` patients of the 2L-ICIs group before matching. Each of the
# {glue:text}`methods_n_characteristics` Table 1 characteristics enters a univariate Cox model
# as a yes/no variable, the first level printed in Table 1 compared with the second (male with
# female, ≥65 with <65, and so on). Every characteristic with a univariate p-value below
# {glue:text}`methods_cox_entry` then enters one multivariable model together.
#
# This screening rule is common and easy to explain, but it has known weaknesses.
#
# - It selects variables by their *unadjusted* association. A factor can look unimportant on
#   its own and matter once another is allowed for (or the reverse), so confounding among the
#   candidates decides what is kept.
# - The multivariable p-values and intervals ignore the selection step. Variables that passed a
#   screen on the same data look stronger than they are, and the model is tuned to this
#   sample.
# - The threshold is arbitrary; a slightly different one can change the final model.
#
# A model specified in advance from clinical knowledge avoids these problems. The book
# reproduces the screen because that is what the paper did; it is an exercise in reproduction,
# not a recommendation. Note also that a model fitted only to ICI-treated patients can find
# *prognostic* factors (who does well on an ICI) but not *predictive* ones (who benefits more
# from an ICI than from the alternative); that needs both groups and an interaction.
#
# ## Subgroup analyses

# %% tags=["remove-cell"]
summaries = [subgroup_summary(results.subgroups(e)) for e in ENDPOINTS]
glue_all(
    {
        "n_subgroup_tests": sum(s["n_subgroups"] for s in summaries),
        "alpha": ALPHA,
        "expected_false": f"{sum(s['expected_by_chance'] for s in summaries):.1f}",
    },
    "methods_",
)

# %% [markdown]
# Figure 2 of the original study shows the treatment HR (2L-ICIs against 2L-non-ICIs) within
# each level of each Table 1 characteristic, from an unstratified Cox model fitted to the
# patients of that level alone. The book adds what the paper does not show: for each
# characteristic, the **interaction test**, the Wald test of the product term in a model with
# treatment, the characteristic and their product on all patients. It asks the question a
# subgroup claim really makes: does the treatment effect *differ* between the levels?
#
# Reading significance in individual subgroups misleads in two ways. First, there are many
# tests: two levels of {glue:text}`methods_n_characteristics` characteristics for two
# endpoints is {glue:text}`methods_n_subgroup_tests` HRs, and at a significance level of
# {glue:text}`methods_alpha` about {glue:text}`methods_expected_false` of them would be
# "significant" by chance alone even if the treatment did nothing anywhere. Second, each
# subgroup is smaller than the whole, so its test has less power: when the overall effect is
# modest, some subgroups will be significant and others not, purely by their size. An effect
# that is significant in one level and not in the other is not evidence that the levels differ;
# only the interaction test addresses that, and it too has little power.
#
# ## Propensity score matching

# %% tags=["remove-cell"]
glue_all(
    {
        "psm_ratio": published("cohort.psm.ratio"),
        "caliper": PSM_SETTINGS["caliper"],
        "caliper_scale": PSM_SETTINGS["caliper_scale"],
        "order": PSM_SETTINGS["order"],
        "smd_threshold": SMD_THRESHOLD,
    },
    "methods_",
)

# %% [markdown]
# The groups were not formed at random: in the original study, patients who had received an
# ICI in 1L were much more often given one in 2L. Matching tries to compare like with like. The
# paper states only that matching was {glue:text}`methods_psm_ratio` with a caliper of
# {glue:text}`methods_caliper`; the rest is this book's reading, and every after-matching result
# depends on it.
#
# - **The propensity score** is each patient's probability of being in the 2L-ICIs group given
#   their baseline characteristics, estimated by a logistic regression of the group on the
#   {glue:text}`methods_n_characteristics` yes/no characteristics of Table 1
#   (`helpers.stats.matching.fit_propensity`).
# - **Greedy nearest-neighbour matching without replacement.** The 2L-ICIs patients are taken
#   one at a time, from the largest score down (the `order` setting is
#   {glue:text}`methods_order`); each is
#   paired with the not-yet-used 2L-non-ICIs patient whose score is closest, and that patient
#   cannot be used again. The result depends on the order, and it is not the best possible
#   matching overall; the {ref}`primer <primer>` shows both effects on a toy example.
# - **The caliper** is a maximum allowed distance within a pair. It is applied here to the
#   scores themselves, on the {glue:text}`methods_caliper_scale` scale: a pair is formed only
#   if the two probabilities differ by at most {glue:text}`methods_caliper`. A treated patient
#   with no control that close stays unmatched. (Calipers are often set instead in standard
#   deviations of the logit of the score; `helpers.stats.matching.match_nearest` offers both.)
# - **Balance** is judged by the standardised mean difference (SMD) of each characteristic:
#   the difference in proportions divided by the pooled standard deviation,
#   $(p_1 - p_0) / \sqrt{\{p_1(1-p_1) + p_0(1-p_0)\}/2}$. An absolute SMD below
#   {glue:text}`methods_smd_threshold` is the usual criterion for adequate balance. Unlike a
#   p-value, the SMD does not change with the sample size, so it measures balance better
#   than the paper's comparison of p-values before and after matching: a p-value after
#   matching is larger partly because fewer patients remain.
#
# After matching, the survival curves, log-rank tests, Cox models and response comparisons are
# repeated on the matched patients, treated as independent groups. The paper's after-matching
# p-values in Tables 1 and 2 are those of unpaired tests (they are among the values reproduced
# above); it does not say whether its matched survival analyses allowed for the pairing.
#
# ## Significance and software

# %% tags=["remove-cell"]
glue_all({"software_full": published("meta.software")}, "methods_")

# %% [markdown]
# All tests are two-sided at the {glue:text}`methods_alpha` level, and intervals are
# {glue:text}`methods_ci_level` intervals, as in the paper. The original study used
# {glue:text}`methods_software_full`; this book uses Python (package `helpers`, with versions
# in the {ref}`software appendix <software>`). Its Kaplan–Meier, log-rank, Cox and matching
# code is checked in the test suite against R's `survival` and `MatchIt` packages.
#
# ## Summary of the choices

# %% tags=["remove-cell"]
glue_all({"n_choices": len(choices.analysis_choices()), "n_unstated": len(choices.unstated())}, "methods_")

# %% [markdown]
# {ref}`The summary table <tbl-methods-choices>` lists the {glue:text}`methods_n_choices`
# decisions a reproduction has to take. The original study states
# {glue:text}`methods_n_unstated` of them not at all, so for those the book's choice is its own
# reading, justified in the sections above.
#
# (code-tbl-methods-choices)=

# %% tags=["hide-input"]
glue("methods_tbl_choices", styled(comparisons.analysis_choices()), display=False)

# %% [markdown]
# ```{glue:figure} methods_tbl_choices
# :name: tbl-methods-choices
#
# Analysis choices: what the original study states, what this book does, and whether the
# paper states the decision at all. The book's column is read from `helpers.study.design` and
# the statistics modules, the settings every analysis uses (`helpers.paper.choices`).
# ({ref}`code <code-tbl-methods-choices>`)
# ```
