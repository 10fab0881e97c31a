"""The reports' query plans: a page of the on-time delivery list and of the repair batch list is read
off an index in its order (no full scan, no sort of every order or batch), the delivery counts come
from an index alone, and the receivables reach the orders through the status index (the orders still
owing, never the history). SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN with sequential scans,
bitmap scans and sorts discouraged (a small test table would otherwise always be scanned and
sorted): a Sort node left in the plan is one no index can spare."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import event

from portal.boards.queries import DeliveryFilters, deliveries_matching, delivery_counts
from portal.domain.orders import DeliveryState, OrderStatus
from portal.domain.repairs import BatchStatus
from portal.domain.roles import Role
from portal.extensions import db
from portal.receivables.queries import (
    DueState,
    Filters,
    distributors_owing,
    owed_overall,
    owed_summary,
    receivables_matching,
    totals_of,
)
from portal.repairs.queries import BatchFilters, batches_matching

from ..builders import insert_orders, make_user

ON = date(2026, 3, 10)


def plan_of(run: Any) -> str:
    """The plan of the statements ``run()`` sends (the last one that reads), as one text."""
    sent: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    statement, parameters = [s for s in sent if s[0].lstrip().upper().startswith("SELECT")][-1]
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        return "\n".join(str(row[-1]) for row in rows)
    # Only if nothing else will do: statistics other tests leave must not tip a plan to a (partial,
    # incremental) sort.
    for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort", "enable_incremental_sort"):
        connection.exec_driver_sql(f"SET LOCAL {setting} = off")
    rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
    return "\n".join(str(row[0]) for row in rows)


def is_sqlite() -> bool:
    return db.session.connection().dialect.name == "sqlite"


def assert_read_in_index_order(plan: str, table: str) -> None:
    if is_sqlite():
        assert f"SCAN {table}\n" not in plan + "\n", plan  # a full scan without an index
        assert "TEMP B-TREE" not in plan, plan
    else:
        assert "Sort" not in plan, plan
        assert f"Seq Scan on {table}" not in plan, plan


def page_of(statement: Any) -> Any:
    return lambda: db.session.execute(statement.limit(25).offset(25)).all()


@pytest.mark.parametrize(
    "filters",
    [DeliveryFilters(), DeliveryFilters(state=DeliveryState.LATE), DeliveryFilters(due_from=date(2026, 1, 1))],
)
def test_a_page_of_the_delivery_list_is_read_in_the_index_order(app, filters):
    assert_read_in_index_order(plan_of(page_of(deliveries_matching(filters, ON))), "orders")


def test_the_unfiltered_delivery_counts_read_the_tallies_per_due_day_and_no_order(app):
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        delivery_counts(DeliveryFilters(), ON)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert [statement for statement in sent if "orders" in statement] == []
    assert any("FROM delivery_days" in statement for statement in sent)


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        # A period: the matching orders, counted from the index on their due date alone.
        (DeliveryFilters(due_from=date(2026, 1, 1)), "ix_orders_delivery_due_on_shipped_on_status"),
    ],
)
def test_the_filtered_delivery_counts_come_from_an_index_alone(shop, filters, index):
    if not is_sqlite():
        # Orders to count, and their visibility map and statistics as a database in service has
        # them (autovacuum): on an empty, unvacuumed table PostgreSQL's costs tie, and a narrower
        # index's plain scan may win, run by run.
        insert_orders(
            [shop.agreement],
            range(200),
            status=OrderStatus.DEPOSIT_PAID,
            total=Decimal("1000.00"),
            deposit_amount=Decimal("300.00"),
            balance_amount=Decimal("700.00"),
            paid_amount=Decimal("300.00"),
            confirmed_on=date(2026, 1, 2),
            delivery_due_on=lambda n: date(2026, 1, 1) + timedelta(days=n % 90),
        )
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE) orders")
    plan = plan_of(lambda: delivery_counts(filters, ON))
    if is_sqlite():
        assert f"USING COVERING INDEX {index}" in plan, plan
    else:  # either index holding the three columns answers alone; which one, PostgreSQL's costs decide
        assert "Index Only Scan using ix_orders_" in plan, plan
        assert "Seq Scan" not in plan, plan
        assert "Index Scan using" not in plan.replace("Index Only Scan using", ""), plan


@pytest.mark.parametrize("status", [None, BatchStatus.SHIPPED.value])
def test_a_page_of_the_repair_batch_list_is_read_in_the_index_order(app, status):
    user = make_user(role=Role.SALES)
    statement = batches_matching(BatchFilters(status=status), ON, user)
    assert_read_in_index_order(plan_of(page_of(statement)), "repair_batches")


RECEIVABLES = [Filters(), Filters(state=DueState.OVERDUE), Filters(state=DueState.NOT_YET_DUE)]


@pytest.mark.parametrize("filters", RECEIVABLES)
def test_a_page_of_receivables_reads_each_part_off_its_index_in_order(app, filters):
    """The parts are merged in order: SQLite merges the UNION, PostgreSQL each part stopped after
    the page's end; no sort of every order owing."""
    plan = plan_of(page_of(receivables_matching(filters, ON, first=50)))
    if is_sqlite():
        assert "SCAN orders\n" not in plan + "\n", plan
        assert "TEMP B-TREE" not in plan, plan
        assert "MERGE (UNION ALL)" in plan, plan
        for index in ("ix_orders_owing_deposit_confirmed", "ix_orders_owing_balance_deposit_paid"):
            assert f"orders USING INDEX {index}" in plan, plan
    else:
        assert "Seq Scan on orders" not in plan, plan
        assert "Merge Append" in plan, plan
        assert "Limit" in plan.split("Merge Append")[1], plan  # each part stops after the page's end


@pytest.mark.parametrize("filters", RECEIVABLES)
def test_the_receivables_totals_read_the_index_of_the_orders_owing_alone(app, filters):
    runs = (
        lambda: owed_overall(filters, ON),
        lambda: owed_summary(filters, ON),
        lambda: totals_of([SimpleNamespace(id=7, code="X", name="X")], filters, ON),
        page_of(distributors_owing(filters, ON)),
    )
    for run in runs:
        plan = plan_of(run)
        if is_sqlite():
            assert "SCAN orders\n" not in plan + "\n", plan
            assert "orders USING COVERING INDEX ix_orders_owing_status_distributor_id_" in plan, plan
        else:
            assert "Seq Scan on orders" not in plan, plan
            assert "using ix_orders_owing_" in plan, plan  # on the test's few rows, any of them
