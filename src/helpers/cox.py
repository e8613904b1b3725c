"""Cox proportional-hazards models: fit, univariate screens, multivariable selection.

Compute only. Models are fitted with statsmodels ``PHReg``, which offers both
Breslow ties (SPSS's method, the default here) and Efron ties (R's default).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg

TIES = ("breslow", "efron")


class ModelError(ValueError):
    """The data cannot support the requested model (too few events, one level, ...)."""


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox model.

    ``summary`` has one row per covariate: ``covariate, coef, se, estimate``
    (the hazard ratio), ``ci_lower, ci_upper`` (Wald), ``z, p_value``.
    """

    summary: pd.DataFrame
    n: int
    events: int
    ties: str
    alpha: float
    loglik: float
    model: object = field(repr=False, compare=False, default=None)

    def to_frame(self) -> pd.DataFrame:
        return self.summary.assign(n=self.n, events=self.events, ties=self.ties)

    def hazard_ratio(self, covariate: str) -> float:
        return float(self.summary.set_index("covariate").loc[covariate, "estimate"])


def _check_design(data: pd.DataFrame, duration_col: str, event_col: str, covariates) -> None:
    missing = [c for c in (duration_col, event_col, *covariates) if c not in data.columns]
    if missing:
        raise ModelError(f"columns not in the data: {', '.join(missing)}")
    if len(data) < 2:
        raise ModelError(f"too few patients for a Cox model (n = {len(data)})")
    if int(data[event_col].sum()) == 0:
        raise ModelError(f"no events in '{event_col}' (n = {len(data)}): a Cox model cannot be fitted")
    for c in covariates:
        if data[c].nunique(dropna=False) < 2:
            raise ModelError(
                f"covariate '{c}' has a single level ({data[c].iloc[0]!r}) in these "
                f"{len(data)} patients: its hazard ratio is not estimable"
            )


def fit_cox(
    data: pd.DataFrame,
    duration_col: str,
    event_col: str,
    covariates,
    *,
    ties: str = "breslow",
    alpha: float = 0.05,
) -> CoxResult:
    """Fit a Cox model and return hazard ratios with Wald intervals.

    Parameters
    ----------
    covariates : sequence of str
        Numeric (0/1 for categories) columns; each enters as one coefficient.
    ties : {"breslow", "efron"}
        Handling of tied event times. SPSS uses Breslow.

    Notes
    -----
    HR = exp(coef); CI = exp(coef ± z·SE); p from the Wald z statistic.
    """
    if ties not in TIES:
        raise ValueError(f"ties must be one of {TIES}, got {ties!r}")
    covariates = list(covariates)
    _check_design(data, duration_col, event_col, covariates)
    exog = data[covariates].to_numpy(dtype=float)
    model = PHReg(
        data[duration_col].to_numpy(dtype=float),
        exog,
        status=data[event_col].to_numpy(dtype=int),
        ties=ties,
    )
    try:
        fit = model.fit(disp=False)
        coef = np.asarray(fit.params)
        se = np.asarray(fit.bse)
    except np.linalg.LinAlgError:
        raise ModelError(
            f"the covariates {', '.join(covariates)} are collinear in these {len(data)} patients: "
            "the Cox model is not estimable"
        ) from None
    if not np.all(np.isfinite(se)):
        raise ModelError(f"the Cox model did not converge for {', '.join(covariates)}")
    z_crit = stats.norm.ppf(1 - alpha / 2)
    zval = coef / se
    summary = pd.DataFrame(
        {
            "covariate": covariates,
            "coef": coef,
            "se": se,
            "estimate": np.exp(coef),
            "ci_lower": np.exp(coef - z_crit * se),
            "ci_upper": np.exp(coef + z_crit * se),
            "z": zval,
            "p_value": 2 * stats.norm.sf(np.abs(zval)),
        }
    )
    return CoxResult(
        summary=summary,
        n=len(data),
        events=int(data[event_col].sum()),
        ties=ties,
        alpha=alpha,
        loglik=float(fit.llf),
        model=fit,
    )


def univariate_cox(data: pd.DataFrame, duration_col: str, event_col: str, covariates, **kwargs) -> pd.DataFrame:
    """One Cox model per covariate; rows in the order given."""
    frames = [fit_cox(data, duration_col, event_col, [c], **kwargs).summary for c in covariates]
    return pd.concat(frames, ignore_index=True)


def select_multivariable(univariate: pd.DataFrame, *, entry_p: float = 0.15) -> list[str]:
    """Covariates whose univariate p-value is below ``entry_p`` (the paper's P < 0.15 rule).

    Notes
    -----
    Screening on univariate p-values is common but debatable: it ignores
    confounding among candidates and makes the final p-values look better
    than they are. It is reproduced here because the original study used it.
    """
    return univariate.loc[univariate["p_value"] < entry_p, "covariate"].tolist()


def cox_table(
    data: pd.DataFrame,
    duration_col: str,
    event_col: str,
    covariates,
    *,
    entry_p: float = 0.15,
    ties: str = "breslow",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Univariate screen and multivariable model, side by side (Tables 4 and 5).

    Returns one row per covariate with ``uni_*`` and ``multi_*`` columns
    (``estimate, ci_lower, ci_upper, p_value``); ``multi_*`` is NaN for
    covariates that did not pass the univariate screen.
    """
    covariates = list(covariates)
    uni = univariate_cox(data, duration_col, event_col, covariates, ties=ties, alpha=alpha)
    selected = select_multivariable(uni, entry_p=entry_p)
    cols = ["estimate", "ci_lower", "ci_upper", "p_value"]
    table = uni[["covariate", *cols]].rename(columns={c: f"uni_{c}" for c in cols})
    if selected:
        multi = fit_cox(data, duration_col, event_col, selected, ties=ties, alpha=alpha).summary
        table = table.merge(
            multi[["covariate", *cols]].rename(columns={c: f"multi_{c}" for c in cols}), on="covariate", how="left"
        )
    else:
        for c in cols:
            table[f"multi_{c}"] = np.nan
    table.insert(1, "in_multivariable", table["covariate"].isin(selected))
    return table.assign(n=len(data), events=int(data[event_col].sum()))


def proportional_hazards_test(result: CoxResult, *, transform: str = "km") -> pd.DataFrame:
    """Scaled Schoenfeld residual test of proportional hazards, per covariate and global.

    Parameters
    ----------
    transform : {"km", "identity", "log"}
        Function of time the residuals are correlated with; ``km`` uses
        1 - S(t) from the Kaplan–Meier curve of the fitted data (robust to
        outlying times).

    Notes
    -----
    The Grambsch–Therneau (1994) approximate score test: with Schoenfeld
    residuals r_k at the d event times, centred time function g_k and the
    model variance V, the statistic for covariate j is
    (sum_k g_k (r_k V)_j d)^2 / (d V_jj sum_k g_k^2), chi-square with 1 df;
    the global test uses the whole vector with p df. This is the version of
    R ``survival::cox.zph`` before 3.0; newer R releases use an exact score
    test, so p-values agree with R only approximately. A small p suggests the
    hazard ratio changes over follow-up.
    """
    fit = result.model
    if fit is None:
        raise ValueError("the CoxResult holds no fitted model")
    model = fit.model
    resid = np.asarray(fit.schoenfeld_residuals)
    status = model.status.astype(bool)
    times = model.endog
    order = np.argsort(times[status], kind="stable")
    resid = resid[status][order]
    event_times = times[status][order]
    if transform == "km":
        km_times, km_surv = _km_left_continuous(times, status)
        g = 1.0 - km_surv[np.searchsorted(km_times, event_times)]
    elif transform == "identity":
        g = event_times
    elif transform == "log":
        g = np.log(event_times)
    else:
        raise ValueError(f"unknown transform {transform!r}")
    g = g - g.mean()
    var = np.asarray(fit.cov_params())
    d = len(event_times)
    scaled = resid @ var * d
    test = g @ scaled
    per_cov = test**2 / (np.diag(var) * d * np.sum(g**2))
    global_stat = float(test @ np.linalg.solve(var, test) / (d * np.sum(g**2)))
    names = result.summary["covariate"].tolist()
    p = len(names)
    rows = [
        {"covariate": n, "statistic": s, "df": 1, "p_value": stats.chi2.sf(s, 1)}
        for n, s in zip(names, per_cov, strict=True)
    ]
    rows.append({"covariate": "GLOBAL", "statistic": global_stat, "df": p, "p_value": stats.chi2.sf(global_stat, p)})
    return pd.DataFrame(rows)


def _km_left_continuous(times, status):
    """Distinct event times and S(t-) just before each (for the KM time transform)."""
    uniq = np.unique(times[status])
    at_risk = np.array([(times >= t).sum() for t in uniq])
    deaths = np.array([((times == t) & status).sum() for t in uniq])
    surv_after = np.cumprod(1 - deaths / at_risk)
    surv_before = np.concatenate([[1.0], surv_after[:-1]])
    return uniq, surv_before


def subgroup_effects(
    data: pd.DataFrame,
    duration_col: str,
    event_col: str,
    treatment_col: str,
    subgroups,
    *,
    ties: str = "breslow",
    alpha: float = 0.05,
    labels: dict | None = None,
) -> pd.DataFrame:
    """Treatment hazard ratio within each level of each subgroup variable (forest plots).

    For every variable: an unstratified Cox model of the treatment within each
    level, and the Wald p-value of the treatment × variable interaction in a
    model with treatment, variable and their product on all patients.

    Returns one row per (variable, level): ``variable, level, n, events,
    n_treated, n_control, estimate, ci_lower, ci_upper, p_value, p_interaction``.
    A level whose patients cannot support a model (no events, one arm only)
    gets NaN estimates rather than an error, and ``note`` says why.
    """
    rows = []
    for var in subgroups:
        inter = data[[duration_col, event_col, treatment_col, var]].copy()
        inter["_interaction"] = inter[treatment_col] * inter[var]
        try:
            full = fit_cox(inter, duration_col, event_col, [treatment_col, var, "_interaction"], ties=ties, alpha=alpha)
            p_int = float(full.summary.set_index("covariate").loc["_interaction", "p_value"])
        except ModelError:
            p_int = np.nan
        for level in sorted(data[var].dropna().unique(), reverse=True):
            sub = data[data[var] == level]
            row = {
                "variable": var,
                "level": level,
                "n": len(sub),
                "events": int(sub[event_col].sum()),
                "n_treated": int(sub[treatment_col].sum()),
                "n_control": int((1 - sub[treatment_col]).sum()),
                "p_interaction": p_int,
                "note": "",
            }
            try:
                res = fit_cox(sub, duration_col, event_col, [treatment_col], ties=ties, alpha=alpha).summary.iloc[0]
                row.update({k: float(res[k]) for k in ("estimate", "ci_lower", "ci_upper", "p_value")})
            except ModelError as err:
                row.update({k: np.nan for k in ("estimate", "ci_lower", "ci_upper", "p_value")})
                row["note"] = str(err)
            rows.append(row)
    out = pd.DataFrame(rows)
    if labels:
        out["label"] = out.apply(
            lambda r: labels.get((r["variable"], r["level"]), f"{r['variable']}={r['level']}"), axis=1
        )
    return out
