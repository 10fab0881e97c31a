"""The SELECTs of the compliance pages, the API and the distributor's home (docs/rules.md §10).

They read the kept-current table QuarterFigures (and the distributors' names), never the records
behind it: each is one statement, so a page costs the same few statements whatever the number of
distributors and quarters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, or_, select
from sqlalchemy.orm import aliased

from ..distributors.models import Distributor
from ..domain.compliance import COUNT_COLUMNS, MONEY_COLUMNS, Figures
from ..extensions import db
from ..regions.models import Region
from .models import QuarterFigures

NUMBERS = (*MONEY_COLUMNS, *COUNT_COLUMNS)
SEARCH_MAX_LENGTH = 100


def _sums() -> list[Any]:
    return [func.sum(getattr(QuarterFigures, column)).label(column) for column in NUMBERS]


@dataclass(frozen=True)
class QuarterRange:
    """The quarters a page shows, both ends inclusive (``"2026-Q1"``); None: no bound."""

    first: str | None = None
    last: str | None = None

    def clause(self) -> ColumnElement[bool]:
        clauses = []
        if self.first:
            clauses.append(QuarterFigures.quarter >= self.first)
        if self.last:
            clauses.append(QuarterFigures.quarter <= self.last)
        return (clauses[0] & clauses[1]) if len(clauses) == 2 else clauses[0] if clauses else literal(True)


def quarters_known() -> list[str]:
    """Every quarter the table has figures for, oldest first (one statement)."""
    return list(db.session.scalars(select(QuarterFigures.quarter).distinct().order_by(QuarterFigures.quarter)))


def distributor_quarters(
    distributor_id: int | None, quarters: QuarterRange = QuarterRange()
) -> list[tuple[str, Figures]]:
    """One distributor's figures per quarter (its agreements added up), oldest first; None: every
    distributor's added up (head office's whole network)."""
    mine = literal(True) if distributor_id is None else QuarterFigures.distributor_id == distributor_id
    statement = (
        select(QuarterFigures.quarter, *_sums())
        .where(mine, quarters.clause())
        .group_by(QuarterFigures.quarter)
        .order_by(QuarterFigures.quarter)
    )
    return [(row.quarter, _money_fixed(row)) for row in db.session.execute(statement)]


def _money_fixed(row: Any) -> Figures:
    """A row of sums as Figures (SUM over a Money column keeps the column's type: Decimal yuan)."""
    return Figures.of({column: getattr(row, column) for column in NUMBERS})


# --- head office's overview -------------------------------------------------------------------------


def distributors_matching(search: str) -> Select[Any]:
    """Distributors whose code or name contains ``search``, by code (the overview's rows)."""
    statement = select(Distributor).order_by(Distributor.code, Distributor.id)
    text = search.strip()[:SEARCH_MAX_LENGTH]
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            or_(Distributor.code.ilike(pattern, escape="\\"), Distributor.name.ilike(pattern, escape="\\"))
        )
    return statement


def grid(distributor_ids: Sequence[int], quarters: QuarterRange) -> dict[tuple[int, str], Figures]:
    """The figures of these distributors per quarter (agreements added up): one statement."""
    if not distributor_ids:
        return {}
    statement = (
        select(QuarterFigures.distributor_id, QuarterFigures.quarter, *_sums())
        .where(QuarterFigures.distributor_id.in_(list(distributor_ids)), quarters.clause())
        .group_by(QuarterFigures.distributor_id, QuarterFigures.quarter)
    )
    return {(row.distributor_id, row.quarter): _money_fixed(row) for row in db.session.execute(statement)}


@dataclass(frozen=True)
class Ranked:
    distributor_id: int
    code: str
    name: str
    figures: Figures

    @property
    def score(self) -> Decimal:
        return self.figures.score


def ranking(search: str, quarters: QuarterRange) -> list[Ranked]:
    """Every matching distributor with its figures over the quarters added up, best score first
    (then by code): one statement, grouped in SQL."""
    matching = distributors_matching(search).with_only_columns(Distributor.id).order_by(None).subquery()
    statement = (
        select(Distributor.id, Distributor.code, Distributor.name, *_sums())
        .join(QuarterFigures, QuarterFigures.distributor_id == Distributor.id)
        .where(Distributor.id.in_(select(matching.c.id)), quarters.clause())
        .group_by(Distributor.id, Distributor.code, Distributor.name)
    )
    rows = [Ranked(row.id, row.code, row.name, _money_fixed(row)) for row in db.session.execute(statement)]
    return sorted(rows, key=lambda r: (-r.score, r.code))


@dataclass(frozen=True)
class ProvinceSales:
    province_code: str
    province_name: str
    quarter: str
    ordered_amount: Decimal


def sales_by_province(search: str, quarters: QuarterRange) -> list[ProvinceSales]:
    """The amounts ordered per quarter by the province of each distributor's registered region
    (``Distributor.region_code``; a distributor without one is under "—"): one statement."""
    province = aliased(Region)
    code = func.coalesce(func.substr(Distributor.region_code, 1, 2).concat(literal("0000")), literal(""))
    matching = distributors_matching(search).with_only_columns(Distributor.id).order_by(None).subquery()
    statement = (
        select(
            code.label("province_code"),
            func.max(province.name).label("province_name"),
            QuarterFigures.quarter,
            func.sum(QuarterFigures.ordered_amount).label("ordered_amount"),
        )
        .join(Distributor, Distributor.id == QuarterFigures.distributor_id)
        .outerjoin(province, province.code == code)
        .where(Distributor.id.in_(select(matching.c.id)), quarters.clause())
        .group_by(code, QuarterFigures.quarter)
        .order_by(code, QuarterFigures.quarter)
    )
    return [
        ProvinceSales(
            row.province_code or "",
            row.province_name or row.province_code or "—",
            row.quarter,
            row.ordered_amount or Decimal("0.00"),
        )
        for row in db.session.execute(statement)
    ]
