"""Browser fixtures: the real app on a real port, driven by Debian's Chromium through Playwright.

One live server per run: a temporary SQLite file whose schema is made by the Alembic migrations
(so the journeys also prove that the migrations build a working database), filled with the demo
data that ``make run`` loads, served by werkzeug in a background thread. One Chromium per run; a
fresh browser context (no cookies) per test.

Every page is watched: each request it makes must go to the live server (the portal works offline,
with no CDN), and the console must show no error and no Content-Security-Policy violation.
``make test-browser`` runs this suite; it never downloads a browser.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import flask_migrate
import pytest
from flask import Flask, url_for
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, sync_playwright
from sqlalchemy import select
from werkzeug.serving import BaseWSGIServer, make_server

from portal import create_app
from portal.audit.tracking import acting_as
from portal.demo import DEMO_PASSWORD, load_demo
from portal.distributors.models import Distributor
from portal.extensions import db

CHROMIUM = "/usr/bin/chromium"
# The flags this machine's Chromium needs: root (no sandbox), no screen (no GPU), and no
# background traffic to Google's hosts, which the closed network would refuse.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "screenshots"  # gitignored; README images are copied from here by hand
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 10_000
# Schemes that never leave the browser.
LOCAL_SCHEMES = {"data", "blob", "about", "chrome-error"}


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask
    distributor_ids: dict[str, int]  # demo distributor code -> id, looked up, never hard-coded

    def __call__(self, path: str = "/") -> str:
        return self.url + path

    def path_for(self, endpoint: str, **values: Any) -> str:
        """The portal's own path for an endpoint, so a moved route moves the tests with it."""
        with self.app.test_request_context():
            return url_for(endpoint, **values)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    database = tmp_path_factory.mktemp("browser-db") / "portal.sqlite3"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "SECRET_KEY": "browser-tests-secret-key-" + "x" * 32,
            "PORTAL_ENV": "development",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with app.app_context():
        with warnings.catch_warnings():
            # Flask-Migrate's stock env.py calls db.get_engine(), deprecated in Flask-SQLAlchemy 3.
            warnings.filterwarnings("ignore", "'get_engine' is deprecated", DeprecationWarning)
            flask_migrate.upgrade()  # the schema comes from the migrations, as in production
        with acting_as(None, "demo"):
            load_demo()
        distributor_ids = {d.code: d.id for d in db.session.scalars(select(Distributor))}
        db.session.remove()

    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, distributor_ids)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium fonts-wqy-microhei")
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@dataclass
class Watch:
    """What the pages of one browser context asked for and complained about."""

    origin: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    # Chromium asks once per run for /favicon.ico, which the portal does not serve (yet): that 404
    # is the browser's own request, not the page's, so it is not held against the page.
    allowed: list[re.Pattern[str]] = field(
        default_factory=lambda: [re.compile(r"status of 404 .*\(https?://[^/]+/favicon\.ico\)$")]
    )

    def on_request(self, request: Any) -> None:
        self.requests.append(request.url)

    def on_console(self, message: ConsoleMessage) -> None:
        text = message.text
        if message.type == "error" or "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.console_errors.append(f"{message.type}: {text} ({message.location.get('url', '')})")

    def on_page_error(self, error: Any) -> None:
        self.console_errors.append(f"uncaught: {error}")

    def allow_console(self, pattern: str) -> None:
        """Expect one kind of console line (a page the test means to be an error, say)."""
        self.allowed.append(re.compile(pattern))

    def foreign_requests(self) -> list[str]:
        foreign = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in LOCAL_SCHEMES:
                continue
            if f"{parts.scheme}://{parts.netloc}" != self.origin:
                foreign.append(url)
        return foreign

    def unexpected_console(self) -> list[str]:
        return [line for line in self.console_errors if not any(p.search(line) for p in self.allowed)]

    def assert_clean(self) -> None:
        assert self.requests, "the page made no request at all: is the watch attached?"
        assert self.foreign_requests() == [], "the portal must work offline: requests left the live server"
        assert self.unexpected_console() == [], "console errors or CSP violations"


@pytest.fixture
def watch(live_server: LiveServer) -> Watch:
    return Watch(origin=live_server.url)


@pytest.fixture
def context(browser: Browser, watch: Watch) -> Iterator[BrowserContext]:
    # A Chinese-speaking browser, as most of the portal's users have; the portal is Chinese first.
    ctx = browser.new_context(locale="zh-CN", viewport=VIEWPORT)
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.on("request", watch.on_request)  # every page of the context, popups included
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext, watch: Watch) -> Page:
    page = context.new_page()
    page.on("console", watch.on_console)
    page.on("pageerror", watch.on_page_error)
    return page


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """``screenshot(page, "admin-zh")`` saves a full-page PNG under screenshots/."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def save(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def sign_in(live_server: LiveServer) -> Callable[[Page, str], None]:
    """Sign in through the real login form (with its CSRF token), as a person would."""

    def submit(page: Page, username: str) -> None:
        page.goto(live_server(live_server.path_for("accounts.login")))
        page.fill("#username", username)
        page.fill("#password", DEMO_PASSWORD)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert page.url == live_server(live_server.path_for("main.home")), f"{username} is not home"
        assert page.locator(f'form[action="{live_server.path_for("accounts.logout")}"]').count() == 1

    return submit
