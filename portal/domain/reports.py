"""Monthly distributor reports and the violations found in them (docs/rules.md §8; contract §1.3,
§3.2, §4.3, §4.4, §5.1, §5.5).

Every month a distributor reports its inventory on hand, its sell-through and its outlets and
sub-agents, by the ``monthly_report_due_day`` of the following month (a term of the agreement;
§4.3 sets no day, the portal's default is the 10th). Each sale and outlet is checked as it is
submitted: a sale outside the agreement's territories on its date is a cross-territory violation
(§3.2, §5.1), a sale below the minimum resale price in force on its date a below-price violation
(§3.2, §5.1; at the floor is fine), an outlet or sub-agent without head office's approval an
unapproved-sub-agent violation (§1.3).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from .dates import EARLIEST, LATEST, add_months
from .errors import N_, DomainError, InvalidValue
from .money import parse_money
from .territories import Grant, in_territory

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)


class ViolationKind(StrEnum):
    CROSS_TERRITORY = "cross_territory"
    BELOW_PRICE = "below_price"
    UNAPPROVED_SUB_AGENT = "unapproved_sub_agent"

    @property
    def label(self) -> str:
        return {
            ViolationKind.CROSS_TERRITORY: N_("Cross-territory sale"),
            ViolationKind.BELOW_PRICE: N_("Sale below the minimum resale price"),
            ViolationKind.UNAPPROVED_SUB_AGENT: N_("Unapproved sub-agent or outlet"),
        }[self]

    @property
    def clause(self) -> str:
        return {
            ViolationKind.CROSS_TERRITORY: "§3.2, §5.1",
            ViolationKind.BELOW_PRICE: "§3.2, §5.1",
            ViolationKind.UNAPPROVED_SUB_AGENT: "§1.3",
        }[self]


class OutletKind(StrEnum):
    """What a distributor reports beside its sales: its sub-agents (下级代理商) and outlets (销售网点)."""

    SUB_AGENT = "sub_agent"
    OUTLET = "outlet"

    @property
    def label(self) -> str:
        return N_("Sub-agent") if self is OutletKind.SUB_AGENT else N_("Outlet")


class ReportState(StrEnum):
    """A month's report as both sides see it on a given day."""

    NOT_YET_DUE = "not_yet_due"  # the month has not ended, or its due day has not passed
    ON_TIME = "on_time"
    LATE = "late"  # submitted after the due day
    MISSING = "missing"  # not submitted, and the due day has passed

    @property
    def label(self) -> str:
        return {
            ReportState.NOT_YET_DUE: N_("Not yet due"),
            ReportState.ON_TIME: N_("On time"),
            ReportState.LATE: N_("Late"),
            ReportState.MISSING: N_("Missing"),
        }[self]


def parse_month(text: str | None, field: str = "month") -> tuple[int, int]:
    """``"2026-03"`` → ``(2026, 3)``, or refused with a message on ``field``."""
    match = MONTH_RE.match((text or "").strip())
    if match is not None:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and EARLIEST.year <= year <= LATEST.year:
            return year, month
    raise InvalidValue(N_("Enter the month as YYYY-MM (2026-03)."), field=field)


def month_name(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First and last day of a calendar month."""
    first = date(year, month, 1)
    return first, add_months(first, 1) - timedelta(days=1)


def report_due_on(year: int, month: int, due_day: int) -> date:
    """§4.3: the report of a month is due on ``due_day`` of the following month (the 10th by
    default; a day the month lacks is its last day, as Art. 202 counts)."""
    following = add_months(date(year, month, 1), 1)
    last = month_bounds(following.year, following.month)[1]
    return following.replace(day=min(due_day, last.day))


def report_state(due_on: date, submitted_on: date | None, on: date) -> ReportState:
    """On time when submitted on or before the due day; missing once the due day has passed."""
    if submitted_on is not None:
        return ReportState.ON_TIME if submitted_on <= due_on else ReportState.LATE
    return ReportState.MISSING if on > due_on else ReportState.NOT_YET_DUE


def check_month_ended(year: int, month: int, today: date) -> None:
    """A month is reported once it has ended: a report for this month or a later one is refused."""
    if month_bounds(year, month)[1] >= today:
        raise InvalidValue(
            N_("The month %(month)s has not ended yet: report it from the first day of the next month."),
            field="month",
            month=month_name(year, month),
        )


def below_price(unit_price: Decimal, floor: Decimal | None) -> bool:
    """§5.1, §6.1.1: a sale below the minimum resale price in force on the sale date. At the floor is
    fine; no floor in force (the product is in no published list) is no violation."""
    return floor is not None and unit_price < floor


# --- The months a distributor reports, and the quarter that locks them ---------------------------


def month_of(day: date) -> str:
    return month_name(day.year, day.month)


def quarter_of_month(year: int, month: int) -> str:
    """The quarter (``"2026-Q1"``) whose lock closes a month's report to corrections."""
    return f"{year:04d}-Q{(month - 1) // 3 + 1}"


def months_to_report(starts_on: date, ends_on: date, today: date) -> list[tuple[int, int]]:
    """§4.3: every month the agreement bound the distributor for at least one day, from its first
    month up to the last month that has ended before ``today``, the latest first. The list page
    shows each one, with or without a report."""
    last = add_months(date(today.year, today.month, 1), -1)
    last = min(last, date(ends_on.year, ends_on.month, 1))
    months = []
    current = date(starts_on.year, starts_on.month, 1)
    while current <= last:
        months.append((current.year, current.month))
        current = add_months(current, 1)
    return months[::-1]


def next_month_to_report(period: tuple[date, date], on: date, reported: Collection[str]) -> tuple[int, int] | None:
    """§4.3: the month whose report the agreement (binding over ``period``) owes next on ``on``: the
    earliest ended month of its term without a report (``reported`` holds months as "2026-03"),
    however late; when every ended month is reported, the month of ``on`` if the term covers a day of
    it (due once it ends); None when nothing is left to report."""
    for year, month in reversed(months_to_report(period[0], period[1], on)):
        if month_name(year, month) not in reported:
            return year, month
    first, last = month_bounds(on.year, on.month)
    if period[0] <= last and period[1] >= first and month_name(on.year, on.month) not in reported:
        return on.year, on.month
    return None


# --- Reading the lines of a report --------------------------------------------------------------

INVENTORY_COLUMNS = ("sku", "quantity")
SALE_COLUMNS = ("sold_on", "customer", "region_code", "sku", "quantity", "unit_price", "serials")
OUTLET_COLUMNS = ("kind", "name", "region_code")
SECTIONS = {"inventory": INVENTORY_COLUMNS, "sales": SALE_COLUMNS, "outlets": OUTLET_COLUMNS}
OPTIONAL_COLUMNS = frozenset({"serials"})

MAX_LINES = 5_000  # per section: far past any month of one distributor
CUSTOMER_LENGTH = NAME_LENGTH = 200
SERIALS_LENGTH = 4000
MAX_QUANTITY = 1_000_000

_DAY_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$", re.ASCII)
_WHOLE_RE = re.compile(r"^[0-9]+$", re.ASCII)
_REGION_RE = re.compile(r"^[0-9]{6}$", re.ASCII)

#: What a person may write for an outlet's kind: the value, or its label in either language.
OUTLET_KIND_NAMES = {
    "sub_agent": OutletKind.SUB_AGENT,
    "sub-agent": OutletKind.SUB_AGENT,
    "sub agent": OutletKind.SUB_AGENT,
    "下级代理商": OutletKind.SUB_AGENT,
    "代理商": OutletKind.SUB_AGENT,
    "outlet": OutletKind.OUTLET,
    "销售网点": OutletKind.OUTLET,
    "网点": OutletKind.OUTLET,
}


@dataclass(frozen=True)
class LineProblem:
    """One refused cell of a report: its section (``inventory``, ``sales``, ``outlets``), the line's
    place in it (0 for the first line) and its column; ``column`` is empty for the line as a whole."""

    section: str
    index: int
    column: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """Where the API names the problem: ``sales.3.region_code``."""
        return ".".join(str(part) for part in (self.section, self.index, self.column) if part != "")


class ReportRefused(InvalidValue):
    """A report with bad lines: every problem is listed and nothing is saved."""

    def __init__(self, problems: list[LineProblem]) -> None:
        super().__init__(N_("Nothing was saved: %(count)s problems in the lines."), field=None, count=len(problems))
        self.problems = problems

    def details(self) -> list[tuple[str, dict[str, Any]]]:
        return [(problem.message, problem.params) for problem in self.problems]


@dataclass(frozen=True)
class InventoryLine:
    sku: str
    quantity: int


@dataclass(frozen=True)
class SaleLine:
    sold_on: date
    customer: str
    region_code: str
    sku: str
    quantity: int
    unit_price: Decimal
    serials: str = ""


@dataclass(frozen=True)
class OutletLine:
    kind: OutletKind
    name: str
    region_code: str


@dataclass(frozen=True)
class ReportLines:
    inventory: list[InventoryLine]
    sales: list[SaleLine]
    outlets: list[OutletLine]

    def skus(self) -> set[str]:
        return {line.sku for line in self.inventory} | {line.sku for line in self.sales}

    def region_codes(self) -> set[str]:
        return {line.region_code for line in self.sales} | {line.region_code for line in self.outlets}


Row = Mapping[str, Any]


def _text(row: Row, column: str) -> str:
    value = row.get(column)
    return "" if value is None else str(value).strip()


def is_blank(row: Row, columns: Sequence[str]) -> bool:
    """A line with nothing typed in it is no line (the form's spare rows, a spreadsheet's gaps)."""
    return all(not _text(row, column) for column in columns)


def parse_day(text: str) -> date:
    """A sale's date: YYYY-MM-DD (or with / or . as Excel may write it)."""
    match = _DAY_RE.match(text)
    if match is not None:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    raise InvalidValue(N_("Enter a date as YYYY-MM-DD, such as 2026-03-05."))


def parse_quantity(text: str, *, allow_zero: bool = False) -> int:
    """A whole number of units: more than zero on a sale, zero or more in inventory."""
    if text.startswith("-"):
        raise InvalidValue(N_("The quantity cannot be negative."))
    if not _WHOLE_RE.match(text):
        raise InvalidValue(N_("Enter the quantity as a whole number."))
    quantity = int(text)
    if quantity == 0 and not allow_zero:
        raise InvalidValue(N_("The quantity must be more than zero."))
    if quantity > MAX_QUANTITY:
        raise InvalidValue(N_("The quantity is too large."))
    return quantity


def parse_outlet_kind(text: str) -> OutletKind:
    kind = OUTLET_KIND_NAMES.get(text.strip().lower())
    if kind is None:
        raise InvalidValue(N_("Write sub_agent (下级代理商) or outlet (销售网点)."))
    return kind


class _Reader:
    """Collects every problem of every line; the caller raises them together."""

    def __init__(self, known_skus: Collection[str], authorised_skus: Collection[str], regions: Collection[str]):
        self.known = {sku.upper() for sku in known_skus}
        self.authorised = {sku.upper() for sku in authorised_skus}
        self.regions = set(regions)
        self.problems: list[LineProblem] = []

    def refuse(self, section: str, index: int, column: str, message: str, **params: Any) -> None:
        self.problems.append(LineProblem(section, index, column, message, params))

    def value(self, section: str, index: int, column: str, parse: Any, text: str) -> Any:
        try:
            return parse(text)
        except DomainError as error:
            self.refuse(section, index, column, error.message, **error.params)
            return None

    def required(self, section: str, index: int, column: str, text: str, message: str) -> str | None:
        if not text:
            self.refuse(section, index, column, message)
            return None
        return text

    def sku(self, section: str, index: int, text: str) -> str | None:
        sku = text.upper()
        if not sku:
            self.refuse(section, index, "sku", N_("Enter the product's SKU."))
        elif sku not in self.known:
            self.refuse(section, index, "sku", N_("There is no product %(sku)s."), sku=sku)
        elif sku not in self.authorised:
            self.refuse(section, index, "sku", N_("%(sku)s is not a product your agreement authorises (§3)."), sku=sku)
        else:
            return sku
        return None

    def region(self, section: str, index: int, text: str) -> str | None:
        if not text:
            self.refuse(section, index, "region_code", N_("Enter the region code (six digits, GB/T 2260)."))
        elif not _REGION_RE.match(text) or text not in self.regions:
            self.refuse(section, index, "region_code", N_("There is no region with the code %(code)s."), code=text)
        else:
            return text
        return None

    def length(self, section: str, index: int, column: str, text: str, limit: int) -> str | None:
        if len(text) > limit:
            self.refuse(section, index, column, N_("Write at most %(length)s characters."), length=limit)
            return None
        return text


def _numbered(rows: Sequence[Row], columns: Sequence[str]) -> list[tuple[int, Row]]:
    return [(index, row) for index, row in enumerate(rows) if not is_blank(row, columns)]


def _inventory(reader: _Reader, rows: Sequence[Row]) -> list[InventoryLine]:
    lines, seen = [], set()
    for index, row in _numbered(rows, ("quantity",)):  # a product whose quantity is left blank is not reported
        sku = reader.sku("inventory", index, _text(row, "sku"))
        quantity = reader.value(
            "inventory", index, "quantity", lambda t: parse_quantity(t, allow_zero=True), _text(row, "quantity")
        )
        if sku is not None and sku in seen:
            reader.refuse("inventory", index, "sku", N_("%(sku)s is listed twice."), sku=sku)
            continue
        if sku is not None:
            seen.add(sku)
        if sku is not None and quantity is not None:
            lines.append(InventoryLine(sku, quantity))
    return lines


def _sales(reader: _Reader, rows: Sequence[Row], first: date, last: date) -> list[SaleLine]:
    lines = []
    for index, row in _numbered(rows, SALE_COLUMNS):
        sold_on = reader.value("sales", index, "sold_on", parse_day, _text(row, "sold_on"))
        if sold_on is not None and not first <= sold_on <= last:
            reader.refuse(
                "sales",
                index,
                "sold_on",
                N_("A sale of this report is dated from %(first)s to %(last)s."),
                first=first.isoformat(),
                last=last.isoformat(),
            )
            sold_on = None
        customer = reader.required("sales", index, "customer", _text(row, "customer"), N_("Enter the customer."))
        customer = customer and reader.length("sales", index, "customer", customer, CUSTOMER_LENGTH)
        region_code = reader.region("sales", index, _text(row, "region_code"))
        sku = reader.sku("sales", index, _text(row, "sku"))
        quantity = reader.value("sales", index, "quantity", parse_quantity, _text(row, "quantity"))
        unit_price = reader.value("sales", index, "unit_price", parse_money, _text(row, "unit_price"))
        serials = reader.length("sales", index, "serials", " ".join(_text(row, "serials").split()), SERIALS_LENGTH)
        values = (sold_on, customer, region_code, sku, quantity, unit_price, serials)
        if all(value is not None for value in values):
            lines.append(SaleLine(*values))  # type: ignore[arg-type]
    return lines


def _outlets(reader: _Reader, rows: Sequence[Row]) -> list[OutletLine]:
    lines = []
    for index, row in _numbered(rows, OUTLET_COLUMNS):
        kind = reader.value("outlets", index, "kind", parse_outlet_kind, _text(row, "kind"))
        name = reader.required("outlets", index, "name", _text(row, "name"), N_("Enter the name."))
        name = name and reader.length("outlets", index, "name", name, NAME_LENGTH)
        region_code = reader.region("outlets", index, _text(row, "region_code"))
        if kind is not None and name and region_code is not None:
            lines.append(OutletLine(kind, name, region_code))
    return lines


def read_lines(
    inventory: Sequence[Row],
    sales: Sequence[Row],
    outlets: Sequence[Row],
    *,
    year: int,
    month: int,
    known_skus: Collection[str],
    authorised_skus: Collection[str],
    regions: Collection[str],
) -> ReportLines:
    """The lines of a month's report read from text cells (a form, a spreadsheet, the API), or
    :class:`ReportRefused` listing every bad cell: a sale dated outside the month, a region code that
    does not exist, a quantity that is not a whole number above zero (zero or more in inventory), a
    negative price or one with more than two decimals (docs/rules.md §2), a product that does not
    exist or that the agreement does not authorise, a blank customer or name."""
    reader = _Reader(known_skus, authorised_skus, regions)
    for section, rows in (("inventory", inventory), ("sales", sales), ("outlets", outlets)):
        if len(rows) > MAX_LINES:
            reader.refuse(section, 0, "", N_("A report has at most %(limit)s lines of each kind."), limit=MAX_LINES)
    if reader.problems:
        raise ReportRefused(reader.problems)
    first, last = month_bounds(year, month)
    lines = ReportLines(_inventory(reader, inventory), _sales(reader, sales, first, last), _outlets(reader, outlets))
    if reader.problems:
        raise ReportRefused(reader.problems)
    return lines


# --- The violations found in a report (§1.3, §3.2, §5.1) ------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A violation as found in a report's lines, with its evidence. Two findings with the same
    :attr:`key` are the same violation: a correction that keeps the line keeps its dismissal."""

    kind: ViolationKind
    occurred_on: date
    customer: str = ""
    region_code: str = ""
    product_id: int | None = None
    quantity: int | None = None
    unit_price: Decimal | None = None
    min_resale_price: Decimal | None = None
    outlet_name: str = ""

    @property
    def key(self) -> tuple[Any, ...]:
        return (
            self.kind,
            self.occurred_on,
            self.customer,
            self.region_code,
            self.product_id,
            self.quantity,
            self.unit_price,
            normal_name(self.outlet_name),
        )


def cross_territory(location_chain: Sequence[str], grants: Iterable[Grant], on: date) -> bool:
    """§3.2, §5.1: a sale outside the agreement's territories on its date. The customer's region, or
    one of its ancestors, must be granted that day (a district inside a granted city is inside); on
    the day a revocation takes effect the region is no longer held (docs/rules.md §4)."""
    return not in_territory(location_chain, grants, on)


def normal_name(name: str) -> str:
    """How an outlet's name is compared with the approved sub-agents': trimmed, inner spaces
    collapsed, case ignored."""
    return " ".join(name.split()).casefold()


def approved_request(name: str, approved: Mapping[str, int]) -> int | None:
    """§1.3: the approved sub-agent request of the same name (``approved`` by :func:`normal_name`),
    or None: an unapproved sub-agent violation."""
    return approved.get(normal_name(name))


def sale_findings(
    sale: SaleLine, product_id: int, location_chain: Sequence[str], grants: Iterable[Grant], floor: Decimal | None
) -> list[Finding]:
    """The violations of one sale: cross-territory, below the floor in force on its date, both or none."""
    evidence = {
        "occurred_on": sale.sold_on,
        "customer": sale.customer,
        "region_code": sale.region_code,
        "product_id": product_id,
        "quantity": sale.quantity,
        "unit_price": sale.unit_price,
    }
    found = []
    if cross_territory(location_chain, grants, sale.sold_on):
        found.append(Finding(ViolationKind.CROSS_TERRITORY, **evidence))  # type: ignore[arg-type]
    if below_price(sale.unit_price, floor):
        found.append(Finding(ViolationKind.BELOW_PRICE, min_resale_price=floor, **evidence))  # type: ignore[arg-type]
    return found


def outlet_finding(outlet: OutletLine, approved_id: int | None, month_end: date) -> Finding | None:
    if approved_id is not None:
        return None
    return Finding(
        ViolationKind.UNAPPROVED_SUB_AGENT, month_end, region_code=outlet.region_code, outlet_name=outlet.name
    )


K = TypeVar("K")


def reconcile(found: Sequence[Finding], kept: Sequence[tuple[K, tuple[Any, ...]]]) -> tuple[list[K], list[Finding]]:
    """On a correction: which stored violations (``kept``: (id, key)) no longer hold, and which
    findings are new. A stored violation found again stays as it is, with its dismissal; identical
    lines are matched one for one."""
    waiting: dict[tuple[Any, ...], list[K]] = {}
    for ident, key in kept:
        waiting.setdefault(key, []).append(ident)
    new = []
    for finding in found:
        same = waiting.get(finding.key)
        if same:
            same.pop(0)
        else:
            new.append(finding)
    gone = [ident for idents in waiting.values() for ident in idents]
    return gone, new
