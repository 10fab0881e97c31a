"""Monthly reports, their lines, the violations found in them and the quarters whose reports head
office has locked (docs/rules.md §8; contract §4.3, §4.4, §5.5). The rules are in
portal.domain.reports; these tables keep what was reported and what was found, with the evidence."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import Money, UTCDateTime, enum_column
from ..domain.reports import OutletKind, ViolationKind
from ..extensions import Model


class MonthlyReport(Model):
    """月报: one distributor's report of one calendar month (at most one per distributor and month).
    ``due_on`` is fixed from the agreement's ``monthly_report_due_day`` in force at the month's end;
    ``submitted_on`` is the first submission's date (a correction does not make it later)."""

    __tablename__ = "monthly_reports"
    __audited__ = True
    __table_args__ = (UniqueConstraint("distributor_id", "month", name="uq_monthly_reports_distributor_id_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"), index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # "2026-03"
    due_on: Mapped[date] = mapped_column(Date)
    submitted_on: Mapped[date] = mapped_column(Date)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    late: Mapped[bool] = mapped_column(default=False)  # submitted_on > due_on
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    corrections: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(String(1000), default="")

    distributor = relationship("Distributor")
    agreement = relationship("Agreement")
    inventory: Mapped[list[ReportInventoryLine]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportInventoryLine.id"
    )
    sales: Mapped[list[ReportSaleLine]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportSaleLine.id"
    )
    outlets: Mapped[list[ReportOutlet]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportOutlet.id"
    )
    violations: Mapped[list[Violation]] = relationship(back_populates="report", order_by="Violation.id")

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.distributor_id == distributor_id

    def __str__(self) -> str:
        return self.month


# The reports API's order: the latest month first, then by distributor.
Index("ix_monthly_reports_month_distributor_id", MonthlyReport.month.desc(), MonthlyReport.distributor_id)


class ReportInventoryLine(Model):
    """Inventory on hand of one product at the month's end."""

    __tablename__ = "report_inventory_lines"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("monthly_reports.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int]

    report: Mapped[MonthlyReport] = relationship(back_populates="inventory")
    product = relationship("Product")


class ReportSaleLine(Model):
    """One sell-through line: date, customer, the customer's region (GB/T 2260), product, quantity,
    unit price and the serials where known (space-separated)."""

    __tablename__ = "report_sale_lines"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("monthly_reports.id", ondelete="CASCADE"), index=True)
    sold_on: Mapped[date] = mapped_column(Date)
    customer: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6), ForeignKey("regions.code"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int]
    unit_price: Mapped[Decimal] = mapped_column(Money())
    serials: Mapped[str] = mapped_column(String(4000), default="")

    report: Mapped[MonthlyReport] = relationship(back_populates="sales")
    product = relationship("Product")
    region = relationship("Region")


class ReportOutlet(Model):
    """A sub-agent or outlet the distributor sells through, as reported that month; linked to the
    approved sub-agent request it matches, if any (§1.3)."""

    __tablename__ = "report_outlets"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("monthly_reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[OutletKind] = mapped_column(enum_column(OutletKind))
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6), ForeignKey("regions.code"))
    sub_agent_request_id: Mapped[int | None] = mapped_column(ForeignKey("sub_agent_requests.id"))

    report: Mapped[MonthlyReport] = relationship(back_populates="outlets")
    region = relationship("Region")


class Violation(Model):
    """A violation found in a report, kept with its evidence (copied from the line, so a correction
    that replaces the lines does not erase what was found). Head office may dismiss one with a
    reason (audited); the distributor sees its own."""

    __tablename__ = "violations"
    __audited__ = True
    __table_args__ = (
        # The list's order (the latest first: read backwards), alone and after its filters.
        Index("ix_violations_occurred_on_id", "occurred_on", "id"),
        Index("ix_violations_distributor_id_occurred_on_id", "distributor_id", "occurred_on", "id"),
        Index("ix_violations_kind_occurred_on_id", "kind", "occurred_on", "id"),
        Index("ix_violations_found_on", "found_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("monthly_reports.id"), index=True)
    kind: Mapped[ViolationKind] = mapped_column(enum_column(ViolationKind))
    occurred_on: Mapped[date] = mapped_column(Date)  # the sale's date, or the month's last day for an outlet
    found_on: Mapped[date] = mapped_column(Date)
    # Evidence.
    customer: Mapped[str] = mapped_column(String(200), default="")
    region_code: Mapped[str] = mapped_column(String(6), default="")
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int | None]
    unit_price: Mapped[Decimal | None] = mapped_column(Money())
    min_resale_price: Mapped[Decimal | None] = mapped_column(Money())
    outlet_name: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(String(1000), default="")
    # Head office's dismissal.
    dismissed_on: Mapped[date | None] = mapped_column(Date)
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dismiss_reason: Mapped[str] = mapped_column(String(500), default="")

    distributor = relationship("Distributor")
    report: Mapped[MonthlyReport] = relationship(back_populates="violations")
    product = relationship("Product")

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.distributor_id == distributor_id

    @property
    def dismissed(self) -> bool:
        return self.dismissed_on is not None


class QuarterLock(Model):
    """Head office has locked a quarter's reports: from then on they cannot be corrected (§8)."""

    __tablename__ = "quarter_locks"
    __audited__ = True

    quarter: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-Q1"
    locked_on: Mapped[date] = mapped_column(Date)
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
