"""Shipments and the serialized boards they carry (docs/rules.md §6, §7.1)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Date, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import Money, UTCDateTime
from ..domain.warranty import Coverage, Window
from ..extensions import Model
from ..orders.models import Order


class Shipment(Model):
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


class ShipmentLine(Model):
    __tablename__ = "shipment_lines"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int]

    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    product = relationship("Product")


class Board(Model):
    """板卡: one serial-numbered unit, with its warranty from its own shipment's date (§7.1)."""

    __tablename__ = "boards"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    # Compared by code point on every database (PostgreSQL: COLLATE "C", SQLite's BINARY), so the
    # prefix search's range (queries.serial_starts_with) holds whatever the server's collation.
    serial: Mapped[str] = mapped_column(String(60).with_variant(String(60, collation="C"), "postgresql"), unique=True)
    # Indexed with the list's order (below), which also serves a filter on each of them.
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    shipped_on: Mapped[date] = mapped_column(Date)
    warranty_end: Mapped[date] = mapped_column(Date, index=True)  # the coverage class filter
    unit_price: Mapped[Decimal] = mapped_column(Money())  # what it was sold at (§6.5.3 fallback)

    product = relationship("Product")
    order = relationship("Order")
    shipment: Mapped[Shipment] = relationship(back_populates="boards")
    # Loaded with the board in one more statement per list (selectin), never one per board.
    windows: Mapped[list[BoardWindow]] = relationship(
        back_populates="board", order_by="BoardWindow.starts_on", lazy="selectin"
    )
    # Its repairs, for the look-up's history. RepairLine belongs to portal.repairs, a higher layer, so
    # it is named here by string and read only (the repairs services write lines through
    # RepairLine.board). Never loaded by itself: a query that needs it says so
    # (queries.board_with_history), so a page cannot send one statement per repair by accident.
    repair_lines = relationship("RepairLine", viewonly=True, order_by="RepairLine.id", lazy="raise")

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.distributor_id == distributor_id

    @property
    def coverage(self) -> Coverage:
        """Its warranty and the post-repair windows its repairs gave it (docs/rules.md §7.1)."""
        return Coverage(self.shipped_on, self.warranty_end, tuple(Window(w.starts_on, w.ends_on) for w in self.windows))


# The boards list's order (newest shipment first, then serial), alone and after each filter it
# offers, so a page of 25 reads 25 index entries and never sorts (tests/test_query_plans.py).
Index("ix_boards_shipped_on_serial", Board.shipped_on.desc(), Board.serial)
Index("ix_boards_distributor_id_shipped_on_serial", Board.distributor_id, Board.shipped_on.desc(), Board.serial)
Index("ix_boards_product_id_shipped_on_serial", Board.product_id, Board.shipped_on.desc(), Board.serial)


class BoardWindow(Model):
    """A post-repair warranty (§6.5.3): from the day a repaired board that was out of coverage was
    shipped back to add_months(that day, 6), both inclusive. Written by the repair batch that
    returned it (portal.repairs), which it names; the board's coverage reads it."""

    __tablename__ = "board_windows"
    __audited__ = True
    __table_args__ = (Index("ix_board_windows_board_id_starts_on", "board_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date, index=True)
    repair_line_id: Mapped[int | None] = mapped_column(ForeignKey("repair_lines.id"), unique=True)

    board: Mapped[Board] = relationship(back_populates="windows")


class DeliveryDay(Model):
    """Kept current: the orders whose delivery falls due on one day (§6.4.1, docs/rules.md §6),
    counted by where they stand: shipped by that day (on time), shipped after it (late), and not
    shipped yet (``waiting``). Head office's on-time delivery summary adds up these rows, a few
    hundred a year whatever the number of distributors, instead of counting orders
    (queries.delivery_counts). Nothing here depends on the day: on any day, the waiting orders of
    the days before it are the overdue ones, the others not yet due.

    Recounted by :func:`portal.boards.tallies.refresh_tallies` for the due days of the orders a
    transaction wrote (the compliance figures' hook), and for every day by the daily
    ``refresh-compliance`` and the bench generator; rows are never deleted (db.recount_rows).
    tests/boards/test_delivery.py proves them equal to a recount."""

    __tablename__ = "delivery_days"

    delivery_due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    on_time: Mapped[int] = mapped_column(default=0)
    shipped_late: Mapped[int] = mapped_column(default=0)
    waiting: Mapped[int] = mapped_column(default=0)
