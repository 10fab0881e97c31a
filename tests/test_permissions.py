"""Who may do what (docs/rules.md §12), named once in portal.domain.permissions.

Every permission is listed here with its roles, as the users-and-roles table gives them. Routes,
order steps, code and templates ask the permission, never a role, so giving a role a right is one
line in that module: "finance may also confirm orders" is proven below.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from portal.domain import permissions
from portal.domain.orders import OrderStatus
from portal.domain.permissions import may, may_confirm_orders
from portal.domain.roles import EVERYONE, HEAD_OFFICE, Role
from portal.extensions import db
from portal.orders.models import Order

from .builders import START, make_active_agreement, make_order, make_price_list, make_product, make_token, make_user

DISTRIBUTOR, SALES, FINANCE, ADMIN = Role.DISTRIBUTOR, Role.SALES, Role.FINANCE, Role.ADMIN
ROOT = Path(__file__).resolve().parent.parent

# docs/rules.md §12: distributors act on their own records; sales runs agreements, territories,
# products, prices, confirming and shipping orders, notices; finance books payments and reads
# receivables; administrators manage users and settings, and may do everything.
TABLE = {
    "may_read": EVERYONE,
    "may_manage_own_account": EVERYONE,
    "may_read_every_distributor": HEAD_OFFICE,
    "may_read_receivables": HEAD_OFFICE,
    "may_read_audit_trail": HEAD_OFFICE,
    "may_manage_distributors": {SALES, ADMIN},
    "may_manage_agreements": {SALES, ADMIN},
    "may_decide_sub_agents": {SALES, ADMIN},
    "may_manage_products": {SALES, ADMIN},
    "may_manage_prices": {SALES, ADMIN},
    "may_confirm_orders": {SALES, ADMIN},
    "may_cancel_confirmed_orders": {SALES, ADMIN},
    "may_ship_orders": {SALES, ADMIN},
    "may_issue_notices": {SALES, ADMIN},
    "may_handle_repairs": {SALES, ADMIN},
    "may_release_repair_batches": {SALES, ADMIN},
    "may_book_payments": {FINANCE, ADMIN},
    "may_draft_orders": {DISTRIBUTOR, SALES, ADMIN},
    "may_request_sub_agents": {DISTRIBUTOR},
    "may_acknowledge_notices": {DISTRIBUTOR},
    "may_send_repair_batches": {DISTRIBUTOR},
    "may_rate_repairs": {DISTRIBUTOR},
    "may_submit_reports": {DISTRIBUTOR},
    "may_review_violations": {SALES, ADMIN},
    "may_review_assessments": {SALES, ADMIN},
    "may_manage_users": {ADMIN},
    "may_manage_regions": {ADMIN},
}


@pytest.mark.parametrize(("name", "roles"), TABLE.items(), ids=list(TABLE))
def test_each_permission_belongs_to_the_roles_of_the_users_and_roles_table(name, roles):
    permission = getattr(permissions, name)
    assert permission.roles == frozenset(roles)
    assert {role for role in Role if may(role, permission)} == set(roles)


def test_every_permission_is_in_the_table_under_its_own_name():
    assert sorted(p.name for p in permissions.ALL) == sorted(TABLE)
    assert all(getattr(permissions, p.name) is p for p in permissions.ALL)


def test_administrators_may_do_everything_head_office_may():
    """What only a distributor does (requesting a sub-agent, acknowledging a notice to it) is its own."""
    assert all(may(ADMIN, p) for p in permissions.ALL if p.roles & HEAD_OFFICE)


# --- one home: no role lists outside the permissions module, no roles in templates -----------------

ROLE_LIST = re.compile(r"[(\[{]\s*Role\.\w+\s*,")
ROLE_TEST = re.compile(r"\brole\.value\b|\bRole\.|\.role\s*(==|!=|\bin\b|\bis\b)")


def test_no_module_outside_the_permissions_module_lists_roles():
    vocabulary = {ROOT / "portal/domain/roles.py", ROOT / "portal/domain/permissions.py"}
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "portal").rglob("*.py"))
        if path not in vocabulary
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ROLE_LIST.search(line)
    ]
    assert found == [], "name the right in portal/domain/permissions.py and use it"


def test_templates_ask_a_permission_and_never_spell_a_role(app):
    role_words = {role.value for role in Role} - set(app.blueprints)  # "admin" is also a blueprint
    quoted = re.compile("['\"](" + "|".join(sorted(role_words)) + ")['\"]")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ROLE_TEST.search(line) or quoted.search(line)
    ]
    assert found == [], "ask may(permissions.may_...) instead"


# --- "finance may also confirm orders" is one line --------------------------------------------------


@pytest.fixture
def finance_may_confirm_orders() -> Iterator[None]:
    """Stands in for editing the permission's one line in portal/domain/permissions.py to
    ``may_confirm_orders = Permission("may_confirm_orders", {SALES, FINANCE, ADMIN}, ...)``."""
    before = may_confirm_orders.roles
    object.__setattr__(may_confirm_orders, "roles", before | {FINANCE})
    yield
    object.__setattr__(may_confirm_orders, "roles", before)


@pytest.fixture
def submitted(app) -> Order:
    board = make_product()
    make_price_list({board: ("1000.00", "1200.00", "1500.00")}, published_on=START)
    agreement = make_active_agreement(products=[board])
    return make_order(agreement, {board: 50}, on=date(2026, 3, 1), submit=True)


def status_of(order: Order) -> OrderStatus:
    db.session.expire_all()
    return db.session.get(Order, order.id).status


def test_finance_may_not_confirm_an_order(submitted, login):
    finance = make_user(role=FINANCE)
    client = login(finance)
    token = {"Authorization": f"Bearer {make_token(finance)}"}

    assert 'id="confirm-form"' not in client.get(f"/orders/{submitted.id}").get_data(as_text=True)
    assert client.post(f"/orders/{submitted.id}/confirm", data={"confirmed_on": "2026-03-02"}).status_code == 403
    api = client.post(f"/api/v1/orders/{submitted.id}/confirm", json={"confirmed_on": "2026-03-02"}, headers=token)
    assert api.status_code == 403
    assert status_of(submitted) is OrderStatus.SUBMITTED


def test_once_the_permission_names_finance_finance_confirms_on_the_page(submitted, login, finance_may_confirm_orders):
    client = login(make_user(role=FINANCE))

    assert 'id="confirm-form"' in client.get(f"/orders/{submitted.id}").get_data(as_text=True)
    response = client.post(f"/orders/{submitted.id}/confirm", data={"confirmed_on": "2026-03-02"})

    assert response.status_code == 302
    assert status_of(submitted) is OrderStatus.CONFIRMED
    # Only that right changed: cancelling a confirmed order is still head-office sales'.
    assert client.post(f"/orders/{submitted.id}/cancel", data={"reason": "x"}).status_code == 403


def test_once_the_permission_names_finance_finance_confirms_through_the_api(
    submitted, client, finance_may_confirm_orders
):
    token = {"Authorization": f"Bearer {make_token(make_user(role=FINANCE))}"}

    response = client.post(f"/api/v1/orders/{submitted.id}/confirm", json={"confirmed_on": "2026-03-02"}, headers=token)

    assert response.status_code == 200, response.json
    assert response.json["status"] == "confirmed"
    assert status_of(submitted) is OrderStatus.CONFIRMED
