"""Request plumbing: who is signing in, which session to trust, and the security headers.

A browser session lasts SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after signing
in, however busy (portal.config; docs/rules.md §12). Both moments are kept in the signed session
cookie and checked before Flask-Login loads the user, so an expired cookie costs no database query.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import logout_user, user_logged_in, user_logged_out
from sqlalchemy import update

from . import clock, security
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
# Session keys: when this browser signed in and when it was last seen (whole seconds since 1970, UTC).
SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
LOGGED_IN_USER = "_user_id"  # Flask-Login's key
# "Last seen" to the minute is enough: the cookie is rewritten at most once a minute, not on every
# request (so a session may end up to a minute before the idle limit after the last request).
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
# Servers' clocks may differ a little; a moment further ahead than this is no moment we wrote.
CLOCK_SKEW = timedelta(minutes=5)


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


class PortalSessionInterface(SecureCookieSessionInterface):
    """The API is stateless: it neither reads nor sets the session cookie, so a browser's cookie
    can never authorise an API call (and the API needs no CSRF token)."""

    def open_session(self, app: Flask, request: Any) -> Any:
        if request.path.startswith(API_PREFIX):
            return self.null_session_class()
        return super().open_session(app, request)

    def get_expiration_time(self, app: Flask, session: Any) -> datetime | None:
        """A signed-in browser drops the cookie when the session's absolute lifetime ends, however
        often it is rewritten before; a session without a sign-in lasts until the browser closes."""
        signed_in = _moment(session.get(SIGNED_IN_AT))
        if session.permanent and signed_in is not None:
            return signed_in + max_session_age(app)
        return super().get_expiration_time(app, session)


def max_session_age(app: Flask) -> timedelta:
    return timedelta(hours=app.config["SESSION_MAX_HOURS"])


def idle_session_limit(app: Flask) -> timedelta:
    return timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])


def _stamp(moment: datetime) -> int:
    return int(moment.timestamp())


def _moment(stamp: Any) -> datetime | None:
    """The moment a session key holds, or None when it holds no whole number of seconds."""
    if type(stamp) is not int:
        return None
    try:
        return datetime.fromtimestamp(stamp, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def session_has_expired(stamps: Mapping[str, Any], now: datetime, idle: timedelta, longest: timedelta) -> bool:
    """Whether a signed-in session is over: idle too long, signed in too long ago, or without
    readable moments (a session that cannot say when it began has ended)."""
    signed_in, last_seen = _moment(stamps.get(SIGNED_IN_AT)), _moment(stamps.get(LAST_SEEN_AT))
    if signed_in is None or last_seen is None or max(signed_in, last_seen) > now + CLOCK_SKEW:
        return True
    return now - last_seen > idle or now - signed_in > longest


def start_session_clock(sender: Any, **extra: Any) -> None:
    """On every sign-in (Flask-Login's user_logged_in): the session's lifetime starts now."""
    now = _stamp(clock.utcnow())
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN_AT] = now
    session.permanent = True  # the cookie carries an expiry (PortalSessionInterface.get_expiration_time)


def stop_session_clock(sender: Any, **extra: Any) -> None:
    """On signing out (Flask-Login's user_logged_out); the language choice and CSRF token stay."""
    session.pop(SIGNED_IN_AT, None)
    session.pop(LAST_SEEN_AT, None)
    session.permanent = False


def end_expired_session() -> None:
    """Before anything asks who is signed in: sign an expired session out, or note that the browser
    was seen. The page it asked for then sends it to the login page (see unauthorized), which keeps
    the address it wanted and says why."""
    if is_api_request() or LOGGED_IN_USER not in session:
        return
    now = clock.utcnow()  # through the module, so that tests can move the clock
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if session_has_expired(session, now, idle_session_limit(app), max_session_age(app)):
        session.pop(LOGGED_IN_USER)  # first, so that logging out loads no user from the database
        logout_user()
        g.session_expired = True
        return
    last_seen = _moment(session[LAST_SEEN_AT])
    if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION:
        session[LAST_SEEN_AT] = _stamp(now)


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
    if g.get("session_expired"):
        flash(_("Your session has expired; please sign in again."), "warning")
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


#: The only inline style attributes the pages allow, by their exact text (CSP 'unsafe-hashes'): the
#: empty ``style=""`` that plotly.js puts on a heat map's colour-bar rectangles, and the fixed
#: image-rendering declarations it puts on a heat map's image ("optimizeSpeed; … pixelated; ").
#: Neither can carry anything else; every other inline style is refused.
PLOTLY_STYLE_HASHES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-AR/cKIZjWPcPmBUPDA6oti9XBiTbJvz0Cro2J1VzzS8='",
)


def security_headers(response: Any) -> Any:
    nonce = csp_nonce()
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        f"style-src 'self' 'unsafe-hashes' {' '.join(PLOTLY_STYLE_HASHES)}; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
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
    user_logged_in.connect(start_session_clock)
    user_logged_out.connect(stop_session_clock)
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
    app.before_request(end_expired_session)  # before enforce_access asks who is signed in
    app.before_request(security.enforce_access)
    app.after_request(security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    # Templates ask what the user may do, never which role it has: {% if may(permissions.may_x) %}.
    app.jinja_env.globals.update(
        may=security.current_user_may, permissions=permissions, role_by_value={role.value: role for role in Role}
    )
