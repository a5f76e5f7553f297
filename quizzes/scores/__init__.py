"""Scores to the LMS: the outbox, the sender, resend, reconcile and their CLIs."""
