from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from ..distributors.forms import DistributorField
from ..domain.roles import Role
from ..forms import PortalForm, enum_choices


class LoginForm(PortalForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )


class TokenForm(PortalForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])


class UserForm(PortalForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=100)])
    email = StringField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=enum_choices(Role), validators=[DataRequired()])
    distributor_id = DistributorField(_l("Distributor"))
    active = BooleanField(_l("Active"), default=True)


class NewUserForm(UserForm):
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=200)])


class ResetPasswordForm(PortalForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
