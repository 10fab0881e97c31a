"""Kept current, not recomputed (docs/rules.md §10): after every change made through the services,
the QuarterFigures table equals a full recomputation from the records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portal.compliance import figures
from portal.compliance.models import QuarterFigures
from portal.domain import compliance as rules
from portal.domain.repairs import BatchStatus, FaultCause, RepairOutcome
from portal.domain.reports import ViolationKind
from portal.domain.roles import Role
from portal.extensions import db
from portal.orders import services as orders
from portal.repairs.ratings import rate_batch

from ..builders import make_shop, pay
from ..repairs.builders import make_batch
from .builders import make_report, make_violation


def stored() -> dict[tuple[int, str], dict]:
    db.session.expire_all()
    return {
        (row.agreement_id, row.quarter): {
            "distributor_id": row.distributor_id,
            **{column: getattr(row, column) for column in figures.STORED},
        }
        for row in db.session.scalars(select(QuarterFigures))
    }


def recomputed(on: date) -> dict[tuple[int, str], dict]:
    return {
        (row["agreement_id"], row["quarter"]): {
            "distributor_id": row["distributor_id"],
            **{column: row[column] for column in figures.STORED},
        }
        for row in rules.figure_rows(figures.compute(on))
    }


def assert_current(on: date) -> None:
    assert stored() == recomputed(on)


def test_the_table_equals_a_full_recomputation_after_every_change(app, on):
    shop = make_shop()
    other = shop.elsewhere()
    db.session.commit()
    assert_current(on)

    first = shop.order(50, confirm_on=date(2026, 3, 2))  # the first order: 100% up front
    assert_current(on)
    pay(first, first.total, date(2026, 3, 6))  # a day late
    assert_current(on)
    shop.ship(first, [f"CMP{n:04d}" for n in range(50)], on=date(2026, 3, 20))
    db.session.commit()
    assert_current(on)

    second = shop.order(10, confirm_on=date(2026, 4, 1))
    pay(second, second.deposit_amount, date(2026, 4, 3))
    assert_current(on)
    third = shop.order(5, confirm_on=date(2026, 5, 6))
    orders.cancel_order(third, Role.SALES, date(2026, 5, 12), reason="deposit late")
    db.session.commit()
    assert_current(on)
    other_order = other.order(60, confirm_on=date(2026, 4, 10))
    pay(other_order, other_order.total, date(2026, 4, 11))
    assert_current(on)

    batch = make_batch(
        shop,
        [f"CMP{n:04d}" for n in range(2)],
        through=BatchStatus.RETURNED,
        findings=[
            (FaultCause.HUMAN_DAMAGE, RepairOutcome.REPAIRED, "80.00"),
            (FaultCause.NORMAL_USE, RepairOutcome.REPAIRED, "0.00"),
        ],
        shipped_on=date(2026, 4, 3),
        received_on=date(2026, 4, 6),
        repaired_on=date(2026, 5, 20),  # past the 30 days
        notified_on=date(2026, 5, 21),
        paid_on=date(2026, 5, 25),
        returned_on=date(2026, 5, 28),
    )
    assert_current(on)
    rate_batch(
        batch,
        answers={
            "attitude": "very_satisfied",
            "skill": "satisfied",
            "timeliness": "dissatisfied",
            "promises": "satisfied",
        },
        comment="",
        rated_by_id=None,
        today=date(2026, 6, 1),
    )
    db.session.commit()
    assert_current(on)

    report = make_report(shop.agreement, "2026-03", due_on=date(2026, 4, 10), submitted_on=date(2026, 4, 12))
    assert_current(on)
    make_violation(report, ViolationKind.BELOW_PRICE, occurred_on=date(2026, 3, 15))
    assert_current(on)

    rows = stored()
    q1, q2 = rows[(shop.agreement.id, "2026-Q1")], rows[(shop.agreement.id, "2026-Q2")]
    assert q1["ordered_amount"] == first.total
    assert (q1["deposits_due"], q1["deposits_on_time"]) == (1, 0)
    assert q1["violations_below_price"] == 1
    assert (q2["batches_shipped"], q2["batches_in_window"]) == (1, 1)
    assert (q2["batches_received"], q2["batches_repaired_in_time"]) == (1, 0)
    assert (q2["fees_due"], q2["fees_on_time"]) == (1, 1)
    assert (q2["rating_items"], q2["rating_items_satisfied"]) == (4, 3)
    # March's report, late, is the first quarter's; April's and May's are missing (due 10 May and 10 June).
    assert (q2["reports_due"], q2["reports_on_time"]) == (2, 0)
    assert q2["ordered_amount"] == second.total  # the cancelled order is not ordered
    assert rows[(other.agreement.id, "2026-Q2")]["ordered_amount"] == other_order.total


def test_refresh_is_idempotent_and_catches_up_with_time(app, on):
    shop = make_shop()
    order = shop.order(50, confirm_on=date(2026, 3, 2))
    db.session.commit()
    # Written as of the day of the change (30 June): the deposit due 5 March is late by then.
    assert stored()[(shop.agreement.id, "2026-Q1")]["deposits_due"] == 1
    assert figures.refresh(on=on) == 0  # nothing changed
    db.session.commit()
    # Recomputed as of an earlier day, the deposit was not yet due and later quarters did not exist.
    figures.refresh(on=date(2026, 3, 4))
    db.session.commit()
    rows = stored()
    assert rows[(shop.agreement.id, "2026-Q1")]["deposits_due"] == 0
    assert (shop.agreement.id, "2026-Q2") not in rows
    assert order.total == rows[(shop.agreement.id, "2026-Q1")]["ordered_amount"]
    assert rows[(shop.agreement.id, "2026-Q1")]["score"] == Decimal(rows[(shop.agreement.id, "2026-Q1")]["score"])


def test_the_command_refreshes_every_agreement(app, on):
    shop = make_shop()
    shop.order(50, confirm_on=date(2026, 3, 2))
    db.session.commit()
    db.session.execute(QuarterFigures.__table__.delete())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["portal", "refresh-compliance"])
    assert result.exit_code == 0, result.output
    assert_current(on)
    again = app.test_cli_runner().invoke(args=["portal", "refresh-compliance", "--on", "2026-06-30"])
    assert again.exit_code == 0
    assert "0 rows" in again.output


def test_frozen_figures_are_the_figures_of_that_day(app, on):
    shop = make_shop()
    order = shop.order(50, confirm_on=date(2026, 3, 2))
    pay(order, order.total, date(2026, 3, 4))
    frozen = figures.frozen_figures(shop.agreement.id, "2026-Q1", date(2026, 3, 31))
    assert frozen["ordered_amount"] == f"{order.total:.2f}"
    assert frozen["deposits_due"] == 1
    assert frozen["deposits_on_time"] == 1
    assert frozen["quota"] == "50000.00"
    assert isinstance(frozen["score"], str)
