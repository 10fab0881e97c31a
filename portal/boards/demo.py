"""Demo orders (in the boards area, the highest one the story reaches: it books payments and ships
boards as well as ordering): up to two years of them for every active agreement, in every state, made through
the order services so every rule holds.

It runs after the products, price lists, agreements and notices demos. For each agreement with
status active it places the first order (at least the first-order minimum, paid 100% up front, shipped
and closed), then orders paid on time and late, one with a voided payment, one lost in transit and
replaced free, partly shipped, paid in full and waiting, deposit paid, confirmed with the deposit
overdue, just confirmed, submitted, drafts and cancelled ones. Dates are relative to ``today`` and
fit inside the agreement's term and the price lists in force; a scenario that does not fit is left
out, and without an active agreement nothing is made. Serials read like HZ2025-000123
(the look-up form shows XX0000-000000, which no board has).
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from ..accounts.models import User
from ..agreements.models import Agreement
from ..domain.agreements import AgreementStatus
from ..domain.errors import DomainError
from ..domain.pricing import PriceListStatus
from ..domain.roles import Role
from ..extensions import db
from ..orders import services
from ..orders.models import Order
from ..pricing.models import PriceList
from ..pricing.services import list_in_force
from ..products.models import Product
from ..receivables import services as payments
from ..receivables.models import Payment
from . import services as shipping
from .models import Board, Shipment

log = logging.getLogger(__name__)

DAY = timedelta(days=1)
TWO_YEARS = timedelta(days=730)
BANKS = ("ICBC", "CCB", "BOC", "ABC", "CMB")


@dataclass(frozen=True)
class Scenario:
    """One demo order: where it starts in the agreement's window (0 = the window's first day,
    1 = as late as it fits), how many days its story needs, and the story."""

    name: str
    at: float
    span: int
    play: Callable[[Demo, date], None]


class Demo:
    """Plays the scenarios for one agreement."""

    def __init__(
        self, agreement: Agreement, today: date, serials: itertools.count[int], finance_id: int | None
    ) -> None:
        self.agreement = agreement
        self.today = today
        self.serials = serials
        self.finance_id = finance_id
        self.references = itertools.count(1)
        self.prefix = "".join(c for c in agreement.distributor.code if c.isalpha())[:2] or "SN"

    # --- what can be ordered when ----------------------------------------------------------------

    def prices(self, on: date, confirm_on: date) -> dict[Product, Decimal]:
        """Authorised products priced for the agreement's level both on the order date and on the
        confirmation date: serialized boards first, the dearest (the main control board) leading."""
        products = list(self.agreement.products)
        ids = [p.id for p in products]
        now = services.agent_prices(list_in_force(on), ids, self.agreement, on)
        then = services.agent_prices(list_in_force(confirm_on), ids, self.agreement, confirm_on)
        priced = [p for p in products if p.id in now and p.id in then and p.active]
        priced.sort(key=lambda p: (not p.serialized, -then[p.id]))
        return {p: then[p.id] for p in priced}

    def lines(self, on: date, confirm_on: date, units: int, first: bool = False) -> list[services.LineRequest]:
        prices = self.prices(on, confirm_on)
        boards = [p for p in prices if p.serialized]
        if not boards:
            raise DomainError("no serialized product is priced for this agreement")
        main = boards[0]
        if first:
            minimum = self.agreement.terms_on(confirm_on).first_order_min
            units = max(units, math.ceil(minimum / prices[main]) + 2)
        lines = [services.LineRequest(main.id, units)]
        if len(boards) > 1:
            lines.append(services.LineRequest(boards[1].id, max(units // 4, 1)))
        spare = [p for p in prices if not p.serialized]
        if spare:
            lines.append(services.LineRequest(spare[0].id, 2))
        return lines

    # --- the steps, through the services ---------------------------------------------------------

    def place(
        self, on: date, confirm_on: date | None, units: int, *, first: bool = False, submit: bool = True
    ) -> Order:
        lines = self.lines(on, confirm_on or on, units, first)
        order = services.create_order(
            self.agreement,
            lines,
            on=on,
            created_by_id=None,
            period=f"{on.year}-{on.month:02d}",
            wanted_delivery_on=on + 30 * DAY,
        )
        if submit or confirm_on:
            services.submit_order(order, Role.DISTRIBUTOR, on)
        if confirm_on:
            services.confirm_order(order, Role.SALES, confirm_on, today=self.today)
        return order

    def pay(self, order: Order, amount: Decimal | None, on: date) -> Payment:
        if amount is None:  # a deposit or balance of an order placed without a confirmation date
            raise ValueError(f"{order.number} is not confirmed: nothing is due on it yet")
        self.not_after_today(on)
        bank = BANKS[order.id % len(BANKS)]
        return payments.record_payment(
            order,
            amount=amount,
            received_on=on,
            bank_reference=f"{bank}{on:%Y%m%d}-{next(self.references):04d}",
            payer=self.agreement.distributor.name,
            recorded_by_id=self.finance_id,
            today=self.today,
        )

    def ship(self, order: Order, on: date, share: float = 1.0) -> Shipment:
        """Ship ``share`` of each line's remaining units (at least one of the first line)."""
        self.not_after_today(on)
        requests = []
        for index, line in enumerate(order.lines):
            left = line.quantity - line.shipped_quantity
            units = left if share >= 1 else max(int(left * share), 1 if index == 0 else 0)
            if units:
                requests.append(
                    shipping.ShipmentLineRequest(
                        line.product_id, units, self.new_serials(on, units) if line.product.serialized else []
                    )
                )
        return shipping.ship_order(
            order,
            requests,
            shipped_on=on,
            role=Role.SALES,
            today=self.today,
            carrier="顺丰速运",
            tracking_number=f"SF{on:%y%m%d}{order.id:04d}{len(order.shipments):02d}",
        )

    def not_after_today(self, on: date) -> None:
        if on > self.today:
            raise DomainError("the demo story runs past today")

    def new_serials(self, on: date, units: int) -> list[str]:
        return [f"{self.prefix}{on.year}-{next(self.serials):06d}" for _ in range(units)]

    def close(self, order: Order) -> None:
        """Shipped → closed."""
        services.close_order(order, Role.SALES)

    def terms(self, on: date) -> tuple[int, int]:
        terms = self.agreement.terms_on(on)
        return terms.deposit_due_days, terms.delivery_days


# --- the stories ---------------------------------------------------------------------------------


def first_order_closed(demo: Demo, start: date) -> None:
    """§2.1: the first order reaches the minimum and is paid 100% before anything ships."""
    order = demo.place(start, start + DAY, 40, first=True)
    demo.pay(order, order.total, start + 2 * DAY)
    demo.ship(order, start + 10 * DAY)
    demo.close(order)


def paid_on_time_shipped_in_parts(demo: Demo, start: date) -> None:
    confirm_on = start + 2 * DAY
    due_days, delivery_days = demo.terms(confirm_on)
    order = demo.place(start, confirm_on, 24)
    deposit_on = confirm_on + min(due_days, 2) * DAY
    demo.pay(order, order.deposit_amount, deposit_on)
    demo.pay(order, order.balance_amount, deposit_on + 12 * DAY)
    demo.ship(order, deposit_on + 14 * DAY, share=0.5)
    demo.ship(order, deposit_on + max(15, min(delivery_days, 28)) * DAY)
    demo.close(order)


def late_deposit_late_delivery(demo: Demo, start: date) -> None:
    """A deposit paid after its due date postpones delivery; head office still ships late."""
    order = demo.place(start, start + DAY, 16)
    due_days, delivery_days = demo.terms(start + DAY)
    paid_on = start + (1 + due_days + 4) * DAY
    demo.pay(order, order.deposit_amount, paid_on)
    demo.pay(order, order.balance_amount, paid_on + 5 * DAY)
    demo.ship(order, paid_on + (delivery_days + 6) * DAY)


def lost_in_transit_replaced(demo: Demo, start: date) -> None:
    """§6.4.1: loss in transit is head office's; two replacement boards ship free."""
    order = demo.place(start, start + DAY, 12)
    demo.pay(order, order.total, start + 3 * DAY)
    shipment = demo.ship(order, start + 8 * DAY)
    shipping.mark_lost_or_damaged(shipment, "物流外箱破损，两块板卡运输途中损坏 / two boards damaged in transit")
    line = shipment.lines[0]
    demo.not_after_today(start + 14 * DAY)
    shipping.ship_replacement(
        shipment,
        [shipping.ShipmentLineRequest(line.product_id, 2, demo.new_serials(start + 14 * DAY, 2))],
        shipped_on=start + 14 * DAY,
        today=demo.today,
        carrier="顺丰速运",
    )


def voided_payment(demo: Demo, start: date) -> None:
    """Finance books a wrong amount, voids it with a reason and books the right one."""
    order = demo.place(start, start + DAY, 10)
    assert order.deposit_amount is not None  # confirmed on start + 1 day
    wrong = demo.pay(order, order.deposit_amount + Decimal("100.00"), start + 2 * DAY)
    payments.void_payment(wrong, reason="金额录入错误（多录 ¥100.00）", voided_by_id=demo.finance_id)
    demo.pay(order, order.deposit_amount, start + 3 * DAY)
    demo.pay(order, order.balance_amount, start + 10 * DAY)
    demo.ship(order, start + 15 * DAY)


def cancelled_deposit_overdue(demo: Demo, start: date) -> None:
    order = demo.place(start, start + DAY, 8)
    services.cancel_order(order, Role.SALES, start + 12 * DAY, "定金逾期未付，按协议第 6.3 条取消订单")


def cancelled_draft(demo: Demo, start: date) -> None:
    order = demo.place(start, None, 5, submit=False)
    services.cancel_order(order, Role.DISTRIBUTOR, start + DAY)


def partly_shipped(demo: Demo, start: date) -> None:
    order = demo.place(start, start + DAY, 20)
    demo.pay(order, order.deposit_amount, start + 2 * DAY)
    demo.pay(order, order.balance_amount, start + 5 * DAY)
    demo.ship(order, start + 8 * DAY, share=0.4)


def paid_in_full_waiting(demo: Demo, start: date) -> None:
    order = demo.place(start, start + DAY, 14)
    demo.pay(order, order.deposit_amount, start + 2 * DAY)
    demo.pay(order, order.balance_amount, start + 6 * DAY)


def deposit_paid(demo: Demo, start: date) -> None:
    order = demo.place(start, start + DAY, 18)
    demo.pay(order, order.deposit_amount, start + 3 * DAY)


def deposit_overdue(demo: Demo, start: date) -> None:
    """Confirmed, the deposit partly paid and now overdue: receivables and the daily reminder show it."""
    order = demo.place(start, start + DAY, 15)
    assert order.deposit_amount is not None  # confirmed on start + 1 day
    demo.pay(order, (order.deposit_amount / 3).quantize(Decimal("0.01")), start + 2 * DAY)


def just_confirmed(demo: Demo, start: date) -> None:
    demo.place(start, start, 9)


def submitted(demo: Demo, start: date) -> None:
    demo.place(start, None, 11)


def draft(demo: Demo, start: date) -> None:
    demo.place(start, None, 6, submit=False)


SCENARIOS = [
    Scenario("first order, closed", 0.0, 12, first_order_closed),
    Scenario("paid on time, shipped in parts", 0.1, 45, paid_on_time_shipped_in_parts),
    Scenario("late deposit, late delivery", 0.25, 60, late_deposit_late_delivery),
    Scenario("lost in transit, replaced", 0.4, 15, lost_in_transit_replaced),
    Scenario("voided payment", 0.5, 16, voided_payment),
    Scenario("cancelled: deposit overdue", 0.6, 13, cancelled_deposit_overdue),
    Scenario("cancelled draft", 0.65, 2, cancelled_draft),
    Scenario("paid on time, shipped in parts (recent)", 0.8, 45, paid_on_time_shipped_in_parts),
    Scenario("partly shipped", 1.0, 10, partly_shipped),
    Scenario("paid in full, waiting to ship", 1.0, 8, paid_in_full_waiting),
    Scenario("deposit paid", 1.0, 6, deposit_paid),
    Scenario("deposit overdue", 1.0, 12, deposit_overdue),
    Scenario("just confirmed", 1.0, 0, just_confirmed),
    Scenario("submitted", 1.0, 1, submitted),
    Scenario("draft", 1.0, 0, draft),
]


def _window(agreement: Agreement, today: date) -> tuple[date, date] | None:
    """The days this agreement can take orders on, within the last two years, with a price list in force."""
    start = max(agreement.starts_on, today - TWO_YEARS)
    first_list = db.session.scalar(
        select(func.min(PriceList.effective_from)).where(PriceList.status == PriceListStatus.PUBLISHED)
    )
    if first_list is None:
        return None
    start = max(start, first_list)
    end = min(today, agreement.ends_on)
    return (start, end) if start < end else None


def play(agreement: Agreement, today: date, serials: itertools.count[int], finance_id: int | None) -> int:
    """Play every scenario that fits into the agreement's window; returns how many did."""
    window = _window(agreement, today)
    if window is None:
        return 0
    first, last = window
    demo = Demo(agreement, today, serials, finance_id)
    length = (last - first).days
    played = 0
    for scenario in SCENARIOS:
        start = min(first + timedelta(days=int(length * scenario.at)), last - scenario.span * DAY)
        if start < first:
            if scenario is SCENARIOS[0]:
                return 0  # no room for the first order: nothing else makes sense
            continue
        try:
            scenario.play(demo, start)
        except DomainError as error:  # a story the agreement's terms or prices do not allow: leave it out
            log.info("demo order %r for %s left out: %s", scenario.name, agreement.number, error)
            if scenario is SCENARIOS[0]:
                return 0
            continue
        played += 1
    return played


def load(today: date) -> None:
    """Demo orders for every active agreement (nothing when orders exist already, or no agreement)."""
    if db.session.scalar(select(Order.id).limit(1)) is not None:
        return
    agreements = db.session.scalars(
        select(Agreement)
        .where(Agreement.status == AgreementStatus.ACTIVE)
        .order_by(Agreement.starts_on, Agreement.number)
    ).all()
    if not agreements:
        return
    finance_id = db.session.scalar(select(User.id).where(User.role == Role.FINANCE).order_by(User.id).limit(1))
    serials = itertools.count(int(db.session.scalar(select(func.count()).select_from(Board)) or 0) + 123)
    for agreement in agreements:
        play(agreement, today, serials, finance_id)
    # What the daily command would have done by now: remind the overdue deposits once.
    payments.remind_overdue_deposits(today)
