from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from ..domain.distributors import DistributorStatus, Level, normalize_credit_code
from ..forms import PortalForm, domain_validator, enum_choices


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
