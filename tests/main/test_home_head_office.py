"""Head office's home page shows what waits for it, each count linking to its list."""

from __future__ import annotations

import re
from datetime import date

from portal.domain.roles import Role

from ..builders import make_order, make_shop, make_user


def queue(page: str, key: str) -> int:
    match = re.search(
        rf'data-queue="{key}">\s*<div class="card-body">\s*<div[^>]*>[^<]*</div>\s*'
        r'<div class="display-6">(\d+)</div>',
        page,
    )
    assert match, key
    return int(match.group(1))


def test_orders_to_confirm_and_overdue_deposits_are_counted(login, shop):
    shop.order(50, confirm_on=date(2026, 3, 5))  # deposit due 8 March: overdue today
    make_order(shop.agreement, {shop.board: 1}, submit=True)
    shop.order(2, confirm_on=None)  # a draft waits for nobody at head office
    page = login(shop.sales).get("/").get_data(as_text=True)
    assert queue(page, "to_confirm") == 1
    assert queue(page, "deposits_overdue") == 1
    assert queue(page, "to_ship") == 0
    assert queue(page, "distributors") == 1
    assert 'href="/orders/?status=submitted"' in page


def test_the_home_page_costs_the_same_statements_whatever_the_data(login, count_statements):
    client = login(make_user(role=Role.FINANCE))
    with count_statements() as empty:
        client.get("/")
    shop = make_shop()
    shop.order(50, confirm_on=date(2026, 3, 5))
    for _ in range(5):
        make_order(shop.agreement, {shop.board: 1}, submit=True)
    with count_statements() as busy:
        client.get("/")
    assert len(busy) == len(empty)


def test_a_distributor_sees_its_confirmed_orders_and_what_to_pay_by_when(login, shop):
    order = shop.order(50, confirm_on=date(2026, 3, 5))
    theirs = shop.elsewhere().order(50, confirm_on=date(2026, 3, 5))
    page = login(shop.agent).get("/").get_data(as_text=True)
    assert f'data-order="{order.number}"' in page
    assert "¥60,000.00" in page  # the first order's deposit is the whole total (§2.1)
    assert "Mar 8, 2026" in page  # due 3 days after confirmation (§6.3.1)
    assert theirs.number not in page
