"""Pages of the boards area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("boards", __name__, url_prefix="/boards")
