"""Purchase orders and their lines (docs/rules.md §6). Their payments are in
portal.receivables.models, their shipments and boards in portal.boards.models."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import Money, UTCDateTime, enum_column
from ..domain.orders import DeliveryState, OrderStatus, days_late, delivery_state
from ..extensions import Model


class Order(Model):
    """采购单: a distributor's order under one agreement."""

    __tablename__ = "orders"
    __audited__ = True
    __table_args__ = (
        Index("ix_orders_distributor_id_status", "distributor_id", "status"),
        Index("ix_orders_status_deposit_due_on", "status", "deposit_due_on"),
        # The list's order (newest first), alone and after each filter head office sorts with
        # (tests/test_query_plans.py): a page of 25 never sorts the orders.
        Index("ix_orders_created_at_id", "created_at", "id"),
        Index("ix_orders_status_created_at_id", "status", "created_at", "id"),
        Index("ix_orders_distributor_id_created_at_id", "distributor_id", "created_at", "id"),
        Index("ix_orders_period_created_at_id", "period", "created_at", "id"),
        # The on-time delivery list: its page in the index's order, and its counts (and pagination
        # total) from the index alone (boards.queries.deliveries_matching, delivery_counts).
        Index("ix_orders_delivery_due_on_id", "delivery_due_on", "id"),
        Index("ix_orders_delivery_due_on_shipped_on_status", "delivery_due_on", "shipped_on", "status"),
        # The orders not shipped yet that have a due date (the summary's overdue and not yet due):
        # a range of this index, however many orders were shipped before.
        Index("ix_orders_shipped_on_delivery_due_on_status", "shipped_on", "delivery_due_on", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # PO-2026-000042
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), default="")  # "2026-03" or "2026-Q1" (§6.2.1)
    wanted_delivery_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus), default=OrderStatus.DRAFT)
    is_first_order: Mapped[bool] = mapped_column(default=False)
    total: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    # Fixed at confirmation (§6.1.2: later price lists never change them).
    price_list_id: Mapped[int | None] = mapped_column(ForeignKey("price_lists.id"))
    confirmed_on: Mapped[date | None] = mapped_column(Date, index=True)
    deposit_amount: Mapped[Decimal | None] = mapped_column(Money())
    balance_amount: Mapped[Decimal | None] = mapped_column(Money())
    deposit_due_on: Mapped[date | None] = mapped_column(Date)
    # Follow from the payments not voided (domain.orders.payment_state); kept for lists and filters.
    paid_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    deposit_paid_on: Mapped[date | None] = mapped_column(Date)
    paid_in_full_on: Mapped[date | None] = mapped_column(Date)
    # The day before a change is loaded if need be (active_history): the delivery tallies kept per
    # due day recount the day an order leaves as well as the one it joins (boards.tallies).
    delivery_due_on: Mapped[date | None] = mapped_column(Date, active_history=True)
    shipped_on: Mapped[date | None] = mapped_column(Date)  # when the last units shipped
    submitted_on: Mapped[date | None] = mapped_column(Date)
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    reminder_notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    distributor = relationship("Distributor")
    agreement = relationship("Agreement")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    # Payments (portal.receivables) and shipments (portal.boards) belong to the areas above orders.
    payments = relationship("Payment", back_populates="order", order_by="Payment.received_on")
    shipments = relationship("Shipment", back_populates="order", order_by="Shipment.shipped_on")

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.distributor_id == distributor_id

    def __str__(self) -> str:
        return self.number

    def delivery_state(self, on: date) -> DeliveryState | None:
        """Whether the delivery due date is met on ``on`` (docs/rules.md §6): None until the deposit
        is paid, and for a cancelled order."""
        if self.status is OrderStatus.CANCELLED:
            return None
        return delivery_state(self.delivery_due_on, self.shipped_on, on)

    def delivery_days_late(self, on: date) -> int:
        """Days the last units shipped after the delivery due date, or, still to ship, ``on`` is after it."""
        if self.status is OrderStatus.CANCELLED:
            return 0
        return days_late(self.delivery_due_on, self.shipped_on, on)


class OrderLine(Model):
    __tablename__ = "order_lines"
    __audited__ = True
    __table_args__ = (UniqueConstraint("order_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[int]
    # Until confirmation, the price in force for the agreement's level (shown, not binding);
    # at confirmation, the locked price.
    unit_price: Mapped[Decimal] = mapped_column(Money())
    amount: Mapped[Decimal] = mapped_column(Money())
    shipped_quantity: Mapped[int] = mapped_column(default=0)

    order: Mapped[Order] = relationship(back_populates="lines")
    product = relationship("Product")
