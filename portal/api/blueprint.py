"""The /api/v1 blueprint. Resource modules import ``bp`` from here and add their routes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request

from ..domain.errors import DomainError
from ..errors import api_error
from .core import ApiError, PageQuery, parse_query, refusal

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def refuse_bad_paging() -> None:
    """A list's ``?page=`` and ``?per_page=`` are read as strictly as its filters (422 naming the
    parameter), for every operation the document shows them on: those annotated ``list_of``."""
    view = current_app.view_functions.get(request.endpoint or "")
    doc = getattr(view, "api_doc", None)
    if doc is not None and doc.list_of:
        parse_query(PageQuery)


@bp.after_request
def no_content_without_type(response: Response) -> Response:
    """A 204 has no body (RFC 9110 §15.3.5), so it names no media type either: Flask would label the
    empty answer ``text/html``, which no operation documents."""
    if response.status_code == 204:
        response.set_data(b"")
        del response.headers["Content-Type"]
    return response


@bp.errorhandler(ApiError)
def answer_api_error(error: ApiError) -> Any:
    return api_error(error.status, error.code, error.message, error.fields)


@bp.errorhandler(DomainError)
def answer_refusal(error: DomainError) -> Any:
    """A service refused: its transaction has rolled back, so nothing changed."""
    return answer_api_error(refusal(error))
