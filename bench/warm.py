"""Is a fresh worker warm? The first request after it boots against the steady time of that page.

    .venv/bin/python bench/warm.py [--repeat 3] [--following 20] [--postgres | --database-url URL]

On a fresh demo-seeded SQLite file (``--postgres``: a fresh PostgreSQL database on the server of
``POSTGRES_URL``; ``--database-url``: a demo-seeded database of yours), for each page below and
REPEAT times: start a new ``gunicorn -w 1 wsgi:app``, wait until its worker has loaded the app
(a gunicorn hook reports it; no request is sent before the measured one), request the page as its
user (signed in beforehand on another server: the session cookie is signed with the same key, so
the fresh worker has served nothing), then request it FOLLOWING more times. It prints the first
request's time, the median of the following ones and the ratio first ÷ steady (issue 11 asks
≤ 1.5), medians over the repeats. ``--check`` exits 1 above ``--target``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import Client, Server, demo_database, median  # noqa: E402

PAGES = [
    ("sales", "/", "sales home"),
    ("sales", "/orders/", "orders list (sales)"),
    ("finance", "/receivables/", "receivables (finance)"),
    ("hz-agent", "/", "distributor home (territory chart)"),
    ("hz-agent", "/compliance/", "compliance charts (distributor)"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", default="", help="a demo-seeded database (default: a fresh SQLite file)")
    where.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database")
    parser.add_argument("--repeat", type=int, default=3, help="fresh servers per page")
    parser.add_argument("--following", type=int, default=20, help="requests after the first")
    parser.add_argument("--target", type=float, default=1.5)
    parser.add_argument("--check", action="store_true", help="exit 1 when a ratio is above the target")
    args = parser.parse_args()

    rows = []
    failures: list[str] = []
    with demo_database(args.database_url, sqlite=not args.postgres) as url:
        engine = url.split(":", 1)[0].split("+")[0]
        print(f"Warm start on {engine}: gunicorn -w 1, {args.repeat} fresh servers per page", flush=True)
        with Server(url, workers=1) as server:
            cookies = {who: Client(server.base).login(who).cookies for who in {who for who, _, _ in PAGES}}
        for who, path, name in PAGES:
            firsts, steadies = [], []
            for _ in range(args.repeat):
                with Server(url, workers=1).start(probe=False) as server:
                    client = Client(server.base, cookies=cookies[who])
                    answers = [client.get(path) for _ in range(1 + args.following)]
                failures += [f"{name}: {path} answered {a.status}" for a in answers if a.status != 200]
                firsts.append(answers[0].seconds)
                steadies.append(median([a.seconds for a in answers[1:]]))
            first, steady = median(firsts), median(steadies)
            rows.append((name, path, first, steady, first / steady))
            print(f"  {name}: first {first * 1000:.0f} ms, steady {steady * 1000:.0f} ms", flush=True)

    print(f"\n{'page':<52}{'first ms':>9}{'steady ms':>10}{'first ÷ steady':>16}")
    for name, path, first, steady, ratio in rows:
        print(f"{name + ' ' + path:<52}{first * 1000:>9.0f}{steady * 1000:>10.0f}{ratio:>16.1f}")
    worst = max(ratio for *_, ratio in rows)
    print(f"worst ratio {worst:.1f} ({'meets' if worst <= args.target else 'above'} the target {args.target})")
    for failure in failures[:20]:
        print(f"  ! {failure}")
    if failures or (args.check and worst > args.target):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
