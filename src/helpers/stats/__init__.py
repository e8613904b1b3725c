"""General survival statistics, with no knowledge of any particular study.

- :mod:`~helpers.stats.survival` — Kaplan–Meier (optionally weighted), medians, landmark rates, follow-up, log-rank
- :mod:`~helpers.stats.rmst` — restricted mean survival time per group, differences and ratios
- :mod:`~helpers.stats.cox` — Cox models (Breslow or Efron ties), screens, PH test, subgroups
- :mod:`~helpers.stats.contingency` — tests of independence (Pearson, Yates, Fisher)
- :mod:`~helpers.stats.matching` — propensity scores, greedy caliper matching, balance
- :mod:`~helpers.stats.weighting` — propensity score weights (ATE, ATT, overlap), truncation, ESS, weighted SMDs
- :mod:`~helpers.stats.absolute` — survival and RMST differences between two arms (Greenwood, jackknife, clustered), regression standardisation
- :mod:`~helpers.stats.doubly_robust` — augmented IPW of survival and RMST differences on pseudo-observations
- :mod:`~helpers.stats.evalue` — E-values for unmeasured confounding (VanderWeele and Ding 2017)
- :mod:`~helpers.stats.results` — the one result type of every test
- :mod:`~helpers.stats.errors` — the one exception type of the layer

Nothing here imports from the rest of the project.
"""
