"""WSGI entry point: `gunicorn wsgi:app`."""
from network.national.app import create_app

app = create_app()
