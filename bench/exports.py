"""The export helper (portal.exports) at 100,000 rows: time and peak memory of the receivables
sheet written as Excel and as CSV from in-memory rows (no database: the helper's own cost).

    .venv/bin/python bench/exports.py [ROWS]

Rows are made one at a time by a generator (as a ``yield_per`` result hands them over) and written
by the same code the download uses (receivables.exports.receivables_sheet + exports.write_xlsx /
exports.csv_chunks). Peak memory is measured by tracemalloc at ROWS/10 and ROWS: one pass in
constant memory keeps the two close. A script, not a timed test: timings depend on the machine.
"""

from __future__ import annotations

import io
import sys
import time
import tracemalloc
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portal import create_app, exports  # noqa: E402
from portal.config import TestConfig  # noqa: E402
from portal.receivables.exports import receivables_sheet  # noqa: E402

ON = date(2026, 12, 1)


def rows(count: int) -> Iterator[SimpleNamespace]:
    for n in range(count):
        yield SimpleNamespace(
            distributor_code=f"HZ{n % 5000:04d}",
            distributor_name=f"杭州新辰通信设备有限公司 {n % 5000}",
            number=f"PO-2026-{n:06d}",
            kind="deposit" if n % 2 else "balance",
            amount=Decimal(120000 + n) / 100,
            outstanding=Decimal(60000 + n) / 100,
            due_on=date(2026, 1, 1) + timedelta(days=n % 365),
        )


def measure(count: int, file_format: str) -> tuple[float, int, int]:
    """Seconds, peak bytes traced, file size."""
    target = io.BytesIO()
    tracemalloc.start()
    started = time.perf_counter()
    sheet = receivables_sheet(rows(count), ON)
    if file_format == "xlsx":
        exports.write_xlsx([sheet], target)
    else:
        for chunk in exports.csv_chunks(sheet):
            target.write(chunk.encode("utf-8"))
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak, len(target.getvalue())


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    app = create_app(TestConfig)
    with app.test_request_context():
        print(f"{'format':<6} {'rows':>8} {'seconds':>8} {'peak MiB':>9} {'file MiB':>9}")
        for file_format in ("xlsx", "csv"):
            for n in (count // 10, count):
                # tracemalloc slows Python down; the time is taken again without it.
                _elapsed, peak, size = measure(n, file_format)
                started = time.perf_counter()
                sheet = receivables_sheet(rows(n), ON)
                if file_format == "xlsx":
                    exports.write_xlsx([sheet], io.BytesIO())
                else:
                    for _chunk in exports.csv_chunks(sheet):
                        pass
                elapsed = time.perf_counter() - started
                print(f"{file_format:<6} {n:>8} {elapsed:>8.2f} {peak / 2**20:>9.1f} {size / 2**20:>9.1f}")


if __name__ == "__main__":
    main()
