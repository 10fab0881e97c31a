"""The compliance pages (docs/rules.md §10): one distributor's figures by quarter, both ways, as
charts with their tables and Excel exports; and head office's overview of every distributor side
by side. They read the kept-current QuarterFigures only (portal.compliance.queries), never the
records behind them.

A distributor reads its own page only: ``/compliance`` is its page, and ``/compliance/<id>`` loads
the distributor through the scope, so another's answers 404 (its charts, tables and exports too).
Head office (may_read_every_distributor) gets the overview at ``/compliance`` and any distributor's
page by id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..clock import today
from ..distributors.models import Distributor
from ..domain.compliance import VIOLATION_PENALTY, WEIGHTS, attainment_percent
from ..domain.permissions import may_read, may_read_every_distributor
from ..domain.repairs import SATISFACTION_TARGET, TIMELINESS_TARGET
from ..exports import Sheet, stream
from ..extensions import db
from ..pagination import MAX_PAGE, int_arg, page_args, paginate
from ..receivables.queries import RowPagination
from ..security import allowed, current_user_may, loads
from . import standings
from .blueprint import bp
from .charts import (
    DISTRIBUTOR_TABLES,
    Table,
    figure_of,
    heat_columns,
    heat_row,
    heat_table,
    province_table,
    ranking_columns,
    ranking_row,
    ranking_table,
)
from .exports import send_sheets, send_tables, sheet, table_sheets
from .models import STANDING_QUARTERS
from .queries import (
    HEAT_NUMBERS,
    SEARCH_MAX_LENGTH,
    QuarterRange,
    distributor_quarters,
    distributors_matching,
    every_grid,
    grid,
    quarters_known,
    ranked,
    ranking,
    sales_by_province,
)
from .standings import window

QUARTER = re.compile(r"^20[0-9]{2}-Q[1-4]$", re.ASCII)
OVERVIEW_CHARTS = ("attainment", "score", "ranking", "provinces")
OVERVIEW_QUARTERS = STANDING_QUARTERS  # the overview opens on the last four quarters (the standings')


def _quarter_arg(name: str) -> str | None:
    """A quarter from the query string (``2026-Q1``), or None for anything else (ignored, as a page
    number is)."""
    value = request.args.get(name, "").strip().upper()
    return value if QUARTER.match(value) else None


def _range(default_count: int | None, on: date) -> QuarterRange:
    first, last = _quarter_arg("from"), _quarter_arg("to")
    if first and last and first > last:
        first, last = last, first
    if first is None and last is None and default_count:
        return window(on, default_count)
    return QuarterRange(first, last)


def _search() -> str:
    return request.args.get("q", "").strip()[:SEARCH_MAX_LENGTH]


def score_formula() -> dict[str, Any]:
    """What the pages write under the score: the weights and the penalty (docs/rules.md §10), and
    head office's service targets."""
    return {
        "weights": WEIGHTS,
        "penalty": VIOLATION_PENALTY,
        "timeliness_target": TIMELINESS_TARGET * 100,
        "satisfaction_target": SATISFACTION_TARGET * 100,
    }


# --- one distributor -------------------------------------------------------------------------------


def _distributor_tables(distributor: Distributor, quarters: QuarterRange) -> tuple[list[Table], Any]:
    rows = distributor_quarters(distributor.id, quarters)
    return [build(rows) for build in DISTRIBUTOR_TABLES.values()], rows


def _distributor_page(distributor: Distributor | None) -> Any:
    on = today()
    if distributor is None:
        return render_template("compliance/distributor.html", distributor=None, charts=[], formula=score_formula())
    quarters = _range(None, on)
    tables, rows = _distributor_tables(distributor, quarters)
    charts = [(table, figure_of(table)) for table in tables]
    latest = rows[-1] if rows else None
    return render_template(
        "compliance/distributor.html",
        distributor=distributor,
        charts=charts,
        has_chart=any(figure for _table, figure in charts),
        latest=latest,
        latest_attainment=attainment_percent(latest[1].attainment) if latest else None,
        quarters=quarters,
        known=quarters_known(distributor.id),
        formula=score_formula(),
        on=on,
    )


@bp.get("/")
@allowed(may_read)
def index() -> Any:
    """Head office: every distributor side by side. A distributor: its own figures."""
    if current_user_may(may_read_every_distributor):
        return overview()
    own = db.session.get(Distributor, current_user.distributor_id) if current_user.distributor_id else None
    return _distributor_page(own)


@bp.get("/<int:distributor_id>")
@allowed(may_read)
@loads(Distributor, "distributor_id")
def distributor(distributor: Distributor) -> Any:
    """One distributor's compliance by quarter, both ways (a distributor: its own only)."""
    return _distributor_page(distributor)


def _send(tables: list[Table], caption: str, name: str) -> Any:
    return send_tables(tables, caption, name.removesuffix(".xlsx"))


@bp.get("/<int:distributor_id>/export.xlsx")
@allowed(may_read)
@loads(Distributor, "distributor_id")
def distributor_export(distributor: Distributor) -> Any:
    """One chart's table (``?chart=orders|rates|violations|service``), or without ``chart`` every
    chart's, one sheet each, as an Excel workbook."""
    chart = request.args.get("chart", "")
    if chart and chart not in DISTRIBUTOR_TABLES:
        abort(404)
    quarters = _range(None, today())
    rows = distributor_quarters(distributor.id, quarters)
    tables = [build(rows) for key, build in DISTRIBUTOR_TABLES.items() if chart in ("", key)]
    caption = f"{distributor.code} {distributor.name}"
    return _send(tables, caption, f"compliance-{distributor.code}-{chart or 'all'}-{today().isoformat()}.xlsx")


# --- head office's overview ------------------------------------------------------------------------

RANKING_PAGE = "ranking_page"  # the ranking's own page number, beside the heat maps' ``page``

HEAT_TITLES = {
    "attainment": _l("Quota attainment by quarter"),
    "score": _l("Compliance score by quarter"),
}


class RankingPagination(RowPagination):
    """The ranking, a page at a time in SQL. Its count comes with the page's rows (``ranked``, a
    window count over the grouped rows: queries.ranking), not from a second grouping, or, read from
    the standings, is theirs (``total``: standings.usable); past the last page there are no rows to
    carry it, and the pages end at the one before, either way (the page shows the same)."""

    def _query_count(self) -> int:
        if self.items:
            return int(self._query_args["total"] if "total" in self._query_args else self.items[0].ranked)
        return (self.page - 1) * self.per_page


def _ranking_page(search: str, quarters: QuarterRange, kept: int | None) -> RankingPagination:
    """A page of the ranking: read from the standings in their index's order when they stand for
    the range (``kept``, their count: standings.usable), else grouped (queries.ranking)."""
    _page, per_page = page_args()
    source = {"select": ranking(search, quarters)} if kept is None else {"select": standings.ranking(), "total": kept}
    pagination = RankingPagination(
        session=db.session,
        page=int_arg(RANKING_PAGE, upper=MAX_PAGE) or 1,
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
        count=True,
        **source,
    )
    pagination.param = RANKING_PAGE
    return pagination


def _quarter_names(quarters: QuarterRange, known: list[str] | None = None) -> list[str]:
    """The quarters with figures inside the range, oldest first."""
    return [
        q
        for q in (quarters_known() if known is None else known)
        if (quarters.first is None or q >= quarters.first) and (quarters.last is None or q <= quarters.last)
    ]


def overview() -> Any:
    on = today()
    quarters, search = _range(OVERVIEW_QUARTERS, on), _search()
    page = paginate(distributors_matching(search))
    distributors = list(page.items)
    known = quarters_known()
    names = _quarter_names(quarters, known)
    cells = grid([d.id for d in distributors], quarters)
    # The default window without a search: the standings kept current stand for the grouped
    # queries once the daily command has filled them for this window (standings.usable).
    kept = standings.usable(db.session(), quarters) if quarters == window(on) and not search else None
    ranked_page = _ranking_page(search, quarters, kept)
    first = (ranked_page.page - 1) * ranked_page.per_page + 1
    sales = sales_by_province(search, quarters) if kept is None else standings.sales_by_province(db.session(), quarters)
    tables = [
        heat_table("attainment", str(HEAT_TITLES["attainment"]), distributors, names, cells),
        heat_table("score", str(HEAT_TITLES["score"]), distributors, names, cells),
        ranking_table([ranked(row) for row in ranked_page.items], first),
        province_table(sales, names),
    ]
    charts = [(table, figure_of(table)) for table in tables]
    return render_template(
        "compliance/overview.html",
        charts=charts,
        has_chart=any(figure for _table, figure in charts),
        page=page,
        ranked_page=ranked_page,
        quarters=quarters,
        known=known,
        search=search,
        formula=score_formula(),
        on=on,
    )


def _heat_rows(key: str, search: str, quarters: QuarterRange, names: list[str]) -> Iterator[list[Any]]:
    """A heat map's rows for every matching distributor, as the export streams them (the rows of
    :func:`every_grid` come by distributor, one per quarter with figures)."""
    keys = [column.key for column in heat_columns(key, names)]
    for _id, group in groupby(stream(every_grid(search, quarters, HEAT_NUMBERS[key])), key=lambda row: row.id):
        rows = list(group)  # one distributor's quarters: a handful
        figures = {row.quarter: row for row in rows if row.quarter is not None}
        row = heat_row(key, rows[0], names, figures)
        yield [row[k] for k in keys]


def _overview_sheet(key: str, quarters: QuarterRange, search: str, names: list[str], caption: str) -> Sheet:
    """One of the overview's tables for every distributor matching the search, its rows streamed."""
    if key in HEAT_TITLES:
        return sheet(str(HEAT_TITLES[key]), heat_columns(key, names), _heat_rows(key, search, quarters, names), caption)
    if key == "ranking":
        keys = [column.key for column in ranking_columns()]
        rows = (
            itemgetter(*keys)(ranking_row(position, ranked(row)))
            for position, row in enumerate(stream(ranking(search, quarters)), start=1)
        )
        return sheet(_("Ranking by compliance score"), ranking_columns(), rows, caption)
    (provinces,) = table_sheets([province_table(sales_by_province(search, quarters), names)], caption)
    return provinces


@bp.get("/export.xlsx")
@allowed(may_read_every_distributor)
def overview_export() -> Any:
    """One of the overview's tables (``?chart=attainment|score|ranking|provinces``; without it,
    all four, one sheet each) for every distributor matching the search, as an Excel workbook
    written as the rows come from the database (portal.exports.stream)."""
    chart = request.args.get("chart", "")
    if chart and chart not in OVERVIEW_CHARTS:
        abort(404)
    quarters, search = _range(OVERVIEW_QUARTERS, today()), _search()
    names = _quarter_names(quarters)
    span = f"{quarters.first or '…'} – {quarters.last or '…'}"
    sheets = [_overview_sheet(key, quarters, search, names, span) for key in OVERVIEW_CHARTS if chart in ("", key)]
    return send_sheets(sheets, f"compliance-{chart or 'all'}-{today().isoformat()}")


def export_url(endpoint: str, chart: str, **values: Any) -> str:
    """The export link of a chart, keeping the page's filters."""
    args: dict[str, Any] = {key: value for key, value in request.args.items() if key in ("from", "to", "q")}
    return url_for(endpoint, **(args | values | {"chart": chart}))


@bp.app_template_global("compliance_export_url")
def _compliance_export_url(endpoint: str, chart: str, **values: Any) -> str:
    return export_url(endpoint, chart, **values)
