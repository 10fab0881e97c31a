"""Forms of the distributor's repair batch pages (docs/rules.md §7.2): adding boards — one serial as
typed or scanned, a pasted list, an uploaded file — and shipping the batch; and reading the pasted
list and the file into the services' BoardEntry rows.

A pasted list has one board per line: the serial number, then a tab, a comma (ASCII or full-width)
or two or more spaces, then the fault description. A line with only a serial takes the common
description, when one is given. A file is a CSV (UTF-8 or GBK) or an Excel workbook (.xlsx) whose
first row names the columns ``serial`` (or 序列号) and ``fault description`` (or 故障描述); a row
without a description takes the common one too. Every bad line is reported with its number; the
page adds nothing while any is reported, and the service then lists every bad serial.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..boards.serials import MAX_ROWS, SERIAL_HEADERS, file_rows
from ..boards.services import normalize_serial
from ..clock import today
from ..domain.errors import N_
from ..forms import PortalForm, RequiredDayField
from ..receivables.forms import DATE_FORMAT_MESSAGE
from .services import BoardEntry

Problem = tuple[str, dict[str, Any]]

DESCRIPTION_HEADERS = {
    "fault description",
    "fault_description",
    "fault",
    "description",
    "故障描述",
    "故障现象",
    "故障",
}

# The serial, then a tab, a comma (or a full-width one) or two or more spaces, then the description.
PASTED_LINE = re.compile(r"^(?P<serial>[^\s,，]+)\s*(?:[\t,，]|\s{2,})\s*(?P<description>.*)$")
NO_SEPARATOR = N_(
    "Line %(line)s: separate the serial number from the fault description with a tab, a comma or two spaces."
)


class AddBoardsForm(PortalForm):
    """Boards to add to the open batch, in any of three ways at once: one serial (a barcode scanner
    types it and presses Enter), a pasted list, an uploaded file."""

    serial = StringField(
        _l("Serial number"),
        validators=[Length(max=60)],
        render_kw={"autofocus": True, "autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
    fault_description = StringField(_l("Fault description"))
    pasted = TextAreaField(_l("Or paste a list"), render_kw={"rows": 6, "spellcheck": "false"})
    common_description = StringField(_l("Fault description for boards listed without one"))
    board_file = FileField(_l("Or upload a list (CSV or Excel)"))


class ShipBatchForm(PortalForm):
    shipped_on = RequiredDayField(
        _l("Shipping date"), default=today, validators=[InputRequired(message=DATE_FORMAT_MESSAGE)]
    )
    carrier = StringField(_l("Carrier"), validators=[Length(max=100)])
    tracking_number = StringField(_l("Tracking number"), validators=[Length(max=100)])


@dataclass
class Collected:
    entries: list[BoardEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _description(text: str | None, common: str) -> str:
    return (text or "").strip() or common


def parse_pasted(text: str | None, common: str = "") -> Collected:
    """The boards of a pasted list (see the module's docstring), with each line that cannot be read."""
    result = Collected()
    common = (common or "").strip()
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = PASTED_LINE.match(line)
        if match is not None:
            serial, description = match.group("serial"), match.group("description")
        elif not re.search(r"[\s,，]", line):
            serial, description = line, ""
        else:
            result.problems.append((NO_SEPARATOR, {"line": number}))
            continue
        result.entries.append(BoardEntry(normalize_serial(serial), _description(description, common)))
    return result


def read_board_file(data: bytes, filename: str = "", common: str = "") -> Collected:
    """The boards of an uploaded file (see the module's docstring), with each row that cannot be read."""
    result = Collected()
    common = (common or "").strip()
    if not data.strip():
        result.problems.append((N_("The file is empty."), {}))
        return result
    rows = file_rows(data, filename)
    if rows is None:
        result.problems.append((N_("The file is neither a CSV (UTF-8 or GBK) nor an Excel workbook (.xlsx)."), {}))
        return result
    numbered = [(line, row) for line, row in enumerate(rows, start=1) if any(cell for cell in row)]
    if not numbered:
        result.problems.append((N_("The file is empty."), {}))
        return result
    header = [cell.strip().lower() for cell in numbered[0][1]]
    serial_at = next((i for i, name in enumerate(header) if name in SERIAL_HEADERS), None)
    description_at = next((i for i, name in enumerate(header) if name in DESCRIPTION_HEADERS), None)
    if serial_at is None:
        result.problems.append(
            (N_("The first line must name the columns: serial, and fault description."), {"line": numbered[0][0]})
        )
        return result
    if len(numbered) - 1 > MAX_ROWS:
        result.problems.append((N_("The file has more than %(count)s rows."), {"count": MAX_ROWS}))
        return result
    for line, row in numbered[1:]:
        serial = normalize_serial(row[serial_at] if serial_at < len(row) else "")
        if not serial:
            result.problems.append((N_("Line %(line)s has no serial number."), {"line": line}))
            continue
        description = row[description_at] if description_at is not None and description_at < len(row) else ""
        result.entries.append(BoardEntry(serial, _description(description, common)))
    if not result.entries and not result.problems:
        result.problems.append((N_("The file has no serial numbers."), {}))
    return result
