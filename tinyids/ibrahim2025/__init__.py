"""ibrahim2025: PCA-DNN with weight pruning on WUSTL-EHMS-2020 (Ibrahim, Fagge, Mabu).

Modules, one per concept:

- :mod:`.settings`: the ``ibrahim2025`` config section as typed settings (with the checks a
  JSON schema cannot express).
- :mod:`.features`: which WUSTL columns enter the model and why; one-hot of ``Flgs``.
- :mod:`.protocols`: ``paper`` (scale, SMOTE and PCA on all rows, then split) and ``sound``
  (split first; scaler, SMOTE and PCA fitted on training rows only), and the named variants of
  config ``protocol_variants`` (``paper_numeric``, ``paper_identifiers``).
- :mod:`.model`: the MLP of the paper (12 -> 100 -> 4 x 512 -> 1).
- :mod:`.training`: deterministic training, pruning and fine-tuning.
- :mod:`.evaluation`: test metrics of the Keras and LiteRT models, exports, host latency.
- :mod:`.sizes`: model sizes, including the paper's formula (7)-(8).
- :mod:`.statistics`: McNemar exact test, paired bootstrap, paired t-test over folds.
- :mod:`.comparison`: Tables 2, 4, 5 of the paper beside our figures.
- :mod:`.plots`: ROC, training curves, confusion matrices.
- :mod:`.deploy`: the int8 deployables (``results/ibrahim2025/deploy/``).
- :mod:`.robust`: quantization-robust int8 variants ``<model>_robust`` (inputs scaled per
  component; clipped activation ranges; a clipped-logit int8 output; int8 threshold chosen on validation rows).
- :mod:`.ablation`: accuracy after every compression step (``quantization_ablation.csv``).
- :mod:`.steps`: one function per workflow rule (the scripts call these).
"""
