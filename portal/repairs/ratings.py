"""Service ratings (docs/rules.md §7.2, "The service rating"; the after-sales management rules):
once a batch is returned its distributor rates it once on the survey card, four items on four
levels each, with an optional comment; head office reads each rating on the batch and the customer
satisfaction rate against its 85% target.

The rules are domain.repairs' (check_can_rate, check_rating, satisfaction_rate); nothing here reads
the clock.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from itertools import repeat
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..domain.repairs import (
    ALREADY_RATED,
    Card,
    RatingItem,
    RatingLevel,
    ServiceFigure,
    StepRefused,
    check_can_rate,
    check_rating,
    satisfaction_rate,
)
from ..extensions import db
from ..transactions import locked, transactional
from .models import RepairBatch, RepairRating


@transactional
def rate_batch(
    batch: RepairBatch,
    *,
    answers: Mapping[str, str | None],
    comment: str | None,
    rated_by_id: int | None,
    today: date,
) -> RepairRating:
    """The distributor's rating of a returned batch, once (audited like every change). Refused:
    a batch not yet shipped back or already rated (409), an item left out or a level outside the
    card, a comment over 1,000 characters (422, on that field). The batch row is locked first, so
    two submissions at once end with one rating."""
    batch = locked(RepairBatch, batch.id)
    already = db.session.scalar(select(RepairRating.id).where(RepairRating.batch_id == batch.id))
    check_can_rate(batch.status, already_rated=already is not None)
    card, text = check_rating(answers, comment)
    rating = RepairRating(
        batch_id=batch.id,
        distributor_id=batch.distributor_id,
        **{item.value: level for item, level in card.items()},
        comment=text,
        rated_on=today,
        rated_by_id=rated_by_id,
    )
    db.session.add(rating)
    try:
        db.session.flush()
    except IntegrityError as error:  # rated by another request at the same moment (SQLite has no row lock)
        raise StepRefused(ALREADY_RATED) from error
    return rating


def _cards(rows: Any) -> Iterator[Card]:
    for *levels, count in rows:
        card = {item: RatingLevel(level) for item, level in zip(RatingItem, levels, strict=True)}
        yield from repeat(card, count)


def satisfaction(distributor_id: int | None = None) -> ServiceFigure | None:
    """Customer satisfaction over every rating (or one distributor's): one statement that counts
    the cards by their four answers (at most 4⁴ rows, whatever the number of ratings), read by
    domain.repairs.satisfaction_rate. None while nothing is rated."""
    items = [getattr(RepairRating, item.value) for item in RatingItem]
    statement = select(*items, func.count()).group_by(*items)
    if distributor_id is not None:
        statement = statement.where(RepairRating.distributor_id == distributor_id)
    return satisfaction_rate(_cards(db.session.execute(statement)))


def satisfaction_shown(user: Any) -> ServiceFigure | None:
    """What the rating partial shows as ``satisfaction``: head office's figure over every rated
    batch, for head-office users; nothing for a distributor (the figure is head office's own)."""
    return satisfaction() if user.is_head_office else None
