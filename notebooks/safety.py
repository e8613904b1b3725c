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
# **To re-run this notebook** you need the project around it (the package `helpers`, the
# cohort file and the published numbers): clone the project's repository, run `make install`
# in its folder (this creates `.venv` with the locked packages), then open the notebook with
# `.venv/bin/jupyter lab notebooks/safety.ipynb`. The book is built from the paired
# `notebooks/safety.py`; after editing, `.venv/bin/jupytext --sync notebooks/safety.py`
# keeps the two in step.

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
from IPython.display import Markdown
from myst_nb import glue

from helpers.manuscript import load_study
from helpers.paper.published import published
from helpers.report.chapter import fidelity_section, glue_all, glue_registry
from helpers.report.tables import counts_display, p_phrase, p_value_note, styled
from helpers.report.words import agree, count_noun, join_words, labels_in_text
from helpers.stats.contingency import EXPECTED_CUTOFF, compare_proportions, expected_counts
from helpers.study.cohort import GROUP_NON_ICI
from helpers.study.counts import rows_absent_in, rows_by_test, significant_rows, two_by_two, worst_grades
from helpers.study.design import ALPHA, SAFETY_GRADES, SAFETY_LABELS, describe_test

study = load_study()
results = study.results
safety = results.safety()
# every number of Table 3, ours and the paper's: safety_rows_rash_icis_n(_pub), safety_rows_rash_p_phrase, ...
glue_registry(results, "table3_safety.", "safety_")
grades = join_words(map(str, SAFETY_GRADES["g34_hematologic_toxicities"]), conjunction="or")
glue_all({"ctcae": published("methods.adverse_event_grading"), "g34_grades": grades, "alpha": ALPHA}, "safety_")
glue_all({f"label_{row}": label for row, label in SAFETY_LABELS.items()} | {"cutoff": EXPECTED_CUTOFF}, "safety_")

# %% [markdown]
# ## Grading and counting adverse events
#
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
grades = worst_grades(results.cohort, "ae_hematologic")
grades.columns = ["none", *(f"grade\N{NO-BREAK SPACE}{g}" for g in grades.columns[1:])]
glue("safety_tbl_grades", styled(grades), display=False)

# %% [markdown]
# ```{glue:figure} safety_tbl_grades
# :name: tbl-safety-grades
#
# Worst grade | Patients of each group by the worst grade of hematologic toxicity they had
# during 2L treatment, synthetic cohort ({ref}`code <code-safety-grades>`).
# ```
#
# The row "{glue:text}`safety_label_hematologic_toxicities`" of Table 3 counts every patient with a worst grade of at
# least $1$ ({glue:text}`safety_rows_hematologic_toxicities_icis_n` in the 2L-ICIs group); the
# row "{glue:text}`safety_label_g34_hematologic_toxicities`" counts those whose worst grade was
# {glue:text}`safety_g34_grades` ({glue:text}`safety_rows_g34_hematologic_toxicities_icis_n`).
# The second group of patients is part of the first. The original study prints the same
# counts, {glue:text}`safety_rows_hematologic_toxicities_icis_n_pub` and
# {glue:text}`safety_rows_g34_hematologic_toxicities_icis_n_pub`; the synthetic cohort was
# generated to meet them.
#
# ## Table 3
#
# (code-table-3)=

# %% tags=["hide-input"]
glue("safety_table3", styled(counts_display({"Before PSM": safety}, row_label="Adverse event")), display=False)
glue("safety_table3_tests", Markdown(p_value_note({"Before PSM": safety})), display=False)

# %% [markdown]
# ```{glue:figure} safety_table3
# :name: table-3
#
# Table 3 | Patients with each treatment-related adverse event, counted once at their worst
# grade, by 2L treatment group before propensity score matching (synthetic cohort).
# {glue:md}`safety_table3_tests` ({ref}`code <code-table-3>`)
# ```

# %% tags=["remove-cell"]
only_ici = rows_absent_in(safety, GROUP_NON_ICI)
n_only_ici = f"{len(only_ici)} of the {len(safety)} rows {agree(len(only_ici), 'has', 'have')}"
glue_all({"n_only_ici": n_only_ici, "only_ici": labels_in_text(only_ici, SAFETY_LABELS)}, "safety_")

# %% [markdown]
# The common toxicities of cancer treatment occur at similar rates in the two groups:
# hematologic ({glue:text}`safety_rows_hematologic_toxicities_p_phrase`), gastrointestinal
# ({glue:text}`safety_rows_gastrointestinal_toxicities_p_phrase`) and hepatic
# ({glue:text}`safety_rows_hepatic_toxicities_p_phrase`). The other rows are different in kind:
# no patient of the 2L-non-ICIs group had any of them. These are the **immune-related adverse
# events** (irAEs). An ICI releases a brake on the immune system so that it attacks the
# tumour, and the immune system may then attack healthy organs as well: the thyroid
# (hypothyroidism), the skin (rash), the lungs (pneumonitis), the bowel (diarrhoea from
# colitis) or the adrenal glands. Chemotherapy and anti-angiogenic drugs do not act this way,
# so these events are expected only in the 2L-ICIs group. (Chemotherapy also causes
# diarrhoea, but the paper presumably counted that among the gastrointestinal toxicities.) In
# the synthetic cohort, as in the original study, {glue:text}`safety_n_only_ici` no case in
# the 2L-non-ICIs group: {glue:text}`safety_only_ici`.
#
# ## Why Fisher's exact test for the rare events
#
# Pearson's chi-square test compares observed counts with the counts *expected* if the event did not
# depend on the group, and turns the sum of squared differences into a p-value through the chi-square
# distribution. That distribution is only an approximation, good when every expected count is
# reasonably large and poor when some are small. Fisher's exact test needs no approximation:
# keeping the row and column totals fixed, it adds up the probabilities of every table at
# least as unusual as the one observed. The book follows the rule that reproduces the original
# study's p-values: Fisher whenever an expected count is below
# {glue:text}`safety_cutoff:.0f`. The cell below computes the expected counts for pneumonitis
# and runs the test the rule picks.

# %%
observed = two_by_two(safety, "pneumonitis")
test = compare_proportions(observed)
expected = expected_counts(observed).round(2).astype(str)
styled(pd.concat({"observed": observed, "expected": expected}, axis=1))

# %% tags=["remove-cell"]
hypothyroidism = compare_proportions(two_by_two(safety, "hypothyroidism"))
glue_all(
    {
        "pn_total": int(observed.iloc[0].sum()),
        "pn_min_expected": test.min_expected,
        "pn_test": describe_test(test.test),
        "pn_p": p_phrase(test.p_value),
        "pn_p_pearson": p_phrase(compare_proportions(observed, method="pearson").p_value),
        "fisher_rows": labels_in_text(rows_by_test(safety).get("fisher", ()), SAFETY_LABELS),
        "hypo_min_expected": hypothyroidism.min_expected,
        "hypo_test": describe_test(hypothyroidism.test),
    },
    "safety_",
)

# %% [markdown]
# Only {glue:text}`safety_pn_total` patients in all had pneumonitis, so the expected count in
# the 2L-non-ICIs group is just {glue:text}`safety_pn_min_expected:.2f`, below the cut-off:
# the test is {glue:text}`safety_pn_test` and gives {glue:text}`safety_pn_p`, the value the
# original study printed ({glue:text}`safety_rows_pneumonitis_p_pub_phrase`). Pearson's test
# on the same table would have given {glue:text}`safety_pn_p_pearson`. The rule picks
# Fisher's test for {glue:text}`safety_fisher_rows`. A zero in the table is not enough by
# itself: hypothyroidism also has no case in the 2L-non-ICIs group, but it is common enough in
# the 2L-ICIs group that its smallest expected count is
# {glue:text}`safety_hypo_min_expected:.2f`, and the rule uses {glue:text}`safety_hypo_test`
# there.

# %% tags=["remove-cell"]
significant = significant_rows(safety, ALPHA)
p_values = {row: p_phrase(p) for row, p in zip(safety["row"], safety["p_value"], strict=True)}
glue_all(
    {
        "n_significant": count_noun(len(significant), "row", verb=("differs", "differ")),
        "significant": labels_in_text(significant, SAFETY_LABELS, p_values),
        "significant_kind": "All of them are immune-related events, which the 2L-non-ICIs group could hardly have."
        if set(significant) <= set(only_ici)
        else "Not all of them are immune-related events.",
    },
    "safety_",
)

# %% [markdown]
# :::{warning}
# The original study's abstract describes the adverse events of the two groups as comparable.
# Table 3 supports that only in part: {glue:text}`safety_n_significant` between the groups at
# the {glue:text}`safety_alpha` level, namely {glue:text}`safety_significant`.
# {glue:text}`safety_significant_kind` Only the Discussion of the paper narrows the claim to
# adverse events other than the immune-related ones, and it is in that narrower sense that the
# groups are comparable. Severe immune-related events were rare: the row
# "{glue:text}`safety_label_g3_rash`" counts {glue:text}`safety_rows_g3_rash_icis_n_pub` of the
# 2L-ICIs patients in the paper and {glue:text}`safety_rows_g3_rash_icis_n` in the synthetic
# cohort.
# :::
#
# (safety-fidelity)=
# ## Beside the original study
#
# The fidelity audit (`helpers.paper.fidelity`) sets every number of Table 3 beside the
# reproduced value. All of them are counts, percentages and p-values before matching, so they
# must agree exactly; the p-values also check the rule that chose each test.
#
# (code-safety-fidelity)=

# %% tags=["hide-input"]
audit_rows = fidelity_section(study.audit.table, "Safety (Table 3)", "safety", styler=styled)

# %% [markdown]
# ```{glue:figure} safety_tbl_fidelity_summary
# :name: tbl-safety-fidelity-summary
#
# Fidelity of Table 3 | Published adverse-event numbers counted by the status of the
# reproduced value: equal at the printed digits (exact), within the tolerance, outside it, or
# impossible to reproduce ({ref}`code <code-safety-fidelity>`).
# ```
#
# Of the {glue:text}`safety_fid_n` published numbers of Table 3,
# {glue:text}`safety_fid_ok` are reproduced exactly. Those that are not, if any, are listed
# here:
#
# ```{glue:figure} safety_tbl_fidelity_off
# :name: tbl-safety-fidelity-off
#
# Fidelity of Table 3, the misses | Published adverse-event numbers whose reproduced value
# lies outside its tolerance ({ref}`code <code-safety-fidelity>`).
# ```
