"""The /repairs blueprint. The area's page modules (listed in portal.repairs.routes) add their
routes to ``bp``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("repairs", __name__, url_prefix="/repairs")
