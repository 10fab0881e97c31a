"""Administration of users: create, edit, deactivate, reset passwords (docs/rules.md §12: admin)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts import services
from ..accounts.forms import NewUserForm, ResetPasswordForm, UserForm
from ..accounts.models import User
from ..domain.errors import DomainError
from ..domain.permissions import may_manage_users
from ..domain.roles import Role
from ..forms import attempt, form_status, refuse
from ..pagination import paginate
from ..security import allowed, loads

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_data(form: UserForm) -> services.UserData:
    return services.UserData(
        username=form.username.data or "",
        role=Role(form.role.data),
        full_name=form.full_name.data or "",
        email=form.email.data or "",
        distributor_id=form.distributor_id.data,
        active=bool(form.active.data),
    )


@bp.get("/users")
@allowed(may_manage_users)
def users() -> Any:
    statement = select(User).options(selectinload(User.distributor)).order_by(User.username)
    role = request.args.get("role", "")
    if role in {r.value for r in Role}:
        statement = statement.where(User.role == Role(role))
    query = request.args.get("q", "").strip()
    if query:
        statement = statement.where(User.username.ilike(f"%{query}%") | User.full_name.ilike(f"%{query}%"))
    page = paginate(statement)
    return render_template("admin/users.html", page=page, roles=list(Role), role=role, q=query)


@bp.route("/users/new", methods=["GET", "POST"])
@allowed(may_manage_users)
def new_user() -> Any:
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(_user_data(form), form.password.data)
        except DomainError as error:
            refuse(form, error, "password")
        else:
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), form_status(form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@allowed(may_manage_users)
@loads(User, "user_id")
def edit_user(user: User) -> Any:
    form = UserForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.role.data = user.role.value
        form.distributor_id.data = user.distributor_id
    if form.validate_on_submit():
        saved = attempt(form, services.update_user, user, _user_data(form))
        if saved is not None:
            flash(_("User %(name)s saved.", name=saved.username), "success")
            return redirect(url_for("admin.users"))
    reset_form = ResetPasswordForm(formdata=None)
    return render_template("admin/user_form.html", form=form, user=user, reset_form=reset_form), form_status(form)


@bp.post("/users/<int:user_id>/password")
@allowed(may_manage_users)
@loads(User, "user_id")
def reset_password(user: User) -> Any:
    reset_form = ResetPasswordForm()
    if reset_form.validate_on_submit():
        try:
            revoked = services.reset_password(user, reset_form.password.data)
        except DomainError as error:
            refuse(reset_form, error, "password")
        else:
            flash(_password_reset(user, revoked), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    form = UserForm(obj=user)
    form.role.data = user.role.value
    form.distributor_id.data = user.distributor_id
    return render_template("admin/user_form.html", form=form, user=user, reset_form=reset_form), form_status(reset_form)


def _password_reset(user: User, revoked_tokens: int) -> str:
    if not revoked_tokens:
        return _("The password of %(name)s has been reset; their sessions have ended.", name=user.username)
    return ngettext(
        "The password of %(name)s has been reset; their sessions have ended and %(num)s API token has been revoked.",
        "The password of %(name)s has been reset; their sessions have ended and %(num)s API tokens have been revoked.",
        revoked_tokens,
        name=user.username,
    )


@bp.post("/users/<int:user_id>/active")
@allowed(may_manage_users)
@loads(User, "user_id")
def set_active(user: User) -> Any:
    active = request.form.get("active") == "1"
    if not active and user.id == current_user.id:
        flash(_("You cannot deactivate your own account; ask another administrator."), "danger")
        return redirect(url_for("admin.users"))
    services.set_active(user, active)
    message = (
        _("%(name)s can sign in again.", name=user.username)
        if active
        else _("%(name)s is deactivated and signed out everywhere.", name=user.username)
    )
    flash(message, "success")
    return redirect(url_for("admin.users"))
