# report stage: rules to come.

FINAL_TARGETS["report"] = []
