"""The benchmark data generator (portal.generator, issue 11): a tiny scale builds data the portal
shows and that keeps every rule a user would check: what is paid never exceeds what is due, each
board's warranty ends 15 months after its shipment, bank references never repeat, and the kept-current
compliance figures equal a full recomputation."""

from __future__ import annotations

import click
import pytest
from sqlalchemy import func, select

from portal import generator
from portal.accounts.models import User
from portal.agreements.models import AgreementTerms
from portal.assessments.models import Assessment
from portal.assessments.services import compute_assessments
from portal.boards.models import Board, DeliveryDay
from portal.boards.tallies import counted as tallies_counted
from portal.compliance import figures, standings
from portal.compliance.models import QuarterFigures, Standing
from portal.compliance.queries import ranked, ranking
from portal.domain import compliance as rules
from portal.domain.assessments import last_ended_quarter, quarter_name
from portal.domain.dates import add_months
from portal.domain.orders import OrderStatus
from portal.domain.repairs import BatchStatus
from portal.domain.roles import Role
from portal.extensions import db
from portal.notices.models import Notice
from portal.notices.services import next_number
from portal.orders.models import Order
from portal.receivables.models import Payment
from portal.repairs.models import RepairBatch, RepairFeePayment

from .builders import TODAY

SCALE = 0.005

HEAD_OFFICE_PAGES = (
    "/",
    "/orders/",
    "/orders/?page=3",
    "/receivables/",
    "/boards/",
    "/boards/delivery",
    "/agreements/",
    "/distributors/",
    "/notices/",
    "/audit/",
    "/repairs/",
    "/repairs/queue",
    "/repairs/ledger",
    "/reports/",
    "/reports/violations",
    "/compliance/",
    "/pricing/",
)


@pytest.fixture
def generated(app, today, monkeypatch):
    monkeypatch.setattr(generator, "REFRESH_CHUNK", 1)  # the figures refreshed in several parts
    return generator.generate(SCALE, progress=False, echo=lambda _: None)


def sign_in(app, username):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": generator.PASSWORD})
    assert response.status_code == 302, username
    return client


def test_head_office_and_a_distributor_see_the_generated_data(app, generated):
    sales = sign_in(app, "sales")
    wrong = [url for url in HEAD_OFFICE_PAGES if sales.get(url).status_code != 200]
    assert wrong == []
    finance = sign_in(app, "finance")
    assert finance.get("/receivables/").status_code == 200
    distributor = db.session.scalar(select(User).where(User.role == "distributor").order_by(User.id))
    assert distributor.username == distributor.distributor.code.lower()
    home = sign_in(app, distributor.username).get("/")
    assert home.status_code == 200
    assert distributor.distributor.name in home.get_data(as_text=True)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_counts_follow_the_scale(app, today):
    small = generator.generate(SCALE, progress=False, echo=lambda _: None)
    large = generator.generate(2 * SCALE, reset=True, progress=False, echo=lambda _: None)
    assert (small["distributors"], large["distributors"]) == (2, 5)
    for table, per_scale in (
        ("orders", 40_000),
        ("order_lines", 200_000),
        ("boards", 500_000),
        ("repair_lines", 100_000),
    ):
        assert 0.6 * per_scale * 2 * SCALE <= large[table] <= 1.4 * per_scale * 2 * SCALE, table
        assert large[table] > small[table], table
    assert count(Order) == large["orders"]  # the second run replaced the first


def test_the_data_keeps_the_rules_a_user_would_check(app, generated):
    """One generation, several checks: each generation takes seconds."""
    orders = db.session.scalars(select(Order)).all()
    statuses = {order.status for order in orders}
    # At this scale (two distributors) an order still awaiting its deposit is left to chance.
    assert {OrderStatus.CLOSED, OrderStatus.DEPOSIT_PAID, OrderStatus.CANCELLED} <= statuses
    live = {}
    for payment in db.session.scalars(select(Payment).where(Payment.voided_at.is_(None))):
        live[payment.order_id] = live.get(payment.order_id, 0) + payment.amount
    for order in orders:
        assert order.paid_amount == live.get(order.id, 0), order.number
        assert order.paid_amount <= order.total, order.number
        if order.confirmed_on is not None:
            assert order.deposit_amount + order.balance_amount == order.total
    for batch in db.session.scalars(select(RepairBatch)):
        assert batch.paid_amount <= batch.amount_due, batch.number
    states = {b.status for b in db.session.scalars(select(RepairBatch))}
    assert BatchStatus.RETURNED in states
    assert len(states) >= 4, states
    warranty = {v.agreement_id: v.warranty_months for v in db.session.scalars(select(AgreementTerms))}
    for board, agreement_id in db.session.execute(select(Board, Order.agreement_id).join(Order)):
        assert board.warranty_end == add_months(board.shipped_on, warranty[agreement_id]), board.serial
    for model in (Payment, RepairFeePayment):
        references = db.session.scalars(select(model.bank_reference)).all()
        assert len(references) == len(set(references))
    the_compliance_figures_equal_a_full_recomputation(app, generated)


def the_compliance_figures_equal_a_full_recomputation(app, generated):
    stored = {
        (row.agreement_id, row.quarter): {column: getattr(row, column) for column in figures.STORED}
        for row in db.session.scalars(select(QuarterFigures))
    }
    recomputed = {
        (row["agreement_id"], row["quarter"]): {column: row[column] for column in figures.STORED}
        for row in rules.figure_rows(figures.compute(TODAY))
    }
    assert stored
    assert stored == recomputed
    tallies = {
        t.delivery_due_on: {"on_time": t.on_time, "shipped_late": t.shipped_late, "waiting": t.waiting}
        for t in db.session.scalars(select(DeliveryDay))
    }
    assert tallies
    assert tallies == tallies_counted(db.session(), None)
    # The standings over the overview's window: every distributor's, as added up again, ranking as
    # the grouped query does.
    span = standings.window(TODAY)
    kept = {
        row.distributor_id: {c: getattr(row, c) for c in standings.VALUES}
        for row in db.session.scalars(select(Standing))
    }
    assert kept
    assert kept == standings.added_up(db.session(), None, span)
    grouped = list(db.session.execute(ranking("", span)))
    assert standings.usable(db.session(), span) == len(grouped) == len(kept)
    read = [ranked(row) for row in db.session.execute(standings.ranking())]
    assert read == [ranked(row) for row in grouped]
    the_assessments_are_what_compute_assessments_makes(app, generated)


def the_assessments_are_what_compute_assessments_makes(app, generated):
    """Computing the last ended quarter again creates and changes nothing (the bulk rows equal what
    the service computes, figure for figure); an earlier quarter is reviewed, so frozen."""
    last = last_ended_quarter(TODAY)
    waiting = db.session.scalars(select(Assessment).where(Assessment.quarter == quarter_name(*last))).all()
    assert waiting
    assert all(a.reviewed_on is None for a in waiting)
    again = compute_assessments(*last, TODAY)
    assert (again.created, again.updated, again.frozen) == (0, 0, 0)
    earlier = (last[0] - 1, last[1])
    assert compute_assessments(*earlier, TODAY).frozen > 0
    assert generated["assessments"] == count(Assessment)
    refuses_a_database_with_data_and_leaves_room_for_new_records(app, generated)


def refuses_a_database_with_data_and_leaves_room_for_new_records(app, generated):
    with pytest.raises(click.ClickException, match="not empty"):
        generator.generate(SCALE, progress=False, echo=lambda _: None)
    result = app.test_cli_runner().invoke(args=["portal", "generate", "--scale", str(SCALE)])
    assert result.exit_code == 1
    assert "The database is not empty" in result.output
    # The notice counters and (PostgreSQL) the id sequences are past what was generated.
    sequence, _ = next_number(TODAY.year)
    assert sequence > db.session.scalar(select(func.max(Notice.sequence)).where(Notice.year == TODAY.year))
    user = User(username="later", role=Role.SALES, password_hash="x")
    db.session.add(user)
    db.session.flush()
    assert user.id > generated["users"]
