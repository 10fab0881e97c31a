"""Kill the server in the middle of payments, again and again: nothing acknowledged may be lost.

    .venv/bin/python bench/crash.py [--rounds 30] [--streams 4] [--database-url sqlite:///…]

On a SQLite file (default: a fresh one in a temporary folder, seeded as `make run` seeds one:
``flask db upgrade``, ``flask portal demo``), ROUNDS times:

1. start the portal (``gunicorn -w 2 wsgi:app``);
2. STREAMS threads post payments through the API as finance, each with a new bank reference and a
   small amount on one of the orders that still owe money;
3. a random moment (0 to 2 s) after the round's first acknowledgement, ``kill -9`` the whole
   server (master and workers at once, its process group), as a power cut would;
4. note which postings were acknowledged (201 received) and which were in doubt (sent, no answer).

Then: every acknowledged payment is stored, once, with its order and amount; every order's paid
amount is the sum of its live payments (no half-written payment: in doubt means stored whole or not
at all); ``PRAGMA integrity_check`` answers ok after every round and at the end; and the portal
starts again on the file and serves a page to a signed-in user. Exit status 1 if any check fails.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sqlite3
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import AGENTS, Client, Server, create_token, demo_database, open_orders, place_orders  # noqa: E402

NUMBERS = itertools.count(1)  # the bank references' numbers (next() is atomic in CPython)


@dataclass
class Postings:
    acknowledged: list[dict[str, Any]] = field(default_factory=list)  # the 201 answers
    in_doubt: list[str] = field(default_factory=list)  # references sent without an answer
    refused: list[str] = field(default_factory=list)  # any other answer: a failure
    lock: threading.Lock = field(default_factory=threading.Lock)


def stream(base: str, token: str, orders: list[int], run: str, stop: threading.Event, postings: Postings) -> None:
    """Post payments until the server dies (or ``stop``)."""
    finance = Client(base, token)
    while not stop.is_set():
        reference = f"CRASH-{run}-{next(NUMBERS)}"
        order_id = random.choice(orders)
        amount = f"{Decimal(random.randint(100, 5_000)) / 100:.2f}"
        body = {"amount": amount, "bank_reference": reference, "payer": "crash test"}
        try:
            response = finance.post_json(f"/api/v1/orders/{order_id}/payments", body)
        except ConnectionRefusedError:  # killed before this one was sent
            return
        except Exception:  # noqa: BLE001 - the server is gone: this one is in doubt, the stream ends
            with postings.lock:
                postings.in_doubt.append(reference)
            return
        with postings.lock:
            if response.status == 201:
                postings.acknowledged.append(response.json())
            else:
                postings.refused.append(f"{reference}: {response.status} {response.body[:200]!r}")


def integrity(path: str) -> str:
    connection = sqlite3.connect(path)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


def check(path: str, postings: Postings) -> list[str]:
    """Every acknowledged payment stored once as acknowledged; paid amounts equal live payments."""
    failures = []
    connection = sqlite3.connect(path)
    try:
        stored = {
            reference: (payment_id, order_id, amount)
            for payment_id, order_id, amount, reference in connection.execute(
                "SELECT id, order_id, amount, bank_reference FROM payments WHERE bank_reference LIKE 'CRASH-%'"
            )
        }
        for payment in postings.acknowledged:
            found = stored.get(payment["bank_reference"])
            expected = (payment["id"], payment["order_id"], int(Decimal(payment["amount"]) * 100))
            if found != expected:
                failures.append(f"acknowledged payment {payment['bank_reference']} lost or changed: {found}")
        mismatched = connection.execute(
            "SELECT o.id, o.paid_amount, COALESCE(SUM(p.amount), 0) FROM orders o "
            "LEFT JOIN payments p ON p.order_id = o.id AND p.voided_at IS NULL "
            "GROUP BY o.id, o.paid_amount HAVING o.paid_amount != COALESCE(SUM(p.amount), 0)"
        ).fetchall()
        failures += [f"order {i}: paid amount {paid} fen, live payments {live} fen" for i, paid, live in mismatched]
        duplicates = connection.execute(
            "SELECT bank_reference, COUNT(*) FROM payments WHERE voided_at IS NULL "
            "GROUP BY distributor_id, bank_reference HAVING COUNT(*) > 1"
        ).fetchall()
        failures += [f"bank reference {reference} stored {n} times" for reference, n in duplicates]
        in_doubt_stored = sum(reference in stored for reference in postings.in_doubt)
    finally:
        connection.close()
    print(
        f"  stored: {len(stored)} payments; acknowledged {len(postings.acknowledged)}; in doubt at the kills "
        f"{len(postings.in_doubt)}, of which stored {in_doubt_stored} (committed, the answer lost) "
        f"and not stored {len(postings.in_doubt) - in_doubt_stored}"
    )
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="", help="a demo-seeded SQLite file (default: a fresh one)")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--streams", type=int, default=4, help="threads posting payments")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the fresh database")
    args = parser.parse_args()
    if args.database_url and not args.database_url.startswith("sqlite:///"):
        parser.error("--database-url must be a SQLite file: sqlite:///path")

    print(f"Crash: {args.rounds} rounds of kill -9 during payments, gunicorn -w {args.workers}, SQLite", flush=True)
    started = time.perf_counter()
    failures: list[str] = []
    postings = Postings()
    run = uuid.uuid4().hex[:6].upper()
    with demo_database(args.database_url, sqlite=True, keep=args.keep) as url:
        path = url.removeprefix("sqlite:///")
        tokens = {name: create_token(url, name) for name in ("sales", "finance", *AGENTS)}
        with Server(url, workers=args.workers) as server:
            place_orders(server, tokens, 2)
        orders = [row["id"] for row in open_orders(url)]
        print(f"  {len(orders)} orders owe money; postings of 1 to 50 CNY each", flush=True)
        for round_number in range(1, args.rounds + 1):
            server = Server(url, workers=args.workers).start()
            stop = threading.Event()
            streams = [
                threading.Thread(target=stream, args=(server.base, tokens["finance"], orders, run, stop, postings))
                for _ in range(args.streams)
            ]
            acknowledged = len(postings.acknowledged)
            for thread in streams:
                thread.start()
            # Once the stream flows (a first payment acknowledged), a random moment later.
            deadline = time.monotonic() + 60
            while len(postings.acknowledged) == acknowledged and time.monotonic() < deadline:
                time.sleep(0.01)
            lifetime = random.uniform(0, 2)
            time.sleep(lifetime)
            server.kill()
            server.close()
            stop.set()
            for thread in streams:
                thread.join()
            verdict = integrity(path)
            if verdict != "ok":
                failures.append(f"round {round_number}: integrity_check: {verdict}")
            print(
                f"  round {round_number:>2}: killed {lifetime:.2f} s after the first payment, "
                f"{len(postings.acknowledged) - acknowledged} acknowledged, integrity {verdict}",
                flush=True,
            )
        failures += [f"refused: {refusal}" for refusal in postings.refused]
        failures += check(path, postings)
        verdict = integrity(path)
        if verdict != "ok":
            failures.append(f"integrity_check at the end: {verdict}")
        with Server(url, workers=1) as server:
            page = Client(server.base).login("finance").get("/receivables/")
            if page.status != 200:
                failures.append(f"after the crashes, /receivables/ answered {page.status}")
        print(f"  restarted: /receivables/ answered {page.status} in {page.seconds * 1000:.0f} ms")

    print(
        f"\n{args.rounds} kills; {len(postings.acknowledged)} payments acknowledged, all present: "
        f"{not any('lost' in f for f in failures)}; integrity_check: {verdict}; "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    for failure in failures[:30]:
        print(f"  ! {failure}")
    print("PASS" if not failures else "FAIL")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
