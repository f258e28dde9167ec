"""gunicorn, the production WSGI server of Concerto.

Why gunicorn: Concerto is a synchronous Django application (ORM, template
rendering, WeasyPrint PDFs that take seconds of CPU); pre-forked sync
workers use every core, isolate a heavy PDF render in its own process and
are the long-standing production setup for Django. An ASGI server (uvicorn,
granian) would bring nothing to code without async views.

Settings come from the environment (see deploy/concerto.env.example).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two workers per core: requests wait on PostgreSQL part of the time.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count()))
worker_class = "sync"
# A 300-measure PDF takes about 25 s to render.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
# Workers are replaced after about this many requests, so that memory taken
# by a large PDF render is given back; the wide jitter keeps them from being
# replaced all at once (each new worker renders the public pages again).
max_requests = 2000
max_requests_jitter = 1000
# The application is imported once, before forking: workers start fast and
# share memory. Database connections are opened by each worker.
preload_app = True
# X-Forwarded-* headers are trusted only from the reverse proxy.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# No runtime control socket: workers are managed by systemd and signals
# (HUP reloads), and several masters may run on one machine.
control_socket_disable = True
