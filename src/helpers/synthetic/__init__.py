"""The calibrated synthetic cohort: its generator and the calibration that tunes it.

- :mod:`~helpers.synthetic.generator` — parameters and ``generate_cohort`` (a pure function of them)
- :mod:`~helpers.synthetic.calibration` — the generator's targets, their check, and ``calibrate``

Uses the study's design and analyses and the paper's numbers; never the pipeline.
"""
