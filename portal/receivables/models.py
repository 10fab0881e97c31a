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
