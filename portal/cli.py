"""``flask --app wsgi portal <command>``: administration from the shell."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from .accounts import services as accounts
from .accounts.models import User
from .audit.tracking import acting_as
from .domain.errors import DomainError
from .domain.roles import Role
from .extensions import db

portal_cli = AppGroup("portal", help="Distributor portal administration.")


@portal_cli.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin(username: str, password: str) -> None:
    """Create an administrator account."""
    with acting_as(None, "cli"):
        try:
            user = accounts.create_user(accounts.UserData(username=username, role=Role.ADMIN), password)
        except DomainError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"Administrator {user.username} created.")


@portal_cli.command("token")
@click.argument("username")
@click.option("--name", default="command line", help="What the token is for.")
def token(username: str, name: str) -> None:
    """Print a new API token for USERNAME (shown once; only its hash is kept)."""
    user = User.by_username(username)
    if user is None or not user.active:
        raise click.ClickException(f"No active user {username!r}.")
    with acting_as(None, "cli"):
        click.echo(accounts.create_token(user, name))


@portal_cli.command("seed-regions")
def seed_regions() -> None:
    """Load or refresh China's provinces, cities and districts (GB/T 2260) from the cpca package."""
    from .regions.services import seed_regions as seed

    with acting_as(None, "cli"):
        result = seed()
    click.echo(f"Regions: {result.created} added, {result.updated} updated.")


@portal_cli.command("remind-overdue-deposits")
def remind_overdue_deposits() -> None:
    """Daily: a payment-reminder notice for each order whose deposit is overdue, once per order."""
    from .clock import today
    from .notices.services import send_pending_email
    from .receivables.services import remind_overdue_deposits as remind

    with acting_as(None, "cli"):
        notices = remind(today())
    send_pending_email(notices)
    click.echo(f"Payment reminders issued: {len(notices)}.")


@portal_cli.command("withhold-overdue-repair-batches")
def withhold_overdue_repair_batches() -> None:
    """Daily: mark each repair batch whose fees are overdue withheld and send it one payment
    reminder (docs/rules.md §7.2); running it twice changes nothing."""
    from .clock import today
    from .notices.services import send_pending_email
    from .repairs.fees import withhold_overdue_batches

    with acting_as(None, "cli"):
        notices = withhold_overdue_batches(today())
    send_pending_email(notices)
    click.echo(f"Repair batches withheld, with a payment reminder each: {len(notices)}.")


@portal_cli.command("compute-assessments")
@click.option("--quarter", default="", help="The quarter as YYYY-Qn (default: the last one that has ended).")
def compute_assessments(quarter: str) -> None:
    """Daily (idempotent): assess every agreement for an ended quarter (docs/rules.md §9); computing
    again refreshes the figures of assessments not yet reviewed and never changes a reviewed one."""
    from .assessments.services import compute_assessments as compute
    from .clock import today
    from .domain.assessments import last_ended_quarter, parse_quarter

    on = today()
    try:
        year, number = parse_quarter(quarter) if quarter.strip() else last_ended_quarter(on)
        with acting_as(None, "cli"):
            result = compute(year, number, on)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Assessments of {result.quarter}: {result.created} created, {result.updated} updated, "
        f"{result.frozen} already reviewed and left as they were ({result.total} agreements)."
    )


@portal_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def demo(if_empty: bool) -> None:
    """Fill an empty database with demo distributors, users of every role and the region tree."""
    from .demo import DEMO_LOGINS, load_demo

    if db.session.scalar(select(func.count()).select_from(User)):
        if if_empty:
            click.echo("The database already has users: demo data not loaded.")
            _print_logins(DEMO_LOGINS)
            return
        raise click.ClickException("The database is not empty; demo data goes into an empty database only.")
    with acting_as(None, "demo"):
        load_demo()
    _print_logins(DEMO_LOGINS)


def _print_logins(logins: list[tuple[str, str, str]]) -> None:
    click.echo("Demo logins (user name / password):")
    for username, password, who in logins:
        click.echo(f"  {username:<12} {password:<16} {who}")


@portal_cli.command("expire-agreements")
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to apply (YYYY-MM-DD), today or earlier; default today in Asia/Shanghai.",
)
def expire_agreements(on: datetime | None) -> None:
    """Daily: store "expired" for active agreements past their end date and "terminated" for those
    whose termination notice took effect (pages read both off the dates anyway). Idempotent."""
    from .agreements.services import expire_agreements as expire
    from .clock import today

    day = on.date() if on is not None else today()
    if day > today():
        raise click.BadParameter("cannot be later than today", param_hint="--on")
    with acting_as(None, "cli"):
        result = expire(day)
    click.echo(f"Agreements on {day.isoformat()}: {result.expired} expired, {result.terminated} terminated.")


@portal_cli.command("refresh-compliance")
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day the figures are for (YYYY-MM-DD), today or earlier; default today in Asia/Shanghai.",
)
def refresh_compliance(on: datetime | None) -> None:
    """Daily: recompute every agreement's quarter figures (docs/rules.md §10) from the records, for
    what time alone changes (a deposit, a report or a repair limit passing unmet). Changes keep
    them current as they happen; this catches up with the calendar. Idempotent."""
    from .clock import today
    from .compliance.figures import refresh
    from .transactions import transaction

    day = on.date() if on is not None else today()
    if day > today():
        raise click.BadParameter("cannot be later than today", param_hint="--on")
    with acting_as(None, "cli"), transaction():
        written = refresh(on=day)
    click.echo(f"Compliance figures on {day.isoformat()}: {written} rows written.")


@portal_cli.command("generate")
@click.option("--scale", type=float, default=1.0, show_default=True, help="1 = 500 distributors, 5 years.")
@click.option("--reset", is_flag=True, help="Delete every row of every table first.")
@click.option("--seed", type=int, default=2026, show_default=True, help="The random seed (same seed, same data).")
def generate(scale: float, reset: bool, seed: int) -> None:
    """Benchmark data: years of consistent history in bulk (portal.generator), into an empty
    database (the schema already upgraded); prints the rows written and the logins."""
    import time

    from .generator import generate as fill
    from .generator import print_summary

    started = time.perf_counter()
    written = fill(scale, reset=reset, seed=seed)
    print_summary(written)
    click.echo(f"Built in {time.perf_counter() - started:.1f} s.")
