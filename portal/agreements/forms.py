"""Forms of the agreements area: drafts with their terms, amendments, termination, territories,
sub-agent requests and decisions. Choices that come from the database (distributors, products,
granted regions) are set by the view."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from ..domain.agreements import INT_TERM_BOUNDS, MONEY_TERMS, PERCENT_TERMS, TERM_NAMES, Terms
from ..domain.distributors import Level
from ..domain.errors import DomainError
from ..domain.money import parse_percent
from ..forms import DayField, MoneyField, enum_choices

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


def term_bounds(name: str) -> Any:
    low, high = INT_TERM_BOUNDS[name]

    def validate(form: Any, field: Field) -> None:
        if field.data is not None and not low <= field.data <= high:
            raise ValidationError(_("Enter a whole number from %(low)s to %(high)s.", low=low, high=high))

    return validate


# Every term of docs/rules.md §3 with its label, named as the API names them (pages and the
# history of versions show them in this order).
TERM_LABELS: dict[str, Any] = {
    "first_order_min": _l("First order minimum (¥)"),
    "quarterly_quota": _l("Quarterly order quota (¥)"),
    "deposit_percent": _l("Deposit (percent of the order total)"),
    "deposit_due_days": _l("Deposit due (days after confirmation)"),
    "delivery_days": _l("Delivery (days after the deposit is received)"),
    "warranty_months": _l("Warranty (months from shipping)"),
    "repair_fee_cap_percent": _l("Out-of-warranty repair fee cap (percent of the agent price)"),
    "post_repair_warranty_months": _l("Post-repair warranty (months)"),
    "repair_turnaround_days": _l("Repair turnaround (days from receipt)"),
    "repair_fee_due_days": _l("Repair fees due (days after the notice)"),
    "revocation_notice_months": _l("Revocation notice (months)"),
    "monthly_report_due_day": _l("Monthly report due (day of the following month)"),
    "repair_batch_window_days": _l("Repair batch window (first days of the month)"),
}


def _term_field(name: str) -> Field:
    if name in MONEY_TERMS:
        return MoneyField(TERM_LABELS[name], validators=[InputRequired()])
    if name in PERCENT_TERMS:
        return PercentField(TERM_LABELS[name], validators=[InputRequired()])
    return WholeNumberField(TERM_LABELS[name], validators=[InputRequired(), term_bounds(name)])


class TermsForm(FlaskForm):
    """Every term of docs/rules.md §3, named as the API names them."""

    first_order_min = _term_field("first_order_min")
    quarterly_quota = _term_field("quarterly_quota")
    deposit_percent = _term_field("deposit_percent")
    deposit_due_days = _term_field("deposit_due_days")
    delivery_days = _term_field("delivery_days")
    warranty_months = _term_field("warranty_months")
    repair_fee_cap_percent = _term_field("repair_fee_cap_percent")
    post_repair_warranty_months = _term_field("post_repair_warranty_months")
    repair_turnaround_days = _term_field("repair_turnaround_days")
    repair_fee_due_days = _term_field("repair_fee_due_days")
    revocation_notice_months = _term_field("revocation_notice_months")
    monthly_report_due_day = _term_field("monthly_report_due_day")
    repair_batch_window_days = _term_field("repair_batch_window_days")

    def fill_terms(self, terms: Terms) -> None:
        for name in TERM_NAMES:
            getattr(self, name).data = getattr(terms, name)

    def terms(self) -> Terms:
        values: dict[str, Decimal | int | None] = {name: getattr(self, name).data for name in TERM_NAMES}
        return Terms(**values)  # type: ignore[arg-type]


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
    distributor_id = SelectField(_l("Distributor"), coerce=str, validators=[InputRequired()])
    level = SelectField(_l("Level"), choices=enum_choices(Level))
    signed_on = DayField(_l("Signed on"), validators=[InputRequired()])
    starts_on = DayField(_l("Starts on"), validators=[InputRequired()])
    ends_on = DayField(_l("Ends on"), validators=[InputRequired()])
    products = MultiCheckboxField(
        _l("Authorised products"),
        validate_choice=True,
        invalid_choice_message=_l("Choose products from the list: %(value)s is not one."),
    )

    def set_choices(self, distributors: list[Any], products: list[Any], locale: Any) -> None:
        self.distributor_id.choices = [
            SelectChoice("", _("Choose a distributor")),
            *(SelectChoice(str(d.id), f"{d.code} {d.name}") for d in distributors),
        ]
        self.products.choices = [SelectChoice(p.sku, f"{p.sku} {p.name(locale)}") for p in products]


class AmendmentForm(TermsForm):
    effective_from = DayField(_l("Takes effect on"), validators=[InputRequired()])
    note = StringField(_l("What changes and why"), validators=[DataRequired(), Length(max=500)])


class TerminationForm(FlaskForm):
    notice_on = DayField(_l("Notice date"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason (stated in the notice)"), validators=[DataRequired(), Length(max=500)])
    at_once = BooleanField(_l("Terminate at once: conduct that loses an end customer (§3.2)"))


class ActivationForm(FlaskForm):
    """A button: activation is recorded today."""


class GrantForm(FlaskForm):
    region_code = StringField(_l("Region code (GB/T 2260)"), validators=[DataRequired(), REGION_CODE])
    granted_on = DayField(_l("Granted from"), validators=[InputRequired()])


class RevocationForm(FlaskForm):
    region_codes = MultiCheckboxField(_l("Regions to revoke"), validate_choice=False)
    notice_on = DayField(_l("Notice date"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason (stated in the notice)"), validators=[Optional(), Length(max=500)])


class RemoveForm(FlaskForm):
    """A button: take a region off a draft."""


class SubAgentForm(FlaskForm):
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


class DecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=DECISIONS, validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason (required for a rejection; the distributor reads it)"), validators=[Optional(), Length(max=500)]
    )
