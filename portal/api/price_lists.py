"""/api/v1/price-lists (docs/rules.md §5): head office (sales, admin) creates drafts and publishes
them; finance reads every list; a distributor user reads published lists only, with its own
level's agent price and the minimum resale price: the other level's price is never sent.

``status`` is read as of today: a published list that a later published list has replaced is
``superseded``. Items go through the same checks as an imported file; each problem is named by
its path, such as ``items.3.min_resale_price``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import jsonify, url_for
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, Field
from sqlalchemy import false, select
from sqlalchemy.orm import undefer

from ..clock import today
from ..domain.distributors import Level
from ..domain.permissions import may_manage_prices, may_read
from ..domain.pricing import PriceListStatus, RowsRefused, in_force, price_column, status_on
from ..pagination import paginate
from ..pricing import services
from ..pricing.importing import MAX_ROWS
from ..pricing.models import PriceList, PriceListItem
from ..security import allowed, loads, scoped
from .blueprint import bp
from .core import (
    MAX_PER_PAGE,
    UNSENT,
    BodyModel,
    Money,
    MoneyIn,
    PatchModel,
    QueryModel,
    Sku,
    Timestamp,
    api_doc,
    invalid,
    parse_body,
    parse_query,
    text,
)

DUPLICATE_ROW = "SKU %(sku)s is also on row %(row)s."  # domain.pricing.check_rows

Version = text(60, min_length=1)
Note = text(500)
QueryText = text(100)


class PriceItemIn(BodyModel):
    sku: Sku
    price_level1: MoneyIn = Field(description="First-level agent price.")
    price_level2: MoneyIn = Field(description="Second-level agent price.")
    min_resale_price: MoneyIn = Field(description="Minimum resale price; at least each agent price.")


class PriceListIn(BodyModel):
    version: Version = Field(description='Unique, such as "2027 价格表".')
    effective_from: date
    note: Note = ""
    items: list[PriceItemIn] = Field(default_factory=list, max_length=MAX_ROWS)


class PriceListPatch(PatchModel):
    """A draft's fields; ``items``, when sent, replace all of its items."""

    version: Version = UNSENT
    effective_from: date = UNSENT
    note: Note = UNSENT
    items: list[PriceItemIn] = Field(default=UNSENT, max_length=MAX_ROWS)


class PriceItemOut(BaseModel):
    sku: str
    name: str = Field(description="The product's Chinese name.")
    name_en: str
    price_level1: Money | None = Field(default=None, description="Head office only, or a first-level distributor.")
    price_level2: Money | None = Field(default=None, description="Head office only, or a second-level distributor.")
    agent_price: Money | None = Field(default=None, description="A distributor's own level's price (distributors).")
    min_resale_price: Money


class PriceListOut(BaseModel):
    id: int
    version: str
    effective_from: date
    status: PriceListStatus
    in_force: bool = Field(description="The list in force today.")
    note: str
    item_count: int
    created_at: Timestamp
    published_at: Timestamp | None
    level: Level | None = Field(default=None, description="For a distributor: the level whose prices it sees.")


class PriceListDetailOut(PriceListOut):
    items: list[PriceItemOut]


class PublishedOut(PriceListOut):
    notices: list[str] = Field(description="The numbers of the written notices issued, one per distributor.")


class PriceListQuery(QueryModel):
    status: PriceListStatus | None = None
    in_force_on: date | None = Field(default=None, description="Only the list in force on this date.")
    q: QueryText | None = Field(default=None, description="The version contains this text.")


class _Context:
    """What every answer needs once per request: today, the published dates, the list in force
    and the caller's level (None for head office)."""

    def __init__(self) -> None:
        self.on = today()
        self.dates = services.published_dates()
        current = services.list_in_force(self.on)
        self.current_id = current.id if current else None
        self.level = services.viewer_level(current_user, self.on)

    def summary(
        self, price_list: PriceList, item_count: int, model: type[BaseModel] = PriceListOut, **extra: Any
    ) -> dict[str, Any]:
        values = {
            "id": price_list.id,
            "version": price_list.version,
            "effective_from": price_list.effective_from,
            "status": status_on(price_list.status, price_list.effective_from, self.dates, self.on),
            "in_force": price_list.id == self.current_id,
            "note": price_list.note,
            "item_count": item_count,
            "created_at": price_list.created_at,
            "published_at": price_list.published_at,
            "level": self.level,
            **extra,
        }
        return model.model_validate(values).model_dump(mode="json")

    def item(self, item: PriceListItem) -> dict[str, Any]:
        values: dict[str, Any] = {
            "sku": item.product.sku,
            "name": item.product.name_zh,
            "name_en": item.product.name_en,
            "min_resale_price": item.min_resale_price,
        }
        if self.level is None:
            values.update(price_level1=item.price_level1, price_level2=item.price_level2)
        else:
            own = price_column(self.level)
            values[own] = values["agent_price"] = getattr(item, own)
        return PriceItemOut.model_validate(values).model_dump(mode="json", exclude_none=True)


def _detail(price_list: PriceList, status: int = 200, **headers: str) -> Any:
    context = _Context()
    items = services.items_of(price_list.id)
    body = context.summary(price_list, len(items))
    body["items"] = [context.item(item) for item in items]
    return jsonify(body), status, headers


def _rows(items: list[PriceItemIn]) -> services.Rows:
    return [
        (
            index,
            {
                "sku": item.sku,
                "price_level1": f"{item.price_level1}",
                "price_level2": f"{item.price_level2}",
                "min_resale_price": f"{item.min_resale_price}",
            },
        )
        for index, item in enumerate(items)
    ]


def _items_invalid(refused: RowsRefused) -> Any:
    """Each problem on its item's path; the items of a body are numbered from 0, as the paths are."""
    fields: dict[str, list[str]] = {}
    for problem in refused.problems:
        message = _(problem.message, **problem.params)
        if problem.message == DUPLICATE_ROW:
            message = _(
                "SKU %(sku)s is also at items.%(index)s.", sku=problem.params["sku"], index=problem.params["row"]
            )
        fields.setdefault(f"items.{problem.row}.{problem.column}", []).append(message)
    return invalid(fields)


@bp.get("/price-lists")
@allowed(may_read)
@api_doc(query=PriceListQuery, response=PriceListOut, list_of=True)
def list_price_lists() -> Any:
    """List price lists.

    Newest effective date first. A distributor user sees published lists only.
    """
    query = parse_query(PriceListQuery)
    context = _Context()
    statement = (
        scoped(select(PriceList), PriceList)
        .options(undefer(PriceList.item_count))
        .order_by(PriceList.effective_from.desc(), PriceList.id.desc())
    )
    if query.status is PriceListStatus.DRAFT:
        statement = statement.where(PriceList.status == PriceListStatus.DRAFT)
    elif query.status is PriceListStatus.PUBLISHED:
        statement = statement.where(
            PriceList.status == PriceListStatus.PUBLISHED, ~services.superseded_clause(context.on)
        )
    elif query.status is PriceListStatus.SUPERSEDED:
        statement = statement.where(services.superseded_clause(context.on))
    if query.in_force_on:
        key = in_force(services.published_keys(), query.in_force_on)
        statement = statement.where(PriceList.id == key if key is not None else false())
    if query.q:
        statement = statement.where(PriceList.version.ilike(f"%{query.q}%"))
    page = paginate(statement, max_per_page=MAX_PER_PAGE)
    return jsonify(
        items=[context.summary(pl, pl.item_count) for pl in page.items],
        page=page.page,
        pages=page.pages,
        per_page=page.per_page,
        total=page.total,
        total_capped=bool(page.capped),
    )


@bp.post("/price-lists")
@allowed(may_manage_prices)
@api_doc(body=PriceListIn, response=PriceListDetailOut, status=201)
def create_price_list() -> Any:
    """Create a draft price list, with its items.

    The items are checked like an imported file: unknown or inactive SKUs, duplicates, and a
    resale floor below an agent price answer 422, each on its item's field. A version already
    used answers 409.
    """
    body = parse_body(PriceListIn)
    try:
        price_list = services.create_price_list(
            services.PriceListData(body.version, body.effective_from, body.note), rows=_rows(body.items)
        )
    except RowsRefused as refused:
        raise _items_invalid(refused) from refused
    return _detail(price_list, 201, Location=url_for("api.get_price_list", price_list_id=price_list.id))


@bp.get("/price-lists/<int:price_list_id>")
@allowed(may_read)
@loads(PriceList, "price_list_id", as_="price_list")
@api_doc(response=PriceListDetailOut)
def get_price_list(price_list: PriceList) -> Any:
    """Show one price list with its items.

    A distributor user gets 404 for a draft, and only its own level's agent price for each item
    (``agent_price`` and its level's column; the other level's price is left out).
    """
    return _detail(price_list)


@bp.patch("/price-lists/<int:price_list_id>")
@allowed(may_manage_prices)
@loads(PriceList, "price_list_id", as_="price_list")
@api_doc(body=PriceListPatch, response=PriceListDetailOut)
def update_price_list(price_list: PriceList) -> Any:
    """Change a draft price list.

    Only the fields sent change; ``items`` replace all items. A published list cannot change (409).
    """
    body = parse_body(PriceListPatch)
    sent = body.model_dump(exclude_unset=True)
    data = services.PriceListData(
        sent.get("version", price_list.version),
        sent.get("effective_from", price_list.effective_from),
        sent.get("note", price_list.note),
    )
    try:
        services.update_price_list(price_list, data, rows=_rows(body.items) if "items" in sent else None)
    except RowsRefused as refused:
        raise _items_invalid(refused) from refused
    return _detail(price_list)


@bp.post("/price-lists/<int:price_list_id>/publish")
@allowed(may_manage_prices)
@loads(PriceList, "price_list_id", as_="price_list")
@api_doc(response=PublishedOut)
def publish_price_list(price_list: PriceList) -> Any:
    """Publish a draft price list and issue the written notices.

    Every distributor with an active agreement today receives a notice of the new list. Only a
    draft with items that takes effect today or later, and after every published list, can be
    published (409): a list is published on or before its effective date, never after.
    """
    notices = services.publish_price_list(price_list, today(), current_user.id)
    context = _Context()
    return jsonify(
        context.summary(
            price_list, services.item_count(price_list.id), PublishedOut, notices=[notice.number for notice in notices]
        )
    )
