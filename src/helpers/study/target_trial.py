"""The randomised trial the study emulates, beside what the retrospective design did.

A target trial (Hernán and Robins 2016, American Journal of Epidemiology) is
the randomised trial one would run to answer the question an observational
study asks. Writing its protocol next to the study's design shows where the
study departs from it, and so which assumptions its estimate rests on.

The facts about the original study come from its Methods section as
transcribed in ``data/published/published_results.yaml`` (``methods:``) and
from this project's design constants (:mod:`.design`, :mod:`.cohort`); the
wording is the project's. Nothing here depends on a cohort.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import yaml

from ..paths import PUBLISHED_YAML
from . import cohort as C
from .design import COX_ENTRY_P, PSM_COVARIATES, PSM_SETTINGS, characteristic_in_text

COMPONENTS = (
    "Eligibility",
    "Treatment strategies",
    "Assignment",
    "Time zero",
    "Outcomes",
    "Follow-up",
    "Causal contrast",
    "Analysis plan",
)


@dataclass(frozen=True)
class ProtocolComponent:
    """One component of the protocol: the target trial, the study, and where the study departs."""

    component: str
    target_trial: str
    this_study: str
    departure: str


@lru_cache(maxsize=1)
def study_methods() -> dict:
    """The original study's Methods, as transcribed (the ``methods:`` section of the published YAML)."""
    with open(PUBLISHED_YAML, encoding="utf-8") as fh:
        return yaml.safe_load(fh)["methods"]


def _software(methods: dict) -> str:
    return next(s["detail"] for s in methods["statistical_methods"] if s["name"] == "software")


def _month(date) -> str:
    return date.strftime("%B %Y")


def _list(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def target_trial() -> tuple[ProtocolComponent, ...]:
    """The protocol of the emulated trial, component by component (see :data:`COMPONENTS`)."""
    m = study_methods()
    tumour = m["tumor_assessment"]
    inclusion = "; ".join(m["inclusion_criteria"])
    exclusion = "; ".join(m["exclusion_criteria"])
    agents = _list(C.ICI_AGENTS)
    covariates = _list([characteristic_in_text(v) for v in PSM_COVARIATES])
    window = f"{_month(C.STUDY_START)} to {_month(C.STUDY_END)}"
    return (
        ProtocolComponent(
            "Eligibility",
            f"Adults (at least {C.MIN_AGE} years) with extensive-stage SCLC whose disease progressed after "
            "first-line therapy, who are about to start second-line therapy and could receive either strategy "
            "(no contraindication to an immune checkpoint inhibitor), enrolled as they reach that point.",
            f"Records of patients who started second-line therapy from {window} at three centres. Included: "
            f"{inclusion}. Excluded: {exclusion}.",
            "The criteria are applied to patients who had already been treated, and they ask for complete "
            "clinical records, which may favour patients who were followed more closely. The ICI "
            "contraindications are excluded in both groups, so every patient kept was, on paper, a candidate "
            "for either strategy.",
        ),
        ProtocolComponent(
            "Treatment strategies",
            "Start second-line therapy with an immune checkpoint inhibitor added, versus start second-line "
            "therapy without one; the companion therapy and the agent at the physician's discretion.",
            f"Groups by the regimen received: 2L-ICIs ({agents}, alone or with chemotherapy or an "
            "anti-angiogenic agent) and 2L-non-ICIs (chemotherapy or an anti-angiogenic agent).",
            "Each arm is a bundle of regimens whose mix was not chosen by design; the comparison is of what "
            "patients happened to receive, not of one defined regimen against another. Switching and the "
            "number of cycles are not part of the strategies.",
        ),
        ProtocolComponent(
            "Assignment",
            "Random assignment at time zero, so that the arms are alike in every prognostic factor, measured or not.",
            f"Chosen by physicians and patients. The analysis balances {len(PSM_COVARIATES)} baseline "
            f"characteristics ({covariates}), each reduced to two categories, by 1:1 propensity score matching "
            f"with a caliper of {PSM_SETTINGS['caliper']:g}.",
            "There is no record of why a patient received an ICI. Anything that drove the choice and also "
            "affects survival (cost and insurance, a biomarker, frailty beyond the ECOG category, the "
            "physician's preference, the toxicity of first-line therapy) is not adjusted for, and "
            "dichotomised covariates leave confounding within their categories.",
        ),
        ProtocolComponent(
            "Time zero",
            "Randomisation, which coincides with meeting the eligibility criteria and starting the assigned strategy.",
            "The start of second-line therapy, in both groups; PFS and OS are counted from it.",
            "Aligned: eligibility, the strategy and the start of follow-up coincide, so no immortal time is "
            "built into the comparison. This is the design's strength. Patients who progressed but never "
            "started second-line therapy are outside both the study and the trial.",
        ),
        ProtocolComponent(
            "Outcomes",
            "Progression-free survival (primary) and overall survival, with progression assessed on a fixed "
            "schedule, blinded to the arm; response and adverse events as secondary outcomes.",
            f"PFS: {m['outcome_definitions']['pfs']}. OS: {m['outcome_definitions']['os']}. Response by "
            f"{m['response_criteria']}, imaging {tumour['schedule']}; adverse events by "
            f"{m['adverse_event_grading']}.",
            "Assessment was unblinded and tied to treatment cycles, so a regimen given for longer is imaged "
            "more often and progression can be found earlier. The paper does not say how patients alive "
            "without progression were censored.",
        ),
        ProtocolComponent(
            "Follow-up",
            "From time zero until the event, loss to follow-up or the administrative end of the trial.",
            f"From the start of second-line therapy until death or the last follow-up; data cut-off "
            f"{C.DATA_CUTOFF.isoformat()}.",
            "Why patients were lost to follow-up is unknown; the analyses assume censoring unrelated to "
            "prognosis within each group.",
        ),
        ProtocolComponent(
            "Causal contrast",
            "The intention-to-treat effect: survival had everyone eligible started second-line therapy with "
            "an ICI, against survival had everyone started it without one (the average treatment effect, "
            "ATE), as a hazard ratio and as differences in survival and restricted mean survival time.",
            "The observational analogue of intention to treat (groups by the therapy started), reported as a "
            "hazard ratio in all patients and in the matched pairs.",
            "The paper names no estimand. Matching with a caliper drops the treated patients without a "
            "close control, so the matched estimate describes neither all treated patients (ATT) nor "
            "everyone (ATE) but the treated patients who found a match.",
        ),
        ProtocolComponent(
            "Analysis plan",
            "Pre-specified: Kaplan–Meier curves, a Cox model (stratified by the randomisation strata), "
            "restricted mean survival time if hazards are not proportional, and planned sensitivity analyses.",
            "Kaplan–Meier curves, log-rank tests and unstratified Cox models before and after matching; "
            f"multivariable Cox models within 2L-ICIs after a univariate screen at P < {COX_ENTRY_P:g}; "
            f"{_software(m)}.",
            "No published protocol or estimand. The matched pairs are analysed as independent patients, "
            "which misstates the standard errors, and no analysis asks how an unmeasured confounder would "
            "change the result. The appraisal adds these.",
        ),
    )


def target_trial_table() -> pd.DataFrame:
    """The protocol as a table: one row per component, columns ``component, target_trial, this_study, departure``."""
    return pd.DataFrame([c.__dict__ for c in target_trial()])
