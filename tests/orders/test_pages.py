"""The order pages (docs/rules.md §6, §12): a distributor (or sales on its behalf) drafts, edits and
submits orders; sales confirms and cancels; finance reads. Every refusal is explained on the page,
keeps what was typed and saves nothing."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.domain.orders import OrderStatus
from portal.domain.roles import Role
from portal.extensions import db
from portal.orders import services
from portal.orders.models import Order, OrderLine
from portal.receivables import services as payments

from ..builders import (
    TODAY,
    insert_orders,
    make_active_agreement,
    make_order,
    make_price_list,
    make_product,
    pay,
    ship,
)

D = Decimal


# The pages read "today" in Asia/Shanghai: 10 March 2026 (a day of 2026-Q1).
pytestmark = pytest.mark.usefixtures("today")


def order_form(shop, *, board="", cable="", action="save", **fields):
    """What the ordering page posts: one quantity per authorised product, in the page's order."""
    data = {
        "agreement_id": shop.agreement.id,
        "lines-0-product_id": shop.cable.id,
        "lines-0-quantity": cable,
        "lines-1-product_id": shop.board.id,
        "lines-1-quantity": board,
        "period": "2026-Q2",
        "wanted_delivery_on": "",
        "notes": "",
        "action": action,
    }
    data.update(fields)
    return data


def stored(order_id: int) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order_id)


def text_of(response) -> str:
    return response.get_data(as_text=True)


# --- the ordering page ----------------------------------------------------------------------------


def test_the_ordering_page_shows_prices_for_the_level_the_quota_and_the_first_order_rule(shop, login):
    client = login(shop.agent)

    response = client.get("/orders/new")

    page = text_of(response)
    assert response.status_code == 200
    assert "PBX-EXT-16" in page
    assert "ACC-CBL" in page
    assert "¥1,200.00" in page  # the second-level price, not ¥1,000.00
    assert "¥1,000.00" not in page
    assert 'data-price-fen="120000"' in page
    assert "Quota for 2026-Q1" in page
    assert "¥50,000.00" in page  # the quota and the first-order minimum
    assert "paid in full (100%) before shipment" in page
    script = re.search(r'<script src="/static/js/order_form.js" nonce="([^"]+)"></script>', page)
    assert script, "the page loads its script from /static with the CSP nonce"
    assert f"'nonce-{script.group(1)}'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in page
    assert " onclick=" not in page
    assert " style=" not in page


def test_the_meter_shows_what_is_confirmed_this_quarter(shop, login):
    first = make_order(shop.agreement, {shop.board: 50}, on=date(2026, 1, 5), confirm_on=date(2026, 1, 6))
    cancelled = make_order(shop.agreement, {shop.board: 5}, on=date(2026, 3, 1), confirm_on=date(2026, 3, 2))
    services.cancel_order(cancelled, Role.SALES, TODAY, reason="定金逾期")
    make_order(shop.agreement, {shop.board: 8}, on=date(2026, 3, 1), submit=True)  # not confirmed
    assert first.total == D("60000.00")

    page = text_of(login(shop.agent).get("/orders/new"))

    meter = re.search(r'<meter[^>]*id="quota-meter"[^>]*>', page).group(0)
    assert 'max="5000000"' in meter
    assert 'value="5000000"' in meter
    assert 'data-ordered-fen="6000000"' in page
    assert 'Reached</dt><dd class="col-5 text-end"><span data-quota-percent>120</span>%' in page
    assert "First order under this agreement" not in page  # the first order is behind us


def test_a_distributor_saves_a_draft(shop, login, count_rows):
    client = login(shop.agent)

    response = client.post(
        "/orders/new", data=order_form(shop, board="50", cable="3", notes="请尽快发货", wanted_delivery_on="2026-04-01")
    )

    assert response.status_code == 302
    order = db.session.scalar(select(Order))
    assert response.headers["Location"] == f"/orders/{order.id}"
    assert order.status is OrderStatus.DRAFT
    assert order.total == D("60036.00")
    assert (order.period, order.wanted_delivery_on, order.notes) == ("2026-Q2", date(2026, 4, 1), "请尽快发货")
    assert order.created_by_id == shop.agent.id
    assert count_rows(OrderLine) == 2
    page = text_of(client.get(response.headers["Location"]))
    assert "Prices indicative until confirmed" in page
    assert "saved as a draft" in page


def test_save_and_submit_in_one_step(shop, login):
    client = login(shop.agent)
    response = client.post("/orders/new", data=order_form(shop, board="50", action="submit"))
    assert response.status_code == 302
    order = db.session.scalar(select(Order))
    assert order.status is OrderStatus.SUBMITTED
    assert order.submitted_on == TODAY


def test_sales_orders_on_behalf_of_a_distributor(shop, login):
    other = make_active_agreement(products=[shop.board])
    client = login(shop.sales)

    chooser = text_of(client.get("/orders/new"))
    assert shop.agreement.number in chooser
    assert other.number in chooser
    assert "PBX-EXT-16" not in chooser  # choose the agreement first
    assert "PBX-EXT-16" in text_of(client.get(f"/orders/new?agreement_id={other.id}"))

    response = client.post("/orders/new", data={**order_form(shop, board="50"), "agreement_id": other.id})
    assert response.status_code == 302
    order = db.session.scalar(select(Order))
    assert order.distributor_id == other.distributor_id
    assert order.created_by_id == shop.sales.id


@pytest.mark.parametrize("quantity", ["0", "-3", "1.5", "abc", "1e3", "2000000"])
def test_a_bad_quantity_is_explained_kept_and_nothing_is_saved(shop, login, count_rows, quantity):
    client = login(shop.agent)

    response = client.post("/orders/new", data=order_form(shop, board=quantity, cable="2"))

    page = text_of(response)
    assert response.status_code == 422
    assert "Enter a whole number of units, at least 1." in page or "Enter at most 1,000,000 units." in page
    assert f'value="{quantity}"' in page
    assert 'value="2"' in page  # the other line keeps its quantity too
    assert count_rows(Order) == 0


@pytest.mark.parametrize("space", [" ", "\t", "\u3000"])
def test_a_period_of_spaces_only_is_no_period(shop, login, space):
    """Issue 8: the spaces were saved as the order's period."""
    client = login(shop.agent)
    assert client.post("/orders/new", data=order_form(shop, board="50", period=space)).status_code == 302
    order = db.session.scalar(select(Order))
    assert order.period == ""
    client.post(f"/orders/{order.id}/edit", data=order_form(shop, board="50", period="2026-04"))
    assert stored(order.id).period == "2026-04"
    assert client.post(f"/orders/{order.id}/edit", data=order_form(shop, board="50", period=space)).status_code == 302
    assert stored(order.id).period == ""


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "next month", "26-03"])
def test_a_nonsense_period_is_refused(shop, login, count_rows, period):
    response = login(shop.agent).post("/orders/new", data=order_form(shop, board="50", period=period))
    page = text_of(response)
    assert response.status_code == 422
    assert "YYYY-MM" in page
    assert f'value="{period}"' in page
    assert count_rows(Order) == 0


def test_an_order_without_any_quantity_is_refused(shop, login, count_rows):
    response = login(shop.agent).post("/orders/new", data=order_form(shop))
    assert response.status_code == 422
    assert "Add at least one product." in text_of(response)
    assert count_rows(Order) == 0


def test_a_forged_unauthorised_product_is_refused(shop, login, count_rows):
    stranger = make_product("SECRET-1")
    make_price_list(
        {stranger: ("1.00", "1.00", "1.00")}, effective_from=date(2026, 2, 1), published_on=date(2026, 2, 1)
    )
    data = order_form(shop, board="50", **{"lines-2-product_id": stranger.id, "lines-2-quantity": "5"})

    response = login(shop.agent).post("/orders/new", data=data)

    assert response.status_code == 422
    assert "This agreement does not authorise that product." in text_of(response)
    assert count_rows(Order) == 0


def test_an_inactive_agreement_takes_no_orders(shop, login, count_rows):
    board = shop.board
    expired = make_active_agreement(
        shop.distributor, products=[board], starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31)
    )
    client = login(shop.agent)
    assert expired.number not in text_of(client.get("/orders/new"))  # not offered

    response = client.post(
        "/orders/new",
        data={
            **order_form(shop, cable="1"),
            "agreement_id": expired.id,
            "lines-1-quantity": "",
            "lines-0-product_id": board.id,
            "lines-0-quantity": "50",
        },
    )

    assert response.status_code == 409  # a rule refuses it, as in the API
    assert "Orders are placed only under an active agreement." in text_of(response)
    assert count_rows(Order) == 0


def test_another_distributors_agreement_is_not_found(shop, login, count_rows):
    theirs = make_active_agreement(products=[shop.board])
    client = login(shop.agent)
    assert client.get(f"/orders/new?agreement_id={theirs.id}").status_code == 404
    forged = {**order_form(shop, board="50"), "agreement_id": theirs.id}
    assert client.post("/orders/new", data=forged).status_code == 404
    assert client.get("/orders/new?agreement_id=99999999999").status_code == 404
    assert count_rows(Order) == 0


def test_a_first_order_below_the_minimum_cannot_be_submitted_and_nothing_is_saved(shop, login, count_rows):
    client = login(shop.agent)

    response = client.post("/orders/new", data=order_form(shop, board="10", action="submit"))  # ¥12,000

    page = text_of(response)
    assert response.status_code == 409  # a rule refuses it, as when the draft is submitted
    assert "A first order must total at least" in page
    assert 'value="10"' in page
    assert count_rows(Order) == 0
    # Saved as a draft, it stays below the minimum: the order page says so, and submitting is refused.
    assert client.post("/orders/new", data=order_form(shop, board="10")).status_code == 302
    order = db.session.scalar(select(Order))
    assert "below the first-order minimum" in text_of(client.get(f"/orders/{order.id}"))
    refused = client.post(f"/orders/{order.id}/submit")
    assert refused.status_code == 409
    assert "A first order must total at least" in text_of(refused)
    assert stored(order.id).status is OrderStatus.DRAFT


def test_a_wanted_delivery_date_in_the_past_is_refused(shop, login, count_rows):
    response = login(shop.agent).post("/orders/new", data=order_form(shop, board="50", wanted_delivery_on="2026-03-01"))
    assert response.status_code == 422
    assert "cannot be in the past" in text_of(response)
    assert count_rows(Order) == 0


def test_finance_cannot_order(shop, login):
    client = login(shop.finance)
    assert client.get("/orders/new").status_code == 403
    assert client.post("/orders/new", data=order_form(shop, board="50")).status_code == 403


# --- editing a draft ------------------------------------------------------------------------------


def test_a_draft_is_edited_with_its_quantities_shown(shop, login):
    order = make_order(shop.agreement, {shop.board: 50}, on=TODAY)
    client = login(shop.agent)

    form = text_of(client.get(f"/orders/{order.id}/edit"))
    assert 'value="50"' in form

    response = client.post(f"/orders/{order.id}/edit", data=order_form(shop, board="60", cable="5", period="2026-04"))
    assert response.status_code == 302
    changed = stored(order.id)
    assert changed.total == D("72060.00")
    assert changed.period == "2026-04"
    assert changed.status is OrderStatus.DRAFT


def test_a_bad_edit_changes_nothing(shop, login):
    order = make_order(shop.agreement, {shop.board: 50}, on=TODAY)
    response = login(shop.agent).post(f"/orders/{order.id}/edit", data=order_form(shop, board="-1", cable="5"))
    assert response.status_code == 422
    unchanged = stored(order.id)
    assert unchanged.total == D("60000.00")
    assert [line.quantity for line in unchanged.lines] == [50]


def test_a_submitted_order_is_no_longer_edited(shop, login):
    order = make_order(shop.agreement, {shop.board: 50}, on=TODAY, submit=True)
    client = login(shop.agent)
    assert client.get(f"/orders/{order.id}/edit").status_code == 409
    assert client.post(f"/orders/{order.id}/edit", data=order_form(shop, board="70")).status_code == 409
    assert stored(order.id).total == D("60000.00")


# --- the order page and its steps -----------------------------------------------------------------


def test_sales_confirms_and_the_prices_lock(shop, login):
    order = make_order(shop.agreement, {shop.board: 50}, on=date(2026, 3, 1), submit=True)
    client = login(shop.sales)
    page = text_of(client.get(f"/orders/{order.id}"))
    assert 'id="confirm-form"' in page
    assert 'value="2026-03-10"' in page  # the date defaults to today

    response = client.post(f"/orders/{order.id}/confirm", data={"confirmed_on": "2026-03-09"})

    assert response.status_code == 302
    confirmed = stored(order.id)
    assert confirmed.status is OrderStatus.CONFIRMED
    assert confirmed.confirmed_on == date(2026, 3, 9)
    assert (confirmed.deposit_amount, confirmed.balance_amount) == (D("60000.00"), D("0.00"))  # first order: 100%
    assert confirmed.deposit_due_on == date(2026, 3, 12)
    page = text_of(client.get(f"/orders/{order.id}"))
    assert "Prices indicative until confirmed" not in page
    assert "first order: the whole total is paid up front" in page
    assert 'id="confirm-form"' not in page


def test_confirming_twice_is_refused_and_changes_nothing(shop, login):
    order = make_order(shop.agreement, {shop.board: 50}, on=date(2026, 3, 1), confirm_on=date(2026, 3, 2))
    response = login(shop.sales).post(f"/orders/{order.id}/confirm", data={"confirmed_on": "2026-03-10"})
    assert response.status_code == 409
    assert "Only a submitted order can be confirmed." in text_of(response)
    assert stored(order.id).confirmed_on == date(2026, 3, 2)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2026-03-11", "in the future"),
        ("2026-02-30", "YYYY-MM-DD"),
        ("", "Enter the confirmation date."),
        (" ", "Enter the confirmation date."),  # issue 8: spaces only confirmed the order as of today
        ("\u3000", "Enter the confirmation date."),
        ("2026-02-01", "cannot be confirmed before it was submitted"),
    ],
)
def test_a_bad_confirmation_date_is_refused(shop, login, typed, message):
    order = make_order(shop.agreement, {shop.board: 50}, on=date(2026, 3, 1), submit=True)
    response = login(shop.sales).post(f"/orders/{order.id}/confirm", data={"confirmed_on": typed})
    page = text_of(response)
    assert response.status_code == 422
    assert message in page
    assert f'value="{typed}"' in page
    assert stored(order.id).status is OrderStatus.SUBMITTED


def test_a_future_confirmation_date_shows_the_services_message_on_the_field(shop, login):
    order = make_order(shop.agreement, {shop.board: 50}, on=date(2026, 3, 1), submit=True)
    response = login(shop.sales).post(f"/orders/{order.id}/confirm", data={"confirmed_on": "2026-03-11"})
    page = text_of(response)
    assert response.status_code == 422
    assert re.search(r'id="confirmed_on"[^>]*is-invalid|is-invalid[^>]*id="confirmed_on"', page)
    assert "This date is in the future; enter today or an earlier day." in page
    assert 'value="2026-03-11"' in page
    assert stored(order.id).status is OrderStatus.SUBMITTED


@pytest.mark.parametrize("role", [Role.FINANCE, Role.DISTRIBUTOR])
def test_only_sales_confirms(shop, login, role):
    order = make_order(shop.agreement, {shop.board: 50}, on=TODAY, submit=True)
    user = shop.finance if role is Role.FINANCE else shop.agent
    client = login(user)
    page = text_of(client.get(f"/orders/{order.id}"))
    assert "Confirm the order" not in page
    assert client.post(f"/orders/{order.id}/confirm", data={"confirmed_on": "2026-03-10"}).status_code == 403
    assert stored(order.id).status is OrderStatus.SUBMITTED


def test_a_distributor_cancels_before_confirmation_but_not_after(shop, login):
    submitted = make_order(shop.agreement, {shop.board: 50}, on=TODAY, submit=True)
    client = login(shop.agent)
    assert "Cancel the order" in text_of(client.get(f"/orders/{submitted.id}"))
    assert client.post(f"/orders/{submitted.id}/cancel", data={"reason": ""}).status_code == 302
    assert stored(submitted.id).status is OrderStatus.CANCELLED

    confirmed = make_order(shop.agreement, {shop.board: 50}, on=TODAY, confirm_on=TODAY)
    page = text_of(client.get(f"/orders/{confirmed.id}"))
    assert "Cancel the order" not in page
    assert "Nothing for you to do on this order now." in page
    response = client.post(f"/orders/{confirmed.id}/cancel", data={"reason": "不要了"})
    assert response.status_code == 409
    assert "Your role cannot take this step." in text_of(response)
    assert stored(confirmed.id).status is OrderStatus.CONFIRMED


def test_sales_cancels_a_confirmed_order_only_with_a_reason(shop, login):
    order = make_order(shop.agreement, {shop.board: 50}, on=date(2026, 3, 1), confirm_on=date(2026, 3, 2))
    client = login(shop.sales)
    assert "the deposit is overdue" in text_of(client.get(f"/orders/{order.id}"))

    refused = client.post(f"/orders/{order.id}/cancel", data={"reason": "  "})
    assert refused.status_code == 422
    assert "Give a reason for cancelling a confirmed order." in text_of(refused)
    assert stored(order.id).status is OrderStatus.CONFIRMED

    assert client.post(f"/orders/{order.id}/cancel", data={"reason": "定金逾期未付"}).status_code == 302
    cancelled = stored(order.id)
    assert (cancelled.status, cancelled.cancel_reason, cancelled.cancelled_on) == (
        OrderStatus.CANCELLED,
        "定金逾期未付",
        TODAY,
    )
    assert "定金逾期未付" in text_of(client.get(f"/orders/{order.id}"))


@pytest.fixture
def paid_and_shipped(shop):
    """A first order of 50 boards, confirmed 2 March, deposit (100%) paid late on 6 March after a
    wrong payment was voided, half shipped on 9 March."""
    order = shop.order(50, confirm_on=date(2026, 3, 2))
    wrong = pay(order, "100.00", date(2026, 3, 3), "WRONG-1", today=TODAY)
    payments.void_payment(wrong, reason="入错订单", voided_by_id=None)
    pay(order, "60000.00", date(2026, 3, 6), "BANK-778", today=TODAY)
    ship(order, {shop.board: ["SN-0001", "SN-0002"]}, on=date(2026, 3, 9), carrier="顺丰", tracking_number="SF123")
    return stored(order.id)


def test_the_order_page_tells_the_money_and_delivery_story(shop, login, paid_and_shipped):
    order = paid_and_shipped
    page = text_of(login(shop.agent).get(f"/orders/{order.id}"))

    assert "Deposit late" in page  # due 5 March, paid 6 March
    assert "¥60,000.00" in page
    assert "<del>WRONG-1</del>" in page
    assert "Voided: 入错订单" in page
    assert "BANK-778" in page
    assert "Due in 26 days" in page  # deposit paid 6 March + 30 days = 5 April; today is 10 March
    assert "SN-0001" in page
    assert "SN-0002" in page
    assert "顺丰 SF123" in page
    assert 'href="/boards/SN-0001"' in page
    assert "Book a payment" not in page
    assert "Ship units" not in page


def test_the_delivery_due_date_shows_once_the_deposit_is_paid(shop, login):
    """§6: deposit paid + 30 days while the balance is open; before the deposit, no date."""
    make_order(shop.agreement, {shop.board: 50}, on=date(2026, 3, 1), confirm_on=date(2026, 3, 2))  # first
    order = make_order(shop.agreement, {shop.board: 50}, on=date(2026, 3, 1), confirm_on=date(2026, 3, 2))
    client = login(shop.sales)
    assert "Due in" not in text_of(client.get(f"/orders/{order.id}"))
    payments.record_payment(
        order,
        amount=order.deposit_amount,
        received_on=date(2026, 3, 4),
        bank_reference="DEP-1",
        payer="",
        recorded_by_id=None,
        today=TODAY,
    )
    page = text_of(client.get(f"/orders/{order.id}"))
    assert stored(order.id).delivery_due_on == date(2026, 4, 3)
    assert "Apr 3, 2026" in page
    assert "Due in 24 days" in page  # 4 March + 30 days = 3 April; today is 10 March


def test_finance_and_sales_see_their_own_links(shop, login, paid_and_shipped):
    order = make_order(shop.agreement, {shop.board: 1}, on=date(2026, 3, 1), confirm_on=date(2026, 3, 2))
    finance = text_of(login(shop.finance).get(f"/orders/{order.id}"))
    assert f'href="/receivables/orders/{order.id}/payments/new"' in finance
    assert "Confirm the order" not in finance
    assert "Cancel the order" not in finance
    sales = text_of(login(shop.sales).get(f"/orders/{paid_and_shipped.id}"))
    assert f'href="/boards/orders/{paid_and_shipped.id}/shipments/new"' in sales
    assert "Book a payment" not in sales


def test_another_distributors_order_is_not_found(shop, login):
    theirs = make_order(make_active_agreement(products=[shop.board]), {shop.board: 50}, on=TODAY, submit=True)
    client = login(shop.agent)
    for response in (
        client.get(f"/orders/{theirs.id}"),
        client.get(f"/orders/{theirs.id}/edit"),
        client.post(f"/orders/{theirs.id}/cancel", data={}),
    ):
        assert response.status_code == 404
    assert stored(theirs.id).status is OrderStatus.SUBMITTED


# --- the list -------------------------------------------------------------------------------------


def test_a_distributor_lists_its_own_orders_with_what_matters(shop, login, paid_and_shipped):
    theirs = make_order(make_active_agreement(products=[shop.board]), {shop.board: 50}, on=TODAY)
    page = text_of(login(shop.agent).get("/orders/"))
    assert paid_and_shipped.number in page
    assert theirs.number not in page
    assert "Partly shipped" in page
    assert "¥60,000.00" in page
    assert "Due in 26 days" in page
    assert "Deposit late" in page
    assert 'name="distributor_id"' not in page  # no distributor filter for a distributor


def test_head_office_lists_every_distributor_and_filters(shop, login, paid_and_shipped):
    other = make_active_agreement(products=[shop.board])
    theirs = make_order(other, {shop.board: 50}, on=TODAY)
    client = login(shop.finance)

    everything = text_of(client.get("/orders/"))
    assert paid_and_shipped.number in everything
    assert theirs.number in everything
    assert "New order" not in everything  # finance reads only
    only_theirs = text_of(client.get(f"/orders/?distributor_id={other.distributor_id}"))
    assert theirs.number in only_theirs
    assert paid_and_shipped.number not in only_theirs
    drafts = text_of(client.get("/orders/?status=draft"))
    assert theirs.number in drafts
    assert paid_and_shipped.number not in drafts
    confirmed_in_march = text_of(client.get("/orders/?confirmed_from=2026-03-01&confirmed_to=2026-03-31"))
    assert paid_and_shipped.number in confirmed_in_march
    assert theirs.number not in confirmed_in_march
    nonsense = client.get("/orders/?status=nope&period=never&confirmed_from=yesterday&distributor_id=-4&page=x")
    assert nonsense.status_code == 200


def bulk_orders(agreements, count: int, start: int = 0) -> None:
    """``count`` paid orders, spread over ``agreements`` so that a page's rows belong to different
    distributors."""
    insert_orders(
        agreements,
        range(start, start + count),
        period="2026-03",
        status=OrderStatus.PAID_IN_FULL,
        total=D("1200.00"),
        paid_amount=D("1200.00"),
        confirmed_on=date(2026, 3, 2),
        deposit_amount=D("360.00"),
        balance_amount=D("840.00"),
        deposit_due_on=date(2026, 3, 5),
        deposit_paid_on=date(2026, 3, 4),
        paid_in_full_on=date(2026, 3, 6),
        delivery_due_on=date(2026, 4, 3),
    )


@pytest.mark.parametrize("role", [Role.SALES, Role.DISTRIBUTOR])
def test_the_list_costs_the_same_statements_for_10_or_1000_orders(shop, login, count_statements, role):
    """Whatever the page shows of each row (distributor, status, money, dates) comes with the page:
    a statement per row would show as more statements for a full page than for 10 rows."""
    client = login(shop.sales if role is Role.SALES else shop.agent)
    agreements = (
        [shop.agreement]
        if role is Role.DISTRIBUTOR
        else [shop.agreement, *(make_active_agreement(products=[shop.board]) for _ in range(29))]
    )
    bulk_orders(agreements, 10)
    with count_statements() as few:
        first = client.get("/orders/")
    bulk_orders(agreements, 990, start=10)
    with count_statements() as many:
        busy = client.get("/orders/")
    assert first.status_code == busy.status_code == 200
    assert len(many) == len(few)
    assert text_of(first).count("PO-BULK-") == 10
    assert text_of(busy).count("PO-BULK-") == 25  # one page of the default size
    assert "1000 in all" in text_of(busy)


def test_sales_closes_a_shipped_order_from_its_page(shop, login):
    order = shop.paid_order(50, confirm_on=date(2026, 3, 5), paid_on=date(2026, 3, 6))
    shop.ship(order, [f"P{i}" for i in range(50)], on=date(2026, 3, 7))
    client = login(shop.sales)
    assert f'action="/orders/{order.id}/close"' in client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert client.post(f"/orders/{order.id}/close").status_code == 302
    db.session.expire_all()
    assert db.session.get(Order, order.id).status is OrderStatus.CLOSED
    assert client.post(f"/orders/{order.id}/close").status_code == 409
