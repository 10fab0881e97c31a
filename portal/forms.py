"""Form pieces shared by every area: the base form, money input, and the one way a page shows a
refusal.

Every form of the portal is a :class:`PortalForm` (a row of a FieldList, a :class:`RowForm`): in
any text field, a value of whitespace only (spaces, a tab, the ideographic space U+3000 a Chinese
input method types) is no value at all, ``""``, as if nothing had been typed. So a required field
refuses it as it refuses a blank one, and an optional one stores it as blank, never as the spaces.

A view runs the service for a submitted form through :func:`attempt`: the result, or ``None`` with
the refusal on its field (or above the form); the service's transaction has already rolled back.
The page is then shown again with what was typed, and :func:`form_status` gives its status: 200,
422 for a value that cannot be accepted, 409 when a rule, the record's state or a duplicate
refused, as the API answers (docs/api.md, Refusals)::

    if form.validate_on_submit() and (order := attempt(form, services.create_order, ...)) is not None:
        return redirect(url_for("orders.show", order_id=order.id))
    return render_template("orders/form.html", form=form), form_status(form)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, ParamSpec, TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import Field, Form, PasswordField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta
from wtforms.validators import InputRequired, ValidationError
from wtforms.widgets import DateInput

from .domain.dates import check_plausible
from .domain.errors import DomainError
from .domain.money import parse_money
from .errors import domain_message, refusal_status

ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # the date picker's YYYY-MM-DD, ASCII digits

P = ParamSpec("P")
R = TypeVar("R")


def blank_if_whitespace(value: Any) -> Any:
    """Text of whitespace only is no text: ``""``. Other values (and other text) are kept as they are."""
    return "" if isinstance(value, str) and not value.strip() else value


class _WhitespaceIsBlank(DefaultMeta):
    """Gives every text field (StringField and its kinds: text areas, hidden fields, the fields
    below) the :func:`blank_if_whitespace` filter. A password is taken exactly as typed."""

    def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
        kind = unbound_field.field_class
        if issubclass(kind, StringField) and not issubclass(kind, PasswordField):
            options = {**options, "filters": (*unbound_field.kwargs.get("filters", ()), blank_if_whitespace)}
        return super().bind_field(form, unbound_field, options)


class PortalForm(FlaskForm):
    """The base of every form of the portal (see the module's docstring)."""

    Meta = _WhitespaceIsBlank


class RowForm(Form):
    """The base of a row of a FieldList (an order's line), which has no CSRF token of its own."""

    Meta = _WhitespaceIsBlank


def enum_choices(enum: type[Enum]) -> list[SelectChoice]:
    """Choices for a select of an enum's members, labelled in the user's language at render time."""
    return [SelectChoice(member.value, lazy_gettext(member.label)) for member in enum]  # type: ignore[attr-defined]


class MoneyField(StringField):
    """A ¥ amount typed by a person: at most two decimals, thousands separators allowed;
    NaN, Infinity, exponents and negatives refused with a clear message (docs/rules.md §2)."""

    data: Decimal | None

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw = valuelist[0] if valuelist else ""
        self.data = None
        if not self.raw.strip():
            return
        try:
            self.data = parse_money(self.raw)
        except DomainError as error:
            raise ValueError(_(error.message, **error.params)) from error

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return f"{self.data:.2f}" if self.data is not None else ""


def value_required(message: Any) -> Any:
    """A field that must hold a value: blank or spaces only (a tab, U+3000), which the field reads as
    None, is refused with ``message`` (a lazy msgid, translated when the form is checked)."""

    def validate(form: Any, field: Field) -> None:
        if field.data is None and not field.errors:
            raise ValidationError(str(message))

    return validate


amount_required = value_required(lazy_gettext("Enter an amount."))  # a MoneyField that must be filled


def apply_domain_error(form: Any, error: DomainError, default_field: str | None = None) -> bool:
    """Show a domain error next to its field; returns False when it has none (flash it instead)."""
    name = error.field or default_field
    field: Field | None = getattr(form, name, None) if name else None
    if field is None:
        return False
    field.errors = [*field.errors, _(error.message, **error.params)]
    return True


def refuse(
    form: Any, error: DomainError, default_field: str | None = None, *, above_form: Collection[str] = ()
) -> None:
    """Show a refusal on ``form``: next to its field (or ``default_field``), else above the form (so
    are the fields named in ``above_form``); :func:`form_status` answers its status from then on."""
    if error.field in above_form or not apply_domain_error(form, error, default_field):
        form.form_errors.append(domain_message(error))
    form.refusal = error


def attempt(form: Any, call: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R | None:
    """``call(*args, **kwargs)``'s result, or None with its refusal shown on ``form`` (:func:`refuse`)."""
    try:
        return call(*args, **kwargs)
    except DomainError as error:
        refuse(form, error)
        return None


def form_status(form: Any) -> int:
    """The status of a page showing ``form``: 200 without errors (or without a form submitted); the
    refusal's (409 or 422) when a service refused it; 422 when the form's own checks did."""
    if form is None or not form.errors:
        return 200
    refusal = getattr(form, "refusal", None)
    return 422 if refusal is None else refusal_status(refusal)


def domain_validator(check: Any) -> Any:
    """Turn a domain check (raising InvalidValue) into a WTForms validator."""

    def validate(form: Any, field: Field) -> None:
        try:
            field.data = check(field.data)
        except DomainError as error:
            raise ValidationError(_(error.message, **error.params)) from error

    return validate


class DayField(StringField):
    """A calendar date as YYYY-MM-DD (the browser's date picker sends that), within 2000-2099."""

    data: date | None
    widget = DateInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not raw:
            return
        try:
            if not ISO_DAY.fullmatch(raw):  # YYYY-MM-DD in ASCII digits only: no week dates (2026-W01-1)
                raise ValueError(raw)
            value = date.fromisoformat(raw)
        except ValueError as error:
            raise ValueError(_("Enter a date as YYYY-MM-DD, such as 2026-03-05.")) from error
        try:
            check_plausible(value, self.name)
        except DomainError as error:
            raise ValueError(_(error.message, **error.params)) from error
        self.data = value

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.data.isoformat() if self.data else ""


class RequiredDayField(DayField):
    """A DayField that must hold a date (declare it with InputRequired too): spaces only are refused
    as a blank field is, with its InputRequired's message (else as a date in the wrong format), so
    once the form validates, ``data`` is a date."""

    data: date

    def post_validate(self, form: Any, validation_stopped: bool) -> None:
        if not validation_stopped and self.data is None and not self.errors:
            given = [v.message for v in self.validators if isinstance(v, InputRequired) and v.message]
            raise ValidationError(str(given[0]) if given else _("Enter a date as YYYY-MM-DD, such as 2026-03-05."))


class RequiredMoneyField(MoneyField):
    """A MoneyField that must hold an amount: once the form validates, ``data`` is a Decimal."""

    data: Decimal

    def post_validate(self, form: Any, validation_stopped: bool) -> None:
        if not validation_stopped:
            amount_required(form, self)
