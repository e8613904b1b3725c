"""What the Cox, subgroups, fidelity, methods and software chapters compute through the package.

Each computation a chapter quotes is checked here by hand or against an
independent library, on made-up frames or on the paper's own printed numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.manuscript import load_study
from helpers.paper import choices, consistency, screen, sensitivity
from helpers.paper.published import published
from helpers.printed import parse_printed
from helpers.report import comparisons, figures
from helpers.report import tables as T
from helpers.report.chapter import audit_listing, audit_misses, names_in_text
from helpers.report.interactive import datatables_library, interactive_table
from helpers.study.design import ALPHA, COX_ENTRY_P
from helpers.study.models import ph_summary, subgroup_summary


@pytest.fixture(scope="module")
def study():
    return load_study()


# --- the multivariable screen (Tables 4-5) ------------------------------------------------


def test_the_screen_on_the_printed_p_values_gives_the_papers_model():
    # the paper lists its multivariable covariates; the printed univariate p-values must reproduce the list
    for endpoint in ("pfs", "os"):
        assert set(screen.selection(endpoint).entered) == set(screen.printed_multivariable(endpoint))


def test_the_papers_independent_factors_by_hand():
    # Table 4 multivariate p: liver 0.004, lesions 0.011, 1L-PFS 0.043, lung 0.290; Table 5: 0.003, 0.052, 0.013, 0.485
    assert screen.selection("pfs").independent == ("liver_met", "sites_ge3", "first_line_pfs_ge6")
    assert screen.selection("os").independent == ("liver_met", "first_line_pfs_ge6")


def test_printed_bounds_enter_any_screen():
    p = screen.printed_p("pfs", "univariate")["liver_met"]
    assert p == parse_printed("<0.001") and p.below(0.001)


def test_threshold_screen_counts_by_hand(study):
    frame = screen.threshold_screen(study.results, (0.05, 0.2))
    uni = study.results.cox("pfs").set_index("covariate")["uni_p_value"]
    ours = frame[(frame["endpoint"] == "pfs") & (frame["source"] == "This book")].set_index("threshold")
    assert ours.loc[0.05, "n_entered"] == int((uni < 0.05).sum())
    assert ours.loc[0.2, "n_entered"] == int((uni < 0.2).sum())
    shown = T.threshold_screen_display(frame)
    assert shown.loc[("PFS", "This book"), "p < 0.05"] == str(int((uni < 0.05).sum()))
    sensitive = screen.threshold_sensitive(study.results, (0.05, 0.2))
    mine = set(sensitive[(sensitive["endpoint"] == "pfs") & (sensitive["source"] == "This book")]["variable"])
    assert mine == set(uni[(uni >= 0.05) & (uni < 0.2)].index)


def test_the_books_selection_follows_its_table(study):
    table = study.results.cox("os")
    chosen = screen.selection("os", study.results)
    assert set(chosen.entered) == set(table.loc[table["in_multivariable"], "covariate"])
    assert set(chosen.independent) == set(table.loc[table["multi_p_value"] < ALPHA, "covariate"])


# --- summaries of the PH checks and of Figure 2 --------------------------------------------


def test_ph_summary_by_hand():
    ph = pd.DataFrame(
        {
            "endpoint": ["pfs", "pfs", "pfs", "os", "os"],
            "model": ["univariate a", "multivariable", "multivariable", "multivariable", "multivariable"],
            "covariate": ["a", "a", "GLOBAL", "a", "GLOBAL"],
            "statistic": [1.0, 5.0, 5.0, 0.1, 0.1],
            "df": [1, 1, 1, 1, 1],
            "p_value": [0.3, 0.02, 0.02, 0.9, 0.9],
        }
    )
    out = ph_summary(ph)
    assert out["n_models"] == 3 and out["n_tests"] == 3
    assert out["flagged"]["model"].tolist() == ["multivariable"]
    assert out["global_p"] == {"pfs": 0.02, "os": 0.9}


def test_subgroup_summary_by_hand():
    frame = pd.DataFrame(
        {
            "variable": ["a", "a", "b", "b"],
            "level": [1, 0, 1, 0],
            "estimate": [0.8, 1.2, 0.5, 0.9],
            "p_value": [0.04, 0.5, 0.001, 0.3],
            "p_interaction": [0.2, 0.2, 0.01, 0.01],
        }
    )
    out = subgroup_summary(frame)
    assert (out["n_subgroups"], out["n_characteristics"], out["n_below_one"]) == (4, 2, 3)
    assert (out["n_significant"], out["n_interaction_significant"]) == (2, 1)
    assert out["expected_by_chance"] == pytest.approx(4 * ALPHA)


# --- the paper's consistency and conventions -----------------------------------------------


def test_median_ci_gaps_by_hand():
    gaps = consistency.median_ci_gaps()
    node = published("efficacy.before_psm.pfs.icis")
    assert abs((node["ci95_low"] + node["ci95_high"]) / 2 - node["median"]) in gaps
    assert max(gaps) <= 0.01  # every printed interval is symmetric to rounding


def test_contingency_agreement_adds_up():
    conventions = sensitivity.contingency_conventions()
    agreement = sensitivity.contingency_agreement(conventions)
    assert agreement.loc["All tables", "printed"] == len(conventions)
    assert (agreement.drop("All tables").sum() == agreement.loc["All tables"]).all()
    assert agreement.loc["All tables", "auto"] == len(conventions)  # the rule reproduces every printed p


def test_tie_counts_by_hand():
    counts = sensitivity.tie_counts([1, 1, 1, 2, 3, 3, 4], [1, 1, 1, 1, 1, 0, 1])
    # events at 1 (x3), 2, 3, 4: four distinct times, three events share theirs, the largest tie is 3
    assert counts == {"events": 6, "distinct_event_times": 4, "tied_event_times": 3, "largest_tie": 3}


# --- the analysis choices of the Methods chapter --------------------------------------------


def test_every_unstated_point_of_the_transcription_has_a_row():
    listed = published("methods.not_specified_in_paper")
    covered = {c.transcribed for c in choices.analysis_choices() if c.transcribed is not None}
    assert covered == set(range(len(listed)))
    assert all(c.stated in choices.STATED for c in choices.analysis_choices())
    assert len(choices.unstated()) >= len(listed)


def test_choices_read_the_design():
    text = " ".join(c.book for c in choices.analysis_choices())
    assert f"{COX_ENTRY_P:g}" in " ".join(c.paper for c in choices.analysis_choices())
    assert "Breslow" in text and "reverse Kaplan–Meier" in text
    shown = comparisons.analysis_choices()
    assert list(shown.columns) == ["Original study", "This book", "Stated in the paper"]
    assert int((shown["Stated in the paper"] == "no").sum()) == len(choices.unstated())


# --- display builders: human headers, the paper's decimals, no nan, yes/no -------------------


def _text(frame: pd.DataFrame) -> str:
    return frame.to_string() + " ".join(map(str, frame.columns)) + " ".join(map(str, frame.index))


def test_cox_display_has_no_nan_and_two_header_rows(study):
    shown = T.cox_models_display(study.results.cox("pfs"))
    assert "nan" not in _text(shown).lower()
    assert (shown == T.NOT_IN_MODEL).any().any()
    assert shown.columns.names == [None, "Characteristic"] and shown.index.name is None
    html = T.styled(shown).to_html()
    head = html[html.index("<thead>") : html.index("</thead>")]
    assert head.count("<tr>") == 2 and 'class="index_name level1" >Characteristic' in head
    assert "Liver metastases: Yes vs No" in shown.index
    assert all(" " not in c for c in shown.columns.get_level_values(1))  # headers do not break


def test_sensitivity_displays_are_readable(study):
    data = study.results.cohort
    for frame in (
        T.median_ci_display(sensitivity.median_ci_styles(data)),
        T.ties_display(sensitivity.tie_methods(data)),
        T.consistency_display(consistency.consistency_table()),
        T.listed_inconsistencies_display(consistency.listed_inconsistencies()),
        T.contingency_agreement_display(sensitivity.contingency_agreement()),
    ):
        text = _text(frame)
        assert "True" not in text and "False" not in text and "nan" not in text.lower()
        assert "_" not in " ".join(map(str, frame.columns))


def test_strata_display_and_comparisons(study):
    shown = T.strata_survival_display(study.results)
    assert "nan" not in _text(shown).lower() and len(shown) == 8
    fig3 = comparisons.figure3_curves(study.results)
    assert fig3.loc[("Figure 3A: PFS by liver metastases", "log-rank p"), "Original study"] == "<0.001"
    quoted = comparisons.quoted_subgroups(study.results)
    assert quoted.loc[("Liver metastases: No", "HR (95% CI)"), "Original study"] == "0.78 (0.62–0.97)"
    cox = comparisons.cox_multivariable(study.results, "pfs")
    assert cox.loc[("Liver metastases: Yes vs No", "multivariable p"), "Original study"] == "0.004"


def test_audit_listing_names_every_row_and_puts_misses_first(study):
    table = study.audit.table
    listing = audit_listing(table)
    assert len(listing) == len(table)
    n_miss = len(audit_misses(table))
    assert set(listing["Status"].iloc[:n_miss]) <= {"outside", "unattainable"}
    assert not listing["Published number"].str.contains(r"\w\.\w+\.", regex=True).any()  # labels, not keys
    assert not listing["This book"].str.contains(r"\.\d{4,}", regex=True).any()  # the paper's decimals
    assert "0.000000" not in listing.to_string()


def test_names_in_text():
    assert names_in_text([]) == "none"
    assert names_in_text(["liver_met"]) == "liver metastases"
    assert names_in_text(["liver_met", "ecog_ge2", "first_line_pfs_ge6"]) == "liver metastases, ECOG PS and 1L-PFS"


def test_interactive_tables_need_no_network():
    html = interactive_table(pd.DataFrame({"p": ["<0.001", "0.5"], "n": [1, 2]})).data
    library = datatables_library().data
    for text in (html, library):
        assert "unpkg" not in text and "cdn." not in text and "<script src=" not in text
    assert "&lt;0.001" in html  # cells are text


# --- figures written by analyze --figures ----------------------------------------------------


def test_fidelity_figure_counts_every_row(study):
    fig = figures.fidelity_summary(study.audit.table)
    bars = [p.get_width() for p in fig.axes[0].patches]
    assert sum(bars) == pytest.approx(len(study.audit.table))


def test_follow_up_figure_marks_both_medians(study):
    fig = figures.follow_up_distribution(study.results)
    ax = fig.axes[0]
    heights = sum(p.get_height() for p in ax.patches)
    assert heights == pytest.approx(len(study.results.cohort))
    lines = sorted(line.get_xdata()[0] for line in ax.lines)
    plain = float(np.median(study.results.cohort["os_months"]))
    reverse = float(study.results.whole("before_psm")["median_follow_up"])
    assert lines == pytest.approx(sorted([plain, reverse]))
    assert not math.isclose(plain, reverse)


# --- lifelines as an independent check of the primer's numbers ------------------------------


def test_helpers_agree_with_lifelines_where_the_conventions_agree(study):
    from lifelines import CoxPHFitter, KaplanMeierFitter
    from lifelines.statistics import logrank_test
    from lifelines.utils import median_survival_times

    from helpers.stats.cox import fit_cox
    from helpers.stats.survival import fit_km, logrank, median_survival

    data = study.results.cohort
    ici = data[data["treated"] == 1]
    odd = ici[ici["liver_met"] == 0]  # an odd number of patients: no step lands exactly on one half
    km = fit_km(odd["pfs_months"], odd["pfs_event"])
    kmf = KaplanMeierFitter().fit(odd["pfs_months"], odd["pfs_event"])
    assert km.table["survival"].to_numpy() == pytest.approx(kmf.survival_function_.iloc[1:, 0].to_numpy())
    # where a step lands exactly on one half, rounding in the products can make the tools pick neighbouring times
    assert not (abs(km.table["survival"] - 0.5) < 1e-9).any()
    assert km.median() == pytest.approx(kmf.median_survival_time_)
    loglog = median_survival(km, style="loglog")
    assert [loglog.ci_lower, loglog.ci_upper] == pytest.approx(
        median_survival_times(kmf.confidence_interval_).to_numpy().ravel()
    )
    other = data[data["treated"] == 0]
    ours = logrank(data["os_months"], data["os_event"], data["treated"])
    theirs = logrank_test(ici["os_months"], other["os_months"], ici["os_event"], other["os_event"])
    assert ours.statistic == pytest.approx(theirs.test_statistic)
    efron = fit_cox(data, "os_months", "os_event", ["treated"], ties="efron").summary["coef"].iloc[0]
    cph = CoxPHFitter().fit(data[["os_months", "os_event", "treated"]], "os_months", "os_event")
    assert efron == pytest.approx(cph.params_.iloc[0], abs=1e-5)
    breslow = fit_cox(data, "os_months", "os_event", ["treated"]).summary["coef"].iloc[0]
    assert breslow != pytest.approx(cph.params_.iloc[0], abs=1e-6)  # ties: SPSS's Breslow is not lifelines' Efron


# --- the Software chapter ----------------------------------------------------------------------


def test_every_declared_package_is_used_somewhere():
    from helpers.report import software

    places = software.used_by()
    assert {"seaborn", "lifelines", "itables"} <= set(places)
    assert all(places.values()), {name: where for name, where in places.items() if not where}
    assert "package" in places["seaborn"] and "notebooks" in places["lifelines"]


def test_package_versions_and_layout():
    from helpers.report import software

    versions = software.package_versions()
    assert versions.index[0] == "Python" and "itables" in versions.index
    pins = software.pinned()
    assert pins["itables"] == versions.loc["itables", "Installed"]
    layout = software.package_layout()
    modules = layout.index.get_level_values("Module")
    assert "helpers.paper.registry" in modules and "helpers.report.software" in modules
    assert (layout["What it holds"].str.len() > 0).all()
    layers = list(dict.fromkeys(layout.index.get_level_values("Layer")))
    assert layers[0].startswith("paths") and layers[-1].startswith("manuscript")


def test_r_versions_without_rscript(monkeypatch):
    from helpers.report import software

    monkeypatch.setattr(software.shutil, "which", lambda name: None)
    assert software.r_versions().loc["R", "Version"] == "not installed"
