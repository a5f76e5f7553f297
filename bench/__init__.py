"""`make bench`: measure the course tool under gunicorn against a bare Flask baseline."""
