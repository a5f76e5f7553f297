"""Tutor mode, flags for review and learner-built practice quizzes (issue 17 §2)."""
