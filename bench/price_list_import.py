"""How long a 5,000-item price list takes to import from .xlsx (issue 3: under 5 seconds).

    .venv/bin/python bench/price_list_import.py [ITEMS]

Builds a temporary SQLite database with ITEMS products (default 5,000) and an empty draft, writes
a workbook with one row per product (prices as number cells, as Excel saves typed numbers), then
times ``portal.pricing.services.import_items`` end to end: reading and checking the file, loading
the known SKUs, writing the items and their audit trail, committing. It then imports the same
file with every price changed, which updates every item in place. A script, not a timed test:
timings depend on the machine.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portal import create_app  # noqa: E402
from portal.audit.models import AuditEvent  # noqa: E402
from portal.config import TestConfig  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.pricing import services  # noqa: E402
from portal.pricing.models import PriceListItem  # noqa: E402
from portal.products.models import Product  # noqa: E402


def workbook(count: int, bump: int = 0) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Prices")
    sheet.append(["sku", "name_zh", "price_level1", "price_level2", "min_resale_price"])
    for n in range(count):
        base = 100 + n % 900 + bump
        # Floats as Excel stores typed numbers; some with fen, some whole yuan.
        sheet.append([f"BENCH-{n:05d}", f"测试板卡 {n}", base + 0.5, base + 20, base + 80.25])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main(count: int) -> None:
    folder = tempfile.mkdtemp(prefix="portal-bench-")
    config = type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3"})
    app = create_app(config)
    with app.app_context(), app.test_request_context():
        db.create_all()
        db.session.execute(
            insert(Product),
            [
                {
                    "sku": f"BENCH-{n:05d}",
                    "name_zh": f"测试板卡 {n}",
                    "name_en": f"Bench board {n}",
                    "category": "测试",
                    "serialized": True,
                    "active": True,
                }
                for n in range(count)
            ],
        )
        db.session.commit()
        draft = services.create_price_list(services.PriceListData("Bench", date(2030, 1, 1)))
        first, second = workbook(count), workbook(count, bump=7)
        print(f"{count:,} products; workbook {len(first) / 1024:.0f} KB")

        started = time.perf_counter()
        changes = services.import_items(draft, "prices.xlsx", first)
        elapsed = time.perf_counter() - started
        items = db.session.scalar(select(func.count()).select_from(PriceListItem))
        print(f"import into an empty draft: {elapsed:.2f} s ({changes.added:,} added; {items:,} items stored)")

        started = time.perf_counter()
        changes = services.import_items(draft, "prices.xlsx", second)
        elapsed_update = time.perf_counter() - started
        print(f"import over it, every price changed: {elapsed_update:.2f} s ({changes.updated:,} updated)")
        events = db.session.scalar(select(func.count()).select_from(AuditEvent))
        print(f"audit events written: {events:,}")
        print("OK: under 5 seconds" if max(elapsed, elapsed_update) < 5 else "TOO SLOW: 5 seconds or more")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
