"""The /api/v1 blueprint. Resource modules import ``bp`` from here and add their routes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ..domain.errors import DomainError
from ..errors import api_error
from .core import ApiError, refusal

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(ApiError)
def answer_api_error(error: ApiError) -> Any:
    return api_error(error.status, error.code, error.message, error.fields)


@bp.errorhandler(DomainError)
def answer_refusal(error: DomainError) -> Any:
    """A service refused: its transaction has rolled back, so nothing changed."""
    return answer_api_error(refusal(error))
