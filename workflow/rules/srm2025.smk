# srm2025 stage: rules to come.

FINAL_TARGETS["srm2025"] = []
