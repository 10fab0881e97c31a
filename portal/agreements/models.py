"""Agreements, their versioned terms, authorised products, territories and sub-agent requests
(docs/rules.md §3, §4)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Column,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    UniqueConstraint,
    and_,
    false,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import Money, Percent, UTCDateTime, enum_column
from ..domain.agreements import TERM_NAMES, AgreementStatus, Terms, binding_period, terms_in_force
from ..domain.agreements import status_on as agreement_status_on
from ..domain.distributors import Level
from ..domain.subagents import SubAgentStatus
from ..domain.territories import Grant
from ..extensions import Model, db

agreement_products = Table(
    "agreement_products",
    db.metadata,
    Column("agreement_id", ForeignKey("agreements.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("products.id"), primary_key=True, index=True),
)


class Agreement(Model):
    """销售服务协议: the contract between head office and one distributor."""

    __tablename__ = "agreements"
    __audited__ = True
    __audited_collections__ = {"products": "sku"}  # authorised products, by SKU (§12: changes to terms)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # 协议号
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"))  # indexed with the list's order
    level: Mapped[Level] = mapped_column(enum_column(Level))
    signed_on: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[AgreementStatus] = mapped_column(
        enum_column(AgreementStatus), index=True, default=AgreementStatus.DRAFT
    )
    activated_on: Mapped[date | None] = mapped_column(Date)
    # The effective date of a termination notice: the first day the agreement no longer binds.
    # The status reads "terminated" from that day on (status_on), before the daily command too.
    terminated_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    distributor = relationship("Distributor")
    products = relationship("Product", secondary=agreement_products, order_by="Product.sku")
    term_versions: Mapped[list[AgreementTerms]] = relationship(
        back_populates="agreement", order_by="AgreementTerms.effective_from", cascade="all, delete-orphan"
    )
    territories: Mapped[list[Territory]] = relationship(
        back_populates="agreement", order_by="Territory.granted_on", cascade="all, delete-orphan"
    )
    level_changes: Mapped[list[LevelChange]] = relationship(
        back_populates="agreement", order_by="LevelChange.effective_from", cascade="all, delete-orphan"
    )

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.distributor_id == distributor_id

    @classmethod
    def status_is(cls, status: AgreementStatus, on: date) -> ColumnElement[bool]:
        """SQL for ``status_on(on) == status`` (domain.agreements.status_on), so a list filtered
        by status agrees with the status each row shows, whatever the daily command stored."""
        activated = cls.status != AgreementStatus.DRAFT
        terminated = and_(cls.terminated_on.is_not(None), cls.terminated_on <= on)
        if status is AgreementStatus.DRAFT:
            return cls.status == AgreementStatus.DRAFT
        if status is AgreementStatus.TERMINATED:
            return and_(activated, terminated)
        if status is AgreementStatus.EXPIRED:
            return and_(activated, ~terminated, cls.ends_on < on)
        if status is AgreementStatus.ACTIVE:
            return and_(activated, ~terminated, cls.ends_on >= on)
        return false()

    @classmethod
    def binds_on(cls, on: date) -> ColumnElement[bool]:
        """SQL: the agreement binds both sides on ``on`` (activated, within its term, before a
        termination takes effect). Later areas use it: orders, reports, assessments."""
        return and_(
            cls.status != AgreementStatus.DRAFT,
            cls.starts_on <= on,
            cls.ends_on >= on,
            or_(cls.terminated_on.is_(None), cls.terminated_on > on),
        )

    def status_on(self, on: date) -> AgreementStatus:
        """The status on ``on`` read off the dates (see domain.agreements)."""
        return agreement_status_on(self.status, self.ends_on, on, self.terminated_on)

    def binding_period(self) -> tuple[date, date] | None:
        return binding_period(self.status, self.starts_on, self.ends_on, self.terminated_on)

    def binds(self, on: date) -> bool:
        period = self.binding_period()
        return period is not None and period[0] <= on <= period[1]

    def terms_on(self, on: date) -> Terms:
        """The terms in force on ``on``: the latest version effective on or before it (the signed
        terms for any earlier day). Every rule applies the version in force on its event's date."""
        return terms_in_force([(v.effective_from, v.terms) for v in self.term_versions], on)

    def version_on(self, on: date) -> AgreementTerms | None:
        """The stored version whose terms :meth:`terms_on` returns."""
        ordered = sorted(self.term_versions, key=lambda version: version.effective_from)
        chosen = ordered[0] if ordered else None
        for version in ordered:
            if version.effective_from <= on:
                chosen = version
        return chosen

    def level_on(self, on: date) -> Level:
        """The level on ``on``: the signed level, or the latest level change effective by then
        (§2.2). Orders confirmed on ``on`` take this level's prices."""
        level = self.level
        for change in self.level_changes:
            if change.effective_from <= on:
                level = change.level
        return level

    def grants(self) -> list[Grant]:
        return [t.grant for t in self.territories]

    def __str__(self) -> str:
        return self.number


# The list's order (latest start first, then number), alone and for one distributor's agreements;
# the latter also holds what decides whether an agreement binds during a month, so the reports'
# month grid finds and counts each distributor's binding agreement from the index alone
# (reports.queries._binds_during).
Index("ix_agreements_starts_on_number", Agreement.starts_on.desc(), Agreement.number)
Index(
    "ix_agreements_distributor_id_starts_on_number",
    Agreement.distributor_id,
    Agreement.starts_on.desc(),
    Agreement.number,
    Agreement.status,
    Agreement.ends_on,
    Agreement.terminated_on,
)


class AgreementTerms(Model):
    """One version of an agreement's terms, in force from ``effective_from``; the first version is
    the signed terms (effective from the start), later ones are amendments."""

    __tablename__ = "agreement_terms"
    __audited__ = True
    __table_args__ = (UniqueConstraint("agreement_id", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    # One column per term of domain.agreements.Terms, same name and kind (a test compares them).
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
        return Terms(**{name: getattr(self, name) for name in TERM_NAMES})

    @terms.setter
    def terms(self, terms: Terms) -> None:
        for name, value in terms.as_dict().items():
            setattr(self, name, value)


class LevelChange(Model):
    """An amendment of the agreement's level from a date (§2.2: a second-level agent promoted to
    first level after an assessment): orders confirmed from ``effective_from`` take that level's
    prices. ``Agreement.level`` stays the signed level."""

    __tablename__ = "agreement_level_changes"
    __audited__ = True
    __table_args__ = (UniqueConstraint("agreement_id", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    level: Mapped[Level] = mapped_column(enum_column(Level))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agreement: Mapped[Agreement] = relationship(back_populates="level_changes")


class Territory(Model):
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
    revocation_notice = relationship("Notice")

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.agreement_id.in_(select(Agreement.id).where(Agreement.distributor_id == distributor_id))

    @property
    def grant(self) -> Grant:
        return Grant(self.region_code, self.granted_on, self.revoked_effective_on)

    def is_granted(self, on: date) -> bool:
        """Granted on ``on`` (a notified revocation ends it at the start of its effective date)."""
        return self.grant.is_granted(on)


class SubAgentRequest(Model):
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
    status: Mapped[SubAgentStatus] = mapped_column(
        enum_column(SubAgentStatus), index=True, default=SubAgentStatus.REQUESTED
    )
    reason: Mapped[str] = mapped_column(String(500), default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    distributor = relationship("Distributor")
    region = relationship("Region")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.distributor_id == distributor_id
