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
# `.venv/bin/jupyter lab notebooks/subgroups.ipynb`.

# %% [markdown]
# (subgroups)=
# # Subgroups and stratified survival
#
# :::{admonition} What and why
# The original study looks at its patients in pieces in two ways. Figure 2 repeats the
# treatment comparison (2L-ICIs against 2L-non-ICIs) inside each level of each baseline
# characteristic; Figure 3 splits the 2L-ICIs group alone by liver metastases and by the length
# of first-line PFS. This chapter redraws both figures on the synthetic cohort, adds the
# interaction test that a subgroup claim needs, compares the numbers with the printed ones,
# and points out two places where the paper's own numbers or words do not hold together.
# :::

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
from myst_nb import glue

from helpers.manuscript import load_study
from helpers.paper.consistency import consistency_table
from helpers.paper.registry import SUBGROUP_KEYS
from helpers.report import comparisons
from helpers.report.chapter import fidelity_section, glue_all, glue_estimates, glue_registry
from helpers.report.figures import figure_2, figure_3
from helpers.report.tables import p_phrase, strata_survival_display, styled
from helpers.study.cohort import GROUP_ICI
from helpers.study.design import ALPHA, ENDPOINTS, characteristic, level_label
from helpers.study.models import subgroup_summary

study = load_study()
results = study.results

# %% [markdown]
# ## Figure 2: the treatment effect within subgroups
#
# For each level of each Table 1 characteristic (men, women, patients aged ≥65, and so on), an
# unstratified Cox model of the patients in that level alone gives the hazard ratio of the
# 2L-ICIs group against the 2L-non-ICIs group, as the paper describes. The paper does not say
# whether it used all patients or only the matched ones; the book uses all patients before
# matching (see {ref}`the methods chapter <methods>`).

# %% tags=["remove-cell"]
glue_all({"n": len(results.cohort), "alpha": ALPHA}, "subgroups_")
summaries = {endpoint: subgroup_summary(results.subgroups(endpoint)) for endpoint in ENDPOINTS}
for endpoint, summary in summaries.items():
    significant = summary["significant"]
    names = [
        f"{characteristic(v)}: {level_label(v, lv)}"
        for v, lv in zip(significant["variable"], significant["level"], strict=True)
    ]
    glue_all(
        {
            "n_levels": summary["n_subgroups"],
            "n_below_one": summary["n_below_one"],
            "n_significant": summary["n_significant"],
            "significant": "; ".join(names) or "none",
            "n_interaction": summary["n_interaction_significant"],
        },
        f"subgroups_{endpoint}_",
    )
glue_all({"n_characteristics": summaries["pfs"]["n_characteristics"]}, "subgroups_")

# %% [markdown]
# The forest plot needs one more column than the paper's. Beside each characteristic, "p int."
# is the p-value of the **interaction test**: one Cox model on all
# {glue:text}`subgroups_n` patients with the treatment, the characteristic and their product.
# The product term measures how much the log-HR of the treatment differs between the two levels,
# so its p-value answers the question a subgroup claim actually makes: *is the treatment effect
# different in this subgroup from that in the other?* The cell below draws PFS
# ({ref}`Figure 2A <figure-2a>`).
#
# (code-figure-2a)=

# %% tags=["hide-input"]
fig = figure_2(results, "A")
glue("subgroups_figure_2a", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} subgroups_figure_2a
# :name: figure-2a
#
# Figure 2A | Progression-free survival: hazard ratio of 2L-ICIs against 2L-non-ICIs within each
# level of each baseline characteristic (all patients before matching), with its confidence
# interval, the number of patients, the p-value of the subgroup model and, on each
# characteristic's line, the p-value of the treatment-by-characteristic interaction.
# ({ref}`code <code-figure-2a>`)
# ```
#
# The HR is below one in {glue:text}`subgroups_pfs_n_below_one` of the
# {glue:text}`subgroups_pfs_n_levels` subgroups and its p-value below
# {glue:text}`subgroups_alpha` in {glue:text}`subgroups_pfs_n_significant`;
# {glue:text}`subgroups_pfs_n_interaction` of the {glue:text}`subgroups_n_characteristics`
# interaction tests reach that level. The original study, which printed no numbers for this
# panel, reported that 2L-ICIs improved PFS in most subgroups.
#
# The same cell with OS gives {ref}`Figure 2B <figure-2b>`.
#
# (code-figure-2b)=

# %% tags=["hide-input"]
fig = figure_2(results, "B")
glue("subgroups_figure_2b", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} subgroups_figure_2b
# :name: figure-2b
#
# Figure 2B | Overall survival: hazard ratio of 2L-ICIs against 2L-non-ICIs within subgroups,
# drawn as in Figure 2A. ({ref}`code <code-figure-2b>`)
# ```
#
# For OS, the subgroups with p below {glue:text}`subgroups_alpha` are
# {glue:text}`subgroups_os_significant`, and {glue:text}`subgroups_os_n_interaction` of the
# interaction tests reach that level. The original study named two OS subgroups with a
# significant benefit: patients without liver metastases and patients who had received an ICI
# in first line.
#
# ### Why subgroup p-values mislead

# %% tags=["remove-cell"]
glue_all(
    {
        "n_tests": sum(s["n_subgroups"] for s in summaries.values()),
        "expected_false": f"{sum(s['expected_by_chance'] for s in summaries.values()):.1f}",
    },
    "subgroups_",
)

# %% [markdown]
# Figure 2 holds {glue:text}`subgroups_n_tests` subgroup HRs. Even if the treatment did nothing
# anywhere, about {glue:text}`subgroups_expected_false` of them would fall below
# {glue:text}`subgroups_alpha` by chance alone. Each subgroup is also smaller than the whole
# cohort, so when the overall effect is modest, the larger subgroups tend to come out
# "significant" and the smaller ones not, whatever the truth. Finding that an HR is significant
# in one level and not in the other is therefore no evidence that the levels differ; only the
# interaction test asks that, and it has little power in a cohort of this size. The
# {ref}`methods chapter <methods>` gives the reasoning in more detail.
#
# :::{warning}
# **A subgroup analysis the paper says it did not do.** The limitations paragraph of the
# original study states that no analysis stratified by first-line therapy was performed, and
# calls for one in future studies. Yet its results report the OS hazard ratio of patients who
# had received first-line ICIs (one of the two quoted below), its Figure 2 shows it, and its
# discussion builds an argument on it. The two statements cannot both be right, and the paper
# does not say which subgroups were specified before the data were seen, so this result is best
# read as exploratory.
# :::
#
# ### The two OS subgroups the paper quotes
#
# (code-tbl-subgroups-quoted)=

# %% tags=["hide-input"]
glue("subgroups_tbl_quoted", styled(comparisons.quoted_subgroups(results)), display=False)

# %% tags=["remove-cell"]
glue_registry(results, "subgroups.os.significant_subgroups.", "subgroups_")
glue_estimates(results, comparisons.quoted_subgroup_estimates(), "subgroups_")
os_subgroups = results.subgroups("os").set_index(["variable", "level"])
for name, key in SUBGROUP_KEYS.items():
    glue_all({f"{name}_p_interaction": p_phrase(os_subgroups.loc[key, "p_interaction"])}, "subgroups_")

# %% [markdown]
# ```{glue:figure} subgroups_tbl_quoted
# :name: tbl-subgroups-quoted
#
# Figure 2B, the quoted subgroups | OS hazard ratio of 2L-ICIs against 2L-non-ICIs in the two
# subgroups the original study reports in its text, as printed and as reproduced.
# ({ref}`code <code-tbl-subgroups-quoted>`)
# ```
#
# Without liver metastases the book finds HR {glue:text}`subgroups_no_liver_metastases_hr_ci`
# ({glue:text}`subgroups_no_liver_metastases_p_phrase`) where the paper printed
# {glue:text}`subgroups_no_liver_metastases_hr_ci_pub`
# ({glue:text}`subgroups_no_liver_metastases_p_pub_phrase`). After first-line ICIs it finds
# {glue:text}`subgroups_received_first_line_icis_hr_ci`
# ({glue:text}`subgroups_received_first_line_icis_p_phrase`) against the paper's
# {glue:text}`subgroups_received_first_line_icis_hr_ci_pub`
# ({glue:text}`subgroups_received_first_line_icis_p_pub_phrase`). The interaction tests, which
# the paper does not report, give {glue:text}`subgroups_no_liver_metastases_p_interaction` for
# liver metastases and {glue:text}`subgroups_received_first_line_icis_p_interaction` for
# first-line ICIs: whether or not a subgroup's own p-value crosses the line, these are the
# numbers that say whether the benefit differs between subgroups.
#
# ## Figure 3: survival within the 2L-ICIs group by stratum
#
# Figure 3 compares patients *within* the 2L-ICIs group before matching: with against without
# liver metastases, and with a first-line PFS of ≥6 against <6 months. These are comparisons of
# prognosis, not of treatments (see {ref}`the Cox chapter <cox>`): every patient here received
# an ICI.

# %% tags=["remove-cell"]
glue_all({"n_ici": int((results.cohort["group"] == GROUP_ICI).sum())}, "subgroups_")
glue_registry(results, "liver_mets.", "subgroups_liver_mets_")
glue_registry(results, "first_line_pfs.", "subgroups_first_line_pfs_")

# %% [markdown]
# The {glue:text}`subgroups_n_ici` patients of the 2L-ICIs group are split first by liver
# metastases, for PFS ({ref}`Figure 3A <figure-3a>`).
#
# (code-figure-3a)=

# %% tags=["hide-input"]
fig = figure_3(results, "A")
glue("subgroups_figure_3a", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} subgroups_figure_3a
# :name: figure-3a
#
# Figure 3A | Progression-free survival in the 2L-ICIs group (before matching) by liver
# metastases at baseline. Kaplan–Meier curves with the Cox HR of patients with against without
# liver metastases and the log-rank p-value; numbers at risk below. ({ref}`code <code-figure-3a>`)
# ```
#
# Median PFS is {glue:text}`subgroups_liver_mets_pfs_with_liver_mets_median` months with
# liver metastases and {glue:text}`subgroups_liver_mets_pfs_without_liver_mets_median`
# without ({glue:text}`subgroups_liver_mets_pfs_p_phrase`); the original study printed
# {glue:text}`subgroups_liver_mets_pfs_with_liver_mets_median_pub` and
# {glue:text}`subgroups_liver_mets_pfs_without_liver_mets_median_pub`
# ({glue:text}`subgroups_liver_mets_pfs_p_pub_phrase`). One-year PFS is
# {glue:text}`subgroups_liver_mets_pfs_with_liver_mets_rate_1_year_pct`% against
# {glue:text}`subgroups_liver_mets_pfs_without_liver_mets_rate_1_year_pct`% (paper:
# {glue:text}`subgroups_liver_mets_pfs_with_liver_mets_rate_1_year_pct_pub`% and
# {glue:text}`subgroups_liver_mets_pfs_without_liver_mets_rate_1_year_pct_pub`%).
#
# The same split for OS gives {ref}`Figure 3B <figure-3b>`.
#
# (code-figure-3b)=

# %% tags=["hide-input"]
fig = figure_3(results, "B")
glue("subgroups_figure_3b", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} subgroups_figure_3b
# :name: figure-3b
#
# Figure 3B | Overall survival in the 2L-ICIs group (before matching) by liver metastases at
# baseline, drawn as in Figure 3A. ({ref}`code <code-figure-3b>`)
# ```
#
# Median OS is {glue:text}`subgroups_liver_mets_os_with_liver_mets_median` against
# {glue:text}`subgroups_liver_mets_os_without_liver_mets_median` months
# ({glue:text}`subgroups_liver_mets_os_p_phrase`), against
# {glue:text}`subgroups_liver_mets_os_with_liver_mets_median_pub` and
# {glue:text}`subgroups_liver_mets_os_without_liver_mets_median_pub` in the paper
# ({glue:text}`subgroups_liver_mets_os_p_pub_phrase`). Two-year OS is
# {glue:text}`subgroups_liver_mets_os_with_liver_mets_rate_2_year_pct`% against
# {glue:text}`subgroups_liver_mets_os_without_liver_mets_rate_2_year_pct`% (paper:
# {glue:text}`subgroups_liver_mets_os_with_liver_mets_rate_2_year_pct_pub`% and
# {glue:text}`subgroups_liver_mets_os_without_liver_mets_rate_2_year_pct_pub`%).
#
# Next the 2L-ICIs group is split by first-line PFS, for PFS ({ref}`Figure 3C <figure-3c>`).
#
# (code-figure-3c)=

# %% tags=["hide-input"]
fig = figure_3(results, "C")
glue("subgroups_figure_3c", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} subgroups_figure_3c
# :name: figure-3c
#
# Figure 3C | Progression-free survival in the 2L-ICIs group (before matching) by first-line
# PFS (≥6 against <6 months), drawn as in Figure 3A. ({ref}`code <code-figure-3c>`)
# ```
#
# Median PFS is {glue:text}`subgroups_first_line_pfs_pfs_ge6_months_median` months after a
# first-line PFS of ≥6 months and {glue:text}`subgroups_first_line_pfs_pfs_lt6_months_median`
# after <6 months ({glue:text}`subgroups_first_line_pfs_pfs_p_phrase`); the original study
# printed {glue:text}`subgroups_first_line_pfs_pfs_ge6_months_median_pub` and
# {glue:text}`subgroups_first_line_pfs_pfs_lt6_months_median_pub`
# ({glue:text}`subgroups_first_line_pfs_pfs_p_pub_phrase`).
#
# And for OS ({ref}`Figure 3D <figure-3d>`):
#
# (code-figure-3d)=

# %% tags=["hide-input"]
fig = figure_3(results, "D")
glue("subgroups_figure_3d", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} subgroups_figure_3d
# :name: figure-3d
#
# Figure 3D | Overall survival in the 2L-ICIs group (before matching) by first-line PFS (≥6
# against <6 months), drawn as in Figure 3A. ({ref}`code <code-figure-3d>`)
# ```
#
# Median OS is {glue:text}`subgroups_first_line_pfs_os_ge6_months_median` against
# {glue:text}`subgroups_first_line_pfs_os_lt6_months_median` months
# ({glue:text}`subgroups_first_line_pfs_os_p_phrase`), where the original study printed
# {glue:text}`subgroups_first_line_pfs_os_ge6_months_median_pub` and
# {glue:text}`subgroups_first_line_pfs_os_lt6_months_median_pub`
# ({glue:text}`subgroups_first_line_pfs_os_p_pub_phrase`).
#
# ### The numbers behind Figure 3
#
# {ref}`The strata table <tbl-subgroups-strata>` gives every curve's size, median and landmark
# rates (the HR and the log-rank p-value are printed on each panel), and
# {ref}`the comparison table <tbl-subgroups-strata-published>` sets the medians, rates and
# log-rank p-values the original study printed beside the book's.
#
# (code-tbl-subgroups-strata)=

# %% tags=["hide-input"]
glue("subgroups_tbl_strata", styled(strata_survival_display(results)), display=False)

# %% [markdown]
# ```{glue:figure} subgroups_tbl_strata
# :name: tbl-subgroups-strata
#
# Figure 3 in numbers | Kaplan–Meier summaries of each curve of Figure 3A–D (2L-ICIs group
# before matching): patients, events, median in months with its symmetric confidence interval,
# and landmark rates in percent. ({ref}`code <code-tbl-subgroups-strata>`)
# ```
#
# (code-tbl-subgroups-strata-published)=

# %% tags=["hide-input"]
glue("subgroups_tbl_strata_published", styled(comparisons.figure3_curves(results)), display=False)

# %% [markdown]
# ```{glue:figure} subgroups_tbl_strata_published
# :name: tbl-subgroups-strata-published
#
# Figure 3 against the original study | Medians, landmark rates and log-rank p-values of the
# strata as printed by the original study and as reproduced on the synthetic cohort.
# ({ref}`code <code-tbl-subgroups-strata-published>`)
# ```
#
# The medians of the liver-metastasis strata were targets of the synthetic data; those of the
# first-line PFS strata were aimed at too, but not their rates. Two of those printed rates
# cannot be matched by any data, for a reason that has nothing to do with the synthetic cohort.

# %% tags=["remove-cell"]
checks = consistency_table().set_index("id")
impossible = {
    "pfs": checks.loc["first_line_pfs_ge6_pfs_median_vs_6month_rate"],
    "os": checks.loc["first_line_pfs_ge6_os_median_vs_1year_rate"],
}
for endpoint, check in impossible.items():
    glue_all({f"ge6_{endpoint}_verdict": "possible" if check["consistent"] else "impossible"}, "subgroups_")
strata_checks = checks.loc["strata_vs_overall"].set_index("location")
glue_all(
    {
        "ge6_weighted_rate6": strata_checks.loc["1L-PFS strata, 6-month PFS rate", "arithmetic"],
        "liver_weighted_rate6": strata_checks.loc["Liver-metastasis strata, 6-month PFS rate", "arithmetic"],
    },
    "subgroups_",
)

# %% [markdown]
# :::{warning}
# **Two printed rates that no Kaplan–Meier curve can produce.** A Kaplan–Meier curve never
# rises, and at its median $m$ it has come down to one half, so $\hat S(t) \le \hat S(m) \le 1/2$
# at every later time $t \ge m$. For patients with a first-line PFS of ≥6 months the original
# study prints a median PFS of {glue:text}`subgroups_first_line_pfs_pfs_ge6_months_median_pub`
# months beside a six-month PFS rate of
# {glue:text}`subgroups_first_line_pfs_pfs_ge6_months_rate_6_month_pct_pub`%, and a median OS
# of {glue:text}`subgroups_first_line_pfs_os_ge6_months_median_pub` months beside a one-year OS
# rate of {glue:text}`subgroups_first_line_pfs_os_ge6_months_rate_1_year_pct_pub`%. Both medians
# fall before their landmark, yet both rates lie above one half. The consistency checks of
# `helpers.paper.consistency` class the PFS pair as {glue:text}`subgroups_ge6_pfs_verdict` and
# the OS pair as {glue:text}`subgroups_ge6_os_verdict` for a single Kaplan–Meier curve. The rates
# are the likelier errors. Weighted by the stratum sizes of Table 1, the printed six-month PFS
# rates of the two first-line PFS strata do not average back to the rate of the whole 2L-ICIs
# group: {glue:text}`subgroups_ge6_weighted_rate6`. The liver-metastasis strata do:
# {glue:text}`subgroups_liver_weighted_rate6`. The fidelity audit marks both impossible numbers
# as unattainable rather than as misses.
# :::
#
# (subgroups-fidelity)=
# ## Fidelity: how close are Figures 2 and 3?
#
# The audit counts the printed numbers of the two figures by status. For the subgroups the paper
# printed only the two OS results quoted above; for the strata it printed medians, their
# intervals, landmark rates and log-rank p-values.
#
# (code-tbl-subgroups-fidelity-summary)=

# %% tags=["hide-input"]
fidelity_section(study.audit.table, ["Subgroups (Figure 2)", "Strata (Figure 3)"], "subgroups", styler=styled)
fidelity_section(study.audit.table, "Subgroups (Figure 2)", "subgroups_fig2", styler=styled)
audit_rows = fidelity_section(study.audit.table, "Strata (Figure 3)", "subgroups_fig3", styler=styled)

# %% [markdown]
# ```{glue:figure} subgroups_tbl_fidelity_summary
# :name: tbl-subgroups-fidelity-summary
#
# Fidelity of Figures 2 and 3 | Audit rows by status: equal at the printed digits (exact),
# within the tolerance, outside it, or impossible to reproduce, and the share exact or within.
# ({ref}`code <code-tbl-subgroups-fidelity-summary>`)
# ```
#
# The rows that are neither exact nor within tolerance follow.
#
# ```{glue:figure} subgroups_tbl_fidelity_off
# :name: tbl-subgroups-fidelity-off
#
# Fidelity of Figures 2 and 3, the misses | Each published number outside its tolerance or
# unattainable, with the value printed by the original study, the book's value rounded the same
# way, their difference, the tolerance and, for an unattainable number, why.
# ({ref}`code <code-tbl-subgroups-fidelity-summary>`)
# ```
#
# For Figure 2, {glue:text}`subgroups_fig2_fid_ok` of {glue:text}`subgroups_fig2_fid_n` printed
# numbers are exact or within tolerance; for Figure 3, {glue:text}`subgroups_fig3_fid_ok` of
# {glue:text}`subgroups_fig3_fid_n`, with {glue:text}`subgroups_fig3_fid_unattainable` that no
# data could match. Subgroup HRs and strata intervals rest on fewer events than the main
# comparison, so they move a lot with small changes in which patients fall where; and the
# first-line PFS strata were not generator targets beyond their medians, because their printed
# rates do not fit together (see {ref}`the data chapter <data>`).
