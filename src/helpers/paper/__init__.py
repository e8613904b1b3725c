"""The original study: its printed numbers, the registry that maps them to ours, and the audits.

- :mod:`~helpers.paper.published` — the project's copy of every printed number
- :mod:`~helpers.paper.fidelity` — every published number beside the reproduced one
- :mod:`~helpers.paper.consistency` — the paper's internal consistency, from its own numbers
- :mod:`~helpers.paper.sensitivity` — which analysis conventions reproduce the paper
"""
