# mqtt_testbed stage: rules to come.

FINAL_TARGETS["mqtt_testbed"] = []
