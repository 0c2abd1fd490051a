# firmware stage: rules to come.

FINAL_TARGETS["firmware"] = []
