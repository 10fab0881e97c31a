"""Error answers: a page in the user's language, or the API's JSON error (docs/api.md conventions)."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .domain.errors import DomainError, InvalidValue

TITLES = {
    400: _l("Bad request"),
    401: _l("Please sign in"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Not allowed"),
    409: _l("Not possible now"),
    413: _l("File too large"),
    422: _l("Check what you entered"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
}

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please sign in to continue."),
    403: _l("Your role does not allow this."),
    404: _l("There is nothing here. The address may be wrong, or the record is not yours to see."),
    405: _l("This address does not take that kind of request."),
    413: _l("The file is larger than the portal accepts (16 MB)."),
    429: _l("Too many requests in a short time. Wait a minute and try again."),
    500: _l("The portal could not finish this. The error has been logged; please try again later."),
}

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
}


def api_error(status: int, code: str, message: Any, fields: dict[str, list[str]] | None = None) -> Any:
    body: dict[str, Any] = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = {name: [str(m) for m in msgs] for name, msgs in fields.items()}
    return jsonify(error=body), status


def domain_message(error: DomainError) -> str:
    """The domain error's message in the user's language."""
    return _(error.message, **error.params)


def refusal_status(error: DomainError) -> int:
    """422 for a value that cannot be accepted; 409 when a rule, the record's state or a duplicate
    refuses the step. Pages and the API answer the same (docs/api.md, Refusals)."""
    return 422 if isinstance(error, InvalidValue) else 409


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def error_page(status: int, message: Any = None) -> Any:
    if _wants_json():
        return api_error(status, CODES.get(status, "error"), message or MESSAGES.get(status, ""))
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=TITLES.get(status, TITLES[500]),
            message=message or MESSAGES.get(status, MESSAGES[500]),
        ),
        status,
    )


def _headers_of(error: HTTPException) -> list[tuple[str, str]]:
    """The headers HTTP requires with the error, which werkzeug carries on it: ``Allow`` on a 405
    (RFC 9110 §15.5.6), ``WWW-Authenticate``, ``Retry-After``; our own answer sets its content type."""
    return [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        status = error.code or 500
        body, status = error_page(status, MESSAGES.get(status))
        return body, status, _headers_of(error)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        return error_page(400, _l("The form had expired or came from another site. Please try again."))

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> Any:
        """A refusal no page handled (the API answers its own: portal.api.core.refusal)."""
        return error_page(refusal_status(error), domain_message(error))

    @app.errorhandler(500)
    def server_error(error: Any) -> Any:
        return error_page(500)
