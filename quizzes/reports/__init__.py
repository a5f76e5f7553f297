"""Instructor reports: gradebook, roster, item statistics, analysis and charts."""
