"""Forms of the boards area: shipping an order (or free replacements), marking a shipment lost or
damaged. The lines are built by the view from the order, one per product with units left."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import FieldList, FormField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from ..clock import today
from ..forms import PortalForm, RequiredDayField, RowForm
from ..receivables.forms import DATE_FORMAT_MESSAGE


class ShipmentLineForm(RowForm):
    """One product of the order: how many units, and their serial numbers when it has them."""

    product_id = HiddenField()
    quantity = StringField(
        _l("Units to ship"),
        validators=[Optional(), Regexp(r"^\s*\d{1,7}\s*$", message=_l("Enter a whole number of units."))],
    )
    serials = TextAreaField(_l("Serial numbers"), render_kw={"rows": 4, "spellcheck": "false"})


class ShipmentForm(PortalForm):
    shipped_on = RequiredDayField(
        _l("Shipping date"), default=today, validators=[InputRequired(message=DATE_FORMAT_MESSAGE)]
    )
    carrier = StringField(_l("Carrier"), validators=[Length(max=100)])
    tracking_number = StringField(_l("Tracking number"), validators=[Length(max=100)])
    serial_file = FileField(_l("Or upload the serial numbers (CSV or Excel)"))
    lines = FieldList(FormField(ShipmentLineForm))


class LossForm(PortalForm):
    note = TextAreaField(
        _l("What was lost or damaged"),
        validators=[DataRequired(message=_l("Describe what was lost or damaged.")), Length(max=500)],
    )
