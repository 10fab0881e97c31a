"""The service rating of a returned batch (docs/rules.md §7.2, "The service rating"): its
distributor fills the survey card once; everyone who may read the batch sees the rating, and head
office the customer satisfaction rate against its target.

The batch page shows the card through ``templates/repairs/_rating.html`` with
:func:`rating_context`; the page here shows the same partial on its own and takes the card.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..clock import today
from ..domain.permissions import may_rate_repairs, may_read
from ..domain.repairs import RATEABLE
from ..forms import attempt, form_status
from ..security import allowed, loads
from .blueprint import bp
from .models import RepairBatch
from .queries import BATCH_PAGE_CONTEXT
from .rating_forms import RatingForm
from .ratings import rate_batch, satisfaction_shown

BATCH_PAGE = "repairs.show"  # the batch's own page, linked once it exists


def rating_context(batch: RepairBatch, form: RatingForm | None = None) -> dict[str, Any]:
    """What ``repairs/_rating.html`` reads besides ``batch``: the card to fill (for its distributor,
    once the batch is returned and while it is not rated), and head office's satisfaction figure."""
    return {
        "rating_form": form or RatingForm(formdata=None),
        "can_rate": batch.status in RATEABLE and batch.rating is None and current_user.may(may_rate_repairs),
        "satisfaction": satisfaction_shown(current_user),
    }


def _rating_page(batch: RepairBatch, form: RatingForm | None = None) -> Any:
    batch_page = BATCH_PAGE if BATCH_PAGE in current_app.view_functions else None
    return render_template(
        "repairs/rating.html", batch=batch, batch_page=batch_page, **rating_context(batch, form)
    ), form_status(form)


@bp.get("/batches/<int:batch_id>/rating")
@allowed(may_read)
@loads(RepairBatch, "batch_id", as_="batch")
def rating(batch: RepairBatch) -> Any:
    """The batch's service rating, or the card its distributor fills once the boards are back."""
    return _rating_page(batch)


@bp.post("/batches/<int:batch_id>/rating")
@allowed(may_rate_repairs)
@loads(RepairBatch, "batch_id", as_="batch")
def rate(batch: RepairBatch) -> Any:
    """Save the distributor's rating. Refused (the card shown again with what was chosen): an item
    left out (422, on the item), a batch not yet shipped back or already rated (409)."""
    form = RatingForm()
    if form.validate_on_submit():
        rated = attempt(
            form,
            rate_batch,
            batch,
            answers=form.answers(),
            comment=form.comment.data,
            rated_by_id=current_user.id,
            today=today(),
        )
        if rated is not None:
            flash(_("Thank you: your rating of batch %(number)s is saved.", number=batch.number), "success")
            endpoint = BATCH_PAGE if BATCH_PAGE in current_app.view_functions else "repairs.rating"
            return redirect(url_for(endpoint, batch_id=batch.id))
    return _rating_page(batch, form)


BATCH_PAGE_CONTEXT.append(rating_context)  # the batch page shows the rating and the card
