"""The paper's internal consistency, re-derived from its own printed numbers.

Each check takes only published values (``helpers.published``), does the
arithmetic, and returns a row: what the paper prints, the arithmetic, and the
verdict. Nothing here uses the synthetic cohort: these are facts about the
paper. The list follows the ``inconsistencies`` section of the published
results, plus the convention checks behind our methods (symmetric median CIs,
log-symmetric Cox CIs).
"""

from __future__ import annotations

import math

import pandas as pd
from scipy import stats

from ..printed import round_half_up
from .balance import smd_from_shares
from .published import load_published, published


def _pct(n: float, d: float) -> float:
    return 100.0 * n / d


def _smd(pct1: float, pct0: float) -> float:
    """SMD from two printed percentages, by the formula the book's matching uses."""
    return smd_from_shares(pct1 / 100, pct0 / 100)


def _row(check_id, location, printed, arithmetic, verdict, consistent):
    return {
        "id": check_id,
        "location": location,
        "printed": printed,
        "arithmetic": arithmetic,
        "verdict": verdict,
        "consistent": consistent,
    }


def decimal_comma() -> dict:
    n, d = published("table3_safety.rows.hepatic_toxicities.non_icis.n"), published("table3_safety.n.non_icis")
    printed = published("table3_safety.rows.hepatic_toxicities.non_icis.pct_as_printed")
    pct = round_half_up(_pct(n, d), 1)
    return _row(
        "table3_decimal_comma",
        "Table 3, hepatic toxicities, 2L-non-ICIs",
        printed,
        f"{n}/{d} = {_pct(n, d):.2f}% → {pct:.1f}",
        "typographical: a decimal comma",
        False,
    )


def pd_rounding_figures() -> dict:
    """Table 2 after PSM, 2L-non-ICIs: the PD count and the percentages printed and recomputed.

    ``n``, ``total``, ``printed`` (the PD % as printed), ``exact`` (n / total in
    %), ``rounded`` (that, rounded half up to one decimal), and the sums of the
    PR, SD and PD percentages as printed (``printed_sum``) and as recomputed
    from their counts (``rounded_sum``).
    """
    base = "table2_response.after_psm.non_icis"
    n, d = published(f"{base}.pd.n"), published(f"{base}.n_total")
    rows = ("pr", "sd", "pd")
    return {
        "n": n,
        "total": d,
        "printed": published(f"{base}.pd.pct"),
        "exact": _pct(n, d),
        "rounded": round_half_up(_pct(n, d), 1),
        "printed_sum": round_half_up(sum(published(f"{base}.{r}.pct") for r in rows), 1),
        "rounded_sum": round_half_up(sum(round_half_up(_pct(published(f"{base}.{r}.n"), d), 1) for r in rows), 1),
    }


def pd_rounding() -> dict:
    base = "table2_response.after_psm.non_icis"
    f = pd_rounding_figures()
    pcts = [published(f"{base}.{r}.pct") for r in ("pr", "sd", "pd")]
    return _row(
        "table2_pd_after_psm_rounding",
        "Table 2, after PSM, 2L-non-ICIs, PD",
        f"{f['printed']:.1f}%",
        f"{f['n']}/{f['total']} = {f['exact']:.3f}% → {f['rounded']:.1f}; printed PR + SD + PD = "
        f"{pcts[0]:.1f} + {pcts[1]:.1f} + {pcts[2]:.1f} = {f['printed_sum']:.1f}",
        "rounded to make the column total 100.0",
        False,
    )


def impossible_rate(endpoint: str, level: str, rate_key: str, months: float, check_id: str) -> dict:
    base = f"first_line_pfs.{endpoint}.{level}"
    median, rate = published(f"{base}.median"), published(f"{base}.{rate_key}")
    return _row(
        check_id,
        f"1L-PFS ≥6 stratum, {endpoint.upper()} (Figure 3{'C' if endpoint == 'pfs' else 'D'})",
        f"median {median:.2f} months; {months:g}-month rate {rate:.1f}%",
        f"median {median:.2f} < {months:g} months, so S({months:g}) ≤ S({median:.2f}) ≤ 50%, yet {rate:.1f}% > 50%",
        "impossible for one Kaplan–Meier curve",
        rate <= 50 or median >= months,
    )


STRATA_NAMES = {"liver_mets": "Liver-metastasis", "first_line_pfs": "1L-PFS"}
RATE_NAMES = {"rate_6_month_pct": "6-month", "rate_1_year_pct": "1-year", "rate_2_year_pct": "2-year"}


def strata_reconciliation() -> list[dict]:
    """Size-weighted strata rates against the group's overall rate (pre-PSM sizes)."""
    rows = []
    sizes = {
        "liver_mets": (
            ("with_liver_mets", published("table1.characteristics.liver_metastases.levels.yes.before_psm.icis.n")),
            ("without_liver_mets", published("table1.characteristics.liver_metastases.levels.no.before_psm.icis.n")),
        ),
        "first_line_pfs": (
            ("ge6_months", published("table1.characteristics.first_line_pfs_months.levels.ge6.before_psm.icis.n")),
            ("lt6_months", published("table1.characteristics.first_line_pfs_months.levels.lt6.before_psm.icis.n")),
        ),
    }
    checks = (
        ("pfs", "rate_6_month_pct"),
        ("pfs", "rate_1_year_pct"),
        ("os", "rate_1_year_pct"),
        ("os", "rate_2_year_pct"),
    )
    for variable, ((a, na), (b, nb)) in sizes.items():
        for endpoint, rate in checks:
            try:
                ra, rb = published(f"{variable}.{endpoint}.{a}.{rate}"), published(f"{variable}.{endpoint}.{b}.{rate}")
            except KeyError:
                continue
            overall = published(f"efficacy.before_psm.{endpoint}.icis.{rate}")
            weighted = (na * ra + nb * rb) / (na + nb)
            gap = weighted - overall
            rows.append(
                _row(
                    "strata_vs_overall",
                    f"{STRATA_NAMES[variable]} strata, {RATE_NAMES[rate]} {endpoint.upper()} rate",
                    f"{ra:.1f}% (n={na}) and {rb:.1f}% (n={nb}); overall {overall:.1f}%",
                    f"({na} × {ra:.1f} + {nb} × {rb:.1f}) / {na + nb} = {weighted:.1f}% vs {overall:.1f}% "
                    f"(gap {gap:+.1f} points)",
                    "reconciles" if abs(gap) <= 1.5 else "does not reconcile",
                    abs(gap) <= 1.5,
                )
            )
    return rows


def follow_up_definition() -> dict:
    med_os = published("efficacy.whole_population_before_psm.median_os_months")
    fu = published("cohort.median_follow_up_months")
    return _row(
        "median_follow_up_vs_definition",
        "Section 2.3 definition vs section 3.3",
        f"median follow-up {fu:.1f} months",
        f"follow-up ends at death or last contact; half the patients died by {med_os:.2f} months, so the median of "
        f"that time is at most about {med_os:.2f} months, not {fu:.1f}",
        "only a reverse Kaplan–Meier estimate gives a figure like this; the method is not stated",
        False,
    )


def absolute_difference() -> dict:
    pre = published("efficacy.before_psm.pfs.icis.median") - published("efficacy.before_psm.pfs.non_icis.median")
    post = published("efficacy.after_psm.pfs.icis.median") - published("efficacy.after_psm.pfs.non_icis.median")
    said = published("discussion_statements.absolute_pfs_difference_months")
    return _row(
        "absolute_pfs_difference",
        "Discussion",
        f"{said:.1f} months",
        f"before PSM {pre:.2f}; after PSM {post:.2f}",
        "matches the after-PSM difference, not the headline one",
        abs(round_half_up(pre, 1) - said) < 1e-9,
    )


def ratio_wording() -> dict:
    base = "discussion_statements.liver_mets_comparison_restated"
    pfs = published(f"{base}.median_pfs.with") / published(f"{base}.median_pfs.without")
    os_ = published(f"{base}.median_os.with") / published(f"{base}.median_os.without")
    fold = published(f"{base}.rate_2_year_os_pct.without") / published(f"{base}.rate_2_year_os_pct.with")
    return _row(
        "discussion_ratio_wording",
        "Discussion, liver metastases",
        "medians 'about half'; 2-year OS 'nearly fourfold'",
        f"median ratios {pfs:.2f} (PFS) and {os_:.2f} (OS); 2-year OS ratio {fold:.2f}",
        "loose wording",
        False,
    )


def balance_claim() -> dict:
    rows = []
    for char, level in (("ecog_ps", "ge2"), ("age", "ge65")):
        base = f"table1.characteristics.{char}.levels.{level}"
        before = _smd(published(f"{base}.before_psm.icis.pct"), published(f"{base}.before_psm.non_icis.pct"))
        after = _smd(published(f"{base}.after_psm.icis.pct"), published(f"{base}.after_psm.non_icis.pct"))
        rows.append(f"{char} {level}: SMD {before:+.2f} before, {after:+.2f} after")
    return _row(
        "psm_balance_claim",
        "Section 3.1 and Table 1",
        "'balanced after PSM'",
        "; ".join(rows),
        "balance judged by p-values; two standardized differences exceed 0.1 after matching",
        False,
    )


def median_ci_gaps() -> list[float]:
    """For every printed median with a 95% CI: |midpoint of the CI − median|, in months (0 for a symmetric CI)."""
    return [abs((v["ci95_low"] + v["ci95_high"]) / 2 - v["median"]) for _path, v in _medians_with_ci()]


def median_ci_symmetry() -> dict:
    gaps = median_ci_gaps()
    return _row(
        "median_ci_symmetric",
        "All Kaplan–Meier median CIs",
        f"{len(gaps)} medians with 95% CIs",
        f"largest |midpoint − median| = {max(gaps):.3f} months",
        "every interval is median ± constant: an SE-based (symmetric) interval, as SPSS prints",
        max(gaps) <= 0.01,
    )


def _medians_with_ci():
    tree = load_published()
    out = []

    def walk(node, path):
        if isinstance(node, dict):
            if {"median", "ci95_low", "ci95_high"} <= set(node):
                out.append((path, node))
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else k)

    walk(tree, "")
    return out


def cox_log_symmetry() -> dict:
    worst_ratio, worst_p = 0.0, 0.0
    n = 0
    for table in ("table4_cox_pfs", "table5_cox_os"):
        for row in published(f"{table}.rows").values():
            for model in ("univariate", "multivariate"):
                r = row[model]
                if r["hr"] is None:
                    continue
                n += 1
                geo = math.sqrt(r["ci_low"] * r["ci_high"])
                worst_ratio = max(worst_ratio, abs(geo / r["hr"] - 1))
                se = (math.log(r["ci_high"]) - math.log(r["ci_low"])) / (2 * stats.norm.ppf(0.975))
                implied = 2 * stats.norm.sf(abs(math.log(r["hr"])) / se)
                printed = 0.0005 if isinstance(r["p"], str) else r["p"]
                if not isinstance(r["p"], str):
                    worst_p = max(worst_p, abs(implied - printed))
    return _row(
        "cox_wald",
        "Tables 4 and 5",
        f"{n} hazard ratios with CIs and p",
        f"HR vs geometric mean of its CI: largest relative gap {worst_ratio:.4f}; Wald p implied by the CI vs "
        f"printed p: largest gap {worst_p:.3f}",
        "Wald intervals and Wald p-values",
        worst_ratio < 0.01 and worst_p < 0.02,
    )


def _se_from_ci(lo: float, hi: float) -> float:
    return (math.log(hi) - math.log(lo)) / (2 * stats.norm.ppf(0.975))


def cox_lung_sites_tension() -> dict:
    """Table 5: the wide multivariable CI of >= 3 sites against the small lung-metastasis confounding.

    A multivariable SE larger than the univariate one by a factor f means a
    variance inflation f^2, i.e. the covariate shares R^2 = 1 - 1/f^2 with the
    others. Liver metastases and first-line PFS are nearly uninflated, so the
    sharing must be with lung metastases. In the linear approximation the
    univariate lung log-HR then carries b * beta_sites on top of its own
    multivariable coefficient, with b = r * sd(sites) / sd(lung) from the
    printed prevalences. The check compares the lung univariate HR and p this
    implies with the printed ones.
    """
    rows = published("table5_cox_os.rows")
    sites, lung = rows["number_of_metastatic_lesions"], rows["lung_metastases"]
    f = _se_from_ci(sites["multivariate"]["ci_low"], sites["multivariate"]["ci_high"]) / _se_from_ci(
        sites["univariate"]["ci_low"], sites["univariate"]["ci_high"]
    )
    r2 = 1 - 1 / f**2
    base = "table1.characteristics.{}.levels.{}.before_psm.icis.pct"
    p_sites = published(base.format("number_of_metastatic_lesions", "ge3")) / 100
    p_lung = published(base.format("lung_metastases", "yes")) / 100
    b = math.sqrt(r2) * math.sqrt(p_sites * (1 - p_sites)) / math.sqrt(p_lung * (1 - p_lung))
    implied = math.log(lung["multivariate"]["hr"]) + b * math.log(sites["multivariate"]["hr"])
    se_lung = _se_from_ci(lung["univariate"]["ci_low"], lung["univariate"]["ci_high"])
    implied_p = 2 * stats.norm.sf(implied / se_lung)
    return _row(
        "cox_sites_ci_vs_lung",
        "Table 5, ≥3 metastatic lesions (multivariate) and lung metastases (univariate)",
        f"sites multivariate HR {sites['multivariate']['hr']:.3f}, p {sites['multivariate']['p']}; "
        f"lung univariate HR {lung['univariate']['hr']:.3f}, p {lung['univariate']['p']}",
        f"SE ratio {f:.2f} → shared R² {r2:.2f} → lung univariate log-HR ≈ log {lung['multivariate']['hr']:.3f} + "
        f"{b:.2f} × log {sites['multivariate']['hr']:.3f} = HR {math.exp(implied):.2f}, p {implied_p:.3f}",
        "the sites CI asks for a correlation with lung metastases that the lung HRs do not show (linear approximation)",
        (implied_p >= 0.05) == (lung["univariate"]["p"] >= 0.05),
    )


def significant_traes() -> dict:
    rows = published("table3_safety.rows")
    sig = [r["label"] for r in rows.values() if (0.0005 if isinstance(r["p"], str) else r["p"]) < 0.05]
    return _row(
        "abstract_trae_comparability",
        "Abstract and section 3.5 vs Table 3",
        "'comparable between the groups'",
        f"{len(sig)} rows of Table 3 differ at p < 0.05: {', '.join(sig)}",
        "true only after leaving out immune-related events",
        False,
    )


def sites_vs_lesions() -> dict:
    base = "table1.characteristics.number_of_metastatic_lesions.levels.ge3.before_psm"
    n = published(f"{base}.icis.n") + published(f"{base}.non_icis.n")
    total = published("cohort.n_total")
    text = published("cohort.whole_cohort_percentages_section_3_1.metastatic_sites_ge3_pct")
    return _row(
        "metastatic_sites_vs_lesions",
        "Section 3.1 vs Tables 1, 4, 5",
        f"'≥3 metastatic sites' {text:.1f}% in the text; 'number of metastatic lesions' in the tables",
        f"({n}/{total}) = {_pct(n, total):.1f}%: the same variable under two names",
        "terminology",
        False,
    )


def consistency_table() -> pd.DataFrame:
    """Every check, one row each: id, location, printed, arithmetic, verdict, consistent."""
    rows = [
        decimal_comma(),
        pd_rounding(),
        impossible_rate("pfs", "ge6_months", "rate_6_month_pct", 6, "first_line_pfs_ge6_pfs_median_vs_6month_rate"),
        impossible_rate("os", "ge6_months", "rate_1_year_pct", 12, "first_line_pfs_ge6_os_median_vs_1year_rate"),
        *strata_reconciliation(),
        follow_up_definition(),
        absolute_difference(),
        ratio_wording(),
        balance_claim(),
        significant_traes(),
        sites_vs_lesions(),
        median_ci_symmetry(),
        cox_log_symmetry(),
        cox_lung_sites_tension(),
    ]
    return pd.DataFrame(rows)


def inconsistencies() -> pd.DataFrame:
    """The checks of :func:`consistency_table` that find the paper inconsistent.

    Their number is "the paper's internal inconsistencies" wherever the book
    counts them (front page, introduction, fidelity audit, discussion).
    """
    table = consistency_table()
    return table[~table["consistent"]].reset_index(drop=True)


def listed_inconsistencies() -> pd.DataFrame:
    """The transcriber's list (id, location, type, severity), for cross-reference."""
    return pd.DataFrame(published("inconsistencies"))[["id", "location", "type", "severity", "description"]]
