"""Distributors: the regional agent companies that sign agreements (docs/rules.md §1)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import UTCDateTime, enum_column
from ..domain.distributors import DistributorStatus, Level
from ..extensions import Model, db


class Distributor(Model):
    __tablename__ = "distributors"
    __audited__ = True
    __table_args__ = (
        Index("ix_distributors_level_code", "level", "code"),
        Index("ix_distributors_status_code", "status", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    # Indexed with the list's order (by code) for its level and status filters.
    level: Mapped[Level] = mapped_column(enum_column(Level))
    status: Mapped[DistributorStatus] = mapped_column(enum_column(DistributorStatus), default=DistributorStatus.ACTIVE)
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    region_code: Mapped[str | None] = mapped_column(String(6), db.ForeignKey("regions.code"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    users = relationship("User", back_populates="distributor")
    region = relationship("Region")
    # Its agreements, for the areas below the agreements area (a written warning names one of
    # them): named rather than imported, so the dependency keeps pointing down.
    agreements = relationship("Agreement", viewonly=True, order_by="Agreement.number")

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.id == distributor_id

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
