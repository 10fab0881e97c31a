from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import MoneyField, PortalForm, RequiredDayField, amount_required


class PriceListForm(PortalForm):
    version = StringField(_l("Version"), validators=[DataRequired(), Length(max=60)])
    effective_from = RequiredDayField(_l("Effective from"), validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)])


class NewPriceListForm(PriceListForm):
    # Choices are the existing lists, set by the view (SelectChoice, WTForms 3.3).
    copy_from = SelectField(_l("Start with the items of"), choices=[])


class ItemPricesForm(PortalForm):
    price_level1 = MoneyField(_l("First-level agent price"), validators=[amount_required])
    price_level2 = MoneyField(_l("Second-level agent price"), validators=[amount_required])
    min_resale_price = MoneyField(_l("Minimum resale price"), validators=[amount_required])


class ItemForm(ItemPricesForm):
    sku = StringField(_l("SKU"), validators=[DataRequired(), Length(max=40)])


class ImportForm(PortalForm):
    file = FileField(
        _l("Price file (.xlsx or .csv)"), validators=[FileRequired(_l("Choose a .xlsx or .csv file to import."))]
    )


class ConfirmForm(PortalForm):
    """A button that changes something: only the CSRF token."""
