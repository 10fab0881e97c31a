"""The repair-fee ledger as an Excel workbook (.xlsx), written in openpyxl's write-only mode (rows are
streamed, never held as a sheet in memory).

Two sheets: the totals per distributor, and one row per batch. Amounts go into the cells as the
exact ``Decimal`` the database returned, shown with a two-decimal number format; text a spreadsheet
would run as a formula is written as text (domain.pricing.escape_cell), as the receivables export.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from ..domain.pricing import escape_cell
from ..domain.repairs import FeeAgeing

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"


def ledger_file_name(on: date) -> str:
    return f"repair-fee-ledger-{on.isoformat()}.xlsx"


def _cells(sheet: WriteOnlyWorksheet, values: Iterable[Any], formats: dict[int, str] | None = None) -> list[Any]:
    cells = []
    for index, value in enumerate(values):
        cell = WriteOnlyCell(sheet, value=value)
        if formats and index in formats:
            cell.number_format = formats[index]
        cells.append(cell)
    return cells


def _header(sheet: WriteOnlyWorksheet, headers: list[str], widths: Iterable[int]) -> None:
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    row = _cells(sheet, headers)
    for cell in row:
        cell.font = Font(bold=True)
    sheet.append(row)


def ledger_workbook(totals: Iterable[Any], rows: Iterable[Any], on: date) -> bytes:
    """The ledger as of ``on``: the totals per distributor, then each batch."""
    workbook = Workbook(write_only=True)
    buckets = list(FeeAgeing)

    by_distributor = workbook.create_sheet(_("By distributor")[:31])
    _header(
        by_distributor,
        [
            _("Distributor code"),
            _("Distributor"),
            _("Batches"),
            _("Charged (¥)"),
            _("Paid (¥)"),
            _("Outstanding (¥)"),
            _("Overdue (¥)"),
            *(f"{_(bucket.label)} (¥)" for bucket in buckets),
            _("Withheld batches"),
        ],
        (14, 36, 10, 16, 16, 16, 16, *(16 for _bucket in buckets), 12),
    )
    money = dict.fromkeys(range(3, 7 + len(buckets)), MONEY_FORMAT)
    for total in totals:
        values = [
            escape_cell(total.code),
            escape_cell(total.name),
            total.batches,
            total.charged,
            total.paid,
            total.outstanding,
            total.overdue,
            *(getattr(total, bucket.value) for bucket in buckets),
            int(total.withheld),
        ]
        by_distributor.append(_cells(by_distributor, values, money))

    by_batch = workbook.create_sheet(_("Batches")[:31])
    _header(
        by_batch,
        [
            _("Distributor code"),
            _("Distributor"),
            _("Batch"),
            _("Month"),
            _("Notified on"),
            _("Fees due on"),
            _("Charged (¥)"),
            _("Paid (¥)"),
            _("Outstanding (¥)"),
            _("Ageing"),
            _("Withheld"),
        ],
        (14, 36, 22, 10, 12, 12, 16, 16, 16, 20, 10),
    )
    formats = {4: DATE_FORMAT, 5: DATE_FORMAT, 6: MONEY_FORMAT, 7: MONEY_FORMAT, 8: MONEY_FORMAT}
    for row in rows:
        values = [
            escape_cell(row.distributor_code),
            escape_cell(row.distributor_name),
            escape_cell(row.number),
            row.month,
            row.notified_on,
            row.fees_due_on,
            row.amount_due,
            row.paid_amount,
            row.outstanding,
            _(FeeAgeing(row.ageing).label) if row.ageing else "",
            _("Yes") if row.withheld else "",
        ]
        by_batch.append(_cells(by_batch, values, formats))

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
