"""The one contract between the studies and the shared stages (codegen, firmware, report).

- :mod:`~tinyids.study.deployable`: a :class:`Deployable`, what a study hands to codegen and
  firmware for one model (model file, quantization, decision rule, test vectors, measured metrics
  and the preprocessing as an ordered list of typed steps), validated when written and read.
- :mod:`~tinyids.study.preprocessing`: the closed set of preprocessing ops, the check that their
  feature counts chain, and the host reference implementation of the steps.
- :mod:`~tinyids.study.comparison`: ``ComparisonRow`` columns of every
  ``results/<study>/paper_comparison.csv``.
- :mod:`~tinyids.study.metrics`: ``MetricsRow`` columns shared by every ``results/<study>/metrics.csv``.
- :mod:`~tinyids.study.layout`: a study's folders, file names and wildcard constraints, one
  ``Layout`` per study for its rules and its package code.
- :mod:`~tinyids.study.sampling`: the one stratified row subsample (the smoke run's row caps).

Shared stages never know which study wrote a file and never parse prose: a fourth study plugs in
by filling this contract (``tests/unit/test_study_contract_toy_study.py`` shows one).
"""
