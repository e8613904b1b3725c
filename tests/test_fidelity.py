"""The fidelity audit: its judging rules, its coverage, and the thresholds the issue sets."""

from __future__ import annotations

import re

import pytest

from helpers.manuscript import load_study
from helpers.paper.fidelity import judge, section_view, summary, unregistered_keys
from helpers.paper.published import flatten, published_keys
from helpers.paper.registry import Quantity, quantity, registry


def Reproduced(value, kind, klass, decimals=None):  # a hand-made quantity whose reproduced value is `value`
    return Quantity("k", "k", kind, klass, decimals, get=lambda r: value), value


@pytest.fixture(scope="module")
def audit():
    return load_study().audit.table


# --- judging rules, on hand-made values ------------------------------------------------


def test_exact_class_compares_printed_digits():
    assert judge_hand(31.3, Reproduced(100 * 155 / 496, "pct", "exact", 1))["status"] == "exact"  # 31.25 -> 31.3
    assert judge_hand(31.2, Reproduced(100 * 155 / 496, "pct", "exact", 1))["status"] == "outside"


def test_p_floor_is_matched_by_any_p_below_it():
    assert judge_hand("<0.001", Reproduced(0.0004, "p", "exact", 3))["status"] == "exact"
    assert judge_hand("<0.001", Reproduced(0.0012, "p", "exact", 3))["status"] == "outside"
    assert judge_hand("<0.001", Reproduced(0.003, "p", "main", 3))["status"] == "within"  # same side, below 0.01


def test_main_p_values_must_agree_within_0_02_above_0_01():
    assert judge_hand(0.055, Reproduced(0.070, "p", "main", 3))["status"] == "within"
    assert judge_hand(0.055, Reproduced(0.080, "p", "main", 3))["status"] == "outside"
    assert judge_hand(0.055, Reproduced(0.049, "p", "main", 3))["status"] == "outside"  # other side of 0.05
    assert judge_hand(0.292, Reproduced(0.60, "p", "secondary", 3))["status"] == "within"  # side only


@pytest.mark.parametrize(
    ("klass", "kind", "published", "reproduced", "status"),
    [
        ("main", "median", 4.13, 4.27, "within"),
        ("main", "median", 4.13, 4.29, "outside"),
        ("secondary", "median", 4.14, 4.43, "within"),
        ("main", "hr", 0.62, 0.66, "within"),
        ("main", "hr", 0.62, 0.68, "outside"),
        ("cox", "hr", 1.886, 2.03, "within"),
        ("secondary", "count", 162, 170, "within"),
        ("secondary", "count", 162, 171, "outside"),
        ("main", "rate", 34.1, 37.2, "outside"),
    ],
)
def test_tolerance_classes(klass, kind, published, reproduced, status):
    decimals = 0 if kind == "count" else 3 if klass == "cox" else 2
    assert judge_hand(published, Reproduced(reproduced, kind, klass, decimals))["status"] == status


def judge_hand(published, made):
    q, value = made
    return judge(q, published, value)


def test_unattainable_rows_carry_the_reason():
    row = judge(quantity("first_line_pfs.pfs.ge6_months.rate_6_month_pct"), 54.6, 40.0)
    assert row["status"] == "unattainable" and "4.46" in row["note"]


# --- the registry ------------------------------------------------------------------------


def test_the_registry_covers_every_published_number():
    assert unregistered_keys() == []


def test_registry_labels_are_unique_and_readable():
    labels = [q.label for q in registry().values()]
    assert len(set(labels)) == len(labels)
    assert not [label for label in labels if re.search(r"\w\.[a-z_]+\.|_", label)]  # no keys or code names
    assert quantity("table1.characteristics.gender.levels.male.before_psm.icis.n").label == (
        "Table 1 · Gender: Male · before PSM · 2L-ICIs · n"
    )


def test_registry_values_follow_the_tables(audit):
    book = load_study()
    t1 = book.results.table1("before_psm")
    males = int(t1[(t1["variable"] == "male") & (t1["level"] == 1)]["n_2L-ICIs"].iloc[0])
    assert quantity("table1.characteristics.gender.levels.male.before_psm.icis.n").reproduce(book.results) == males
    assert quantity("abstract_key_results.n_total").reproduce(book.results) == len(book.results.cohort)


# --- coverage and thresholds on the synthetic cohort -------------------------------------


def test_every_published_number_has_a_row(audit):
    keys = set(published_keys())
    assert set(audit["key"]) == keys, sorted(keys - set(audit["key"]))[:10]
    assert set(audit["key"]) <= set(flatten())
    assert not audit["key"].str.startswith("cited_literature_values").any()


def test_at_least_95_percent_exact_or_within(audit):
    share = audit["status"].isin(["exact", "within"]).mean()
    bad = audit[~audit["status"].isin(["exact", "within"])]
    assert share >= 0.95, bad[["key", "published", "reproduced", "status"]].to_string()


def test_the_exact_class_is_all_exact(audit):
    exact = audit[audit["class"] == "exact"]
    bad = exact[exact["status"] != "exact"]
    assert bad.empty, bad.to_string()


def test_every_test_falls_on_the_papers_side_of_0_05(audit):
    tests = audit[audit["key"].str.endswith((".p", "p_before_psm", "p_after_psm", "p_orr", "p_dcr", "significant"))]
    assert len(tests) > 60
    bad = tests[tests["status"] == "outside"]
    assert bad.empty, bad[["key", "published", "reproduced"]].to_string()


def test_unattainable_only_with_a_note(audit):
    rows = audit[audit["status"] == "unattainable"]
    assert (rows["note"].str.len() > 20).all()


def test_summary_adds_up(audit):
    table = summary(audit)
    assert int(table["total"].sum()) == len(audit)


def test_section_view_splits_counts_and_misses(audit):
    counts, misses = section_view(audit, ["Safety (Table 3)"])
    assert int(counts["total"].sum()) == int((audit["section"] == "Safety (Table 3)").sum())
    assert set(misses.columns) >= {"key", "published", "reproduced", "status"}
