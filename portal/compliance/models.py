"""The quarter figures of §10, per agreement and quarter, kept current (docs/rules.md §10).

Each row holds plain counts (due, met) from which every rate and the score are read; it is
refreshed in the same transaction as the orders, payments, batches, ratings, notices and reports it
comes from (portal.compliance.figures), so the head-office overview reads this table and never
scans history on a request. A test proves the table equal to a full recomputation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Money, Percent
from ..extensions import Model


class QuarterFigures(Model):
    __tablename__ = "quarter_figures"
    __table_args__ = (
        UniqueConstraint("agreement_id", "quarter", name="uq_quarter_figures_agreement_id_quarter"),
        Index("ix_quarter_figures_quarter_distributor_id", "quarter", "distributor_id"),
        Index("ix_quarter_figures_distributor_id_quarter", "distributor_id", "quarter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"))
    quarter: Mapped[str] = mapped_column(String(7))  # "2026-Q1"
    as_of: Mapped[date] = mapped_column(Date)  # the day the figures were last refreshed for

    # The distributor's side.
    quota: Mapped[Decimal] = mapped_column(Money())
    ordered_amount: Mapped[Decimal] = mapped_column(Money())
    deposits_due: Mapped[int] = mapped_column(default=0)
    deposits_on_time: Mapped[int] = mapped_column(default=0)
    fees_due: Mapped[int] = mapped_column(default=0)
    fees_on_time: Mapped[int] = mapped_column(default=0)
    reports_due: Mapped[int] = mapped_column(default=0)
    reports_on_time: Mapped[int] = mapped_column(default=0)
    batches_shipped: Mapped[int] = mapped_column(default=0)
    batches_in_window: Mapped[int] = mapped_column(default=0)
    violations_cross_territory: Mapped[int] = mapped_column(default=0)
    violations_below_price: Mapped[int] = mapped_column(default=0)
    violations_unapproved_sub_agent: Mapped[int] = mapped_column(default=0)
    # Head office's side towards that distributor.
    orders_due: Mapped[int] = mapped_column(default=0)
    orders_on_time: Mapped[int] = mapped_column(default=0)
    batches_received: Mapped[int] = mapped_column(default=0)
    batches_repaired_in_time: Mapped[int] = mapped_column(default=0)
    price_notices: Mapped[int] = mapped_column(default=0)
    price_notices_before: Mapped[int] = mapped_column(default=0)
    rating_items: Mapped[int] = mapped_column(default=0)
    rating_items_satisfied: Mapped[int] = mapped_column(default=0)
    # The distributor's compliance score, 0-100 (docs/rules.md §10), stored for the overview's sort.
    score: Mapped[Decimal] = mapped_column(Percent())

    agreement = relationship("Agreement")
    distributor = relationship("Distributor")

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.distributor_id == distributor_id
