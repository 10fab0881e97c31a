"""Serial numbers as people hand them over: typed, pasted from a spreadsheet or a mail (one per
line, or separated by commas, semicolons, spaces or tabs), or uploaded as a file.

A file is a CSV (UTF-8, with or without BOM, or GBK as Chinese Excel writes it) or an Excel
workbook (.xlsx) whose first row names the columns: ``serial`` (or 序列号), and optionally ``sku``
(or 型号) to say which product each serial belongs to. Every bad row is reported with its line
number; the caller ships nothing while any is reported.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..domain.errors import N_
from .services import normalize_serial

# Commas (ASCII and full-width), enumeration commas, semicolons and any white space.
SEPARATORS = re.compile(r"[,，、;；\s]+")
SERIAL_HEADERS = {"serial", "serial_number", "serial number", "sn", "序列号"}
SKU_HEADERS = {"sku", "型号", "产品型号"}
MAX_ROWS = 20_000


def split_serials(text: str | None) -> list[str]:
    """The serials in typed or pasted text, upper-cased as the portal stores them, in order."""
    return [serial for part in SEPARATORS.split(text or "") if (serial := normalize_serial(part))]


@dataclass(frozen=True)
class FileProblem:
    line: int  # 0: the file as a whole
    message: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class SerialFile:
    """The rows of an uploaded serial list: (line, sku or None, serial)."""

    rows: list[tuple[int, str | None, str]] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    has_sku: bool = False

    def serials_for(self, sku: str) -> list[str]:
        return [serial for _, row_sku, serial in self.rows if row_sku == sku]


def _is_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _cell_text(value: Any) -> str:
    """A cell as text: 123456 stays "123456" (Excel hands whole numbers back as int or float)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(value) for value in row])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> list[list[str]] | None:
    if b"\x00" in data:
        return None  # a binary file, not text
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]


def file_rows(data: bytes, filename: str) -> list[list[str]] | None:
    """The rows of an .xlsx workbook or a CSV file, as text; None for anything else (also read by
    the repair batches' board lists, portal.repairs.forms)."""
    if _is_xlsx(data):
        try:
            return _xlsx_rows(data)
        except Exception:  # noqa: BLE001 - a damaged workbook is the user's file, not our error
            return None
    if filename.lower().endswith((".xlsx", ".xls", ".xlsm")) or data.startswith(b"\xd0\xcf\x11\xe0"):
        return None  # an old .xls or a damaged workbook
    return _csv_rows(data)


def read_serial_file(data: bytes, filename: str = "") -> SerialFile:
    """Read an uploaded serial list; see the module's docstring for what is accepted."""
    result = SerialFile()
    if not data.strip():
        result.problems.append(FileProblem(0, N_("The file is empty.")))
        return result
    rows = file_rows(data, filename)
    if rows is None:
        result.problems.append(
            FileProblem(0, N_("The file is neither a CSV (UTF-8 or GBK) nor an Excel workbook (.xlsx)."))
        )
        return result
    numbered = [(line, row) for line, row in enumerate(rows, start=1) if any(cell for cell in row)]
    if not numbered:
        result.problems.append(FileProblem(0, N_("The file is empty.")))
        return result
    header_line, header_row = numbered[0]
    header = [cell.strip().lower() for cell in header_row]
    serial_at = next((i for i, name in enumerate(header) if name in SERIAL_HEADERS), None)
    sku_at = next((i for i, name in enumerate(header) if name in SKU_HEADERS), None)
    if serial_at is None:
        result.problems.append(
            FileProblem(header_line, N_("The first line must name the columns: serial, and optionally sku."))
        )
        return result
    if len(numbered) - 1 > MAX_ROWS:
        result.problems.append(FileProblem(0, N_("The file has more than %(count)s rows."), {"count": MAX_ROWS}))
        return result
    result.has_sku = sku_at is not None
    for line, row in numbered[1:]:
        serial = normalize_serial(row[serial_at] if serial_at < len(row) else "")
        sku = (row[sku_at] if sku_at is not None and sku_at < len(row) else "").strip().upper() or None
        if not serial:
            result.problems.append(FileProblem(line, N_("Line %(line)s has no serial number."), {"line": line}))
            continue
        if sku_at is not None and sku is None:
            result.problems.append(FileProblem(line, N_("Line %(line)s has no SKU."), {"line": line}))
            continue
        result.rows.append((line, sku, serial))
    if not result.rows and not result.problems:
        result.problems.append(FileProblem(0, N_("The file has no serial numbers.")))
    return result
