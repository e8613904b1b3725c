"""A laboratory with a known truth: the study simulated many times from a structural model.

The calibrated cohort (:mod:`helpers.synthetic`) reproduces the paper's printed
numbers but has no causal structure one could state. This subpackage builds a
*structural* data-generating process beside it, in which every causal quantity
is declared or can be computed, and runs the study's analyses on many cohorts
drawn from it (the ADEMP plan of Morris, White and Crowther, Stat Med 2019).

- :mod:`~helpers.simulation.structural` — the model: parameters (a versioned JSON
  file), covariates, treatment, PFS and OS, censoring, one cohort per seed
- :mod:`~helpers.simulation.calibration` — fits the model's free parameters to
  the paper's printed numbers and rewrites the parameter file
- :mod:`~helpers.simulation.scenarios` — the experiment's scenarios
- :mod:`~helpers.simulation.truth` — the estimands, from both potential outcomes
  of large simulated populations
- :mod:`~helpers.simulation.methods` — the estimator interface (and the methods run)
- :mod:`~helpers.simulation.engine` — replicates on Dask, kept on disk, resumable
- :mod:`~helpers.simulation.performance` — bias, empirical and model SE, coverage,
  power, and their Monte Carlo standard errors
- :mod:`~helpers.simulation.check` — many draws of the model beside the paper's numbers

The structural model is this book's assumption, not the original study's data.
"""
