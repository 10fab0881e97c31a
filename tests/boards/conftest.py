"""Fixtures of the boards area: a fixed "today", a serialized board and a cable under an active
agreement, paid orders ready to ship, and the API caller."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from portal.agreements.models import Agreement
from portal.domain.agreements import Terms
from portal.domain.roles import Role
from portal.orders import services
from portal.orders.models import Order, Shipment
from portal.orders.services import ShipmentLineRequest
from portal.products.models import Product

from ..api.conftest import api  # noqa: F401  (the API caller fixture)
from ..orders.builders import make_active_agreement, make_order, make_price_list, make_product

TODAY = date(2026, 3, 10)
_references = itertools.count(1)


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> Iterator[date]:
    """The portal's Asia/Shanghai "today" is 2026-03-10 (noon there), whatever the real date."""
    monkeypatch.setattr("portal.clock.utcnow", lambda: datetime(2026, 3, 10, 4, 0, tzinfo=UTC))
    return TODAY


@dataclass
class Shop:
    agreement: Agreement
    board: Product
    cable: Product

    def order(
        self,
        boards: int = 50,
        cables: int = 0,
        *,
        confirm_on: date = date(2026, 3, 2),
        paid_on: date | None = date(2026, 3, 3),
    ) -> Order:
        """An order of boards at ¥1,200 and cables at ¥12 (level 2), paid in full on ``paid_on``."""
        quantities = {self.board: boards, **({self.cable: cables} if cables else {})}
        order = make_order(self.agreement, quantities, on=min(confirm_on, date(2026, 3, 1)), confirm_on=confirm_on)
        if paid_on is not None:
            services.record_payment(
                order,
                amount=order.total,
                received_on=paid_on,
                bank_reference=f"REF-{next(_references)}",
                payer="",
                recorded_by_id=None,
                today=TODAY,
            )
        return order

    def ship(self, order: Order, serials: list[str], on: date = date(2026, 3, 4)) -> Shipment:
        return services.ship_order(
            order, [ShipmentLineRequest(self.board.id, len(serials), serials)], shipped_on=on, role=Role.SALES, today=on
        )

    def elsewhere(self) -> Shop:
        """The same products under another distributor's agreement."""
        return Shop(make_active_agreement(products=[self.board, self.cable]), self.board, self.cable)


def make_shop(terms: Terms | None = None) -> Shop:
    board, cable = make_product("PBX-EXT-16"), make_product("ACC-CBL", serialized=False)
    make_price_list({board: ("1000.00", "1200.00", "1500.00"), cable: ("10.00", "12.00", "15.00")})
    return Shop(make_active_agreement(products=[board, cable], terms=terms), board, cable)


@pytest.fixture
def shop(app) -> Shop:
    return make_shop()
