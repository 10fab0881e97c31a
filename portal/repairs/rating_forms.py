"""The service rating card (docs/rules.md §7.2, "The service rating"): four items, each one of four
levels, and an optional comment."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField

from ..domain.repairs import RATING_COMMENT_MAX_LENGTH, RatingItem, RatingLevel, check_rating_level
from ..forms import PortalForm, domain_validator, enum_choices


def _item(item: RatingItem) -> Any:
    """One item of the card: a radio group of the four levels. Each item is checked on its own by
    the domain (check_rating_level), so every item left out or outside the card is marked at once."""
    return RadioField(
        _l(item.label),
        choices=enum_choices(RatingLevel),
        validate_choice=False,  # the domain's check says what is wrong, in the portal's words
        validators=[domain_validator(lambda value: check_rating_level(item, value))],
    )


class RatingForm(PortalForm):
    """The card a distributor fills once its batch is returned; rate_batch checks it again, with
    the batch's state, when it saves it."""

    attitude = _item(RatingItem.ATTITUDE)
    skill = _item(RatingItem.SKILL)
    timeliness = _item(RatingItem.TIMELINESS)
    promises = _item(RatingItem.PROMISES)
    comment = TextAreaField(_l("Comment (optional)"), render_kw={"maxlength": RATING_COMMENT_MAX_LENGTH, "rows": 3})

    def answers(self) -> dict[str, str | None]:
        return {item.value: getattr(self, item.value).data for item in RatingItem}
