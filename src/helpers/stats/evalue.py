"""E-values: how strong an unmeasured confounder would have to be to explain an association away.

Compute only. VanderWeele and Ding (2017, Annals of Internal Medicine) define
the E-value of a risk ratio RR as the smallest strength of association, on the
risk-ratio scale, that an unmeasured confounder would need with both the
treatment and the outcome, beyond the measured covariates, to move the
estimate to 1. For RR >= 1 it is

    E = RR + sqrt(RR * (RR - 1)),

and for RR < 1 the same formula is applied to 1 / RR. The E-value of a
confidence interval uses the limit nearest 1 and is 1 when the interval
contains 1.

A hazard ratio is first turned into an approximate risk ratio: unchanged when
the outcome is rare (under 15% of patients have it by the end of follow-up,
the threshold of VanderWeele and Ding), and otherwise by the square-root
conversion of their Table 2,

    RR = (1 - 0.5 ** sqrt(HR)) / (1 - 0.5 ** sqrt(1 / HR)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .errors import StatsError

RARE_OUTCOME_THRESHOLD = 0.15
MEASURES = ("RR", "HR")


def _positive(value, name: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise StatsError(f"{name}: expected a ratio (a positive number), got {value!r}") from None
    if not math.isfinite(x) or x <= 0:
        raise StatsError(f"{name}: a ratio must be a finite number > 0, got {x:g}")
    return x


def evalue_rr(rr: float) -> float:
    """The E-value of a risk ratio: RR* + sqrt(RR* (RR* - 1)) with RR* = max(RR, 1 / RR)."""
    rr = _positive(rr, "rr")
    r = rr if rr >= 1 else 1.0 / rr
    return r + math.sqrt(r * (r - 1.0))


def hr_to_rr(hr: float, *, rare: bool) -> float:
    """An approximate risk ratio for a hazard ratio (VanderWeele and Ding 2017, Table 2).

    ``rare=True``: RR = HR (outcome in under 15% by the end of follow-up).
    ``rare=False``: RR = (1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR)).
    """
    hr = _positive(hr, "hr")
    if not isinstance(rare, bool):
        raise StatsError(f"rare: expected True or False, got {rare!r}")
    if rare:
        return hr
    return (1.0 - 0.5 ** math.sqrt(hr)) / (1.0 - 0.5 ** math.sqrt(1.0 / hr))


def outcome_is_rare(events: int, n: int, *, threshold: float = RARE_OUTCOME_THRESHOLD) -> bool:
    """True when fewer than ``threshold`` of the ``n`` patients had the event by the end of follow-up."""
    try:
        events, n = int(events), int(n)
    except (TypeError, ValueError):
        raise StatsError(f"events and n: expected two counts, got {events!r} and {n!r}") from None
    if n <= 0 or not (0 <= events <= n):
        raise StatsError(f"events and n: need 0 <= events <= n and n > 0, got events = {events}, n = {n}")
    return events / n < threshold


@dataclass(frozen=True)
class EValue:
    """The E-values of one ratio and its confidence interval.

    ``rr``, ``rr_lower``, ``rr_upper`` are the estimate and limits on the
    risk-ratio scale (after the hazard-ratio conversion, if any);
    ``evalue_estimate`` is the E-value of the estimate and ``evalue_ci`` that
    of the limit nearest 1 (``limit`` says which; 1 with ``limit="includes 1"``
    when the interval contains 1). ``conversion`` states the conversion used.
    """

    measure: str
    estimate: float
    ci_lower: float
    ci_upper: float
    rare: bool | None
    conversion: str
    rr: float
    rr_lower: float
    rr_upper: float
    evalue_estimate: float
    evalue_ci: float
    limit: str

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([self.__dict__])


def evalue(
    estimate: float,
    ci_lower: float | None = None,
    ci_upper: float | None = None,
    *,
    measure: str = "RR",
    rare: bool | None = None,
) -> EValue:
    """E-values of a risk ratio or hazard ratio and of its confidence limit nearest 1.

    Parameters
    ----------
    estimate, ci_lower, ci_upper : float
        The ratio and its interval (ci_lower <= estimate <= ci_upper); the
        limits may be omitted (the CI E-value is then NaN).
    measure : {"RR", "HR"}
        A risk ratio is used as it is; a hazard ratio is converted (see
        :func:`hr_to_rr`), which needs ``rare``.
    rare : bool
        For a hazard ratio: whether under 15% of patients had the event by the
        end of follow-up (:func:`outcome_is_rare`).
    """
    if measure not in MEASURES:
        raise StatsError(f"measure must be one of {MEASURES}, got {measure!r}")
    est = _positive(estimate, "estimate")
    lo = _positive(ci_lower, "ci_lower") if ci_lower is not None else math.nan
    hi = _positive(ci_upper, "ci_upper") if ci_upper is not None else math.nan
    if (ci_lower is None) != (ci_upper is None):
        raise StatsError("ci_lower, ci_upper: give both confidence limits or neither")
    if ci_lower is not None and not (lo <= est <= hi):
        raise StatsError(f"ci_lower, ci_upper: need ci_lower <= estimate <= ci_upper, got {lo:g} <= {est:g} <= {hi:g}")
    if measure == "HR":
        if rare is None:
            raise StatsError(
                "rare: a hazard ratio needs rare=True (under 15% had the event by the end of follow-up) "
                "or rare=False to choose the conversion to a risk ratio"
            )

        def convert(x: float) -> float:
            return math.nan if math.isnan(x) else hr_to_rr(x, rare=rare)

        conversion = (
            "rare outcome: RR = HR" if rare else "common outcome: RR = (1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR))"
        )
    else:

        def convert(x: float) -> float:
            return x

        conversion = "none (risk ratio)"
    rr, rr_lo, rr_hi = convert(est), convert(lo), convert(hi)
    if math.isnan(rr_lo):
        e_ci, limit = math.nan, "none given"
    elif rr_lo <= 1.0 <= rr_hi:
        e_ci, limit = 1.0, "includes 1"
    elif rr > 1.0:
        e_ci, limit = evalue_rr(rr_lo), "lower"
    else:
        e_ci, limit = evalue_rr(rr_hi), "upper"
    return EValue(
        measure=measure,
        estimate=est,
        ci_lower=lo,
        ci_upper=hi,
        rare=rare if measure == "HR" else None,
        conversion=conversion,
        rr=rr,
        rr_lower=rr_lo,
        rr_upper=rr_hi,
        evalue_estimate=evalue_rr(rr),
        evalue_ci=e_ci,
        limit=limit,
    )
