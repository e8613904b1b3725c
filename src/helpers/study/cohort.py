"""The cohort contract: column names, loading, validation and derived categories.

Every analysis in the project reads the cohort through :func:`load_cohort`, which
checks the file against the contract below and raises :class:`CohortError` with
the file, column, rows and rule for every violation. The file itself is only
read, never written.

The Table 1 categories (age >= 65, ECOG >= 2, ...) are *derived* here by
:func:`derive_categories`; they are not stored in the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .errors import StudyError

# --- column names (defined once) -------------------------------------------------

GROUP_ICI = "2L-ICIs"
GROUP_NON_ICI = "2L-non-ICIs"
GROUPS = (GROUP_ICI, GROUP_NON_ICI)

CENTERS = ("C1", "C2", "C3")
ICI_REGIMENS = (
    "ici_chemotherapy",
    "ici_antiangiogenic",
    "ici_chemotherapy_antiangiogenic",
    "ici_monotherapy",
)
NON_ICI_REGIMENS = ("chemotherapy", "antiangiogenic")
REGIMENS = ICI_REGIMENS + NON_ICI_REGIMENS
ICI_AGENTS = ("atezolizumab", "durvalumab", "serplulimab", "tislelizumab", "adebrelimab")
RESPONSES = ("CR", "PR", "SD", "PD")
METASTASIS_COLUMNS = ("lung_met", "bone_met", "brain_met", "liver_met")
AE_COLUMNS = (
    "ae_hematologic",
    "ae_gastrointestinal",
    "ae_hepatic",
    "ae_hypothyroidism",
    "ae_rash",
    "ae_pneumonitis",
    "ae_diarrhea",
    "ae_adrenal_insufficiency",
)

COLUMNS = (
    "patient_id",
    "center",
    "group",
    "sex",
    "age",
    "smoker",
    "ecog",
    *METASTASIS_COLUMNS,
    "n_metastatic_sites",
    "first_line_ici",
    "first_line_pfs_months",
    "second_line_start",
    "regimen",
    "ici_agent",
    "cycles",
    "best_response",
    "pfs_months",
    "pfs_event",
    "os_months",
    "os_event",
    *AE_COLUMNS,
)

MIN_AGE, MAX_AGE = 18, 110  # eligibility: adults; the upper bound only catches typing errors
STUDY_START = dt.date(2019, 3, 1)
STUDY_END = dt.date(2023, 12, 31)
DATA_CUTOFF = dt.date(2025, 1, 10)
DAYS_PER_MONTH = 365.25 / 12

# Table 1 characteristics, in the paper's order. Each is a 0/1 column derived by
# derive_categories(); 1 is the level the paper lists first (the Cox exposure).
TABLE1_VARIABLES = (
    "male",
    "age_ge65",
    "smoker",
    "ecog_ge2",
    "lung_met",
    "bone_met",
    "brain_met",
    "liver_met",
    "sites_ge3",
    "first_line_ici",
    "first_line_pfs_ge6",
)
TREATED = "treated"  # derived 0/1: 1 for 2L-ICIs


class CohortError(StudyError):
    """The cohort file breaks the data contract.

    ``problems`` holds one message per violation; ``str()`` joins them with the
    file name so that a command-line user sees everything at once.
    """

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"{source}: the cohort breaks the data contract (rows count from 1 after the header):\n{lines}"
        )


# --- the contract -------------------------------------------------------------


def _binary(name: str) -> pa.Column:
    return pa.Column(int, pa.Check.isin([0, 1]), coerce=True, title=name)


def _grade(name: str) -> pa.Column:
    return pa.Column(int, pa.Check.in_range(0, 5), coerce=True, title=name)


def _in_window(dates: pd.Series) -> pd.Series:
    parsed = pd.to_datetime(dates, format="%Y-%m-%d", errors="coerce")
    return parsed.between(pd.Timestamp(STUDY_START), pd.Timestamp(STUDY_END))


_ROW_RULES = {
    "pfs_months <= os_months (progression or death ends PFS)": lambda d: d["pfs_months"] <= d["os_months"] + 1e-9,
    "ici_agent is empty for 2L-non-ICIs and set for 2L-ICIs": lambda d: (
        d["ici_agent"].isna() == (d["group"] == GROUP_NON_ICI)
    ),
    "regimen belongs to the group (ici_* regimens only for 2L-ICIs)": lambda d: (
        d["regimen"].isin(ICI_REGIMENS) == (d["group"] == GROUP_ICI)
    ),
    "n_metastatic_sites >= number of organ metastases flagged": lambda d: (
        d["n_metastatic_sites"] >= d[list(METASTASIS_COLUMNS)].sum(axis=1)
    ),
}

COHORT_SCHEMA = pa.DataFrameSchema(
    {
        "patient_id": pa.Column(str, pa.Check.str_length(min_value=1), unique=True),
        "center": pa.Column(str, pa.Check.isin(CENTERS)),
        "group": pa.Column(str, pa.Check.isin(GROUPS)),
        "sex": pa.Column(str, pa.Check.isin(["male", "female"])),
        "age": pa.Column(int, pa.Check.in_range(MIN_AGE, MAX_AGE), coerce=True),
        "smoker": _binary("smoker"),
        "ecog": pa.Column(int, pa.Check.in_range(0, 4), coerce=True),
        **{c: _binary(c) for c in METASTASIS_COLUMNS},
        "n_metastatic_sites": pa.Column(int, pa.Check.ge(1), coerce=True),
        "first_line_ici": _binary("first_line_ici"),
        "first_line_pfs_months": pa.Column(float, pa.Check.gt(0), coerce=True),
        "second_line_start": pa.Column(
            str,
            pa.Check(
                _in_window,
                element_wise=False,
                error=f"must be an ISO date (YYYY-MM-DD) from {STUDY_START} to {STUDY_END}",
            ),
        ),
        "regimen": pa.Column(str, pa.Check.isin(REGIMENS)),
        "ici_agent": pa.Column(str, pa.Check.isin(ICI_AGENTS), nullable=True),
        "cycles": pa.Column(int, pa.Check.ge(1), coerce=True),
        "best_response": pa.Column(str, pa.Check.isin(RESPONSES)),
        "pfs_months": pa.Column(float, pa.Check.gt(0), coerce=True),
        "pfs_event": _binary("pfs_event"),
        "os_months": pa.Column(float, pa.Check.gt(0), coerce=True),
        "os_event": _binary("os_event"),
        **{c: _grade(c) for c in AE_COLUMNS},
    },
    strict=True,
    ordered=False,
)


# --- loading and validation ---------------------------------------------------


def _rows_text(index: pd.Index | list, limit: int = 10) -> str:
    """Data rows as 1-based numbers (row 1 is the first line after the header)."""
    rows = sorted({int(i) + 1 for i in index if pd.notna(i)})
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"row{'s' if len(rows) != 1 else ''} {shown}{more}"


def _rule_text(check: str) -> str:
    """Pandera's check name in plain words."""
    match = re.fullmatch(r"(\w+)\((.*)\)", check)
    if not match:
        return check
    name, arg = match.groups()
    if name == "isin":
        values = [v.strip(" '\"") for v in arg.strip("()[]").split(",") if v.strip()]
        return "must be one of " + ", ".join(values)
    if name == "greater_than":
        return f"must be > {arg}"
    if name == "greater_than_or_equal_to":
        return f"must be >= {arg}"
    if name == "in_range":
        lo, hi = (a.strip() for a in arg.split(","))
        return f"must be between {lo} and {hi}"
    if name == "str_length":
        return "must not be empty"
    if name == "coerce_dtype":
        kind = "an integer" if "int" in arg else "a number" if "float" in arg else arg
        return f"wrong type: must be {kind}"
    return check


def _describe_failures(err: SchemaErrors) -> list[str]:
    cases = err.failure_cases.copy()
    cases["check"] = cases["check"].astype(str)
    # a value that cannot be converted also fails every later check of its column: report it once
    uncoercible = set(cases.loc[cases["check"].str.startswith("coerce_dtype"), "column"])
    keep = ~cases["column"].isin(uncoercible) | cases["check"].str.startswith("coerce_dtype")
    cases = cases[keep & ~cases["check"].str.startswith("dtype(")]
    problems = []
    for (column, check), sub in cases.groupby(["column", "check"], dropna=False, sort=False):
        if check == "column_in_schema":
            problems.append(f"unexpected column(s): {', '.join(map(str, sub['failure_case']))}")
            continue
        if check == "column_in_dataframe":
            problems.append(f"missing column(s): {', '.join(map(str, sub['failure_case']))}")
            continue
        if check.startswith("field_uniqueness"):
            rule = "values must be unique (duplicate patient_id)"
        elif check == "not_nullable":
            rule = "missing value (empty cell) not allowed"
        else:
            rule = _rule_text(check)
        values = ", ".join(repr(v) for v in sub["failure_case"].head(5))
        where = _rows_text(sub["index"]) if sub["index"].notna().any() else "whole column"
        problems.append(f"column {column}, {where}: {rule} (found {values})")
    return problems


def _sniff_delimiter(path: Path) -> str | None:
    head = path.read_text(encoding="utf-8", errors="replace")[:4096]
    first = head.splitlines()[0] if head.strip() else ""
    if "," not in first:
        for delim, name in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
            if delim in first:
                return name
    return None


def read_cohort_csv(path: str | Path) -> pd.DataFrame:
    """Read the raw file as text columns; structural problems raise CohortError."""
    path = Path(path)
    if not path.exists():
        raise CohortError(str(path), ["file not found"])
    if path.is_dir():
        raise CohortError(str(path), ["is a directory, not a CSV file"])
    if path.stat().st_size == 0 or not path.read_text(encoding="utf-8", errors="replace").strip():
        raise CohortError(str(path), ["file is empty (expected a header and one row per patient)"])
    delim = _sniff_delimiter(path)
    if delim:
        raise CohortError(str(path), [f"the header is {delim}-separated; the contract is a comma-separated file"])
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, csv.Error, UnicodeDecodeError) as exc:
        raise CohortError(str(path), [f"not a readable CSV file: {exc}"]) from exc
    if raw.empty:
        raise CohortError(str(path), ["the file has a header but no patient rows"])
    return raw


def validate_cohort(raw: pd.DataFrame, source: str = "cohort") -> pd.DataFrame:
    """Check a frame against the contract and return a typed copy.

    Raises
    ------
    CohortError
        One message per broken rule, naming column, rows (1-based data rows) and
        rule. Row-level rules that need typed columns run only once every
        column is individually valid.
    """
    try:
        typed = COHORT_SCHEMA.validate(raw.copy(), lazy=True)
    except SchemaErrors as err:
        raise CohortError(source, _describe_failures(err)) from None
    problems = []
    for name, rule in _ROW_RULES.items():
        ok = rule(typed)
        if not ok.all():
            bad = typed.index[~ok]
            ids = ", ".join(typed.loc[bad, "patient_id"].head(5))
            problems.append(f"{_rows_text(bad)} (patient_id {ids}): rule broken: {name}")
    if problems:
        raise CohortError(source, problems)
    typed = typed[list(COLUMNS)]
    typed["second_line_start"] = pd.to_datetime(typed["second_line_start"], format="%Y-%m-%d")
    return typed


def load_cohort(path: str | Path) -> pd.DataFrame:
    """Load and validate a cohort CSV (read only; the file is never modified)."""
    return validate_cohort(read_cohort_csv(path), source=str(path))


# --- derived categories -------------------------------------------------------


# The original study's cut-offs for the Table 1 categories.
AGE_CUTOFF = 65
ECOG_CUTOFF = 2
SITES_CUTOFF = 3
FIRST_LINE_PFS_CUTOFF = 6.0  # months


def derive_categories(cohort: pd.DataFrame) -> pd.DataFrame:
    """Add the 0/1 Table 1 categories and the treatment indicator.

    The cut-offs are the original study's: age >= 65, ECOG >= 2, >= 3 metastatic
    sites, first-line PFS >= 6 months. 1 is always the first level the paper lists.
    """
    out = cohort.copy()
    out["male"] = (out["sex"] == "male").astype(int)
    out["age_ge65"] = (out["age"] >= AGE_CUTOFF).astype(int)
    out["ecog_ge2"] = (out["ecog"] >= ECOG_CUTOFF).astype(int)
    out["sites_ge3"] = (out["n_metastatic_sites"] >= SITES_CUTOFF).astype(int)
    out["first_line_pfs_ge6"] = (out["first_line_pfs_months"] >= FIRST_LINE_PFS_CUTOFF).astype(int)
    out[TREATED] = (out["group"] == GROUP_ICI).astype(int)
    return out


@dataclass(frozen=True)
class ContractColumn:
    """One row of the data dictionary."""

    name: str
    dtype: str
    values: str
    meaning: str


DATA_DICTIONARY = (
    ContractColumn("patient_id", "string", "unique", "Patient identifier"),
    ContractColumn("center", "string", ", ".join(CENTERS), "Treating centre (coded)"),
    ContractColumn("group", "string", ", ".join(GROUPS), "Second-line (2L) treatment group"),
    ContractColumn("sex", "string", "male, female", "Sex"),
    ContractColumn("age", "integer", f"years, {MIN_AGE}-{MAX_AGE}", "Age at start of 2L therapy"),
    ContractColumn("smoker", "0/1", "1 = ever smoker", "Smoking history"),
    ContractColumn("ecog", "integer", "0-4", "ECOG performance status"),
    ContractColumn("lung_met", "0/1", "1 = present", "Lung metastases"),
    ContractColumn("bone_met", "0/1", "1 = present", "Bone metastases"),
    ContractColumn("brain_met", "0/1", "1 = present", "Brain metastases"),
    ContractColumn("liver_met", "0/1", "1 = present", "Liver metastases"),
    ContractColumn(
        "n_metastatic_sites",
        "integer",
        ">= 1 and >= organ flags",
        "Number of metastatic sites (the paper's 'metastatic lesions')",
    ),
    ContractColumn("first_line_ici", "0/1", "1 = yes", "ICI received in first line (1L)"),
    ContractColumn("first_line_pfs_months", "float", "> 0", "Progression-free survival on 1L"),
    ContractColumn(
        "second_line_start",
        "ISO date",
        f"{STUDY_START} to {STUDY_END}",
        "Start of 2L therapy (time zero for PFS and OS)",
    ),
    ContractColumn("regimen", "string", ", ".join(REGIMENS), "2L regimen class"),
    ContractColumn("ici_agent", "string", ", ".join(ICI_AGENTS) + "; empty for 2L-non-ICIs", "2L ICI agent"),
    ContractColumn("cycles", "integer", ">= 1", "Number of 2L cycles given"),
    ContractColumn("best_response", "string", "CR, PR, SD, PD", "Best overall response (RECIST)"),
    ContractColumn("pfs_months", "float", "> 0, <= os_months", "PFS time from 2L start"),
    ContractColumn("pfs_event", "0/1", "1 = progression or death", "PFS event indicator"),
    ContractColumn("os_months", "float", "> 0", "OS time from 2L start"),
    ContractColumn("os_event", "0/1", "1 = death", "OS event indicator"),
    *(
        ContractColumn(c, "integer", "0-5 (0 = none)", f"Worst CTCAE grade: {c[3:].replace('_', ' ')}")
        for c in AE_COLUMNS
    ),
)


def data_dictionary() -> pd.DataFrame:
    """The contract as a table (one row per column)."""
    return pd.DataFrame([c.__dict__ for c in DATA_DICTIONARY]).rename(columns={"name": "column", "dtype": "type"})


def months_between(start: pd.Series, end: dt.date = DATA_CUTOFF) -> np.ndarray:
    """Months from each start date to ``end`` (days / (365.25 / 12))."""
    return ((pd.Timestamp(end) - pd.to_datetime(start)).dt.days / DAYS_PER_MONTH).to_numpy()
