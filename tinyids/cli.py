"""Command-line helpers around the workflow: check a config, fetch or inspect a dataset file,
deploy your own model to the boards.

The studies themselves run through Snakemake (`make study`); these commands answer the
questions a user has before and after a run without reading code.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from tinyids.errors import TinyidsError

REPO = Path(__file__).resolve().parents[1]


def _check_config(args: argparse.Namespace) -> int:
    from tinyids.config import load_config

    files = [REPO / "config" / "config.yaml", *args.configfile]
    load_config(*files, schema_dir=REPO / "config" / "schemas")
    print(f"valid: {', '.join(str(f) for f in files)}")
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from tinyids.datasets.download import acquire
    from tinyids.datasets.manifest import file_spec, load_manifest

    spec = file_spec(load_manifest(args.manifest), args.dataset, args.file)
    mirror = args.mirror or os.environ.get("TINYIDS_DATA_MIRROR")
    dest = Path(args.dest or f"resources/data/{args.dataset}/{args.file}")
    origin = acquire(spec, dest, mirror_dir=Path(mirror) if mirror else None, timeout_s=args.timeout)
    print(f"{dest}: verified, from {origin}")
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from tinyids.datasets import nslkdd, wustl

    loaders = {"nsl-kdd": nslkdd.load, "wustl-ehms-2020": wustl.load}
    frame = loaders[args.dataset](Path(args.path), nan_policy=args.nan_policy)
    class_column = {"nsl-kdd": "attack_class", "wustl-ehms-2020": "Attack Category"}[args.dataset]
    summary = {"rows": len(frame), "columns": frame.shape[1],
               "classes": {str(k): int(v) for k, v in frame[class_column].value_counts().items()}}
    print(json.dumps(summary, indent=2))
    return 0


def _deploy(args: argparse.Namespace) -> int:
    from tinyids.deploy import Request, format_table, run
    from tinyids.deploy.models import DeployFailure

    req = Request(model=args.model, vectors=args.vectors, boards=args.board or [], all_boards=args.boards == "all",
                  preprocessing=args.preprocessing, out=args.out, random_vectors=args.random_vectors,
                  max_vectors=args.max_vectors, threshold=args.threshold, seed=args.seed)
    try:
        report = run(req)
    except DeployFailure as exc:  # valid input, a later stage failed: not "bad input"
        print(f"tinyids: deploy failed: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print(format_table(report))
    return int(report["exit_status"])


DEPLOY_HELP = """\
Turn a model into firmware for the boards of Idrissi et al. (2022), Table I, and say which
boards it fits, how fast it runs there and whether the board computes what the host computes.

MODEL is a full-int8 .tflite (int8 input and output; operators FULLY_CONNECTED, CONV_2D,
MAX_POOL_2D, SOFTMAX, LOGISTIC, RESHAPE, EXPAND_DIMS, SQUEEZE) or a fitted scikit-learn
DecisionTreeClassifier, RandomForestClassifier, binary LogisticRegression / LinearSVC /
SVC(kernel="linear"), or binary relu MLPClassifier saved with joblib.dump (loading a joblib
file runs its pickle: only pass files you trust).

For each board: the C is generated, the firmware is built offline with PlatformIO, run in the
board's emulator (Uno: simavr, cycle-accurate; Portenta H7 M7 and NodeMCU: QEMU, instruction
counts; Raspberry Pi: qemu-user, parity only), and the table reports flash, RAM (static +
measured stack), latency, mismatching vectors between the device and the host build, accuracy
(when labels are given) and whether it fits (or by how many bytes it does not).

Exit status: 0 every requested board built, fits and matched; 1 a model does not fit, a build
failed or a board mismatched (the table says which); 2 bad input (the error names it).
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tinyids",
        description="tinyids: reproduce three IoT intrusion-detection studies. Run the studies with "
        "`make study` (Snakemake); these subcommands check inputs.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check-config", help="validate config/config.yaml plus override files")
    check.add_argument("configfile", nargs="*", type=Path, help="override files, e.g. config/smoke.yaml")
    check.set_defaults(func=_check_config)
    fetch = sub.add_parser("fetch", help="acquire and verify one dataset file (mirror or sources)")
    fetch.add_argument("dataset", help="dataset name in config/datasets.yaml, e.g. nsl-kdd")
    fetch.add_argument("file", help="file name, e.g. KDDTest+.txt")
    fetch.add_argument("--dest", help="target path (default resources/data/<dataset>/<file>)")
    fetch.add_argument("--mirror", help="mirror folder (default $TINYIDS_DATA_MIRROR)")
    fetch.add_argument("--manifest", default=str(REPO / "config" / "datasets.yaml"))
    fetch.add_argument("--timeout", type=float, default=60.0, help="per-source timeout in seconds")
    fetch.set_defaults(func=_fetch)
    inspect = sub.add_parser("inspect", help="validate a dataset file and print its row and class counts")
    inspect.add_argument("dataset", choices=["nsl-kdd", "wustl-ehms-2020"])
    inspect.add_argument("path", help="the file (plain or .gz)")
    inspect.add_argument("--nan-policy", default="fail", choices=["fail", "drop", "impute"])
    inspect.set_defaults(func=_inspect)
    deploy = sub.add_parser("deploy", help="build, emulate and fit-check your own int8 .tflite or scikit-learn model "
                            "on the boards", description=DEPLOY_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
                            epilog="example (after `make test`; docs/DEPLOY.md makes this model with one snakemake "
                            "target):\n  .venv/bin/tinyids deploy "
                            "results/srm2025/deploy/tiny_nn_int8.tflite \\\n      --vectors "
                            "results/srm2025/deploy/tiny_nn_int8.npz --board uno --board portenta_h7_m7")
    deploy.add_argument("model", type=Path, metavar="MODEL", help="a full-int8 .tflite or a joblib-saved scikit-learn model")
    deploy.add_argument("--vectors", type=Path, metavar="FILE.npz",
                        help="test inputs: X (rows x features, float) and optionally y (labels); a Deployable's "
                        "X_test / y_test also works. Default: --random-vectors random rows in the model's input "
                        "range, no labels (parity only, no accuracy)")
    deploy.add_argument("--board", action="append", metavar="BOARD",
                        help="a board to build for (repeatable): uno, nodemcuv2, esp32dev, portenta_h7_m7, rpi "
                        "(config/config.yaml firmware.boards). Default: all")
    deploy.add_argument("--boards", choices=["all"],
                        help="every board of the table; one with no toolchain here (esp32dev) is listed, not a failure")
    deploy.add_argument("--preprocessing", type=Path, metavar="FILE.json",
                        help="typed preprocessing steps from raw features to the model input (a list, "
                        "{\"steps\": [...]}, or a Deployable JSON): the vectors are then raw rows (X, else X_raw), "
                        "and the generated C of an int8 model gets tinyids_<name>_preprocess()")
    deploy.add_argument("--out", type=Path, metavar="DIR",
                        help="where the Deployable, C sources, ELF files and report go (default results/deploy/<name>, ignored by git)")
    deploy.add_argument("--json", action="store_true", help="print the report as JSON instead of the table")
    deploy.add_argument("--random-vectors", type=int, default=300, metavar="N",
                        help="how many random vectors without --vectors (default 300)")
    deploy.add_argument("--max-vectors", type=int, default=300, metavar="N",
                        help="emulate a seeded sample of at most N of the given vectors (default 300)")
    deploy.add_argument("--threshold", type=float, default=0.5, metavar="P",
                        help="one-output int8 models: class 1 when the dequantized output is >= P (default 0.5)")
    deploy.add_argument("--seed", type=int, default=0, help="seed of the random vectors and of the sample (default 0)")
    deploy.set_defaults(func=_deploy)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except TinyidsError as exc:
        print(f"tinyids: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
