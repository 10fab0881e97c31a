"""The compliance charts and the tables behind them (docs/rules.md §10), in three steps
(docs/architecture.md): the queries (portal.compliance.queries) return plain figures, a function
here turns them into a frame (pandas, one row per quarter, distributor or province), and a plotting
function turns the frame into plotly's JSON figure. The same frame is the chart's table on the page
and its Excel export (portal.compliance.exports), so the three never disagree.

A frame's columns are described by :class:`Column` (title and kind: text, money, percent, count);
values stay Decimal and int in the frame and become floats only in the figure's JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from flask_babel import gettext as _

from ..domain.assessments import attainment
from ..domain.compliance import Figures, attainment_percent
from ..domain.repairs import SATISFACTION_TARGET, TIMELINESS_TARGET, ServiceFigure
from ..domain.reports import ViolationKind
from .queries import DISTRIBUTOR_SIDE, ProvinceSales, Ranked, figures_of

TEXT, MONEY, PERCENT, COUNT, SCORE = "text", "money", "percent", "count", "score"
RANKING_SHOWN = 20  # distributors in the ranking chart; the table and the export list all


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str = TEXT


@dataclass(frozen=True)
class Table:
    """A chart's data: its key (``orders``, ``rates`` …), title, columns and frame."""

    key: str
    title: str
    columns: Sequence[Column]
    frame: pd.DataFrame

    def rows(self) -> list[list[Any]]:
        keys = [column.key for column in self.columns]
        return [[row[key] for key in keys] for row in self.frame.to_dict("records")]


def _percent(share: Decimal | None) -> Decimal | None:
    return attainment_percent(share)


def _service(figure: ServiceFigure | None) -> Decimal | None:
    return None if figure is None else attainment_percent(figure.rate)


def _frame(rows: list[dict[str, Any]], columns: Sequence[Column]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[column.key for column in columns], dtype=object)


# --- one distributor, by quarter -------------------------------------------------------------------


def orders_table(quarters: Sequence[tuple[str, Figures]]) -> Table:
    columns = [
        Column("quarter", _("Quarter")),
        Column("quota", _("Quota (prorated)"), MONEY),
        Column("ordered_amount", _("Ordered"), MONEY),
        Column("attainment", _("Attainment"), PERCENT),
        Column("score", _("Compliance score"), SCORE),
    ]
    rows = [
        {
            "quarter": quarter,
            "quota": figures.quota,
            "ordered_amount": figures.ordered_amount,
            "attainment": _percent(figures.attainment),
            "score": figures.score,
        }
        for quarter, figures in quarters
    ]
    return Table("orders", _("Ordered against the quota"), columns, _frame(rows, columns))


def rates_table(quarters: Sequence[tuple[str, Figures]]) -> Table:
    columns = [
        Column("quarter", _("Quarter")),
        Column("deposits", _("Deposits on time"), PERCENT),
        Column("deposits_count", _("Deposits on time / due")),
        Column("fees", _("Repair fees on time"), PERCENT),
        Column("fees_count", _("Repair fees on time / due")),
        Column("reports", _("Reports on time"), PERCENT),
        Column("reports_count", _("Reports on time / due")),
        Column("batches", _("Batches in the window"), PERCENT),
        Column("batches_count", _("Batches in the window / shipped")),
    ]
    rows = [
        {
            "quarter": quarter,
            "deposits": _percent(f.deposits_rate),
            "deposits_count": f"{f.deposits_on_time} / {f.deposits_due}",
            "fees": _percent(f.fees_rate),
            "fees_count": f"{f.fees_on_time} / {f.fees_due}",
            "reports": _percent(f.reports_rate),
            "reports_count": f"{f.reports_on_time} / {f.reports_due}",
            "batches": _percent(f.batches_rate),
            "batches_count": f"{f.batches_in_window} / {f.batches_shipped}",
        }
        for quarter, f in quarters
    ]
    return Table("rates", _("On-time rates"), columns, _frame(rows, columns))


def violations_table(quarters: Sequence[tuple[str, Figures]]) -> Table:
    columns = [
        Column("quarter", _("Quarter")),
        *(Column(kind.value, _(kind.label), COUNT) for kind in ViolationKind),
        Column("total", _("Total"), COUNT),
    ]
    rows = [
        {
            "quarter": quarter,
            **{kind.value: count for kind, count in f.violations_by_kind().items()},
            "total": f.violations,
        }
        for quarter, f in quarters
    ]
    return Table("violations", _("Violations by kind"), columns, _frame(rows, columns))


def service_table(quarters: Sequence[tuple[str, Figures]]) -> Table:
    columns = [
        Column("quarter", _("Quarter")),
        Column("delivery", _("Orders shipped by their delivery date"), PERCENT),
        Column("delivery_count", _("Shipped on time / due")),
        Column("timeliness", _("Service timeliness (target 90%)"), PERCENT),
        Column("timeliness_count", _("Repaired within 30 days / received")),
        Column("satisfaction", _("Customer satisfaction (target 85%)"), PERCENT),
        Column("satisfaction_count", _("Satisfied answers / answers")),
        Column("notices", _("Price notices before the list took effect"), PERCENT),
        Column("notices_count", _("Before / notices")),
    ]
    rows = [
        {
            "quarter": quarter,
            "delivery": _percent(f.delivery_rate),
            "delivery_count": f"{f.orders_on_time} / {f.orders_due}",
            "timeliness": _service(f.service_timeliness),
            "timeliness_count": f"{f.batches_repaired_in_time} / {f.batches_received}",
            "satisfaction": _service(f.customer_satisfaction),
            "satisfaction_count": f"{f.rating_items_satisfied} / {f.rating_items}",
            "notices": _percent(f.price_notice_rate),
            "notices_count": f"{f.price_notices_before} / {f.price_notices}",
        }
        for quarter, f in quarters
    ]
    return Table("service", _("Head office's service towards you"), columns, _frame(rows, columns))


DISTRIBUTOR_TABLES = {
    "orders": orders_table,
    "rates": rates_table,
    "violations": violations_table,
    "service": service_table,
}


# --- head office's overview ------------------------------------------------------------------------


def heat_columns(key: str, quarters: Sequence[str]) -> list[Column]:
    """The columns of a heat map's table: the distributor, then one per quarter."""
    columns = [Column("code", _("Code")), Column("name", _("Distributor"))]
    return columns + [Column(quarter, quarter, PERCENT if key == "attainment" else SCORE) for quarter in quarters]


def heat_value(key: str, figures: Any) -> Decimal | None:
    """A heat map's cell: attainment (%; None without a quota) or the score, of ``figures`` (a
    Figures, or a row with the sums of queries.HEAT_NUMBERS[key]: the export reads rows as they
    come, without building a Figures for each)."""
    if key == "attainment":
        return _percent(attainment(figures.ordered_amount, figures.quota))
    kept = getattr(figures, "single_score", None)  # a row's score as kept (queries.every_grid)
    if kept is not None:
        return Decimal(kept)
    if not isinstance(figures, Figures):  # a row of several agreements' sums
        figures = figures_of(figures, DISTRIBUTOR_SIDE)
    return figures.score


def heat_row(key: str, distributor: Any, quarters: Sequence[str], figures: Mapping[str, Any]) -> dict[str, Any]:
    """A distributor's row of a heat map: attainment (%) or the score per quarter (``figures``: a
    Figures or a row of sums per quarter); empty where there is no figure (or, for attainment, no
    quota)."""
    row: dict[str, Any] = {"code": distributor.code, "name": distributor.name, "id": distributor.id}
    for quarter in quarters:
        found = figures.get(quarter)
        row[quarter] = None if found is None else heat_value(key, found)
    return row


def heat_table(
    key: str,
    title: str,
    distributors: Sequence[Any],
    quarters: Sequence[str],
    grid: Mapping[tuple[int, str], Figures],
) -> Table:
    """Distributors × quarters: attainment (%) or the score; empty where there is no figure (or,
    for attainment, no quota)."""
    columns = heat_columns(key, quarters)
    rows = [
        heat_row(key, d, quarters, {q: grid[(d.id, q)] for q in quarters if (d.id, q) in grid}) for d in distributors
    ]
    return Table(key, title, columns, pd.DataFrame(rows, columns=[*(c.key for c in columns), "id"], dtype=object))


def ranking_columns() -> list[Column]:
    return [
        Column("rank", _("Rank"), COUNT),
        Column("code", _("Code")),
        Column("name", _("Distributor")),
        Column("score", _("Compliance score"), SCORE),
        Column("attainment", _("Attainment"), PERCENT),
        Column("violations", _("Violations"), COUNT),
    ]


def ranking_row(position: int, r: Ranked) -> dict[str, Any]:
    return {
        "rank": position,
        "code": r.code,
        "name": r.name,
        "score": r.score,
        "attainment": _percent(r.figures.attainment),
        "violations": r.figures.violations,
        "id": r.distributor_id,
    }


def ranking_table(ranked: Sequence[Ranked], first: int = 1) -> Table:
    """The ranking's rows ``ranked`` (a page of it), numbered from ``first``."""
    columns = ranking_columns()
    rows = [ranking_row(position, r) for position, r in enumerate(ranked, start=first)]
    return Table(
        "ranking",
        _("Ranking by compliance score"),
        columns,
        pd.DataFrame(rows, columns=[*(c.key for c in columns), "id"], dtype=object),
    )


def province_table(sales: Sequence[ProvinceSales], quarters: Sequence[str]) -> Table:
    """Ordered amounts per province (rows) and quarter (columns), with the total."""
    columns = [Column("province", _("Province"))]
    columns += [Column(quarter, quarter, MONEY) for quarter in quarters]
    columns.append(Column("total", _("Total"), MONEY))
    by_province: dict[str, dict[str, Any]] = {}
    for sale in sales:
        row = by_province.setdefault(sale.province_code, {"province": sale.province_name})
        row[sale.quarter] = row.get(sale.quarter, Decimal("0.00")) + sale.ordered_amount
    rows = []
    for row in by_province.values():
        for quarter in quarters:
            row.setdefault(quarter, Decimal("0.00"))
        row["total"] = sum((row[quarter] for quarter in quarters), Decimal("0.00"))
        rows.append(row)
    rows.sort(key=lambda r: (-r["total"], r["province"]))
    return Table("provinces", _("Sales by province"), columns, _frame(rows, columns))


# --- figures ---------------------------------------------------------------------------------------

BLUE, LIGHT, GREEN, ORANGE, RED, GREY = "#0d6efd", "#9ec5fe", "#198754", "#fd7e14", "#dc3545", "#adb5bd"
PALETTE = [BLUE, GREEN, ORANGE, RED, "#6f42c1", "#20c997", "#6c757d", "#d63384", "#0dcaf0", "#ffc107"]


def _number(value: Any) -> float | None:
    """A Decimal or int as a plot coordinate; None stays a gap."""
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else float(value)


def _layout(figure: Any, **extra: Any) -> dict[str, Any]:
    figure.update_layout(
        template="none",
        height=extra.pop("height", 320),
        margin=extra.pop("margin", {"l": 50, "r": 50, "t": 10, "b": 40}),
        legend={"orientation": "h", "y": -0.2},
        font={"family": "system-ui, sans-serif", "size": 13},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        **extra,
    )
    return dict(json.loads(figure.to_json()))


def figure_of(table: Table) -> dict[str, Any] | None:
    """The plotly figure of a table, None when it has no row."""
    if table.frame.empty:
        return None
    import plotly.graph_objects as go  # slow to import; only the pages with a chart need it

    draw = {
        "orders": _orders_figure,
        "rates": _lines_figure,
        "service": _lines_figure,
        "violations": _violations_figure,
        "attainment": _heat_figure,
        "score": _heat_figure,
        "ranking": _ranking_figure,
        "provinces": _provinces_figure,
    }[table.key]
    return draw(go, table, table.frame, {column.key: column.title for column in table.columns})


def _orders_figure(go: Any, table: Table, frame: pd.DataFrame, titles: dict[str, str]) -> dict[str, Any]:
    figure = go.Figure()
    x = frame["quarter"].tolist()
    figure.add_trace(go.Bar(x=x, y=[_number(v) for v in frame["quota"]], name=titles["quota"], marker={"color": GREY}))
    figure.add_trace(
        go.Bar(
            x=x,
            y=[_number(v) for v in frame["ordered_amount"]],
            name=titles["ordered_amount"],
            marker={"color": BLUE},
        )
    )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=[_number(v) for v in frame["attainment"]],
            name=titles["attainment"],
            yaxis="y2",
            mode="lines+markers",
            line={"color": ORANGE},
        )
    )
    return _layout(
        figure,
        barmode="group",
        yaxis={"title": {"text": "¥"}, "rangemode": "tozero"},
        yaxis2={"title": {"text": "%"}, "overlaying": "y", "side": "right", "rangemode": "tozero"},
    )


def _lines_figure(go: Any, table: Table, frame: pd.DataFrame, titles: dict[str, str]) -> dict[str, Any]:
    figure = go.Figure()
    keys = (
        ["deposits", "fees", "reports", "batches"]
        if table.key == "rates"
        else ["delivery", "timeliness", "satisfaction", "notices"]
    )
    x = frame["quarter"].tolist()
    for key, colour in zip(keys, PALETTE, strict=False):
        figure.add_trace(
            go.Scatter(
                x=x,
                y=[_number(v) for v in frame[key]],
                name=titles[key],
                mode="lines+markers",
                connectgaps=False,
                line={"color": colour},
            )
        )
    shapes = []
    if table.key == "service":
        for target, colour in ((TIMELINESS_TARGET, GREEN), (SATISFACTION_TARGET, ORANGE)):
            shapes.append(
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "y0": float(target * 100),
                    "y1": float(target * 100),
                    "line": {"color": colour, "dash": "dash", "width": 1},
                }
            )
    return _layout(figure, yaxis={"title": {"text": "%"}, "range": [0, 105]}, shapes=shapes)


def _violations_figure(go: Any, table: Table, frame: pd.DataFrame, titles: dict[str, str]) -> dict[str, Any]:
    figure = go.Figure()
    x = frame["quarter"].tolist()
    for kind, colour in zip(ViolationKind, (RED, ORANGE, "#6f42c1"), strict=True):
        figure.add_trace(
            go.Bar(x=x, y=[_number(v) for v in frame[kind.value]], name=titles[kind.value], marker={"color": colour})
        )
    return _layout(figure, barmode="stack", yaxis={"dtick": 1, "rangemode": "tozero"})


def _heat_figure(go: Any, table: Table, frame: pd.DataFrame, titles: dict[str, str]) -> dict[str, Any]:
    figure = go.Figure()
    quarters = [column.key for column in table.columns[2:]]
    labels = [f"{code} {name}" for code, name in zip(frame["code"], frame["name"], strict=True)]
    z = [[_number(row[q]) for q in quarters] for row in frame.to_dict("records")]
    colorscale = "RdYlGn"
    figure.add_trace(
        go.Heatmap(
            x=quarters,
            y=labels,
            z=z,
            colorscale=colorscale,
            zmin=0,
            zmax=100 if table.key == "score" else 120,
            hoverongaps=False,
            colorbar={"title": {"text": "%" if table.key == "attainment" else ""}},
        )
    )
    return _layout(
        figure,
        height=max(240, 26 * len(labels) + 80),
        margin={"l": 220, "r": 20, "t": 10, "b": 40},
        yaxis={"autorange": "reversed", "automargin": True},
    )


def _ranking_figure(go: Any, table: Table, frame: pd.DataFrame, titles: dict[str, str]) -> dict[str, Any]:
    figure = go.Figure()
    shown = frame.head(RANKING_SHOWN)
    labels = [f"{code} {name}" for code, name in zip(shown["code"], shown["name"], strict=True)]
    figure.add_trace(
        go.Bar(
            x=[_number(v) for v in shown["score"]],
            y=labels,
            orientation="h",
            marker={"color": BLUE},
            name=titles["score"],
        )
    )
    return _layout(
        figure,
        height=max(240, 24 * len(labels) + 80),
        margin={"l": 220, "r": 20, "t": 10, "b": 40},
        xaxis={"range": [0, 100]},
        yaxis={"autorange": "reversed", "automargin": True},
    )


def _provinces_figure(go: Any, table: Table, frame: pd.DataFrame, titles: dict[str, str]) -> dict[str, Any]:
    figure = go.Figure()
    quarters = [column.key for column in table.columns[1:-1]]
    for index, quarter in enumerate(quarters):
        figure.add_trace(
            go.Bar(
                x=frame["province"].tolist(),
                y=[_number(v) for v in frame[quarter]],
                name=quarter,
                marker={"color": PALETTE[index % len(PALETTE)]},
            )
        )
    return _layout(figure, barmode="stack", yaxis={"title": {"text": "¥"}, "rangemode": "tozero"})
