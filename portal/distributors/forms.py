from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, SelectField, StringField
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError
from wtforms.widgets import HiddenInput

from ..domain.distributors import DistributorStatus, Level, normalize_credit_code
from ..forms import PortalForm, domain_validator, enum_choices
from .queries import NOTHING, Picked, pick_distributor


class DistributorField(Field):
    """A distributor chosen with the picker (templates/macros/picker.html, ``picker_field``), never
    from a drop-down of every distributor: the box ``<name>_text`` where the user types a code or
    picks a suggestion, and the hidden ``<name>`` the suggestion fills with its id.

    ``data`` is the distributor's id, or None. Checking the form looks the distributor up in the
    user's scope (:func:`pick_distributor`: one query): an id or a code that names none there is
    refused with a message, and the box keeps what was typed. ``required`` (a message) refuses an
    empty box; without it, empty is no distributor.
    """

    widget = HiddenInput()

    def __init__(self, label: Any = None, validators: Any = None, *, required: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.required_message = required
        self.text_name = f"{self.name}_text"
        self.typed: str | None = None  # what the box held when the form was sent (None: not sent)
        self._picked: tuple[Any, Picked] | None = None
        if required is not None:
            self.flags.required = True

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        if formdata is not None and self.text_name in formdata:
            self.typed = formdata.get(self.text_name)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = valuelist[0] if valuelist else None

    @property
    def picked(self) -> Picked:
        """The distributor the field names now (looked up once for each value it holds)."""
        key = (self.data, self.typed)
        if self._picked is None or self._picked[0] != key:
            given = self.data is not None and str(self.data).strip() != ""
            picked = pick_distributor(self.data, self.typed) if given or self.typed is not None else NOTHING
            self._picked = (key, picked)
        return self._picked[1]

    def pre_validate(self, form: Any) -> None:
        picked = self.picked
        self.data = picked.id
        self._picked = ((self.data, self.typed), picked)
        if picked.id is not None:
            return
        if picked.unknown and (self.typed or "").strip():
            raise ValidationError(_("No distributor has the code “%(code)s”.", code=picked.unknown))
        if picked.unknown:
            raise ValidationError(_("There is no such distributor."))
        if self.required_message is not None:
            raise ValidationError(str(self.required_message))

    def _value(self) -> str:
        return str(self.picked.id or "")


class DistributorForm(PortalForm):
    code = StringField(
        _l("Distributor code"),
        validators=[
            DataRequired(),
            Length(max=20),
            Regexp(r"^[A-Za-z0-9-]+$", message=_l("Use letters, digits and hyphens only.")),
        ],
    )
    name = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)])
    credit_code = StringField(
        _l("Unified social credit code"), validators=[DataRequired(), domain_validator(normalize_credit_code)]
    )
    level = SelectField(_l("Level"), choices=enum_choices(Level))
    status = SelectField(_l("Status"), choices=enum_choices(DistributorStatus))
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=100)])
    contact_phone = StringField(
        _l("Contact phone"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9+\-() ]+$", message=_l("Use digits, spaces and + - ( ) only.")),
        ],
    )
    contact_email = StringField(_l("Contact e-mail"), validators=[Optional(), Email(), Length(max=254)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    region_code = StringField(
        _l("Region code (GB/T 2260)"),
        validators=[
            Optional(),
            Regexp(r"^\d{6}$", message=_l("A region code has six digits (GB/T 2260), such as 330100.")),
        ],
    )
