"""A compliance chart's table as an Excel workbook (.xlsx), written in openpyxl's write-only mode
(rows streamed into the file, never held as a sheet). Amounts are the exact Decimal with a money
format, percentages numbers with one decimal, text escaped so a spreadsheet never runs it as a
formula (domain.pricing.escape_cell), as the other exports do."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..domain.pricing import escape_cell
from .charts import COUNT, MONEY, PERCENT, SCORE, TEXT, Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {MONEY: "#,##0.00", PERCENT: "0.0", SCORE: "0.00", COUNT: "0"}


def table_workbook(tables: Sequence[Table], caption: str) -> bytes:
    """One sheet per table: a caption row (who and which quarters), the header, then its rows."""
    workbook = Workbook(write_only=True)
    for table in tables:
        _sheet(workbook, table, caption)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet(workbook: Workbook, table: Table, caption: str) -> None:
    sheet = workbook.create_sheet(escape_cell(table.title)[:31] or table.key)
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 14 if column.kind != TEXT else 28
    title = WriteOnlyCell(sheet, value=escape_cell(caption))
    title.font = Font(bold=True)
    sheet.append([title])
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=escape_cell(column.title))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in table.rows():
        cells = []
        for column, value in zip(table.columns, row, strict=True):
            cell = WriteOnlyCell(sheet, value=_value(column.kind, value))
            if column.kind in FORMATS and value is not None:
                cell.number_format = FORMATS[column.kind]
            cells.append(cell)
        sheet.append(cells)


def _value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == TEXT:
        return escape_cell(str(value))
    return value
