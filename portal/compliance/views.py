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
from datetime import date
from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..clock import today
from ..distributors.models import Distributor
from ..domain.compliance import VIOLATION_PENALTY, WEIGHTS, attainment_percent, quarter_label
from ..domain.permissions import may_read, may_read_every_distributor
from ..domain.repairs import SATISFACTION_TARGET, TIMELINESS_TARGET
from ..extensions import db
from ..pagination import paginate
from ..security import allowed, current_user_may, loads
from .blueprint import bp
from .charts import DISTRIBUTOR_TABLES, Table, figure_of, heat_table, province_table, ranking_table
from .exports import send_tables
from .queries import (
    SEARCH_MAX_LENGTH,
    QuarterRange,
    distributor_quarters,
    distributors_matching,
    grid,
    quarters_known,
    ranking,
    sales_by_province,
)

QUARTER = re.compile(r"^20[0-9]{2}-Q[1-4]$", re.ASCII)
OVERVIEW_CHARTS = ("attainment", "score", "ranking", "provinces")
OVERVIEW_QUARTERS = 4  # the overview opens on the last four quarters


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
        year, number = int(quarter_label(on)[:4]), int(quarter_label(on)[-1])
        for _step in range(default_count - 1):
            year, number = (year - 1, 4) if number == 1 else (year, number - 1)
        return QuarterRange(f"{year}-Q{number}", quarter_label(on))
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
        known=quarters_known(),
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


def _overview_table(chart: str, quarters: QuarterRange, search: str, distributors: list[Any] | None) -> Table:
    """The overview's table ``chart``; the heat maps for ``distributors`` (a page), or, None, for
    every matching distributor (the export)."""
    names = _quarter_names(quarters)
    if chart in ("attainment", "score"):
        if distributors is None:
            distributors = list(db.session.scalars(distributors_matching(search)))
        cells = grid([d.id for d in distributors], quarters)
        title = _("Quota attainment by quarter") if chart == "attainment" else _("Compliance score by quarter")
        return heat_table(chart, title, distributors, names, cells)
    if chart == "ranking":
        return ranking_table(ranking(search, quarters))
    return province_table(sales_by_province(search, quarters), names)


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
    tables = [
        heat_table("attainment", _("Quota attainment by quarter"), distributors, names, cells),
        heat_table("score", _("Compliance score by quarter"), distributors, names, cells),
        ranking_table(ranking(search, quarters)),
        province_table(sales_by_province(search, quarters), names),
    ]
    charts = [(table, figure_of(table)) for table in tables]
    return render_template(
        "compliance/overview.html",
        charts=charts,
        has_chart=any(figure for _table, figure in charts),
        page=page,
        quarters=quarters,
        known=known,
        search=search,
        formula=score_formula(),
        on=on,
    )


@bp.get("/export.xlsx")
@allowed(may_read_every_distributor)
def overview_export() -> Any:
    """One of the overview's tables (``?chart=attainment|score|ranking|provinces``; without it,
    all four, one sheet each) for every distributor matching the search, as an Excel workbook."""
    chart = request.args.get("chart", "")
    if chart and chart not in OVERVIEW_CHARTS:
        abort(404)
    quarters, search = _range(OVERVIEW_QUARTERS, today()), _search()
    tables = [_overview_table(key, quarters, search, None) for key in OVERVIEW_CHARTS if chart in ("", key)]
    span = f"{quarters.first or '…'} – {quarters.last or '…'}"
    return _send(tables, span, f"compliance-{chart or 'all'}-{today().isoformat()}.xlsx")


def export_url(endpoint: str, chart: str, **values: Any) -> str:
    """The export link of a chart, keeping the page's filters."""
    args: dict[str, Any] = {key: value for key, value in request.args.items() if key in ("from", "to", "q")}
    return url_for(endpoint, **(args | values | {"chart": chart}))


@bp.app_template_global("compliance_export_url")
def _compliance_export_url(endpoint: str, chart: str, **values: Any) -> str:
    return export_url(endpoint, chart, **values)
