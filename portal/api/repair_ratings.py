"""/api/v1 repair-batch ratings (docs/rules.md §7.2, "The service rating"; docs/api.md): once a
batch is returned, its distributor rates the service once on the survey card; everyone who may
read the batch reads the rating.

Writes go through :mod:`portal.repairs.ratings`, so the API refuses what the page refuses, with
the same messages: a level outside the card (422, each item on its own field), a batch not yet
shipped back or already rated (409).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import Field

from ..clock import today
from ..domain.permissions import may_rate_repairs, may_read
from ..domain.repairs import RATING_COMMENT_MAX_LENGTH, RatingLevel
from ..repairs.models import RepairBatch
from ..repairs.ratings import rate_batch
from ..security import allowed, loads
from .blueprint import bp
from .core import ApiError, BodyModel, OutModel, Timestamp, api_doc, one, parse_body, text

Comment = text(RATING_COMMENT_MAX_LENGTH)
LEVEL = "One of the card's four levels."


class RatingIn(BodyModel):
    attitude: RatingLevel = Field(description=LEVEL)
    skill: RatingLevel = Field(description=LEVEL)
    timeliness: RatingLevel = Field(description=LEVEL)
    promises: RatingLevel = Field(description="Keeping promises. " + LEVEL)
    comment: Comment = Field(default="", description="Optional, at most 1,000 characters.")


class RatingOut(OutModel):
    batch_id: int
    distributor_id: int
    attitude: RatingLevel
    skill: RatingLevel
    timeliness: RatingLevel
    promises: RatingLevel
    comment: str
    rated_on: date
    created_at: Timestamp


@bp.get("/repair-batches/<int:batch_id>/rating")
@allowed(may_read)
@loads(RepairBatch, "batch_id", as_="batch")
@api_doc(response=RatingOut)
def get_repair_rating(batch: RepairBatch) -> Any:
    """Show the service rating of a batch.

    404 while the batch is not rated (as for another distributor's batch, or none).
    """
    if batch.rating is None:
        raise ApiError(404, "not_found", _l("This batch has not been rated yet."))
    return one(RatingOut, batch.rating)


@bp.post("/repair-batches/<int:batch_id>/rating")
@allowed(may_rate_repairs)
@loads(RepairBatch, "batch_id", as_="batch")
@api_doc(body=RatingIn, response=RatingOut, status=201)
def rate_repair_batch(batch: RepairBatch) -> Any:
    """Rate the service on a returned batch.

    By the batch's distributor, once: each item of the card (attitude, skill, timeliness, keeping
    promises) on one of four levels, and an optional comment. Refused: a level outside the card
    (422, on each such item); a batch not yet shipped back, or already rated (409).
    """
    data = parse_body(RatingIn)
    rating = rate_batch(
        batch,
        answers={name: level.value for name, level in data.model_dump(exclude={"comment"}).items()},
        comment=data.comment,
        rated_by_id=current_user.id,
        today=today(),
    )
    return one(RatingOut, rating, 201)
