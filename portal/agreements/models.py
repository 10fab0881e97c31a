"""Agreements, their versioned terms, authorised products, territories and sub-agent requests
(DOMAIN.md §3, §4)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, ColumnElement, Date, ForeignKey, Index, String, Table, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import Money, Percent, UTCDateTime, enum_column
from ..domain.agreements import AgreementStatus, Terms
from ..domain.agreements import status_on as agreement_status_on
from ..domain.distributors import Level
from ..domain.subagents import SubAgentStatus
from ..domain.territories import Grant
from ..extensions import db

agreement_products = Table(
    "agreement_products",
    db.metadata,
    Column("agreement_id", ForeignKey("agreements.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("products.id"), primary_key=True, index=True),
)


class Agreement(db.Model):
    """销售服务协议: the contract between head office and one distributor."""

    __tablename__ = "agreements"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # 协议号
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"), index=True)
    level: Mapped[Level] = mapped_column(enum_column(Level))
    signed_on: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[AgreementStatus] = mapped_column(enum_column(AgreementStatus), index=True,
                                                    default=AgreementStatus.DRAFT)
    activated_on: Mapped[date | None] = mapped_column(Date)
    terminated_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    distributor = relationship("Distributor")
    products = relationship("Product", secondary=agreement_products, order_by="Product.sku")
    term_versions: Mapped[list[AgreementTerms]] = relationship(
        back_populates="agreement", order_by="AgreementTerms.effective_from", cascade="all, delete-orphan")
    territories: Mapped[list[Territory]] = relationship(
        back_populates="agreement", order_by="Territory.granted_on", cascade="all, delete-orphan")

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.distributor_id == distributor_id

    def status_on(self, on: date) -> AgreementStatus:
        return agreement_status_on(self.status, self.ends_on, on)

    def terms_on(self, on: date) -> Terms:
        from ..domain.agreements import terms_in_force

        return terms_in_force([(v.effective_from, v.terms) for v in self.term_versions], on)

    def grants(self) -> list[Grant]:
        return [t.grant for t in self.territories]

    def __str__(self) -> str:
        return self.number


class AgreementTerms(db.Model):
    """One version of an agreement's terms, in force from ``effective_from``; the first version is
    the signed terms (effective from the start), later ones are amendments."""

    __tablename__ = "agreement_terms"
    __audited__ = True
    __table_args__ = (UniqueConstraint("agreement_id", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    first_order_min: Mapped[Decimal] = mapped_column(Money())
    quarterly_quota: Mapped[Decimal] = mapped_column(Money())
    deposit_percent: Mapped[Decimal] = mapped_column(Percent())
    deposit_due_days: Mapped[int]
    delivery_days: Mapped[int]
    warranty_months: Mapped[int]
    repair_fee_cap_percent: Mapped[Decimal] = mapped_column(Percent())
    post_repair_warranty_months: Mapped[int]
    repair_turnaround_days: Mapped[int]
    repair_fee_due_days: Mapped[int]
    revocation_notice_months: Mapped[int]
    monthly_report_due_day: Mapped[int]
    repair_batch_window_days: Mapped[int]

    agreement: Mapped[Agreement] = relationship(back_populates="term_versions")

    @property
    def terms(self) -> Terms:
        from ..domain.agreements import TERM_NAMES

        return Terms(**{name: getattr(self, name) for name in TERM_NAMES})

    @terms.setter
    def terms(self, terms: Terms) -> None:
        for name, value in terms.as_dict().items():
            setattr(self, name, value)


class Territory(db.Model):
    """A region granted to an agreement; a revocation notice sets when the grant ends (§4.5)."""

    __tablename__ = "territories"
    __audited__ = True
    __table_args__ = (Index("ix_territories_region_code_granted_on", "region_code", "granted_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), ForeignKey("regions.code"))
    granted_on: Mapped[date] = mapped_column(Date)
    revoked_on: Mapped[date | None] = mapped_column(Date)  # the notice date
    revoked_effective_on: Mapped[date | None] = mapped_column(Date)
    revocation_notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))

    agreement: Mapped[Agreement] = relationship(back_populates="territories")
    region = relationship("Region")

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.agreement_id.in_(select(Agreement.id).where(Agreement.distributor_id == distributor_id))

    @property
    def grant(self) -> Grant:
        return Grant(self.region_code, self.granted_on, self.revoked_effective_on)


class SubAgentRequest(db.Model):
    """A distributor asks head office to approve a sub-agent or outlet (§1.3)."""

    __tablename__ = "sub_agent_requests"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6), ForeignKey("regions.code"))
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[SubAgentStatus] = mapped_column(enum_column(SubAgentStatus), index=True,
                                                   default=SubAgentStatus.REQUESTED)
    reason: Mapped[str] = mapped_column(String(500), default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    distributor = relationship("Distributor")
    region = relationship("Region")

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.distributor_id == distributor_id
