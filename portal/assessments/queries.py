"""The assessments' lists (docs/rules.md §9): filtered and paginated in SQL, each row with its
agreement and distributor joined, so a page costs the same number of statements whatever its
length; and the count of assessments waiting for head office's review (sales' dashboard)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from ..distributors.models import Distributor
from ..domain.assessments import AssessmentOutcome
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
    by distributor's code and agreement, with the agreement and the distributor joined."""
    statement = (
        scoped(select(Assessment), Assessment, user)
        .join(Distributor, Distributor.id == Assessment.distributor_id)
        .options(joinedload(Assessment.agreement), joinedload(Assessment.distributor))
        .order_by(Assessment.quarter.desc(), Distributor.code, Assessment.agreement_id)
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
    """The quarters with assessments in the caller's scope, the latest first (the list's filter)."""
    return list(
        db.session.scalars(
            scoped(select(Assessment.quarter), Assessment, user).distinct().order_by(Assessment.quarter.desc())
        )
    )


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
