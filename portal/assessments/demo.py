"""Demo assessments, made through the services: every ended quarter that the demo agreements
overlap is computed; all but the last are reviewed ten days after they ended — met, or a written
warning below 80% — so the last ended quarter waits for head office's review.

``load(today)`` runs after the orders' demo (the assessments read the orders); it is idempotent.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from ..accounts.models import User
from ..agreements.models import Agreement
from ..audit.tracking import acting_as
from ..domain.agreements import AgreementStatus
from ..domain.assessments import AssessmentOutcome, last_ended_quarter, quarter_name
from ..domain.dates import quarter_of
from ..extensions import db
from . import services
from .models import Assessment

WARNED_BELOW = 80  # percent


def _quarters(first: date, last: tuple[int, int]) -> list[tuple[int, int]]:
    year, quarter = quarter_of(first)
    found = []
    while (year, quarter) <= last:
        found.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return found


def load(today: date) -> None:
    earliest = db.session.scalar(select(func.min(Agreement.starts_on)).where(Agreement.status != AgreementStatus.DRAFT))
    if earliest is None:
        return
    last = last_ended_quarter(today)
    sales = db.session.scalar(select(User).where(User.username == "sales"))
    with acting_as(sales.id if sales else None, "demo"):
        for year, quarter in _quarters(earliest, last):
            services.compute_assessments(year, quarter, today)
            if (year, quarter) == last:
                continue
            pending = db.session.scalars(
                select(Assessment)
                .where(Assessment.quarter == quarter_name(year, quarter), Assessment.reviewed_on.is_(None))
                .order_by(Assessment.id)
            ).all()
            for assessment in pending:
                reviewed_on = min(assessment.last_day + timedelta(days=10), today)
                share = assessment.attainment
                if share is not None and share < WARNED_BELOW:
                    services.review_assessment(
                        assessment, AssessmentOutcome.WARNING, "请加强订货，完成季度任务。", on=reviewed_on, by=sales
                    )
                else:
                    services.review_assessment(assessment, AssessmentOutcome.MET, "", on=reviewed_on, by=sales)
