"""Monthly repair batches, their lines, repair-fee payments and service ratings (docs/rules.md §7.2;
contract §6.5.4). The rules are in portal.domain.repairs; these tables keep what happened and the
figures that lists and the ledger filter on (status, dates, amounts), kept current by the services
in the same transaction as the step that changes them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Date, ForeignKey, Index, String, UniqueConstraint, and_, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..boards.models import Board
from ..clock import utcnow
from ..db import Money, Percent, UTCDateTime, enum_column
from ..domain.repairs import (
    AWAITING_FEES,
    WITHHELD,
    WITHHELD_LABEL,
    BatchStatus,
    FaultCause,
    FeeBasis,
    InspectedLine,
    RatingItem,
    RatingLevel,
    RepairOutcome,
    is_withheld,
)
from ..domain.warranty import CoverageClass
from ..extensions import Model

ZERO = Decimal("0.00")


# The ledger's order, then what its rows, sums and download read (ix_repair_batches_unpaid/_settled).
LEDGER_INDEX_COLUMNS = (
    "fees_due_on",
    "number",
    "status",
    "amount_due",
    "paid_amount",
    "released",
    "distributor_id",
    "month",
    "notified_on",
)


class RepairBatch(Model):
    """返修批次: the boards one distributor sends back in one calendar month (at most one batch per
    distributor and month). Each step's date is kept; ``status_since`` is the day it entered its
    state (the work queue's "days in this state")."""

    __tablename__ = "repair_batches"
    __audited__ = True
    __table_args__ = (
        UniqueConstraint("distributor_id", "month", name="uq_repair_batches_distributor_id_month"),
        # The work queue's runs, one per status, each in its order (repairs.workshop_queries).
        Index("ix_repair_batches_status_status_since_id", "status", "status_since", "id"),
        Index(
            "ix_repair_batches_status_repair_due_on_status_since_id", "status", "repair_due_on", "status_since", "id"
        ),
        # The batches awaiting fees by due date, with what withheld_clause reads: the daily withholding
        # and the queue's count of the withheld ones (workshop_queries.state_counts) read it alone.
        Index(
            "ix_repair_batches_status_fees_due_on_amounts",
            "status",
            "fees_due_on",
            "amount_due",
            "paid_amount",
            "released",
        ),
        # The batch list's order, unfiltered and by status (repairs.queries.batches_matching).
        Index("ix_repair_batches_month_id", "month", "id"),
        Index("ix_repair_batches_status_month_id", "status", "month", "id"),
        # The repair-fee ledger (repairs.ledger_queries): the batches with fees outstanding and those
        # without, each in the ledger's order (the earliest due first) and with every column its
        # page, sums and download read (the download of 150,000 batches reads the index alone);
        # partial, with the column-to-column predicates ledger_queries writes (SQLite uses a partial
        # index only when the query's WHERE holds its predicate literally).
        Index(
            "ix_repair_batches_unpaid",
            *LEDGER_INDEX_COLUMNS,
            sqlite_where=text("paid_amount < amount_due"),
            postgresql_where=text("paid_amount < amount_due"),
        ),
        Index(
            "ix_repair_batches_settled",
            *LEDGER_INDEX_COLUMNS,
            sqlite_where=text("paid_amount >= amount_due"),
            postgresql_where=text("paid_amount >= amount_due"),
        ),
        # Each distributor's batches with the amounts its ledger totals sum (index-only GROUP BY).
        Index(
            "ix_repair_batches_distributor_fees",
            "distributor_id",
            "status",
            "amount_due",
            "paid_amount",
            "fees_due_on",
            "released",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)  # FX-HZ001-2026-11
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"), index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)  # its terms
    month: Mapped[str] = mapped_column(String(7))  # "2026-11"
    status: Mapped[BatchStatus] = mapped_column(enum_column(BatchStatus), default=BatchStatus.OPEN)
    status_since: Mapped[date] = mapped_column(Date)

    # The distributor ships it (§6.5.4: days 1-10 of the month; outside them it is late).
    shipped_on: Mapped[date | None] = mapped_column(Date)
    carrier: Mapped[str] = mapped_column(String(100), default="")
    tracking_number: Mapped[str] = mapped_column(String(100), default="")
    shipped_late: Mapped[bool] = mapped_column(default=False)
    # Head office.
    received_on: Mapped[date | None] = mapped_column(Date)
    repair_due_on: Mapped[date | None] = mapped_column(Date, index=True)  # received + 30 days
    inspected_on: Mapped[date | None] = mapped_column(Date)  # when the last line was inspected
    repaired_on: Mapped[date | None] = mapped_column(Date)
    turnaround_late: Mapped[bool] = mapped_column(default=False)
    notified_on: Mapped[date | None] = mapped_column(Date)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))
    # Notified + 7 days. The day before a change is loaded if need be (active_history): the fees
    # owed kept per due day recount the day a batch leaves as well as the one it joins (owed.py).
    fees_due_on: Mapped[date | None] = mapped_column(Date, active_history=True)
    returned_on: Mapped[date | None] = mapped_column(Date)
    return_carrier: Mapped[str] = mapped_column(String(100), default="")
    return_tracking_number: Mapped[str] = mapped_column(String(100), default="")

    # Money, fixed when the fees are notified (until then: what the lines say so far).
    return_freight: Mapped[Decimal] = mapped_column(Money(), default=ZERO)
    freight_charged: Mapped[Decimal] = mapped_column(Money(), default=ZERO)
    fees_total: Mapped[Decimal] = mapped_column(Money(), default=ZERO)
    amount_due: Mapped[Decimal] = mapped_column(Money(), default=ZERO)
    # Follows the payments not voided (domain.repairs.status_from_payments).
    paid_amount: Mapped[Decimal] = mapped_column(Money(), default=ZERO)
    paid_on: Mapped[date | None] = mapped_column(Date)

    # Withholding (§6.5.4: 甲方有权不于退还): the daily command marks an overdue batch and sends one
    # reminder; a head-office user may release it with a reason (kept in the audit trail).
    withheld_on: Mapped[date | None] = mapped_column(Date)
    reminder_notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))
    released: Mapped[bool] = mapped_column(default=False)
    released_on: Mapped[date | None] = mapped_column(Date)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    release_reason: Mapped[str] = mapped_column(String(500), default="")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    distributor = relationship("Distributor")
    agreement = relationship("Agreement")
    notice = relationship("Notice", foreign_keys=[notice_id])
    reminder_notice = relationship("Notice", foreign_keys=[reminder_notice_id])
    lines: Mapped[list[RepairLine]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", order_by="RepairLine.id"
    )
    payments: Mapped[list[RepairFeePayment]] = relationship(
        back_populates="batch", order_by="RepairFeePayment.received_on"
    )
    rating: Mapped[RepairRating | None] = relationship(back_populates="batch", uselist=False)

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.distributor_id == distributor_id

    def __str__(self) -> str:
        return self.number

    @property
    def unpaid(self) -> Decimal:
        return self.amount_due - self.paid_amount

    def is_withheld(self, on: date) -> bool:
        """Head office holds the boards on ``on``: fees overdue and not released (§6.5.4)."""
        return is_withheld(self.status, unpaid=self.unpaid, due_on=self.fees_due_on, released=self.released, on=on)

    @classmethod
    def withheld_clause(cls, on: date) -> ColumnElement[bool]:
        """:meth:`is_withheld` in SQL, for every list, filter and the daily command (one home; the
        tests of the ledger, the queue, the list and the API each hold it to the domain rule)."""
        return and_(
            cls.awaiting_clause(),
            cls.amount_due > cls.paid_amount,
            cls.fees_due_on.is_not(None),
            cls.fees_due_on < on,
        )

    @classmethod
    def awaiting_clause(cls) -> ColumnElement[bool]:
        """The part of :meth:`withheld_clause` that does not depend on the day: head office holds the
        boards awaiting the fees and nobody released the batch (FeesOwedDay.awaiting counts it)."""
        return and_(cls.status.in_(AWAITING_FEES), cls.released.is_(False))

    def shown_status(self, on: date) -> str:
        """The status as pages and the API show it on ``on``: ``withheld`` while fees are overdue and
        the batch is not released, else the stored state (docs/api.md)."""
        return WITHHELD if self.is_withheld(on) else self.status.value

    def shown_status_label(self, on: date) -> str:
        """The msgid of :meth:`shown_status`, for the pages to translate."""
        return WITHHELD_LABEL if self.is_withheld(on) else self.status.label


class FeesOwedDay(Model):
    """Kept current: the repair fees still owed on the batches whose fees fall due on one day
    (docs/rules.md §7.2), so finance's home page and the ledger's grand total add up a row per due day, a
    few hundred a year whatever the number of distributors, instead of every batch owing.

    ``batches`` are the notified batches with fees outstanding, ``charged`` and ``paid`` their amounts
    due and paid (what they owe is the difference); ``awaiting`` those of them head office holds
    awaiting the fees, not released (RepairBatch.awaiting_clause); ``settled`` the notified batches
    owing nothing (with ``batches``, the ledger's count of batches: ledger_queries.ledger_page).
    Nothing here depends on the day: on any day, the days before it are the overdue ones, aged by
    their distance from it, and their ``awaiting`` the withheld batches
    (ledger_queries.network_fees_owed, network_grand_totals). A day whose fees are all paid keeps
    its row: rows are made once and then only updated, so that concurrent transactions lock them
    in turn (db.recount_rows).

    Rewritten by :func:`portal.repairs.owed.refresh_fees_owed` in the transaction of every change to
    a batch (the compliance figures' hook) and in full by the daily ``refresh-compliance`` and the
    bench generator; tests/repairs/test_fees_owed.py proves it equal to a recount."""

    __tablename__ = "repair_fees_owed"

    fees_due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    batches: Mapped[int] = mapped_column(default=0)
    charged: Mapped[Decimal] = mapped_column(Money(), default=ZERO)
    paid: Mapped[Decimal] = mapped_column(Money(), default=ZERO)
    awaiting: Mapped[int] = mapped_column(default=0)
    settled: Mapped[int] = mapped_column(default=0)  # the notified batches due that day owing nothing


class RepairLine(Model):
    """One board in a batch, with the distributor's fault description; its coverage class on the
    batch's shipping date (set when it ships); head office's cause, outcome and fee, with the cap
    and what it came from; and its share of the return freight (set when the fees are notified)."""

    __tablename__ = "repair_lines"
    __audited__ = True
    __table_args__ = (UniqueConstraint("batch_id", "board_id", name="uq_repair_lines_batch_id_board_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("repair_batches.id", ondelete="CASCADE"), index=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"), index=True)
    fault_description: Mapped[str] = mapped_column(String(500), default="")
    coverage_class: Mapped[CoverageClass | None] = mapped_column(enum_column(CoverageClass))
    cause: Mapped[FaultCause | None] = mapped_column(enum_column(FaultCause))
    outcome: Mapped[RepairOutcome | None] = mapped_column(enum_column(RepairOutcome))
    charged: Mapped[bool | None] = mapped_column()
    fee: Mapped[Decimal | None] = mapped_column(Money())
    fee_basis: Mapped[FeeBasis | None] = mapped_column(enum_column(FeeBasis))
    fee_cap: Mapped[Decimal | None] = mapped_column(Money())  # None on a line with no cap
    cap_price: Mapped[Decimal | None] = mapped_column(Money())  # the price the cap is a share of
    cap_percent: Mapped[Decimal | None] = mapped_column(Percent())
    inspected_on: Mapped[date | None] = mapped_column(Date)
    freight_share: Mapped[Decimal] = mapped_column(Money(), default=ZERO)

    batch: Mapped[RepairBatch] = relationship(back_populates="lines")
    board: Mapped[Board] = relationship()

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.batch_id.in_(select(RepairBatch.id).where(RepairBatch.distributor_id == distributor_id))

    @property
    def inspected(self) -> InspectedLine | None:
        """The line as the fee and freight rules read it; None until it has a cause and an outcome."""
        if self.coverage_class is None or self.cause is None or self.outcome is None:
            return None
        return InspectedLine(self.coverage_class, self.cause, self.outcome, self.fee or ZERO)


class RepairFeePayment(Model):
    """Money received against a batch's repair fees (§6.5.4), with the order payments' rules: never
    deleted, voided with a reason; a bank reference is unique per distributor among repair-fee
    payments not voided."""

    __tablename__ = "repair_fee_payments"
    __audited__ = True
    __table_args__ = (
        Index(
            "uq_repair_fee_payments_distributor_bank_reference",
            "distributor_id",
            "bank_reference",
            unique=True,
            sqlite_where=text("voided_at IS NULL"),
            postgresql_where=text("voided_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("repair_batches.id"), index=True)
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    received_on: Mapped[date] = mapped_column(Date, index=True)
    bank_reference: Mapped[str] = mapped_column(String(60))
    payer: Mapped[str] = mapped_column(String(200), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_reason: Mapped[str] = mapped_column(String(500), default="")

    batch: Mapped[RepairBatch] = relationship(back_populates="payments")

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.distributor_id == distributor_id


class RepairRating(Model):
    """The distributor's service rating of a returned batch: the survey card's four items, each on
    four levels, and an optional comment (after-sales management rules; docs/rules.md §7.2)."""

    __tablename__ = "repair_ratings"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("repair_batches.id"), unique=True)
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"), index=True)
    attitude: Mapped[RatingLevel] = mapped_column(enum_column(RatingLevel))
    skill: Mapped[RatingLevel] = mapped_column(enum_column(RatingLevel))
    timeliness: Mapped[RatingLevel] = mapped_column(enum_column(RatingLevel))
    promises: Mapped[RatingLevel] = mapped_column(enum_column(RatingLevel))
    comment: Mapped[str] = mapped_column(String(1000), default="")
    rated_on: Mapped[date] = mapped_column(Date, index=True)
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    batch: Mapped[RepairBatch] = relationship(back_populates="rating")

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.distributor_id == distributor_id

    @property
    def card(self) -> dict[RatingItem, RatingLevel]:
        return {item: RatingLevel(getattr(self, item.value)) for item in RatingItem}
