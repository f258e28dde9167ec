import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")
application = get_wsgi_application()

# Before serving (in gunicorn's master, before it forks its workers): see concerto.core.warmup.
from concerto.core.warmup import warm_up  # noqa: E402 - needs the settings loaded above

warm_up()
