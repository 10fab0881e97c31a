"""Pages of the products area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("products", __name__, url_prefix="/products")
