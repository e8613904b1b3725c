"""Balance from the paper's printed counts, and the consistency figures the chapters quote."""

from __future__ import annotations

import math

import pytest

from helpers.paper import consistency
from helpers.paper.balance import published_balance, smd_from_counts, smd_from_shares
from helpers.paper.published import TABLE1_KEYS, published
from helpers.study.cohort import TABLE1_VARIABLES


def test_smd_by_hand():
    # 30 of 100 treated and 20 of 100 controls: (0.3 - 0.2) / sqrt((0.21 + 0.16) / 2)
    expected = 0.1 / math.sqrt(0.185)
    assert smd_from_counts(30, 70, 20, 80) == pytest.approx(expected)
    assert smd_from_shares(0.3, 0.2) == pytest.approx(expected)
    assert smd_from_counts(20, 80, 30, 70) == pytest.approx(-expected)  # treated minus control


def test_published_balance_follows_the_printed_counts():
    table = published_balance().set_index("covariate")
    assert table.index.tolist() == list(TABLE1_VARIABLES)
    for var in TABLE1_VARIABLES:
        char, level = TABLE1_KEYS[var]
        for pop, short in (("before_psm", "before"), ("after_psm", "after")):
            n = published(f"table1.n.{pop}")
            cell = published(f"table1.characteristics.{char}.levels.{level}.{pop}")
            p1, p0 = cell["icis"]["n"] / n["icis"], cell["non_icis"]["n"] / n["non_icis"]
            smd = (p1 - p0) / math.sqrt((p1 * (1 - p1) + p0 * (1 - p0)) / 2)
            assert table.loc[var, f"smd_{short}"] == pytest.approx(smd)
            assert table.loc[var, f"abs_smd_{short}"] == pytest.approx(abs(smd))


def test_the_consistency_audit_uses_the_same_smd():
    # the balance claim row quotes ECOG PS after matching from the printed percentages
    base = "table1.characteristics.ecog_ps.levels.ge2.after_psm"
    smd = smd_from_shares(published(f"{base}.icis.pct") / 100, published(f"{base}.non_icis.pct") / 100)
    assert f"{smd:+.2f} after" in consistency.balance_claim()["arithmetic"].split(";")[0]


def test_pd_rounding_figures_by_hand():
    f = consistency.pd_rounding_figures()
    base = "table2_response.after_psm.non_icis"
    assert (f["n"], f["total"]) == (published(f"{base}.pd.n"), published(f"{base}.n_total"))
    assert f["exact"] == pytest.approx(100 * f["n"] / f["total"])
    assert f["rounded"] == pytest.approx(round(f["exact"] + 1e-9, 1))
    assert f["printed"] != f["rounded"]  # the inconsistency itself
    assert f["printed_sum"] == pytest.approx(100.0)


def test_inconsistencies_are_the_failed_checks():
    table = consistency.consistency_table()
    found = consistency.inconsistencies()
    assert len(found) == int((~table["consistent"]).sum()) > 0
    assert not found["consistent"].any()
