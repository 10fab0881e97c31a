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

from sqlalchemy import ColumnElement, Float, Integer, Select, case, cast, func, literal, or_, select, type_coerce
from sqlalchemy.orm import aliased

from ..distributors.models import Distributor
from ..domain.compliance import COUNT_COLUMNS, MONEY_COLUMNS, VIOLATION_PENALTY, WEIGHTS, Figures
from ..extensions import db
from ..regions.models import Region
from .models import QuarterFigures

NUMBERS = (*MONEY_COLUMNS, *COUNT_COLUMNS)
#: The figures a heat map's cell is read from: attainment (ordered ÷ quota), or the score (the
#: distributor's side, domain.compliance.compliance_score); the export sums only these.
DISTRIBUTOR_SIDE = (*MONEY_COLUMNS, *COUNT_COLUMNS[: COUNT_COLUMNS.index("orders_due")])
HEAT_NUMBERS = {"attainment": MONEY_COLUMNS, "score": DISTRIBUTOR_SIDE}
SEARCH_MAX_LENGTH = 100


def _sums(columns: Sequence[str] = NUMBERS) -> list[Any]:
    return [func.sum(getattr(QuarterFigures, column)).label(column) for column in columns]


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


def quarters_known(distributor_id: int | None = None) -> list[str]:
    """Every quarter the table has figures for (of one distributor, or of any), oldest first: one
    statement that hops from one quarter to the next along an index (a recursive query, one index
    probe per quarter), so it costs the same whatever the number of distributors."""
    mine = literal(True) if distributor_id is None else QuarterFigures.distributor_id == distributor_id
    first = select(func.min(QuarterFigures.quarter).label("quarter")).where(mine).cte("known", recursive=True)
    after = select(func.min(QuarterFigures.quarter)).where(mine, QuarterFigures.quarter > first.c.quarter)
    known = first.union_all(select(after.scalar_subquery().label("quarter")).where(first.c.quarter.is_not(None)))
    return [q for q in db.session.scalars(select(known.c.quarter).order_by(known.c.quarter)) if q is not None]


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
    return Figures.of(row)


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


def _of_matching(statement: Any, search: str) -> Any:
    """``statement`` over QuarterFigures narrowed to the distributors matching ``search`` (all of
    them, with no condition at all, when there is none)."""
    if not search.strip():
        return statement
    matching = distributors_matching(search).with_only_columns(Distributor.id).order_by(None)
    return statement.where(QuarterFigures.distributor_id.in_(matching))


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


def every_grid(search: str, quarters: QuarterRange, columns: Sequence[str] = NUMBERS) -> Select[Any]:
    """:func:`grid` for every distributor matching ``search``, for the export to stream: a row per
    distributor and quarter with figures (``quarter`` None for a distributor with none in the
    range), by code; only the sums of ``columns`` (the others read as zero), and ``single_score``,
    the score kept with a quarter's only row (None where the distributor had several agreements)."""
    return (
        distributors_matching(search)
        .with_only_columns(
            Distributor.id,
            Distributor.code,
            Distributor.name,
            QuarterFigures.quarter,
            *(func.sum(getattr(QuarterFigures, column)).label(column) for column in columns),
            # The score kept with the row when the distributor had one agreement in the quarter
            # (the usual case): the cell needs no computing then.
            case((func.count(QuarterFigures.id) == 1, func.max(QuarterFigures.score))).label("single_score"),
        )
        .outerjoin(QuarterFigures, (QuarterFigures.distributor_id == Distributor.id) & quarters.clause())
        .group_by(Distributor.id, Distributor.code, Distributor.name, QuarterFigures.quarter)
        .order_by(QuarterFigures.quarter)  # after distributors_matching's: by code, then id
    )


def figures_of(row: Any, columns: Sequence[str] = NUMBERS) -> Figures:
    """The Figures of a row of :func:`every_grid` with the sums of ``columns`` (none of them NULL:
    a group has rows); the others are zero."""
    return Figures(**{column: getattr(row, column) for column in columns})


@dataclass(frozen=True)
class Ranked:
    distributor_id: int
    code: str
    name: str
    figures: Figures

    @property
    def score(self) -> Decimal:
        return self.figures.score


def score_points(sums: Any) -> ColumnElement[Any]:
    """domain.compliance.compliance_score in SQL over the summed figures ``sums`` (columns named as
    in NUMBERS), for ordering the ranking: the weights and the penalty are the domain's, and
    tests/compliance/test_ranking.py proves the order equal to the domain's scores. The score shown
    is still the domain's, computed from the same sums."""
    quota, ordered = type_coerce(sums.quota, Integer), type_coerce(sums.ordered_amount, Integer)  # whole fen
    attained = case(
        (quota <= 0, literal(1.0)),
        (ordered >= quota, literal(1.0)),
        else_=cast(ordered, Float) / quota,
    )

    def part(met: Any, due: Any) -> ColumnElement[Any]:
        return case(
            (due <= 0, literal(1.0)),
            (met >= due, literal(1.0)),
            else_=cast(met, Float) / due,
        )

    violations = sums.violations_cross_territory + sums.violations_below_price + sums.violations_unapproved_sub_agent
    no_violation = case(
        (violations * VIOLATION_PENALTY >= WEIGHTS["violations"], literal(0)),
        else_=WEIGHTS["violations"] - VIOLATION_PENALTY * violations,
    )
    points = (
        WEIGHTS["attainment"] * attained
        + WEIGHTS["deposits"] * part(sums.deposits_on_time, sums.deposits_due)
        + WEIGHTS["fees"] * part(sums.fees_on_time, sums.fees_due)
        + WEIGHTS["reports"] * part(sums.reports_on_time, sums.reports_due)
        + WEIGHTS["batches"] * part(sums.batches_in_window, sums.batches_shipped)
        + no_violation
    )
    return func.round(cast(points, Float) * 100)


def _ranked_sums(search: str, quarters: QuarterRange) -> Any:
    """Every matching distributor's figures over the quarters, added up: one row per distributor
    with figures in the range (a subquery)."""
    statement = select(QuarterFigures.distributor_id, *_sums(DISTRIBUTOR_SIDE)).where(quarters.clause())
    statement = _of_matching(statement, search)
    return statement.group_by(QuarterFigures.distributor_id).subquery("sums")


def ranking(search: str, quarters: QuarterRange) -> Select[Any]:
    """Every matching distributor with its figures over the quarters added up, best score first
    (then by code), grouped and ordered in SQL: the overview pages through it, the export streams
    it. Rows: ``id``, ``code``, ``name``, the sums of DISTRIBUTOR_SIDE (all that the ranking shows),
    ``points`` (the order) and ``ranked`` (how many rows the ranking has, for its pages)."""
    sums = _ranked_sums(search, quarters)
    points = score_points(sums.c).label("points")
    return (
        select(
            Distributor.id,
            Distributor.code,
            Distributor.name,
            *(sums.c[c] for c in DISTRIBUTOR_SIDE),
            points,
            func.count().over().label("ranked"),
        )
        .join(sums, sums.c.distributor_id == Distributor.id)
        .order_by(points.desc(), Distributor.code, Distributor.id)
    )


def ranked(row: Any) -> Ranked:
    """A row of :func:`ranking` with its figures (head office's side zero: not summed)."""
    return Ranked(row.id, row.code, row.name, figures_of(row, DISTRIBUTOR_SIDE))


@dataclass(frozen=True)
class ProvinceSales:
    province_code: str
    province_name: str
    quarter: str
    ordered_amount: Decimal


def province_of(region_code: Any) -> ColumnElement[str]:
    """The code of the province of a region code ("" for none): what the sales by province group
    by, here and in the standings (portal.compliance.standings)."""
    return func.coalesce(func.substr(region_code, 1, 2).concat(literal("0000")), literal(""))


def sales_by_province(search: str, quarters: QuarterRange) -> list[ProvinceSales]:
    """The amounts ordered per quarter by the province of each distributor's registered region
    (``Distributor.region_code``; a distributor without one is under "—"): one statement."""
    code = province_of(Distributor.region_code)
    sums = _of_matching(
        select(
            code.label("province_code"),
            QuarterFigures.quarter,
            func.sum(QuarterFigures.ordered_amount).label("ordered_amount"),
        )
        .join(Distributor, Distributor.id == QuarterFigures.distributor_id)
        .where(quarters.clause())
        .group_by(code, QuarterFigures.quarter),
        search,
    ).subquery("sums")
    province = aliased(Region)  # named once the amounts are added up: a row per province and quarter
    statement = (
        select(sums.c.province_code, province.name.label("province_name"), sums.c.quarter, sums.c.ordered_amount)
        .outerjoin(province, province.code == sums.c.province_code)
        .order_by(sums.c.province_code, sums.c.quarter)
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
