"""What the server-level scripts share (bench/load.py, crash.py, concurrency.py, warm.py): a fresh
database seeded with the demo, the portal under gunicorn on a free port, a small HTTP client that
signs in or carries an API token, and the latency figures.

The scripts drive the portal from outside, as browsers and programs do: a real gunicorn (its own
processes, killed with their process group), real sockets (``http.client``, a new connection per
request: gunicorn's sync workers close each one), the demo's users (``flask portal demo``) and
API tokens printed by ``flask portal token``.
"""

from __future__ import annotations

import atexit
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))

from portal.demo import DEMO_PASSWORD  # noqa: E402

#: The PostgreSQL server where a fresh database is created when a script is not given one (the
#: Makefile's POSTGRES_URL; its database name is not used).
POSTGRES_URL = os.environ.get("POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


# --- databases -------------------------------------------------------------------------------------


def flask(database_url: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run ``flask --app wsgi ARGS`` on the database; its output, or SystemExit with it on failure."""
    completed = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=server_env(database_url, env),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}")
    return completed.stdout


def seed_demo(database_url: str) -> None:
    """What `make run` does to an empty database: the schema (Alembic) and the demo."""
    started = time.perf_counter()
    flask(database_url, "db", "upgrade")
    flask(database_url, "portal", "demo")
    print(f"  demo database ready in {time.perf_counter() - started:.0f} s", flush=True)


def create_token(database_url: str, username: str) -> str:
    """A new API token for a user, as an administrator prints one (docs/api.md)."""
    return flask(database_url, "portal", "token", username, "--name", "bench").strip().splitlines()[-1]


@contextmanager
def fresh_postgres(keep: bool = False) -> Iterator[str]:
    """A new database on the server of ``POSTGRES_URL``, dropped at the end unless ``keep``."""
    from sqlalchemy import create_engine, make_url, text

    server = make_url(POSTGRES_URL)
    name = f"portal_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    engine = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    print(f"  fresh PostgreSQL database {name}", flush=True)
    try:
        yield url
    finally:
        if keep:
            print(f"  kept: {url}")
        else:
            with engine.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@contextmanager
def fresh_sqlite(keep: bool = False) -> Iterator[str]:
    """A new SQLite file in a temporary folder, removed at the end unless ``keep``."""
    folder = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    path = folder / "portal.sqlite3"
    print(f"  fresh SQLite database {path}", flush=True)
    try:
        yield f"sqlite:///{path}"
    finally:
        if keep:
            print(f"  kept: {path}")
        else:
            for child in folder.iterdir():
                child.unlink()
            folder.rmdir()


@contextmanager
def demo_database(database_url: str, sqlite: bool = False, keep: bool = False) -> Iterator[str]:
    """The database given (already seeded: its demo users are used), or a fresh one seeded now."""
    if database_url:
        yield database_url
        return
    with fresh_sqlite(keep) if sqlite else fresh_postgres(keep) as url:
        seed_demo(url)
        yield url


# --- the server ------------------------------------------------------------------------------------

#: One secret key for every server a script starts, so that a restart keeps the sessions.
SECRET_KEY = secrets.token_urlsafe(48)


def server_env(database_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY, "PYTHONUNBUFFERED": "1"}
    env.pop("PORTAL_ENV", None)  # development: plain-HTTP cookies on 127.0.0.1
    return {**env, **(extra or {})}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


READY = "portal-bench: worker ready"
# gunicorn calls post_worker_init once the worker has imported the app, before it takes a request.
READY_HOOK = str(Path(tempfile.gettempdir()) / f"portal-bench-gunicorn-{os.getpid()}.conf.py")


def _write_ready_hook() -> None:
    if not Path(READY_HOOK).exists():
        Path(READY_HOOK).write_text(f"def post_worker_init(worker):\n    print({READY!r}, flush=True)\n")
        atexit.register(Path(READY_HOOK).unlink, missing_ok=True)


class Server:
    """``gunicorn -w WORKERS wsgi:app`` on 127.0.0.1 and a free port, in its own process group so
    that :meth:`kill` takes the master and every worker down at once, as a power cut would."""

    def __init__(
        self, database_url: str, workers: int = 4, env: dict[str, str] | None = None, timeout: int = 30
    ) -> None:
        self.database_url = database_url
        self.workers = workers
        self.timeout = timeout  # gunicorn's own default: a request taking longer kills its worker
        self.env = env or {}
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="portal-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120, probe: bool = True) -> Server:
        """Start gunicorn and return once every worker has loaded the app (a hook prints a line to
        the log; no request is sent), then, if ``probe``, once /healthz answers 200."""
        _write_ready_hook()
        self.port = free_port()
        self.log.truncate(0)
        self.log.seek(0)
        command = [str(BIN / "gunicorn"), "-c", READY_HOOK, "-w", str(self.workers)]
        command += ["-b", f"127.0.0.1:{self.port}", "--timeout", str(self.timeout), "wsgi:app"]
        self.process = subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env=server_env(self.database_url, self.env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready(timeout, probe)
        return self

    def wait_ready(self, timeout: float, probe: bool) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            if self.log_text().count(READY) >= self.workers:
                break
            time.sleep(0.05)
        else:
            self.kill()
            raise SystemExit(f"gunicorn's workers were not ready within {timeout:.0f} s:\n{self.log_tail()}")
        while probe:
            try:
                if request(self.base, "GET", "/healthz", timeout=30).status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise SystemExit(f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """kill -9 the master and its workers (the whole process group)."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        self._signal(signal.SIGTERM)

    def _signal(self, number: int) -> None:
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, number)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def log_text(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def __enter__(self) -> Server:
        return self if self.process is not None else self.start()

    def close(self) -> None:
        """Remove the log (after stop or kill)."""
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.close()


# --- HTTP ------------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float
    cookies: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error_code(self) -> str:
        try:
            return str(self.json()["error"]["code"])
        except (ValueError, KeyError, TypeError):
            return ""


def request(
    base: str,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 120,
) -> Response:
    """One request on a new connection. Raises OSError (or http.client.HTTPException) when the
    connection fails: the caller counts it as an error."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers={"Accept-Language": "en", **(headers or {})})
        answer = connection.getresponse()
        data = answer.read()
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    cookies = {}
    for name, value in answer.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            cookies[key.strip()] = rest.split(";", 1)[0]
    return Response(answer.status, dict(answer.getheaders()), data, seconds, cookies)


CSRF = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class Client:
    """A browser (session cookie, signed in through the login form) or a program (API token)."""

    def __init__(self, base: str, token: str = "", cookies: dict[str, str] | None = None) -> None:
        self.base = base
        self.token = token
        self.cookies = dict(cookies or {})

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def send(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Response:
        response = request(self.base, method, path, self.headers(headers), body)
        self.cookies.update(response.cookies)
        return response

    def get(self, path: str) -> Response:
        return self.send("GET", path)

    def post_json(self, path: str, data: Any) -> Response:
        return self.send("POST", path, json.dumps(data).encode(), {"Content-Type": "application/json"})

    def login(self, username: str, password: str = DEMO_PASSWORD) -> Client:
        page = self.get("/login")
        match = CSRF.search(page.body)
        if page.status != 200 or match is None:
            raise SystemExit(f"GET /login answered {page.status} without a CSRF token")
        csrf = (match.group(1) or match.group(2)).decode()
        form = urlencode({"csrf_token": csrf, "username": username, "password": password})
        answer = self.send("POST", "/login", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"})
        if answer.status != 302:
            raise SystemExit(f"signing in as {username} answered {answer.status}")
        return self


# --- the demo's orders ----------------------------------------------------------------------------

AGENTS = ("hz-agent", "sz-agent")  # the demo's distributor users


def place_orders(server: Server, tokens: dict[str, str], count: int) -> None:
    """The distributors draft and submit orders; sales confirms them (docs/api.md, orders)."""
    sales = Client(server.base, tokens["sales"])
    for n in range(count):
        agent = Client(server.base, tokens[AGENTS[n % len(AGENTS)]])
        agreements = agent.get("/api/v1/agreements?status=active").json()["items"]
        agreement = next(a for a in agreements if a["status"] == "active")
        lines = [{"sku": sku, "quantity": 20 + n} for sku in agreement["products"][:3]]
        draft = agent.post_json("/api/v1/orders", {"agreement_id": agreement["id"], "lines": lines})
        steps = [draft]
        if draft.status == 201:
            order_id = draft.json()["id"]
            steps.append(agent.send("POST", f"/api/v1/orders/{order_id}/submit"))
            steps.append(sales.send("POST", f"/api/v1/orders/{order_id}/confirm"))
        if any(step.status >= 300 for step in steps):
            raise SystemExit(f"placing an order failed: {[(s.status, s.body[:300]) for s in steps]}")


def open_orders(database_url: str) -> list[dict[str, Any]]:
    """The orders that still await money, read from the database (amounts in fen), most owed first."""
    from sqlalchemy import bindparam, create_engine, text

    from portal.domain.orders import AWAITING_PAYMENT

    statement = text(
        "SELECT id, distributor_id, total, paid_amount FROM orders WHERE status IN :awaiting "
        "ORDER BY total - paid_amount DESC, id"
    ).bindparams(bindparam("awaiting", expanding=True))
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(statement, {"awaiting": [status.value for status in AWAITING_PAYMENT]})
        found = [dict(row._mapping) for row in rows]
    engine.dispose()
    return found


# --- figures ---------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p from 0 to 100) of the values; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


class Recorder:
    """Latencies and outcomes per kind of request, from many threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.outcomes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.errors: list[str] = []

    def record(self, kind: str, seconds: float, outcome: str, error: str = "") -> None:
        with self.lock:
            self.seconds[kind].append(seconds)
            self.outcomes[kind][outcome] += 1
            if error:
                self.errors.append(f"{kind}: {error}")

    def table(self, elapsed: float) -> str:
        rows = [f"{'kind':<18}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  outcomes"]
        everything: list[float] = []
        for kind in sorted(self.seconds):
            values = self.seconds[kind]
            everything += values
            outcomes = ", ".join(f"{name} {count}" for name, count in sorted(self.outcomes[kind].items()))
            rows.append(_row(kind, values, elapsed) + f"  {outcomes}")
        rows.append(_row("all", everything, elapsed))
        return "\n".join(rows)


def _row(kind: str, values: list[float], elapsed: float) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{kind:<18}{len(values):>9}{len(values) / elapsed:>8.1f}"
        f"{percentile(ms, 50):>9.0f}{percentile(ms, 95):>9.0f}{percentile(ms, 99):>9.0f}"
    )
