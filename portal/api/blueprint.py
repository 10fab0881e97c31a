"""The /api/v1 blueprint. Resource modules import ``bp`` from here and add their routes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort

from ..errors import api_error
from .core import MAX_ID, ApiError

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(ApiError)
def answer_api_error(error: ApiError) -> Any:
    return api_error(error.status, error.code, error.message, error.fields)


@bp.url_value_preprocessor
def refuse_ids_out_of_range(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A record id beyond the integer columns' range cannot exist: 404 before any query, which
    would fail (PostgreSQL: integer out of range; SQLite: Python int too large) with a 500.

    URL value preprocessors run before ``enforce_access`` and its loaders.
    """
    if values and any(isinstance(value, int) and value > MAX_ID for value in values.values()):
        abort(404)
