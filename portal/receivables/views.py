"""Pages of the receivables area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("receivables", __name__, url_prefix="/receivables")
