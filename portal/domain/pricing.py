"""Price lists (docs/rules.md §5; contract §6.1).

A list has a version, an effective-from date and a status. The list in force on a date is the
published list with the latest effective-from date on or before it. Prices of confirmed orders
never change (§6.1.2): orders copy the price at confirmation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from .distributors import Level
from .errors import N_, DomainError, InvalidValue
from .money import parse_money

K = TypeVar("K")

# A price beyond this is a typing slip (and would not fit the fen column on PostgreSQL).
MAX_PRICE = Decimal("99999999.99")


class PriceListStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return {
            PriceListStatus.DRAFT: N_("Draft"),
            PriceListStatus.PUBLISHED: N_("Published"),
            PriceListStatus.SUPERSEDED: N_("Superseded"),
        }[self]


@dataclass(frozen=True)
class Prices:
    price_level1: Decimal
    price_level2: Decimal
    min_resale_price: Decimal

    def agent_price(self, level: Level) -> Decimal:
        return self.price_level1 if level is Level.FIRST else self.price_level2


def price_column(level: Level) -> str:
    """The item column holding the agent price of ``level``."""
    return "price_level1" if level is Level.FIRST else "price_level2"


def in_force(published: Iterable[tuple[date, K]], on: date) -> K | None:
    """The key of the published list with the latest effective-from on or before ``on``.

    Two lists never share a date once published (check_publish); should they, the one given last
    wins, so callers that pass lists in publishing order get the newer one."""
    best: tuple[date, K] | None = None
    for effective_from, key in published:
        if effective_from <= on and (best is None or effective_from >= best[0]):
            best = (effective_from, key)
    return best[1] if best else None


def status_on(
    status: PriceListStatus, effective_from: date, published_from: Sequence[date], on: date
) -> PriceListStatus:
    """A published list is superseded once a later published list has taken effect."""
    if status is PriceListStatus.PUBLISHED and any(effective_from < d <= on for d in published_from):
        return PriceListStatus.SUPERSEDED
    return status


def check_editable(status: PriceListStatus) -> None:
    """Only a draft changes; a published list stays as the distributors were told (§6.1.2)."""
    if status is not PriceListStatus.DRAFT:
        raise DomainError(N_("Only a draft price list can be changed."))


def check_publish(
    status: PriceListStatus, effective_from: date, item_count: int, published_from: Sequence[date], on: date
) -> None:
    """Only a draft with items is published on ``on``; on or before its effective date, never after,
    so the price notice reaches the distributors before the new prices apply (§6.1.2); and never
    behind a list already published for a later (or the same) date: that would change which list
    was in force after the fact."""
    if status is not PriceListStatus.DRAFT:
        raise DomainError(N_("Only a draft price list can be published."))
    if item_count == 0:
        raise DomainError(N_("An empty price list cannot be published."))
    if effective_from < on:
        raise DomainError(
            N_(
                "This price list takes effect on %(effective_from)s, which has passed: a list is published on "
                "or before its effective date. Change the effective date to today or later."
            ),
            field="effective_from",
            effective_from=effective_from,
        )
    latest = max(published_from, default=None)
    if latest is not None and effective_from <= latest:
        raise DomainError(
            N_("A price list effective from %(latest)s is already published; this one must take effect later."),
            field="effective_from",
            latest=latest,
        )


def check_prices(prices: Prices) -> list[InvalidValue]:
    """Every problem of one item's prices, each naming its column (empty when they are good):
    agent prices and resale floor above zero and sensible, and the floor at least each agent
    price, since a distributor must be able to resell at the floor above what it paid (§5.1)."""
    problems = []
    for column in PRICE_COLUMNS:
        value: Decimal = getattr(prices, column)
        if value <= 0:
            problems.append(InvalidValue(N_("The amount must be more than zero."), field=column))
        elif value > MAX_PRICE:
            problems.append(
                InvalidValue(N_("Enter an amount of at most %(limit)s."), field=column, limit=f"{MAX_PRICE:,}")
            )
    if not problems and prices.min_resale_price < max(prices.price_level1, prices.price_level2):
        problems.append(InvalidValue(N_("The minimum resale price is below an agent price."), field="min_resale_price"))
    return problems


@dataclass
class RowProblem:
    """One problem of an imported row: its number as the spreadsheet shows it (the header is row
    1) and its column."""

    row: int
    column: str
    message: str
    params: dict[str, str] = field(default_factory=dict)


class RowsRefused(InvalidValue):
    """An import (or a list of items sent to the API) with bad rows: nothing is saved."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(N_("Nothing was saved: %(count)s problems in the rows."), field=None, count=len(problems))
        self.problems = problems


IMPORT_COLUMNS = ("sku", "price_level1", "price_level2", "min_resale_price")
PRICE_COLUMNS = IMPORT_COLUMNS[1:]


def header_columns(header: Sequence[str]) -> tuple[dict[str, int], list[RowProblem]]:
    """Where each import column is in the first row (names in any case; other columns are help
    text and ignored). Every missing or repeated column is a problem of row 1."""
    positions: dict[str, int] = {}
    problems: list[RowProblem] = []
    for index, cell in enumerate(header):
        name = cell.strip().lstrip("\ufeff").lower()
        if name in IMPORT_COLUMNS:
            if name in positions:
                problems.append(RowProblem(1, name, N_("The column %(column)s appears twice."), {"column": name}))
            positions[name] = index
    for name in IMPORT_COLUMNS:
        if name not in positions:
            problems.append(RowProblem(1, name, N_("The first row must name the column %(column)s."), {"column": name}))
    return positions, problems


def check_rows(
    rows: Sequence[tuple[int, Mapping[str, str]]],
    known_skus: set[str],
    inactive_skus: frozenset[str] | set[str] = frozenset(),
) -> tuple[dict[str, Prices], list[RowProblem]]:
    """Validate imported rows (row number as the file shows it, cells as text).

    Every problem of every row is reported; the prices are only good when there is none.
    SKUs are compared in capitals, as products keep them. ``known_skus`` are the products that
    exist; those also in ``inactive_skus`` are no longer sold and cannot be priced.
    """
    problems: list[RowProblem] = []
    good: dict[str, Prices] = {}
    first_row_of: dict[str, int] = {}
    for number, cells in rows:
        raw_sku = (cells.get("sku") or "").strip()
        sku = raw_sku.upper()
        sku_ok = False
        if not sku:
            problems.append(RowProblem(number, "sku", N_("Enter the SKU.")))
        elif sku not in known_skus:
            problems.append(RowProblem(number, "sku", N_("Unknown SKU %(sku)s."), {"sku": raw_sku}))
        elif sku in first_row_of:
            problems.append(
                RowProblem(
                    number,
                    "sku",
                    N_("SKU %(sku)s is also on row %(row)s."),
                    {"sku": sku, "row": str(first_row_of[sku])},
                )
            )
        elif sku in inactive_skus:
            first_row_of[sku] = number
            problems.append(
                RowProblem(number, "sku", N_("Product %(sku)s is inactive and cannot be priced."), {"sku": sku})
            )
        else:
            first_row_of[sku] = number
            sku_ok = True
        values: dict[str, Decimal] = {}
        for column in PRICE_COLUMNS:
            try:
                values[column] = parse_money(cells.get(column))
            except InvalidValue as error:
                problems.append(RowProblem(number, column, error.message, {k: str(v) for k, v in error.params.items()}))
        if len(values) < len(PRICE_COLUMNS):
            continue
        prices = Prices(values["price_level1"], values["price_level2"], values["min_resale_price"])
        price_problems = check_prices(prices)
        problems.extend(
            RowProblem(number, p.field or "", p.message, {k: str(v) for k, v in p.params.items()})
            for p in price_problems
        )
        if sku_ok and not price_problems:
            good[sku] = prices
    return good, problems


class Change(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    UP = "up"
    DOWN = "down"
    SAME = "same"

    @property
    def label(self) -> str:
        return {
            Change.ADDED: N_("Added"),
            Change.REMOVED: N_("Removed"),
            Change.UP: N_("Up"),
            Change.DOWN: N_("Down"),
            Change.SAME: N_("Unchanged"),
        }[self]


ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PriceChange:
    sku: str
    change: Change
    old: Prices | None
    new: Prices | None
    delta_level1: Decimal = ZERO
    delta_level2: Decimal = ZERO
    delta_min_resale: Decimal = ZERO

    def delta(self, level: Level) -> Decimal:
        return self.delta_level1 if level is Level.FIRST else self.delta_level2

    def percent(self, level: Level) -> Decimal | None:
        """The agent price's change in percent of the old price, to two decimals."""
        if self.old is None or self.new is None:
            return None
        before = self.old.agent_price(level)
        return (self.delta(level) * 100 / before).quantize(Decimal("0.01")) if before else None


def _direction(*deltas: Decimal) -> Change:
    for delta in deltas:
        if delta > 0:
            return Change.UP
        if delta < 0:
            return Change.DOWN
    return Change.SAME


def compare(old: Mapping[str, Prices], new: Mapping[str, Prices], level: Level | None = None) -> list[PriceChange]:
    """What changed from one list to the next, item by item (added, removed, up, down, same),
    by SKU.

    Up or down follows the first-level agent price, then the second-level one, then the resale
    floor; for a distributor (``level`` given) it follows its own level's agent price, then the
    floor, so it never reads a direction off the other level's price."""
    changes = []
    for sku in sorted(set(old) | set(new)):
        before, after = old.get(sku), new.get(sku)
        if before is None:
            changes.append(PriceChange(sku, Change.ADDED, None, after))
        elif after is None:
            changes.append(PriceChange(sku, Change.REMOVED, before, None))
        else:
            d1 = after.price_level1 - before.price_level1
            d2 = after.price_level2 - before.price_level2
            dm = after.min_resale_price - before.min_resale_price
            own = (d1, d2) if level is None else (d1 if level is Level.FIRST else d2,)
            kind = _direction(*own, dm)
            changes.append(PriceChange(sku, kind, before, after, d1, d2, dm))
    return changes


# Spreadsheets also read the full-width forms (＝ ＋ － ＠, as a Chinese input method types them).
FORMULA_STARTS = frozenset(("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20"))


def escape_cell(value: str) -> str:
    """Exported text that a spreadsheet would run as a formula is written as text (CSV injection)."""
    if value[:1] in FORMULA_STARTS:
        return "'" + value
    return value
