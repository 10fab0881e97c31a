"""The quarter figures of §10, kept current (docs/rules.md §10).

``QuarterFigures`` holds, per agreement and quarter, the counts that :func:`portal.domain.compliance.
quarter_figures` computes from the records. They are kept current two ways:

* in the same transaction as the changes they come from: :func:`register` hooks the session, so
  that a flush that writes an order, a payment, a shipment, a repair batch, a fee payment, a rating,
  a monthly report, a violation or a notice notes its distributor, and the commit first
  :func:`refresh`-es those distributors' rows (one set of SELECTs limited to them, one pandas pass,
  the changed rows written);
* for what time alone changes (a deposit, a report or a repair limit passing unmet overnight), by
  the idempotent command ``flask --app wsgi portal refresh-compliance``, run daily.

The same refresh keeps the distributors' standings over the overview's window
(compliance.standings) current; a distributor's new code or region rewrites its standing too. And
the hook recounts the tallies kept per due day for the orders and batches written: the delivery
tallies (boards.tallies) and the repair fees owed (repairs.owed), which the daily command recounts
in full.

A test proves the table equal to a full recomputation (tests/compliance/test_refresh.py).
"""

from __future__ import annotations

import weakref
from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import delete, event, insert, inspect, select, update
from sqlalchemy.orm import Session, selectinload

from ..agreements.models import Agreement, AgreementTerms
from ..boards.models import DeliveryDay, Shipment
from ..boards.tallies import refresh_tallies
from ..clock import today
from ..distributors.models import Distributor
from ..domain import compliance as rules
from ..domain.assessments import parse_quarter, quarter_name
from ..domain.notices import NoticeType
from ..extensions import db
from ..notices.models import Notice
from ..orders.models import Order
from ..receivables.models import Payment
from ..repairs.models import FeesOwedDay, RepairBatch, RepairFeePayment, RepairRating
from ..repairs.owed import refresh_fees_owed
from ..reports.models import MonthlyReport, Violation
from .models import QuarterFigures, Standing
from .standings import refresh_standings

#: The tables whose rows the figures are computed from; each has a ``distributor_id``. A shipment
#: is found by its order, a version of terms (the quota, the report due day) by its agreement.
WATCHED = (Agreement, Order, Payment, RepairBatch, RepairFeePayment, RepairRating, MonthlyReport, Violation, Notice)
PENDING = "compliance_pending_distributors"
PENDING_ORDERS = "compliance_pending_orders"
PENDING_AGREEMENTS = "compliance_pending_agreements"
PENDING_STANDINGS = "compliance_pending_standings"
#: The tables kept current per due day: the column of the records that keys them, and where a
#: session notes the days its flushes touched (boards.tallies, repairs.owed).
PENDING_DAYS = {Order: ("delivery_due_on", "pending_delivery_days"), RepairBatch: ("fees_due_on", "pending_fee_days")}
#: A distributor's columns its standing keeps (the ranking's order, the province it is added to).
STANDING_COLUMNS = ("code", "region_code")
STORED = (*rules.MONEY_COLUMNS, *rules.COUNT_COLUMNS, "score")


def _scope(statement: Any, column: Any, distributor_ids: Collection[int] | None) -> Any:
    return statement if distributor_ids is None else statement.where(column.in_(sorted(distributor_ids)))


def _rows(session: Session, statement: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in session.execute(statement)]


def load_records(session: Session, distributor_ids: Collection[int] | None) -> dict[str, list[dict[str, Any]]]:
    """The records the figures come from, as the domain's rows (:data:`~portal.domain.compliance.
    RECORD_COLUMNS`): every agreement (with its versions
    of terms), order, batch, rating, report, violation and price-list notice of these distributors
    (``None``: of all). A fixed number of statements, whatever the number of distributors."""
    agreements = session.scalars(
        _scope(select(Agreement), Agreement.distributor_id, distributor_ids).options(
            selectinload(Agreement.term_versions)
        )
    ).all()
    agreement_rows = []
    for agreement in agreements:
        period = agreement.binding_period()
        if period is None:
            continue
        agreement_rows.append(
            {
                "agreement_id": agreement.id,
                "distributor_id": agreement.distributor_id,
                "starts_on": period[0],
                "ends_on": period[1],
                "terms": [(version.effective_from, version.terms) for version in agreement.term_versions],
            }
        )
    orders = _scope(
        select(
            Order.agreement_id,
            Order.distributor_id,
            Order.status,
            Order.total,
            Order.confirmed_on,
            Order.cancelled_on,
            Order.deposit_due_on,
            Order.deposit_paid_on,
            Order.delivery_due_on,
            Order.shipped_on,
        ).where(Order.confirmed_on.is_not(None)),
        Order.distributor_id,
        distributor_ids,
    )
    batches = _scope(
        select(
            RepairBatch.agreement_id,
            RepairBatch.distributor_id,
            RepairBatch.shipped_on,
            RepairBatch.shipped_late,
            RepairBatch.received_on,
            RepairBatch.repair_due_on,
            RepairBatch.repaired_on,
            RepairBatch.fees_due_on,
            RepairBatch.amount_due,
            RepairBatch.paid_on,
        ).where(RepairBatch.shipped_on.is_not(None)),
        RepairBatch.distributor_id,
        distributor_ids,
    )
    ratings = _scope(
        select(
            RepairBatch.agreement_id,
            RepairRating.distributor_id,
            RepairRating.rated_on,
            RepairRating.attitude,
            RepairRating.skill,
            RepairRating.timeliness,
            RepairRating.promises,
        ).join(RepairBatch, RepairBatch.id == RepairRating.batch_id),
        RepairRating.distributor_id,
        distributor_ids,
    )
    reports = _scope(
        select(
            MonthlyReport.agreement_id,
            MonthlyReport.distributor_id,
            MonthlyReport.month,
            MonthlyReport.due_on,
            MonthlyReport.submitted_on,
        ),
        MonthlyReport.distributor_id,
        distributor_ids,
    )
    violations = _scope(
        select(
            Violation.agreement_id,
            Violation.distributor_id,
            Violation.kind,
            Violation.occurred_on,
            Violation.dismissed_on,
        ),
        Violation.distributor_id,
        distributor_ids,
    )
    notices = _scope(
        select(Notice.agreement_id, Notice.distributor_id, Notice.issued_on, Notice.effective_on).where(
            Notice.type == NoticeType.PRICE_LIST
        ),
        Notice.distributor_id,
        distributor_ids,
    )
    return {
        "agreements": agreement_rows,
        "orders": _rows(session, orders),
        "batches": _rows(session, batches),
        "ratings": _rows(session, ratings),
        "reports": _rows(session, reports),
        "violations": _rows(session, violations),
        "notices": _rows(session, notices),
    }


def compute(on: date, distributor_ids: Collection[int] | None = None, session: Session | None = None) -> pd.DataFrame:
    """The figures of these distributors' agreements (``None``: every distributor's) recomputed
    from their records as of ``on``, without writing anything: the full recomputation."""
    return rules.quarter_figures(on, **load_records(session or db.session(), distributor_ids))


def _distributors_of(session: Session, agreement_ids: Iterable[int]) -> set[int]:
    ids = sorted(set(agreement_ids))
    if not ids:
        return set()
    return set(session.scalars(select(Agreement.distributor_id).where(Agreement.id.in_(ids))))


def refresh(
    *,
    agreement_ids: Iterable[int] | None = None,
    distributor_ids: Iterable[int] | None = None,
    on: date | None = None,
    session: Session | None = None,
    when_filled: bool = False,
) -> int:
    """Recompute the figures of these agreements' (or distributors') every quarter from their
    records as of ``on`` (today) and write what changed: new rows inserted, changed rows updated,
    rows no longer computed deleted; and the same distributors' delivery tallies
    (boards.tallies) and standings over the window of ``on`` (compliance.standings; with
    ``when_filled``, the hook's, only once the daily command has filled them). Both None: every
    agreement (the daily command: the standings' window follows the day it runs). Idempotent: a
    second run writes nothing. Runs inside the caller's transaction (never commits). Returns the
    quarter-figure rows written."""
    session = session or db.session()
    on = on or today()
    every = agreement_ids is None and distributor_ids is None
    ids: set[int] | None = None
    if not every:
        ids = set(distributor_ids or ()) | _distributors_of(session, agreement_ids or ())
        if not ids:
            return 0
    # Two transactions refreshing one distributor take turns (the second reads what the first
    # committed), so neither writes figures computed without the other's change. SQLite
    # serialises every writer anyway (portal/db.py). FOR NO KEY UPDATE (key_share), not FOR UPDATE:
    # the change being refreshed for (a payment, an order) already holds FOR KEY SHARE on the
    # distributor through its foreign key, and two such transactions each waiting for the other's
    # key-share lock would deadlock; NO KEY UPDATE still makes refreshes take turns.
    session.execute(
        _scope(select(Distributor.id), Distributor.id, ids).order_by(Distributor.id).with_for_update(key_share=True)
    ).all()
    computed = compute(on, ids, session)
    columns = [
        getattr(QuarterFigures, name) for name in ("id", "agreement_id", "quarter", "distributor_id", "as_of", *STORED)
    ]
    existing = {
        (row.agreement_id, row.quarter): row
        for row in session.execute(_scope(select(*columns), QuarterFigures.distributor_id, ids))
    }
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for values in rules.figure_rows(computed):
        key = (int(values["agreement_id"]), values["quarter"])
        fresh = {"distributor_id": int(values["distributor_id"]), "as_of": on}
        fresh |= {column: int(values[column]) if column in rules.COUNT_COLUMNS else values[column] for column in STORED}
        row = existing.pop(key, None)
        if row is None:
            inserts.append({"agreement_id": key[0], "quarter": key[1], **fresh})
        elif any(getattr(row, column) != value for column, value in fresh.items()):
            updates.append({"id": row.id, **fresh})
    # Whole sets of rows in a few statements (executemany), not one statement per row.
    if inserts:
        session.execute(insert(QuarterFigures), inserts)
    if updates:
        session.execute(update(QuarterFigures), updates)
    if existing:
        stale = sorted(row.id for row in existing.values())
        session.execute(delete(QuarterFigures).where(QuarterFigures.id.in_(stale)))
    if every:  # the daily command: the tallies per due day too (the hook recounts the days it saw)
        refresh_tallies(session, None)
        refresh_fees_owed(session, None)
    # And their standings over the overview's window, added up from the rows just written.
    refresh_standings(session, ids, on, when_filled=when_filled)
    return len(inserts) + len(updates) + len(existing)


def frozen_figures(agreement_id: int, quarter: str, on: date) -> dict[str, Any]:
    """The §10 figures of one agreement's quarter as of ``on``, as plain JSON values (counts as
    ints, amounts as strings with two decimals), for an assessment to keep. Recomputed from the
    records (not read from the table), so an assessment computed later for a past day keeps what
    was known on that day."""
    year, number = parse_quarter(quarter)
    name = quarter_name(year, number)
    distributors = _distributors_of(db.session(), [agreement_id])
    if not distributors:
        return rules.Figures().as_json()
    frame = compute(on, distributors)
    match = frame[(frame["agreement_id"] == agreement_id) & (frame["quarter"] == name)]
    if match.empty:
        return rules.Figures().as_json()
    return rules.Figures.of(rules.figure_rows(match)[0]).as_json()


# --- kept current in the transaction of the change -----------------------------------------------


def _note(session: Session, objects: Iterable[Any]) -> None:
    distributors: set[int] = session.info.setdefault(PENDING, set())
    orders: set[int] = session.info.setdefault(PENDING_ORDERS, set())
    agreements: set[int] = session.info.setdefault(PENDING_AGREEMENTS, set())
    renamed: set[int] = session.info.setdefault(PENDING_STANDINGS, set())
    for obj in objects:
        if isinstance(obj, WATCHED):
            if obj.distributor_id is not None:
                distributors.add(obj.distributor_id)
            if type(obj) in PENDING_DAYS:  # its due day now, and the one before if it moved
                column, pending = PENDING_DAYS[type(obj)]
                state: Any = inspect(obj)
                history = state.attrs[column].history
                days: set[date] = session.info.setdefault(pending, set())
                days.update(day for day in (getattr(obj, column), *history.deleted) if day is not None)
        elif isinstance(obj, Shipment) and obj.order_id is not None:
            orders.add(obj.order_id)
        elif isinstance(obj, AgreementTerms) and obj.agreement_id is not None:
            agreements.add(obj.agreement_id)
        elif isinstance(obj, Distributor) and obj in session.dirty:  # a new one has no figures yet
            state = inspect(obj)
            if any(state.attrs[column].history.has_changes() for column in STANDING_COLUMNS):
                renamed.add(obj.id)


_READY: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def _table_exists(session: Session) -> bool:
    """Whether the database has the figures' tables: not while it stands at a migration older than
    the table's (a data migration's test writes through the services there). Found once per
    engine, then remembered."""
    engine = session.get_bind()
    if _READY.get(engine):
        return True
    inspector = inspect(session.connection())
    kept = (QuarterFigures, DeliveryDay, Standing, FeesOwedDay)
    found = all(inspector.has_table(model.__tablename__) for model in kept)
    if found:
        _READY[engine] = True
    return found


def register(session_class: Any) -> None:
    """Keep QuarterFigures current in the transaction of every change it depends on: after each
    flush, note the distributors of the watched rows written; before the commit, refresh them."""

    @event.listens_for(session_class, "after_flush")
    def _after_flush(session: Session, flush_context: Any) -> None:
        # new, dirty and deleted still hold what this flush wrote.
        _note(session, session.new)
        _note(session, (obj for obj in session.dirty if session.is_modified(obj, include_collections=False)))
        _note(session, session.deleted)

    @event.listens_for(session_class, "before_commit")
    def _before_commit(session: Session) -> None:
        if session.new or session.dirty or session.deleted:
            session.flush()  # what the commit would flush is noted first
        distributors = set(session.info.pop(PENDING, set()))
        orders = session.info.pop(PENDING_ORDERS, set())
        if orders:
            distributors |= set(session.scalars(select(Order.distributor_id).where(Order.id.in_(sorted(orders)))))
        distributors |= _distributors_of(session, session.info.pop(PENDING_AGREEMENTS, set()))
        # A distributor whose code or region changed: its standing sorts and groups by them.
        renamed = set(session.info.pop(PENDING_STANDINGS, set())) - distributors
        delivery_days = session.info.pop(PENDING_DAYS[Order][1], set())
        fee_days = session.info.pop(PENDING_DAYS[RepairBatch][1], set())
        if (distributors or renamed) and _table_exists(session):
            if distributors:
                refresh(distributor_ids=distributors, on=today(), session=session, when_filled=True)
            if renamed:
                refresh_standings(session, renamed, today(), when_filled=True)
            # After the distributors' locks (refresh), as every transaction takes them: no circle.
            refresh_tallies(session, delivery_days)
            refresh_fees_owed(session, fee_days)

    @event.listens_for(session_class, "after_transaction_end")
    def _after_transaction_end(session: Session, transaction: Any) -> None:
        # A rolled-back transaction changed nothing to refresh; a savepoint's end keeps the notes.
        if transaction.parent is None:
            pending_days = (pending for _, pending in PENDING_DAYS.values())
            for key in (PENDING, PENDING_ORDERS, PENDING_AGREEMENTS, PENDING_STANDINGS, *pending_days):
                session.info.pop(key, None)
