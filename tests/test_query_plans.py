"""Head office's lists stay flat as the data grows: the database answers a page of 25 from an index in
the list's order, without scanning and sorting the big table (issue 11; docs/architecture.md,
"Lists at scale").

Each row names a list, the query function its page and API list use, the filters, and the big table.
On SQLite, ``EXPLAIN QUERY PLAN`` of the page's statement must show no full ``SCAN`` of that table
(a scan in an index's order, stopped by the LIMIT, is what we want) and no ``USE TEMP B-TREE FOR
ORDER BY``. On PostgreSQL, with sequential and bitmap scans switched off for the statement (the
test's few rows would otherwise make either, then a sort, the cheapest plan), ``EXPLAIN`` must show
no Seq Scan of the table and no Sort over it. A row with ``sorts=True`` is a search the index narrows to a few rows that
are then sorted (the serial prefix): it must still not scan the table. To cover another list, add a
row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Select

from portal.agreements.queries import agreements_matching
from portal.assessments.queries import AssessmentFilters, assessments_matching
from portal.audit.queries import AuditFilters, events_matching
from portal.boards.queries import boards_matching
from portal.compliance import standings
from portal.distributors.models import Distributor
from portal.distributors.queries import distributors_matching
from portal.domain.assessments import AssessmentOutcome
from portal.domain.distributors import DistributorStatus, Level
from portal.domain.notices import NoticeType
from portal.domain.orders import OrderStatus
from portal.domain.reports import ViolationKind
from portal.domain.warranty import CoverageClass
from portal.extensions import db
from portal.notices.queries import notices_matching
from portal.orders.queries import orders_matching, with_lines
from portal.receivables.queries import DueState, Filters, ReceivableKind, distributors_owing, receivables_matching
from portal.repairs.ledger_queries import LedgerFilters, ledger_runs
from portal.repairs.models import RepairBatch
from portal.repairs.workshop_queries import withheld_counts
from portal.reports.queries import (
    ViolationFilters,
    month_grid,
    month_grid_counted,
    reports_matching,
    violations_matching,
)

ON = date(2026, 3, 10)
HEAD_OFFICE = SimpleNamespace(is_head_office=True, distributor_id=None, is_authenticated=True)
DISTRIBUTOR = SimpleNamespace(is_head_office=False, distributor_id=7, is_authenticated=True)
LEDGER = [RepairBatch.id, RepairBatch.number, RepairBatch.month, RepairBatch.amount_due, Distributor.code]
PAGE = 25  # the default page size; the pagination reads one row more to know whether a next page exists


@dataclass(frozen=True)
class Case:
    id: str
    table: str
    statement: Callable[[], Select[Any]]
    sorts: bool = False  # the index narrows the rows to a few, which are then sorted


CASES = [
    # boards (portal/boards/views.py index, portal/api/boards.py list_boards)
    Case("boards", "boards", lambda: boards_matching(on=ON, user=HEAD_OFFICE)),
    Case("boards of a distributor", "boards", lambda: boards_matching(on=ON, distributor_id=7, user=HEAD_OFFICE)),
    Case("boards, a distributor's own", "boards", lambda: boards_matching(on=ON, user=DISTRIBUTOR)),
    Case("boards of a product", "boards", lambda: boards_matching(on=ON, product_id=3, user=HEAD_OFFICE)),
    Case(
        "boards in warranty",
        "boards",
        lambda: boards_matching(on=ON, coverage_class=CoverageClass.IN_WARRANTY, user=HEAD_OFFICE),
    ),
    Case(
        "boards out of warranty",
        "boards",
        lambda: boards_matching(on=ON, coverage_class=CoverageClass.OUT_OF_WARRANTY, user=HEAD_OFFICE),
    ),
    Case("boards by serial prefix", "boards", lambda: boards_matching(on=ON, serial="HZ2026", user=HEAD_OFFICE), True),
    # orders (portal/orders/views.py index, portal/api/orders.py list_orders)
    Case("orders", "orders", lambda: orders_matching(user=HEAD_OFFICE)),
    Case("orders, API", "orders", lambda: with_lines(orders_matching(user=HEAD_OFFICE))),
    Case("orders by status", "orders", lambda: orders_matching(status=OrderStatus.CLOSED, user=HEAD_OFFICE)),
    Case("orders of a distributor", "orders", lambda: orders_matching(distributor_id=7, user=HEAD_OFFICE)),
    Case("orders, a distributor's own", "orders", lambda: orders_matching(user=DISTRIBUTOR)),
    Case("orders of a period", "orders", lambda: orders_matching(period="2026-Q1", user=HEAD_OFFICE)),
    # notices (portal/notices/views.py index, portal/api/notices.py)
    Case("notices", "notices", lambda: notices_matching(user=HEAD_OFFICE)),
    Case("notices of a distributor", "notices", lambda: notices_matching(distributor_id=7, user=HEAD_OFFICE)),
    Case("notices, a distributor's inbox", "notices", lambda: notices_matching(user=DISTRIBUTOR)),
    Case("notices of a type", "notices", lambda: notices_matching(notice_type=NoticeType.WARNING, user=HEAD_OFFICE)),
    # audit trail (portal/audit/views.py index)
    Case("audit trail", "audit_events", lambda: events_matching(AuditFilters())),
    Case("audit trail of a table", "audit_events", lambda: events_matching(AuditFilters(table="orders"))),
    Case("audit trail of a person", "audit_events", lambda: events_matching(AuditFilters(actor="sales1"))),
    Case("audit trail of an action", "audit_events", lambda: events_matching(AuditFilters(action="delete"))),
    # agreements (portal/agreements/views.py index)
    Case("agreements", "agreements", lambda: agreements_matching(on=ON, user=HEAD_OFFICE)),
    Case(
        "agreements of a distributor",
        "agreements",
        lambda: agreements_matching(on=ON, distributor_id=7, user=HEAD_OFFICE),
    ),
    # distributors (portal/distributors/views.py index, portal/api/distributors.py)
    Case("distributors", "distributors", lambda: distributors_matching(user=HEAD_OFFICE)),
    Case("distributors of a level", "distributors", lambda: distributors_matching(level=Level.FIRST, user=HEAD_OFFICE)),
    Case(
        "distributors of a status",
        "distributors",
        lambda: distributors_matching(status=DistributorStatus.ACTIVE, user=HEAD_OFFICE),
    ),
    # the repair-fee ledger's two runs (portal/repairs/ledger.py ledger, its export; main home)
    # (a few of the row's columns: the withheld CASE holds an IN list, which _driver_sql cannot bind)
    Case("repair fees owed", "repair_batches", lambda: ledger_runs(LedgerFilters(), ON, HEAD_OFFICE, LEDGER)[0]),
    Case("repair fees settled", "repair_batches", lambda: ledger_runs(LedgerFilters(), ON, HEAD_OFFICE, LEDGER)[1]),
    Case(
        "repair fees owed, a distributor's own",
        "repair_batches",
        lambda: ledger_runs(LedgerFilters(unpaid_only=True), ON, DISTRIBUTOR, LEDGER)[0],
        True,
    ),
    # assessments (portal/assessments/views.py index, portal/api/assessments.py list_assessments)
    Case("assessments", "assessments", lambda: assessments_matching(AssessmentFilters(), HEAD_OFFICE)),
    Case(
        "assessments of a quarter",
        "assessments",
        lambda: assessments_matching(AssessmentFilters(quarter="2026-Q1"), HEAD_OFFICE),
    ),
    Case(
        "assessments of a distributor",
        "assessments",
        lambda: assessments_matching(AssessmentFilters(distributor_id=7), HEAD_OFFICE),
    ),
    Case(
        "assessments, a distributor's own",
        "assessments",
        lambda: assessments_matching(AssessmentFilters(), DISTRIBUTOR),
    ),
    Case(
        "assessments of an outcome",
        "assessments",
        lambda: assessments_matching(AssessmentFilters(outcome=AssessmentOutcome.WARNING), HEAD_OFFICE),
    ),
    Case(
        "assessments to review",
        "assessments",
        lambda: assessments_matching(AssessmentFilters(to_review=True), HEAD_OFFICE),
    ),
    # monthly reports (portal/api/reports.py list_reports)
    Case("reports, API", "monthly_reports", lambda: reports_matching(user=HEAD_OFFICE)),
    Case("reports of a month, API", "monthly_reports", lambda: reports_matching(month="2026-02", user=HEAD_OFFICE)),
    Case(
        "reports of a distributor, API", "monthly_reports", lambda: reports_matching(distributor_id=7, user=HEAD_OFFICE)
    ),
    # head office's month (portal/reports/views.py index): distributors by code, each one's agreement by start
    Case("month of every distributor", "distributors", lambda: month_grid(2026, 2, ON)),
    Case("month of every distributor, agreements", "agreements", lambda: month_grid(2026, 2, ON)),
    Case("month of every distributor, reports", "monthly_reports", lambda: month_grid(2026, 2, ON)),
    # violations (portal/reports/views.py violations, portal/api/violations.py list_violations)
    Case("violations", "violations", lambda: violations_matching(ViolationFilters(), HEAD_OFFICE)),
    Case(
        "violations of a distributor",
        "violations",
        lambda: violations_matching(ViolationFilters(distributor_id=7), HEAD_OFFICE),
    ),
    Case("violations, a distributor's own", "violations", lambda: violations_matching(ViolationFilters(), DISTRIBUTOR)),
    Case(
        "violations of a kind",
        "violations",
        lambda: violations_matching(ViolationFilters(kind=ViolationKind.BELOW_PRICE), HEAD_OFFICE),
    ),
    # receivables (portal/receivables/views.py index, portal/api/receivables.py): each part off its
    # own index of the orders owing, merged in order; the distributors owing by code
    Case("receivables", "orders", lambda: receivables_matching(Filters(), ON, PAGE + 1)),
    Case("receivables overdue", "orders", lambda: receivables_matching(Filters(state=DueState.OVERDUE), ON, PAGE + 1)),
    Case(
        "receivables, deposits",
        "orders",
        lambda: receivables_matching(Filters(kind=ReceivableKind.DEPOSIT), ON, PAGE + 1),
    ),
    Case("receivables by distributor", "distributors", lambda: distributors_owing(Filters(), ON)),
    Case(
        "receivables by distributor, overdue",
        "distributors",
        lambda: distributors_owing(Filters(state=DueState.OVERDUE), ON),
    ),
    # the compliance overview's ranking over its default window (portal/compliance/views.py overview)
    Case("compliance ranking, kept standings", "standings", lambda: standings.ranking()),
]


def _driver_sql(statement: Select[Any]) -> tuple[str, Any]:
    """The SQL and parameters the page sends for its first page, as the driver receives them."""
    compiled = statement.limit(PAGE + 1).offset(0).compile(dialect=db.engine.dialect)
    processors = compiled._bind_processors
    values = {
        key: processors[key](value) if key in processors else value
        for key, value in compiled.construct_params().items()
    }
    if compiled.positional:
        return str(compiled), tuple(values[key] for key in compiled.positiontup or ())
    return str(compiled), values


def _sqlite_problems(statement: Select[Any], table: str, sorts: bool) -> list[str]:
    sql, parameters = _driver_sql(statement)
    plan = [row[3] for row in db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters)]
    problems = [line for line in plan if re.fullmatch(rf"SCAN {table}( AS \w+)?", line)]  # no index at all
    if sorts:
        if not any(line.startswith(f"SEARCH {table}") for line in plan):
            problems.append(f"no index narrows {table}")
    else:
        problems += [line for line in plan if "TEMP B-TREE" in line and "ORDER BY" in line]
    return problems or ([] if plan else ["no plan"])


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def _postgresql_problems(statement: Select[Any], table: str, sorts: bool) -> list[str]:
    sql, parameters = _driver_sql(statement)
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")  # on an empty table, a bitmap + sort is as cheap
    connection.exec_driver_sql("SET LOCAL enable_sort = off")  # statistics left by other tests must not tip it
    connection.exec_driver_sql("SET LOCAL enable_incremental_sort = off")  # nor to a sort of a presorted prefix
    plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql, parameters).scalar()
    root = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    problems = [
        f"Seq Scan on {table}"
        for node in _nodes(root)
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") == table
    ]
    if not sorts:
        for node in _nodes(root):
            if "Sort" in node["Node Type"] and any(n.get("Relation Name") == table for n in _nodes(node)):
                problems.append(f"{node['Node Type']} over {table} by {node.get('Sort Key')}")
    return problems


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_page_of_the_list_reads_an_index_in_its_order(app, case):
    statement = case.statement()
    if db.engine.dialect.name == "sqlite":
        problems = _sqlite_problems(statement, case.table, case.sorts)
    else:
        problems = _postgresql_problems(statement, case.table, case.sorts)
    db.session.rollback()
    assert problems == [], f"{case.id}: {problems}"


def test_the_plan_check_catches_a_list_without_its_index(app):
    """The check itself: ordering the boards by a column without an index is caught."""
    from sqlalchemy import select

    from portal.boards.models import Board

    statement = select(Board).order_by(Board.unit_price.desc())
    if db.engine.dialect.name == "sqlite":
        problems = _sqlite_problems(statement, "boards", False)
    else:
        problems = _postgresql_problems(statement, "boards", False)
    db.session.rollback()
    assert problems, "an unindexed order must be reported"


def _explained(statement: Select[Any], explain: str) -> list[Any]:
    """EXPLAIN of ``statement`` exactly as SQLAlchemy sends it (IN lists expanded, values bound)."""
    from sqlalchemy import event

    sent: list[tuple[str, Any]] = []

    def note(conn, cursor, sql, parameters, context, executemany):
        sent.append((sql, parameters))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        db.session.execute(statement).all()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    sql, parameters = sent[-1]
    return list(db.session.connection().exec_driver_sql(f"{explain} {sql}", parameters))


def _reads_of(statement: Select[Any], table: str) -> list[str]:
    """How ``statement`` reads ``table``: each line of SQLite's plan naming it, or each PostgreSQL
    plan node on it (scans by sequence and bitmap turned off: the small test data must not tip it)."""
    if db.engine.dialect.name == "sqlite":
        plan = [row[3] for row in _explained(statement, "EXPLAIN QUERY PLAN")]
        return [line for line in plan if table in line]
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
    plan = _explained(statement, "EXPLAIN (FORMAT JSON)")[0][0]
    root = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    reads = [node["Node Type"] for node in _nodes(root) if node.get("Relation Name") == table]
    db.session.rollback()
    return reads


def _assert_index_only(reads: list[str]) -> None:
    assert reads, reads
    if db.engine.dialect.name == "sqlite":
        assert all("COVERING INDEX" in line for line in reads), reads
    else:
        assert set(reads) == {"Index Only Scan"}, reads


def test_the_repair_queue_counts_its_withheld_batches_from_an_index_alone(app):
    """The queue's tabs count the withheld batches (workshop_queries.state_counts) without reading
    a batch's row: at 10× there are thousands of them."""
    _assert_index_only(_reads_of(withheld_counts(ON), "repair_batches"))


def test_the_month_grid_counts_the_distributors_bound_from_the_agreements_index_alone(app):
    """The reports' month grid counts the distributors an agreement binds during the month (up to
    its cap) probing each one's agreements in their index, never reading an agreement's row. On
    SQLite, which has no statistics to choose otherwise; PostgreSQL hashes the agreements bound
    that month instead, a plan of its own choosing at 10× that depends on its statistics."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL chooses a hash join over the agreements bound that month by its statistics")
    _assert_index_only(_reads_of(month_grid_counted(2026, 2, ON), "agreements"))


def test_every_case_compiles_without_a_request(app):
    """The rows call the query functions the views call, with a stand-in user: no request needed."""
    for case in CASES:
        assert str(case.statement()), case.id
