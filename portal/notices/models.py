"""Written notices (书面通知, docs/rules.md §11)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import UTCDateTime, enum_column
from ..domain.notices import NoticeType
from ..extensions import Model


class Notice(Model):
    """A formal, numbered notice to one distributor. Its text is fixed when it is issued, in both
    languages, so what was sent is what is read later."""

    __tablename__ = "notices"
    __audited__ = True
    __table_args__ = (
        UniqueConstraint("year", "sequence"),
        # The lists' order (newest first), alone and after the distributor and type filters.
        Index("ix_notices_issued_on_year_sequence", "issued_on", "year", "sequence"),
        Index("ix_notices_distributor_id_issued_on_year_sequence", "distributor_id", "issued_on", "year", "sequence"),
        Index("ix_notices_type_issued_on_year_sequence", "type", "issued_on", "year", "sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # TZ-2027-0042
    year: Mapped[int]
    sequence: Mapped[int]
    type: Mapped[NoticeType] = mapped_column(enum_column(NoticeType))
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"))
    issued_on: Mapped[date] = mapped_column(Date)
    effective_on: Mapped[date | None] = mapped_column(Date)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    body_zh: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id"), index=True)
    price_list_id: Mapped[int | None] = mapped_column(ForeignKey("price_lists.id"), index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    distributor = relationship("Distributor")
    agreement = relationship("Agreement")
    price_list = relationship("PriceList")
    issued_by = relationship("User", foreign_keys=[issued_by_id])
    acknowledged_by = relationship("User", foreign_keys=[acknowledged_by_id])

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        return cls.distributor_id == distributor_id

    @property
    def is_read(self) -> bool:
        """Read means acknowledged: the distributor confirmed reading it (docs/rules.md §11)."""
        return self.acknowledged_at is not None

    def title(self, locale: object) -> str:
        return self.title_en if str(locale).startswith("en") else self.title_zh

    def body(self, locale: object) -> str:
        return self.body_en if str(locale).startswith("en") else self.body_zh


class NoticeCounter(Model):
    """The last sequence number used in a year. Issuing a notice increments it in one UPDATE, which
    locks the row until the issuing transaction ends (SQLite: BEGIN IMMEDIATE serialises writers),
    so two notices never get the same number (services.next_number)."""

    __tablename__ = "notice_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)
