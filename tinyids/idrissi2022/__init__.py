"""Study idrissi2022: the 1D-CNN DL-HIDS of Idrissi, Azizi & Moussaoui (2022) and its variants.

"A Lightweight Optimized Deep Learning-based Host-Intrusion Detection System Deployed on the Edge
for IoT", Int. J. Computing and Digital Systems 11(1), 2022. One module per step:

- :mod:`~tinyids.idrissi2022.protocols`: the ``paper`` and ``dedup`` preprocessing protocols
  (drop identifiers, encode, unit-norm, 60/20/20 split, chi-square 16 -> 7 on training rows).
- :mod:`~tinyids.idrissi2022.architecture`: the parameter-count search that fixes the layer
  sizes the paper leaves open (OM 26,365 and POM 645 parameters).
- :mod:`~tinyids.idrissi2022.models`: the OM / POM builders and their training.
- :mod:`~tinyids.idrissi2022.variants`: tM, tMO, tMOP (and the extra tMO-QAT); the float32 and
  dynamic-range conversions of tMO / tMOP that the paper's Table II sizes imply.
- :mod:`~tinyids.idrissi2022.robust`: the project's quantization-robust variants (log1p + min-max
  fitted on training rows, float training, optional QAT, full int8), beside the paper's.
- :mod:`~tinyids.idrissi2022.evaluation`: test-split metrics, sizes, confusion matrices.
- :mod:`~tinyids.idrissi2022.benchmark`: LiteRT host latency and batched throughput.
- :mod:`~tinyids.idrissi2022.arena`: smallest TFLM tensor arena by bisection (subprocess probes).
- :mod:`~tinyids.idrissi2022.deploy`: int8 deployables (``deploy/<name>.tflite/.npz/.json``).
- :mod:`~tinyids.idrissi2022.comparison`: Table II beside our measurements.
- :mod:`~tinyids.idrissi2022.plots`: confusion matrices and accuracy versus size.
- :mod:`~tinyids.idrissi2022.standin`: a real 5-class NSL-KDD stand-in for tests.
"""

VARIANTS: tuple[str, ...] = ("OM", "POM", "POM7", "tM", "tMO", "tMOP", "tMO_QAT")
KERAS_VARIANTS: tuple[str, ...] = ("OM", "POM", "POM7")
TFLITE_VARIANTS: tuple[str, ...] = ("tM", "tMO", "tMOP", "tMO_QAT")
PROTOCOLS: tuple[str, ...] = ("paper", "dedup")
