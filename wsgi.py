"""WSGI entry point: `gunicorn wsgi:app`."""

from actieoverleg import create_app
from actieoverleg.privacy_names import lexicon

app = create_app()
lexicon()  # the content guard's word lists, loaded now rather than by a worker's first save
