"""Every list's download, Excel (.xlsx) or CSV, through one helper that writes in one pass.

A caller describes its sheets (:class:`Sheet`: a translated title, its :class:`Column` s, and its
rows as any iterable — typically a database result read with ``yield_per``, see :func:`stream`)
and calls :func:`download`. The rows are consumed once, in order, and never gathered in a list:

* Excel: each row is written as SpreadsheetML and compressed into the workbook's zip as it comes
  (what openpyxl's write-only mode does, at a tenth of its cost here: see :func:`write_xlsx`);
  memory stays flat whatever the number of rows (100,000 rows: bench/exports.py).
* CSV: rows are written by ``csv.writer`` a batch at a time (UTF-8 with a byte-order mark so
  spreadsheet programs read Chinese names right); one sheet per file.

Either file is finished (in a temporary file, on disk past 1 MB) before the first byte is sent: the
database transaction ends with the request, never held open while a slow client downloads (on
SQLite an open read transaction keeps the write-ahead log from being checkpointed; on PostgreSQL it
holds back vacuum).

Money goes in as the exact ``Decimal`` the database returned, with a two-decimal number format
(CSV: the plain decimal, ``1234.50``); dates as dates (``yyyy-mm-dd``; CSV: ISO). Text a spreadsheet
would run as a formula is written as text (domain.pricing.escape_cell). The file name is given in
the Content-Disposition header both plainly (ASCII) and as RFC 5987 ``filename*`` so a Chinese name
survives.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

from flask import Response
from sqlalchemy import Executable

from .domain.pricing import FORMULA_STARTS, escape_cell
from .extensions import db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

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
    first row is wanted, so a workbook's sheets read one result at a time. Core rows on the
    session's connection (its transaction): the ORM's per-row loading would cost as much as the
    query, and an export of columns needs no objects."""
    result = db.session.connection().execute(statement.execution_options(yield_per=BATCH))
    for rows in result.partitions():  # a list of BATCH rows at a time: no per-row fetch call
        yield from rows


def _cell_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind == TEXT:
        return escape_cell(str(value))
    return value


# --- Excel: SpreadsheetML written straight into the zip, a row at a time ----------------------------
#
# openpyxl's write-only mode does the same in one pass, but without lxml (not installed here) it
# serialises every cell through a pure-Python XML writer: about 0.8 ms a row, 80 s for 100,000 rows.
# The parts below are the few a workbook needs (ECMA-376 Part 1): cells as inline strings or
# numbers, one style per kind of cell, column widths and a frozen header. openpyxl reads them back
# in the tests.

_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_EXCEL_EPOCH = date(1899, 12, 30)
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
BOLD_STYLE = 1  # cellXfs index of the header's bold text


class _Styles:
    """The cell styles (cellXfs) in use: 0 plain, 1 bold, then one per number format met."""

    BUILT_IN = {"0": 1, "0.00": 2}

    def __init__(self) -> None:
        self.formats: dict[str, int] = {}  # number format → its cellXfs index
        self.custom: dict[str, int] = {}  # number format → numFmtId (164 and up)

    def of(self, number_format: str | None) -> int:
        if number_format is None:
            return 0
        if number_format not in self.formats:
            if number_format not in self.BUILT_IN:
                self.custom[number_format] = 164 + len(self.custom)
            self.formats[number_format] = 2 + len(self.formats)
        return self.formats[number_format]

    def xml(self) -> str:
        num_fmts = "".join(
            f'<numFmt numFmtId="{number}" formatCode="{xml_escape(code, {chr(34): "&quot;"})}"/>'
            for code, number in self.custom.items()
        )
        xfs = "".join(
            f'<xf numFmtId="{self.BUILT_IN.get(code) or self.custom[code]}" fontId="0" fillId="0" borderId="0"'
            ' xfId="0" applyNumberFormat="1"/>'
            for code in self.formats
        )
        return (
            f'{_XML}<styleSheet xmlns="{_MAIN}">'
            + (f'<numFmts count="{len(self.custom)}">{num_fmts}</numFmts>' if self.custom else "")
            + '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{2 + len(self.formats)}">'
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
            f"{xfs}</cellXfs>"
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )


#: XML text in one C pass (str.translate): the three characters XML escapes in element text, and the
#: code points XML 1.0 does not allow, dropped.
_XML_TEXT = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
    | dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])
)


_XML_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text_cell(value: str, style: int = 0) -> str:
    styled = f' s="{style}"' if style else ""
    text = value.translate(_XML_TEXT) if _XML_SPECIAL.search(value) else value  # most text has none
    return f'<c t="inlineStr"{styled}><is><t xml:space="preserve">{text}</t></is></c>'


def _number(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")  # "1234.50": Excel reads it as the number; the style shows it
    if isinstance(value, datetime):
        delta = value.replace(tzinfo=None) - datetime(1899, 12, 30)
        return repr(delta.days + delta.seconds / 86400)
    if isinstance(value, date):
        return str((value - _EXCEL_EPOCH).days)
    return repr(value) if isinstance(value, float) else str(int(value))


def _cell_writer(column: Column, style: int) -> Callable[[Any], str]:
    """The function that writes one value of ``column`` as a cell, whatever its type (the column
    writers below hand it the values their own fast path does not take)."""

    def text(value: Any) -> str:
        return "<c/>" if value is None else _text_cell(escape_cell(str(value)))

    if column.kind == TEXT:
        return text
    open_tag = f'<c s="{style}"><v>' if style else "<c><v>"

    def number(value: Any) -> str:
        if value is None:
            return "<c/>"
        if type(value) is str:
            return text(value)
        if type(value) is bool:
            return f'<c t="b"><v>{int(value)}</v></c>'
        return f"{open_tag}{_number(value)}</v></c>"

    return number


#: A value of a column's text joined by newlines that starts as a formula would (search "\n" + text).
_FORMULA_START = re.compile("\n[" + re.escape("".join(sorted(FORMULA_STARTS))) + "]")
_NONE = type(None)


def _column_writer(column: Column, style: int) -> Callable[[Sequence[Any]], list[str]]:
    """The function that writes a batch of one column's values as cells. The export's inner loop
    runs over every cell (1.6 million at 10× the data): a batch whose values are all of one common
    kind or empty (text with nothing to escape, money as the Decimal the database returned, dates),
    checked once for the whole batch, is written by an f-string per cell and nothing else; any other
    batch cell by cell, through :func:`_cell_writer`."""
    cell = _cell_writer(column, style)
    if column.kind == TEXT:

        def texts(values: Sequence[Any]) -> list[str]:
            kinds = set(map(type, values))
            if kinds <= {str, _NONE}:
                text = "\n".join(values if _NONE not in kinds else [value for value in values if value is not None])
                if not _XML_SPECIAL.search(text) and not _FORMULA_START.search("\n" + text):
                    # _text_cell's cell, inline: nothing to escape, no call per cell
                    return [
                        "<c/>"
                        if value is None
                        else f'<c t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
                        for value in values
                    ]
            return [cell(value) for value in values]

        return texts
    open_tag = f'<c s="{style}"><v>' if style else "<c><v>"
    epoch = _EXCEL_EPOCH.toordinal()

    def numbers(values: Sequence[Any]) -> list[str]:
        kinds = set(map(type, values)) - {_NONE}
        if kinds == {Decimal}:
            return ["<c/>" if value is None else f"{open_tag}{value:f}</v></c>" for value in values]
        if kinds == {date}:  # days since Excel's epoch
            return ["<c/>" if value is None else f"{open_tag}{value.toordinal() - epoch}</v></c>" for value in values]
        return [cell(value) for value in values]

    return numbers


def _sheet_name(title: str, taken: set[str]) -> str:
    base = _SHEET_NAME_FORBIDDEN.sub("_", escape_cell(title)).strip("'")[:31] or "Sheet"
    name, number = base, 1
    while name.lower() in taken:
        number += 1
        name = f"{base[: 31 - len(str(number)) - 1]} {number}"
    taken.add(name.lower())
    return name


def _write_sheet(part: Any, sheet: Sheet, styles: _Styles) -> None:
    columns = list(sheet.columns)
    frozen = (
        ""
        if sheet.caption is not None
        else '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>'
    )
    widths = "".join(
        f'<col min="{index}" max="{index}" width="{column.width}" customWidth="1"/>'
        for index, column in enumerate(columns, start=1)
    )
    head = [
        f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">',
        f'<sheetViews><sheetView workbookViewId="0">{frozen}</sheetView></sheetViews>',
        '<sheetFormatPr defaultRowHeight="15"/>',
        f"<cols>{widths}</cols><sheetData>" if widths else "<sheetData>",
    ]
    if sheet.caption is not None:
        head.append(f"<row>{_text_cell(escape_cell(sheet.caption), BOLD_STYLE)}</row>")
    head.append("<row>" + "".join(_text_cell(escape_cell(c.title), BOLD_STYLE) for c in columns) + "</row>")
    part.write("".join(head).encode("utf-8"))
    writers = [_column_writer(column, styles.of(column.format)) for column in columns]
    rows = iter(sheet.rows)
    while batch := list(islice(rows, BATCH)):  # a batch at a time, written a column at a time
        cells = [write(values) for write, values in zip(writers, zip(*batch, strict=True), strict=True)]
        part.write("".join(["<row>" + "".join(row) + "</row>" for row in zip(*cells, strict=True)]).encode("utf-8"))
    part.write(b"</sheetData></worksheet>")


def write_xlsx(sheets: Iterable[Sheet], target: Any) -> None:
    """Write the sheets into ``target`` (a path or binary file) in one pass over each sheet's rows:
    each row is compressed into the zip as it comes, never kept."""
    styles, names = _Styles(), []
    taken: set[str] = set()
    # The fastest deflate level: repetitive XML still shrinks about tenfold, at a third of the time.
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for number, sheet in enumerate(sheets, start=1):
            names.append(_sheet_name(sheet.title, taken))
            with package.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as part:
                _write_sheet(part, sheet, styles)
        sheet_types = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in range(1, len(names) + 1)
        )
        package.writestr(
            "[Content_Types].xml",
            f'{_XML}<Types xmlns="{_CT}">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{sheet_types}</Types>",
        )
        package.writestr(
            "_rels/.rels",
            f'{_XML}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        listed = "".join(
            f'<sheet name="{xml_escape(name, {chr(34): "&quot;"})}" sheetId="{n}" r:id="rId{n}"/>'
            for n, name in enumerate(names, start=1)
        )
        package.writestr(
            "xl/workbook.xml",
            f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{listed}</sheets></workbook>',
        )
        relations = "".join(
            f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(names) + 1)
        )
        package.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{_XML}<Relationships xmlns="{_PKG_REL}">{relations}'
            f'<Relationship Id="rId{len(names) + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
        )
        package.writestr("xl/styles.xml", styles.xml())


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
