"""The consistency audit re-derives the paper's contradictions from its own numbers."""

from helpers.paper.consistency import consistency_table, listed_inconsistencies


def test_the_numeric_inconsistencies_are_found():
    table = consistency_table().set_index("id", append=True)
    found = {i for _, i in table.index}
    listed = set(listed_inconsistencies()["id"])
    numeric = {
        "table3_decimal_comma",
        "table2_pd_after_psm_rounding",
        "first_line_pfs_ge6_pfs_median_vs_6month_rate",
        "first_line_pfs_ge6_os_median_vs_1year_rate",
        "median_follow_up_vs_definition",
        "absolute_pfs_difference",
        "discussion_ratio_wording",
        "psm_balance_claim",
        "abstract_trae_comparability",
        "metastatic_sites_vs_lesions",
    }
    assert numeric <= found
    assert numeric <= listed


def test_impossible_rates_are_flagged_inconsistent():
    table = consistency_table().set_index("id")
    assert not table.loc["first_line_pfs_ge6_pfs_median_vs_6month_rate", "consistent"]
    assert "54.6% > 50%" in table.loc["first_line_pfs_ge6_pfs_median_vs_6month_rate", "arithmetic"]


def test_liver_strata_reconcile_and_first_line_strata_do_not():
    rows = consistency_table()
    strata = rows[rows["id"] == "strata_vs_overall"]
    liver = strata[strata["location"].str.startswith("Liver")]
    first_line = strata[strata["location"].str.startswith("1L-PFS")]
    assert liver["consistent"].all()
    assert (~first_line["consistent"]).sum() == 3  # 6-month PFS, 1-year OS, 2-year OS; 1-year PFS reconciles


def test_the_methods_conventions_hold_in_the_paper():
    table = consistency_table().set_index("id")
    assert table.loc["median_ci_symmetric", "consistent"]
    assert table.loc["cox_wald", "consistent"]


def test_ecog_smd_after_matching_exceeds_0_1():
    row = consistency_table().set_index("id").loc["psm_balance_claim"]
    assert "-0.18 after" in row["arithmetic"]
