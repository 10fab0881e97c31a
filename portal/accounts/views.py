"""Signing in and out, and each user's own profile: password and API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select

from ..domain.errors import DomainError
from ..domain.permissions import may_manage_own_account
from ..errors import domain_message
from ..extensions import db, limiter
from ..forms import form_status, refuse
from ..security import allowed, loads, public
from . import services, throttle
from .forms import ChangePasswordForm, LoginForm, TokenForm
from .models import ApiToken

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit("30 per minute", methods=["POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        typed = form.username.data
        known_here = _name_keys_signed_in_here()
        try:
            user = services.authenticate(
                typed,
                form.password.data,
                request.remote_addr or "",
                signed_in_here_before=throttle.name_key(typed) in known_here,
            )
        except DomainError as error:
            return _refused(form, error)
        login_user(user)
        response = redirect(_safe_next(request.args.get("next")))
        _remember_signed_in_here(response, throttle.name_key(typed), known_here)
        return response
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


def _refused(form: LoginForm, error: DomainError) -> Any:
    """The form again, with the name typed; 429 and Retry-After while sign-ins are throttled."""
    form.password.errors = [domain_message(error)]
    if isinstance(error, services.LoginThrottled):
        headers = {"Retry-After": str(error.params["seconds"])}
        return render_template("accounts/login.html", form=form), 429, headers
    return render_template("accounts/login.html", form=form), 422


# A browser that signed in under a name keeps a signed note of it (the name's key, not the name),
# so the short name-wide wait, which a stranger anywhere can cause, does not hold it back
# (docs/rules.md §12). A copied note gains nothing else: the password is checked, the other waits hold.
DEVICE_COOKIE = "portal_signed_in_here"
DEVICE_COOKIE_NAMES = 5
DEVICE_COOKIE_AGE = timedelta(days=365)


def _device_notes() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="signed in here")


def _name_keys_signed_in_here() -> list[str]:
    try:
        keys = _device_notes().loads(
            request.cookies.get(DEVICE_COOKIE, ""), max_age=int(DEVICE_COOKIE_AGE.total_seconds())
        )
    except BadData:
        return []
    return [key for key in keys if isinstance(key, str)] if isinstance(keys, list) else []


def _remember_signed_in_here(response: Any, key: str, known: list[str]) -> None:
    keys = [key, *(other for other in known if other != key)][:DEVICE_COOKIE_NAMES]
    response.set_cookie(
        DEVICE_COOKIE,
        _device_notes().dumps(keys),
        max_age=int(DEVICE_COOKIE_AGE.total_seconds()),
        path=url_for("accounts.login"),
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )


@bp.post("/logout")
@allowed(may_manage_own_account)
def logout() -> Any:
    # Ending every session of this user, not only this cookie: a copied cookie stops working.
    services.end_sessions(current_user._get_current_object())
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/profile", methods=["GET", "POST"])
@allowed(may_manage_own_account)
def profile() -> Any:
    return _profile_again()


@bp.post("/profile/password")
@allowed(may_manage_own_account)
def change_password() -> Any:
    form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            revoked = services.change_password(user, form.current_password.data, form.new_password.data)
        except DomainError as error:
            refuse(form, error, "new_password")
        else:
            login_user(user)  # this browser stays signed in; every other session ends
            flash(_password_changed(revoked), "success")
            return redirect(url_for("accounts.profile"))
    return _profile_again(password_form=form)


def _password_changed(revoked_tokens: int) -> str:
    if not revoked_tokens:
        return _("Your password has been changed. Other sessions have been signed out.")
    return ngettext(
        "Your password has been changed. Other sessions have been signed out, and %(num)s API token has been revoked.",
        "Your password has been changed. Other sessions have been signed out, and "
        "%(num)s API tokens have been revoked.",
        revoked_tokens,
    )


@bp.post("/profile/tokens")
@allowed(may_manage_own_account)
def create_token() -> Any:
    form = TokenForm(prefix="token")
    new_token = None
    if form.validate_on_submit():
        try:
            new_token = services.create_token(current_user._get_current_object(), form.name.data)
        except DomainError as error:
            refuse(form, error, "name")
        else:
            flash(_("Copy the token now: it is shown only once."), "warning")
            form = TokenForm(prefix="token", formdata=None)
    return _profile_again(token_form=form, new_token=new_token)


@bp.post("/profile/tokens/<int:token_id>/revoke")
@allowed(may_manage_own_account)
@loads(ApiToken, "token_id", as_="token")
def revoke_token(token: ApiToken) -> Any:
    services.revoke_token(token)
    flash(_("The token has been revoked."), "success")
    return redirect(url_for("accounts.profile"))


def _profile_again(**forms: Any) -> Any:
    forms.setdefault("password_form", ChangePasswordForm(prefix="pw", formdata=None))
    forms.setdefault("token_form", TokenForm(prefix="token", formdata=None))
    forms.setdefault("new_token", None)
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()
    status = max(form_status(forms["password_form"]), form_status(forms["token_form"]))
    return render_template("accounts/profile.html", tokens=tokens, **forms), status
