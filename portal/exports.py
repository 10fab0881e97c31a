"""Every list's download, Excel (.xlsx) or CSV, through one helper that writes in one pass.

A caller describes its sheets (:class:`Sheet`: a translated title, its :class:`Column` s, and its
rows as any iterable — typically a database result read with ``yield_per``, see :func:`stream`)
and calls :func:`download`. The rows are consumed once, in order, and never gathered in a list:

* Excel: openpyxl's write-only workbook writes each row to a temporary file as it comes, then the
  file is sent; memory stays flat whatever the number of rows (100,000 rows: bench/exports.py).
* CSV: rows are written by ``csv.writer`` a batch at a time (UTF-8 with a byte-order mark so
  spreadsheet programs read Chinese names right); one sheet per file.

Either file is finished (in a temporary file, on disk past 1 MB) before the first byte is sent: the
database transaction ends with the request, never held open while a slow client downloads (on
SQLite that would hold the write lock).

Money goes in as the exact ``Decimal`` the database returned, with a two-decimal number format
(CSV: the plain decimal, ``1234.50``); dates as dates (``yyyy-mm-dd``; CSV: ISO). Text a spreadsheet
would run as a formula is written as text (domain.pricing.escape_cell). The file name is given in
the Content-Disposition header both plainly (ASCII) and as RFC 5987 ``filename*`` so a Chinese name
survives.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Executable

from .domain.pricing import escape_cell
from .extensions import db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")

TEXT, MONEY, DATE, INTEGER, NUMBER = "text", "money", "date", "integer", "number"
NUMBER_FORMATS = {MONEY: "#,##0.00", DATE: "yyyy-mm-dd", INTEGER: "0"}
SPOOL_IN_MEMORY = 1024 * 1024  # bytes of a download kept in memory before it goes to disk
BATCH = 1000  # rows fetched from the database at a time (server-side cursor on PostgreSQL)


@dataclass(frozen=True)
class Column:
    """A column: its header (already translated), what it holds, its width in Excel, and an
    optional number format overriding the kind's (``0.0`` for a percentage)."""

    title: str
    kind: str = TEXT
    width: int = 14
    number_format: str | None = None

    @property
    def format(self) -> str | None:
        return self.number_format or NUMBER_FORMATS.get(self.kind)


@dataclass
class Sheet:
    """A sheet: its title, columns and rows (each a sequence of values, one per column), and an
    optional caption row above the header (who and what the figures are)."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    caption: str | None = None


def stream(statement: Executable) -> Iterator[Any]:
    """The statement's rows, fetched ``BATCH`` at a time (a server-side cursor where the database
    has one), for an export: never the whole result in memory. Lazy: the statement runs when the
    first row is wanted, so a workbook's sheets read one result at a time."""
    yield from db.session.execute(statement.execution_options(yield_per=BATCH))


def _cell_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind == TEXT:
        return escape_cell(str(value))
    return value


def write_xlsx(sheets: Iterable[Sheet], target: Any) -> None:
    """Write the sheets into ``target`` (a path or binary file) in one pass over each sheet's rows."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = workbook.create_sheet(escape_cell(sheet.title)[:31] or "Sheet")
        for index, column in enumerate(sheet.columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        if sheet.caption is not None:
            caption = WriteOnlyCell(ws, value=escape_cell(sheet.caption))
            caption.font = bold
            ws.append([caption])
        else:
            ws.freeze_panes = "A2"
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(ws, value=escape_cell(column.title))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        formats = [column.format for column in sheet.columns]
        columns = list(sheet.columns)
        for row in sheet.rows:
            cells = []
            for column, number_format, value in zip(columns, formats, row, strict=True):
                cell = WriteOnlyCell(ws, value=_cell_value(column, value))
                if number_format is not None and value is not None:
                    cell.number_format = number_format
                cells.append(cell)
            ws.append(cells)
    workbook.save(target)


def _csv_value(column: Column, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal) and column.kind == MONEY:
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return _cell_value(column, value)


def csv_chunks(sheet: Sheet) -> Iterator[str]:
    """The sheet as CSV text, a chunk per ``BATCH`` rows (BOM, caption if any, header, rows)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    if sheet.caption is not None:
        writer.writerow([escape_cell(sheet.caption)])
    writer.writerow([escape_cell(column.title) for column in sheet.columns])
    columns = list(sheet.columns)
    for count, row in enumerate(sheet.rows, start=1):
        writer.writerow([_csv_value(column, value) for column, value in zip(columns, row, strict=True)])
        if count % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def content_disposition(name: str) -> str:
    """``attachment`` with the name as ASCII (anything else replaced) and, if it is not plain
    ASCII, as RFC 5987 ``filename*`` in UTF-8 too."""
    plain = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)
    header = f'attachment; filename="{plain}"'
    if plain != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def download(sheets: Sequence[Sheet], name: str, file_format: str = "xlsx") -> Response:
    """The sheets as a download named ``name`` + ``.xlsx`` or ``.csv`` (CSV: the first sheet)."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115  (closed once sent)
    if file_format == "csv":
        for chunk in csv_chunks(sheets[0]):
            spool.write(chunk.encode("utf-8"))
        mimetype, filename = CSV, f"{name}.csv"
    else:
        write_xlsx(sheets, spool)
        mimetype, filename = XLSX, f"{name}.xlsx"
    length = spool.tell()
    spool.seek(0)
    response = Response(_file_chunks(spool), mimetype=mimetype, direct_passthrough=True)
    response.content_length = length
    response.call_on_close(spool.close)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    return response


def _file_chunks(spool: Any, size: int = 64 * 1024) -> Iterator[bytes]:
    try:
        while chunk := spool.read(size):
            yield chunk
    finally:
        spool.close()


def file_format_arg(value: str) -> str:
    """``csv`` or ``xlsx`` (anything else)."""
    return value if value in FORMATS else "xlsx"
