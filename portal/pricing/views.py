"""Pages of the pricing area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pricing", __name__, url_prefix="/pricing")
