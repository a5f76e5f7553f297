"""Spaced review of each learner's weak spots: schedule rows, review sessions and their pages."""
