"""Price list use cases (docs/rules.md §5; contract §6.1): drafts, their items, imports, publishing
with its written notices, the list in force and what changed against the previous list.

Every use case that writes is one transaction (portal.transactions): a refused request changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from ..agreements.models import Agreement
from ..clock import utcnow
from ..distributors.models import Distributor
from ..domain.agreements import AgreementStatus
from ..domain.dates import check_plausible
from ..domain.distributors import Level
from ..domain.errors import N_, Duplicate, InvalidValue
from ..domain.notices import NoticeType
from ..domain.pricing import (
    PRICE_COLUMNS,
    PriceChange,
    PriceListStatus,
    Prices,
    RowProblem,
    RowsRefused,
    check_editable,
    check_prices,
    check_publish,
    check_rows,
    compare,
    in_force,
    status_on,
)
from ..extensions import db
from ..notices.models import Notice
from ..notices.services import issue_notice, send_pending_email
from ..products.models import Product
from ..transactions import after_commit, transactional
from . import importing
from .models import PriceList, PriceListItem

Rows = list[tuple[int, dict[str, str]]]  # (row number, cells as text by import column)


@dataclass(frozen=True)
class PriceListData:
    version: str
    effective_from: date
    note: str = ""


@dataclass(frozen=True)
class ItemChanges:
    """What an import (or a replacement of all items) did to a draft."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0


# --- Reading ------------------------------------------------------------------------------------


def published_dates() -> list[date]:
    """The effective-from dates of every published list (one statement; lists are few)."""
    return list(
        db.session.scalars(select(PriceList.effective_from).where(PriceList.status == PriceListStatus.PUBLISHED))
    )


def status_of(price_list: PriceList, on: date, published_from: list[date] | None = None) -> PriceListStatus:
    """Draft, published or superseded as read on ``on`` (superseded is never stored)."""
    dates = published_dates() if published_from is None else published_from
    return status_on(price_list.status, price_list.effective_from, dates, on)


def superseded_clause(on: date) -> Any:
    """SQL: a published list that a later published list has replaced by ``on``."""
    later = aliased(PriceList)
    return and_(
        PriceList.status == PriceListStatus.PUBLISHED,
        exists().where(
            later.status == PriceListStatus.PUBLISHED,
            later.effective_from > PriceList.effective_from,
            later.effective_from <= on,
        ),
    )


def published_keys(excluding: int | None = None) -> list[tuple[date, int]]:
    statement = select(PriceList.effective_from, PriceList.id).where(PriceList.status == PriceListStatus.PUBLISHED)
    if excluding is not None:
        statement = statement.where(PriceList.id != excluding)
    return [(row.effective_from, row.id) for row in db.session.execute(statement.order_by(PriceList.id))]


def list_in_force(on: date) -> PriceList | None:
    """The published list with the latest effective-from on or before ``on`` (§5)."""
    key = in_force(published_keys(), on)
    return db.session.get(PriceList, key) if key is not None else None


def previous_list(price_list: PriceList) -> PriceList | None:
    """The list this one follows: the published list in force the day before it takes effect."""
    key = in_force(published_keys(excluding=price_list.id), price_list.effective_from - timedelta(days=1))
    return db.session.get(PriceList, key) if key is not None else None


def viewer_level(user: Any, on: date) -> Level | None:
    """Whose agent price a user may see: None (both) for head office; for a distributor user, its
    distributor's level (:func:`distributor_level`)."""
    if user.is_head_office:
        return None
    if user.distributor_id is None:
        return Level.SECOND  # sees no list at all (PriceList.distributor_scope); never both prices
    return distributor_level(user.distributor_id, on)


def distributor_level(distributor_id: int, on: date) -> Level:
    """The level on ``on`` of the distributor's agreement in force that day (``Agreement.level_on``:
    a promotion after an assessment counts from its date, §2.2), else the distributor's own level
    (a distributor between agreements still sees its usual prices)."""
    agreement = db.session.scalar(
        select(Agreement)
        .where(Agreement.distributor_id == distributor_id, Agreement.binds_on(on))
        .order_by(Agreement.starts_on.desc())
        .limit(1)
    )
    level = agreement.level_on(on) if agreement is not None else None
    if level is None:
        level = db.session.scalar(select(Distributor.level).where(Distributor.id == distributor_id))
    return level or Level.SECOND


def item_count(price_list_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(PriceListItem).where(PriceListItem.price_list_id == price_list_id)
        )
        or 0
    )


def items_statement(price_list_id: int) -> Any:
    """The items of a list with their products, by SKU, in one SELECT."""
    return (
        select(PriceListItem)
        .join(PriceListItem.product)
        .options(contains_eager(PriceListItem.product))
        .where(PriceListItem.price_list_id == price_list_id)
        .order_by(Product.sku)
    )


def items_of(price_list_id: int) -> list[PriceListItem]:
    return list(db.session.scalars(items_statement(price_list_id)))


def item_of(price_list_id: int, product_id: int) -> PriceListItem | None:
    return db.session.scalar(
        select(PriceListItem).where(
            PriceListItem.price_list_id == price_list_id, PriceListItem.product_id == product_id
        )
    )


def prices_of(price_list_id: int) -> dict[str, Prices]:
    return {item.product.sku: item.prices for item in items_of(price_list_id)}


@dataclass(frozen=True)
class Comparison:
    previous: PriceList | None
    changes: list[PriceChange]
    products: dict[str, Product]

    def count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.change == kind)


def compare_with_previous(price_list: PriceList, level: Level | None = None) -> Comparison:
    """What changed against the list this one follows (everything is "added" when none)."""
    previous = previous_list(price_list)
    new_items = items_of(price_list.id)
    old_items = items_of(previous.id) if previous else []
    products = {item.product.sku: item.product for item in [*old_items, *new_items]}
    changes = compare({i.product.sku: i.prices for i in old_items}, {i.product.sku: i.prices for i in new_items}, level)
    return Comparison(previous, changes, products)


# --- Drafts -------------------------------------------------------------------------------------


def _check_data(data: PriceListData, current: PriceList | None) -> PriceListData:
    check_plausible(data.effective_from, "effective_from")
    version = data.version.strip()
    if not version:
        raise InvalidValue(N_("Enter the version."), field="version")
    if len(version) > 60:
        raise InvalidValue(N_("Enter at most %(length)s characters."), field="version", length=60)
    note = data.note.strip()
    if len(note) > 500:
        raise InvalidValue(N_("Enter at most %(length)s characters."), field="note", length=500)
    other = -1 if current is None else current.id
    # The database's lower() on both sides: SQLite's folds ASCII only, Python's every letter.
    if db.session.scalar(
        select(func.count())
        .select_from(PriceList)
        .where(func.lower(PriceList.version) == func.lower(version), PriceList.id != other)
    ):
        raise Duplicate(N_("Another price list has this version."), field="version")
    return PriceListData(version, data.effective_from, note)


@transactional
def create_price_list(
    data: PriceListData,
    *,
    rows: Rows | None = None,
    items: Mapping[str, Prices] | None = None,
    copy_from: PriceList | None = None,
) -> PriceList:
    """A new draft: empty, with items given as rows of text (checked like an import: every
    problem raises :class:`RowsRefused`), with checked ``items``, or with a copy of another
    list's items (the usual start of the yearly review, §6.1.2)."""
    clean = _check_data(data, None)
    products = known_products()
    if rows is not None:
        items = check_item_rows(rows, products)
    elif copy_from is not None:
        items = prices_of(copy_from.id)
    price_list = PriceList(
        version=clean.version, effective_from=clean.effective_from, note=clean.note, status=PriceListStatus.DRAFT
    )
    db.session.add(price_list)
    db.session.flush()
    if items:
        _apply_items(price_list, items, products)
    return price_list


@transactional
def update_price_list(price_list: PriceList, data: PriceListData, *, rows: Rows | None = None) -> PriceList:
    """Change a draft's version, date and note (and, given ``rows``, replace all its items)."""
    check_editable(price_list.status)
    clean = _check_data(data, price_list)
    products = known_products()
    items = check_item_rows(rows, products) if rows is not None else None
    price_list.version, price_list.effective_from, price_list.note = clean.version, clean.effective_from, clean.note
    if items is not None:
        _apply_items(price_list, items, products)
    return price_list


@transactional
def delete_price_list(price_list: PriceList) -> None:
    check_editable(price_list.status)
    db.session.delete(price_list)


def known_products() -> dict[str, tuple[int, bool]]:
    """SKU → (product id, active) of every product, in one statement."""
    rows = db.session.execute(select(Product.sku, Product.id, Product.active))
    return {row.sku: (row.id, row.active) for row in rows}


def check_item_rows(rows: Rows, products: dict[str, tuple[int, bool]]) -> dict[str, Prices]:
    """The prices of rows of text cells, or :class:`RowsRefused` with every problem of every row."""
    good, problems = check_rows(rows, set(products), {sku for sku, (_, active) in products.items() if not active})
    if problems:
        raise RowsRefused(problems)
    return good


def _apply_items(
    price_list: PriceList, prices: Mapping[str, Prices], products: dict[str, tuple[int, bool]]
) -> ItemChanges:
    """Make the draft's items exactly ``prices``: changed items are updated in place and the
    others added or removed, so the audit trail shows each price before and after. The ORM
    writes them in batches (executemany), never a statement per row."""
    existing = {
        item.product_id: item
        for item in db.session.scalars(select(PriceListItem).where(PriceListItem.price_list_id == price_list.id))
    }
    added = updated = unchanged = 0
    keep: set[int] = set()
    new_items = []
    for sku, item_prices in prices.items():
        product_id = products[sku][0]
        keep.add(product_id)
        item = existing.get(product_id)
        if item is None:
            new_items.append(
                PriceListItem(
                    price_list_id=price_list.id,
                    product_id=product_id,
                    price_level1=item_prices.price_level1,
                    price_level2=item_prices.price_level2,
                    min_resale_price=item_prices.min_resale_price,
                )
            )
            added += 1
        elif item.prices != item_prices:
            item.price_level1 = item_prices.price_level1
            item.price_level2 = item_prices.price_level2
            item.min_resale_price = item_prices.min_resale_price
            updated += 1
        else:
            unchanged += 1
    removed = [item for product_id, item in existing.items() if product_id not in keep]
    for item in removed:
        db.session.delete(item)
    db.session.add_all(new_items)
    db.session.flush()
    db.session.expire(price_list, ["items"])
    return ItemChanges(added, updated, len(removed), unchanged)


@transactional
def import_items(price_list: PriceList, filename: str, data: bytes) -> ItemChanges:
    """Replace a draft's items with an uploaded .xlsx or .csv. Every bad row is reported by row
    number and column (:class:`RowsRefused`) and nothing is saved while any row is bad (§5)."""
    check_editable(price_list.status)
    upload = importing.read_upload(filename, data)
    products = known_products()
    try:
        prices = check_item_rows(upload.rows, products)
    except RowsRefused as refused:
        raise RowsRefused(sorted([*upload.problems, *refused.problems], key=lambda p: p.row)) from None
    if upload.problems:
        raise RowsRefused(upload.problems)
    changes = _apply_items(price_list, prices, products)
    return changes


@transactional
def save_item(price_list: PriceList, sku: str, prices: Prices, item: PriceListItem | None = None) -> PriceListItem:
    """Add an item to a draft (``item`` None) or change an item's prices. Problems are reported
    per field as :class:`RowsRefused` with row 0."""
    check_editable(price_list.status)
    problems = [
        RowProblem(0, p.field or "", p.message, {k: str(v) for k, v in p.params.items()}) for p in check_prices(prices)
    ]
    if item is None:
        product = db.session.scalar(select(Product).where(Product.sku == sku.strip().upper()))
        if product is None:
            problems.insert(0, RowProblem(0, "sku", N_("Unknown SKU %(sku)s."), {"sku": sku}))
        elif not product.active:
            problems.insert(
                0, RowProblem(0, "sku", N_("Product %(sku)s is inactive and cannot be priced."), {"sku": product.sku})
            )
        elif item_of(price_list.id, product.id) is not None:
            problems.insert(
                0, RowProblem(0, "sku", N_("SKU %(sku)s is already in this price list."), {"sku": product.sku})
            )
        if problems:
            raise RowsRefused(problems)
        assert product is not None
        item = PriceListItem(price_list_id=price_list.id, product_id=product.id)
        db.session.add(item)
    elif problems:
        raise RowsRefused(problems)
    for column in PRICE_COLUMNS:
        setattr(item, column, getattr(prices, column))
    return item


@transactional
def delete_item(item: PriceListItem) -> None:
    check_editable(item.price_list.status)
    db.session.delete(item)


# --- Publishing ---------------------------------------------------------------------------------


def agreements_to_notify(on: date) -> list[Agreement]:
    """One agreement per distributor with an active agreement on ``on`` (Agreement.status_on:
    activated, not ended, not terminated), including one that starts later: its prices will be these.
    With two, the earlier-starting one: the one in force that day, since active ones never overlap."""
    chosen: dict[int, Agreement] = {}
    for agreement in db.session.scalars(
        select(Agreement)
        .options(joinedload(Agreement.distributor))
        .where(Agreement.status_is(AgreementStatus.ACTIVE, on))
        .order_by(Agreement.distributor_id, Agreement.starts_on, Agreement.id)
    ):
        chosen.setdefault(agreement.distributor_id, agreement)
    return list(chosen.values())


@transactional
def publish_price_list(
    price_list: PriceList, on: date, user_id: int | None, at: datetime | None = None
) -> list[Notice]:
    """Publish a draft and, in the same transaction, give every distributor with an active
    agreement on ``on`` a written notice of the new list (§6.1.2). Refused (nothing changed) for
    anything but a draft with items that takes effect on or after ``on`` and after every list
    already published.
    ``at`` is the publishing moment (now, unless the demo replays history)."""
    # Lock the row first, so two people publishing the same draft cannot both succeed.
    locked = db.session.scalars(
        select(PriceList)
        .where(PriceList.id == price_list.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    check_can_publish(locked, on)
    locked.status = PriceListStatus.PUBLISHED
    locked.published_at = at or utcnow()
    locked.published_by_id = user_id
    notices = [
        issue_notice(
            agreement.distributor,
            NoticeType.PRICE_LIST,
            on,
            effective_on=locked.effective_from,
            agreement_id=agreement.id,
            price_list_id=locked.id,
            issued_by_id=user_id,
            price_list=locked,
            level=agreement.level.value,
        )
        for agreement in agreements_to_notify(on)
    ]
    after_commit(lambda: send_pending_email(notices))
    return notices


def check_can_publish(price_list: PriceList, on: date) -> None:
    """The domain's publishing rule on this list's status, items, date and the published lists,
    for publishing on ``on``."""
    others = [effective_from for effective_from, _ in published_keys(excluding=price_list.id)]
    check_publish(price_list.status, price_list.effective_from, item_count(price_list.id), others, on)
