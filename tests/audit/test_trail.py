"""docs/rules.md §12: every change to an audited record is written with who, when, before and after."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent, AuditTrailIsAppendOnly
from portal.domain.roles import Role
from portal.extensions import db

from ..builders import make_distributor, make_user
from .support import events


def test_an_edit_through_the_page_records_who_and_before_and_after(login):
    sales = make_user(role=Role.SALES, username="liu.yang")
    distributor = make_distributor(name="旧名称有限公司", contact_name="张三")
    login(sales).post(
        f"/distributors/{distributor.id}/edit",
        data={
            "code": distributor.code,
            "name": "新名称有限公司",
            "credit_code": distributor.credit_code,
            "level": "level1",
            "status": "active",
            "contact_name": "张三",
        },
    )
    update = events("distributors", distributor.id)[-1]
    assert update.action == "update"
    assert update.actor_name == "liu.yang"
    assert update.actor_id == sales.id
    assert update.changes["name"] == ["旧名称有限公司", "新名称有限公司"]
    assert update.changes["level"] == ["level2", "level1"]
    assert "contact_name" not in update.changes  # unchanged fields are not listed


def test_a_new_record_is_audited_with_its_values(app):
    distributor = make_distributor(code="HZ900")
    created = events("distributors", distributor.id)[0]
    assert created.action == "insert"
    assert created.changes["code"] == [None, "HZ900"]


def test_role_changes_are_audited_but_password_hashes_never_are(login):
    admin = make_user(role=Role.ADMIN, username="root-admin")
    user = make_user(role=Role.FINANCE)
    client = login(admin)
    client.post(f"/admin/users/{user.id}", data={"username": user.username, "role": "sales", "active": "y"})
    client.post(f"/admin/users/{user.id}/password", data={"password": "another-long-one"})
    trail = events("users", user.id)
    assert any(e.changes.get("role") == ["finance", "sales"] and e.actor_name == "root-admin" for e in trail)
    assert all("password_hash" not in e.changes for e in trail)


def test_a_refused_change_leaves_no_audit_row(login):
    sales = make_user(role=Role.SALES)
    first, second = make_distributor(), make_distributor()
    before = len(events("distributors", second.id))
    response = login(sales).post(
        f"/distributors/{second.id}/edit",
        data={
            "code": first.code,
            "name": "x",
            "credit_code": second.credit_code,
            "level": "level1",
            "status": "active",
        },
    )
    assert response.status_code == 409
    assert len(events("distributors", second.id)) == before


def test_audit_rows_are_never_changed_or_deleted(app):
    make_distributor()
    event = db.session.scalar(select(AuditEvent))
    event.actor_name = "someone else"
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(AuditEvent)))
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()


def test_head_office_filters_the_trail(login):
    sales = make_user(role=Role.SALES, username="filter-sales")
    distributor = make_distributor(name="可查公司")
    client = login(sales)
    page = client.get(f"/audit/?table=distributors&record={distributor.id}").get_data(as_text=True)
    assert "可查公司" in page
    page = client.get("/audit/?table=users").get_data(as_text=True)
    assert "可查公司" not in page
    assert client.get("/audit/?since=not-a-date&until=2026-13-45").status_code == 200


def test_distributors_cannot_read_the_trail(login):
    assert login(make_user(role=Role.DISTRIBUTOR)).get("/audit/").status_code == 403


def test_the_table_filter_offers_every_audited_table_without_reading_the_trail(login, count_statements):
    """The choices are the audited models' tables (portal.audit.tracking.audited_tables): a table
    nothing has changed yet is offered too, and no DISTINCT runs over the events."""
    client = login(make_user(role=Role.FINANCE))
    with count_statements() as statements:
        page = client.get("/audit/").get_data(as_text=True)
    offered = re.findall(r'<option value="([a-z_]+)"', page.split('name="table"')[1].split("</select>")[0])
    assert {"boards", "orders", "payments", "distributors", "users"} <= set(offered)
    assert "audit_events" not in offered  # the trail itself is not audited
    assert offered == sorted(offered)
    assert not [s for s in statements if "DISTINCT" in s.upper()]
