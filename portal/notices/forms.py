from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Optional

from ..distributors.forms import DistributorField
from ..domain.notices import MESSAGE_MAX_LENGTH
from ..forms import DayField, PortalForm

BOTH_LANGUAGES = _l("Write the message in both languages.")


def _optional_id(value: object) -> int | None:
    """A record id from a select, or None for the empty choice (or anything that is not an id)."""
    text = str(value) if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else None


class WarningForm(PortalForm):
    """Head office's written warning to one distributor (§11). The view fills the choices."""

    distributor_id = DistributorField(_l("Distributor"), required=_l("Choose the distributor."))
    agreement_id = SelectField(_l("Agreement (optional)"), coerce=_optional_id, validate_choice=False)
    message_zh = TextAreaField(
        _l("Message in Chinese"),
        validators=[DataRequired(message=BOTH_LANGUAGES)],
        render_kw={"rows": 6, "maxlength": MESSAGE_MAX_LENGTH, "lang": "zh-CN"},
    )
    message_en = TextAreaField(
        _l("Message in English"),
        validators=[DataRequired(message=BOTH_LANGUAGES)],
        render_kw={"rows": 6, "maxlength": MESSAGE_MAX_LENGTH, "lang": "en"},
    )
    effective_on = DayField(_l("Takes effect on (optional)"), validators=[Optional()])
