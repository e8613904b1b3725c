"""The statistics layer's one exception type."""

from __future__ import annotations


class StatsError(ValueError):
    """Input the statistics cannot use, or a model the data cannot support.

    The message names the argument or column, the rows where that applies,
    and the rule that was broken.
    """
