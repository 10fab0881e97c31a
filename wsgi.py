"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi …``.

Each gunicorn worker imports this module when it boots (no ``--preload``), so the warm-up runs
there, before the worker takes its first request (portal/warmup.py). The ``flask`` command
(migrations, the demo, the development server) skips it: it would only make each command slower.
"""

import os

from portal import create_app
from portal.warmup import warm_up

app = create_app()
if not os.environ.get("FLASK_RUN_FROM_CLI"):
    warm_up(app)
