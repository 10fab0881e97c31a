"""Forms of the orders area: the order (one quantity box per authorised product), its
confirmation date and the reason for cancelling it. What the services refuse comes back onto
these fields (portal.forms.apply_domain_error)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, FieldList, FormField, HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import NumberInput

from ..domain.errors import DomainError
from ..domain.orders import check_period, check_quantity
from ..forms import DayField, PortalForm, RequiredDayField, RowForm


class QuantityField(StringField):
    """Units of one product: empty means "not ordered"; otherwise a whole number from 1 to
    1,000,000 (§6.2.1). Zero, negatives, fractions and words are refused with one clear message."""

    data: int | None
    widget = NumberInput(min=1, step=1)

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not raw:
            return
        if not (raw.isascii() and raw.isdigit()):
            raise ValueError(_("Enter a whole number of units, at least 1."))
        try:
            # Past a dozen digits the number is absurd anyway; do not make Python parse it.
            self.data = check_quantity(int(raw) if len(raw) <= 12 else 10**12)
        except DomainError as error:
            raise ValueError(_(error.message, **error.params)) from error

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)


class ProductIdField(HiddenField):
    """The product a quantity is for. The page sends the agreement's products; anything else (a
    forged post) reaches the service, which refuses a product the agreement does not authorise."""

    data: int | None

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = (valuelist[0] if valuelist else "").strip()
        # Not a product id at all: no product can match, so the service refuses it like any other.
        self.data = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 10 else 0


class LineForm(RowForm):
    product_id = ProductIdField()
    quantity = QuantityField(_l("Quantity"))


class OrderForm(PortalForm):
    """Draft an order under one agreement (§6.2.1). The view fills ``lines`` with the agreement's
    products; ``action`` is the button pressed: save the draft, or save and submit it."""

    agreement_id = HiddenField()
    lines = FieldList(FormField(LineForm), min_entries=0, max_entries=500)
    period = StringField(
        _l("For the month or quarter"),
        validators=[Optional(), Length(max=20)],
        render_kw={"placeholder": "2026-03 / 2026-Q2", "list": "period-suggestions", "autocomplete": "off"},
    )
    wanted_delivery_on = DayField(_l("Wanted delivery date"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 3})

    def validate_period(self, field: Field) -> None:
        try:
            field.data = check_period(field.data)
        except DomainError as error:
            raise ValidationError(_(error.message, **error.params)) from error


class ConfirmForm(PortalForm):
    """§6.1.2: sales confirms on a date (today unless recorded late); the prices lock from the list
    in force on that date."""

    confirmed_on = RequiredDayField(
        _l("Confirmed on"), validators=[InputRequired(message=_l("Enter the confirmation date."))]
    )


class CancelForm(PortalForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500)], render_kw={"rows": 2})
