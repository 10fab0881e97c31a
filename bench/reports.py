"""Each head-office report's query beside the best-known query for the same answer (issue 11: a
report ≤ 1.5 × its best-known query + a bare route).

    .venv/bin/python bench/reports.py --database URL [--repeat N] [--on YYYY-MM-DD]

URL is a database holding data (bench/generate.py builds one; ``sqlite:///…`` or
``postgresql+psycopg://…``). For each report the statement the page sends (built by the portal's
own query functions, LIMIT 25 where the page shows 25) and the best-known SQL below run alternately
N times (default 15); the medians and their ratio are printed. The best-known queries are the
leanest SQL that returns the same figures: one pass over the rows the answer needs, through the
index that orders or filters them, nothing joined that the figures do not need.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portal import create_app  # noqa: E402
from portal.boards.queries import DeliveryFilters, deliveries_matching, delivery_counts  # noqa: E402
from portal.config import TestConfig  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.receivables.queries import (  # noqa: E402
    DueState,
    Filters,
    owed_summary,
    receivables_matching,
    totals_by_distributor,
)
from portal.repairs.ledger_queries import LedgerFilters, grand_totals, ledger_rows, ledger_totals_matching  # noqa: E402
from portal.repairs.queries import BatchFilters, batches_matching  # noqa: E402

OWING = "('confirmed', 'deposit_paid')"
NOTIFIED = "('notified', 'paid', 'returned')"

#: The best-known query of each report, by name; ``:on`` is the report's day.
BEST_KNOWN: dict[str, str] = {
    "receivables: amounts owed, page 1": f"""
        SELECT o.id, o.number, o.deposit_due_on, o.delivery_due_on, d.code, d.name
        FROM orders o JOIN distributors d ON d.id = o.distributor_id
        WHERE o.status IN {OWING}
        ORDER BY coalesce(o.deposit_due_on, o.delivery_due_on), o.number LIMIT 25""",
    "receivables: totals per distributor, page 1": f"""
        SELECT d.id, d.code, d.name, count(*), sum(o.total - o.paid_amount),
               sum(CASE WHEN o.deposit_due_on < :on THEN o.deposit_amount - o.paid_amount ELSE 0 END)
        FROM orders o JOIN distributors d ON d.id = o.distributor_id
        WHERE o.status IN {OWING}
        GROUP BY d.id, d.code, d.name ORDER BY d.code LIMIT 25""",
    "receivables: grand total": f"""
        SELECT o.status, count(*), sum(o.total - o.paid_amount),
               sum(CASE WHEN o.deposit_due_on < :on THEN o.deposit_amount - o.paid_amount ELSE 0 END)
        FROM orders o WHERE o.status IN {OWING} GROUP BY o.status""",
    "overdue: totals per distributor, page 1": f"""
        SELECT d.id, d.code, d.name, count(*), sum(o.deposit_amount - o.paid_amount)
        FROM orders o JOIN distributors d ON d.id = o.distributor_id
        WHERE o.status IN {OWING} AND (o.deposit_due_on < :on OR o.delivery_due_on < :on)
        GROUP BY d.id, d.code, d.name ORDER BY d.code LIMIT 25""",
    "delivery: page 1": """
        SELECT o.*, d.* FROM orders o JOIN distributors d ON d.id = o.distributor_id
        WHERE o.delivery_due_on IS NOT NULL AND o.status <> 'cancelled'
        ORDER BY o.delivery_due_on DESC, o.id DESC LIMIT 25""",
    "delivery: counts (and the page total)": """
        SELECT sum(CASE WHEN shipped_on <= delivery_due_on THEN 1 ELSE 0 END),
               sum(CASE WHEN shipped_on > delivery_due_on THEN 1 ELSE 0 END),
               sum(CASE WHEN shipped_on IS NULL AND delivery_due_on < :on THEN 1 ELSE 0 END),
               sum(CASE WHEN shipped_on IS NULL AND delivery_due_on >= :on THEN 1 ELSE 0 END)
        FROM orders WHERE delivery_due_on IS NOT NULL AND status <> 'cancelled'""",
    "repair queue: page 1": """
        SELECT b.*, d.* FROM repair_batches b JOIN distributors d ON d.id = b.distributor_id
        ORDER BY b.month DESC, b.id DESC LIMIT 25""",
    "fee ledger: batches, page 1": f"""
        SELECT b.id, b.number, b.amount_due, b.paid_amount, d.code, d.name
        FROM repair_batches b JOIN distributors d ON d.id = b.distributor_id
        WHERE b.status IN {NOTIFIED}
        ORDER BY b.paid_amount >= b.amount_due, b.fees_due_on, b.number LIMIT 25""",
    "fee ledger: totals per distributor, page 1": f"""
        SELECT d.id, d.code, d.name, count(*), sum(b.amount_due), sum(b.paid_amount)
        FROM repair_batches b JOIN distributors d ON d.id = b.distributor_id
        WHERE b.status IN {NOTIFIED}
        GROUP BY d.id, d.code, d.name ORDER BY d.code LIMIT 25""",
    "fee ledger: grand total": f"""
        SELECT count(*), sum(amount_due), sum(paid_amount) FROM repair_batches WHERE status IN {NOTIFIED}""",
}


def portal_queries(on: date) -> dict[str, Callable[[], Any]]:
    """What each page runs for the same figures (the first page, unfiltered but for overdue)."""

    def page(statement: Any) -> Callable[[], Any]:
        return lambda: db.session.execute(statement.limit(25)).all()

    return {
        "receivables: amounts owed, page 1": page(receivables_matching(Filters(), on)),
        "receivables: totals per distributor, page 1": page(totals_by_distributor(Filters(), on)),
        "receivables: grand total": lambda: owed_summary(Filters(), on),
        "overdue: totals per distributor, page 1": page(totals_by_distributor(Filters(state=DueState.OVERDUE), on)),
        "delivery: page 1": page(deliveries_matching(DeliveryFilters(), on)),
        "delivery: counts (and the page total)": lambda: delivery_counts(DeliveryFilters(), on),
        "repair queue: page 1": page(batches_matching(BatchFilters(), on)),
        "fee ledger: batches, page 1": page(ledger_rows(LedgerFilters(), on)),
        "fee ledger: totals per distributor, page 1": page(ledger_totals_matching(LedgerFilters(), on)),
        "fee ledger: grand total": lambda: grand_totals(LedgerFilters(), on),
    }


def timed(run: Callable[[], Any]) -> float:
    started = time.perf_counter()
    run()
    db.session.rollback()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--on", type=date.fromisoformat, default=date.today())
    args = parser.parse_args()
    config = type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": args.database})
    app = create_app(config)
    with app.test_request_context():
        from flask import g

        g._login_user = SimpleNamespace(is_head_office=True, is_authenticated=True)  # head office's scope
        queries = portal_queries(args.on)
        print(f"{'report':<46} {'page ms':>9} {'best ms':>9} {'ratio':>6}")
        for name, run in queries.items():
            best = text(BEST_KNOWN[name])

            def known(best: Any = best) -> Any:
                return db.session.execute(best, {"on": args.on}).all()

            timed(run), timed(known)  # warm both
            ours, theirs = [], []
            for _ in range(args.repeat):
                ours.append(timed(run))
                theirs.append(timed(known))
            page_ms, best_ms = statistics.median(ours) * 1000, statistics.median(theirs) * 1000
            print(f"{name:<46} {page_ms:>9.1f} {best_ms:>9.1f} {page_ms / best_ms:>6.2f}")


if __name__ == "__main__":
    main()
