"""A compliance chart's table as an Excel workbook, through the portal's one export helper
(portal.exports): one sheet per table, a caption row (who and which quarters), the header, then its
rows. Amounts are the exact Decimal with a money format, percentages numbers with one decimal."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .. import exports
from .charts import COUNT, MONEY, PERCENT, SCORE, TEXT, Table
from .charts import Column as ChartColumn

FORMATS = {MONEY: "#,##0.00", PERCENT: "0.0", SCORE: "0.00", COUNT: "0"}


def sheet(title: str, columns: Sequence[ChartColumn], rows: Iterable[Sequence[Any]], caption: str) -> exports.Sheet:
    """A sheet of ``columns`` (a chart table's) over ``rows``, consumed once as they come."""
    return exports.Sheet(
        title,
        [
            exports.Column(
                column.title,
                exports.TEXT if column.kind == TEXT else exports.NUMBER,
                14 if column.kind != TEXT else 28,
                FORMATS.get(column.kind),
            )
            for column in columns
        ],
        rows,
        caption=caption,
    )


def table_sheets(tables: Sequence[Table], caption: str) -> list[exports.Sheet]:
    return [sheet(table.title or table.key, table.columns, table.rows(), caption) for table in tables]


def send_tables(tables: Sequence[Table], caption: str, name: str) -> Any:
    """The tables as an Excel download named ``name`` (without its extension)."""
    return send_sheets(table_sheets(tables, caption), name)


def send_sheets(sheets: Sequence[exports.Sheet], name: str) -> Any:
    """The sheets as an Excel download named ``name`` (without its extension), their rows written
    as they come (portal.exports)."""
    return exports.download(list(sheets), name)
