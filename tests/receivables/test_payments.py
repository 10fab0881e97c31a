"""Finance books and voids payments on the pages (docs/rules.md §6): amounts exact, the same slip never
twice, no over-payment, no future dates; sales and distributors cannot book; a distributor reads
only its own payments."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.domain.orders import OrderStatus
from portal.domain.roles import Role
from portal.extensions import db
from portal.orders.models import Order
from portal.receivables.models import Payment

from ..builders import make_user, pay

D = Decimal


def new_payment_url(order: Order) -> str:
    return f"/receivables/orders/{order.id}/payments/new"


def form(**changes: str) -> dict[str, str]:
    return {
        "amount": "20,000.00",
        "received_on": "2026-03-06",
        "bank_reference": "ICBC-0306-001",
        "payer": "杭州云帆科技有限公司",
        **changes,
    }


def stored(order: Order) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order.id)


def test_finance_books_a_payment_and_the_order_follows(shop, login):
    shop.order()  # the first order, paid in full up front
    order = shop.order(100)  # ¥120,000: deposit ¥36,000 due 8 March
    client = login(make_user(role=Role.FINANCE))

    response = client.post(new_payment_url(order), data=form(amount="36,000.00", received_on="2026-03-09"))

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/receivables/orders/{order.id}/payments")
    after = stored(order)
    assert (after.paid_amount, after.status, after.deposit_paid_on) == (
        D("36000.00"),
        OrderStatus.DEPOSIT_PAID,
        date(2026, 3, 9),
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Payment of ¥36,000.00 booked" in page
    assert "ICBC-0306-001" in page
    assert "Days late: 1" in page  # the deposit was due on 8 March


def test_the_form_shows_what_the_order_owes(shop, login):
    order = shop.order()
    page = login(make_user(role=Role.FINANCE)).get(new_payment_url(order)).get_data(as_text=True)
    assert "¥60,000.00" in page  # total and deposit (a first order pays 100%)
    assert 'value="2026-03-10"' in page  # date received: today by default
    assert 'max="2026-03-10"' in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "0"}, "The amount must be more than zero."),
        ({"amount": "0.00"}, "The amount must be more than zero."),
        ({"amount": "NaN"}, "Enter an amount in digits"),
        ({"amount": "Infinity"}, "Enter an amount in digits"),
        ({"amount": "1e3"}, "Enter an amount in digits"),
        ({"amount": "100.005"}, "Enter at most two decimals"),
        ({"amount": "-100.00"}, "The amount cannot be negative."),
        ({"amount": ""}, "Enter an amount."),
        ({"received_on": "2026-03-11"}, "A payment cannot be received in the future."),
        ({"received_on": "2026-03-04"}, "A payment cannot be received before the order was confirmed."),
        ({"received_on": "06/03/2026"}, "Enter a date as YYYY-MM-DD"),
        ({"received_on": "   "}, "Enter a date as YYYY-MM-DD"),  # spaces only: not a date (was a 500)
        ({"received_on": "2026-W10-5"}, "Enter a date as YYYY-MM-DD"),  # an ISO week date is not taken
        ({"received_on": "２０２６-03-06"}, "Enter a date as YYYY-MM-DD"),  # nor full-width digits
        ({"bank_reference": "  "}, "Enter the bank reference of the transfer."),
    ],
)
def test_bad_input_is_explained_on_its_field_and_nothing_is_booked(shop, login, count_rows, changes, message):
    order = shop.order()
    client = login(make_user(role=Role.FINANCE))

    response = client.post(new_payment_url(order), data=form(**changes))

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'value="杭州云帆科技有限公司"' in page  # what was typed is kept
    assert count_rows(Payment) == 0
    assert stored(order).paid_amount == D("0.00")


def test_the_same_slip_is_refused_also_on_another_order_of_the_distributor(shop, login, count_rows):
    first, second = shop.order(), shop.order(10)
    client = login(make_user(role=Role.FINANCE))
    assert client.post(new_payment_url(first), data=form(bank_reference="SLIP-1")).status_code == 302

    again = client.post(new_payment_url(first), data=form(bank_reference="SLIP-1", amount="1.00"))
    elsewhere = client.post(new_payment_url(second), data=form(bank_reference="slip-1 ".upper(), amount="1.00"))

    for response in (again, elsewhere):
        assert response.status_code == 409  # a duplicate, as the API answers it
        assert "This bank reference is already booked for this distributor." in response.get_data(as_text=True)
    assert count_rows(Payment) == 1


def test_over_payment_is_refused_with_the_amounts(shop, login, count_rows):
    order = shop.order()  # ¥60,000
    pay(order, "59000.00", date(2026, 3, 6), "B-1")
    client = login(make_user(role=Role.FINANCE))

    response = client.post(new_payment_url(order), data=form(amount="1,000.01", bank_reference="B-2"))

    page = response.get_data(as_text=True)
    assert response.status_code == 409  # the order's paid amount refuses it, as in the API
    assert "60000.01" in page
    assert "60000.00" in page
    assert count_rows(Payment) == 1
    assert stored(order).paid_amount == D("59000.00")


def test_an_order_not_confirmed_takes_no_payment(shop, login, count_rows):
    order = shop.order(confirm_on=None)
    client = login(make_user(role=Role.FINANCE))
    assert "This order takes no payments now" in client.get(new_payment_url(order)).get_data(as_text=True)
    response = client.post(new_payment_url(order), data=form())
    assert response.status_code == 409
    assert "Payments are booked against confirmed orders only." in response.get_data(as_text=True)
    assert count_rows(Payment) == 0


@pytest.mark.parametrize("role", [Role.SALES, Role.DISTRIBUTOR])
def test_sales_and_distributors_cannot_book_or_void(shop, login, count_rows, role):
    order = shop.order()
    pay(order, "100.00", date(2026, 3, 6), "B-1")
    payment = db.session.scalar(select(Payment))
    user = make_user(role=role, distributor=order.distributor if role is Role.DISTRIBUTOR else None)
    client = login(user)
    assert client.get(new_payment_url(order)).status_code == 403
    assert client.post(new_payment_url(order), data=form()).status_code == 403
    assert client.post(f"/receivables/payments/{payment.id}/void", data={"reason": "x"}).status_code == 403
    assert count_rows(Payment) == 1
    assert db.session.get(Payment, payment.id).voided_at is None


def test_finance_voids_with_a_reason_and_the_payment_stays_listed(shop, login):
    order = shop.order()
    pay(order, "60000.00", date(2026, 3, 6), "B-1")
    payment = db.session.scalar(select(Payment))
    client = login(make_user(role=Role.FINANCE))

    refused = client.post(f"/receivables/payments/{payment.id}/void", data={"reason": " "})
    assert refused.status_code == 422  # the payments again, the message on the payment's row
    assert (
        f'id="reason-{payment.id}-error" class="invalid-feedback d-block">Give the reason for voiding this payment.'
    ) in refused.get_data(as_text=True)
    assert stored(order).status is OrderStatus.PAID_IN_FULL

    response = client.post(
        f"/receivables/payments/{payment.id}/void", data={"reason": "金额录错"}, follow_redirects=True
    )

    page = response.get_data(as_text=True)
    assert "Payment B-1 voided." in page
    assert "Voided" in page
    assert "金额录错" in page
    assert "<del>¥60,000.00</del>" in page
    after = stored(order)
    assert (after.status, after.paid_amount, after.paid_in_full_on) == (OrderStatus.CONFIRMED, D("0.00"), None)
    twice = client.post(f"/receivables/payments/{payment.id}/void", data={"reason": "again"})
    assert twice.status_code == 409  # the payment's state refuses it, as in the API
    assert "This payment is already voided." in twice.get_data(as_text=True)
    assert "Payments of order" in twice.get_data(as_text=True)


def test_a_distributor_reads_its_own_payments_and_not_anothers(shop, login):
    order = shop.order()
    pay(order, "100.00", date(2026, 3, 6), "B-OWN")
    client = login(make_user(role=Role.DISTRIBUTOR, distributor=order.distributor))
    page = client.get(f"/receivables/orders/{order.id}/payments")
    assert page.status_code == 200
    assert "B-OWN" in page.get_data(as_text=True)
    assert "Void" not in page.get_data(as_text=True)

    theirs = shop.elsewhere().order()
    pay(theirs, "100.00", date(2026, 3, 6), "B-THEIRS")
    assert client.get(f"/receivables/orders/{theirs.id}/payments").status_code == 404
    assert client.get("/receivables/orders/999999/payments").status_code == 404


def test_two_clerks_booking_the_same_slip_at_the_same_moment_book_it_once(shop, login, app, count_rows):
    order = shop.order()
    clients = [login(make_user(role=Role.FINANCE)) for _ in range(2)]
    url = new_payment_url(order)
    db.session.commit()
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post(client) -> None:
        barrier.wait()
        statuses.append(client.post(url, data=form(bank_reference="SAME-SLIP", amount="100.00")).status_code)

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [302, 409]
    assert count_rows(Payment) == 1
    assert stored(order).paid_amount == D("100.00")
