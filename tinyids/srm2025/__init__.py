"""srm2025: classical and tiny classifiers on NSL-KDD (Vaddempudi, Chinta, Kuruva, 2025).

Modules, one concept each:

- ``preprocessing``: categorical encoding (one-hot / label), MinMax scaling and feature selection,
  all fitted on training rows only; binary and five-class targets.
- ``protocols``: the ``thesis`` (stratified 80/20 split of the training file) and ``standard``
  (KDDTest+ / KDDTest-21) evaluation protocols, and stratified subsampling for the smoke run.
- ``models``: the full-size scikit-learn models (RF, RBF-SVM or its documented approximation,
  LR, MLP, RF+SVM soft-voting hybrid).
- ``tiny``: the tiny models with their explicit budgets, in the exact arithmetic their C
  exports run (int8 linear models, emlearn forest / MLP, hybrid).
- ``export``: C sources (emlearn for trees and MLP, emitted int8 arrays for linear models),
  test vectors and metadata under ``deploy/``, gcc host-parity check; int8 TFLite tiny NN and
  its quantization ablation (float, inputs on the int8 grid, dynamic range, full int8).
- ``ablation_report``: every protocol's ablation rows in the study's one file, and its plot.
- ``evaluate``: metric rows, latency, sizes.  ``study``: one protocol end to end, and the
  configured categorical encoding beside the alternative for every model it changes.
- ``paper``: comparison with thesis Table 7.1 (both encodings where they differ) and the
  Tavallaee et al. 2009 baselines (with the provenance of their figures).
- ``plots``: bar charts, ROC curves, confusion matrices.
"""
