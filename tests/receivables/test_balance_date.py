"""One rule for the delivery due date and the balance's due date (docs/rules.md §6, §3): deposit paid
+ the delivery period of the terms in force on the day the deposit was paid; moved to the
paid-in-full date when the balance is paid later; none before the deposit is paid.

The order keeps the date the domain computes (``domain.orders.delivery_due_on``) and the receivables
list reads it in SQL; each row of the table below checks the domain, the order, the receivables list
and the API against the same expected date. ``make test-postgres`` runs it on PostgreSQL too.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.agreements import services as agreement_services
from portal.domain.agreements import Terms, terms_in_force
from portal.domain.orders import Payment, delivery_due_on, payment_state
from portal.domain.roles import Role
from portal.extensions import db
from portal.receivables import services
from portal.receivables.queries import Filters, ReceivableKind, receivables_matching

from ..builders import make_user
from ..orders.builders import START

D = Decimal


def amend(agreement, effective_from: date, delivery_days: int) -> None:
    agreement_services.amend_agreement(
        agreement, effective_from, Terms(delivery_days=delivery_days), "交货期调整", on=effective_from
    )


# (amendments: (effective from, delivery days), confirmed on, payments: (amount, received on), due).
# The signed terms give 30 days; the order totals ¥60,000 with a ¥18,000 deposit due 3 days later.
CASES = {
    "deposit not paid": ([], date(2026, 3, 2), [("10000.00", date(2026, 3, 3))], None),
    "deposit paid, balance open": ([], date(2026, 3, 2), [("18000.00", date(2026, 3, 3))], date(2026, 4, 2)),
    "deposit paid late": ([], date(2026, 3, 2), [("18000.00", date(2026, 3, 8))], date(2026, 4, 7)),
    "amended before the confirmation": (
        [(date(2026, 2, 15), 45)],
        date(2026, 3, 2),
        [("18000.00", date(2026, 3, 3))],
        date(2026, 4, 17),
    ),
    "amended on the confirmation date": (
        [(date(2026, 3, 2), 45)],
        date(2026, 3, 2),
        [("18000.00", date(2026, 3, 3))],
        date(2026, 4, 17),
    ),
    "amended after the confirmation, before the deposit": (
        [(date(2026, 3, 4), 45)],
        date(2026, 3, 2),
        [("18000.00", date(2026, 3, 4))],
        date(2026, 4, 18),
    ),
    "amended after the deposit": (
        [(date(2026, 3, 20), 45)],
        date(2026, 3, 2),
        [("18000.00", date(2026, 3, 3))],
        date(2026, 4, 2),
    ),
    "several versions": (
        [(date(2026, 2, 1), 40), (date(2026, 2, 20), 50), (date(2026, 3, 20), 10)],
        date(2026, 3, 2),
        [("18000.00", date(2026, 3, 3))],
        date(2026, 4, 22),
    ),
    "paid in full in time": (
        [],
        date(2026, 3, 2),
        [("18000.00", date(2026, 3, 3)), ("42000.00", date(2026, 3, 20))],
        date(2026, 4, 2),
    ),
    "paid in full late": (
        [],
        date(2026, 3, 2),
        [("18000.00", date(2026, 3, 3)), ("42000.00", date(2026, 4, 10))],
        date(2026, 4, 10),
    ),
}


@pytest.mark.parametrize(("amendments", "confirmed_on", "payments", "due"), CASES.values(), ids=CASES.keys())
def test_the_order_the_receivables_and_the_api_agree_with_the_domain(
    shop, api, amendments, confirmed_on, payments, due
):
    shop.order(50, confirm_on=date(2026, 2, 2), on=date(2026, 2, 1))  # the first order, 100% up front
    for effective_from, days in amendments:
        amend(shop.agreement, effective_from, days)
    order = shop.order(50, confirm_on=confirmed_on)
    assert (order.total, order.deposit_amount) == (D("60000.00"), D("18000.00"))
    for n, (amount, received_on) in enumerate(payments):
        services.record_payment(
            order,
            amount=D(amount),
            received_on=received_on,
            bank_reference=f"P-{n}",
            payer="",
            recorded_by_id=None,
            today=received_on,
        )

    # The domain, from the facts alone.
    state = payment_state(
        [Payment(D(amount), on) for amount, on in payments], deposit=D("18000.00"), total=D("60000.00")
    )
    versions = [(START, Terms()), *((on, Terms(delivery_days=days)) for on, days in amendments)]
    days = terms_in_force(versions, state.deposit_paid_on).delivery_days if state.deposit_paid_on else 30
    assert delivery_due_on(state, days) == due

    # The order, the receivables list (SQL) and the API.
    db.session.refresh(order)
    assert order.delivery_due_on == due
    balance = [
        row
        for row in db.session.execute(receivables_matching(Filters(kind=ReceivableKind.BALANCE), date(2026, 3, 10)))
        if row.order_id == order.id
    ]
    if state.paid_in_full_on is None:
        assert [row.due_on for row in balance] == [due]
    else:
        assert balance == []
    body = api(make_user(role=Role.SALES)).get(f"/api/v1/orders/{order.id}").json
    assert body["delivery_due_on"] == (due.isoformat() if due else None)
