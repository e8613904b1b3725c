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
# and open `.venv/bin/jupyter lab notebooks/fidelity.ipynb`, or choose `.venv/bin/python` as
# the kernel in an editor that runs notebooks. The book is built from the paired
# `notebooks/fidelity.py`; after editing either file, `.venv/bin/jupytext --sync
# notebooks/fidelity.py` brings the other into step.

# %% [markdown]
# (fidelity)=
# # Fidelity audit
#
# A reproduction earns trust number by number. This chapter puts every number the original
# study reports about its own patients beside the number this book computes, judges each
# against a stated tolerance, and then turns the same scrutiny on the paper: which of its
# printed numbers contradict each other, and which analysis conventions its numbers imply.
#
# :::{note}
# The cohort is synthetic and was calibrated to the published figures (see {ref}`data`). A
# close match therefore shows that the analysis code reproduces the paper's conventions and
# that the synthetic cohort carries the published structure; it is not an independent
# confirmation of the study's clinical findings.
# :::

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
from myst_nb import glue

from helpers.manuscript import load_study
from helpers.paper import consistency, sensitivity
from helpers.paper.fidelity import SECTIONS
from helpers.paper.registry import quantity
from helpers.report import tables
from helpers.report.chapter import audit_listing, fidelity_section, glue_all
from helpers.report.figures import fidelity_summary
from helpers.report.interactive import datatables_library, interactive_table
from helpers.report.tables import styled
from helpers.stats.contingency import EXPECTED_CUTOFF
from helpers.study.design import ALPHA

study = load_study()
results, audit = study.results, study.audit
headline = audit.headline
glue_all(
    {
        "rows": headline["rows"],
        "share": f"{100 * headline['share_exact_or_within']:.1f}%",
        "outside": headline["outside"],
        "unattainable": headline["unattainable"],
        "exact_class": "every one" if headline["exact_class_all_exact"] else "not every one",
    },
    "fidelity_",
)

# %% tags=["remove-input"]
datatables_library()  # the table library, inlined in the page: the interactive listings work offline

# %% [markdown]
# ## How the audit works
#
# The project keeps its own copy of the published numbers
# (`data/published/published_results.yaml`), and a registry (`helpers.paper.registry`) that
# says, for each of them, what it is, how the paper prints it and where the book's value comes
# from. The audit (`helpers.paper.fidelity`) reads the book's value for each number, rounds it
# the way the paper prints it (one decimal for percentages, two for medians and the main hazard
# ratios, three for the Cox tables and p-values, with "<0.001" below that), and gives it a
# status:
#
# - **exact**: equal at the printed digits;
# - **within**: inside the tolerance of its class;
# - **outside**: beyond it;
# - **unattainable**: a number the paper itself makes impossible, with the reason.
#
# The tolerance classes are strict for what the synthetic cohort copies exactly (the pre-matching
# Tables 1–3, the treatment counts and every p-value computed from them must agree to the printed
# digits) and looser where the result depends on the matching or on small strata. The full
# definitions are in the docstring of `helpers.paper.fidelity`.
#
# Of {glue:text}`fidelity_rows` published numbers, {glue:text}`fidelity_share` are exact or
# within tolerance; {glue:text}`fidelity_outside` are outside and {glue:text}`fidelity_unattainable`
# are unattainable. Of the numbers in the exact class, {glue:text}`fidelity_exact_class` is
# reproduced to the printed digits.
#
# (code-figure-fidelity-summary)=

# %% tags=["hide-input"]
fig = fidelity_summary(audit.table)
glue("fidelity_figure_summary", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fidelity_figure_summary
# :name: figure-fidelity-summary
#
# Fidelity by section | How many published numbers of each section are reproduced exactly,
# within tolerance, outside it, or are unattainable. `python -m helpers analyze --figures
# --audit` writes the same figure to `results/fidelity_summary.png`.
# ({ref}`code <code-figure-fidelity-summary>`)
# ```
#
# {ref}`The summary table <tbl-fidelity-fidelity-summary>` gives the same counts per section, and
# {ref}`the next table <tbl-fidelity-fidelity-off>` lists every number that misses, named as a
# reader of the paper would name it.
#
# (code-tbl-fidelity-summary)=

# %% tags=["hide-input"]
audit_rows = fidelity_section(audit.table, list(SECTIONS), "fidelity", styler=styled)

# %% [markdown]
# ```{glue:figure} fidelity_tbl_fidelity_summary
# :name: tbl-fidelity-fidelity-summary
#
# The audit by section | Published numbers by status, with the share exact or within tolerance.
# ({ref}`code <code-tbl-fidelity-summary>`)
# ```
#
# ```{glue:figure} fidelity_tbl_fidelity_off
# :name: tbl-fidelity-fidelity-off
#
# The misses | Every published number outside its tolerance or unattainable: the value the
# original study printed, the book's value rounded the same way, their difference, the
# tolerance and, for an unattainable number, why. ({ref}`code <code-tbl-fidelity-summary>`)
# ```
#
# ### Why numbers after matching differ
#
# After-matching results depend on exactly which patients form pairs. The synthetic cohort was
# built so that re-running the matching finds groups of the published size and make-up, but the
# individual pairs are new: a few patients more or less with liver metastases or a long
# first-line PFS among the matched controls moves a median by a fraction of a month. The audit
# therefore allows more room after matching, and for the small strata of Figures 2 and 3, than
# for the main comparison.
#
# ### The complete audit
#
# (code-tbl-fidelity-full)=

# %% tags=["hide-input"]
glue("fidelity_tbl_full", interactive_table(audit_listing(audit.table)), display=False)

# %% [markdown]
# ::::{only} html
# Every published number, one row each, the misses first. Type in the search box to find a
# table, a group or a status; click a column header to sort.
#
# ```{glue} fidelity_tbl_full
# ```
#
# ({ref}`code <code-tbl-fidelity-full>`)
# ::::
#
# ::::{only} latex
# The complete listing, one row per published number, is in the HTML edition of this book and in
# `results/fidelity.csv`; the summary and the misses above cover it.
# ::::
#
# ## The paper's own consistency
#
# Some published numbers cannot all be true together. `helpers.paper.consistency` re-derives
# each suspected contradiction from the printed numbers alone, so the arithmetic can be checked
# line by line. Two counts must be kept apart: the **checks** the project computes (each either
# passes or fails), and the **inconsistencies listed** in the project's transcription of the
# paper, which include points of wording and terminology that no arithmetic can check.

# %% tags=["remove-cell"]
checks = consistency.consistency_table()
listed = consistency.listed_inconsistencies()
glue_all(
    {
        "n_checks": len(checks),
        "n_checks_failed": int((~checks["consistent"]).sum()),
        "n_checks_passed": int(checks["consistent"].sum()),
        "n_listed": len(listed),
        "half": "50%",
    },
    "fidelity_",
)

# %% [markdown]
# Of the {glue:text}`fidelity_n_checks` consistency checks, {glue:text}`fidelity_n_checks_failed`
# fail: the printed numbers contradict each other or the paper's own words. The other
# {glue:text}`fidelity_n_checks_passed` pass; they confirm a convention (medians with symmetric
# intervals, Wald intervals in the Cox tables) or a reconciliation (the liver-metastasis strata
# average back to the group). Separately, the transcription lists
# {glue:text}`fidelity_n_listed` inconsistencies of the paper.
#
# :::{warning}
# Two published landmark rates are impossible: a Kaplan–Meier curve that has fallen to
# {glue:text}`fidelity_half` at its median cannot be above {glue:text}`fidelity_half` later.
# Both belong to the stratum with a first-line PFS ≥6 months, and the other rates of that
# stratum do not average back to the 2L-ICIs group either. The audit marks the two impossible
# values as unattainable.
# :::
#
# (code-table-consistency)=

# %% tags=["hide-input"]
consistency_table = tables.consistency_display(checks)
listed_table = tables.listed_inconsistencies_display(listed)
glue(
    "fidelity_tbl_consistency",
    interactive_table(consistency_table.reset_index(names="Where in the paper")),
    display=False,
)
glue("fidelity_tbl_listed", interactive_table(listed_table.reset_index(names="Where in the paper")), display=False)
glue("fidelity_tbl_consistency_static", styled(consistency_table), display=False)
glue("fidelity_tbl_listed_static", styled(listed_table), display=False)

# %% [markdown]
# ::::{only} html
# **The consistency checks**: where in the paper, what it prints, the arithmetic on its own
# numbers, the verdict, and whether the numbers are consistent.
#
# ```{glue} fidelity_tbl_consistency
# ```
#
# **The inconsistencies listed** in the project's transcription of the paper: where each is,
# its kind, how much it matters and what is wrong. ({ref}`code <code-table-consistency>`)
#
# ```{glue} fidelity_tbl_listed
# ```
# ::::
#
# ::::{only} latex
# ```{glue:figure} fidelity_tbl_consistency_static
# :name: table-consistency
#
# The consistency checks | Where in the paper, what it prints, the arithmetic on its own
# numbers, the verdict, and whether the numbers are consistent.
# ```
#
# ```{glue:figure} fidelity_tbl_listed_static
# :name: table-listed-inconsistencies
#
# The inconsistencies listed in the project's transcription of the paper | Where each is, its
# kind, how much it matters and what is wrong.
# ```
# ::::
#
# ## Which methods reproduce the paper
#
# The original study names its software but not most of its choices. Running the alternatives
# on the same data shows which ones its numbers imply (`helpers.paper.sensitivity`).
#
# ### Pearson, Yates or Fisher
#
# Every categorical p-value the paper prints can be recomputed from its own counts.

# %% tags=["remove-cell"]
conventions = sensitivity.contingency_conventions()
agreement = sensitivity.contingency_agreement(conventions)
total = agreement.loc["All tables"]
glue_all({method: int(total[method]) for method in sensitivity.CONTINGENCY_METHODS}, "fidelity_conv_")
glue_all(
    {
        "conv_total": int(total["printed"]),
        "expected_cutoff": f"{EXPECTED_CUTOFF:g}",
        "ci_level": f"{100 * (1 - ALPHA):g}%",
    },
    "fidelity_",
)

# %% [markdown]
# Of {glue:text}`fidelity_conv_total` printed p-values, Pearson's χ² without continuity correction
# reproduces {glue:text}`fidelity_conv_pearson`, the continuity-corrected (Yates) test
# {glue:text}`fidelity_conv_yates` and Fisher's exact test {glue:text}`fidelity_conv_fisher`. The
# rule "Pearson, or Fisher when an expected count is below {glue:text}`fidelity_expected_cutoff`"
# reproduces {glue:text}`fidelity_conv_auto`: that is the convention `helpers.stats.contingency`
# uses. {ref}`The methods chapter <tbl-methods-p-agreement>` gives the counts per table.
#
# (code-tbl-fidelity-conventions)=

# %% tags=["hide-input"]
labels = {key: quantity(key).label for key in conventions["key"]}
glue(
    "fidelity_tbl_conventions",
    interactive_table(tables.contingency_display(conventions, labels).reset_index(names="Printed p-value of")),
    display=False,
)

# %% [markdown]
# ::::{only} html
# Each printed p-value beside the same test by every method (three decimals, as printed), and
# the methods that give the printed value.
#
# ```{glue} fidelity_tbl_conventions
# ```
#
# ({ref}`code <code-tbl-fidelity-conventions>`)
# ::::
#
# ### Median confidence intervals
#
# (code-table-ci-styles)=

# %% tags=["hide-input"]
styles = sensitivity.median_ci_styles(results.cohort)
glue("fidelity_tbl_ci_styles", styled(tables.median_ci_display(styles)), display=False)

# %% [markdown]
# ```{glue:figure} fidelity_tbl_ci_styles
# :name: table-ci-styles
#
# Median survival before matching with the symmetric (SE-based) and log-log (Brookmeyer–Crowley)
# {glue:text}`fidelity_ci_level` intervals, beside the printed ones
# ({ref}`code <code-table-ci-styles>`).
# ```
#
# Every interval the paper prints is symmetric about its median, which only the SE-based style
# produces; the log-log interval is usually asymmetric. The book reports the symmetric interval
# beside the paper and the log-log one as well.
#
# ### Tied event times: Breslow or Efron
#
# (code-table-ties)=

# %% tags=["hide-input"]
ties = sensitivity.tie_methods(results.cohort)
glue("fidelity_tbl_ties", styled(tables.ties_display(ties)), display=False)

# %% tags=["remove-cell"]
main = ties.set_index(["endpoint", "model"]).loc[("pfs", "treatment (all patients)")]
glue_all(
    {
        "ties_events": int(main["events"]),
        "ties_times": int(main["distinct_event_times"]),
        "ties_shared": int(main["tied_event_times"]),
        "ties_largest": int(main["largest_tie"]),
        "ties_hr_breslow": f"{main['hr_breslow']:.3f}",
        "ties_hr_efron": f"{main['hr_efron']:.3f}",
    },
    "fidelity_",
)

# %% [markdown]
# ```{glue:figure} fidelity_tbl_ties
# :name: table-ties
#
# Hazard ratios and p-values under Breslow (SPSS) and Efron (R) handling of tied event times,
# with the number of events, of distinct event times and of events that share their time with
# another ({ref}`code <code-table-ties>`).
# ```
#
# Ties are not rare in this cohort: its times are whole days, and the
# {glue:text}`fidelity_ties_events` PFS events fall on only {glue:text}`fidelity_ties_times`
# distinct times, so {glue:text}`fidelity_ties_shared` events share their time with another (at
# most {glue:text}`fidelity_ties_largest` at one time). Yet the two methods agree closely: the
# treatment HR of PFS is {glue:text}`fidelity_ties_hr_breslow` with Breslow's method and
# {glue:text}`fidelity_ties_hr_efron` with Efron's. The methods differ only in how the few
# patients of one tie share the risk set at that moment, and with hundreds of patients at risk
# that sharing barely moves the partial likelihood. They would drift apart with large ties, for
# example with times rounded to whole months.
#
# ### Matching order and caliper scale
#
# (code-table-matching-choices)=

# %% tags=["hide-input"]
choices = sensitivity.matching_choices(results.cohort)
glue("fidelity_tbl_matching_choices", styled(tables.matching_choices_display(choices)), display=False)

# %% [markdown]
# ```{glue:figure} fidelity_tbl_matching_choices
# :name: table-matching-choices
#
# Pairs formed, the largest remaining standardised difference and the after-matching hazard
# ratios and log-rank p-values under each matching order and caliper scale
# ({ref}`code <code-table-matching-choices>`).
# ```
#
# The order in which treated patients are matched and the scale of the caliper change who is
# matched, and with it the after-matching estimates. The paper states only the caliper width;
# the book uses the largest score first on the probability scale and shows the alternatives here.
