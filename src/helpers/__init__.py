"""Statistical core of the reproducible manuscript.

Modules, one concept each:

- :mod:`helpers.cohort` — the data contract: column names, load, validate, derived categories
- :mod:`helpers.published` — the original study's printed numbers (project copy)
- :mod:`helpers.synthetic` — the calibrated synthetic cohort generator
- :mod:`helpers.calibration` — generator targets, their check, and the calibration
- :mod:`helpers.survival` — Kaplan–Meier, medians, landmark rates, follow-up, log-rank
- :mod:`helpers.cox` — Cox models (Breslow or Efron ties)
"""

from .cohort import CohortError, derive_categories, load_cohort, validate_cohort

__all__ = ["CohortError", "derive_categories", "load_cohort", "validate_cohort"]
__version__ = "0.1.0"
