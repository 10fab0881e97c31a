"""Head office's on-time delivery list (docs/rules.md §6, §10): shipped on or before the delivery due
date is met; shipped after it, or not shipped once it passed, is late."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.domain.roles import Role

from ..builders import make_user


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
