"""``tinyids deploy``: bring your own model to the papers' boards.

One command turns a full-int8 ``.tflite`` or a fitted scikit-learn model (joblib) into verified
firmware for the boards of Idrissi et al. (2022), Table I: it writes a Deployable (the contract
the studies use), generates the C (``tinyids.codegen`` for int8 models, the srm2025 emlearn /
int8-linear exporters for scikit-learn), builds every board offline with PlatformIO, runs the
builds in the emulators and reports flash, RAM (static + measured stack), latency, host-vs-device
parity, accuracy and fit. ``models`` says what is accepted, ``vectors`` how test inputs are
read or drawn, ``run`` does the rest. The command line is ``tinyids deploy --help``.
"""

from tinyids.deploy.models import DeployError
from tinyids.deploy.run import Request, format_table, run

__all__ = ["DeployError", "Request", "format_table", "run"]
