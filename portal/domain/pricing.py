"""Price lists (DOMAIN.md §5; contract §6.1).

A list has a version, an effective-from date and a status. The list in force on a date is the
published list with the latest effective-from date on or before it. Prices of confirmed orders
never change (§6.1.2): orders copy the price at confirmation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from .distributors import Level
from .errors import N_, DomainError, InvalidValue
from .money import parse_money

K = TypeVar("K")


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


def in_force(published: Iterable[tuple[date, K]], on: date) -> K | None:
    """The key of the published list with the latest effective-from on or before ``on``."""
    best: tuple[date, K] | None = None
    for effective_from, key in published:
        if effective_from <= on and (best is None or effective_from > best[0]):
            best = (effective_from, key)
    return best[1] if best else None


def status_on(status: PriceListStatus, effective_from: date, published_from: Sequence[date],
              on: date) -> PriceListStatus:
    """A published list is superseded once a later published list has taken effect."""
    if status is PriceListStatus.PUBLISHED and any(effective_from < d <= on for d in published_from):
        return PriceListStatus.SUPERSEDED
    return status


def check_publish(status: PriceListStatus, effective_from: date, item_count: int,
                  published_from: Sequence[date]) -> None:
    """Only a draft with items is published, and never behind a list already published for a
    later (or the same) date: that would change which list was in force after the fact."""
    if status is not PriceListStatus.DRAFT:
        raise DomainError(N_("Only a draft price list can be published."))
    if item_count == 0:
        raise DomainError(N_("An empty price list cannot be published."))
    latest = max(published_from, default=None)
    if latest is not None and effective_from <= latest:
        raise DomainError(N_("A price list effective from %(latest)s is already published; this one must take "
                             "effect later."), latest=latest)


@dataclass
class RowProblem:
    row: int
    column: str
    message: str
    params: dict[str, str] = field(default_factory=dict)


IMPORT_COLUMNS = ("sku", "price_level1", "price_level2", "min_resale_price")
PRICE_COLUMNS = IMPORT_COLUMNS[1:]


def check_rows(rows: Sequence[tuple[int, dict[str, str]]], known_skus: set[str]
               ) -> tuple[dict[str, Prices], list[RowProblem]]:
    """Validate imported rows (row number as the file shows it, cells as text).

    Every problem of every row is reported; the prices are only good when there is none.
    """
    problems: list[RowProblem] = []
    good: dict[str, Prices] = {}
    first_row_of: dict[str, int] = {}
    for number, cells in rows:
        sku = (cells.get("sku") or "").strip()
        if not sku:
            problems.append(RowProblem(number, "sku", N_("Enter the SKU.")))
        elif sku not in known_skus:
            problems.append(RowProblem(number, "sku", N_("Unknown SKU %(sku)s."), {"sku": sku}))
        elif sku in first_row_of:
            problems.append(RowProblem(number, "sku", N_("SKU %(sku)s is also on row %(row)s."),
                                       {"sku": sku, "row": str(first_row_of[sku])}))
        else:
            first_row_of[sku] = number
        values: dict[str, Decimal] = {}
        for column in PRICE_COLUMNS:
            try:
                values[column] = parse_money(cells.get(column), allow_zero=False)
            except InvalidValue as error:
                problems.append(RowProblem(number, column, error.message, {k: str(v) for k, v in error.params.items()}))
        if len(values) == len(PRICE_COLUMNS):
            floor = values["min_resale_price"]
            if floor < max(values["price_level1"], values["price_level2"]):
                problems.append(RowProblem(number, "min_resale_price",
                                           N_("The minimum resale price is below an agent price.")))
            elif sku and sku in known_skus and first_row_of.get(sku) == number:
                good[sku] = Prices(values["price_level1"], values["price_level2"], floor)
    return good, problems


class Change(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    UP = "up"
    DOWN = "down"
    SAME = "same"


@dataclass(frozen=True)
class PriceChange:
    sku: str
    change: Change
    old: Prices | None
    new: Prices | None
    delta_level1: Decimal = Decimal("0.00")
    delta_level2: Decimal = Decimal("0.00")


def compare(old: dict[str, Prices], new: dict[str, Prices]) -> list[PriceChange]:
    """What changed from one list to the next, item by item (added, removed, up, down, same).

    Up or down follows the first-level agent price, then the second-level one."""
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
            direction = d1 or d2
            kind = Change.UP if direction > 0 else Change.DOWN if direction < 0 else Change.SAME
            if kind is Change.SAME and after.min_resale_price != before.min_resale_price:
                kind = Change.UP if after.min_resale_price > before.min_resale_price else Change.DOWN
            changes.append(PriceChange(sku, kind, before, after, d1, d2))
    return changes


def escape_cell(value: str) -> str:
    """Exported text that a spreadsheet would run as a formula is written as text (CSV injection)."""
    if value and value[0] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
