"""Fixtures of the receivables area: a fixed "today", a priced product under an active agreement,
and the API caller."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from portal.agreements.models import Agreement
from portal.orders import services
from portal.orders.models import Order
from portal.products.models import Product

from ..api.conftest import api  # noqa: F401  (the API caller fixture)
from ..orders.builders import make_active_agreement, make_order, make_price_list, make_product

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> Iterator[date]:
    """The portal's Asia/Shanghai "today" is 2026-03-10 (noon there), whatever the real date."""
    monkeypatch.setattr("portal.clock.utcnow", lambda: datetime(2026, 3, 10, 4, 0, tzinfo=UTC))
    return TODAY


@dataclass
class Shop:
    agreement: Agreement
    board: Product

    def order(
        self, units: int = 50, *, confirm_on: date | None = date(2026, 3, 5), on: date = date(2026, 3, 1)
    ) -> Order:
        """An order of ``units`` boards at ¥1,200 (level 2): the agreement's first one is paid 100% up
        front, later ones 30%."""
        return make_order(self.agreement, {self.board: units}, on=on, confirm_on=confirm_on)

    def elsewhere(self) -> Shop:
        """The same product under another distributor's agreement."""
        return Shop(make_active_agreement(products=[self.board]), self.board)


@pytest.fixture
def shop(app) -> Shop:
    board = make_product("PBX-EXT-16")
    make_price_list({board: ("1000.00", "1200.00", "1500.00")})
    return Shop(make_active_agreement(products=[board]), board)


def pay(order: Order, amount: str, on: date, reference: str) -> None:
    services.record_payment(
        order,
        amount=Decimal(amount),
        received_on=on,
        bank_reference=reference,
        payer="杭州云帆",
        recorded_by_id=None,
        today=TODAY,
    )
