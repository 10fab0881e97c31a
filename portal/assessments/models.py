"""Quarterly assessments (docs/rules.md §9; contract §2.1, §2.2, §4.5). One per agreement and
quarter. Computing one again refreshes its figures until it is reviewed; from the review on it is
frozen: the figures it was based on stay, whatever later corrections change."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ColumnElement, Date, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import Money, UTCDateTime, enum_column
from ..domain.assessments import AssessmentOutcome, attainment_percent
from ..extensions import Model


class Assessment(Model):
    """季度考核: one agreement's quarter, its figures and head office's outcome."""

    __tablename__ = "assessments"
    __audited__ = True
    __table_args__ = (UniqueConstraint("agreement_id", "quarter", name="uq_assessments_agreement_id_quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"))
    quarter: Mapped[str] = mapped_column(String(7))  # "2026-Q1"
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    full_quota: Mapped[Decimal] = mapped_column(Money())  # the quarterly quota in force
    quota: Mapped[Decimal] = mapped_column(Money())  # prorated by the days the term covers
    ordered_amount: Mapped[Decimal] = mapped_column(Money())
    # The conduct figures of §10 and the violations, as computed (frozen at the review).
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    violations: Mapped[int] = mapped_column(default=0)
    computed_on: Mapped[date] = mapped_column(Date)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # Head office's review.
    outcome: Mapped[AssessmentOutcome | None] = mapped_column(enum_column(AssessmentOutcome))
    comment: Mapped[str] = mapped_column(String(2000), default="")
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))
    revoked_region_codes: Mapped[str] = mapped_column(String(500), default="")  # space-separated
    promoted_from: Mapped[date | None] = mapped_column(Date)

    agreement = relationship("Agreement")
    distributor = relationship("Distributor")
    notice = relationship("Notice")
    reviewed_by = relationship("User")

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.distributor_id == distributor_id

    @property
    def frozen(self) -> bool:
        return self.reviewed_on is not None

    @property
    def attainment(self) -> Decimal | None:
        """Attainment in percent (84.78), or None for a zero quota ("no quota")."""
        return attainment_percent(self.ordered_amount, self.quota)

    @property
    def revoked_regions(self) -> list[str]:
        return self.revoked_region_codes.split()

    def __str__(self) -> str:
        return f"{self.quarter}"


# The list's order (latest quarter first, then distributor and agreement), alone and after each of
# its filters: a distributor (and a distributor's own list), an outcome, those still to review.
Index(
    "ix_assessments_quarter_distributor_id_agreement_id",
    Assessment.quarter.desc(),
    Assessment.distributor_id,
    Assessment.agreement_id,
)
Index(
    "ix_assessments_distributor_id_quarter_agreement_id",
    Assessment.distributor_id,
    Assessment.quarter.desc(),
    Assessment.agreement_id,
)
Index(
    "ix_assessments_outcome_quarter_distributor_id_agreement_id",
    Assessment.outcome,
    Assessment.quarter.desc(),
    Assessment.distributor_id,
    Assessment.agreement_id,
)
Index(
    "ix_assessments_to_review",
    Assessment.quarter.desc(),
    Assessment.distributor_id,
    Assessment.agreement_id,
    sqlite_where=text("reviewed_on IS NULL"),
    postgresql_where=text("reviewed_on IS NULL"),
)
