"""Money paths that must stay closed (docs/rules.md §6): a payment is not voided once its order has
shipped, no payment is booked on a cancelled order, and free replacements do not ship before the
shipment they replace (§6.4.1). Each refusal is explained and changes nothing, in the services, on
the pages and in the API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.boards import services as shipping
from portal.boards.models import Board, Shipment
from portal.domain.errors import DomainError, InvalidValue
from portal.domain.orders import OrderStatus
from portal.domain.roles import Role
from portal.extensions import db
from portal.orders import services
from portal.orders.models import Order
from portal.receivables import services as payments
from portal.receivables.models import Payment

from ..api.support import error_of
from ..builders import TODAY, pay

# "Today" in Asia/Shanghai is 10 March 2026 for these tests.
pytestmark = pytest.mark.usefixtures("today")

SHIPPED = "The order has shipped or was cancelled; its payments can no longer be voided."
CANCELLED = "Payments are booked against confirmed orders only."
TOO_EARLY = "Replacements cannot ship before the shipment they replace."


def stored(order: Order) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order.id)


# --- voiding a payment after shipping -------------------------------------------------------------


@pytest.fixture(params=[2, 50], ids=["partly shipped", "shipped"])
def paid_then_shipped(request, shop) -> tuple[Order, Payment]:
    """An order of 50 boards paid in full on 3 March, then 2 or all 50 of them shipped on the 4th."""
    order = shop.paid_order(50)
    shop.ship(order, [f"V-{n:02d}" for n in range(request.param)])
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
    expected = OrderStatus.SHIPPED if request.param == 50 else OrderStatus.PARTLY_SHIPPED
    assert stored(order).status is expected
    return order, payment


def assert_nothing_voided(order: Order, payment: Payment) -> None:
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).voided_at is None
    again = stored(order)
    assert again.paid_amount == again.total
    assert again.paid_in_full_on == date(2026, 3, 3)


def test_the_service_refuses_to_void_a_payment_once_the_order_has_shipped(paid_then_shipped):
    order, payment = paid_then_shipped
    with pytest.raises(DomainError, match="has shipped"):
        payments.void_payment(payment, reason="金额录错", voided_by_id=None)
    db.session.rollback()
    assert_nothing_voided(order, payment)


def test_the_api_answers_409_to_voiding_a_payment_once_the_order_has_shipped(paid_then_shipped, shop, api):
    order, payment = paid_then_shipped
    response = api(shop.finance).post(f"/api/v1/payments/{payment.id}/void", json={"reason": "金额录错"})
    assert response.status_code == 409
    assert error_of(response)["message"] == SHIPPED
    assert_nothing_voided(order, payment)


def test_the_page_explains_why_a_payment_of_a_shipped_order_stays(paid_then_shipped, shop, login):
    order, payment = paid_then_shipped
    page = login(shop.finance).post(
        f"/receivables/payments/{payment.id}/void", data={"reason": "金额录错"}, follow_redirects=True
    )
    assert SHIPPED in page.get_data(as_text=True)
    assert_nothing_voided(order, payment)


def test_the_page_answers_409_to_voiding_a_payment_once_the_order_has_shipped(paid_then_shipped, shop, login):
    order, payment = paid_then_shipped
    response = login(shop.finance).post(f"/receivables/payments/{payment.id}/void", data={"reason": "金额录错"})
    assert response.status_code == 409
    assert SHIPPED in response.get_data(as_text=True)
    assert_nothing_voided(order, payment)


# --- a payment on a cancelled order ---------------------------------------------------------------


@pytest.fixture
def cancelled(shop) -> Order:
    """An order confirmed on 5 March, nothing paid, cancelled by sales on the 9th."""
    order = shop.order(50)
    services.cancel_order(order, Role.SALES, date(2026, 3, 9), reason="客户取消")
    assert stored(order).status is OrderStatus.CANCELLED
    return order


def assert_nothing_booked(order: Order, count_rows) -> None:
    assert count_rows(Payment) == 0
    again = stored(order)
    assert (again.status, again.paid_amount, again.deposit_paid_on) == (OrderStatus.CANCELLED, Decimal("0.00"), None)


def test_the_service_books_no_payment_on_a_cancelled_order(cancelled, count_rows):
    with pytest.raises(DomainError, match="confirmed orders only"):
        pay(cancelled, "60000.00", date(2026, 3, 9), "ICBC-0309-001")
    db.session.rollback()
    assert_nothing_booked(cancelled, count_rows)


def test_the_page_refuses_a_payment_on_a_cancelled_order_with_409(cancelled, shop, login, count_rows):
    response = login(shop.finance).post(
        f"/receivables/orders/{cancelled.id}/payments/new",
        data={"amount": "60,000.00", "received_on": "2026-03-09", "bank_reference": "ICBC-0309-001", "payer": ""},
    )
    assert response.status_code == 409
    assert CANCELLED in response.get_data(as_text=True)
    assert_nothing_booked(cancelled, count_rows)


def test_the_api_refuses_a_payment_on_a_cancelled_order_with_409(cancelled, shop, api, count_rows):
    response = api(shop.finance).post(
        f"/api/v1/orders/{cancelled.id}/payments",
        json={"amount": "60000.00", "received_on": "2026-03-09", "bank_reference": "ICBC-0309-001"},
    )
    assert response.status_code == 409
    assert error_of(response)["message"] == CANCELLED
    assert_nothing_booked(cancelled, count_rows)


# --- a replacement dated before the lost shipment -------------------------------------------------


@pytest.fixture
def lost(shop) -> Shipment:
    """Two boards shipped on 6 March and lost in transit."""
    order = shop.paid_order(50)
    shipment = shop.ship(order, ["L-1", "L-2"], on=date(2026, 3, 6))
    return shipping.mark_lost_or_damaged(shipment, "两块板卡运输途中丢失")


def assert_nothing_shipped(lost: Shipment, count_rows) -> None:
    assert count_rows(Shipment) == 1
    assert count_rows(Board) == 2
    db.session.expire_all()
    assert db.session.scalar(select(Shipment).where(Shipment.replaces_shipment_id == lost.id)) is None


def test_the_service_ships_no_replacement_dated_before_the_lost_shipment(shop, lost, count_rows):
    line = shipping.ShipmentLineRequest(shop.board.id, 2, ["N-1", "N-2"])
    with pytest.raises(InvalidValue, match="before the shipment they replace") as refused:
        shipping.ship_replacement(lost, [line], shipped_on=date(2026, 3, 5), today=TODAY)
    assert refused.value.field == "shipped_on"
    db.session.rollback()
    assert_nothing_shipped(lost, count_rows)
    same_day = shipping.ship_replacement(lost, [line], shipped_on=date(2026, 3, 6), today=TODAY)  # the same day is fine
    assert same_day.replaces_shipment_id == lost.id


def test_the_page_refuses_a_replacement_dated_before_the_lost_shipment_with_422(shop, lost, login, count_rows):
    response = login(shop.sales).post(
        f"/boards/shipments/{lost.id}/replacement",
        data={
            "shipped_on": "2026-03-05",
            "carrier": "顺丰速运",
            "tracking_number": "SF1234567890",
            "lines-0-product_id": str(shop.board.id),
            "lines-0-quantity": "",
            "lines-0-serials": "N-1 N-2",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert TOO_EARLY in page
    assert "N-1 N-2" in page  # what was typed is kept
    assert_nothing_shipped(lost, count_rows)
