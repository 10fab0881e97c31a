from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..domain.products import normalize_sku
from ..forms import PortalForm, domain_validator


class ProductForm(PortalForm):
    sku = StringField(_l("SKU"), validators=[DataRequired(), domain_validator(normalize_sku)])
    name_zh = StringField(_l("Chinese name"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=200)])
    category = StringField(_l("Category"), validators=[Optional(), Length(max=100)])
    serialized = BooleanField(_l("Serialized (each unit has a serial number)"), default=True)
    active = BooleanField(_l("Active (can be priced and ordered)"), default=True)
