"""Mutation testing of the pure core: the report script and the list of equivalent mutants."""
