"""The receivables list as an Excel workbook (.xlsx).

Amounts go into the cells as the exact ``Decimal`` the database returned, shown with a two-decimal
number format; no amount is computed in Python on the way. (openpyxl writes a number with 16
significant digits, so every amount below ¥10,000,000,000,000 keeps all its digits.) Text that a
spreadsheet would run as a formula is written as text (domain.pricing.escape_cell).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from ..domain.orders import days_late
from ..domain.pricing import escape_cell
from .queries import ReceivableKind

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"


def receivables_workbook(rows: Iterable[Any], on: date) -> bytes:
    """One sheet: distributor, order, kind, amount, outstanding, due date, days late (as of ``on``)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Receivables")[:31]
    headers = [
        _("Distributor code"),
        _("Distributor"),
        _("Order"),
        _("Kind"),
        _("Amount (¥)"),
        _("Outstanding (¥)"),
        _("Due on"),
        _("Days late"),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [
                escape_cell(row.distributor_code),
                escape_cell(row.distributor_name),
                escape_cell(row.number),
                _(ReceivableKind(row.kind).label),
                row.amount,
                row.outstanding,
                row.due_on,
                days_late(row.due_on, None, on),
            ]
        )
        current = sheet.max_row
        for column in ("E", "F"):
            sheet[f"{column}{current}"].number_format = MONEY_FORMAT
        sheet[f"G{current}"].number_format = DATE_FORMAT
    for column, width in zip("ABCDEFGH", (14, 36, 18, 10, 16, 16, 12, 10), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
