"""The home page by role (issue 10, "Dashboards by role"): a distributor's standing this quarter and
what is due next; sales' and finance's desks; an administrator's both. Each figure is checked
against records made through the services (orders, payments, repair batches) or, for the areas
whose services land in parallel, rows written by tests/main/builders.py. Every page costs the same
number of statements at small and larger data."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask_login import login_user
from sqlalchemy import delete

from portal.compliance.models import QuarterFigures
from portal.domain.orders import OrderStatus
from portal.domain.repairs import BatchStatus, FaultCause, RepairOutcome
from portal.domain.reports import ViolationKind
from portal.domain.roles import Role
from portal.extensions import db
from portal.main.home import link

from ..builders import Shop, make_shop, make_user, pay
from ..repairs.builders import make_batch
from .builders import make_assessment, make_quarter_figures, make_report, make_violation

ON = date(2026, 5, 15)  # the portal's today in these tests: 2026-Q2, the April report due on the 10th
CHARGED = [(FaultCause.HUMAN_DAMAGE, RepairOutcome.REPAIRED, "200.00")]  # §6.5.1: charged in warranty
MAY_STEPS = {  # a May batch, its fees notified on 11 May: due 18 May
    "opened_on": date(2026, 5, 1),
    "shipped_on": date(2026, 5, 3),
    "received_on": date(2026, 5, 6),
    "inspected_on": date(2026, 5, 8),
    "repaired_on": date(2026, 5, 10),
    "notified_on": date(2026, 5, 11),
}


@pytest.fixture(autouse=True)
def on(monkeypatch):
    monkeypatch.setattr("portal.clock.utcnow", lambda: datetime(2026, 5, 15, 4, 0, tzinfo=UTC))
    return ON


def section(page: str, ident: str) -> str:
    start = page.index(f'id="{ident}"')
    end = page.find("</section>", start)
    return page[start:end]


def order_numbers(html: str) -> list[str]:
    return re.findall(r'data-order="([^"]+)"', html)


def busy_distributor(shop: Shop) -> dict:
    """Batches first (their boards' order is the agreement's first, paid in full in March), then
    three orders in May: a deposit late, a deposit not yet due, a balance open after its deposit."""
    withheld = make_batch(shop, 1, through=BatchStatus.NOTIFIED, findings=CHARGED)  # fees due 28 April
    upcoming = make_batch(shop, 1, through=BatchStatus.NOTIFIED, findings=CHARGED, **MAY_STEPS)
    late = shop.order(10, confirm_on=date(2026, 5, 8))  # deposit ¥3,600 due 11 May
    upcoming_deposit = shop.order(5, confirm_on=date(2026, 5, 14))  # deposit ¥1,800 due 17 May
    open_balance = shop.order(20, confirm_on=date(2026, 5, 2))  # ¥24,000
    pay(open_balance, "7200.00", date(2026, 5, 4))  # its deposit: delivery (and the balance) due 3 June
    db.session.commit()
    return {
        "withheld": withheld,
        "upcoming": upcoming,
        "late": late,
        "upcoming_deposit": upcoming_deposit,
        "open_balance": open_balance,
    }


# --- the distributor ---------------------------------------------------------------------------------


def test_a_distributor_sees_its_standing_and_what_is_due_next(login):
    shop = make_shop()
    made = busy_distributor(shop)
    for month in ("2026-01", "2026-02"):
        make_report(shop.agreement, month)
    make_quarter_figures(shop.agreement, "2026-Q1", score="64.0", as_of=date(2026, 3, 31))
    make_quarter_figures(shop.agreement, "2026-Q2", score="87.5", as_of=date(2026, 5, 14))
    theirs = shop.elsewhere()
    their_order = theirs.order(50, confirm_on=date(2026, 5, 8))
    make_quarter_figures(theirs.agreement, "2026-Q2", score="12.0", as_of=date(2026, 5, 14))
    make_report(theirs.agreement, "2026-03")  # theirs: our March is still missing
    their_batch = make_batch(theirs, 1, through=BatchStatus.NOTIFIED, findings=CHARGED)

    page = login(shop.agent).get("/").get_data(as_text=True)

    standing = section(page, "standing")
    assert "2026-Q2" in standing
    # Confirmed in Q2 and not cancelled: ¥12,000 + ¥6,000 + ¥24,000 of a ¥50,000 quota.
    assert "¥42,000.00" in standing
    assert "¥50,000.00" in standing
    assert 'data-meter-percent="84"' in standing
    assert re.search(r'id="compliance-score">87\.5<', standing)
    assert "64" not in standing
    assert "12.0" not in standing

    deposits = section(page, "deposits-due")
    assert order_numbers(deposits) == [made["late"].number, made["upcoming_deposit"].number]
    assert 'data-count="2"' in page
    assert re.search(rf'data-order="{made["late"].number}" data-late', deposits)
    assert not re.search(rf'data-order="{made["upcoming_deposit"].number}" data-late', deposits)
    assert "¥3,600.00" in deposits
    assert "¥1,800.00" in deposits
    assert "May 11, 2026" in deposits
    assert "May 17, 2026" in deposits
    assert "¥5,400.00" in deposits  # their total

    balances = section(page, "balances-open")
    assert order_numbers(balances) == [made["open_balance"].number]
    assert "¥16,800.00" in balances
    assert "Jun 3, 2026" in balances
    # The late and upcoming deposits' orders have balances too, not yet open (deposit unpaid).
    assert made["late"].number not in balances

    fees = section(page, "fees-due")
    batches = re.findall(r'data-batch="([^"]+)"( data-withheld)?', fees)
    assert batches == [(made["withheld"].number, " data-withheld"), (made["upcoming"].number, "")]
    assert "Apr 28, 2026" in fees
    assert "May 18, 2026" in fees
    assert (made["withheld"].amount_due + made["upcoming"].amount_due) > 0
    assert f"{made['withheld'].amount_due + made['upcoming'].amount_due:,.2f}" in fees

    report = section(page, "next-report")
    assert 'data-month="2026-03" data-state="missing"' in report  # February reported, March not
    assert "Apr 10, 2026" in report

    assert their_order.number not in page
    assert their_batch.number not in page
    for other in (theirs.distributor.name, theirs.agreement.number):
        assert other not in page


def test_with_every_month_reported_the_next_report_is_this_months_and_the_score_not_yet_computed(login):
    shop = make_shop()
    for month in ("2026-01", "2026-02", "2026-03", "2026-04"):
        make_report(shop.agreement, month)
    # The quarter began after the last refresh of its figures (the daily command has not run yet).
    db.session.execute(delete(QuarterFigures).where(QuarterFigures.quarter == "2026-Q2"))
    db.session.commit()
    page = login(shop.agent).get("/").get_data(as_text=True)
    report = section(page, "next-report")
    assert 'data-month="2026-05" data-state="not_yet_due"' in report
    assert "Jun 10, 2026" in report
    standing = section(page, "standing")
    assert 'data-score="none"' in standing
    assert "Not yet computed" in standing
    assert 'data-meter-percent="0"' in standing
    assert "No deposit is due." in page
    assert "No balance is open." in page
    assert "No repair fee is due." in page


def test_the_distributors_home_in_chinese(login):
    shop = make_shop()
    busy_distributor(shop)
    client = login(shop.agent)
    client.post("/language", data={"lang": "zh", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    for english in (
        "Due next",
        "Deposits due",
        "Balances open",
        "Repair fees due",
        "Next monthly report",
        "Compliance score",
    ):
        assert english not in page, english


# --- head office ----------------------------------------------------------------------------------------


def sales_records(shop: Shop) -> dict:
    """Two assessments to review and one reviewed; violations new, old and dismissed; a late
    deposit; a batch 5 days from its 30-day limit."""
    near = make_batch(
        shop,
        1,
        through=BatchStatus.RECEIVED,
        opened_on=date(2026, 4, 1),
        shipped_on=date(2026, 4, 3),
        received_on=date(2026, 4, 20),
    )  # repair due 20 May
    late = shop.order(10, confirm_on=date(2026, 5, 8))
    other = shop.elsewhere()
    return {
        "near": near,
        "late": late,
        "to_review": [
            make_assessment(shop.agreement, "2026-Q1", ordered="42000.00"),
            make_assessment(other.agreement, "2026-Q1", ordered="61000.00"),
        ],
        "reviewed": make_assessment(shop.agreement, "2025-Q4", reviewed_on=date(2026, 1, 20)),
        "new": [
            make_violation(shop.agreement, found_on=date(2026, 5, 12), kind=ViolationKind.CROSS_TERRITORY),
            make_violation(other.agreement, found_on=date(2026, 4, 16)),  # 29 days ago
        ],
        "old": make_violation(shop.agreement, found_on=date(2026, 4, 10)),  # 35 days ago
        "dismissed": make_violation(shop.agreement, found_on=date(2026, 5, 11), dismissed_on=date(2026, 5, 13)),
    }


def test_sales_sees_assessments_to_review_late_deposits_batches_near_the_limit_and_new_violations(login):
    shop = make_shop()
    made = sales_records(shop)
    page = login(shop.sales).get("/").get_data(as_text=True)

    assessments = section(page, "assessments-to-review")
    assert 'data-count="2"' in assessments
    shown = re.findall(r'data-assessment="(\d+)"', assessments)
    assert sorted(shown) == sorted(str(a.id) for a in made["to_review"])
    assert str(made["reviewed"].id) not in shown
    assert "¥61,000.00" in assessments

    violations = section(page, "new-violations")
    assert 'data-count="2"' in violations
    assert re.findall(r'data-violation="(\d+)"', violations) == [str(v.id) for v in made["new"]]  # newest first
    assert "Cross-territory sale" in violations

    deposits = section(page, "late-deposits")
    assert 'data-count="1"' in deposits
    assert order_numbers(deposits) == [made["late"].number]

    near = section(page, "near-limit")
    assert 'data-count="1"' in near
    assert f'data-batch="{made["near"].number}"' in near
    assert "May 20, 2026" in near

    assert 'id="finance-desk"' not in page
    assert "plotly" not in page  # no chart library on head office's homes


def test_while_the_assessment_and_violation_pages_are_missing_their_rows_are_plain_text(app, login):
    shop = make_shop()
    made = sales_records(shop)
    page = login(shop.sales).get("/").get_data(as_text=True)
    assessment = made["to_review"][0]
    with app.test_request_context():
        href = link("assessments.show", assessment_id=assessment.id)
    row = page[page.index(f'data-assessment="{assessment.id}"') :]
    row = row[: row.index("</tr>")]
    if href is None:
        assert "<a " not in row
    else:
        assert f'href="{href}"' in row


def test_link_names_a_page_only_when_the_portal_has_it(app):
    with app.test_request_context():
        assert link("orders.show", order_id=3) == "/orders/3"
        assert link("orders.show") is None  # its argument missing
        assert link("nowhere.at_all") is None


def test_finance_sees_receivables_and_repair_fees_due_and_overdue(login):
    shop = make_shop()
    made = busy_distributor(shop)
    theirs = shop.elsewhere()
    their_first = theirs.order(50, confirm_on=date(2026, 5, 1))  # the first order: all deposit, due 4 May
    page = login(shop.finance).get("/").get_data(as_text=True)
    owed = section(page, "receivables-owed")

    def cells(key: str) -> dict[str, str]:
        row = owed[owed.index(f'data-owed="{key}"') :]
        row = row[: row.index("</tr>")]
        return {
            name: re.sub(r"<[^>]+>", "", value).strip()
            for name, value in re.findall(r"<td[^>]*data-([a-z-]+)>(.*?)</td>", row, re.S)
        }

    # Deposits: ours late ¥3,600 and not yet due ¥1,800; theirs late ¥60,000.
    assert cells("deposit") == {
        "count": "3",
        "outstanding": "¥65,400.00",
        "overdue-count": "2",
        "overdue": "¥63,600.00",
    }
    # Balances: the open one ¥16,800 (due 3 June); those of the unpaid deposits (¥8,400 + ¥4,200),
    # without a due date yet; the first order has no balance.
    assert cells("balance") == {"count": "3", "outstanding": "¥29,400.00", "overdue-count": "0", "overdue": "¥0.00"}
    assert cells("total")["outstanding"] == "¥94,800.00"
    assert 'href="/receivables/?kind=deposit&amp;state=overdue"' in owed

    fees = section(page, "fees-owed")
    both = made["withheld"].amount_due + made["upcoming"].amount_due

    def fee(name: str) -> str:
        return re.search(rf'data-fees="{name}">([^<]*)<', fees).group(1)

    assert fee("count") == "2"
    assert fee("outstanding") == f"¥{both:,.2f}"
    assert fee("overdue_count") == "1"
    assert fee("overdue") == f"¥{made['withheld'].amount_due:,.2f}"
    assert fee("withheld") == "1"
    assert 'href="/repairs/ledger"' in fees

    assert 'id="sales-desk"' not in page
    assert their_first.status is OrderStatus.CONFIRMED


def test_an_administrator_sees_both_desks(login):
    page = login(make_user(role=Role.ADMIN)).get("/").get_data(as_text=True)
    assert 'id="sales-desk"' in page
    assert 'id="finance-desk"' in page
    assert "No assessment waits for a review." in page
    assert section(page, "fees-owed").count("¥0.00") == 2


# --- a constant number of statements ---------------------------------------------------------------------


def statements(client, count_statements) -> int:
    with count_statements() as sent:
        assert client.get("/").status_code == 200
    return len(sent)


def more_of_everything(shop: Shop, rounds: int) -> None:
    """More orders, payments, batches, reports, violations and assessments, for every page."""
    for n in range(rounds):
        order = shop.order(5 + n, confirm_on=date(2026, 5, 1 + n))
        if n % 2:
            pay(order, order.deposit_amount, date(2026, 5, 2 + n))
        make_violation(shop.agreement, found_on=date(2026, 5, 1 + n))
    make_batch(shop, 2, through=BatchStatus.NOTIFIED, findings=CHARGED * 2, **MAY_STEPS)
    for month in ("2026-01", "2026-02", "2026-03"):
        make_report(shop.agreement, month)
    make_assessment(shop.agreement, "2026-Q1")
    make_assessment(shop.elsewhere().agreement, "2026-Q1")
    make_quarter_figures(shop.agreement, "2026-Q2", score="70.0", as_of=date(2026, 5, 14))
    db.session.commit()


@pytest.mark.parametrize("role", ["agent", "sales", "finance", "admin"])
def test_each_home_costs_the_same_statements_at_small_and_larger_data(login, count_statements, role):
    shop = make_shop()
    user = make_user(role=Role.ADMIN) if role == "admin" else getattr(shop, role)
    client = login(user)
    shop.order(50, confirm_on=date(2026, 5, 4))  # the first order, its deposit late
    few = statements(client, count_statements)
    more_of_everything(shop, 6)
    many = statements(client, count_statements)
    assert many == few
    assert Decimal(few) < 40


def test_the_desks_totals_agree_with_the_receivables_and_ledger_pages_totals(app):
    """The home pages' aggregates (receivables.queries.owed_summary, repairs.ledger_queries.fees_owed)
    add up to the same amounts as the lists they link to, per filter."""
    from portal.extensions import db
    from portal.receivables.queries import Filters, owed_summary, totals_by_distributor
    from portal.repairs.ledger_queries import LedgerFilters, fees_owed, grand_totals, ledger_totals

    shop = make_shop()
    busy_distributor(shop)
    shop.elsewhere().order(50, confirm_on=date(2026, 5, 1))
    for filters in (Filters(), Filters(distributor_id=shop.distributor.id), Filters(status=OrderStatus.DEPOSIT_PAID)):
        summary = owed_summary(filters, ON).of()
        rows = list(db.session.execute(totals_by_distributor(filters, ON)))
        assert summary.outstanding == sum(row.outstanding for row in rows)
        assert summary.overdue == sum(row.overdue for row in rows)
        assert summary.count == sum(row._mapping["count"] for row in rows)
    with app.test_request_context():
        login_user(shop.finance)  # the ledger reads in the caller's scope: head office's, all
        ledger = grand_totals(LedgerFilters(), ON)
        rows = ledger_totals(LedgerFilters(), ON)
        owed = fees_owed(LedgerFilters(unpaid_only=True), ON)
    assert (owed.outstanding, owed.overdue) == (ledger.outstanding, ledger.overdue)
    assert owed.withheld == ledger.withheld
    assert ledger.outstanding == sum(row.outstanding for row in rows)
