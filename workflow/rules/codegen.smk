# codegen stage: rules to come.

FINAL_TARGETS["codegen"] = []
