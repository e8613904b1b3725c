"""Checks of the inputs of every public function of the statistics layer.

Each check returns the input as a clean NumPy array or raises
:class:`~helpers.stats.errors.StatsError` with a message that names the
argument (or column), the rows that break the rule (the first few, 1-based
positions, and how many in all) and the rule itself. Missing values are refused
unless the caller drops them explicitly (:func:`drop_missing`, the
``dropna=True`` of the public functions, like R's ``na.omit``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .errors import StatsError

SHOWN_ROWS = 5


def rows_text(bad: np.ndarray) -> str:
    """'rows 3, 7 and 9' or 'rows 3, 7, 9, 12, 15 and 40 more (45 in all)'.

    Rows are 1-based positions in the input as passed (not index labels).
    """
    positions = np.flatnonzero(np.asarray(bad)) + 1
    n = positions.size
    shown = ", ".join(str(p) for p in positions[:SHOWN_ROWS])
    if n == 1:
        return f"row {shown}"
    if n <= SHOWN_ROWS:
        head, _, last = shown.rpartition(", ")
        return f"rows {head} and {last}"
    return f"rows {shown} and {n - SHOWN_ROWS} more ({n} in all)"


def _verb(bad: np.ndarray) -> str:
    return "is" if int(np.count_nonzero(bad)) == 1 else "are"


def _one_dimensional(values, name: str):
    if isinstance(values, pd.DataFrame):
        raise StatsError(f"{name}: expected one value per observation, got a table with {values.shape[1]} columns")
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    if isinstance(values, list | tuple):
        values = pd.Series(values, dtype=object if any(isinstance(v, str) for v in values) else None)
        return values.infer_objects()
    array = np.asarray(values)
    if array.ndim != 1:
        raise StatsError(f"{name}: expected a 1-D sequence of values, got an array of shape {array.shape}")
    return pd.Series(array)


def _numeric(values, name: str) -> np.ndarray:
    series = _one_dimensional(values, name)
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        return series.to_numpy(dtype=float, na_value=np.nan)
    number = pd.to_numeric(series, errors="coerce")
    bad = (number.isna() & series.notna()).to_numpy()
    if bad.any():
        example = series[bad].iloc[0]
        raise StatsError(f"{name}: {rows_text(bad)} {_verb(bad)} not a number (e.g. {example!r})")
    return number.to_numpy(dtype=float, na_value=np.nan)


def _no_missing(name: str, missing: np.ndarray, dropna: bool = False) -> None:
    if missing.any() and not dropna:
        raise StatsError(
            f"{name}: {rows_text(missing)} {_verb(missing)} missing (NaN); drop such rows first, "
            "or pass dropna=True where the function offers it"
        )


def check_length(n: int, **arrays) -> None:
    """Every named array has ``n`` elements."""
    wrong = {k: len(v) for k, v in arrays.items() if v is not None and len(v) != n}
    if wrong:
        detail = ", ".join(f"{k} has {m}" for k, m in wrong.items())
        raise StatsError(f"inputs must have one value per observation ({n}); {detail}")


def durations(values, name: str = "durations", *, dropna: bool = False) -> np.ndarray:
    """Finite times >= 0, as floats.

    With ``dropna=True`` a missing time passes as NaN, for the caller to drop
    with :func:`complete_rows` (the other rules still apply to every row).
    """
    t = _numeric(values, name)
    _no_missing(name, np.isnan(t), dropna)
    if np.isinf(t).any():
        bad = np.isinf(t)
        raise StatsError(f"{name}: {rows_text(bad)} {_verb(bad)} infinite; every time must be a finite number")
    if (t < 0).any():
        bad = t < 0
        raise StatsError(f"{name}: {rows_text(bad)} {_verb(bad)} negative (e.g. {t[bad][0]:g}); times must be >= 0")
    return t


def events(values, name: str = "events", *, dropna: bool = False) -> np.ndarray:
    """Event indicators coded 0 (censored) / 1 (event), as integers.

    A 1/2 coding (R's ``survival::lung$status``: 1 censored, 2 dead) is refused
    with a hint, since reading it as 0/1 would count every patient as an event.
    With ``dropna=True`` a missing indicator passes as NaN and the result is a
    float array, for the caller to drop with :func:`complete_rows`.
    """
    d = _numeric(values, name)
    missing = np.isnan(d)
    _no_missing(name, missing, dropna)
    bad = ~np.isin(d, (0.0, 1.0)) & ~missing
    if bad.any():
        codes = sorted(np.unique(d[~missing]).tolist())
        hint = ""
        if set(codes) <= {1.0, 2.0}:
            hint = "; this looks like a 1 = censored / 2 = event coding (R's lung$status): recode it as status - 1"
        shown = ", ".join(f"{c:g}" for c in codes[:6])
        raise StatsError(f"{name}: {rows_text(bad)} {_verb(bad)} not coded 0/1 (values found: {shown}){hint}")
    return d if missing.any() else d.astype(np.int64)


def binary(values, name: str, *, dropna: bool = False) -> np.ndarray:
    """A 0/1 indicator (no event-coding hint; see :func:`events` for survival status)."""
    x = _numeric(values, name)
    missing = np.isnan(x)
    _no_missing(name, missing, dropna)
    bad = ~np.isin(x, (0.0, 1.0)) & ~missing
    if bad.any():
        shown = ", ".join(f"{c:g}" for c in sorted(np.unique(x[bad]).tolist())[:6])
        raise StatsError(f"{name}: {rows_text(bad)} {_verb(bad)} not coded 0/1 (e.g. {shown})")
    return x if missing.any() else x.astype(np.int64)


def weights(values, name: str = "weights", *, dropna: bool = False) -> np.ndarray:
    """Finite case weights >= 0, as floats (a missing weight passes as NaN with ``dropna=True``)."""
    w = _numeric(values, name)
    missing = np.isnan(w)
    _no_missing(name, missing, dropna)
    bad = (np.isinf(w) | (w < 0)) & ~missing
    if bad.any():
        raise StatsError(f"{name}: {rows_text(bad)} {_verb(bad)} negative or infinite; weights must be finite and >= 0")
    if not (w > 0).any():
        raise StatsError(f"{name}: every weight is 0; at least one observation must have a positive weight")
    return w


def weights_of(data: pd.DataFrame, given) -> np.ndarray:
    """Case weights for the rows of ``data``, checked: None (every row 1), a column name, or one value per row."""
    if given is None:
        return np.ones(len(data))
    if isinstance(given, str):
        columns(data, [given])
        return weights(data[given], f"column {given!r}")
    w = weights(given)
    check_length(len(data), weights=w)
    return w


def labels(values, name: str, *, dropna: bool = False) -> np.ndarray:
    """Group or stratum labels without missing values (a NaN must not become a group called 'nan').

    With ``dropna=True`` missing labels pass (as None/NaN), for the caller to drop with :func:`complete_rows`.
    """
    series = _one_dimensional(values, name)
    _no_missing(name, series.isna().to_numpy(), dropna)
    return series.to_numpy()


def is_missing(values: np.ndarray) -> np.ndarray:
    """Element-wise: NaN, None or pandas' NA (for numeric and label arrays alike)."""
    return np.asarray(pd.isna(np.asarray(values)), dtype=bool)


def complete_rows(*arrays) -> tuple[np.ndarray, int]:
    """The rows with no missing value in any of ``arrays`` (``None`` entries are skipped), and how many miss one.

    The counterpart of R's ``na.omit`` for the ``dropna=True`` option of the public functions.
    """
    present = [a for a in arrays if a is not None]
    keep = np.ones(len(present[0]), dtype=bool) if present else np.ones(0, dtype=bool)
    for a in present:
        keep &= ~is_missing(a)
    return keep, int((~keep).sum())


def one_of(value, name: str, options: Sequence) -> None:
    """``value`` is one of ``options``."""
    if value not in options:
        shown = ", ".join(repr(o) for o in options)
        raise StatsError(f"{name}: must be one of {shown}; got {value!r}")


def probability(value, name: str) -> float:
    """A number strictly between 0 and 1 (a significance level or a quantile)."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise StatsError(f"{name}: expected a number strictly between 0 and 1, got {value!r}") from None
    if not 0.0 < x < 1.0:
        raise StatsError(f"{name}: expected a number strictly between 0 and 1, got {value!r}")
    return x


def positive(value, name: str) -> float:
    """A finite number > 0 (e.g. the horizon of a restricted mean)."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise StatsError(f"{name}: expected a finite number > 0, got {value!r}") from None
    if not (np.isfinite(x) and x > 0):
        raise StatsError(f"{name}: expected a finite number > 0, got {value!r}")
    return x


def columns(data: pd.DataFrame, names: Sequence[str], argument: str = "data") -> None:
    """Every column is in ``data``."""
    if not isinstance(data, pd.DataFrame):
        raise StatsError(f"{argument}: expected a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in names if c not in data.columns]
    if missing:
        raise StatsError(f"{argument}: no column(s) {', '.join(repr(c) for c in missing)} in the data")


def numeric_columns(data: pd.DataFrame, names: Sequence[str]) -> np.ndarray:
    """The columns as a float matrix; a non-numeric or missing value is named by column and rows."""
    out = np.empty((len(data), len(names)))
    for j, c in enumerate(names):
        x = _numeric(data[c], f"column {c!r}")
        _no_missing(f"column {c!r}", np.isnan(x))
        if np.isinf(x).any():
            bad = np.isinf(x)
            raise StatsError(f"column {c!r}: {rows_text(bad)} {_verb(bad)} infinite")
        out[:, j] = x
    return out


def drop_missing(data: pd.DataFrame, names: Sequence[str]) -> tuple[pd.DataFrame, int]:
    """``data`` without the rows that miss any of ``names`` (R's ``na.omit``), and how many were dropped."""
    keep = data[list(names)].notna().all(axis=1)
    return data.loc[keep], int((~keep).sum())


def finite(values, name: str) -> np.ndarray:
    """Finite numbers (no missing, no infinite value), as floats: one covariate of a model."""
    x = _numeric(values, name)
    _no_missing(name, np.isnan(x))
    if np.isinf(x).any():
        bad = np.isinf(x)
        raise StatsError(f"{name}: {rows_text(bad)} {_verb(bad)} infinite; every value must be a finite number")
    return x
