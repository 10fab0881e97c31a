"""Forms of the agreements area: drafts with their terms, amendments, termination, territories,
sub-agent requests and decisions. Choices that come from the database (distributors, products,
granted regions) are set by the view."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from ..distributors.forms import DistributorField
from ..domain.agreements import TERM_NAMES, TERM_SPECS, TermKind, Terms, TermSpec
from ..domain.distributors import Level
from ..domain.errors import DomainError
from ..domain.money import parse_percent
from ..forms import MoneyField, PortalForm, RequiredDayField, enum_choices, value_required

NUMBER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9\-/_.]*$"
REGION_CODE = Regexp(r"^\d{6}$", message=_l("A region code has six digits (GB/T 2260), such as 330100."))


class PercentField(MoneyField):
    """A percentage typed by a person: 0 to 100, at most two decimals ("30" or "30.00" is 30%)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw = valuelist[0] if valuelist else ""
        self.data = None
        if not self.raw.strip():
            return
        try:
            self.data = parse_percent(self.raw.replace("%", ""))
        except DomainError as error:
            raise ValueError(_(error.message, **error.params)) from error


class WholeNumberField(StringField):
    """A whole number of days or months, refused with a clear message when it is anything else."""

    data: int | None
    widget = TextInput(input_type="number")

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not raw:
            return
        if not raw.isdigit() or not raw.isascii():
            raise ValueError(_("Enter a whole number, such as 30."))
        self.data = int(raw)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)


# A term typed as spaces only is as missing as an empty one: the terms never reach the rules with a hole.
term_filled = value_required(_l("Enter a value for this term."))


def term_bounds(low: int, high: int) -> Any:

    def validate(form: Any, field: Field) -> None:
        if field.data is not None and not low <= field.data <= high:
            raise ValidationError(_("Enter a whole number from %(low)s to %(high)s.", low=low, high=high))

    return validate


# Every term of docs/rules.md §3 with its label, named as the API names them (pages and the
# history of versions show them in this order).
TERM_LABELS: dict[str, Any] = {spec.name: _l(spec.label) for spec in TERM_SPECS}


def _term_field(spec: TermSpec) -> Field:
    label = TERM_LABELS[spec.name]
    if spec.kind is TermKind.MONEY:
        return MoneyField(label, validators=[InputRequired(), term_filled], render_kw={"inputmode": "decimal"})
    if spec.kind is TermKind.PERCENT:
        return PercentField(label, validators=[InputRequired(), term_filled], render_kw={"inputmode": "decimal"})
    assert spec.bounds is not None  # every whole-number term has its bounds
    return WholeNumberField(label, validators=[InputRequired(), term_filled, term_bounds(*spec.bounds)])


class TermsForm(PortalForm):
    """Every term of docs/rules.md §3, named as the API names them: one field per
    domain.agreements.TERM_SPECS, added below the class."""

    def term_fields(self) -> list[Field]:
        return [self[name] for name in TERM_NAMES]

    def fill_terms(self, terms: Terms) -> None:
        for name in TERM_NAMES:
            getattr(self, name).data = getattr(terms, name)

    def terms(self) -> Terms:
        values: dict[str, Decimal | int | None] = {name: getattr(self, name).data for name in TERM_NAMES}
        return Terms(**values)  # type: ignore[arg-type]


for _spec in TERM_SPECS:
    setattr(TermsForm, _spec.name, _term_field(_spec))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AgreementForm(TermsForm):
    number = StringField(
        _l("Agreement number (协议号)"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(NUMBER_PATTERN, message=_l("Use letters, digits and - / _ . only, such as XS-2026-001.")),
        ],
    )
    distributor_id = DistributorField(_l("Distributor"), required=_l("Choose a distributor."))
    level = SelectField(_l("Level"), choices=enum_choices(Level))
    signed_on = RequiredDayField(_l("Signed on"), validators=[InputRequired()])
    starts_on = RequiredDayField(_l("Starts on"), validators=[InputRequired()])
    ends_on = RequiredDayField(_l("Ends on"), validators=[InputRequired()])
    products = MultiCheckboxField(
        _l("Authorised products"),
        validate_choice=True,
        invalid_choice_message=_l("Choose products from the list: %(value)s is not one."),
    )

    def set_choices(self, products: list[Any], locale: Any) -> None:
        self.products.choices = [SelectChoice(p.sku, f"{p.sku} {p.name(locale)}") for p in products]


class AmendmentForm(TermsForm):
    effective_from = RequiredDayField(_l("Takes effect on"), validators=[InputRequired()])
    note = StringField(_l("What changes and why"), validators=[DataRequired(), Length(max=500)])


class TerminationForm(PortalForm):
    notice_on = RequiredDayField(_l("Notice date"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason (stated in the notice)"), validators=[DataRequired(), Length(max=500)])
    at_once = BooleanField(_l("Terminate at once: conduct that loses an end customer (§3.2)"))


class ActivationForm(PortalForm):
    """A button: activation is recorded today."""


class GrantForm(PortalForm):
    region_code = StringField(_l("Region code (GB/T 2260)"), validators=[DataRequired(), REGION_CODE])
    granted_on = RequiredDayField(_l("Granted from"), validators=[InputRequired()])


class RevocationForm(PortalForm):
    region_codes = MultiCheckboxField(_l("Regions to revoke"), validate_choice=False)
    notice_on = RequiredDayField(_l("Notice date"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason (stated in the notice)"), validators=[Optional(), Length(max=500)])


class RemoveForm(PortalForm):
    """A button: take a region off a draft."""


class SubAgentForm(PortalForm):
    name = StringField(_l("Sub-agent or outlet name"), validators=[DataRequired(), Length(max=200)])
    region_code = StringField(_l("Region code (GB/T 2260)"), validators=[DataRequired(), REGION_CODE])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=100)])
    contact_phone = StringField(
        _l("Contact phone"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9+\-() ]+$", message=_l("Use digits, spaces and + - ( ) only.")),
        ],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)])


DECISIONS = [SelectChoice("approve", _l("Approve")), SelectChoice("reject", _l("Reject"))]


class DecisionForm(PortalForm):
    decision = RadioField(_l("Decision"), choices=DECISIONS, validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason (required for a rejection; the distributor reads it)"), validators=[Optional(), Length(max=500)]
    )
