# idrissi2022 stage: rules to come.

FINAL_TARGETS["idrissi2022"] = []
