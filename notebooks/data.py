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
# (data)=
# # Data
#
# :::{warning}
# The cohort in this chapter, and in the whole book, is **synthetic**. No row describes a real
# patient. It was generated to reproduce the summary numbers printed by the original study, so
# that every analysis can be run end to end; it carries no information about the treatments
# beyond what the original study published.
# :::
#
# This chapter describes the cohort file every other chapter reads: its columns (the data
# contract), how the synthetic patients were made, and how closely they match the published
# numbers they were calibrated to.

# %% tags=["remove-cell"]
import pandas as pd
from myst_nb import glue

from helpers.paper.published import published
from helpers.paths import COHORT_CSV
from helpers.study import cohort as C
from helpers.synthetic.calibration import DROPPED_TARGETS, check_targets
from helpers.synthetic.generator import GeneratorParams

cohort = C.load_cohort(COHORT_CSV)
params = GeneratorParams.from_json()
report = check_targets(cohort)

glue("n_patients", len(cohort), display=False)
glue("n_ici", int((cohort["group"] == C.GROUP_ICI).sum()), display=False)
glue("n_non_ici", int((cohort["group"] == C.GROUP_NON_ICI).sum()), display=False)
glue("n_columns", len(C.COLUMNS), display=False)

# %% [markdown]
# ## The data contract
#
# The file `data/synthetic/cohort.csv` holds one row per patient ({glue:text}`n_patients`
# rows: {glue:text}`n_ici` in the 2L-ICIs group and {glue:text}`n_non_ici` in the 2L-non-ICIs
# group) and exactly {glue:text}`n_columns` columns. A real cohort in the same layout can be
# analysed by the same code. {ref}`The data dictionary <tbl-data-dictionary>` lists the columns.

# %% tags=["remove-input"]
dictionary = C.data_dictionary()
glue("tbl_dictionary", dictionary.style.hide(axis="index"), display=False)

# %% [markdown]
# ```{glue:figure} tbl_dictionary
# :name: tbl-data-dictionary
#
# The data dictionary: every column of the cohort file, its type, allowed values and meaning.
# ```
#
# `helpers.study.cohort.load_cohort` reads the file without changing it and checks it against this
# contract before any analysis runs. A broken rule stops the analysis with a message naming
# the file, the column, the rows and the rule: a missing or extra column, a value of the wrong
# type, an unknown category, a time that is not positive, a PFS longer than OS, an event flag
# other than 0/1, a repeated patient id, a start date outside the accrual window, or an ICI
# agent recorded for a patient who received no ICI.
#
# ### Categories are derived, not stored
#
# The characteristics of Table 1 are cut-offs of raw columns: age ≥65 years, ECOG
# performance status ≥2, ≥3 metastatic sites, and a first-line PFS ≥6 months. `helpers.study.cohort.derive_categories` computes them at analysis time, so a
# change of cut-off never requires a new data file.
#
# ## How the synthetic cohort is made
#
# The generator (`helpers.synthetic.generator`) works in five steps, each chosen so that a published
# number is met by construction rather than by luck.
#
# 1. **Baseline characteristics with exact counts.** Within each group every patient receives
#    eleven correlated latent scores, one per Table 1 characteristic, drawn from a two-factor
#    normal model: a "disease burden" factor shared by the metastasis sites and ECOG, and a
#    second factor shared by first-line ICI, sex and smoking. For each characteristic the
#    patients with the highest scores receive the "yes" level, as many as the original study
#    counted. The counts are therefore exact and the characteristics are realistically
#    correlated.
# 2. **Who progresses and dies first.** Each patient's risk is ordered by a proportional-hazards
#    model: a linear risk score from the characteristics plus a random error, separately for
#    PFS and OS, with errors correlated between the two. The errors are spread evenly within
#    liver-metastasis and first-line-PFS strata and made uncorrelated with the characteristics
#    in the sample, which keeps chance from moving the hazard ratios.
# 3. **How long.** The ordered patients receive the quantiles of a survival curve drawn through
#    the published medians and landmark rates, so each group's Kaplan–Meier curve passes
#    through the published points. PFS times are handed out under the constraint that no
#    patient's PFS exceeds their OS.
# 4. **When follow-up ends.** Start dates follow an accrual rate that grows over the
#    study window; follow-up stops at the data cut-off, and anyone alive then is censored.
# 5. **Response, cycles and adverse events.** Best response and the number of cycles follow the
#    PFS order with some noise (patients with progressive disease progress early); adverse
#    events take the exact counts of Table 3.
#
# Cox models and Kaplan–Meier estimates depend on the order of the times more than on their
# values, so the free parameters (the risk coefficients, a few shape knots of the curves, the
# accrual growth) were tuned once by `helpers.synthetic.calibration` and stored in
# `data/synthetic/generator_params.json`. The tuning is deterministic and can be re-run with
# `python -m helpers calibrate`; `make data` regenerates the same file byte for byte.

# %% tags=["remove-cell"]
kinds = report.groupby("kind")["met"].agg(targets="size", met="sum").reset_index()
glue("n_targets", len(report), display=False)
glue("n_targets_met", int(report["met"].sum()), display=False)
glue("n_exact", int((report["kind"] == "exact").sum()), display=False)
glue("seed", params.seed, display=False)

# %% [markdown]
# ## Targets and what the cohort achieves
#
# The cohort meets {glue:text}`n_targets_met` of its {glue:text}`n_targets` generator targets
# (random seed {glue:text}`seed`). {glue:text}`n_exact` of them are counts the original study
# printed and must be matched exactly; the rest are survival estimates with a tolerance.
# {ref}`The target summary <tbl-target-summary>` summarises them by kind and {ref}`the target list <tbl-targets>` lists
# every one.

# %% tags=["remove-input"]
glue("tbl_target_summary", kinds.style.hide(axis="index"), display=False)

# %% [markdown]
# ```{glue:figure} tbl_target_summary
# :name: tbl-target-summary
#
# Generator targets by kind: exact counts, estimates within a tolerance, tests that must fall on
# the same side of the significance level, and qualitative checks.
# ```

# %% tags=["remove-input"]
shown = report.assign(
    achieved=report["achieved"].map(lambda v: f"{v:.3f}" if isinstance(v, float) else str(v)),
    published=report["published"].astype(str),
)
glue("tbl_targets", shown.style.hide(axis="index"), display=False)

# %% [markdown]
# ```{glue:figure} tbl_targets
# :name: tbl-targets
#
# Every generator target: the published value (keys as in the project's copy of the published
# results), the value the synthetic cohort gives, the tolerance and whether it is met.
# ```
#
# ### Targets left out
#
# Some published numbers cannot all hold at once, and some are outcomes of the analysis rather
# than inputs to the data. {ref}`The list of dropped targets <tbl-dropped>` lists what the generator does not aim at and
# why; the fidelity chapter shows them beside the reproduced values.

# %% tags=["remove-input"]
dropped = pd.DataFrame(
    {"published number": list(DROPPED_TARGETS), "why it is not a target": list(DROPPED_TARGETS.values())}
)
glue("tbl_dropped", dropped.style.hide(axis="index"), display=False)

# %% [markdown]
# ```{glue:figure} tbl_dropped
# :name: tbl-dropped
#
# Published numbers the generator does not target, with the reason.
# ```

# %% tags=["remove-cell"]
years = pd.to_datetime(cohort["second_line_start"]).dt.year.value_counts().sort_index()
glue("share_last_year", f"{100 * years.iloc[-1] / years.sum():.0f}%", display=False)
glue("last_year", int(years.index[-1]), display=False)
glue("published_follow_up", published("cohort.median_follow_up_months"), display=False)
glue("cutoff", C.DATA_CUTOFF.isoformat(), display=False)
glue("window_start", C.STUDY_START.isoformat(), display=False)
glue("window_end", C.STUDY_END.isoformat(), display=False)

# %% [markdown]
# ### A consequence of the follow-up target
#
# The original study reports a median follow-up of {glue:text}`published_follow_up` months with
# data cut-off on {glue:text}`cutoff`, for patients starting second-line therapy from
# {glue:text}`window_start` to {glue:text}`window_end`. With
# censoring only at the cut-off, the reverse Kaplan–Meier median follow-up is the median time
# from start to cut-off, so most patients must have started late. In the synthetic cohort
# {glue:text}`share_last_year` of patients started in {glue:text}`last_year`
# ({ref}`the accrual table <tbl-accrual>`). If the real cohort accrued evenly, the published figure was computed
# some other way; the fidelity chapter returns to this.

# %% tags=["remove-input"]
accrual = years.rename_axis("year of 2L start").reset_index(name="patients")
glue("tbl_accrual", accrual.style.hide(axis="index"), display=False)

# %% [markdown]
# ```{glue:figure} tbl_accrual
# :name: tbl-accrual
#
# Synthetic patients by year of second-line start.
# ```
