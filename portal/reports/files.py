"""The monthly report's Excel template and uploads (docs/rules.md §8).

The template (.xlsx, written with openpyxl) has a sheet for each part of the report — ``inventory``
pre-filled with the agreement's authorised products (quantity left blank), ``sales`` and ``outlets``
with their headers — and a ``regions`` sheet listing the region codes the distributor may use (its
granted regions and everything inside them, with their names).

An upload is read with pandas' ``calamine`` engine after the price lists' safety checks
(portal.pricing.importing: the file's kind, its zip directory, the CSV's encoding); every cell is
read as text. A CSV (UTF-8 or GBK, as Excel saves it) carries the sales lines only. Every line is
kept with its row number as the spreadsheet shows it, so each problem is reported by sheet, row and
column; a wrong header or a sheet without one is refused before any line is read.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import or_, select

from ..agreements.models import Agreement
from ..domain.errors import N_, InvalidValue
from ..domain.pricing import escape_cell
from ..domain.reports import INVENTORY_COLUMNS, OPTIONAL_COLUMNS, OUTLET_COLUMNS, SALE_COLUMNS, LineProblem
from ..domain.territories import descendant_prefix
from ..extensions import db
from ..pricing.importing import (
    MAX_ROWS,
    OLE_MAGIC,
    UploadRefused,
    cell_text,
    check_workbook_container,
    decode_text,
)
from ..regions.models import Region

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: The template's sheets and their columns, in order. The inventory sheet has a name column too
#: (help for the reader, ignored on upload).
SHEETS = {"inventory": INVENTORY_COLUMNS, "sales": SALE_COLUMNS, "outlets": OUTLET_COLUMNS}
SHEET_NAMES = {  # what a sheet may be called (the template's name, or its Chinese name)
    "inventory": "inventory",
    "库存": "inventory",
    "sales": "sales",
    "销售": "sales",
    "outlets": "outlets",
    "网点": "outlets",
}
HEADER_NAMES = {  # a column's Chinese heading is accepted too
    "日期": "sold_on",
    "销售日期": "sold_on",
    "客户": "customer",
    "地区代码": "region_code",
    "区域代码": "region_code",
    "产品编码": "sku",
    "数量": "quantity",
    "单价": "unit_price",
    "序列号": "serials",
    "类型": "kind",
    "名称": "name",
}


# --- the template ---------------------------------------------------------------------------------


def usable_regions(agreement: Agreement) -> list[Region]:
    """The regions granted to the agreement (held or revoked: a past month may still use them) and
    every region inside them, by code, in one statement."""
    prefixes = sorted({descendant_prefix(territory.region_code) for territory in agreement.territories})
    if not prefixes:
        return []
    return list(
        db.session.scalars(
            select(Region).where(or_(*(Region.code.startswith(prefix) for prefix in prefixes))).order_by(Region.code)
        )
    )


def _sheet(workbook: Workbook, title: str, columns: list[str], rows: list[list[Any]], *, first: bool = False) -> None:
    sheet = workbook.active if first else workbook.create_sheet()
    assert sheet is not None
    sheet.title = title
    sheet.append(columns)
    for index, column in enumerate(columns, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(column) + 6)
    for row in rows:
        sheet.append([escape_cell(value) if isinstance(value, str) else value for value in row])
    sheet.freeze_panes = "A2"


def template_xlsx(agreement: Agreement, locale: Any) -> bytes:
    """The template pre-filled for the distributor of ``agreement`` (see the module's docstring)."""
    workbook = Workbook()
    _sheet(
        workbook,
        "inventory",
        ["sku", "name", "quantity"],
        [[product.sku, product.name(locale), None] for product in agreement.products],
        first=True,
    )
    _sheet(workbook, "sales", list(SALE_COLUMNS), [])
    _sheet(workbook, "outlets", list(OUTLET_COLUMNS), [])
    _sheet(workbook, "regions", ["region_code", "name"], [[r.code, r.name] for r in usable_regions(agreement)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- reading an upload -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FileProblem:
    """A problem of an uploaded file: its sheet, row (as the spreadsheet numbers it) and column."""

    sheet: str
    row: int
    column: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


class UploadProblems(InvalidValue):
    """An upload whose header or lines are refused: every problem listed, nothing saved."""

    def __init__(self, problems: list[FileProblem]) -> None:
        super().__init__(N_("Nothing was saved: %(count)s problems in the file."), field=None, count=len(problems))
        self.problems = problems


@dataclass
class SheetRows:
    """A sheet's lines as text cells by column, each with its row number, and each column's letter."""

    rows: list[dict[str, str]] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)


@dataclass
class ReportUpload:
    sheets: dict[str, SheetRows]
    csv: bool = False

    def rows(self, section: str) -> list[dict[str, str]]:
        return self.sheets[section].rows if section in self.sheets else []

    def where(self, problem: LineProblem) -> FileProblem:
        """Where a problem the service found is in the file."""
        sheet = self.sheets.get(problem.section)
        if sheet is None or problem.index >= len(sheet.numbers):
            return FileProblem(problem.section, 0, problem.column, problem.message, problem.params)
        letter = sheet.letters.get(problem.column, "")
        column = f"{letter} ({problem.column})" if letter else problem.column
        return FileProblem(problem.section, sheet.numbers[problem.index], column, problem.message, problem.params)


def _column_name(cell: str) -> str:
    name = cell.strip().lstrip("\ufeff").strip()
    return HEADER_NAMES.get(name, name.lower())


def _sheet_rows(sheet: str, table: list[list[str]], columns: tuple[str, ...]) -> tuple[SheetRows, list[FileProblem]]:
    """A sheet's lines under its header; a header that lacks a column, or a sheet without one, is refused."""
    while table and all(not cell.strip() for cell in table[-1]):
        table = table[:-1]
    if not table or all(not cell.strip() for cell in table[0]):
        return SheetRows(), [
            FileProblem(
                sheet,
                1,
                "",
                N_("The sheet is empty: its first row must name the columns %(columns)s."),
                {"columns": ", ".join(columns)},
            )
        ]
    positions: dict[str, int] = {}
    problems = []
    for index, cell in enumerate(table[0]):
        name = _column_name(cell)
        if name in columns:
            if name in positions:
                problems.append(
                    FileProblem(sheet, 1, name, N_("The column %(column)s appears twice."), {"column": name})
                )
            positions[name] = index
    for name in columns:
        if name not in positions and name not in OPTIONAL_COLUMNS:
            problems.append(
                FileProblem(sheet, 1, name, N_("The first row must name the column %(column)s."), {"column": name})
            )
    if problems:
        return SheetRows(), problems
    found = SheetRows(letters={name: get_column_letter(index + 1) for name, index in positions.items()})
    for number, cells in enumerate(table[1:], start=2):
        row = {name: cells[index].strip() if index < len(cells) else "" for name, index in positions.items()}
        if all(not value for value in row.values()):
            continue
        found.rows.append(row)
        found.numbers.append(number)
    return found, []


def _read_workbook(data: bytes) -> dict[str, list[list[str]]]:
    check_workbook_container(data)
    try:
        frames = pd.read_excel(
            io.BytesIO(data), sheet_name=None, header=None, dtype=object, na_filter=False, engine="calamine"
        )
    except Exception as error:  # any parser failure on untrusted input is the file's fault, not a 500
        raise UploadRefused(
            N_("The workbook could not be read. Save it again from Excel as .xlsx and retry.")
        ) from error
    tables: dict[str, list[list[str]]] = {}
    for title, frame in frames.items():
        section = SHEET_NAMES.get(str(title).strip().lower())
        if section is not None and section not in tables:
            if len(frame.index) > MAX_ROWS + 1:
                raise UploadRefused(N_("The file has more than %(limit)s rows; split it."), limit=f"{MAX_ROWS:,}")
            tables[section] = [[cell_text(value) for value in row] for row in frame.itertuples(index=False, name=None)]
    return tables


def _read_csv(data: bytes) -> list[list[str]]:
    text = decode_text(data)
    try:
        frame = pd.read_csv(
            io.StringIO(text), header=None, dtype=str, na_filter=False, skip_blank_lines=False, nrows=MAX_ROWS + 2
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
        if isinstance(error, pd.errors.EmptyDataError):
            return []
        raise UploadRefused(
            N_("The CSV could not be read: a quote is not closed, or a row has too many cells.")
        ) from error
    return [[str(value) for value in row] for row in frame.itertuples(index=False, name=None)]


def read_report_file(filename: str, data: bytes) -> ReportUpload:
    """The lines of an uploaded template (.xlsx) or sales CSV, or UploadRefused (the file itself) /
    UploadProblems (a missing sheet, a wrong header, an empty sheet)."""
    name = filename.strip().lower()
    if not data:
        raise UploadRefused(N_("The file is empty."))
    if name.endswith(".xls") or data.startswith(OLE_MAGIC):
        raise UploadRefused(
            N_(
                "Old Excel 97-2003 (.xls) files are not accepted: open the file in Excel and "
                "save it as an Excel workbook (.xlsx)."
            )
        )
    problems: list[FileProblem] = []
    upload = ReportUpload(sheets={})
    if name.endswith(".csv"):
        upload.csv = True
        sheet, problems = _sheet_rows("sales", _read_csv(data), SALE_COLUMNS)
        if not problems and not sheet.rows:
            problems = [FileProblem("sales", 2, "", N_("The file has no sales lines under the first row."))]
        upload.sheets["sales"] = sheet
    elif name.endswith(".xlsx"):
        tables = _read_workbook(data)
        for section, columns in SHEETS.items():
            if section not in tables:
                problems.append(
                    FileProblem(section, 0, "", N_("The workbook has no sheet named %(sheet)s."), {"sheet": section})
                )
                continue
            sheet, found = _sheet_rows(section, tables[section], columns)
            problems += found
            upload.sheets[section] = sheet
    else:
        raise UploadRefused(N_("Upload the filled template (.xlsx) or a CSV file of the sales lines (.csv)."))
    if problems:
        raise UploadProblems(problems)
    return upload
