"""Do concurrent readers add up? Requests a second with 1 client, then with 4, on 2 workers.

    .venv/bin/python bench/concurrency.py [--seconds 15] [--postgres | --database-url URL]

Starts ``gunicorn -w 2 wsgi:app`` on a fresh demo-seeded SQLite file (``--postgres``: a fresh
PostgreSQL database on the server of ``POSTGRES_URL``; ``--database-url``: a demo-seeded database
of yours), signs in as sales and as a distributor, and for each read page hammers it with 1 client
for SECONDS, then with 4 clients for SECONDS, each client sending its next request when the last
one is answered. It prints the requests a second of each and the ratio 4 ÷ 1: with two workers,
two requests can be served at once, so readers that never wait for each other approach 2 on a
machine with two free cores (issue 11 asks ≥ 1.6 on SQLite). ``--check`` exits 1 below ``--target``.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import Client, Server, demo_database, median  # noqa: E402

PAGES = [("sales", "/orders/", "head-office orders list"), ("hz-agent", "/", "distributor home")]


def hammer(client: Client, path: str, clients: int, seconds: float) -> tuple[float, list[str]]:
    """Requests a second that ``clients`` threads get answered in ``seconds``; the errors."""
    deadline = time.monotonic() + seconds
    answered: list[float] = []
    errors: list[str] = []

    def loop() -> None:
        mine = Client(client.base, cookies=client.cookies)
        while time.monotonic() < deadline:
            try:
                response = mine.get(path)
            except OSError as error:
                errors.append(repr(error))
                continue
            if response.status != 200:
                errors.append(f"{path} answered {response.status}")
            answered.append(time.monotonic())

    started = time.monotonic()
    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Only what was answered within the window counts: the last requests overrun it.
    return sum(moment <= started + seconds for moment in answered) / seconds, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", default="", help="a demo-seeded database (default: a fresh SQLite file)")
    where.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database")
    parser.add_argument("--seconds", type=float, default=15, help="per measurement")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--target", type=float, default=1.6)
    parser.add_argument("--check", action="store_true", help="exit 1 when a ratio is below the target")
    args = parser.parse_args()

    failures: list[str] = []
    rows = []
    with demo_database(args.database_url, sqlite=not args.postgres) as url:
        engine = url.split(":", 1)[0].split("+")[0]
        print(f"Concurrency on {engine}: gunicorn -w {args.workers}, {args.seconds:.0f} s per measurement", flush=True)
        with Server(url, workers=args.workers) as server:
            browsers = {who: Client(server.base).login(who) for who in {who for who, _, _ in PAGES}}
            for who, path, name in PAGES:
                for _ in range(2 * args.workers):  # every worker has served the page once
                    browsers[who].get(path)
                one, errors_one = hammer(browsers[who], path, 1, args.seconds)
                four, errors_four = hammer(browsers[who], path, 4, args.seconds)
                failures += errors_one + errors_four
                rows.append((name, path, one, four, four / one if one else 0.0))
                print(f"  {name}: 1 client {one:.1f}/s, 4 clients {four:.1f}/s", flush=True)

    print(f"\n{'page':<36}{'1 client /s':>13}{'4 clients /s':>14}{'4 ÷ 1':>8}")
    for name, path, one, four, ratio in rows:
        print(f"{name + ' ' + path:<36}{one:>13.1f}{four:>14.1f}{ratio:>8.2f}")
    lowest = min(ratio for *_, ratio in rows)
    print(f"lowest ratio {lowest:.2f} ({'meets' if lowest >= args.target else 'below'} the target {args.target})")
    print(f"median ratio {median([ratio for *_, ratio in rows]):.2f}")
    for failure in failures[:20]:
        print(f"  ! {failure}")
    if failures or (args.check and lowest < args.target):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
