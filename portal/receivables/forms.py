"""Forms of the receivables area: booking a payment and voiding one (docs/rules.md §6)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, InputRequired, Length

from ..clock import today
from ..forms import PortalForm, RequiredDayField, RequiredMoneyField

DATE_FORMAT_MESSAGE = _l("Enter a date as YYYY-MM-DD, such as 2026-03-05.")


class PaymentForm(PortalForm):
    """Money received against an order. Zero, future dates, over-payments and a slip already booked
    are refused by the service (record_payment), which names the field."""

    amount = RequiredMoneyField(_l("Amount (¥)"))
    received_on = RequiredDayField(
        _l("Date received"), default=today, validators=[InputRequired(message=DATE_FORMAT_MESSAGE)]
    )
    bank_reference = StringField(
        _l("Bank reference"),
        validators=[DataRequired(message=_l("Enter the bank reference of the transfer.")), Length(max=60)],
    )
    payer = StringField(_l("Payer"), validators=[Length(max=200)])


class VoidForm(PortalForm):
    reason = StringField(
        _l("Reason for voiding"),
        validators=[DataRequired(message=_l("Give the reason for voiding this payment.")), Length(max=500)],
    )
