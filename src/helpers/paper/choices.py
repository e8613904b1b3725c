"""The analysis decisions behind the book: what the original study states about each, and what the book does.

One list, :func:`analysis_choices`, feeds the Methods chapter's summary table
and every count of "decisions the paper leaves unstated" that the book quotes
(the Introduction cross-references the Methods chapter's glued count). Each
entry says whether the paper states the decision (``stated``: "yes",
"partly" or "no") and, where the project's transcription lists it among the
paper's unstated points (``methods.not_specified_in_paper``), which item.
The book's column is read from the settings every analysis uses.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import pandas as pd

from ..stats.contingency import EXPECTED_CUTOFF
from ..stats.cox import fit_cox
from ..stats.matching import SMD_THRESHOLD
from ..study.cohort import TABLE1_VARIABLES
from ..study.design import COX_ENTRY_P, PSM_SETTINGS
from .published import published

STATED = ("yes", "partly", "no")


@dataclass(frozen=True)
class Choice:
    """One analysis decision: what the paper says (``paper``), what the book does (``book``)."""

    decision: str
    paper: str
    book: str
    stated: str
    transcribed: int | None = None  # index in methods.not_specified_in_paper


def software() -> str:
    """The original study's software without the vendor: 'SPSS version 25.0'."""
    return published("meta.software").split(" (")[0]


def ties_default() -> str:
    """The tie handling every Cox model of the book uses unless told otherwise ('Breslow')."""
    return str(inspect.signature(fit_cox).parameters["ties"].default).capitalize()


def analysis_choices() -> list[Choice]:
    """Every analysis decision the reproduction had to take, in the order of the Methods chapter."""
    psm = PSM_SETTINGS
    return [
        Choice(
            "Categorical tests",
            "chi-square or Fisher's exact test",
            f"Pearson's chi-square; Fisher's test if an expected count is below {EXPECTED_CUTOFF:g}",
            "partly",
        ),
        Choice("Censoring of PFS", "not stated", "alive without progression: censored at the last contact", "no", 5),
        Choice("95% CI of a median", "not stated (printed intervals are symmetric)", "symmetric, SE-based", "no", 2),
        Choice("Median follow-up", "not stated", "reverse Kaplan–Meier", "no", 1),
        Choice("Tied event times in Cox models", f"not stated ({software()})", ties_default(), "no", 3),
        Choice("Reference level of each HR", "not stated", "the level Table 1 lists second", "no", 3),
        Choice("Patients in Tables 4–5", "not stated", "2L-ICIs group before matching", "no", 4),
        Choice("Entry into the multivariable model", f"univariate p < {COX_ENTRY_P:g}", "the same rule", "yes"),
        Choice("Patients in Figure 2", "not stated", "all patients before matching", "no", 4),
        Choice(
            "Propensity model",
            "not stated",
            f"logistic regression on the {len(TABLE1_VARIABLES)} characteristics of Table 1",
            "no",
            0,
        ),
        Choice(
            "Matching ratio and caliper",
            f"{published('cohort.psm.ratio')}, caliper {published('cohort.psm.caliper'):g}",
            f"1:1, caliper {psm['caliper']:g}",
            "yes",
        ),
        Choice(
            "Matching algorithm, caliper scale and order",
            "not stated",
            f"greedy nearest neighbour without replacement; {psm['caliper_scale']} scale; {psm['order']} score first",
            "no",
            0,
        ),
        Choice(
            "Balance after matching",
            "judged by p-values",
            f"standardised differences, |SMD| < {SMD_THRESHOLD:g}",
            "yes",
        ),
        Choice("Proportional-hazards check", "none reported", "scaled Schoenfeld residual test", "no"),
    ]


def unstated(choices: list[Choice] | None = None) -> list[Choice]:
    """The decisions the paper does not state at all."""
    return [c for c in (analysis_choices() if choices is None else choices) if c.stated == "no"]


def choices_frame() -> pd.DataFrame:
    """The choices as a table: decision, paper, book, stated."""
    return pd.DataFrame(
        [{"decision": c.decision, "paper": c.paper, "book": c.book, "stated": c.stated} for c in analysis_choices()]
    )
