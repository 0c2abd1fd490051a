"""MQTT testbed: regenerates MQTT-IoT-IDS2020 uniflow features from real traffic (issue 3).

Modules: :mod:`~tinyids.testbed.safety` (root, programs, subnet and target checks),
:mod:`~tinyids.testbed.netns` (namespaces, veth pairs, bridge, guaranteed teardown),
:mod:`~tinyids.testbed.clients` (paho-mqtt sensors and MQTT brute force, run in namespaces),
:mod:`~tinyids.testbed.capture` (services, attack windows, tcpdump),
:mod:`~tinyids.testbed.flows` (pcap -> uniflow features), :mod:`~tinyids.testbed.card`.

Nothing heavy is imported here: the traffic clients start one Python process per host and
must not pay for pandas/numpy.
"""
