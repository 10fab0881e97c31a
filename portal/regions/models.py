"""Regions: provinces, cities and districts keyed by GB/T 2260 code (docs/rules.md §4)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import enum_column
from ..domain.regions import RegionLevel
from ..extensions import Model


class Region(Model):
    __tablename__ = "regions"
    __audited__ = True

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    level: Mapped[RegionLevel] = mapped_column(enum_column(RegionLevel), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(6), ForeignKey("regions.code"), index=True)
    longitude: Mapped[str] = mapped_column(String(20), default="")
    latitude: Mapped[str] = mapped_column(String(20), default="")

    parent = relationship("Region", remote_side=[code])

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
