"""WSGI entry point for gunicorn and `flask --app wsgi`."""
from course import create_app

app = create_app()
