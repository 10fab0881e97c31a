"""The head-office compliance overview at 500 distributors × 12 quarters (issue 10): its time and
SQL statements, beside a full recomputation of the same figures from the records.

    .venv/bin/python bench/compliance_overview.py [DISTRIBUTORS] [--database URL]

Builds a temporary SQLite database (or, with ``--database postgresql+psycopg://…``, a temporary
schema there, dropped at the end) holding DISTRIBUTORS (default 500) distributors, each with an
active agreement over three years (2024-2026) and, per quarter, three orders, a repair batch and
three monthly reports, written with bulk INSERTs straight into the tables. It then

1. recomputes every figure from those records (``portal.compliance.figures.refresh``: the
   SELECTs, one pandas pass, the rows written), the full recomputation the daily command runs;
2. renders the overview (``GET /compliance/?from=2024-Q1&to=2026-Q4``: heat maps, ranking, sales
   by province) through the test client as a sales user, and a distributor's page, counting the
   statements each sends.

The overview reads QuarterFigures only: its statement count does not grow with the distributors or
quarters (tests/compliance/test_pages.py holds it to that). A script, not a timed test: timings
depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from dataclasses import asdict
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portal import clock, create_app  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.agreements.models import Agreement, AgreementTerms  # noqa: E402
from portal.compliance import figures  # noqa: E402
from portal.compliance.models import QuarterFigures  # noqa: E402
from portal.config import TestConfig  # noqa: E402
from portal.distributors.models import Distributor  # noqa: E402
from portal.domain.agreements import SEED_TERMS, AgreementStatus  # noqa: E402
from portal.domain.distributors import Level  # noqa: E402
from portal.domain.orders import OrderStatus  # noqa: E402
from portal.domain.regions import RegionLevel  # noqa: E402
from portal.domain.repairs import BatchStatus  # noqa: E402
from portal.domain.roles import Role  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.orders.models import Order  # noqa: E402
from portal.regions.models import Region  # noqa: E402
from portal.repairs.models import RepairBatch  # noqa: E402
from portal.reports.models import MonthlyReport  # noqa: E402

ON = date(2026, 12, 31)  # the benchmark's "today": the end of the third year
PASSWORD = "bench-password-2026"
PROVINCES = [
    ("330000", "浙江省"),
    ("320000", "江苏省"),
    ("440000", "广东省"),
    ("110000", "北京市"),
    ("510000", "四川省"),
]


def quarters() -> list[tuple[int, int]]:
    return [(year, q) for year in (2024, 2025, 2026) for q in (1, 2, 3, 4)]


def build(count: int) -> None:
    db.session.execute(
        insert(Region),
        [{"code": c, "name": n, "level": RegionLevel.PROVINCE, "parent_code": None} for c, n in PROVINCES],
    )
    db.session.execute(
        insert(Distributor),
        [
            {
                "code": f"B{n:04d}",
                "name": f"基准经销商 {n:04d}",
                "credit_code": f"91330000MA{n:08d}",
                "level": Level.SECOND,
                "region_code": PROVINCES[n % len(PROVINCES)][0],
            }
            for n in range(count)
        ],
    )
    ids = list(db.session.scalars(select(Distributor.id).order_by(Distributor.id)))
    db.session.execute(
        insert(Agreement),
        [
            {
                "number": f"XS-BENCH-{n:04d}",
                "distributor_id": distributor_id,
                "level": Level.SECOND,
                "signed_on": date(2023, 12, 1),
                "starts_on": date(2024, 1, 1),
                "ends_on": date(2026, 12, 31),
                "status": AgreementStatus.ACTIVE,
                "activated_on": date(2024, 1, 1),
            }
            for n, distributor_id in enumerate(ids)
        ],
    )
    agreements = {row[0]: row[1] for row in db.session.execute(select(Agreement.distributor_id, Agreement.id))}
    db.session.execute(
        insert(AgreementTerms),
        [{"agreement_id": a, "effective_from": date(2024, 1, 1), **asdict(SEED_TERMS)} for a in agreements.values()],
    )
    orders, batches, reports = [], [], []
    for n, distributor_id in enumerate(ids):
        agreement_id = agreements[distributor_id]
        for year, q in quarters():
            for k in range(3):
                month = 3 * q - 2 + k
                confirmed = date(year, month, 5)
                late = (n + k + q) % 7 == 0
                orders.append(
                    {
                        "number": f"PO-B-{n:04d}-{year}{q}{k}",
                        "distributor_id": distributor_id,
                        "agreement_id": agreement_id,
                        "status": OrderStatus.SHIPPED,
                        "total": Decimal(18000 + 1000 * ((n + k) % 5)),
                        "confirmed_on": confirmed,
                        "deposit_due_on": date(year, month, 8),
                        "deposit_paid_on": date(year, month, 9 if late else 7),
                        "paid_in_full_on": date(year, month, 20),
                        "delivery_due_on": date(year, month, 28),
                        "shipped_on": date(year, month, 27 if (n + k) % 9 else 28),
                    }
                )
                reports.append(
                    {
                        "distributor_id": distributor_id,
                        "agreement_id": agreement_id,
                        "month": f"{year}-{month:02d}",
                        "due_on": date(year + (month == 12), month % 12 + 1, 10),
                        "submitted_on": date(year + (month == 12), month % 12 + 1, 12 if late else 8),
                    }
                )
            month = 3 * q - 1
            batches.append(
                {
                    "number": f"FX-B-{n:04d}-{year}-{month:02d}",
                    "distributor_id": distributor_id,
                    "agreement_id": agreement_id,
                    "month": f"{year}-{month:02d}",
                    "status": BatchStatus.RETURNED,
                    "status_since": date(year, month, 28),
                    "shipped_on": date(year, month, 3 if n % 4 else 12),
                    "shipped_late": n % 4 == 0,
                    "received_on": date(year, month, 6),
                    "repair_due_on": date(year, month + 1, 5),
                    "repaired_on": date(year, month, 20),
                    "fees_due_on": date(year, month, 28),
                    "amount_due": Decimal("120.00"),
                    "paid_amount": Decimal("120.00"),
                    "paid_on": date(year, month, 27),
                    "returned_on": date(year, month, 28),
                }
            )
    db.session.execute(insert(Order), orders)
    db.session.execute(insert(RepairBatch), batches)
    db.session.execute(insert(MonthlyReport), reports)
    user = User(username="bench-sales", role=Role.SALES)
    user.set_password(PASSWORD)
    agent = User(username="bench-agent", role=Role.DISTRIBUTOR, distributor_id=ids[0])
    agent.set_password(PASSWORD)
    db.session.add_all([user, agent])
    db.session.commit()
    print(f"records: {len(ids)} distributors, {len(orders)} orders, {len(batches)} batches, {len(reports)} reports")


def timed_get(app: Any, username: str, url: str) -> tuple[float, int, int]:
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    client.get(url)  # warm: templates compiled, plotly imported
    event.listen(db.engine, "before_cursor_execute", record)
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, response.status_code
    return elapsed, len(statements), len(response.data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("distributors", nargs="?", type=int, default=500)
    parser.add_argument("--database", default="", help="a PostgreSQL URL (a temporary schema is used)")
    args = parser.parse_args()
    schema = ""
    if args.database:
        schema = f"bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with create_engine(args.database).begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in args.database else "?"
        url = f"{args.database}{separator}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='portal-bench-')}/bench.sqlite3"
    clock.utcnow = lambda: datetime(ON.year, ON.month, ON.day, 4, 0, tzinfo=UTC)  # the portal's "today"
    config = type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    app = create_app(config)
    try:
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            build(args.distributors)
            print(f"bulk inserts: {time.perf_counter() - started:.1f} s")

            statements: list[str] = []

            def record(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
                statements.append(statement)

            event.listen(db.engine, "before_cursor_execute", record)
            started = time.perf_counter()
            written = figures.refresh(on=ON)
            db.session.commit()
            recompute = time.perf_counter() - started
            event.remove(db.engine, "before_cursor_execute", record)
            rows = db.session.scalar(select(func.count()).select_from(QuarterFigures))
            print(
                f"full recomputation from the records: {recompute:.2f} s, {len(statements)} statements, "
                f"{rows} quarter figures ({written} written)"
            )
            db.session.remove()

            elapsed, count, size = timed_get(app, "bench-sales", "/compliance/?from=2024-Q1&to=2026-Q4")
            print(
                f"overview (head office, 20 a page, 12 quarters): {elapsed * 1000:.0f} ms, "
                f"{count} statements, {size // 1024} KB"
            )
            elapsed, count, size = timed_get(app, "bench-sales", "/compliance/?from=2026-Q4&to=2026-Q4&page=3")
            print(f"overview (one quarter, page 3): {elapsed * 1000:.0f} ms, {count} statements")
            elapsed, count, size = timed_get(app, "bench-agent", "/compliance/")
            print(f"a distributor's own page (12 quarters): {elapsed * 1000:.0f} ms, {count} statements")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if schema:
            with create_engine(args.database).begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
