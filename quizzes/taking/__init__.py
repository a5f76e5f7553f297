"""Learners take quizzes: attempts, pages, progress and the learner views."""
