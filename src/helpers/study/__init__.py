"""This study: its data contract, design settings, analyses and the pipeline that runs them.

- :mod:`~helpers.study.cohort` — the data contract: columns, load, validate, derived categories
- :mod:`~helpers.study.design` — every setting and label: PSM, entry P, endpoints, strata, rows
- :mod:`~helpers.study.description` — sections 3.1 and 3.2: the whole cohort, the treatment given
- :mod:`~helpers.study.counts` — Tables 1–3
- :mod:`~helpers.study.propensity` — the propensity score matching and checks of the pairs
- :mod:`~helpers.study.efficacy` — Figures 1 and 3 (Kaplan–Meier, log-rank, HR)
- :mod:`~helpers.study.models` — Tables 4–5, PH checks and the Figure 2 subgroups
- :mod:`~helpers.study.target_trial` — the randomised trial the study emulates, beside its design
- :mod:`~helpers.study.weights` — the propensity score weights (ATE, ATT, overlap) of the appraisal
- :mod:`~helpers.study.estimators` — every method of estimating the effect as ``estimate(data, endpoint) -> Estimate``, and their bootstrap
- :mod:`~helpers.study.appraisal` — the appraisal: who the matching kept, weights, balance, estimates, E-values
- :mod:`~helpers.study.pipeline` — ``run_all``: every analysis once, as :class:`StudyResults`

Imports only :mod:`helpers.stats` and :mod:`helpers.paths` from the project.
"""
