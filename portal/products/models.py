"""Products: what agreements authorise, price lists price and orders buy (docs/rules.md §3, §5)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model


class Product(Model):
    __tablename__ = "products"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(100), default="", index=True)
    serialized: Mapped[bool] = mapped_column(default=True)  # boards carry serial numbers (§7)
    active: Mapped[bool] = mapped_column(default=True, index=True)

    # The agreements that authorise the product (Agreement.products read from this side), named
    # rather than imported: the agreements area sits above the products area.
    authorised_by = relationship("Agreement", secondary="agreement_products", viewonly=True)

    @classmethod
    def distributor_scope(cls, distributor_id: int | None) -> ColumnElement[bool]:
        """A distributor sees the products that one of its agreements authorises."""
        return cls.authorised_by.any(distributor_id=distributor_id)

    def name(self, locale: Any) -> str:
        return self.name_en if str(locale).startswith("en") and self.name_en else self.name_zh

    def __str__(self) -> str:
        return f"{self.sku} {self.name_zh}"
