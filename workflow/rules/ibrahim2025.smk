# ibrahim2025 stage: rules to come.

FINAL_TARGETS["ibrahim2025"] = []
