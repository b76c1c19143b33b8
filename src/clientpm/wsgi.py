"""WSGI entry point (gunicorn clientpm.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientpm.settings")  # noqa: TID251
application = get_wsgi_application()
