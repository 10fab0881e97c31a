"""The standings kept current (models.Standing; docs/rules.md §10): each distributor's figures over
the overview's default window added up, with its score, so that the overview's ranking reads a page
of them in index order and its sales by province add up one row per distributor, instead of
grouping every distributor's QuarterFigures rows of the window on every request.

They are added up from the stored QuarterFigures (one GROUP BY limited to the distributors
refreshed), so they hold exactly what the overview's grouped query (queries.ranking,
queries.sales_by_province) would add up. :func:`refresh_standings` runs inside the figures' refresh
(portal.compliance.figures.refresh): in the transaction of each change, for the distributors it
notes, and for every distributor by the daily ``refresh-compliance``. The window is the one of the
day refreshed for, so when a quarter ends the rows move to the new window the day the daily command
runs (the change of a distributor in between writes its own row for the new window); until every
row is of the window a page shows, the page reads the grouped query (:func:`usable`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import Integer, case, func, select, type_coerce
from sqlalchemy.orm import Session

from ..db import Money, rewrite_rows
from ..distributors.models import Distributor
from ..domain.compliance import Figures, quarter_label
from ..regions.models import Region
from .models import ORDERED_BY_QUARTER, STANDING_QUARTERS, QuarterFigures, Standing
from .queries import DISTRIBUTOR_SIDE, ProvinceSales, QuarterRange, province_of

#: What a standing holds besides its key, as written and compared.
VALUES = ("first_quarter", "last_quarter", "code", "province_code", *DISTRIBUTOR_SIDE, *ORDERED_BY_QUARTER, "score")


def window(on: date, count: int = STANDING_QUARTERS) -> QuarterRange:
    """The last ``count`` quarters up to ``on``'s, both ends inclusive."""
    year, number = int(quarter_label(on)[:4]), int(quarter_label(on)[-1])
    for _step in range(count - 1):
        year, number = (year - 1, 4) if number == 1 else (year, number - 1)
    return QuarterRange(f"{year}-Q{number}", quarter_label(on))


def quarters_of(span: QuarterRange) -> list[str]:
    """The quarters of a window, oldest first (Standing's ordered_1 … ordered_4)."""
    first, last = span.first or "", span.last or ""
    year, number = int(first[:4]), int(first[-1])
    names = []
    while f"{year}-Q{number}" <= last:
        names.append(f"{year}-Q{number}")
        year, number = (year + 1, 1) if number == 4 else (year, number + 1)
    return names


def added_up(
    session: Session, distributor_ids: Collection[int] | None, span: QuarterRange
) -> dict[int, dict[str, Any]]:
    """These distributors' (None: every distributor's) QuarterFigures over the window added up,
    with their code and province: one GROUP BY, a row per distributor with figures in the window."""
    fen = type_coerce(QuarterFigures.ordered_amount, Integer)
    ordered = [
        type_coerce(func.sum(case((QuarterFigures.quarter == quarter, fen), else_=0)), Money()).label(column)
        for quarter, column in zip(quarters_of(span), ORDERED_BY_QUARTER, strict=True)
    ]
    statement = (
        select(
            QuarterFigures.distributor_id,
            Distributor.code,
            province_of(Distributor.region_code).label("province_code"),
            *(func.sum(getattr(QuarterFigures, column)).label(column) for column in DISTRIBUTOR_SIDE),
            *ordered,
        )
        .join(Distributor, Distributor.id == QuarterFigures.distributor_id)
        .where(span.clause())
        .group_by(QuarterFigures.distributor_id, Distributor.code, Distributor.region_code)
    )
    if distributor_ids is not None:
        statement = statement.where(QuarterFigures.distributor_id.in_(sorted(distributor_ids)))
    fresh = {}
    for row in session.execute(statement):
        values = dict(row._mapping)
        figures = Figures(**{column: values[column] for column in DISTRIBUTOR_SIDE})
        fresh[row.distributor_id] = {
            "first_quarter": span.first,
            "last_quarter": span.last,
            **{key: values[key] for key in VALUES if key in values},
            "score": figures.score,
        }
    return fresh


def is_filled(session: Session) -> bool:
    """Whether the daily command (or the generator) has filled the standings: the migration leaves
    the table empty, and a change's refresh must not fill a part of it."""
    return session.scalar(select(Standing.distributor_id).limit(1)) is not None


def refresh_standings(
    session: Session, distributor_ids: Collection[int] | None, on: date, *, when_filled: bool = False
) -> int:
    """Rewrite these distributors' standings (None: every distributor's) over the window of ``on``
    from their QuarterFigures, inside the caller's transaction: changed rows (a row of another
    window too) updated, new ones inserted, those with no figures in the window deleted.
    ``when_filled``: only if the table already has rows (a change's refresh, see :func:`is_filled`).
    Returns the rows written."""
    if distributor_ids is not None and not distributor_ids:
        return 0
    if when_filled and not is_filled(session):
        return 0
    fresh = added_up(session, distributor_ids, window(on))
    return rewrite_rows(session, Standing, VALUES, fresh, distributor_ids)


# --- read by the overview ------------------------------------------------------------------------


def usable(session: Session, span: QuarterRange) -> int | None:
    """How many standings there are, when they can stand for the grouped query over ``span``:
    the table filled and every row of exactly that window. None otherwise (the table just created,
    another range, or a quarter ended and the daily command not run yet). One statement over the
    small table."""
    count, *bounds = session.execute(
        select(
            func.count(),
            func.min(Standing.first_quarter),
            func.max(Standing.first_quarter),
            func.min(Standing.last_quarter),
            func.max(Standing.last_quarter),
        )
    ).one()
    if not count or bounds != [span.first, span.first, span.last, span.last]:
        return None
    return int(count)


def ranking() -> Any:
    """The ranking read from the standings, in the index's order (best score first, then by code):
    the rows of queries.ranking, without its count (:func:`usable` gives it)."""
    return (
        select(
            Standing.distributor_id.label("id"),
            Standing.code,
            Distributor.name,
            *(getattr(Standing, column) for column in DISTRIBUTOR_SIDE),
        )
        .join(Distributor, Distributor.id == Standing.distributor_id)
        .order_by(Standing.score.desc(), Standing.code, Standing.distributor_id)
    )


def sales_by_province(session: Session, span: QuarterRange) -> list[ProvinceSales]:
    """queries.sales_by_province over the standings' window: one GROUP BY over the standings (a row
    per distributor), the provinces named once the amounts are added up."""
    sums = (
        select(
            Standing.province_code,
            *(func.sum(getattr(Standing, column)).label(column) for column in ORDERED_BY_QUARTER),
        )
        .group_by(Standing.province_code)
        .subquery("sums")
    )
    statement = (
        select(sums, Region.name.label("province_name"))
        .outerjoin(Region, Region.code == sums.c.province_code)
        .order_by(sums.c.province_code)
    )
    sales = []
    for row in session.execute(statement):
        for quarter, column in zip(quarters_of(span), ORDERED_BY_QUARTER, strict=True):
            name = row.province_name or row.province_code or "—"
            sales.append(ProvinceSales(row.province_code or "", name, quarter, row._mapping[column]))
    return sales
