"""Head office's on-time delivery list (docs/rules.md §6, §10): shipped on or before the delivery due
date is met; shipped after it, or not shipped once it passed, is late."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.boards.models import DeliveryDay
from portal.boards.queries import DeliveryCounts, DeliveryFilters, deliveries_matching, delivery_counts
from portal.boards.tallies import counted as tallies_counted
from portal.domain.orders import DeliveryState
from portal.domain.roles import Role
from portal.extensions import db

from ..builders import make_user
from ..domain.test_orders import DELIVERY_CASES


@pytest.fixture
def orders(shop):
    """Delivery due = deposit paid + 30 days (paid in full the same day): 2 February, except the last."""
    on_time = shop.paid_order(50, confirm_on=date(2026, 1, 2), paid_on=date(2026, 1, 3))
    shop.ship(on_time, [f"A-{n}" for n in range(50)], on=date(2026, 2, 2))  # on the due date: met
    late = shop.paid_order(1, confirm_on=date(2026, 1, 2), paid_on=date(2026, 1, 3))
    shop.ship(late, ["B-1"], on=date(2026, 2, 10))
    overdue = shop.paid_order(1, confirm_on=date(2026, 1, 2), paid_on=date(2026, 1, 3))  # not shipped, due passed
    open_ = shop.paid_order(1, confirm_on=date(2026, 3, 1), paid_on=date(2026, 3, 2))  # due 1 April
    return on_time, late, overdue, open_


def rows(page: str) -> dict[str, str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    found = {}
    for row in re.findall(r"<tr.*?</tr>", body, re.S):
        text = " ".join(re.sub(r"<[^>]+>", " ", row).split())
        found[text.split()[0]] = ("LATE-ROW " if "table-danger" in row else "") + text
    return found


def test_met_late_and_open_orders_with_late_ones_highlighted(orders, login):
    on_time, late, overdue, open_ = orders
    page = login(make_user(role=Role.SALES)).get("/boards/delivery").get_data(as_text=True)
    shown = rows(page)
    assert "On time" in shown[on_time.number]
    assert not shown[on_time.number].startswith("LATE-ROW")
    assert shown[late.number].startswith("LATE-ROW")
    assert shown[late.number].endswith("Late 8")
    assert shown[overdue.number].startswith("LATE-ROW")
    assert shown[overdue.number].endswith("Late 36")
    assert "Not yet due" in shown[open_.number]
    assert "1 of 2 shipped orders left by their delivery due date (50%)." in page
    assert "Shipped late: 1. Not shipped and overdue: 1. Not yet due: 1." in page


def test_filters_by_state_distributor_and_period(orders, shop, login):
    on_time, late, overdue, open_ = orders
    other = shop.elsewhere().paid_order(50, confirm_on=date(2026, 1, 2), paid_on=date(2026, 1, 3))
    client = login(make_user(role=Role.FINANCE))

    assert set(rows(client.get("/boards/delivery?state=late").get_data(as_text=True))) == {
        late.number,
        overdue.number,
        other.number,
    }
    ours = client.get(f"/boards/delivery?distributor_id={on_time.distributor_id}").get_data(as_text=True)
    assert other.number not in rows(ours)
    assert len(rows(ours)) == 4
    period = client.get("/boards/delivery?from=2026-03-01&to=2026-04-30").get_data(as_text=True)
    assert set(rows(period)) == {open_.number}


def test_a_bad_period_date_is_explained(orders, login):
    response = login(make_user(role=Role.SALES)).get("/boards/delivery?from=2026-13-01")
    assert response.status_code == 422
    assert "The date 2026-13-01 is not a date in the form YYYY-MM-DD" in response.get_data(as_text=True)


def test_distributors_do_not_see_the_delivery_list(orders, login):
    client = login(make_user(role=Role.DISTRIBUTOR, distributor=orders[0].distributor))
    assert client.get("/boards/delivery").status_code == 403


# --- the same list through /api/v1/on-time-deliveries ---------------------------------------------

DELIVERIES = "/api/v1/on-time-deliveries"


def test_the_api_lists_met_late_and_open_orders_like_the_page(orders, api):
    on_time, late, overdue, open_ = orders
    response = api(make_user(role=Role.SALES)).get(DELIVERIES)

    assert response.status_code == 200
    assert (response.json["total"], response.json["page"], response.json["pages"]) == (4, 1, 1)
    listed = {item["number"]: item for item in response.json["items"]}
    assert listed[on_time.number] | {"order_id": None, "distributor_id": None, "distributor_code": None} == {
        "order_id": None,
        "number": on_time.number,
        "distributor_id": None,
        "distributor_code": None,
        "status": "shipped",
        "delivery_due_on": "2026-02-02",
        "shipped_on": "2026-02-02",
        "state": "on_time",
        "days_late": 0,
    }
    assert (listed[late.number]["state"], listed[late.number]["days_late"]) == ("late", 8)
    assert (listed[overdue.number]["state"], listed[overdue.number]["days_late"]) == ("late", 36)
    assert (listed[open_.number]["state"], listed[open_.number]["delivery_due_on"]) == ("not_yet_due", "2026-04-01")
    assert [item["number"] for item in response.json["items"]][0] == open_.number  # the latest due first


def test_the_api_filters_by_state_distributor_and_period_as_the_page_does(orders, shop, api):
    on_time, late, overdue, open_ = orders
    other = shop.elsewhere().paid_order(50, confirm_on=date(2026, 1, 2), paid_on=date(2026, 1, 3))
    caller = api(make_user(role=Role.FINANCE))

    def numbers(query: str) -> set[str]:
        response = caller.get(f"{DELIVERIES}?{query}")
        assert response.status_code == 200
        return {item["number"] for item in response.json["items"]}

    assert numbers("state=late") == {late.number, overdue.number, other.number}
    assert numbers(f"distributor_id={on_time.distributor_id}") == {
        on_time.number,
        late.number,
        overdue.number,
        open_.number,
    }
    assert numbers("due_from=2026-03-01&due_to=2026-04-30") == {open_.number}
    paged = caller.get(f"{DELIVERIES}?per_page=2&page=3").json
    assert (paged["total"], paged["pages"], len(paged["items"])) == (5, 3, 1)


@pytest.mark.parametrize("query", ["due_from=2026-13-01", "state=soon", "distributor_id=abc"])
def test_a_bad_filter_answers_422_naming_it(orders, api, query):
    response = api(make_user(role=Role.ADMIN)).get(f"{DELIVERIES}?{query}")
    assert response.status_code == 422
    assert query.split("=")[0] in response.json["error"]["fields"]


def test_distributors_cannot_read_the_delivery_list_through_the_api(orders, api):
    caller = api(make_user(role=Role.DISTRIBUTOR, distributor=orders[0].distributor))
    assert caller.get(DELIVERIES).status_code == 403


@pytest.mark.parametrize(("due_on", "shipped_on", "on", "state", "late"), DELIVERY_CASES)
def test_the_lists_sql_agrees_with_the_domain(shop, due_on, shipped_on, on, state, late):
    """The list filters and counts in SQL for speed; on every row of the domain's table it finds the
    order in the state ``domain.orders.delivery_state`` gives, and in no other."""
    order = shop.paid_order(50, confirm_on=date(2026, 1, 2), paid_on=date(2026, 1, 3))
    order.delivery_due_on, order.shipped_on = due_on, shipped_on
    db.session.commit()
    found = {
        each: order in db.session.scalars(deliveries_matching(DeliveryFilters(state=each), on)).unique().all()
        for each in DeliveryState
    }
    assert found == {each: each is state for each in DeliveryState}
    assert (order.delivery_state(on), order.delivery_days_late(on)) == (state, late)
    counts = delivery_counts(DeliveryFilters(), on)
    assert (counts.on_time, counts.shipped_late + counts.overdue, counts.not_yet_due) == (
        int(state is DeliveryState.ON_TIME),
        int(state is DeliveryState.LATE),
        int(state is DeliveryState.NOT_YET_DUE),
    )


def test_the_unfiltered_summary_reads_kept_current_tallies_equal_to_a_recount(orders, shop):
    """Unfiltered, the counts come from the tallies kept per delivery due day (no order is read);
    filtered by a period they are counted from the orders. They agree on each side of a due date,
    and the tallies follow a change to an order in the same commit, leaving a day it left at zero."""
    on_time, late, overdue, open_ = orders
    elsewhere = shop.elsewhere()
    theirs = elsewhere.paid_order(50, confirm_on=date(2026, 1, 2), paid_on=date(2026, 1, 3))
    elsewhere.ship(theirs, [f"C-{n}" for n in range(50)], on=date(2026, 2, 1))
    every = DeliveryFilters(due_from=date(2000, 1, 1))  # the same orders, counted one by one
    for on in (date(2026, 2, 1), date(2026, 2, 2), date(2026, 2, 3), date(2026, 3, 10), date(2026, 4, 2)):
        assert delivery_counts(DeliveryFilters(), on) == delivery_counts(every, on), on
    assert delivery_counts(DeliveryFilters(), date(2026, 3, 10)) == DeliveryCounts(2, 1, 1, 1)
    assert kept() == tallies_counted(db.session(), None)

    late.shipped_on = date(2026, 2, 2)  # corrected: it left on its due date
    open_.delivery_due_on = date(2026, 4, 3)  # and a due date corrected: the day it left stays, at zero
    db.session.commit()
    assert delivery_counts(DeliveryFilters(), date(2026, 3, 10)) == DeliveryCounts(3, 0, 1, 1)
    assert {day: values for day, values in kept().items() if any(values.values())} == tallies_counted(
        db.session(), None
    )
    assert kept()[date(2026, 4, 1)] == {"on_time": 0, "shipped_late": 0, "waiting": 0}
    for on in (date(2026, 3, 10), date(2026, 4, 3), date(2026, 4, 4)):
        assert delivery_counts(DeliveryFilters(), on) == delivery_counts(every, on), on


def kept() -> dict[date, dict[str, int]]:
    db.session.expire_all()
    return {
        row.delivery_due_on: {"on_time": row.on_time, "shipped_late": row.shipped_late, "waiting": row.waiting}
        for row in db.session.scalars(select(DeliveryDay))
    }
