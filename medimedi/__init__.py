"""The project package: settings, URLs, the Celery app, WSGI and the health endpoint."""

from medimedi.celery import app as celery_app

__all__ = ["celery_app"]
