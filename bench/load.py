"""Many people at once on a real server: page views and payments, then the ledger checked to the fen.

    .venv/bin/python bench/load.py [--seconds 60] [--clients 50] [--workers 4] [--database-url URL]

Without ``--database-url`` a fresh PostgreSQL database is created on the server of ``POSTGRES_URL``
(default postgresql+psycopg://postgres@127.0.0.1:5432/postgres), seeded as `make run` seeds one
(``flask db upgrade``, ``flask portal demo``), and dropped at the end (``--keep`` keeps it). A
database given must hold the demo's users. The portal runs under ``gunicorn -w WORKERS wsgi:app``.

Before the clock starts, the distributors draft and submit orders through the API and sales
confirms them (``--orders``), so that there is money to receive. Then CLIENTS threads, each
request on a new connection, for SECONDS:

- ``page-head-office``: sales and finance pages (home, orders, receivables, agreements, boards …);
- ``page-distributor``: a distributor's pages (home with its territory chart, orders, boards …);
- ``api-list``: API lists (orders, receivables, boards, distributors) as sales, finance or a distributor;
- ``payment``: finance books a payment through the API (``POST /api/v1/orders/{id}/payments``),
  most on a few "hot" orders at once (several clients on the same order row), each with a new bank
  reference, never more than what is still due: each must be booked (201);
- ``payment-duplicate``: a bank reference already booked for that distributor: must be refused
  (409 ``duplicate``);
- ``payment-overpay``: more than the order still owes: must be refused (409);
- ``race-overpay`` (every few seconds): 8 postings released at the same instant on one order, each
  a third of what it owes: exactly as many as fit are booked, the others refused (409);
- ``race-duplicate``: 6 postings of the same new bank reference at the same instant: one booked,
  five refused (409 ``duplicate``).

Then, reading the database: every acknowledged payment (201) is stored with its amount; per order,
what was paid during the run equals the sum of the acknowledged payments to the fen and the live
payments sum to the order's paid amount; no order is paid past its total; no bank reference is
booked twice for a distributor. Exit status 1 if any check fails or any request erred (a 5xx, a
connection error, a status other than the one expected).

The request rate limit (30 sign-in posts a minute per address, per worker: portal/accounts/views.py)
is not touched: the clients share four sign-ins made at the start. API calls are not limited.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import (  # noqa: E402
    AGENTS,
    Client,
    Recorder,
    Response,
    Server,
    create_token,
    demo_database,
    open_orders,
    place_orders,
)

HEAD_OFFICE_PAGES = {
    "sales": ["/", "/orders/", "/receivables/", "/agreements/", "/distributors/", "/boards/", "/notices/"],
    "finance": ["/", "/receivables/", "/orders/", "/orders/?status=confirmed"],
}
DISTRIBUTOR_PAGES = ["/", "/orders/", "/boards/", "/notices/", "/compliance/"]
API_LISTS = ["/api/v1/orders", "/api/v1/receivables", "/api/v1/boards", "/api/v1/distributors"]
DISTRIBUTOR_API_LISTS = ["/api/v1/orders", "/api/v1/boards", "/api/v1/notices"]
# What a client does next, by weight.
MIX = {"page-head-office": 35, "page-distributor": 25, "api-list": 20, "payment": 20}
HOT_ORDERS = 3  # normal payments go to the first few open orders: several clients on one row
RACE_ORDERS = 3  # orders kept for the bursts, touched by nothing else


def fen(amount: str | Decimal) -> int:
    return int(Decimal(amount) * 100)


def yuan(fen_amount: int) -> str:
    return f"{Decimal(fen_amount) / 100:.2f}"


@dataclass
class OrderBook:
    """What the load knows of an order: its room at the start and what it was told was booked."""

    id: int
    distributor_id: int
    room: int  # fen still owed when the load started
    acknowledged: int = 0  # fen booked (201) during the run
    in_flight: int = 0  # fen posted, answer not yet received

    @property
    def free(self) -> int:
        return self.room - self.acknowledged - self.in_flight


@dataclass
class Ledger:
    """Every payment acknowledged, shared by the threads."""

    orders: dict[int, OrderBook]
    pool: list[int]  # open orders for normal payments, hot ones first
    race: list[int]
    lock: threading.Lock = field(default_factory=threading.Lock)
    booked: list[dict[str, Any]] = field(default_factory=list)
    references: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    counter: int = 0
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8].upper())  # a database may serve several runs

    def reference(self, prefix: str) -> str:
        with self.lock:
            self.counter += 1
            return f"{prefix}-{self.run}-{self.counter:06d}"

    def reserve(self) -> tuple[OrderBook, int] | None:
        """An open order among the hot ones and an amount that fits what it still owes."""
        with self.lock:
            open_orders = [self.orders[i] for i in self.pool if self.orders[i].free >= 100]
            if not open_orders:
                return None
            order = random.choice(open_orders[:HOT_ORDERS])
            amount = order.free if random.random() < 0.03 else min(order.free, random.randint(100, 300_000))
            order.in_flight += amount
            return order, amount

    def answered(self, order: OrderBook, amount: int, response: Response | None, reserved: bool = True) -> None:
        with self.lock:
            if reserved:
                order.in_flight -= amount
            if response is not None and response.status == 201:
                order.acknowledged += amount
                payment = response.json()
                self.booked.append(payment)
                self.references[order.distributor_id].append(payment["bank_reference"])


class Load:
    def __init__(self, server: Server, tokens: dict[str, str], ledger: Ledger, recorder: Recorder) -> None:
        self.server = server
        self.recorder = recorder
        self.ledger = ledger
        self.browsers = {name: Client(server.base).login(name) for name in (*HEAD_OFFICE_PAGES, *AGENTS)}
        self.programs = {name: Client(server.base, token) for name, token in tokens.items()}

    # --- one request of each kind ---

    def timed(self, kind: str, call: Any, expected: set[str]) -> Response | None:
        started = time.perf_counter()
        try:
            response = call()
        except Exception as error:  # noqa: BLE001 - a connection error is counted, not raised
            self.recorder.record(kind, time.perf_counter() - started, "connection error", repr(error))
            return None
        outcome = f"{response.status} {response.error_code}".strip()
        error = "" if outcome in expected else f"{outcome}: {response.body[:300]!r}"
        self.recorder.record(kind, response.seconds, outcome, error)
        return response

    def page(self, kind: str) -> None:
        if kind == "page-head-office":
            who = random.choice(list(HEAD_OFFICE_PAGES))
            path = random.choice(HEAD_OFFICE_PAGES[who])
        else:
            who, path = random.choice(AGENTS), random.choice(DISTRIBUTOR_PAGES)
        client = Client(self.server.base, cookies=self.browsers[who].cookies)
        self.timed(kind, lambda: client.get(path), {"200"})

    def api_list(self) -> None:
        who = random.choice(["sales", "finance", *AGENTS])
        path = random.choice(DISTRIBUTOR_API_LISTS if who in AGENTS else API_LISTS)
        self.timed("api-list", lambda: self.programs[who].get(f"{path}?page={random.randint(1, 2)}"), {"200"})

    def post(self, order_id: int, amount: int, reference: str) -> Response:
        body = {"amount": yuan(amount), "bank_reference": reference, "payer": "load test"}
        return self.programs["finance"].post_json(f"/api/v1/orders/{order_id}/payments", body)

    def payment(self) -> None:
        roll = random.random()
        if roll < 0.08 and self.duplicate():
            return
        if roll > 0.92 and self.overpay():
            return
        reserved = self.ledger.reserve()
        if reserved is None:
            self.page("page-head-office")  # nothing left to pay
            return
        order, amount = reserved
        reference = self.ledger.reference("LOAD")
        response = self.timed("payment", lambda: self.post(order.id, amount, reference), {"201"})
        self.ledger.answered(order, amount, response)

    def duplicate(self) -> bool:
        """A slip already booked for the distributor, posted again on one of its open orders."""
        with self.ledger.lock:
            choices = [
                (order, self.ledger.references[order.distributor_id])
                for order in (self.ledger.orders[i] for i in self.ledger.pool)
                if order.free >= 100 and self.ledger.references[order.distributor_id]
            ]
            if not choices:
                return False
            order, references = random.choice(choices)
            reference = random.choice(references)
            order.in_flight += 100  # should it be booked after all, the ledger still adds up
        response = self.timed("payment-duplicate", lambda: self.post(order.id, 100, reference), {"409 duplicate"})
        self.ledger.answered(order, 100, response)
        return True

    def overpay(self) -> bool:
        """A cent more than the order can still owe, whatever is in flight: always refused."""
        with self.ledger.lock:
            open_orders = [self.ledger.orders[i] for i in self.ledger.pool if self.ledger.orders[i].free > 0]
            if not open_orders:
                return False
            order = random.choice(open_orders[:HOT_ORDERS])
            amount = order.room - order.acknowledged + 1
        reference = self.ledger.reference("OVER")
        response = self.timed("payment-overpay", lambda: self.post(order.id, amount, reference), {"409 rule_violated"})
        self.ledger.answered(order, amount, response, reserved=False)
        return True

    # --- bursts on one order at the same instant ---

    def burst(self, kind: str, order: OrderBook, postings: list[tuple[int, str]], expected: set[str]) -> list[str]:
        barrier = threading.Barrier(len(postings))
        outcomes: list[str] = []

        def one(amount: int, reference: str) -> None:
            barrier.wait()
            response = self.timed(kind, lambda: self.post(order.id, amount, reference), expected)
            self.ledger.answered(order, amount, response, reserved=False)
            outcomes.append("connection error" if response is None else f"{response.status}")

        threads = [threading.Thread(target=one, args=posting) for posting in postings]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return outcomes

    def race_overpay(self) -> None:
        """8 postings of a third of what the order owes: exactly as many as fit are booked."""
        order = self.race_order(minimum=3_000)
        if order is None:
            return
        owed = order.free
        amount = owed // 3 + 1
        fits = min(8, owed // amount)
        outcomes = self.burst(
            "race-overpay",
            order,
            [(amount, self.ledger.reference("RACE")) for _ in range(8)],
            {"201", "409 rule_violated"},
        )
        if outcomes.count("201") != fits:
            self.recorder.errors.append(f"race-overpay on order {order.id}: {outcomes}, expected {fits} booked")

    def race_duplicate(self) -> None:
        """6 postings of one new slip at once: one is booked, five refused as duplicates."""
        order = self.race_order(minimum=600)
        if order is None:
            return
        reference = self.ledger.reference("TWIN")
        outcomes = self.burst("race-duplicate", order, [(100, reference)] * 6, {"201", "409 duplicate"})
        if outcomes.count("201") != 1:
            self.recorder.errors.append(f"race-duplicate on order {order.id}: {outcomes}, expected one booked")

    def race_order(self, minimum: int) -> OrderBook | None:
        for order_id in self.ledger.race:
            if self.ledger.orders[order_id].free >= minimum:
                return self.ledger.orders[order_id]
        return None

    # --- the run ---

    def client(self, deadline: float, seed: int) -> None:
        random.seed(seed)
        kinds, weights = list(MIX), list(MIX.values())
        while time.monotonic() < deadline:
            kind = random.choices(kinds, weights)[0]
            if kind == "payment":
                self.payment()
            elif kind == "api-list":
                self.api_list()
            else:
                self.page(kind)

    def races(self, deadline: float, every: float) -> None:
        turn = 0
        while time.monotonic() + every < deadline:
            time.sleep(every)
            (self.race_overpay if turn % 2 == 0 else self.race_duplicate)()
            turn += 1

    def run(self, clients: int, seconds: float, race_every: float) -> float:
        deadline = time.monotonic() + seconds
        threads = [threading.Thread(target=self.client, args=(deadline, n)) for n in range(clients)]
        threads.append(threading.Thread(target=self.races, args=(deadline, race_every)))
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started


# --- before and after ---


def check_ledger(database_url: str, ledger: Ledger, before: dict[int, int], first_payment_id: int) -> list[str]:
    """What the database holds against what the clients were told."""
    from sqlalchemy import create_engine, text

    failures: list[str] = []
    engine = create_engine(database_url)
    with engine.connect() as connection:
        orders = {row.id: row for row in connection.execute(text("SELECT id, total, paid_amount, status FROM orders"))}
        live = dict(
            connection.execute(
                text("SELECT order_id, SUM(amount) FROM payments WHERE voided_at IS NULL GROUP BY order_id")
            ).all()
        )
        new = {
            row.id: row
            for row in connection.execute(
                text("SELECT id, order_id, amount, bank_reference FROM payments WHERE id >= :first"),
                {"first": first_payment_id},
            )
        }
        duplicates = connection.execute(
            text(
                "SELECT distributor_id, bank_reference, COUNT(*) FROM payments WHERE voided_at IS NULL "
                "GROUP BY distributor_id, bank_reference HAVING COUNT(*) > 1"
            )
        ).all()
    engine.dispose()
    for payment in ledger.booked:
        row = new.get(payment["id"])
        if row is None or (row.order_id, row.amount, row.bank_reference) != (
            payment["order_id"],
            fen(payment["amount"]),
            payment["bank_reference"],
        ):
            failures.append(f"acknowledged payment {payment} is not stored as acknowledged: {row}")
    if len(new) != len(ledger.booked):
        failures.append(f"{len(new)} payments stored during the run, {len(ledger.booked)} acknowledged")
    for order_id, book in ledger.orders.items():
        paid = orders[order_id].paid_amount - before[order_id]
        if paid != book.acknowledged:
            failures.append(
                f"order {order_id}: {yuan(paid)} paid during the run, {yuan(book.acknowledged)} acknowledged"
            )
    for order_id, row in orders.items():
        if row.paid_amount != live.get(order_id, 0):
            failures.append(
                f"order {order_id}: paid {yuan(row.paid_amount)}, live payments {yuan(live.get(order_id, 0))}"
            )
        if row.paid_amount > row.total:
            failures.append(f"order {order_id}: paid {yuan(row.paid_amount)} past its total {yuan(row.total)}")
        book = ledger.orders.get(order_id)
        if book is not None and book.acknowledged == book.room and row.status != "paid_in_full":
            failures.append(f"order {order_id} is paid in full but {row.status}")
    failures += [f"bank reference {ref!r} booked {n} times for distributor {d}" for d, ref, n in duplicates]
    return failures


def first_new_payment_id(database_url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        last = connection.execute(text("SELECT MAX(id) FROM payments")).scalar()
    engine.dispose()
    return int(last or 0) + 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="", help="a demo-seeded database (default: a fresh PostgreSQL one)")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--orders", type=int, default=12, help="orders placed and confirmed before the load")
    parser.add_argument("--race-every", type=float, default=4, help="seconds between two bursts")
    parser.add_argument("--keep", action="store_true", help="keep the fresh database")
    args = parser.parse_args()

    print(f"Load: {args.clients} clients for {args.seconds:.0f} s, gunicorn -w {args.workers}", flush=True)
    with demo_database(args.database_url, keep=args.keep) as url:
        tokens = {name: create_token(url, name) for name in ("sales", "finance", *AGENTS)}
        with Server(url, workers=args.workers) as server:
            place_orders(server, tokens, args.orders)
            rows = open_orders(url)
            before = {row["id"]: row["paid_amount"] for row in rows}
            books = {
                row["id"]: OrderBook(row["id"], row["distributor_id"], row["total"] - row["paid_amount"])
                for row in rows
            }
            ledger = Ledger(
                books, pool=[r["id"] for r in rows[RACE_ORDERS:]], race=[r["id"] for r in rows[:RACE_ORDERS]]
            )
            first_id = first_new_payment_id(url)
            recorder = Recorder()
            load = Load(server, tokens, ledger, recorder)
            owed = sum(book.room for book in books.values())
            print(f"  {len(rows)} orders owe {yuan(owed)} CNY; the load starts", flush=True)
            elapsed = load.run(args.clients, args.seconds, args.race_every)
            log = server.log_tail()
        paid_before = {order_id: before[order_id] for order_id in books}
        failures = check_ledger(url, ledger, paid_before, first_id)

    print(f"\n{recorder.table(elapsed)}")
    booked = sum(book.acknowledged for book in books.values())
    print(f"\nBooked {len(ledger.booked)} payments, {yuan(booked)} CNY, in {elapsed:.1f} s.")
    problems = recorder.errors + failures
    print(f"Errors (5xx, connection, unexpected status, race outcome): {len(recorder.errors)}")
    print(
        f"Ledger: {'reconciles to the fen' if not failures else f'{len(failures)} discrepancies'}; "
        f"duplicate bank references: {sum('booked' in f and 'times' in f for f in failures)}"
    )
    for problem in problems[:30]:
        print(f"  ! {problem}")
    if problems and any("500" in p for p in problems):
        print(f"\ngunicorn log (tail):\n{log}")
    print("PASS" if not problems else "FAIL")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
