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
# `.venv/bin/jupyter lab notebooks/cox.ipynb`.

# %% [markdown]
# (cox)=
# # Prognostic factors within the 2L-ICIs group
#
# :::{admonition} What and why
# Tables 4 and 5 of the original study ask which baseline characteristics go with longer or
# shorter PFS and OS *among the patients who received an ICI in second line*. This chapter
# refits those Cox models on the synthetic cohort, shows which characteristics pass the paper's
# screening rule into the multivariable model, checks the proportional-hazards assumption the
# models rest on (the paper reports no such check), and compares every hazard ratio with the
# printed one.
# :::

# %% tags=["remove-cell"]
from myst_nb import glue

from helpers.manuscript import load_study
from helpers.paper import screen
from helpers.report import comparisons
from helpers.report.chapter import fidelity_section, glue_all, names_in_text
from helpers.report.tables import cox_models_display, p_phrase, ph_tests_display, styled, threshold_screen_display
from helpers.study.cohort import TABLE1_VARIABLES
from helpers.study.design import ALPHA, COX_ENTRY_P, ENDPOINT_SHORT, ENDPOINTS, characteristic_in_text
from helpers.study.models import ph_summary

study = load_study()
results = study.results

# %% [markdown]
# ## Who is in the models
#
# The paper does not say which patients its Cox models used. The book follows
# {ref}`the methods chapter <methods>`: all patients of the 2L-ICIs group before matching. The
# other candidate would be the matched 2L-ICIs patients only.

# %% tags=["remove-cell"]
glue_all(
    {
        "n": int(results.cox("pfs")["n"].iloc[0]),
        "events_pfs": int(results.cox("pfs")["events"].iloc[0]),
        "events_os": int(results.cox("os")["events"].iloc[0]),
        "n_matched_ici": results.headline["matched"]["treated"],
        "n_characteristics": len(TABLE1_VARIABLES),
        "entry_p": COX_ENTRY_P,
        "alpha": ALPHA,
    },
    "cox_",
)

# %% [markdown]
# The models below therefore use {glue:text}`cox_n` patients, with
# {glue:text}`cox_events_pfs` PFS events (progression or death) and {glue:text}`cox_events_os`
# deaths; the matched 2L-ICIs group would have {glue:text}`cox_n_matched_ici`. Because the
# paper's liver-metastasis strata of Figure 3 average back to the rates of the whole
# pre-matching 2L-ICIs group, that group is the most likely population for Tables 4 and 5 as
# well, but this remains an inference.
#
# ## Univariable and multivariable models
#
# A Cox model relates the hazard of the event to one or more characteristics, each coded yes
# or no. Every one of the {glue:text}`cox_n_characteristics` characteristics of Table 1 is first
# fitted **on its own** (a *univariable* model; the paper says "univariate"). Its hazard ratio
# compares the level the paper lists first with the one it lists second, for example patients
# with liver metastases against patients without; an HR above one means a higher hazard, so
# shorter survival. The paper never states the reference level, but the directions of its HRs
# fit this coding.
#
# A univariable HR mixes the effect of the characteristic with that of everything associated
# with it: patients with liver metastases also tend to have more metastatic sites. A
# **multivariable** model fits several characteristics together, so that each HR is *adjusted*
# for the others in the model: it compares patients who differ in that characteristic but are
# alike in the rest.
#
# The original study let a characteristic into the multivariable model when its univariable
# p-value was below {glue:text}`cox_entry_p`, and the book applies the same rule (the setting
# `COX_ENTRY_P` of `helpers.study.design`).
#
# :::{note}
# **Screening on univariable p-values is debatable.** It selects characteristics by their
# *unadjusted* association, so a factor that matters only after adjustment can be left out and
# a factor that only borrows the effect of another can be let in. The multivariable p-values
# then ignore that the variables were picked on the same data, so they look more convincing
# than they are, and the threshold itself is arbitrary: a characteristic near it enters or not
# by chance. {ref}`The threshold table <tbl-cox-thresholds>` below shows how the selection
# changes with the threshold. A model chosen in advance from clinical knowledge avoids these
# problems. The book reproduces the screen because the paper used it, not as a recommendation.
# :::
#
# ## Table 4: progression-free survival
#
# (code-table-4)=

# %% tags=["hide-input"]
glue("cox_table_4", styled(cox_models_display(results.cox("pfs"))), display=False)

# %% [markdown]
# ```{glue:figure} cox_table_4
# :name: table-4
#
# Table 4 | Univariable and multivariable Cox models for PFS in the 2L-ICIs group before
# matching: hazard ratio of the first-listed level against the second, with its Wald confidence
# interval and p-value. A dash marks a characteristic whose univariable p-value was not below
# {glue:text}`cox_entry_p`, so that it did not enter the multivariable model.
# ({ref}`code <code-table-4>`)
# ```

# %% tags=["remove-cell"]
for endpoint in ENDPOINTS:
    ours, theirs = screen.selection(endpoint, results), screen.selection(endpoint)
    glue_all(
        {
            "entered": names_in_text(ours.entered),
            "pub_entered": names_in_text(theirs.entered),
            "entered_same": "the same set as" if set(ours.entered) == set(theirs.entered) else "a different set from",
            "independent": names_in_text(ours.independent),
            "pub_independent": names_in_text(theirs.independent),
        },
        f"cox_{endpoint}_",
    )

# %% [markdown]
# For PFS the screen lets in {glue:text}`cox_pfs_entered`, {glue:text}`cox_pfs_entered_same`
# the original study's multivariable model ({glue:text}`cox_pfs_pub_entered`). In the
# multivariable model, the characteristics with p below {glue:text}`cox_alpha` (the paper's
# "independent factors") are {glue:text}`cox_pfs_independent` here and
# {glue:text}`cox_pfs_pub_independent` in the original study.
#
# ## Table 5: overall survival
#
# (code-table-5)=

# %% tags=["hide-input"]
glue("cox_table_5", styled(cox_models_display(results.cox("os"))), display=False)

# %% [markdown]
# ```{glue:figure} cox_table_5
# :name: table-5
#
# Table 5 | Univariable and multivariable Cox models for OS in the 2L-ICIs group before
# matching, laid out as {ref}`Table 4 <table-4>`; a dash marks a characteristic outside the
# multivariable model. ({ref}`code <code-table-5>`)
# ```
#
# For OS the screen lets in {glue:text}`cox_os_entered`, {glue:text}`cox_os_entered_same` the
# original study's model ({glue:text}`cox_os_pub_entered`). The characteristics with
# multivariable p below {glue:text}`cox_alpha` are {glue:text}`cox_os_independent` here and
# {glue:text}`cox_os_pub_independent` in the original study.
#
# ## The multivariable models beside the paper's
#
# The two comparison tables set the hazard ratios of the characteristics in the paper's
# multivariable models beside the book's, first as the univariable and then as the
# multivariable model gives them.
#
# (code-tbl-cox-published)=

# %% tags=["hide-input"]
for endpoint in ENDPOINTS:
    glue(f"cox_tbl_published_{endpoint}", styled(comparisons.cox_multivariable(results, endpoint)), display=False)

# %% [markdown]
# ```{glue:figure} cox_tbl_published_pfs
# :name: tbl-cox-published-pfs
#
# Table 4 against the original study | The characteristics of the paper's multivariable PFS
# model: univariable and multivariable HR with its confidence interval and p, as printed and as reproduced.
# ({ref}`code <code-tbl-cox-published>`)
# ```
#
# ```{glue:figure} cox_tbl_published_os
# :name: tbl-cox-published-os
#
# Table 5 against the original study | The same for the multivariable OS model.
# ({ref}`code <code-tbl-cox-published>`)
# ```
#
# ## How much the screen depends on its threshold
#
# The screen can be rerun with other common thresholds on the same univariable p-values, the
# book's and those printed in Tables 4 and 5 (`helpers.paper.screen.threshold_screen`).
#
# (code-tbl-cox-thresholds)=

# %% tags=["hide-input"]
thresholds = screen.threshold_screen(results)
glue("cox_tbl_thresholds", styled(threshold_screen_display(thresholds)), display=False)

# %% [markdown]
# ```{glue:figure} cox_tbl_thresholds
# :name: tbl-cox-thresholds
#
# The screen and its threshold | Number of characteristics that would enter the multivariable
# model of PFS and of OS under different univariable entry thresholds, from the book's
# univariable p-values and from those the original study printed.
# ({ref}`code <code-tbl-cox-thresholds>`)
# ```

# %% tags=["remove-cell"]
sensitive = screen.threshold_sensitive(results)
for source, name in (("This book", "thr_sensitive"), ("Original study", "thr_sensitive_pub")):
    rows = sensitive[sensitive["source"] == source]
    words = [
        f"{characteristic_in_text(v)} ({ENDPOINT_SHORT[e]})"
        for e, v in zip(rows["endpoint"], rows["variable"], strict=True)
    ]
    glue_all({name: "; ".join(words) or "none"}, "cox_")
glue_all({"thr_min": f"{thresholds['threshold'].min():g}", "thr_max": f"{thresholds['threshold'].max():g}"}, "cox_")

# %% [markdown]
# The characteristics whose entry depends on the choice, because their univariable p-value lies
# between the smallest and the largest threshold tried ({glue:text}`cox_thr_min` and
# {glue:text}`cox_thr_max`), are {glue:text}`cox_thr_sensitive` in the book and
# {glue:text}`cox_thr_sensitive_pub` in the original study. The paper printed no such check.
#
# :::{warning}
# **Prognostic, not predictive.** The abstract of the original study calls liver metastases,
# the number of metastatic lesions and 1L-PFS "independent predictive factors" for PFS, while its
# results and discussion call them prognostic. Only *prognostic* is supported. The models are
# fitted within one treatment group, so they show which patients do better or worse *when given
# an ICI*; they cannot show which patients gain more *from adding the ICI*, because no patient
# without an ICI is in them. A predictive factor would need both groups and a test of the
# interaction between the factor and the treatment, as in {ref}`the subgroups chapter
# <subgroups>`. Liver metastases, for instance, shorten survival with any treatment of this
# disease.
# :::
#
# ## Is the hazard ratio constant over time?
#
# Every HR in Tables 4 and 5 assumes *proportional hazards*: the ratio of the two hazards is the
# same early and late in follow-up. The book checks it with **scaled Schoenfeld residuals**
# (Grambsch and Therneau; details in {ref}`the methods chapter <methods>`). At each event time,
# the Schoenfeld residual of a characteristic is the value of the patient who had the event
# minus the average value among all patients still at risk, weighted by their fitted risk.
# Scaled by the model's variance, the residuals estimate how far the log-HR at that moment sits
# from the single fitted log-HR. If the HR is constant they scatter around zero with no trend;
# if it drifts, they drift too. The test correlates them with a function of time and gives one
# p-value per characteristic and a *global* p-value for the whole model.

# %% tags=["remove-cell"]
ph = results.tables["ph_tests"]
checks = ph_summary(ph)
flagged = checks["flagged"]
glue_all(
    {
        "ph_global_pfs": p_phrase(checks["global_p"]["pfs"]),
        "ph_global_os": p_phrase(checks["global_p"]["os"]),
        "ph_n_models": checks["n_models"],
        "ph_n_tests": checks["n_tests"],
        "ph_n_flagged": len(flagged),
        "ph_flagged": "; ".join(
            f"{characteristic_in_text(c)} ({ENDPOINT_SHORT[e]}, {m.split()[0]} model)"
            for c, e, m in zip(flagged["covariate"], flagged["endpoint"], flagged["model"], strict=True)
        )
        or "none",
    },
    "cox_",
)

# %% [markdown]
# {ref}`The test table <tbl-cox-ph>` shows the tests of the two multivariable models.
#
# (code-tbl-cox-ph)=

# %% tags=["hide-input"]
glue("cox_tbl_ph", styled(ph_tests_display(ph[ph["model"] == "multivariable"])), display=False)

# %% [markdown]
# ```{glue:figure} cox_tbl_ph
# :name: tbl-cox-ph
#
# Proportional hazards in Tables 4 and 5 | Scaled Schoenfeld residual tests (Grambsch–Therneau,
# time transformed by one minus the Kaplan–Meier estimate) for each characteristic of the
# multivariable models and for each model as a whole. ({ref}`code <code-tbl-cox-ph>`)
# ```
#
# The global test gives {glue:text}`cox_ph_global_pfs` for the PFS model and
# {glue:text}`cox_ph_global_os` for the OS model. Across all {glue:text}`cox_ph_n_models` models
# fitted for the two tables (every univariable model and both multivariable ones),
# {glue:text}`cox_ph_n_flagged` of the {glue:text}`cox_ph_n_tests` per-characteristic tests have
# p below {glue:text}`cox_alpha`: {glue:text}`cox_ph_flagged`. With this many tests a few small
# p-values would be expected by chance, and the synthetic survival times were generated from a
# proportional-hazards model, so the check says more about the generator than about real
# patients; on a real cohort it is the first thing to look at.
#
# (cox-fidelity)=
# ## Fidelity: how close are Tables 4 and 5?
#
# The fidelity audit compares every HR, confidence bound and p-value of Tables 4 and 5 with the
# book's value. The tolerance is wider than for Figure 1 (Cox estimates in small subsets move
# more), and a p-value counts as reproduced when it falls on the same side of
# {glue:text}`cox_alpha`.
#
# (code-tbl-cox-fidelity-summary)=

# %% tags=["hide-input"]
audit_rows = fidelity_section(study.audit.table, "Cox (Tables 4-5)", "cox", styler=styled)

# %% [markdown]
# ```{glue:figure} cox_tbl_fidelity_summary
# :name: tbl-cox-fidelity-summary
#
# Fidelity of Tables 4 and 5 | Audit rows by status: equal at the printed digits (exact),
# within the tolerance, outside it, or impossible to reproduce, and the share exact or within.
# ({ref}`code <code-tbl-cox-fidelity-summary>`)
# ```
#
# The rows outside their tolerance are listed next.
#
# ```{glue:figure} cox_tbl_fidelity_off
# :name: tbl-cox-fidelity-off
#
# Fidelity of Tables 4 and 5, the misses | Each published number outside its tolerance, with
# the value printed by the original study, the book's value rounded the same way, their
# difference and the tolerance. ({ref}`code <code-tbl-cox-fidelity-summary>`)
# ```
#
# Of {glue:text}`cox_fid_n` numbers, {glue:text}`cox_fid_ok` are exact or within tolerance.
# The misses sit mostly in the multivariable columns: multivariable estimates depend on how the
# characteristics are correlated with one another, which the paper does not report, and the
# synthetic cohort can only approximate those correlations (see {ref}`the data chapter <data>`).
