"""WSGI entry point: `gunicorn wsgi:app`."""

from actieoverleg import create_app

app = create_app()
