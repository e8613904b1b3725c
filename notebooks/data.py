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
# and open `.venv/bin/jupyter lab notebooks/data.ipynb`, or choose `.venv/bin/python` as
# the kernel in an editor that runs notebooks. The book is built from the paired
# `notebooks/data.py`; after editing either file, `.venv/bin/jupytext --sync
# notebooks/data.py` brings the other into step.

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
from myst_nb import glue

from helpers.manuscript import load_study
from helpers.report import comparisons
from helpers.report.chapter import glue_all, glue_registry
from helpers.report.interactive import datatables_library, interactive_table
from helpers.report.tables import accrual_display, data_dictionary_display, styled, styled_prose
from helpers.report.words import agree, count_noun
from helpers.study import cohort as C
from helpers.study.description import accrual_by_year
from helpers.synthetic.calibration import DROPPED_TARGETS, measure_targets
from helpers.synthetic.generator import GeneratorParams

study = load_study()
results = study.results
glue_registry(results, "cohort.", "data_")  # data_n_total, data_before_psm_icis, ..., data_median_follow_up_months_pub
glue_all({"n_columns": len(C.COLUMNS)}, "data_")

# %% [markdown]
# ## The data contract
#
# The file `data/synthetic/cohort.csv` holds one row per patient ({glue:text}`data_n_total`
# rows: {glue:text}`data_before_psm_icis` in the 2L-ICIs group and
# {glue:text}`data_before_psm_non_icis` in the 2L-non-ICIs group) and exactly
# {glue:text}`data_n_columns` columns. A real cohort in the same layout can be analysed by the
# same code. {ref}`The data dictionary <tbl-data-dictionary>` lists the columns.
#
# (code-data-dictionary)=

# %% tags=["hide-input"]
dictionary = data_dictionary_display(C.data_dictionary())
glue("data_tbl_dictionary", styled_prose(dictionary, ["Allowed values", "Meaning"]), display=False)

# %% [markdown]
# ```{glue:figure} data_tbl_dictionary
# :name: tbl-data-dictionary
#
# The data dictionary | Every column of the cohort file, its type, allowed values and meaning
# ({ref}`code <code-data-dictionary>`).
# ```
#
# `helpers.study.cohort.load_cohort` reads the file without changing it and checks it against
# this contract before any analysis runs. A broken rule stops the analysis with a message
# naming the file, the column, the rows and the rule: a missing or extra column, a value of
# the wrong type, an unknown category, a time that is not positive, a PFS longer than OS, an
# event flag other than 0/1, a repeated patient id, a start date outside the accrual window,
# or an ICI agent recorded for a patient who received no ICI.
#
# ### Categories are derived, not stored
#
# The characteristics of Table 1 are cut-offs of raw columns: age ≥65 years, ECOG
# performance status ≥2, ≥3 metastatic sites, and a first-line PFS ≥6 months.
# `helpers.study.cohort.derive_categories` computes them at analysis time, so a change of
# cut-off never requires a new data file.
#
# ## How the synthetic cohort is made
#
# The generator (`helpers.synthetic.generator`) works in five steps, each chosen so that a
# published number is met by construction rather than by luck.
#
# 1. **Baseline characteristics with exact counts.** Within each group every patient receives
#    one correlated latent score per Table 1 characteristic, drawn from a two-factor normal
#    model: a "disease burden" factor shared by the metastasis sites and ECOG, and a second
#    factor shared by first-line ICI, sex and smoking. For each characteristic the patients
#    with the highest scores receive the "yes" level, as many as the original study counted.
#    The counts are therefore exact and the characteristics are realistically correlated.
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
report = measure_targets(results)
targets = comparisons.generator_targets(report)
n_missed = int((targets["Met"] == "no").sum())
glue_all(
    {
        "n_targets": len(targets),
        "n_met": len(targets) - n_missed,
        "missed": "there are none"
        if not n_missed
        else f"there {agree(n_missed, 'is', 'are')} {count_noun(n_missed, 'such target')}",
        "n_static": n_missed + 15,
        "seed": GeneratorParams.from_json().seed,
    },
    "data_",
)

# %% [markdown]
# (data-targets)=
# ## Targets and what the cohort achieves
#
# The cohort meets {glue:text}`data_n_met` of its {glue:text}`data_n_targets` generator
# targets (random seed {glue:text}`data_seed`). Most are counts the original study printed,
# which must be matched exactly; the rest are survival estimates with a tolerance, tests that
# must fall on the same side of a threshold as the printed p-value, and qualitative checks.
# {ref}`The target summary <tbl-target-summary>` counts them by rule.
#
# (code-target-summary)=

# %% tags=["hide-input"]
glue("data_tbl_target_summary", styled(comparisons.generator_target_summary(report)), display=False)

# %% [markdown]
# ```{glue:figure} data_tbl_target_summary
# :name: tbl-target-summary
#
# Generator targets by rule | Published counts that must be equal to the printed value,
# estimates that must come within a tolerance, p-values that must fall on the same side of the
# significance level (or of the entry threshold of the multivariable Cox models) as the
# printed one, and qualitative checks ({ref}`code <code-target-summary>`).
# ```
#
# The full list names each target as the paper's tables and figures do, and prints both values
# with the paper's decimals. Targets the cohort misses come first; at present
# {glue:text}`data_missed`. Type in the search box to filter the rows (for example "Table 3"
# or "2L-non-ICIs"), click a column header to sort by it.
#
# (code-targets)=

# %% tags=["remove-input"]
datatables_library()  # the table library, inlined in the page: the listing works offline

# %% tags=["hide-input"]
glue("data_tbl_targets", interactive_table(targets), display=False)
glue("data_tbl_targets_static", styled(targets.head(n_missed + 15).set_index("Published number")), display=False)

# %% [markdown]
# ::::{only} html
# ```{glue:figure} data_tbl_targets
# :name: tbl-targets
#
# Every generator target | The published number (named as in the paper), its printed value,
# the value of the synthetic cohort printed the same way, the rule it must meet and whether
# it does ({ref}`code <code-targets>`).
# ```
# ::::
#
# ::::{only} latex
# ```{glue:figure} data_tbl_targets_static
# :name: tbl-targets-static
#
# Generator targets, the first {glue:text}`data_n_static` of {glue:text}`data_n_targets` |
# The published number, its printed value, the value of the synthetic cohort printed the same
# way, the rule and whether it is met, targets missed first. The HTML edition of this chapter
# lists every target in a searchable table.
# ```
# ::::
#
# ### Targets left out
#
# Some published numbers cannot all hold at once, and some are outcomes of the analysis rather
# than inputs to the data. {ref}`The list of dropped targets <tbl-dropped>` lists what the
# generator does not aim at and why; the fidelity chapter shows them beside the reproduced
# values.
#
# (code-dropped)=

# %% tags=["hide-input"]
dropped = comparisons.dropped_targets(DROPPED_TARGETS)
glue("data_tbl_dropped", styled_prose(dropped, dropped.columns), display=False)

# %% [markdown]
# ```{glue:figure} data_tbl_dropped
# :name: tbl-dropped
#
# Targets left out | Published numbers the generator does not aim at, with the reason
# ({ref}`code <code-dropped>`).
# ```

# %% tags=["remove-cell"]
accrual = accrual_by_year(results.cohort)
glue_all(
    {
        "share_last_year": f"{accrual['pct'].iloc[-1]:.0f}%",
        "last_year": int(accrual["year"].iloc[-1]),
        "cutoff": C.DATA_CUTOFF.isoformat(),
        "window_start": C.STUDY_START.isoformat(),
        "window_end": C.STUDY_END.isoformat(),
    },
    "data_",
)

# %% [markdown]
# ### A consequence of the follow-up target
#
# The original study reports a median follow-up of
# {glue:text}`data_median_follow_up_months_pub` months with data cut-off on
# {glue:text}`data_cutoff`, for patients starting second-line therapy from
# {glue:text}`data_window_start` to {glue:text}`data_window_end`. With censoring only at the
# cut-off, the reverse Kaplan–Meier median follow-up is the median time from start to
# cut-off, so most patients must have started late. In the synthetic cohort
# {glue:text}`data_share_last_year` of patients started in {glue:text}`data_last_year`
# ({ref}`the accrual table <tbl-accrual>`), and the median follow-up is
# {glue:text}`data_median_follow_up_months` months. If the real cohort accrued evenly, the
# published figure was computed some other way; the fidelity chapter returns to this.
#
# (code-accrual)=

# %% tags=["hide-input"]
glue("data_tbl_accrual", styled(accrual_display(accrual)), display=False)

# %% [markdown]
# ```{glue:figure} data_tbl_accrual
# :name: tbl-accrual
#
# Accrual | Synthetic patients by year of the start of second-line treatment
# ({ref}`code <code-accrual>`).
# ```
