"""A compliance chart's table as an Excel workbook, through the portal's one export helper
(portal.exports): one sheet per table, a caption row (who and which quarters), the header, then its
rows. Amounts are the exact Decimal with a money format, percentages numbers with one decimal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import exports
from .charts import COUNT, MONEY, PERCENT, SCORE, TEXT, Table

FORMATS = {MONEY: "#,##0.00", PERCENT: "0.0", SCORE: "0.00", COUNT: "0"}


def table_sheets(tables: Sequence[Table], caption: str) -> list[exports.Sheet]:
    return [
        exports.Sheet(
            table.title or table.key,
            [
                exports.Column(
                    column.title,
                    exports.TEXT if column.kind == TEXT else exports.NUMBER,
                    14 if column.kind != TEXT else 28,
                    FORMATS.get(column.kind),
                )
                for column in table.columns
            ],
            table.rows(),
            caption=caption,
        )
        for table in tables
    ]


def send_tables(tables: Sequence[Table], caption: str, name: str) -> Any:
    """The tables as an Excel download named ``name`` (without its extension)."""
    return exports.download(table_sheets(tables, caption), name)
