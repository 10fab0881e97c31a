"""Payments: money received against an order (docs/rules.md §6)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import Money, UTCDateTime
from ..extensions import Model
from ..orders.models import Order
from .queries import PARTS


class Payment(Model):
    """Money received against an order (§6.3.1). Never deleted: a wrong one is voided with a reason.
    A bank reference is unique per distributor among payments not voided."""

    __tablename__ = "payments"
    __audited__ = True
    __table_args__ = (
        Index(
            "uq_payments_distributor_bank_reference",
            "distributor_id",
            "bank_reference",
            unique=True,
            sqlite_where=text("voided_at IS NULL"),
            postgresql_where=text("voided_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"))
    amount: Mapped[Decimal] = mapped_column(Money())
    received_on: Mapped[date] = mapped_column(Date, index=True)
    bank_reference: Mapped[str] = mapped_column(String(60))
    payer: Mapped[str] = mapped_column(String(200), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_reason: Mapped[str] = mapped_column(String(500), default="")

    order: Mapped[Order] = relationship(back_populates="payments")

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.distributor_id == distributor_id


# The orders still owing (receivables.queries.OWING: less paid than the total), indexed apart from
# the orders' history. The list reads each part (a kind of amount on orders of one status) in
# due-date order off its own index, whose predicate names the status: so neither database has a
# status column ahead of the order to skip, and PostgreSQL merges the parts as SQLite does. The
# totals, and the check of which distributors owe, read the last two alone.
for _part in PARTS:
    Index(
        f"ix_orders_owing_{_part.kind.value}_{_part.status.value}",
        _part.due_on,
        Order.number,
        sqlite_where=text(_part.index_where),
        postgresql_where=text(_part.index_where),
    )
_OWING = text("paid_amount < total")
for _name, *_columns in (
    (
        "ix_orders_owing_status_distributor_id_deposit_due_on",
        *("status", "distributor_id", "deposit_due_on", "deposit_amount", "paid_amount", "total"),
    ),
    (
        "ix_orders_owing_status_distributor_id_delivery_due_on",
        *("status", "distributor_id", "delivery_due_on", "balance_amount", "paid_amount", "total"),
    ),
):
    Index(_name, *(Order.__table__.c[c] for c in _columns), sqlite_where=_OWING, postgresql_where=_OWING)
