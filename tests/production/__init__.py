"""The production set-up as real processes: gunicorn app servers, outbox workers, JSON logs."""
