"""idrissi2022: LiteRT host latency and batched throughput (one thread) of the .tflite variants."""

from tinyids.idrissi2022.steps import benchmark_step
from tinyids.runlog import logged

with logged(snakemake.log[0]):
    benchmark_step(snakemake.input.data, dict(zip(snakemake.params.variants, snakemake.input.tflites)),
                   snakemake.params.cfg, protocol=snakemake.wildcards.protocol,
                   seed=int(snakemake.wildcards.seed), out_json=snakemake.output.timing)
