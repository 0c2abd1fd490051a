"""Command-line helpers around the workflow: check a config, fetch or inspect a dataset file.

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
