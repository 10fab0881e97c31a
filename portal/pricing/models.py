"""Price lists and their items (docs/rules.md §5; contract §6.1, 附件一)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Date, ForeignKey, String, UniqueConstraint, false, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..clock import utcnow
from ..db import Money, UTCDateTime, enum_column
from ..domain.pricing import PriceListStatus, Prices
from ..extensions import Model


class PriceList(Model):
    __tablename__ = "price_lists"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(60), unique=True)
    effective_from: Mapped[date] = mapped_column(Date, index=True)
    # draft or published; "superseded" is read off the dates (domain.pricing.status_on)
    status: Mapped[PriceListStatus] = mapped_column(
        enum_column(PriceListStatus), index=True, default=PriceListStatus.DRAFT
    )
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    items: Mapped[list[PriceListItem]] = relationship(back_populates="price_list", cascade="all, delete-orphan")
    if TYPE_CHECKING:  # mapped below the items' class (a column_property counting them)
        item_count: Mapped[int]

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        """Distributors see published lists only (and only their level's price: the views' job).
        A distributor user linked to no distributor sees none."""
        if distributor_id is None:
            return false()
        return cls.status == PriceListStatus.PUBLISHED

    def __str__(self) -> str:
        return self.version


class PriceListItem(Model):
    __tablename__ = "price_list_items"
    __audited__ = True
    __table_args__ = (UniqueConstraint("price_list_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(ForeignKey("price_lists.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    price_level1: Mapped[Decimal] = mapped_column(Money())
    price_level2: Mapped[Decimal] = mapped_column(Money())
    min_resale_price: Mapped[Decimal] = mapped_column(Money())

    price_list: Mapped[PriceList] = relationship(back_populates="items")
    product = relationship("Product")

    @property
    def prices(self) -> Prices:
        return Prices(self.price_level1, self.price_level2, self.min_resale_price)


# How many items a list has, read with the list when a query asks for it (undefer), so a page of
# lists costs one statement rather than one per list.
PriceList.item_count = column_property(
    select(func.count(PriceListItem.id))
    .where(PriceListItem.price_list_id == PriceList.id)
    .correlate_except(PriceListItem)
    .scalar_subquery(),
    deferred=True,
)
