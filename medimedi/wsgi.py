"""WSGI entry point (gunicorn medimedi.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medimedi.settings")

application = get_wsgi_application()
