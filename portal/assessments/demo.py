"""Demo assessments (docs/rules.md §9), made through the services, after the orders, repair batches
and monthly reports they read. Every ended quarter that a demo agreement overlaps is computed; all
but the last are reviewed ten days after they ended — met, or a written warning below 80% — and the
last ended quarter waits for head office's review, except for two stories reviewed already:

- 苏州启明 (SZ002, second level) has met its quota all year and is promoted to first level from the
  day after the review (§2.2): its orders confirmed from then take first-level prices;
- 深圳华南 (SZ003) loses Dongguan, where it has sold nothing, by a revocation notice (§4.5).

Where the orders' demo leaves a quarter short of the story (HZ001, SZ002 and SZ003 meet their
quotas; CD004 orders about 60% and is warned), a closed order tops it up, dated inside the quarter.
``load(today)`` is idempotent.
"""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from ..accounts.models import User
from ..agreements.models import Agreement
from ..audit.tracking import acting_as
from ..boards.demo import Demo
from ..domain.agreements import AgreementStatus
from ..domain.assessments import AssessmentOutcome, last_ended_quarter, quarter_name
from ..domain.dates import quarter_bounds, quarter_of
from ..domain.errors import DomainError
from ..domain.orders import prorated_quota
from ..extensions import db
from ..orders.queries import ordered_amount
from . import services
from .models import Assessment

DAY = timedelta(days=1)
WARNED_BELOW = 80  # percent
#: The share of its quota each distributor's quarters reach (at least) in the story.
ATTAINS = {"HZ001": Decimal("1.15"), "SZ002": Decimal("1.10"), "SZ003": Decimal("1.05"), "CD004": Decimal("0.60")}
PROMOTED, REVOKED = "SZ002", ("SZ003", "441900")


def _quarters(first: date, last: tuple[int, int]) -> list[tuple[int, int]]:
    year, quarter = quarter_of(first)
    found = []
    while (year, quarter) <= last:
        found.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return found


def _top_up(agreement: Agreement, year: int, quarter: int, today: date, demo: Demo) -> None:
    """A closed order inside the quarter, when the orders' demo left it short of the story."""
    share = ATTAINS.get(agreement.distributor.code)
    period = agreement.binding_period()
    if share is None or period is None:
        return
    first, last = quarter_bounds(year, quarter)
    start, end = max(first, period[0]), min(last, period[1], today - 12 * DAY)
    if start + 12 * DAY > end:
        return
    quota = prorated_quota(agreement.terms_on(start).quarterly_quota, period, first, last)
    missing = quota * share - ordered_amount(agreement.id, first, last)
    prices = demo.prices(start + DAY, start + 2 * DAY)
    boards = [product for product in prices if product.serialized]
    if missing <= 0 or not boards:
        return
    order = demo.place(start + DAY, start + 2 * DAY, max(1, math.ceil(missing / prices[boards[0]])))
    demo.pay(order, order.total, start + 3 * DAY)
    demo.ship(order, start + 10 * DAY)
    demo.close(order)


def _review(assessment: Assessment, last: tuple[int, int], today: date, sales: User | None) -> None:
    reviewed_on = min(assessment.last_day + 10 * DAY, today)
    code = assessment.distributor.code
    if assessment.quarter == quarter_name(*last):
        if code == PROMOTED:
            services.review_assessment(
                assessment,
                AssessmentOutcome.PROMOTE,
                "连续三个季度超额完成订货任务，依第 2.2 条晋升为一级代理商。",
                on=reviewed_on,
                by=sales,
            )
        elif code == REVOKED[0]:
            services.review_assessment(
                assessment,
                AssessmentOutcome.REVOKE_TERRITORIES,
                "东莞市连续多个季度无销售，依第 4.5 条取消该区域的代理权。",
                [REVOKED[1]],
                on=reviewed_on,
                by=sales,
            )
        return  # the others wait for head office's review
    share = assessment.attainment
    if share is not None and share < WARNED_BELOW:
        services.review_assessment(
            assessment, AssessmentOutcome.WARNING, "请加强订货，完成季度任务。", on=reviewed_on, by=sales
        )
    else:
        services.review_assessment(assessment, AssessmentOutcome.MET, "", on=reviewed_on, by=sales)


def load(today: date) -> None:
    if db.session.scalar(select(Assessment.id).limit(1)) is not None:
        return
    earliest = db.session.scalar(select(func.min(Agreement.starts_on)).where(Agreement.status != AgreementStatus.DRAFT))
    if earliest is None:
        return
    last = last_ended_quarter(today)
    sales = db.session.scalar(select(User).where(User.username == "sales"))
    finance_id = db.session.scalar(select(User.id).where(User.username == "finance"))
    serials = itertools.count(800_001)
    agreements = db.session.scalars(
        select(Agreement).where(Agreement.status != AgreementStatus.DRAFT).order_by(Agreement.id)
    ).all()
    for agreement in agreements:
        demo = Demo(agreement, today, serials, finance_id)
        for year, quarter in _quarters(agreement.starts_on, last):
            try:
                _top_up(agreement, year, quarter, today, demo)
            except DomainError:
                continue  # no price list in force that quarter: nothing could be ordered
    with acting_as(sales.id if sales else None, "demo"):
        for year, quarter in _quarters(earliest, last):
            services.compute_assessments(year, quarter, today)
            pending = db.session.scalars(
                select(Assessment)
                .where(Assessment.quarter == quarter_name(year, quarter), Assessment.reviewed_on.is_(None))
                .order_by(Assessment.id)
            ).all()
            for assessment in pending:
                _review(assessment, last, today, sales)
