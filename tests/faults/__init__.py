"""Fault-injection tests: database restart, worker killed, Redis down, LMS outage."""
