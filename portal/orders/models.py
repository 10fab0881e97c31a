"""Purchase orders, their lines and payments; shipments and the serialized boards they carry
(docs/rules.md §6, §7.1)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Date, ForeignKey, Index, String, UniqueConstraint, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import Money, UTCDateTime, enum_column
from ..domain.orders import OrderStatus
from ..domain.warranty import Coverage
from ..extensions import db


class Order(db.Model):
    """采购单: a distributor's order under one agreement."""

    __tablename__ = "orders"
    __audited__ = True
    __table_args__ = (
        Index("ix_orders_distributor_id_status", "distributor_id", "status"),
        Index("ix_orders_status_deposit_due_on", "status", "deposit_due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # PO-2026-000042
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), default="")  # "2026-03" or "2026-Q1" (§6.2.1)
    wanted_delivery_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus), default=OrderStatus.DRAFT, index=True)
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
    delivery_due_on: Mapped[date | None] = mapped_column(Date, index=True)
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
    payments: Mapped[list[Payment]] = relationship(back_populates="order", order_by="Payment.received_on")
    shipments: Mapped[list[Shipment]] = relationship(back_populates="order", order_by="Shipment.shipped_on")

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.distributor_id == distributor_id

    def __str__(self) -> str:
        return self.number


class OrderLine(db.Model):
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


class Payment(db.Model):
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


class Shipment(db.Model):
    """Units leaving head office for an order, on one date (§6.4). A replacement for units lost or
    damaged in transit ships at no charge (§6.4.1)."""

    __tablename__ = "shipments"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    shipped_on: Mapped[date] = mapped_column(Date, index=True)
    carrier: Mapped[str] = mapped_column(String(100), default="")
    tracking_number: Mapped[str] = mapped_column(String(100), default="")
    replaces_shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"))
    lost_or_damaged: Mapped[bool] = mapped_column(default=False)
    loss_note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="shipments")
    lines: Mapped[list[ShipmentLine]] = relationship(back_populates="shipment", cascade="all, delete-orphan")
    boards: Mapped[list[Board]] = relationship(back_populates="shipment", order_by="Board.serial")

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.order_id.in_(select(Order.id).where(Order.distributor_id == distributor_id))


class ShipmentLine(db.Model):
    __tablename__ = "shipment_lines"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int]

    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    product = relationship("Product")


class Board(db.Model):
    """板卡: one serial-numbered unit, with its warranty from its own shipment's date (§7.1)."""

    __tablename__ = "boards"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(60), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    shipped_on: Mapped[date] = mapped_column(Date)
    warranty_end: Mapped[date] = mapped_column(Date)
    unit_price: Mapped[Decimal] = mapped_column(Money())  # what it was sold at (§6.5.3 fallback)

    product = relationship("Product")
    order = relationship("Order")
    shipment: Mapped[Shipment] = relationship(back_populates="boards")

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.distributor_id == distributor_id

    @property
    def coverage(self) -> Coverage:
        """Warranty only, until repair batches (a later issue) add post-repair windows."""
        return Coverage(self.shipped_on, self.warranty_end)
