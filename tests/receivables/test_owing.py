"""The receivables queries find the amounts owed through partial indexes of the orders still owing
(receivables.queries.OWING: ``paid_amount < total``). That SQL predicate must hold for every order
the domain says still owes (domain.orders: AWAITING_PAYMENT after its payments), or an amount owed
would drop off the list; and each part's due date is known exactly when the domain says so."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import product

from portal.domain.orders import (
    AWAITING_DEPOSIT,
    AWAITING_PAYMENT,
    OrderStatus,
    Payment,
    delivery_due_on,
    payment_state,
    status_from_payments,
)
from portal.receivables.queries import PARTS, ReceivableKind

CONFIRMED_ON = date(2026, 3, 2)
TOTALS = [Decimal("0.00"), Decimal("0.01"), Decimal("100.00"), Decimal("12345.67")]
DEPOSIT_SHARES = [Decimal("0"), Decimal("0.3"), Decimal("1")]
PAID = [Decimal("0.00"), Decimal("0.01"), Decimal("29.99"), Decimal("30.00"), Decimal("99.99"), Decimal("100.00")]


def test_every_order_awaiting_payment_has_less_paid_than_its_total():
    for total, share, paid in product(TOTALS, DEPOSIT_SHARES, PAID):
        deposit = (total * share).quantize(Decimal("0.01"))
        payments = [Payment(paid, date(2026, 3, 5))] if paid else []
        state = payment_state(payments, deposit=deposit, total=total, confirmed_on=CONFIRMED_ON)
        status = status_from_payments(OrderStatus.CONFIRMED, state)
        if status in AWAITING_PAYMENT:
            assert state.paid_amount < total, (total, deposit, paid, status)
        if status in AWAITING_DEPOSIT:  # the balance has no due date before the deposit is paid
            assert delivery_due_on(state, 30) is None, (total, deposit, paid)
        elif status in AWAITING_PAYMENT:
            assert delivery_due_on(state, 30) is not None, (total, deposit, paid)


def test_the_parts_cover_each_kind_of_amount_on_each_status_owing_once():
    assert sorted((part.kind, part.status) for part in PARTS) == sorted(
        [(ReceivableKind.DEPOSIT, status) for status in AWAITING_DEPOSIT]
        + [(ReceivableKind.BALANCE, status) for status in AWAITING_PAYMENT]
    )
