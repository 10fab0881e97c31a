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

#: How many quarters the standings add up: the overview's default window, the last four quarters
#: up to the current one (portal.compliance.standings.window).
STANDING_QUARTERS = 4


class DistributorSide:
    """The distributor's side of the §10 figures (queries.DISTRIBUTOR_SIDE): of one agreement's
    quarter in QuarterFigures, added up over the window in Standing."""

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


class QuarterFigures(DistributorSide, Model):
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

    # The distributor's side: DistributorSide's columns.
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


class Standing(DistributorSide, Model):
    """Kept current: one distributor's figures over the overview's default window (the last
    :data:`STANDING_QUARTERS` quarters as of the day they were refreshed for), added up from its
    QuarterFigures rows, with the score and the code and province the ranking sorts and the sales
    by province groups by (docs/rules.md §10). A row per distributor with figures in the window.

    Rewritten by :func:`portal.compliance.standings.refresh_standings`, which the figures' refresh
    calls: in the transaction of every change to the distributor's figures, code or region, and for
    every distributor by the daily ``refresh-compliance``, so the window follows the day the daily
    command runs. The overview reads them only when every row is of the window it shows
    (portal.compliance.standings.usable); tests/compliance/test_standings.py proves the ranking read
    from them equal to the grouped query's."""

    __tablename__ = "standings"
    __table_args__ = (Index("ix_standings_province_code", "province_code"),)

    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"), primary_key=True, autoincrement=False)
    first_quarter: Mapped[str] = mapped_column(String(7))
    last_quarter: Mapped[str] = mapped_column(String(7))
    code: Mapped[str] = mapped_column(String(20))  # Distributor.code
    province_code: Mapped[str] = mapped_column(String(6))  # queries.province_of(Distributor.region_code)
    # The distributor's side, added up over the window: DistributorSide's columns.
    # The amount ordered in each quarter of the window, oldest first (the sales by province).
    ordered_1: Mapped[Decimal] = mapped_column(Money())
    ordered_2: Mapped[Decimal] = mapped_column(Money())
    ordered_3: Mapped[Decimal] = mapped_column(Money())
    ordered_4: Mapped[Decimal] = mapped_column(Money())
    # domain.compliance.compliance_score of the sums (the ranking's order).
    score: Mapped[Decimal] = mapped_column(Percent())


# The ranking's order (queries.standings_ranking): best score first, then by code.
Index("ix_standings_score_code_distributor_id", Standing.score.desc(), Standing.code, Standing.distributor_id)

#: Standing's per-quarter amounts, oldest quarter of the window first.
ORDERED_BY_QUARTER = tuple(f"ordered_{n}" for n in range(1, STANDING_QUARTERS + 1))
