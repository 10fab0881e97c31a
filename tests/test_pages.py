"""Every page renders for every role that may open it, over the whole demo (every area's records in
every state). A page builds each of its links with ``url_for``, so a renamed or removed endpoint,
or a missing template, fails here rather than in front of a user.

It walks ``app.url_map`` like tests/test_access.py, so a page a later issue adds is covered without
editing this file; the records a URL names are the demo's, picked in the state the page is for (a
draft to edit, an active agreement to amend …), and for a distributor its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from portal import demo as portal_demo
from portal.accounts.models import User
from portal.agreements.models import Agreement, SubAgentRequest
from portal.assessments.models import Assessment
from portal.boards.models import Board, Shipment
from portal.distributors.models import Distributor
from portal.domain.agreements import AgreementStatus
from portal.domain.orders import OrderStatus
from portal.domain.pricing import PriceListStatus
from portal.domain.repairs import BatchStatus
from portal.extensions import db
from portal.notices.models import Notice
from portal.orders.models import Order
from portal.pricing.models import PriceList, PriceListItem
from portal.products.models import Product
from portal.regions.models import Region
from portal.repairs.models import RepairBatch
from portal.reports.models import MonthlyReport, Violation
from portal.security import scoped

USERS = ("admin", "sales", "finance", "hz-agent", "sz-agent")


def _first(statement: Any, model: Any, user: User) -> Any:
    return db.session.scalars(scoped(statement, model, user).limit(1)).first()


def _in_state(model: Any, status: Any) -> Callable[[User], Any]:
    return lambda user: _first(select(model).where(model.status == status).order_by(model.id), model, user)


# The record each URL argument names, by endpoint where the page is for one state.
RECORDS: dict[str, Callable[[User], Any]] = {
    "agreement_id": lambda user: _first(
        select(Agreement).where(Agreement.status == AgreementStatus.ACTIVE).order_by(Agreement.id), Agreement, user
    ),
    "agreements.edit:agreement_id": _in_state(Agreement, AgreementStatus.DRAFT),
    "request_id": lambda user: _first(select(SubAgentRequest).order_by(SubAgentRequest.id), SubAgentRequest, user),
    "code": lambda user: db.session.scalar(select(Region).order_by(Region.code).limit(1)),
    "user_id": lambda user: db.session.scalar(select(User).where(User.username == "hz-agent")),
    "serial": lambda user: _first(select(Board).order_by(Board.serial), Board, user),
    "order_id": lambda user: (
        _first(select(Order).where(Order.status == OrderStatus.PARTLY_SHIPPED).order_by(Order.id), Order, user)
        or _first(select(Order).where(Order.status == OrderStatus.SHIPPED).order_by(Order.id), Order, user)
    ),
    "orders.edit:order_id": _in_state(Order, OrderStatus.DRAFT),
    "boards.new_shipment:order_id": _in_state(Order, OrderStatus.PAID_IN_FULL),
    "receivables.new_payment:order_id": _in_state(Order, OrderStatus.CONFIRMED),
    "shipment_id": lambda user: _first(
        select(Shipment).where(Shipment.lost_or_damaged.is_(True)).order_by(Shipment.id), Shipment, user
    ),
    "distributor_id": lambda user: _first(select(Distributor).order_by(Distributor.code), Distributor, user),
    "notice_id": lambda user: _first(select(Notice).order_by(Notice.id), Notice, user),
    "price_list_id": lambda user: _first(
        select(PriceList).where(PriceList.status == PriceListStatus.PUBLISHED).order_by(PriceList.id.desc()),
        PriceList,
        user,
    ),
    "item_id": lambda user: db.session.scalar(
        select(PriceListItem).join(PriceList).where(PriceList.status == PriceListStatus.DRAFT).limit(1)
    ),
    "sku": lambda user: _first(select(Product).order_by(Product.sku), Product, user),
    "batch_id": lambda user: _first(select(RepairBatch).order_by(RepairBatch.id), RepairBatch, user),
    "repairs.rating:batch_id": lambda user: (
        _in_state(RepairBatch, BatchStatus.RETURNED)(user)
        or _first(select(RepairBatch).order_by(RepairBatch.id), RepairBatch, user)
    ),
    # An assessment still to review (its page shows the review form), else any.
    "assessment_id": lambda user: (
        _first(select(Assessment).where(Assessment.reviewed_on.is_(None)).order_by(Assessment.id), Assessment, user)
        or _first(select(Assessment).order_by(Assessment.id), Assessment, user)
    ),
    "repairs.add_boards:batch_id": lambda user: (
        _in_state(RepairBatch, BatchStatus.OPEN)(user) or RECORDS["batch_id"](user)
    ),
    "report_id": lambda user: _first(select(MonthlyReport).order_by(MonthlyReport.id), MonthlyReport, user),
    "violation_id": lambda user: _first(
        select(Violation).where(Violation.dismissed_on.is_(None)).order_by(Violation.id), Violation, user
    ),
}
for _endpoint in ("edit", "delete", "publish", "new_item", "template_csv", "template_xlsx"):
    RECORDS[f"pricing.{_endpoint}:price_list_id"] = _in_state(PriceList, PriceListStatus.DRAFT)


# The pages that answer something other than 200 to a user who may open them, and why.
NOT_A_PAGE = {
    "accounts.login": 302,  # a signed-in user is sent to the home page
    "agreements.find_region": 302,  # the region look-up sends to the region's page
}


def pages(app: Any) -> list[Any]:
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and not rule.rule.startswith("/api/") and rule.endpoint != "static"
        ),
        key=lambda rule: rule.rule,
    )


def load_demo() -> None:
    """The demo that `make run` loads."""
    portal_demo.load_demo()


def test_every_page_renders_for_every_role_that_may_open_it(app):
    load_demo()
    wrong = []
    for username in USERS:
        user = db.session.scalar(select(User).where(User.username == username))
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": portal_demo.DEMO_PASSWORD})
        assert response.status_code == 302, username
        opened = 0
        for rule in pages(app):
            access = app.view_functions[rule.endpoint].access_rule
            if not (access.public or access.allows(user.role)):
                continue  # 403: tests/test_access.py
            by = {loader.arg: loader.by for loader in access.loaders}
            values = {}
            for name in rule.arguments:
                record = RECORDS.get(f"{rule.endpoint}:{name}", RECORDS[name])(user)
                assert record is not None, f"the demo has no record for {rule.endpoint} ({name}) that {username} sees"
                values[name] = getattr(record, by.get(name, name))
            url = app.url_map.bind("localhost").build(rule.endpoint, values)
            status = client.get(url).status_code
            opened += 1
            if status != NOT_A_PAGE.get(rule.endpoint, 200):
                wrong.append(f"{username} {url} answered {status}")
        assert opened > 10, username
    assert wrong == []
