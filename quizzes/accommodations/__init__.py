"""Accommodations: per-learner and group overrides of quiz limits, their page, CSV and audit."""
