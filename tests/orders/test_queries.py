"""The order area's reads: the quarter's ordered amount against the (prorated) quota (docs/rules.md §9),
periods, what the delivery due date means on a day, and the list's filters and scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.domain.orders import DeliveryState, OrderStatus
from portal.domain.roles import Role
from portal.extensions import db
from portal.orders import services
from portal.orders.models import Order
from portal.orders.queries import (
    orders_matching,
    period_suggestions,
    quota_meter,
)

from ..builders import START, make_active_agreement, make_order, make_price_list, make_product, make_user

D = Decimal


@pytest.fixture
def setup(shop):
    return shop.agreement, shop.board  # level 2: ¥1,200 a board


# --- the quota meter ------------------------------------------------------------------------------


def test_the_ordered_amount_counts_orders_confirmed_in_the_quarter_and_not_cancelled_since(setup):
    agreement, board = setup
    make_order(agreement, {board: 50}, on=date(2026, 1, 5), confirm_on=date(2026, 1, 6))  # Q1: ¥60,000
    make_order(agreement, {board: 10}, on=date(2026, 3, 1), confirm_on=date(2026, 3, 2))  # Q1: ¥12,000
    cancelled = make_order(agreement, {board: 5}, on=date(2026, 3, 1), confirm_on=date(2026, 3, 3))
    services.cancel_order(cancelled, Role.SALES, date(2026, 3, 9), reason="定金逾期")
    make_order(agreement, {board: 7}, on=date(2026, 3, 1), submit=True)  # submitted, never confirmed
    make_order(agreement, {board: 3}, on=date(2026, 3, 1))  # a draft

    meter = quota_meter(agreement, date(2026, 3, 10))

    assert (meter.name, meter.first, meter.last) == ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31))
    assert meter.ordered == D("72000.00")
    assert meter.quota == D("50000.00")
    assert meter.percent == 144


def test_an_order_confirmed_last_quarter_does_not_count_in_this_one(setup):
    agreement, board = setup
    make_order(agreement, {board: 50}, on=date(2026, 3, 20), confirm_on=date(2026, 3, 31))
    make_order(agreement, {board: 2}, on=date(2026, 3, 20), confirm_on=date(2026, 4, 1))

    assert quota_meter(agreement, date(2026, 3, 31)).ordered == D("60000.00")
    meter = quota_meter(agreement, date(2026, 4, 15))
    assert meter.name == "2026-Q2"
    assert meter.ordered == D("2400.00")
    assert meter.percent == 4


def test_another_agreements_orders_do_not_count(setup):
    agreement, board = setup
    other = make_active_agreement(products=[board])
    make_order(other, {board: 50}, on=date(2026, 3, 1), confirm_on=date(2026, 3, 2))
    assert quota_meter(agreement, date(2026, 3, 10)).ordered == D("0.00")


def test_a_term_that_starts_mid_quarter_prorates_the_quota(app):
    board = make_product()
    make_price_list({board: ("1000.00", "1200.00", "1500.00")}, published_on=START)
    agreement = make_active_agreement(products=[board], starts_on=date(2026, 2, 15))

    meter = quota_meter(agreement, date(2026, 3, 10))

    # Q1 2026 has 90 days; the term covers 15 Feb - 31 Mar, 45 of them: ¥50,000 × 45 / 90.
    assert meter.quota == D("25000.00")
    assert meter.full_quota == D("50000.00")
    assert meter.prorated


def test_the_period_box_suggests_this_and_the_next_months_and_quarters():
    assert period_suggestions(date(2026, 11, 25)) == ["2026-11", "2026-12", "2027-01", "2026-Q4", "2027-Q1"]


# --- delivery due date ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "due", "shipped_on", "on", "expected"),
    [
        (OrderStatus.CONFIRMED, None, None, date(2026, 3, 10), (None, 0)),  # deposit not paid: not known yet
        (OrderStatus.DEPOSIT_PAID, date(2026, 4, 10), None, date(2026, 3, 10), (DeliveryState.NOT_YET_DUE, 0)),
        (OrderStatus.PAID_IN_FULL, date(2026, 4, 10), None, date(2026, 4, 10), (DeliveryState.NOT_YET_DUE, 0)),
        (OrderStatus.PARTLY_SHIPPED, date(2026, 4, 10), None, date(2026, 4, 12), (DeliveryState.LATE, 2)),
        (OrderStatus.SHIPPED, date(2026, 4, 10), date(2026, 4, 10), date(2026, 5, 1), (DeliveryState.ON_TIME, 0)),
        (OrderStatus.CLOSED, date(2026, 4, 10), date(2026, 4, 13), date(2026, 5, 1), (DeliveryState.LATE, 3)),
        (OrderStatus.CANCELLED, date(2026, 4, 10), None, date(2026, 5, 1), (None, 0)),
    ],
)
def test_an_orders_delivery_state_and_days_late(status, due, shipped_on, on, expected):
    order = Order(status=status, delivery_due_on=due, shipped_on=shipped_on)
    assert (order.delivery_state(on), order.delivery_days_late(on)) == expected


# --- the list -------------------------------------------------------------------------------------


def test_filters_combine_and_a_distributor_sees_only_its_own(setup):
    agreement, board = setup
    january = make_order(agreement, {board: 50}, on=date(2026, 1, 5), confirm_on=date(2026, 1, 6))
    march = make_order(agreement, {board: 1}, on=date(2026, 3, 1), confirm_on=date(2026, 3, 2))
    draft = services.create_order(
        agreement, [services.LineRequest(board.id, 1)], on=date(2026, 3, 1), created_by_id=None, period="2026-Q2"
    )
    other = make_order(make_active_agreement(products=[board]), {board: 50}, on=date(2026, 3, 1))
    sales = make_user(role=Role.SALES)
    mine = make_user(role=Role.DISTRIBUTOR, distributor=agreement.distributor)

    def numbers(user, **filters):
        return {order.number for order in db.session.scalars(orders_matching(user=user, **filters)).unique()}

    assert numbers(sales) == {january.number, march.number, draft.number, other.number}
    assert numbers(mine) == {january.number, march.number, draft.number}
    assert numbers(mine, distributor_id=other.distributor_id) == set()
    assert numbers(sales, distributor_id=other.distributor_id) == {other.number}
    assert numbers(sales, status=OrderStatus.DRAFT) == {draft.number, other.number}
    assert numbers(sales, period="2026-Q2") == {draft.number}
    assert numbers(sales, confirmed_from=date(2026, 2, 1)) == {march.number}
    assert numbers(sales, confirmed_to=date(2026, 1, 31)) == {january.number}
