"""The assessments' lists (docs/rules.md §9): filtered and paginated in SQL, each row with its
agreement and distributor joined, so a page costs the same number of statements whatever its
length; and the count of assessments waiting for head office's review (sales' dashboard)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from ..domain.assessments import AssessmentOutcome, parse_quarter, quarter_name
from ..extensions import db
from ..reports.models import Violation
from ..security import scoped
from .models import Assessment

TO_REVIEW = "to_review"  # the outcome filter's value for "not reviewed yet"


@dataclass(frozen=True)
class AssessmentFilters:
    quarter: str | None = None  # "2026-Q1"
    distributor_id: int | None = None  # head office only
    agreement_id: int | None = None
    outcome: AssessmentOutcome | None = None
    to_review: bool = False  # not reviewed yet


def assessments_matching(filters: AssessmentFilters, user: Any = None) -> Select[Any]:
    """The assessments in the caller's scope that match ``filters``: the latest quarter first, then
    by distributor (in the order they were registered: the id, which an index holds after the
    quarter; a distributor's code is on another table, and no index serves an order by it) and
    agreement, with the agreement and the distributor joined."""
    statement = (
        scoped(select(Assessment), Assessment, user)
        .options(joinedload(Assessment.agreement), joinedload(Assessment.distributor))
        .order_by(Assessment.quarter.desc(), Assessment.distributor_id, Assessment.agreement_id)
    )
    if filters.quarter is not None:
        statement = statement.where(Assessment.quarter == filters.quarter)
    if filters.distributor_id is not None:
        statement = statement.where(Assessment.distributor_id == filters.distributor_id)
    if filters.agreement_id is not None:
        statement = statement.where(Assessment.agreement_id == filters.agreement_id)
    if filters.outcome is not None:
        statement = statement.where(Assessment.outcome == filters.outcome)
    if filters.to_review:
        statement = statement.where(Assessment.reviewed_on.is_(None))
    return statement


def to_review_count() -> int:
    """How many assessments wait for head office's review (sales' dashboard)."""
    return int(db.session.scalar(select(func.count(Assessment.id)).where(Assessment.reviewed_on.is_(None))) or 0)


def quarters(user: Any = None) -> list[str]:
    """The quarters from the first to the latest with assessments in the caller's scope, the latest
    first (the list's filter): the two ends read from the list's index in one statement, the
    quarters between them counted out (every ended quarter is assessed, so none is skipped)."""
    scope = scoped(select(Assessment.quarter), Assessment, user)
    first = scope.order_by(Assessment.quarter).limit(1).scalar_subquery()
    last = scope.order_by(Assessment.quarter.desc()).limit(1).scalar_subquery()
    ends = db.session.execute(select(first, last)).one()
    if ends[0] is None or ends[1] is None:
        return []
    year, quarter = parse_quarter(ends[1])
    first_year, first_quarter = parse_quarter(ends[0])
    found = []
    while (year, quarter) >= (first_year, first_quarter):
        found.append(quarter_name(year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return found


def quarter_violations(assessment: Assessment) -> list[Violation]:
    """The violations of the assessment's agreement that occurred in its quarter (dismissed ones
    too, marked so on the page), in date order, with their products."""
    return list(
        db.session.scalars(
            select(Violation)
            .where(
                Violation.agreement_id == assessment.agreement_id,
                Violation.occurred_on >= assessment.first_day,
                Violation.occurred_on <= assessment.last_day,
            )
            .options(joinedload(Violation.product))
            .order_by(Violation.occurred_on, Violation.id)
        )
    )
