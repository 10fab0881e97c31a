"""Forms of the assessment pages (docs/rules.md §9): computing a quarter, and head office's review."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ..agreements.forms import MultiCheckboxField
from ..domain.assessments import AssessmentOutcome
from ..forms import DayField, PortalForm, enum_choices
from .services import COMMENT_MAX_LENGTH


class ComputeForm(PortalForm):
    """Compute (or refresh) every assessment of an ended quarter."""

    quarter = StringField(
        _l("Quarter"),
        validators=[InputRequired(message=_l("Enter the quarter as YYYY-Qn (2026-Q1).")), Length(max=10)],
        render_kw={"placeholder": "2026-Q1", "autocomplete": "off"},
    )


class ReviewForm(PortalForm):
    """Head office's outcome for one assessment. The view fills the regions with those the
    agreement holds; the promotion date is read for a promotion only."""

    outcome = SelectField(
        _l("Outcome"),
        choices=[SelectChoice("", _l("Choose an outcome")), *enum_choices(AssessmentOutcome)],
        validators=[InputRequired(message=_l("Choose an outcome."))],
    )
    comment = TextAreaField(
        _l("Comment"),
        validators=[Length(max=COMMENT_MAX_LENGTH)],
        render_kw={"rows": 4, "maxlength": COMMENT_MAX_LENGTH},
    )
    revoke_region_codes = MultiCheckboxField(_l("Regions to revoke"), validate_choice=False)
    effective_from = DayField(_l("Promoted from (default: the day after the review)"), validators=[Optional()])
