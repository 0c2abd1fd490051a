"""tinyids: reproducible lightweight intrusion detection for IoT hardware.

Importing the package sets ``TF_USE_LEGACY_KERAS=1`` before anything can import TensorFlow:
tensorflow-model-optimization only works with tf_keras (Keras 2), and the switch is read once,
at TensorFlow's first import.
"""

import os as _os

_os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
