"""/api/v1/orders/{id}/payments and /api/v1/payments/{id}/void: the same roles and rules as the
pages; twenty payments posted at the same moment end with the exact sum, no lost update, no 500."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.domain.orders import OrderStatus
from portal.domain.roles import Role
from portal.extensions import db
from portal.orders.models import Order
from portal.receivables.models import Payment

from ..api.support import error_of
from ..builders import make_token, make_user, pay

D = Decimal


def url(order: Order) -> str:
    return f"/api/v1/orders/{order.id}/payments"


def body(**changes):
    return {
        "amount": "20000.00",
        "received_on": "2026-03-06",
        "bank_reference": "ICBC-1",
        "payer": "杭州云帆",
        **changes,
    }


def test_finance_books_a_payment_and_everyone_in_scope_reads_it(shop, api):
    order = shop.order()
    response = api(make_user(role=Role.FINANCE)).post(url(order), json=body())

    assert response.status_code == 201
    created = response.json
    assert (created["amount"], created["received_on"], created["bank_reference"]) == (
        "20000.00",
        "2026-03-06",
        "ICBC-1",
    )
    assert created["voided"] is False
    listing = api(make_user(role=Role.DISTRIBUTOR, distributor=order.distributor)).get(url(order))
    assert listing.status_code == 200
    assert [p["amount"] for p in listing.json["items"]] == ["20000.00"]
    assert listing.json["total"] == 1


def test_the_date_received_defaults_to_today(shop, api, today):
    order = shop.order()
    response = api(make_user(role=Role.FINANCE)).post(url(order), json=body(received_on=None))
    assert response.status_code == 201
    assert response.json["received_on"] == today.isoformat()


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"amount": 20000}, 422, "amount"),  # a JSON number would be a float
        ({"amount": "NaN"}, 422, "amount"),
        ({"amount": "1e3"}, 422, "amount"),
        ({"amount": "1.001"}, 422, "amount"),
        ({"amount": "0.00"}, 422, "amount"),
        ({"received_on": "2026-03-11"}, 422, "received_on"),
        ({"received_on": "2026-03-04"}, 422, "received_on"),
        ({"received_on": "6 March"}, 422, "received_on"),
        ({"bank_reference": ""}, 422, "bank_reference"),
        ({"amount": "60000.01"}, 409, "amount"),
    ],
)
def test_bad_payments_are_refused_and_nothing_changes(shop, api, count_rows, changes, status, field):
    order = shop.order()
    response = api(make_user(role=Role.FINANCE)).post(url(order), json=body(**changes))
    assert response.status_code == status
    assert field in error_of(response)["fields"]
    assert count_rows(Payment) == 0


def test_the_same_slip_twice_is_a_conflict(shop, api, count_rows):
    order = shop.order()
    caller = api(make_user(role=Role.FINANCE))
    assert caller.post(url(order), json=body(amount="1.00")).status_code == 201
    response = caller.post(url(order), json=body(amount="1.00"))
    assert response.status_code == 409
    assert error_of(response)["code"] == "duplicate"
    assert "bank_reference" in error_of(response)["fields"]
    assert count_rows(Payment) == 1


@pytest.mark.parametrize("role", [Role.SALES, Role.DISTRIBUTOR])
def test_only_finance_and_admin_book_and_void(shop, api, role, count_rows):
    order = shop.order()
    pay(order, "100.00", date(2026, 3, 6), "B-1")
    payment = db.session.scalar(select(Payment))
    caller = api(make_user(role=role, distributor=order.distributor if role is Role.DISTRIBUTOR else None))
    assert caller.post(url(order), json=body()).status_code == 403
    assert caller.post(f"/api/v1/payments/{payment.id}/void", json={"reason": "x"}).status_code == 403
    assert count_rows(Payment) == 1


def test_void_with_a_reason_keeps_the_payment(shop, api):
    order = shop.order()
    pay(order, "60000.00", date(2026, 3, 6), "B-1")
    payment = db.session.scalar(select(Payment))
    caller = api(make_user(role=Role.ADMIN))

    assert caller.post(f"/api/v1/payments/{payment.id}/void", json={"reason": ""}).status_code == 422
    response = caller.post(f"/api/v1/payments/{payment.id}/void", json={"reason": "录错"})

    assert response.status_code == 200
    assert (response.json["voided"], response.json["void_reason"]) == (True, "录错")
    db.session.expire_all()
    assert db.session.get(Order, order.id).status is OrderStatus.CONFIRMED
    assert caller.post(f"/api/v1/payments/{payment.id}/void", json={"reason": "again"}).status_code == 409
    assert api(make_user(role=Role.FINANCE)).get(url(order)).json["items"][0]["voided"] is True


def test_another_distributors_payments_answer_404(shop, api):
    theirs = shop.elsewhere().order()
    pay(theirs, "100.00", date(2026, 3, 6), "B-1")
    own = make_user(role=Role.DISTRIBUTOR, distributor=shop.agreement.distributor)
    assert api(own).get(url(theirs)).status_code == 404


def post_at_once(app, postings: list[tuple[int, dict]]) -> list[int]:
    """Each (order id, body) posted by finance from its own thread, all released at the same instant;
    the statuses answered."""
    headers = {"Authorization": f"Bearer {make_token(make_user(role=Role.FINANCE))}", "Accept-Language": "en"}
    db.session.commit()
    barrier = threading.Barrier(len(postings))
    statuses: list[int] = []

    def post(order_id: int, data: dict) -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post(f"/api/v1/orders/{order_id}/payments", headers=headers, json=data).status_code)

    threads = [threading.Thread(target=post, args=posting) for posting in postings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_twenty_payments_posted_at_the_same_moment_end_with_the_exact_sum(shop, app):
    """¥5,000 each against ¥60,000: twelve are booked, eight refused as over-payments; none lost."""
    order_id = shop.order().id
    statuses = post_at_once(app, [(order_id, body(amount="5000.00", bank_reference=f"RACE-{n}")) for n in range(20)])

    assert (statuses.count(201), statuses.count(409)) == (12, 8), statuses
    db.session.expire_all()
    after = db.session.get(Order, order_id)
    booked = db.session.scalar(select(func.sum(Payment.amount)).where(Payment.order_id == order_id))
    assert after.paid_amount == D("60000.00")
    assert booked == D("60000.00")
    assert after.status is OrderStatus.PAID_IN_FULL


def test_payments_on_several_orders_of_one_distributor_at_the_same_moment_are_all_booked(shop, app):
    """Each payment locks its order, then the distributor while its compliance figures are kept
    current (docs/rules.md §10); the payment's row already holds a key-share lock on the same
    distributor (its foreign key): on PostgreSQL two such payments deadlocked, and one answered 500."""
    order_ids = [shop.order().id for _ in range(8)]
    statuses = post_at_once(app, [(order_id, body(bank_reference=f"SLIP-{order_id}")) for order_id in order_ids])

    assert statuses == [201] * 8
    db.session.expire_all()
    assert [db.session.get(Order, order_id).paid_amount for order_id in order_ids] == [D("20000.00")] * 8
