"""Marking by hand: essays wait in a queue until an instructor scores them on the rubric."""
