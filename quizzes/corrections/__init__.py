"""Grade corrections: regrade after a key fix, manual overrides, reopening and extra attempts."""
