"""Request plumbing: who is signing in, which session to trust, and the security headers."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import Any

from flask import Flask, g, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from . import security
from .clock import utcnow
from .domain import agreements as agreement_rules
from .domain import orders as order_rules
from .domain import permissions
from .domain.pricing import PriceListStatus
from .domain.roles import Role
from .domain.subagents import SubAgentStatus
from .extensions import db, login_manager
from .transactions import transaction

API_PREFIX = "/api/"
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


class PortalSessionInterface(SecureCookieSessionInterface):
    """The API is stateless: it neither reads nor sets the session cookie, so a browser's cookie
    can never authorise an API call (and the API needs no CSRF token)."""

    def open_session(self, app: Flask, request: Any) -> Any:
        if request.path.startswith(API_PREFIX):
            return self.null_session_class()
        return super().open_session(app, request)


def load_user_from_session(user_id: str) -> Any:
    from .accounts.models import User

    ident, _, version = user_id.partition(".")
    if not (ident.isascii() and ident.isdigit() and version.isascii() and version.isdigit()):
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or user.session_version != int(version):
        return None  # logged out elsewhere, deactivated, or password changed
    return user


def load_user_from_token(req: Any) -> Any:
    from .accounts.models import ApiToken

    if not req.path.startswith(API_PREFIX):
        return None
    scheme, _, secret = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    token = ApiToken.find(secret.strip())
    if token is None:
        return None
    now = utcnow()
    # "Last used" to the minute is enough; writing on every call would make every read a write.
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION:
        with transaction():
            db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    return token.user


def unauthorized() -> Any:
    if is_api_request():
        from .errors import api_error

        return api_error(401, "unauthorized", _l("Send a valid API token: Authorization: Bearer <token>."))
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


# C0 control characters other than tab, line feed and carriage return, and DEL: no person types
# them, PostgreSQL refuses NUL in text, and they hide text from readers of the audit trail.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_control_characters() -> Any:
    """Refuse, before anything reads it, a request whose address, query or form carries control
    characters (the API checks its JSON bodies field by field)."""
    texts = [request.path, *request.args.keys(), *request.args.values()]
    if request.method not in ("GET", "HEAD", "OPTIONS") and not is_api_request():
        texts += [*request.form.keys(), *request.form.values()]
        texts += [f.filename or "" for f in request.files.values()]
    if any(CONTROL_CHARACTERS.search(text) for text in texts):
        from .errors import api_error, error_page

        message = _l("The request contains invisible control characters; remove them and try again.")
        if is_api_request():
            return api_error(400, "bad_request", message)
        return error_page(400, message)
    return None


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def security_headers(response: Any) -> Any:
    nonce = csp_nonce()
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def init_app(app: Flask) -> None:
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
    app.session_interface = PortalSessionInterface()
    login_manager.user_loader(load_user_from_session)
    login_manager.request_loader(load_user_from_token)
    login_manager.unauthorized_handler(unauthorized)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    # Templates compare statuses with the domain's enums and named sets (order_rules.SHIPPABLE,
    # AgreementStatus.ACTIVE …), never with a string.
    app.jinja_env.globals.update(
        order_rules=order_rules,
        OrderStatus=order_rules.OrderStatus,
        agreement_rules=agreement_rules,
        AgreementStatus=agreement_rules.AgreementStatus,
        PriceListStatus=PriceListStatus,
        SubAgentStatus=SubAgentStatus,
    )
    send_static = app.view_functions["static"]

    @security.public
    def static(filename: str) -> Any:
        return send_static(filename=filename)

    app.view_functions["static"] = static
    app.before_request(refuse_control_characters)
    app.before_request(security.enforce_access)
    app.after_request(security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    # Templates ask what the user may do, never which role it has: {% if may(permissions.may_x) %}.
    app.jinja_env.globals.update(
        may=security.current_user_may, permissions=permissions, role_by_value={role.value: role for role in Role}
    )
