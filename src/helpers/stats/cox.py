"""Cox proportional-hazards models: fit, univariate screens, multivariable selection.

Compute only. The partial likelihood is maximised by Newton–Raphson with
vectorised risk-set sums (cumulative sums over patients sorted by time), so a
model on 100,000 patients takes well under a second. Both Breslow ties (SPSS's
method, the default here) and Efron ties (R's default) are offered; the test
suite checks both against R's ``coxph``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .errors import StatsError
from .results import TestResult
from .survival import fit_km

TIES = ("breslow", "efron")


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
        raise StatsError(f"columns not in the data: {', '.join(missing)}")
    if len(data) < 2:
        raise StatsError(f"too few patients for a Cox model (n = {len(data)})")
    if int(data[event_col].sum()) == 0:
        raise StatsError(f"no events in '{event_col}' (n = {len(data)}): a Cox model cannot be fitted")
    for c in covariates:
        if data[c].nunique(dropna=False) < 2:
            raise StatsError(
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
        raise StatsError(f"ties must be one of {TIES}, got {ties!r}")
    covariates = list(covariates)
    _check_design(data, duration_col, event_col, covariates)
    fit = _newton(
        data[duration_col].to_numpy(dtype=float),
        data[event_col].to_numpy(dtype=int),
        data[covariates].to_numpy(dtype=float),
        ties,
        covariates,
    )
    coef, se = fit.coef, np.sqrt(np.diag(fit.cov))
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
        loglik=fit.loglik,
        model=fit,
    )


@dataclass(frozen=True)
class _CoxFit:
    """Arrays of a fitted model, kept for residual-based diagnostics."""

    coef: np.ndarray
    cov: np.ndarray
    loglik: float
    time: np.ndarray
    event: np.ndarray
    x: np.ndarray


def _risk_set_sums(time, event, x, beta, ties):
    """Log partial likelihood, gradient and information at ``beta``.

    Patients are sorted by decreasing time so that the risk set of the k-th
    distinct event time is a prefix: its sums are cumulative sums read at the
    prefix's end. Efron's correction splits each tied group of d events into d
    steps that remove l/d of the tied events' weight (l = 0..d-1).
    """
    eta = x @ beta
    w = np.exp(eta - eta.max())  # rescaled for stability; cancels in every ratio
    s0 = np.cumsum(w)
    s1 = np.cumsum(w[:, None] * x, axis=0)
    s2 = np.cumsum(w[:, None, None] * x[:, :, None] * x[:, None, :], axis=0)
    # each patient's risk set ends at the last patient with the same time
    end = np.searchsorted(-time, -time, side="right") - 1
    ev = np.nonzero(event)[0]
    r0, r1, r2 = s0[end[ev]], s1[end[ev]], s2[end[ev]]
    if ties == "efron":
        # events sharing a time: their own weight sums and the rank l within the group
        group = end[ev]
        starts = np.r_[0, np.nonzero(np.diff(group))[0] + 1]
        sizes = np.diff(np.r_[starts, ev.size])
        gid = np.repeat(np.arange(starts.size), sizes)
        rank = np.arange(ev.size) - starts[gid]
        frac = rank / sizes[gid]
        e0 = np.add.reduceat(w[ev], starts)[gid]
        e1 = np.add.reduceat(w[ev][:, None] * x[ev], starts, axis=0)[gid]
        e2 = np.add.reduceat(w[ev][:, None, None] * x[ev][:, :, None] * x[ev][:, None, :], starts, axis=0)[gid]
        r0 = r0 - frac * e0
        r1 = r1 - frac[:, None] * e1
        r2 = r2 - frac[:, None, None] * e2
    mean = r1 / r0[:, None]
    loglik = float(np.sum(eta[ev] - eta.max() - np.log(r0)))
    grad = x[ev].sum(axis=0) - mean.sum(axis=0)
    info = (r2 / r0[:, None, None]).sum(axis=0) - np.einsum("ei,ej->ij", mean, mean)
    return loglik, grad, info, mean


def _newton(time, event, x, ties, names, max_iter: int = 50, tol: float = 1e-9) -> _CoxFit:
    order = np.lexsort((-event, -time))  # decreasing time; events first within a tie
    time, event, x = time[order], event[order], x[order]
    beta = np.zeros(x.shape[1])
    loglik, grad, info, _ = _risk_set_sums(time, event, x, beta, ties)
    for _ in range(max_iter):
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            raise StatsError(
                f"the covariates {', '.join(names)} are collinear in these {len(time)} patients: "
                "the Cox model is not estimable"
            ) from None
        new_beta = beta + step
        new_loglik, new_grad, new_info, _ = _risk_set_sums(time, event, x, new_beta, ties)
        halvings = 0
        while new_loglik < loglik - 1e-12 and halvings < 30:  # step halving keeps the climb monotone
            step /= 2
            new_beta = beta + step
            new_loglik, new_grad, new_info, _ = _risk_set_sums(time, event, x, new_beta, ties)
            halvings += 1
        converged = abs(new_loglik - loglik) < tol * (abs(loglik) + 1)
        beta, loglik, grad, info = new_beta, new_loglik, new_grad, new_info
        if converged:
            break
    if np.any(np.abs(beta) > 15):
        raise StatsError(
            f"the likelihood has no finite maximum for {', '.join(names)} (a covariate level with no events "
            "or only events): the hazard ratio is not estimable"
        )
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        raise StatsError(f"the covariates {', '.join(names)} are collinear: the Cox model is not estimable") from None
    return _CoxFit(beta, cov, loglik, time, event, x)


def schoenfeld_residuals(result: CoxResult) -> tuple[np.ndarray, np.ndarray]:
    """Event times (increasing) and Schoenfeld residuals x - E[x | risk set] at each event.

    The expectation uses the same tie handling as the fit.
    """
    fit: _CoxFit = result.model
    *_, mean = _risk_set_sums(fit.time, fit.event, fit.x, fit.coef, result.ties)
    ev = np.nonzero(fit.event)[0]
    resid = fit.x[ev] - mean
    return fit.time[ev][::-1], resid[::-1]


def univariate_cox(data: pd.DataFrame, duration_col: str, event_col: str, covariates, **kwargs) -> pd.DataFrame:
    """One Cox model per covariate; rows in the order given."""
    frames = [fit_cox(data, duration_col, event_col, [c], **kwargs).summary for c in covariates]
    return pd.concat(frames, ignore_index=True)


def select_multivariable(univariate: pd.DataFrame, *, entry_p: float = 0.15) -> list[str]:
    """Covariates whose univariate p-value is below ``entry_p`` (a P < 0.15 entry rule by default).

    Notes
    -----
    Screening on univariate p-values is common but debatable: it ignores
    confounding among candidates and makes the final p-values look better
    than they are. It is offered because published analyses use it.
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


PH_TRANSFORMS = ("km", "identity", "log")


@dataclass(frozen=True)
class ProportionalHazardsTest:
    """A test of proportional hazards for each covariate of a Cox model and globally.

    ``table`` has one row per covariate and a last ``GLOBAL`` row:
    ``covariate, statistic, df, p_value``; ``transform`` is the function of
    time the residuals were tested against.
    """

    table: pd.DataFrame
    transform: str

    @property
    def global_test(self) -> TestResult:
        row = self.table.iloc[-1]
        return TestResult(
            "proportional hazards (global)", float(row["statistic"]), int(row["df"]), float(row["p_value"])
        )

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()


def proportional_hazards_test(result: CoxResult, *, transform: str = "km") -> ProportionalHazardsTest:
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
    if result.model is None:
        raise StatsError("result: the CoxResult holds no fitted model")
    event_times, resid = schoenfeld_residuals(result)
    fit: _CoxFit = result.model
    times, status = fit.time, fit.event.astype(bool)
    if transform == "km":
        km_times, km_surv = _km_left_continuous(times, status)
        g = 1.0 - km_surv[np.searchsorted(km_times, event_times)]
    elif transform == "identity":
        g = event_times
    elif transform == "log":
        g = np.log(event_times)
    else:
        raise StatsError(f"transform must be one of {PH_TRANSFORMS}, got {transform!r}")
    g = g - g.mean()
    var = fit.cov
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
    return ProportionalHazardsTest(table=pd.DataFrame(rows), transform=transform)


def _km_left_continuous(times, status):
    """Distinct event times and S(t-) just before each (for the KM time transform)."""
    ev = fit_km(times, status.astype(int)).event_times
    surv_before = np.concatenate([[1.0], ev["survival"].to_numpy()[:-1]])
    return ev["time"].to_numpy(), surv_before


def subgroup_effects(
    data: pd.DataFrame,
    duration_col: str,
    event_col: str,
    treatment_col: str,
    subgroups,
    *,
    ties: str = "breslow",
    alpha: float = 0.05,
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
        except StatsError:
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
            except StatsError as err:
                row.update({k: np.nan for k in ("estimate", "ci_lower", "ci_upper", "p_value")})
                row["note"] = str(err)
            rows.append(row)
    return pd.DataFrame(rows)
