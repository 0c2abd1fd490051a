# The two commands of the README. Both set up what they need first (idempotent).
#   make study   # set up, then run the whole study (all three papers) with Snakemake
#   make test    # set up, then run the test suite (unit tests + one smoke run of the workflow)

SHELL := /bin/bash
export TINYIDS_DATA_MIRROR ?= $(abspath ../shared/data)
CORES ?= all

.PHONY: setup study test smoke dag lint report

setup:
	tools/setup.sh

study: setup
	.venv/bin/snakemake --cores $(CORES)
	.venv/bin/snakemake --cores $(CORES) --report results/report/report.html

test: setup
	.venv/bin/python -m pytest -v --durations=15

smoke: setup
	.venv/bin/snakemake --cores $(CORES) --configfile config/smoke.yaml

lint: setup
	.venv/bin/snakemake --lint

dag: setup
	.venv/bin/snakemake --rulegraph | dot -Tsvg > docs/rulegraph.svg
