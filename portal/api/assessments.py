"""/api/v1/assessments: the quarterly assessments (docs/rules.md §9; contract §2.1, §2.2, §4.5).

The same steps as the pages, through :mod:`portal.assessments.services`: head office computes an
ended quarter (again and again: reviewed assessments are left as they were) and reviews each
assessment with one outcome. A distributor reads its own assessments only; another's answers 404,
like an unknown id. A quarter not yet ended or an assessment already reviewed answers 409; a bad
field, 422 naming it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import Field

from ..assessments import services
from ..assessments.models import Assessment
from ..assessments.queries import AssessmentFilters, assessments_matching
from ..clock import today
from ..domain.assessments import AssessmentOutcome, parse_quarter, quarter_name
from ..domain.permissions import may_read, may_review_assessments
from ..security import allowed, loads
from .blueprint import bp
from .core import (
    BodyModel,
    Id,
    Money,
    OutModel,
    Percent,
    QueryModel,
    Timestamp,
    api_doc,
    domain_checked,
    one,
    page_of,
    parse_body,
    parse_query,
    text,
)

QUARTER_PATTERN = r"20[0-9]{2}-[Qq][1-4]"
Quarter = Annotated[
    text(7, pattern=QUARTER_PATTERN, message=_l("Enter the quarter as YYYY-Qn (2026-Q1).")),
    domain_checked(lambda value: quarter_name(*parse_quarter(value))),
    Field(description="A calendar quarter, YYYY-Qn.", examples=["2026-Q1"]),
]
Comment = text(services.COMMENT_MAX_LENGTH)
RegionCode = text(6, min_length=6, pattern=r"[0-9]{6}", message=_l("A region code has six digits."))


class AssessmentOut(OutModel):
    id: int
    agreement_id: int
    distributor_id: int
    quarter: str
    first_day: date
    last_day: date
    full_quota: Money = Field(description="The quarterly quota in force on the quarter's last day within the term.")
    quota: Money = Field(description="Prorated by the days of the quarter the term covers, rounded to the fen.")
    ordered_amount: Money = Field(description="Orders confirmed in the quarter, less those cancelled.")
    attainment: Percent | None = Field(description="ordered_amount ÷ quota in percent; null for a zero quota.")
    violations: int = Field(description="Violations that occurred in the quarter, not dismissed.")
    figures: dict[str, Any] = Field(description="The conduct figures of docs/rules.md §10, as computed.")
    computed_on: date
    outcome: AssessmentOutcome | None = Field(description="Null until head office reviews it.")
    comment: str
    frozen: bool = Field(description="True once reviewed: the figures no longer change.")
    reviewed_on: date | None
    reviewed_at: Timestamp | None
    notice_id: int | None = Field(
        description="The written notice the review issued (warning, revocation, termination)."
    )
    revoke_region_codes: list[str] = Field(validation_alias="revoked_regions")
    promoted_from: date | None = Field(description="A promotion: first-level prices for orders confirmed from then.")


class AssessmentQuery(QueryModel):
    quarter: Quarter | None = None
    distributor_id: Id | None = Field(default=None, description="Head office only; a distributor sees its own.")
    agreement_id: Id | None = None
    outcome: AssessmentOutcome | None = None
    to_review: bool | None = Field(default=None, description="true: only those not reviewed yet.")


class ComputeIn(BodyModel):
    quarter: Quarter


class ComputeOut(OutModel):
    quarter: str
    created: int
    updated: int
    frozen: int = Field(description="Already reviewed, left as they were.")


class ReviewIn(BodyModel):
    outcome: AssessmentOutcome
    comment: Comment = ""
    revoke_region_codes: list[RegionCode] = Field(
        default_factory=list, max_length=500, description="For `revoke_territories`: regions the agreement holds."
    )
    effective_from: date | None = Field(
        default=None, description="For `promote`: from when; default the day after the review, never before it."
    )


@bp.get("/assessments")
@allowed(may_read)
@api_doc(query=AssessmentQuery, response=AssessmentOut, list_of=True)
def list_assessments() -> Any:
    """List quarterly assessments.

    The latest quarter first. A distributor user sees only its own.
    """
    query = parse_query(AssessmentQuery)
    filters = AssessmentFilters(
        quarter=query.quarter,
        distributor_id=query.distributor_id,
        agreement_id=query.agreement_id,
        outcome=query.outcome,
        to_review=bool(query.to_review),
    )
    return page_of(AssessmentOut, assessments_matching(filters))


@bp.get("/assessments/<int:assessment_id>")
@allowed(may_read)
@loads(Assessment, "assessment_id", as_="assessment")
@api_doc(response=AssessmentOut)
def get_assessment(assessment: Assessment) -> Any:
    """Show one assessment.

    Another distributor's assessment answers 404, like a missing one.
    """
    return one(AssessmentOut, assessment)


@bp.post("/assessments/compute")
@allowed(may_review_assessments)
@api_doc(body=ComputeIn, response=ComputeOut)
def compute_assessments() -> Any:
    """Compute the assessments of a quarter.

    Every agreement whose term overlaps the quarter; again and again (reviewed assessments are left as
    they were). A quarter not yet ended answers 409.
    """
    data = parse_body(ComputeIn)
    year, quarter = parse_quarter(data.quarter)
    result = services.compute_assessments(year, quarter, today())
    return one(ComputeOut, result)


@bp.post("/assessments/<int:assessment_id>/review")
@allowed(may_review_assessments)
@loads(Assessment, "assessment_id", as_="assessment")
@api_doc(body=ReviewIn, response=AssessmentOut)
def review_assessment(assessment: Assessment) -> Any:
    """Review an assessment.

    `met`, `warning` (a written warning), `revoke_territories` (the regions named, by notice),
    `terminate` (by notice) or `promote` (first level from `effective_from`). A quarter not yet ended
    or an assessment already reviewed answers 409; a region the agreement does not hold, 422.
    """
    data = parse_body(ReviewIn)
    reviewed = services.review_assessment(
        assessment,
        data.outcome,
        data.comment,
        data.revoke_region_codes,
        data.effective_from,
        on=today(),
        by=current_user,
    )
    return one(AssessmentOut, reviewed)
