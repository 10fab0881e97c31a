"""/api/v1/orders (docs/api.md): the same roles and rules as the pages. 403 for a role that may not take
the step, 404 for another distributor's order, 409 when a rule or the order's state refuses, 422
naming the bad field; a refused request changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.boards import services as shipping
from portal.domain.orders import OrderStatus
from portal.domain.roles import Role
from portal.extensions import db
from portal.orders import services
from portal.orders.models import Order
from portal.receivables import services as payments

from ..api.support import error_of
from ..builders import TODAY, make_active_agreement, make_order, make_product, make_user

D = Decimal
LIST = "/api/v1/orders"


# "Today" in Asia/Shanghai is 10 March 2026 for these tests.
pytestmark = pytest.mark.usefixtures("today")


def body(shop, **changes):
    return {
        "agreement_id": shop.agreement.id,
        "period": "2026-Q2",
        "wanted_delivery_on": "2026-04-01",
        "lines": [{"sku": "PBX-EXT-16", "quantity": 50}, {"sku": "ACC-CBL", "quantity": 3}],
        **changes,
    }


def stored(order_id: int) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order_id)


def count_orders() -> int:
    db.session.expire_all()
    return db.session.query(Order).count()


# --- drafting -------------------------------------------------------------------------------------


def test_a_distributor_drafts_an_order_and_reads_the_documented_fields(shop, api):
    caller = api(shop.agent)

    response = caller.post(LIST, json=body(shop))

    assert response.status_code == 201, response.json
    order = response.json
    assert response.headers["Location"] == f"{LIST}/{order['id']}"
    assert order["status"] == "draft"
    assert order["lines"] == [
        {"sku": "PBX-EXT-16", "quantity": 50, "unit_price": "1200.00", "amount": "60000.00", "shipped_quantity": 0},
        {"sku": "ACC-CBL", "quantity": 3, "unit_price": "12.00", "amount": "36.00", "shipped_quantity": 0},
    ]
    assert order["total"] == "60036.00"
    assert order["is_first_order"] is True
    assert order["prices_locked"] is False
    assert (order["period"], order["wanted_delivery_on"]) == ("2026-Q2", "2026-04-01")
    for name in (
        "deposit_amount",
        "balance_amount",
        "confirmed_on",
        "deposit_due_on",
        "deposit_paid_on",
        "paid_in_full_on",
        "delivery_due_on",
    ):
        assert order[name] is None, name
    assert order["paid_amount"] == "0.00"
    assert caller.get(f"{LIST}/{order['id']}").json == order


def test_the_whole_life_through_the_api(shop, api):
    agent, sales = api(shop.agent), api(shop.sales)
    order_id = agent.post(LIST, json=body(shop)).json["id"]

    submitted = agent.post(f"{LIST}/{order_id}/submit")
    assert submitted.status_code == 200
    assert submitted.json["status"] == "submitted"

    confirmed = sales.post(f"{LIST}/{order_id}/confirm", json={"confirmed_on": "2026-03-10"})
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["status"] == "confirmed"
    assert confirmed.json["prices_locked"] is True
    assert (confirmed.json["deposit_amount"], confirmed.json["balance_amount"]) == ("60036.00", "0.00")  # first: 100%
    assert confirmed.json["deposit_due_on"] == "2026-03-13"

    cancelled = sales.post(f"{LIST}/{order_id}/cancel", json={"reason": "定金逾期"})
    assert cancelled.status_code == 200
    assert (cancelled.json["status"], cancelled.json["cancel_reason"]) == ("cancelled", "定金逾期")


def test_confirm_defaults_to_today_and_takes_no_body(shop, api):
    order = make_order(shop.agreement, {shop.board: 50}, on=TODAY, submit=True)
    response = api(shop.sales).post(f"{LIST}/{order.id}/confirm")
    assert response.status_code == 200
    assert response.json["confirmed_on"] == "2026-03-10"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lines": [{"sku": "PBX-EXT-16", "quantity": 0}]}, "lines.0.quantity"),
        ({"lines": [{"sku": "PBX-EXT-16", "quantity": -5}]}, "lines.0.quantity"),
        ({"lines": [{"sku": "PBX-EXT-16", "quantity": 1.5}]}, "lines.0.quantity"),
        ({"lines": [{"sku": "PBX-EXT-16", "quantity": "3"}]}, "lines.0.quantity"),
        ({"lines": [{"sku": "PBX-EXT-16", "quantity": 2_000_000}]}, "lines.0.quantity"),
        ({"lines": []}, "lines"),
        ({"lines": [{"sku": "PBX-EXT-16", "quantity": 1}, {"sku": "NOPE", "quantity": 1}]}, "lines.1.sku"),
        ({"period": "2026-13"}, "period"),
        ({"period": "Q1"}, "period"),
        ({"wanted_delivery_on": "2026-02-30"}, "wanted_delivery_on"),
        ({"wanted_delivery_on": "2026-03-01"}, "wanted_delivery_on"),  # in the past
        ({"agreement_id": 0}, "agreement_id"),
        ({"agreement_id": 987654}, "agreement_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_fields_answer_422_naming_them_and_nothing_is_saved(shop, api, changes, field):
    response = api(shop.agent).post(LIST, json=body(shop, **changes))
    assert response.status_code == 422, response.json
    assert field in error_of(response)["fields"]
    assert count_orders() == 0


def test_the_same_product_twice_is_refused(shop, api):
    lines = [{"sku": "PBX-EXT-16", "quantity": 1}, {"sku": "PBX-EXT-16", "quantity": 2}]
    response = api(shop.agent).post(LIST, json=body(shop, lines=lines))
    assert response.status_code == 422
    assert "appears once" in error_of(response)["message"]
    assert count_orders() == 0


def test_an_unauthorised_product_is_refused(shop, api):
    make_product("SECRET-1")
    response = api(shop.agent).post(LIST, json=body(shop, lines=[{"sku": "SECRET-1", "quantity": 1}]))
    assert response.status_code == 422
    assert error_of(response)["fields"]["lines.0.sku"] == ["This agreement does not authorise that product."]
    assert count_orders() == 0


def test_an_inactive_agreement_answers_409(shop, api):
    expired = make_active_agreement(
        shop.agreement.distributor, products=[shop.board], starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31)
    )
    response = api(shop.agent).post(
        LIST, json=body(shop, agreement_id=expired.id, lines=[{"sku": "PBX-EXT-16", "quantity": 50}])
    )
    assert response.status_code == 409
    assert error_of(response)["message"] == "Orders are placed only under an active agreement."
    assert count_orders() == 0


def test_another_distributors_agreement_is_unknown(shop, api):
    theirs = make_active_agreement(products=[shop.board])
    response = api(shop.agent).post(LIST, json=body(shop, agreement_id=theirs.id))
    assert response.status_code == 422
    assert "agreement_id" in error_of(response)["fields"]
    assert count_orders() == 0


def test_malformed_json_answers_400(shop, api):
    response = api(shop.agent).post(LIST, data="{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400


# --- the rules of the steps -----------------------------------------------------------------------


def test_a_first_order_below_the_minimum_cannot_be_submitted(shop, api):
    caller = api(shop.agent)
    order_id = caller.post(LIST, json=body(shop, lines=[{"sku": "PBX-EXT-16", "quantity": 10}])).json["id"]
    response = caller.post(f"{LIST}/{order_id}/submit")
    assert response.status_code == 409
    assert "A first order must total at least" in error_of(response)["message"]
    assert stored(order_id).status is OrderStatus.DRAFT


def test_confirming_twice_answers_409(shop, api):
    order = make_order(shop.agreement, {shop.board: 50}, on=date(2026, 3, 1), confirm_on=date(2026, 3, 2))
    response = api(shop.sales).post(f"{LIST}/{order.id}/confirm", json={"confirmed_on": "2026-03-10"})
    assert response.status_code == 409
    assert error_of(response)["message"] == "Only a submitted order can be confirmed."
    assert stored(order.id).confirmed_on == date(2026, 3, 2)


@pytest.mark.parametrize("confirmed_on", ["2026-03-11", "2027-01-01", "1999-12-31", "yesterday", 20260310])
def test_a_bad_or_future_confirmation_date_answers_422(shop, api, confirmed_on):
    order = make_order(shop.agreement, {shop.board: 50}, on=date(2026, 3, 1), submit=True)
    response = api(shop.sales).post(f"{LIST}/{order.id}/confirm", json={"confirmed_on": confirmed_on})
    assert response.status_code == 422
    assert "confirmed_on" in error_of(response)["fields"]
    assert stored(order.id).status is OrderStatus.SUBMITTED


def test_a_future_confirmation_date_answers_the_services_message(shop, api):
    order = make_order(shop.agreement, {shop.board: 50}, on=date(2026, 3, 1), submit=True)
    response = api(shop.sales).post(f"{LIST}/{order.id}/confirm", json={"confirmed_on": "2026-03-11"})
    assert response.status_code == 422
    assert error_of(response)["fields"] == {
        "confirmed_on": ["This date is in the future; enter today or an earlier day."]
    }


@pytest.mark.parametrize("role", [Role.FINANCE, Role.DISTRIBUTOR])
def test_only_head_office_sales_confirms(shop, api, role):
    order = make_order(shop.agreement, {shop.board: 50}, on=TODAY, submit=True)
    caller = api(shop.finance if role is Role.FINANCE else shop.agent)
    response = caller.post(f"{LIST}/{order.id}/confirm", json={})
    assert response.status_code == 403
    assert stored(order.id).status is OrderStatus.SUBMITTED


def test_finance_reads_but_does_not_order_or_cancel(shop, api):
    order = make_order(shop.agreement, {shop.board: 50}, on=TODAY, submit=True)
    caller = api(shop.finance)
    assert caller.get(f"{LIST}/{order.id}").status_code == 200
    assert caller.post(LIST, json=body(shop)).status_code == 403
    assert caller.post(f"{LIST}/{order.id}/cancel", json={}).status_code == 403
    assert caller.post(f"{LIST}/{order.id}/submit").status_code == 403


def test_a_distributor_cannot_cancel_a_confirmed_order_and_sales_needs_a_reason(shop, api):
    order = make_order(shop.agreement, {shop.board: 50}, on=date(2026, 3, 1), confirm_on=date(2026, 3, 2))
    refused = api(shop.agent).post(f"{LIST}/{order.id}/cancel", json={"reason": "不要了"})
    assert refused.status_code == 409
    no_reason = api(shop.sales).post(f"{LIST}/{order.id}/cancel", json={})
    assert no_reason.status_code == 422
    assert "reason" in error_of(no_reason)["fields"]
    assert stored(order.id).status is OrderStatus.CONFIRMED


def test_another_distributors_order_answers_404_like_a_missing_one(shop, api):
    theirs = make_order(make_active_agreement(products=[shop.board]), {shop.board: 50}, on=TODAY)
    caller = api(shop.agent)
    for response in (
        caller.get(f"{LIST}/{theirs.id}"),
        caller.post(f"{LIST}/{theirs.id}/submit"),
        caller.post(f"{LIST}/{theirs.id}/cancel", json={}),
    ):
        assert response.status_code == 404
        assert error_of(response) == error_of(caller.get(f"{LIST}/{theirs.id + 1000}"))
    assert stored(theirs.id).status is OrderStatus.DRAFT


# --- the list -------------------------------------------------------------------------------------


def test_lists_are_scoped_filtered_and_paginated(shop, api):
    mine = make_order(shop.agreement, {shop.board: 50}, on=date(2026, 3, 1), confirm_on=date(2026, 3, 2))
    draft = services.create_order(
        shop.agreement, [services.LineRequest(shop.cable.id, 1)], on=TODAY, created_by_id=None, period="2026-Q2"
    )
    other = make_active_agreement(products=[shop.board])
    theirs = make_order(other, {shop.board: 50}, on=TODAY)

    def numbers(caller, query=""):
        response = caller.get(f"{LIST}{query}")
        assert response.status_code == 200, response.json
        return {item["number"] for item in response.json["items"]}

    agent, sales = api(shop.agent), api(shop.sales)
    assert numbers(agent) == {mine.number, draft.number}
    assert numbers(agent, f"?distributor_id={other.distributor_id}") == {mine.number, draft.number}  # own only
    assert numbers(sales) == {mine.number, draft.number, theirs.number}
    assert numbers(sales, f"?distributor_id={other.distributor_id}") == {theirs.number}
    assert numbers(sales, "?status=draft") == {draft.number, theirs.number}
    assert numbers(sales, "?period=2026-q2") == {draft.number}
    assert numbers(sales, "?confirmed_from=2026-03-01&confirmed_to=2026-03-31") == {mine.number}
    page = sales.get(f"{LIST}?per_page=2&page=2").json
    assert (page["total"], page["pages"], page["page"], len(page["items"])) == (3, 2, 2, 1)
    assert sales.get(f"{LIST}?status=lost").status_code == 422
    assert sales.get(f"{LIST}?confirmed_from=soon").status_code == 422


def test_the_list_costs_the_same_statements_for_few_or_many_orders(shop, api, count_statements):
    caller = api(shop.sales)
    make_order(shop.agreement, {shop.board: 50}, on=TODAY)
    caller.get(LIST)  # the token's first use is recorded once; count the calls after it
    with count_statements() as few:
        caller.get(LIST)
    for _ in range(12):
        make_order(
            make_active_agreement(products=[shop.board, shop.cable]),
            {shop.board: 50, shop.cable: 1},
            on=TODAY,
        )
    with count_statements() as many:
        response = caller.get(LIST)
    assert response.json["total"] == 13
    assert len(many) == len(few)


# --- editing a draft and closing (what the pages do) -----------------------------------------------


def test_a_draft_is_changed_field_by_field_as_the_form_allows(shop, api):
    caller = api(shop.agent)
    order_id = caller.post(LIST, json=body(shop, notes="初稿")).json["id"]

    response = caller.patch(
        f"{LIST}/{order_id}",
        json={"lines": [{"sku": "ACC-CBL", "quantity": 7}], "period": "2026-04", "wanted_delivery_on": "2026-05-01"},
    )

    assert response.status_code == 200, response.json
    changed = response.json
    assert [(line["sku"], line["quantity"]) for line in changed["lines"]] == [("ACC-CBL", 7)]
    assert (changed["period"], changed["wanted_delivery_on"], changed["notes"]) == ("2026-04", "2026-05-01", "初稿")
    assert changed["total"] == "84.00"  # 7 × ¥12, level 2
    assert changed["status"] == "draft"
    cleared = caller.patch(f"{LIST}/{order_id}", json={"wanted_delivery_on": None, "notes": "改稿"}).json
    assert (cleared["wanted_delivery_on"], cleared["notes"], cleared["total"]) == (None, "改稿", "84.00")
    assert caller.get(f"{LIST}/{order_id}").json == cleared


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"period": "2026-13"}, "period"),
        ({"wanted_delivery_on": "2026-03-09"}, "wanted_delivery_on"),  # in the past
        ({"lines": []}, "lines"),
        ({"lines": None}, "lines"),
        ({"lines": [{"sku": "PBX-EXT-16", "quantity": 0}]}, "lines.0.quantity"),
        ({"lines": [{"sku": "NOT-AUTHORISED", "quantity": 1}]}, "lines.0.sku"),
        ({"notes": "x" * 1001}, "notes"),
        ({"status": "submitted"}, "status"),
    ],
)
def test_a_bad_change_to_a_draft_answers_422_and_changes_nothing(shop, api, changes, field):
    caller = api(shop.agent)
    order_id = caller.post(LIST, json=body(shop)).json["id"]
    before = caller.get(f"{LIST}/{order_id}").json

    response = caller.patch(f"{LIST}/{order_id}", json=changes)

    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert caller.get(f"{LIST}/{order_id}").json == before


def test_only_a_draft_can_be_changed(shop, api):
    order = make_order(shop.agreement, {shop.board: 50}, on=TODAY, submit=True)
    response = api(shop.agent).patch(f"{LIST}/{order.id}", json={"notes": "改一下"})
    assert response.status_code == 409
    assert error_of(response)["message"] == "Only a draft order can be changed."
    assert stored(order.id).notes == ""


@pytest.mark.parametrize(("role", "status"), [(Role.SALES, 200), (Role.ADMIN, 200), (Role.FINANCE, 403)])
def test_head_office_sales_changes_a_draft_and_finance_may_not(shop, api, role, status):
    order = make_order(shop.agreement, {shop.board: 50}, on=TODAY)
    response = api(make_user(role=role)).patch(f"{LIST}/{order.id}", json={"notes": "总部代填"})
    assert response.status_code == status
    assert stored(order.id).notes == ("总部代填" if status == 200 else "")


def test_another_distributors_draft_answers_404_and_stays_as_it_was(shop, api):
    theirs = make_order(make_active_agreement(products=[shop.board]), {shop.board: 50}, on=TODAY)
    response = api(shop.agent).patch(f"{LIST}/{theirs.id}", json={"notes": "不是我的"})
    assert response.status_code == 404
    assert stored(theirs.id).notes == ""


def shipped_order(shop) -> Order:
    """An order of 50 boards confirmed 2 March, paid 3 March and shipped in full 4 March."""
    order = make_order(shop.agreement, {shop.board: 50}, on=date(2026, 3, 1), confirm_on=date(2026, 3, 2))
    payments.record_payment(
        order,
        amount=order.total,
        received_on=date(2026, 3, 3),
        bank_reference="ICBC-CLOSE",
        payer="",
        recorded_by_id=None,
        today=TODAY,
    )
    serials = [f"CL-{n:03d}" for n in range(50)]
    shipping.ship_order(
        order,
        [shipping.ShipmentLineRequest(shop.board.id, 50, serials)],
        shipped_on=date(2026, 3, 4),
        role=Role.SALES,
        today=TODAY,
    )
    return stored(order.id)


@pytest.mark.parametrize("role", [Role.SALES, Role.ADMIN])
def test_head_office_sales_closes_a_fully_shipped_order(shop, api, role):
    order = shipped_order(shop)
    response = api(make_user(role=role)).post(f"{LIST}/{order.id}/close")
    assert response.status_code == 200
    assert response.json["status"] == "closed"
    assert stored(order.id).status is OrderStatus.CLOSED


@pytest.mark.parametrize("role", [Role.FINANCE, Role.DISTRIBUTOR])
def test_finance_and_distributors_cannot_close(shop, api, role):
    order = shipped_order(shop)
    caller = api(make_user(role=role, distributor=order.distributor if role is Role.DISTRIBUTOR else None))
    assert caller.post(f"{LIST}/{order.id}/close").status_code == 403
    assert stored(order.id).status is OrderStatus.SHIPPED


def test_an_order_not_fully_shipped_cannot_be_closed(shop, api):
    order = make_order(shop.agreement, {shop.board: 50}, on=date(2026, 3, 1), confirm_on=date(2026, 3, 2))
    sales = api(shop.sales)
    response = sales.post(f"{LIST}/{order.id}/close")
    assert response.status_code == 409
    assert stored(order.id).status is OrderStatus.CONFIRMED
    assert sales.post(f"{LIST}/{order.id + 1000}/close").status_code == 404
