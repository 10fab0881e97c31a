"""The frame under every page: configuration, the database settings, money columns, the clock,
error pages and the command line."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select, text
from werkzeug.datastructures import MultiDict

from portal import clock, create_app
from portal.accounts.models import ApiToken, User
from portal.config import ConfigError
from portal.db import Money, Percent, write_lock_at_begin
from portal.distributors.models import Distributor
from portal.domain.roles import Role
from portal.extensions import db

from .builders import app_config, make_user


@pytest.mark.parametrize(
    "key",
    [
        None,
        "",
        "dev",
        "changeme",
        "short-key",
        "a" * 32,  # long, one character
        "abcdefghi" * 6,  # 54 characters, only 9 different
        "0123456789abcdefghij" + "a" * 12,  # 20 different, but about 100 bits by the estimate
    ],
)
def test_production_refuses_a_missing_default_short_or_weak_secret_key(key, tmp_path):
    config = {"PORTAL_ENV": "production", "SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    with pytest.raises(ConfigError, match="token_urlsafe"):  # the message says how to make a good one
        create_app(config)


@pytest.mark.parametrize("key", [secrets.token_urlsafe(48), secrets.token_urlsafe(32), secrets.token_hex(32)])
def test_production_with_a_strong_key_starts_with_secure_cookies(key):
    app = create_app({"PORTAL_ENV": "production", "SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_generates_a_key_once_and_keeps_it(tmp_path, monkeypatch):
    from portal.config import finalize

    first: dict = {"PORTAL_ENV": "development", "SECRET_KEY": ""}
    second: dict = {"PORTAL_ENV": "development", "SECRET_KEY": ""}
    finalize(first, str(tmp_path))
    finalize(second, str(tmp_path))
    assert len(first["SECRET_KEY"]) >= 32
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.sqlite3'}"


def test_sqlite_runs_with_foreign_keys_wal_a_busy_timeout_and_deferred_reads(tmp_path):
    from sqlalchemy import create_engine, event

    engine = create_engine(f"sqlite:///{tmp_path / 'probe.sqlite3'}")
    begun: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, statement, *a: begun.append(statement))
    with engine.begin() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    with write_lock_at_begin(), engine.begin() as connection:
        connection.execute(text("SELECT 1"))
    engine.dispose()
    # A read begins deferred; a writer takes the lock before it reads: no lost update.
    assert [statement for statement in begun if statement.startswith("BEGIN")] == ["BEGIN", "BEGIN IMMEDIATE"]


def test_on_sqlite_readers_run_while_a_writer_holds_the_lock(tmp_path):
    """Two workers serving pages do not queue behind each other or behind a payment being saved."""
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'readers.sqlite3'}", connect_args={"timeout": 0})
    with write_lock_at_begin(), engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)"))
        connection.execute(text("INSERT INTO counter VALUES (1, 7)"))
    writer = engine.connect()
    with write_lock_at_begin():
        writer.begin()
    writer.execute(text("UPDATE counter SET value = 8 WHERE id = 1"))
    with engine.begin() as first, engine.begin() as second:  # neither waits for the writer
        assert first.execute(text("SELECT value FROM counter")).scalar() == 7
        assert second.execute(text("SELECT value FROM counter")).scalar() == 7
    writer.commit()
    writer.close()
    engine.dispose()


def test_a_foreign_key_is_enforced(app):
    from sqlalchemy.exc import IntegrityError

    db.session.add(User(username="ghost", role=Role.DISTRIBUTOR, distributor_id=987654, password_hash="x"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.fixture
def money_table(app):
    metadata = MetaData()
    table = Table(
        "money_probe",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("amount", Money()),
        Column("percent", Percent()),
    )
    metadata.create_all(db.engine)
    yield table
    metadata.drop_all(db.engine)


@pytest.mark.parametrize(
    ("stored", "read"),
    [
        (Decimal("0.10"), Decimal("0.10")),
        (Decimal("12345678901.23"), Decimal("12345678901.23")),
        (Decimal("0.005"), Decimal("0.01")),  # half-up to the fen on the way in
        (Decimal("-3.50"), Decimal("-3.50")),
    ],
)
def test_money_columns_keep_decimal_exact_as_whole_fen(money_table, stored, read):
    with db.engine.begin() as connection:
        connection.execute(insert(money_table).values(id=1, amount=stored, percent=Decimal("30.00")))
        amount, percent = connection.execute(select(money_table.c.amount, money_table.c.percent)).one()
        raw = connection.execute(text("SELECT amount, percent FROM money_probe")).one()
    assert amount == read
    assert isinstance(amount, Decimal)
    assert percent == Decimal("30.00")
    assert raw == (int(read * 100), 3000)  # whole fen, hundredths of a percent


def test_money_columns_refuse_floats(money_table):
    from sqlalchemy.exc import StatementError

    with pytest.raises(StatementError, match="Decimal"), db.engine.begin() as connection:
        connection.execute(insert(money_table).values(id=2, amount=0.1))


@pytest.mark.parametrize(
    ("utc", "business_day"),
    [
        (datetime(2026, 3, 4, 15, 59, tzinfo=UTC), date(2026, 3, 4)),
        (datetime(2026, 3, 4, 16, 0, tzinfo=UTC), date(2026, 3, 5)),  # midnight in Shanghai
        (datetime(2026, 12, 31, 16, 30, tzinfo=UTC), date(2027, 1, 1)),
    ],
)
def test_today_is_the_shanghai_date_whatever_the_servers_zone(monkeypatch, utc, business_day):
    monkeypatch.setattr(clock, "utcnow", lambda: utc)
    assert clock.today() == business_day


def test_money_field_keeps_what_was_typed_and_explains(app):
    from flask_wtf import FlaskForm

    from portal.forms import MoneyField

    class PaymentForm(FlaskForm):
        amount = MoneyField("amount")

    with app.test_request_context(headers={"Accept-Language": "en"}):
        for typed, ok in (("1,200.50", True), ("NaN", False), ("1e5", False), ("-1", False), ("1.999", False)):
            form = PaymentForm(formdata=MultiDict({"amount": typed}))
            assert form.validate() is ok, typed
            assert form.amount._value() == typed
        good = PaymentForm(formdata=MultiDict({"amount": "1,200.50"}))
        good.validate()
        assert good.amount.data == Decimal("1200.50")


def test_a_required_date_or_amount_of_spaces_only_is_refused_not_passed_on_as_none(app):
    from flask_wtf import FlaskForm
    from wtforms.validators import InputRequired

    from portal.forms import RequiredDayField, RequiredMoneyField

    class PaymentForm(FlaskForm):
        amount = RequiredMoneyField("amount")
        received_on = RequiredDayField("received on", validators=[InputRequired()])

    with app.test_request_context(headers={"Accept-Language": "en"}):
        blank = PaymentForm(formdata=MultiDict({"amount": "  ", "received_on": "   "}), meta={"csrf": False})
        assert blank.validate() is False
        assert blank.errors == {
            "amount": ["Enter an amount."],
            "received_on": ["Enter a date as YYYY-MM-DD, such as 2026-03-05."],
        }
        filled = PaymentForm(formdata=MultiDict({"amount": "10", "received_on": "2026-03-05"}), meta={"csrf": False})
        assert filled.validate() is True
        assert (filled.amount.data, filled.received_on.data) == (Decimal("10.00"), date(2026, 3, 5))


@pytest.mark.parametrize("space", [" ", "\t", "\u3000", " \u3000\t\r\n"])
def test_a_text_field_of_whitespace_only_is_blank_required_or_not(app, space):
    """Issue 8: spaces only are no value in any text field of any form (portal.forms.PortalForm),
    in a list's rows too; a password is taken as typed, and text around other text is kept."""
    from wtforms import FieldList, FormField, HiddenField, PasswordField, StringField, TextAreaField
    from wtforms.validators import DataRequired, Optional

    from portal.forms import PortalForm, RowForm

    class Line(RowForm):
        serials = TextAreaField()

    class Form(PortalForm):
        name = StringField(validators=[DataRequired()])
        phone = StringField(validators=[Optional()])
        note = TextAreaField()
        ref = HiddenField()
        password = PasswordField()
        lines = FieldList(FormField(Line))

    typed = {"name": space, "phone": space, "note": space, "ref": space, "password": space, "lines-0-serials": space}
    with app.test_request_context(headers={"Accept-Language": "en"}):
        form = Form(formdata=MultiDict(typed), meta={"csrf": False})
        assert form.validate() is False
        assert form.errors == {"name": ["This field is required."]}
        assert [form.phone.data, form.note.data, form.ref.data, form.lines[0].serials.data] == ["", "", "", ""]
        assert form.password.data == space
        kept = Form(formdata=MultiDict({"name": " 吴芳\u3000", "note": "\u3000\u3000第一段"}), meta={"csrf": False})
        assert (kept.name.data, kept.note.data) == (" 吴芳\u3000", "\u3000\u3000第一段")


def test_every_form_of_the_portal_is_a_portal_form():
    """So that the rule above holds for a form a later issue adds (tests/test_whitespace_walk.py
    walks the forms the pages show)."""
    import importlib
    import pkgutil

    import wtforms

    import portal
    from portal.forms import PortalForm, RowForm

    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        importlib.import_module(module.name)

    def subclasses(cls: type) -> list[type]:
        return [sub for direct in cls.__subclasses__() for sub in (direct, *subclasses(direct))]

    forms = {cls for cls in subclasses(wtforms.Form) if cls.__module__.startswith("portal.")}
    assert len(forms) > 20
    assert (
        sorted(f"{cls.__module__}.{cls.__name__}" for cls in forms if not issubclass(cls, PortalForm | RowForm)) == []
    )


@pytest.mark.parametrize(("language", "text"), [("zh", "此处没有内容"), ("en", "There is nothing here")])
def test_the_404_page_speaks_the_users_language(client, language, text):
    response = client.get("/no/such/page", headers={"Accept-Language": language})
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


def test_an_unexpected_error_shows_the_500_page_not_a_trace():
    app = create_app(app_config(TESTING=False, PROPAGATE_EXCEPTIONS=False))

    from portal.security import public

    @app.get("/boom")
    @public
    def boom():
        raise RuntimeError("kaboom")

    response = app.test_client().get("/boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body
    assert "kaboom" not in body


def test_create_admin_and_token_commands(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["portal", "create-admin", "--username", "boss", "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    boss = db.session.scalar(select(User).where(User.username == "boss"))
    assert boss.role is Role.ADMIN
    result = runner.invoke(args=["portal", "token", "boss"])
    assert result.exit_code == 0
    assert result.output.strip().startswith("ptl_")
    assert ApiToken.user_for(result.output.strip()).id == boss.id
    assert runner.invoke(args=["portal", "create-admin", "--username", "boss2", "--password", "short"]).exit_code == 1
    assert runner.invoke(args=["portal", "token", "nobody"]).exit_code == 1


def test_demo_fills_an_empty_database_once(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["portal", "demo"])
    assert result.exit_code == 0, result.output
    assert "hz-agent" in result.output
    assert db.session.scalar(select(Distributor).where(Distributor.code == "HZ001")).name == "杭州云帆科技有限公司"
    roles = set(db.session.scalars(select(User.role)))
    assert roles == set(Role)
    assert runner.invoke(args=["portal", "demo", "--if-empty"]).exit_code == 0
    assert runner.invoke(args=["portal", "demo"]).exit_code == 1


def test_each_demo_login_works(app):
    from portal.demo import DEMO_LOGINS
    from portal.demo import load_demo as load

    load()
    for username, password, _who in DEMO_LOGINS:
        response = app.test_client().post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, username


def test_a_worker_warmed_at_boot_compiles_nothing_on_its_first_requests(
    app, database_url, shop, login, monkeypatch, today
):
    """wsgi.py warms each gunicorn worker (portal/warmup.py), so its first page is not 10× slower:
    no template is compiled and no SQL statement either (the rehearsal compiled them), and the
    rehearsal changed nothing."""
    import sys

    from sqlalchemy import event
    from sqlalchemy.engine.interfaces import CacheStats

    from portal.audit.models import AuditEvent
    from portal.warmup import warm_up

    from .conftest import IsolatedClient

    audited = db.session.scalar(select(func.count()).select_from(AuditEvent))
    worker = create_app(app_config(SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=False))
    worker.test_client_class = IsolatedClient
    warm_up(worker)
    assert "plotly.graph_objects" in sys.modules

    def compile_again(*args, **kwargs):
        raise AssertionError("a template was compiled on a request")

    monkeypatch.setattr(worker.jinja_env, "compile", compile_again)
    assert worker.test_client().get("/login").status_code == 200
    with worker.app_context():
        engine = db.engine
    compiled: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if context.cache_hit is CacheStats.CACHE_MISS:
            compiled.append(statement)

    for user in (shop.agent, shop.sales, shop.finance):
        client = login(user, worker.test_client())
        compiled.clear()
        event.listen(engine, "before_cursor_execute", note)
        try:
            assert client.get("/").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", note)
        assert compiled == [], f"{user.username}'s home compiled {len(compiled)} statements on its first request"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == audited
    with worker.app_context():
        db.engine.dispose()  # its own pool: close it, as a stopped worker's


def test_the_rehearsal_opens_each_role_s_pages_and_stops_when_its_time_is_spent(app, shop):
    from portal.warmup import rehearse_pages

    done = rehearse_pages(app, seconds=60)
    assert {(role, path) for role, path, _ in done} >= {
        ("distributor", "/"),
        ("sales", "/"),
        ("finance", "/"),
        ("distributor", "/orders/"),
        ("sales", "/receivables/"),
    }
    assert [visit for visit in done if visit[2] >= 500] == []
    assert not any(path.endswith((".xlsx", ".csv")) or path.startswith("/api/") for _, path, _ in done)
    assert rehearse_pages(app, seconds=0) == []


def test_a_user_made_here_can_sign_in(login):
    assert login(make_user(role=Role.FINANCE)).get("/").status_code == 200


def test_two_sqlite_writers_never_lose_an_update(tmp_path):
    """Each writer reads a counter and writes it back + 1; BEGIN IMMEDIATE makes them take turns.
    (A thread starts outside any write block: it must ask for the lock, as transaction() does.)"""
    import threading

    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'race.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)"))
        connection.execute(text("INSERT INTO counter VALUES (1, 0)"))

    def bump() -> None:
        for _ in range(10):
            with write_lock_at_begin(), engine.begin() as connection:
                value = connection.execute(text("SELECT value FROM counter WHERE id = 1")).scalar()
                connection.execute(text("UPDATE counter SET value = :v WHERE id = 1"), {"v": value + 1})

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT value FROM counter")).scalar() == 40
    engine.dispose()


def test_production_without_redis_says_in_the_log_that_each_worker_counts_the_rate_limits_alone(caplog):
    key = secrets.token_urlsafe(48)
    production = {"PORTAL_ENV": "production", "SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    with caplog.at_level("WARNING"):
        create_app(production | {"RATELIMIT_STORAGE_URI": "memory://"})
    warnings = [record for record in caplog.records if record.levelname == "WARNING"]
    assert len(warnings) == 1
    assert "each gunicorn worker counts the request rate limits" in warnings[0].getMessage()
    assert "Set REDIS_URL=" in warnings[0].getMessage()  # and how to fix it
    caplog.clear()
    with caplog.at_level("WARNING"):
        create_app(production | {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})
        create_app(production | {"PORTAL_ENV": "development", "RATELIMIT_STORAGE_URI": "memory://"})
    assert not [record for record in caplog.records if "REDIS_URL" in record.getMessage()]
