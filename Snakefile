# tinyids: three published IoT intrusion-detection studies as one workflow.
# Thin on purpose: config, validation, the stage files, and the final reports.

from snakemake.utils import min_version

min_version("9.27")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/mqtt_testbed.smk"
include: "workflow/rules/srm2025.smk"
include: "workflow/rules/ibrahim2025.smk"
include: "workflow/rules/idrissi2022.smk"
include: "workflow/rules/codegen.smk"
include: "workflow/rules/firmware.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        final_targets(),
