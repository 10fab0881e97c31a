"""The orders demo: two years of orders in every state, through the services; and the whole demo
serves the main pages without an error."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.boards import demo
from portal.boards.models import Board, Shipment
from portal.clock import today as real_today
from portal.domain.orders import OrderStatus
from portal.domain.roles import Role
from portal.extensions import db
from portal.notices.models import Notice
from portal.orders.models import Order
from portal.products import demo as products_demo
from portal.receivables.models import Payment

from ..builders import make_active_agreement, make_price_list, make_user

TODAY = date(2026, 11, 25)


def count(model, *conditions) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0)


@pytest.fixture
def agreement(app):
    products = products_demo.load()
    make_price_list(
        dict.fromkeys(products, ("1180.00", "1280.00", "1580.00")),
        effective_from=date(2024, 1, 1),
        published_on=date(2024, 1, 1),
    )
    return make_active_agreement(products=products, starts_on=date(2024, 1, 1), ends_on=date(2027, 12, 31))


def test_the_demo_makes_orders_in_every_state_over_two_years(agreement):
    make_user(role=Role.FINANCE)

    demo.load(TODAY)

    statuses = {status for (status,) in db.session.execute(select(Order.status).distinct())}
    assert statuses == set(OrderStatus)
    first = db.session.scalar(select(Order).order_by(Order.id).limit(1))
    assert first.is_first_order
    assert first.status is OrderStatus.CLOSED
    assert first.confirmed_on <= TODAY - timedelta(days=700)  # two years back
    confirmed = db.session.scalar(
        select(Order).where(Order.status == OrderStatus.CONFIRMED, Order.deposit_due_on < TODAY)
    )
    assert confirmed is not None  # a deposit overdue
    assert count(Order, Order.deposit_paid_on > Order.deposit_due_on)  # deposits paid late
    assert count(Order, Order.deposit_paid_on <= Order.deposit_due_on)  # and on time
    assert count(Payment, Payment.voided_at.is_not(None)) == 1
    lost = db.session.scalar(select(Shipment).where(Shipment.lost_or_damaged.is_(True)))
    assert lost is not None
    assert count(Shipment, Shipment.replaces_shipment_id == lost.id) == 1
    serials = list(db.session.scalars(select(Board.serial)))
    assert len(serials) > 100
    assert all(re.fullmatch(r"D\d{4}-\d{6}", s) for s in serials), serials[:3]  # builders' code "D0001"
    assert max(db.session.scalars(select(Board.shipped_on))) <= TODAY
    assert count(Notice) >= 1  # the overdue deposit was reminded


def test_running_it_again_adds_nothing(agreement):
    demo.load(TODAY)
    orders = count(Order)
    demo.load(TODAY)
    assert count(Order) == orders


def test_without_an_active_agreement_it_does_nothing(app):
    demo.load(TODAY)
    assert count(Order) == 0


def test_an_agreement_too_young_for_the_first_order_is_skipped(app):
    products = products_demo.load()
    make_price_list(
        dict.fromkeys(products, ("1180.00", "1280.00", "1580.00")),
        effective_from=date(2024, 1, 1),
        published_on=date(2024, 1, 1),
    )
    make_active_agreement(products=products, starts_on=TODAY - timedelta(days=3))
    demo.load(TODAY)
    assert count(Order) == 0


PAGES = [
    "/",
    "/receivables/",
    "/receivables/export.xlsx",
    "/receivables/?state=overdue",
    "/boards/",
    "/boards/?class=in_warranty",
    "/boards/delivery",
    "/orders/",
    "/notices/",
]


def expected_status(app, user, path: str, owner_id: int) -> int:
    """What ``user`` must get on ``path``, from the route's declared rule: 403 when the rule does
    not name the user's role; 404 when the route loads a record (here: of ``owner_id``'s order)
    that belongs to another distributor than the user's; else 200."""
    endpoint, _ = app.url_map.bind("localhost").match(path.partition("?")[0], method="GET")
    rule = app.view_functions[endpoint].access_rule
    if not rule.allows(user.role):
        return 403
    if rule.loaders and user.role is Role.DISTRIBUTOR and user.distributor_id != owner_id:
        return 404
    return 200


def test_the_full_demo_serves_the_main_pages_without_an_error(app):
    """The whole demo (every area's, in order), then each demo user walks the main pages and gets
    exactly what its role is due on each."""
    from portal import demo as portal_demo
    from portal.accounts.models import User

    portal_demo.load_demo()
    if not count(Order):  # the orders demo is not yet in portal.demo's list of areas
        demo.load(real_today())
    assert count(Order) > 0
    order = db.session.scalar(select(Order).where(Order.status == OrderStatus.SHIPPED).limit(1))
    board = db.session.scalar(select(Board).where(Board.order_id == order.id).limit(1))
    pages = [
        *PAGES,
        f"/receivables/orders/{order.id}/payments",
        f"/receivables/orders/{order.id}/payments/new",
        f"/boards/orders/{order.id}/shipments",
        f"/boards/orders/{order.id}/shipments/new",
        f"/boards/{board.serial}",
    ]
    seen = set()
    for username in ("admin", "sales", "finance", "hz-agent", "sz-agent"):
        user = db.session.scalar(select(User).where(User.username == username))
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": portal_demo.DEMO_PASSWORD})
        assert response.status_code == 302, username
        for page in pages:
            status = client.get(page).status_code
            expected = expected_status(app, user, page, order.distributor_id)
            assert status == expected, f"{username} {page} answered {status}, not {expected}"
            seen.add(status)
    assert seen == {200, 403, 404}  # the walk met every case: a page for the role, one not, another's record
