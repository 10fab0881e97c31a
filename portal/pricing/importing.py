"""Price list files: reading an uploaded .xlsx or .csv into rows of text, and writing exports and
templates (docs/rules.md §5).

Every cell is read as text, so no float ever becomes a price: the domain's ``check_rows`` parses
the text with the same money rules as a form. Excel keeps numbers as binary floats; a number cell
is turned back into the number Excel shows, to its 15 significant digits, so an artefact such as
1200.1000000000001 reads as "1200.1" while a typed third decimal (1200.125) stays and is refused.

An upload is checked before any parser sees it: the extension and the first bytes must agree
(a .txt renamed .xlsx is refused), and a workbook's zip directory must declare sensible sizes,
so a zip bomb is refused without being unpacked.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..domain.errors import N_, InvalidValue
from ..domain.pricing import IMPORT_COLUMNS, RowProblem, RowsRefused, escape_cell, header_columns

MAX_ROWS = 20_000  # price rows under the header
MAX_COLUMNS = 30
MAX_UNCOMPRESSED = 50 * 1024 * 1024  # all parts of a workbook, as its zip directory declares them
MAX_ENTRIES = 1_000
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls of Excel 97-2003, and encrypted workbooks
EXCEL_SIGNIFICANT_DIGITS = 15

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"


class UploadRefused(InvalidValue):
    """The file cannot be read as a price list at all (its kind, size or encoding)."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message, field="file", **params)


@dataclass
class Upload:
    """An upload's rows of text cells by import column, numbered as the spreadsheet shows them,
    and the problems found while reading (rows whose cells do not line up with the header)."""

    rows: list[tuple[int, dict[str, str]]]
    problems: list[RowProblem] = field(default_factory=list)


# --- Reading ------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """One cell as the text a person typed into it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):  # an error cell such as #N/A
            return ""
        if math.isinf(value):
            return str(value)
        # Excel's precision: 15 significant digits. Decimal(str(...)) of the rounded number,
        # never of the float itself, whose binary expansion has dozens of digits.
        return format(Decimal(format(value, f".{EXCEL_SIGNIFICANT_DIGITS}g")).normalize(), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _suffix(filename: str) -> str:
    name = filename.strip().lower()
    return name[name.rfind(".") :] if "." in name else ""


def read_upload(filename: str, data: bytes) -> Upload:
    """The rows of an uploaded .xlsx or .csv, or :class:`UploadRefused` / :class:`RowsRefused`
    (a missing column) when it cannot be read as a price list."""
    suffix = _suffix(filename)
    if not data:
        raise UploadRefused(N_("The file is empty."))
    if suffix == ".xlsx":
        table = read_xlsx(data)
        strict_width = False
    elif suffix == ".csv":
        table = read_csv(data)
        strict_width = True
    elif suffix == ".xls" or data.startswith(OLE_MAGIC):
        raise UploadRefused(
            N_(
                "Old Excel 97-2003 (.xls) files are not accepted: open the file in Excel and "
                "save it as an Excel workbook (.xlsx)."
            )
        )
    else:
        raise UploadRefused(N_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
    return rows_of(table, strict_width=strict_width)


def check_workbook_container(data: bytes) -> None:
    """Refuse anything that is not a plausible .xlsx before openpyxl unpacks it: the zip magic
    bytes, an Office Open XML workbook inside, no encryption, and at most MAX_ENTRIES parts of at
    most MAX_UNCOMPRESSED bytes in all, as the zip's directory declares them. Python's zip reader
    never unpacks more than an entry declares (it fails the CRC instead), so a zip bomb is refused
    here without being unpacked."""
    if data.startswith(OLE_MAGIC):
        raise UploadRefused(
            N_(
                "The file is an old Excel 97-2003 (.xls) workbook or is protected with a password: "
                "save it as an Excel workbook (.xlsx) without a password."
            )
        )
    if not data.startswith(ZIP_MAGIC):
        raise UploadRefused(N_("The file is not an Excel workbook (.xlsx), whatever its name says."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise UploadRefused(N_("The file is not an Excel workbook (.xlsx), whatever its name says.")) from error
    if len(entries) > MAX_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED:
        raise UploadRefused(
            N_(
                "The workbook unpacks to more than %(limit)s MB: it is refused as unsafe. "
                "Upload the price list on its own, as a plain workbook or a CSV file."
            ),
            limit=MAX_UNCOMPRESSED // (1024 * 1024),
        )
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UploadRefused(N_("The file is not an Excel workbook (.xlsx), whatever its name says."))
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise UploadRefused(N_("The workbook is encrypted: save it without a password."))


def read_xlsx(data: bytes) -> list[list[str]]:
    """The first worksheet's cells as text, the header first (row 1)."""
    check_workbook_container(data)
    try:
        frame = pd.read_excel(
            io.BytesIO(data),
            sheet_name=0,
            header=None,
            dtype=object,
            na_filter=False,
            nrows=MAX_ROWS + 2,
            engine="openpyxl",
        )
    except Exception as error:  # any parser failure on untrusted input is the file's fault, not a 500
        raise UploadRefused(
            N_("The workbook could not be read. Save it again from Excel as .xlsx and retry.")
        ) from error
    return [[cell_text(value) for value in row] for row in frame.itertuples(index=False, name=None)]


def decode_text(data: bytes) -> str:
    """A CSV's text: UTF-8 (with or without the BOM Excel writes) or GBK/GB18030, as Chinese
    Excel saves "CSV (逗号分隔)"."""
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC) or b"\x00" in data[:4096]:
        raise UploadRefused(N_("The file is not a CSV text file. An Excel workbook must be named .xlsx."))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UploadRefused(N_("The file is not a CSV in UTF-8 or GBK."))  # pragma: no cover - gb18030 decodes all


def read_csv(data: bytes) -> list[list[str]]:
    """A CSV's cells as text, every row kept (blank ones too) so row numbers match Excel's."""
    text = decode_text(data)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            names=list(range(MAX_COLUMNS)),
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            nrows=MAX_ROWS + 2,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as error:
        raise UploadRefused(
            N_("The CSV could not be read: a row has more than %(limit)s cells, or a quote is not closed."),
            limit=MAX_COLUMNS,
        ) from error
    return [[str(value) for value in row] for row in frame.itertuples(index=False, name=None)]


def _blank(cells: Sequence[str]) -> bool:
    return all(not cell.strip() for cell in cells)


def rows_of(table: list[list[str]], *, strict_width: bool = False) -> Upload:
    """Rows keyed by import column. Blank rows are skipped (their numbers are not reused). With
    ``strict_width`` (CSV) a row with cells beyond the header's columns is a problem: most often
    a price with an unquoted thousands separator, 1,200.00, split into two cells."""
    while table and _blank(table[-1]):
        table = table[:-1]
    if not table or _blank(table[0]):
        raise RowsRefused(
            [
                RowProblem(
                    1,
                    "",
                    N_("The first row must name the columns %(columns)s."),
                    {"columns": ", ".join(IMPORT_COLUMNS)},
                )
            ]
        )
    if len(table) - 1 > MAX_ROWS:
        raise UploadRefused(N_("The file has more than %(limit)s rows; split it."), limit=f"{MAX_ROWS:,}")
    header = table[0]
    positions, problems = header_columns(header)
    if problems:
        raise RowsRefused(problems)
    width = max(index for index, cell in enumerate(header) if cell.strip()) + 1
    upload = Upload(rows=[])
    for number, cells in enumerate(table[1:], start=2):
        if _blank(cells):
            continue
        extra = [index for index in range(width, len(cells)) if cells[index].strip()]
        if strict_width and extra:
            upload.problems.append(
                RowProblem(
                    number,
                    get_column_letter(extra[0] + 1),
                    N_(
                        "This row has more cells than the first row has columns. Write a price with a thousands "
                        'separator in quotes ("1,200.00") or without the separator.'
                    ),
                )
            )
            continue
        upload.rows.append(
            (number, {name: cells[index].strip() if index < len(cells) else "" for name, index in positions.items()})
        )
    if not upload.rows and not upload.problems:
        # An empty file would empty the draft: far more likely a wrong file than a wish.
        raise RowsRefused([RowProblem(2, "", N_("The file has no price rows under the first row."))])
    return upload


# --- Writing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """A table to export: its name, its columns (with which of them hold money), and its rows."""

    name: str
    columns: list[str]
    rows: list[list[Any]]
    money_columns: frozenset[str] = frozenset()


def _safe(value: Any) -> Any:
    """Text is escaped so no spreadsheet runs it as a formula; money stays Decimal (exact)."""
    if isinstance(value, str):
        return escape_cell(value)
    return value


def frame_of(sheet: Sheet) -> pd.DataFrame:
    return pd.DataFrame([[_safe(value) for value in row] for row in sheet.rows], columns=sheet.columns, dtype=object)


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """A workbook of the sheets. Money cells are numbers written from Decimal (exact, shown with
    two decimals) so they can be summed; text never starts a formula."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet in sheets:
            frame_of(sheet).to_excel(writer, sheet_name=sheet.name[:31], index=False)
            worksheet = writer.sheets[sheet.name[:31]]
            worksheet.freeze_panes = "A2"
            for index, column in enumerate(sheet.columns, start=1):
                letter = get_column_letter(index)
                worksheet.column_dimensions[letter].width = max(12, min(40, len(column) + 4))
                worksheet.cell(row=1, column=index).font = Font(bold=True)
                if column in sheet.money_columns:
                    for (cell,) in worksheet.iter_rows(min_row=2, min_col=index, max_col=index):
                        cell.number_format = "0.00"
    return buffer.getvalue()


def to_csv(sheet: Sheet) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Chinese names correctly; money as "1200.00"."""
    frame = frame_of(sheet)
    for column in sheet.money_columns:
        frame[column] = [f"{value:.2f}" if isinstance(value, Decimal) else value for value in frame[column]]
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
