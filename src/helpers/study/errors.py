"""The study layer's one exception type."""

from __future__ import annotations


class StudyError(ValueError):
    """A cohort that breaks the data contract or cannot support the study's analyses.

    The message names the column, the rows where that applies and the rule.
    """
