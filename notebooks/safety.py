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
# (safety)=
# # Treatment-related adverse events
#
# :::{admonition} What and why
# A treatment that slows the cancer is worth less if it harms patients in other ways. Safety
# was a secondary endpoint of the original study: for each kind of treatment-related adverse
# event (TRAE) it counted the patients of each group who had it, before propensity score
# matching (Table 3 of the original study). Immune checkpoint inhibitors bring a kind of
# toxicity of their own, the immune-related adverse events, which this chapter looks at
# separately.
# :::

# %% tags=["remove-cell"]
import pandas as pd
from myst_nb import glue
from scipy.stats.contingency import expected_freq

from helpers.manuscript import load_study
from helpers.paper import fidelity
from helpers.paper.published import published
from helpers.report.tables import counts_display, fidelity_misses_display, join_words, p_phrase, styled
from helpers.stats.contingency import EXPECTED_CUTOFF, compare_proportions
from helpers.study import cohort as C
from helpers.study.design import SAFETY_ROWS

study = load_study()
results = study.results
safety = results.tables["table3_safety"].set_index("row")
alpha = published("cohort.significance_alpha_two_sided")
GRADES = {row: grades for row, _, _, grades in SAFETY_ROWS}
TEST_NAMES = {"pearson": "Pearson's chi-square test", "fisher": "Fisher's exact test"}


def labels(rows) -> str:
    """Table 3 row labels as a readable list."""
    return join_words(safety.loc[r, "label"] for r in rows)


# %% [markdown]
# ## Grading and counting adverse events

# %% tags=["remove-cell"]
glue("safety_ctcae", published("methods.adverse_event_grading"), display=False)
glue("safety_g34_grades", " or ".join(str(g) for g in GRADES["g34_hematologic_toxicities"]), display=False)
glue("safety_label_g34_hem", safety.loc["g34_hematologic_toxicities", "label"], display=False)
glue("safety_label_hem", safety.loc["hematologic_toxicities", "label"], display=False)

# %% [markdown]
# Adverse events were graded with {glue:text}`safety_ctcae`, the Common Terminology Criteria
# for Adverse Events. Each event is given a grade from $1$ to $5$: $1$ mild, $2$ moderate,
# $3$ severe (often needing a stay in hospital), $4$ life-threatening and $5$ death caused by
# the event. A patient may have the same kind of event several times, at different grades,
# during 2L treatment. Table 3 counts *patients*, not episodes: each patient is counted once per
# row, at the **worst grade** they reached. Counting episodes would weigh a patient with many
# mild episodes more than one with a single severe event, and would break the two-by-two
# comparison of patients with and without the event. The cohort file therefore stores one
# worst grade per patient and kind of event (grade $0$ when the event never occurred), and
# each row of Table 3 is a set of worst grades. The cell below shows this for hematologic
# toxicity.
#
# (code-safety-grades)=

# %% tags=["hide-input"]
worst = pd.crosstab(results.cohort["group"], results.cohort["ae_hematologic"]).reindex(columns=range(6), fill_value=0)
worst.columns = ["none", *(f"grade {g}" for g in worst.columns[1:])]
glue("safety_tbl_grades", styled(worst.rename_axis(index=None, columns=None)), display=False)

# %% [markdown]
# ```{glue:figure} safety_tbl_grades
# :name: tbl-safety-grades
#
# Worst grade | Patients of each group by the worst grade of hematologic toxicity they had
# during 2L treatment, synthetic cohort ({ref}`code <code-safety-grades>`).
# ```

# %% tags=["remove-cell"]
glue("safety_hem_any_ici", int(safety.loc["hematologic_toxicities", f"n_{C.GROUP_ICI}"]), display=False)
glue("safety_hem_g34_ici", int(safety.loc["g34_hematologic_toxicities", f"n_{C.GROUP_ICI}"]), display=False)
glue("safety_hem_any_pub", published("table3_safety.rows.hematologic_toxicities.icis.n"), display=False)
glue("safety_hem_g34_pub", published("table3_safety.rows.g34_hematologic_toxicities.icis.n"), display=False)

# %% [markdown]
# The row {glue:text}`safety_label_hem` of Table 3 counts every patient with a worst grade of
# at least $1$ ({glue:text}`safety_hem_any_ici` in the 2L-ICIs group); the row
# {glue:text}`safety_label_g34_hem` counts those whose worst grade was
# {glue:text}`safety_g34_grades` ({glue:text}`safety_hem_g34_ici`). The second group of
# patients is part of the first. The original study prints the same counts,
# {glue:text}`safety_hem_any_pub` and {glue:text}`safety_hem_g34_pub`; the synthetic cohort
# was generated to meet them.
#
# ## Table 3
#
# (code-table-3)=

# %% tags=["hide-input"]
table3 = counts_display({"Before PSM": results.tables["table3_safety"]})
glue("safety_table3", styled(table3), display=False)

# %% [markdown]
# ```{glue:figure} safety_table3
# :name: table-3
#
# Table 3 | Patients with each treatment-related adverse event, counted once at their worst
# grade, by 2L treatment group before propensity score matching (synthetic cohort). Cells are
# n (%); P compares the two groups ({ref}`code <code-table-3>`).
# ```

# %% tags=["remove-cell"]
only_ici = safety.index[safety[f"n_{C.GROUP_NON_ICI}"] == 0]
glue("safety_only_ici", labels(only_ici), display=False)
glue("safety_n_only_ici", len(only_ici), display=False)
glue("safety_n_rows", len(safety), display=False)
common = safety.index.difference(only_ici)
glue("safety_common_min_p", p_phrase(safety.loc[common, "p_value"].min()), display=False)

# %% [markdown]
# The common toxicities of cancer treatment (hematologic, gastrointestinal and hepatic) occur
# at similar rates in the two groups: the smallest p-value among those rows is
# {glue:text}`safety_common_min_p`. The other rows are different in kind: no patient of the
# 2L-non-ICIs group had any of them. These are the **immune-related adverse events** (irAEs).
# An ICI releases a brake on the immune system so that it attacks the tumour, and the immune
# system may then attack healthy organs as well: the thyroid (hypothyroidism), the skin
# (rash), the lungs (pneumonitis), the bowel (diarrhoea from colitis) or the adrenal glands.
# Chemotherapy and anti-angiogenic drugs do not act this way, so these events are expected
# only in the 2L-ICIs group. (Chemotherapy also causes diarrhoea, but the paper presumably
# counted that among the gastrointestinal toxicities.) In the synthetic cohort, as in the
# original study, {glue:text}`safety_n_only_ici` of the {glue:text}`safety_n_rows` rows have
# no case in the 2L-non-ICIs group: {glue:text}`safety_only_ici`.
#
# ## Why Fisher's exact test for the rare events
#
# Pearson's chi-square test compares observed counts with the counts *expected* if the event
# did not depend on the group, and turns the sum of squared differences into a p-value through
# the chi-square distribution. That distribution is only an approximation, good when every
# expected count is reasonably large and poor when some are small. Fisher's exact test needs
# no approximation: keeping the row and column totals fixed, it adds up the probabilities of
# every table at least as unusual as the one observed. The book follows the rule that
# reproduces the original study's p-values: Fisher whenever an expected count is below
# {glue:text}`safety_cutoff:.0f`. The cell below computes the expected counts for pneumonitis.

# %%
row = safety.loc["pneumonitis"]
observed = pd.DataFrame(
    [[int(row[f"n_{g}"]) for g in C.GROUPS], [int(row[f"total_{g}"] - row[f"n_{g}"]) for g in C.GROUPS]],
    index=["pneumonitis", "no pneumonitis"],
    columns=list(C.GROUPS),
)
expected = pd.DataFrame(expected_freq(observed), index=observed.index, columns=observed.columns)
test = compare_proportions(observed)
glue("safety_pn_min_expected", test.min_expected, display=False)
glue("safety_pn_test", TEST_NAMES[test.test], display=False)
glue("safety_pn_p", p_phrase(test.p_value), display=False)
styled(pd.concat({"observed": observed, "expected": expected.map(lambda v: f"{v:.2f}")}, axis=1))

# %% tags=["remove-cell"]
glue("safety_cutoff", EXPECTED_CUTOFF, display=False)
glue("safety_pn_p_pub", p_phrase(published("table3_safety.rows.pneumonitis.p")), display=False)
pearson_p = compare_proportions(observed, method="pearson").p_value
glue("safety_pn_p_pearson", p_phrase(pearson_p), display=False)
fisher_rows = safety.index[safety["test"] == "fisher"]
glue("safety_fisher_rows", labels(fisher_rows), display=False)
hypo = compare_proportions(
    [
        [safety.loc["hypothyroidism", f"n_{g}"] for g in C.GROUPS],
        [safety.loc["hypothyroidism", f"total_{g}"] - safety.loc["hypothyroidism", f"n_{g}"] for g in C.GROUPS],
    ]
)
glue("safety_hypo_min_expected", hypo.min_expected, display=False)
glue("safety_hypo_test", TEST_NAMES[hypo.test], display=False)
glue("safety_pn_total", int(observed.loc["pneumonitis"].sum()), display=False)

# %% [markdown]
# Only {glue:text}`safety_pn_total` patients in all had pneumonitis, so the expected count in the 2L-non-ICIs group is
# just {glue:text}`safety_pn_min_expected:.2f`, below the cut-off: the test is
# {glue:text}`safety_pn_test` and gives {glue:text}`safety_pn_p`, the value the original
# study printed ({glue:text}`safety_pn_p_pub`). Pearson's test on the same table would have
# given {glue:text}`safety_pn_p_pearson`. The rule picks Fisher's test for
# {glue:text}`safety_fisher_rows`. A zero in the table is not enough by itself: hypothyroidism
# also has no case in the 2L-non-ICIs group, but it is common enough in the 2L-ICIs group that
# its smallest expected count is {glue:text}`safety_hypo_min_expected:.2f`, and the rule uses
# {glue:text}`safety_hypo_test` there.

# %% tags=["remove-cell"]
significant = safety.index[safety["p_value"] < alpha]
glue("safety_n_significant", len(significant), display=False)
glue("safety_alpha", alpha, display=False)
glue(
    "safety_significant",
    "; ".join(f"{safety.loc[r, 'label']} ({p_phrase(safety.loc[r, 'p_value'])})" for r in significant) or "none",
    display=False,
)
glue(
    "safety_significant_kind",
    "All of them are immune-related events, which the 2L-non-ICIs group could hardly have."
    if set(significant) <= set(only_ici)
    else "Not all of them are immune-related events.",
    display=False,
)
glue("safety_g3_rash_label", safety.loc["g3_rash", "label"], display=False)
glue("safety_g3_rash_n", int(safety.loc["g3_rash", f"n_{C.GROUP_ICI}"]), display=False)
glue("safety_g3_rash_pub", published("abstract_key_results.g3_rash_icis_n"), display=False)

# %% [markdown]
# :::{warning}
# The original study's abstract describes the adverse events of the two groups as comparable.
# Table 3 supports that only in part: {glue:text}`safety_n_significant` of its rows differ
# between the groups with P below {glue:text}`safety_alpha`, namely
# {glue:text}`safety_significant`. {glue:text}`safety_significant_kind` Only the Discussion of the paper narrows the claim to
# adverse events other than the immune-related ones, and it is in that narrower sense that the
# groups are comparable. Severe immune-related events were rare: the paper reports
# {glue:text}`safety_g3_rash_pub` case of the row {glue:text}`safety_g3_rash_label`, and the
# synthetic cohort has {glue:text}`safety_g3_rash_n`.
# :::
#
# ## Beside the original study
#
# The fidelity audit (`helpers.paper.fidelity`) sets every number of Table 3 beside the reproduced
# value. All of them are counts, percentages and p-values before matching, so they must agree
# exactly.
#
# (code-safety-fidelity-summary)=

# %% tags=["hide-input"]
audit = study.audit.table
audit = audit[audit["section"] == "Safety (Table 3)"]
overview = fidelity.summary(audit).set_index("section").rename_axis(index=None, columns=None)
glue("safety_tbl_fidelity_summary", styled(overview).format({"share_ok": "{:.0%}"}), display=False)

# %% [markdown]
# ```{glue:figure} safety_tbl_fidelity_summary
# :name: tbl-safety-fidelity-summary
#
# Fidelity of Table 3 | Published adverse-event numbers counted by the status of the
# reproduced value; `share_ok` is the share exact or within tolerance
# ({ref}`code <code-safety-fidelity-summary>`).
# ```

# %% tags=["remove-cell"]
ok = audit["status"].isin(["exact", "within"])
glue("safety_fid_total", len(audit), display=False)
glue("safety_fid_exact", int((audit["status"] == "exact").sum()), display=False)
n_off = int((~ok).sum())
glue(
    "safety_fid_off",
    f"{n_off} fall outside their tolerance; they are listed below" if n_off else "none falls outside its tolerance",
    display=False,
)
p_rows = audit[audit["key"].str.endswith(".p")]
glue("safety_fid_n_p", len(p_rows), display=False)
glue("safety_fid_n_p_exact", int((p_rows["status"] == "exact").sum()), display=False)

# %% [markdown]
# Of the {glue:text}`safety_fid_total` published numbers, {glue:text}`safety_fid_exact` are
# reproduced exactly and {glue:text}`safety_fid_off`. The p-values check the test rule: of the
# {glue:text}`safety_fid_n_p` printed p-values, {glue:text}`safety_fid_n_p_exact` are matched
# to the printed digits.
#
# (code-safety-fidelity-rows)=

# %% tags=["hide-input"]
glue("safety_tbl_fidelity_rows", styled(fidelity_misses_display(audit[~ok])), display=False)

# %% [markdown]
# ```{glue:figure} safety_tbl_fidelity_rows
# :name: tbl-safety-fidelity-rows
#
# Fidelity of Table 3, the misses | Published adverse-event numbers whose reproduced value
# lies outside its tolerance ({ref}`code <code-safety-fidelity-rows>`).
# ```
