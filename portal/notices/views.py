"""Pages of the notices area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("notices", __name__, url_prefix="/notices")
