"""Head office's receivables: deposits and balances owed, due and overdue (days late from today), by
distributor, filtered and paginated in SQL, exported to Excel with exact amounts; the daily
overdue-deposit reminder."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.domain.orders import OrderStatus
from portal.domain.roles import Role
from portal.extensions import db
from portal.notices.models import Notice
from portal.orders.models import Order

from ..builders import TODAY, insert_orders, make_user, pay

D = Decimal


@pytest.fixture
def finance(login):
    return login(make_user(role=Role.FINANCE))


def rows_of(page: str) -> list[str]:
    """The rows of the "Amounts owed" table, as text without tags."""
    table = page.split("Amounts owed", 1)[1]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr.*?</tr>", table, re.S)[1:]]


def test_an_overdue_deposit_shows_how_many_days_late_it_is(shop, finance):
    order = shop.order()  # confirmed 5 March: ¥60,000 deposit (100%, a first order) due 8 March

    page = finance.get("/receivables/").get_data(as_text=True)

    [row] = rows_of(page)
    assert order.number in row
    assert "Deposit" in row
    assert "¥60,000.00" in row
    assert row.endswith("2 Payments Book")  # 10 March − 8 March
    assert 'class="table-danger"' in page


def test_a_partly_paid_deposit_owes_the_rest_and_the_balance_waits_for_it(shop, finance):
    shop.order()
    second = shop.order(100)  # ¥120,000: deposit ¥36,000 due 8 March, balance ¥84,000
    pay(second, "10000.00", date(2026, 3, 6), "B-1")

    rows = [r for r in rows_of(finance.get("/receivables/").get_data(as_text=True)) if second.number in r]

    assert len(rows) == 2
    deposit, balance = rows
    assert "Deposit ¥36,000.00 ¥26,000.00" in deposit
    assert "Balance ¥84,000.00 ¥84,000.00 after the deposit" in balance


def test_once_the_deposit_is_paid_the_balance_is_due_within_the_delivery_period(shop, finance):
    shop.order()
    second = shop.order(100)
    pay(second, "40000.00", date(2026, 3, 6), "B-1")  # deposit reached on 6 March, ¥4,000 of the balance paid

    [row] = [r for r in rows_of(finance.get("/receivables/").get_data(as_text=True)) if second.number in r]

    assert "Balance ¥84,000.00 ¥80,000.00" in row
    assert "Apr 5, 2026" in row  # 6 March + 30 days
    assert row.endswith("— Payments Book")


def test_filters_and_totals_per_distributor(shop, finance):
    ours = shop.order()  # overdue deposit ¥60,000
    later = shop.order(100, confirm_on=date(2026, 3, 9))  # deposit ¥36,000 due 12 March, balance ¥84,000
    other = shop.elsewhere()
    theirs = other.order()  # another distributor: overdue deposit ¥60,000
    pay(theirs, "0.01", date(2026, 3, 6), "T-1")

    everything = finance.get("/receivables/").get_data(as_text=True)
    assert len(rows_of(everything)) == 4
    totals = everything.split("By distributor", 1)[1].split("Amounts owed", 1)[0]
    assert "¥180,000.00" in totals
    assert "¥59,999.99" in totals
    assert "¥239,999.99" in totals
    assert "¥119,999.99" in totals

    overdue = rows_of(finance.get("/receivables/?state=overdue").get_data(as_text=True))
    assert sorted(r.split()[0] for r in overdue) == sorted([ours.number, theirs.number])
    not_yet = rows_of(finance.get("/receivables/?state=not_yet_due").get_data(as_text=True))
    assert {r.split()[0] for r in not_yet} == {later.number}
    balances = rows_of(finance.get("/receivables/?kind=balance").get_data(as_text=True))
    assert [r.split()[0] for r in balances] == [later.number]
    one = rows_of(finance.get(f"/receivables/?distributor_id={other.agreement.distributor_id}").get_data(as_text=True))
    assert [r.split()[0] for r in one] == [theirs.number]


def test_paid_and_unconfirmed_orders_owe_nothing(shop, finance):
    paid = shop.order()
    pay(paid, "60000.00", date(2026, 3, 6), "B-1")
    shop.order(10, confirm_on=None)  # a draft
    assert "Nothing to show." in finance.get("/receivables/").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.FINANCE, Role.SALES, Role.ADMIN])
def test_head_office_reads_receivables(shop, login, role):
    shop.order()
    client = login(make_user(role=role))
    assert client.get("/receivables/").status_code == 200
    assert client.get("/receivables/export.xlsx").status_code == 200


def test_a_distributor_has_no_receivables_page(shop, login):
    order = shop.order()
    client = login(make_user(role=Role.DISTRIBUTOR, distributor=order.distributor))
    assert client.get("/receivables/").status_code == 403
    assert client.get("/receivables/export.xlsx").status_code == 403


def _bulk_orders(shop, first: int, count: int) -> None:
    """``count`` more confirmed orders, half with the deposit paid."""
    insert_orders(
        [shop.agreement],
        range(first, first + count),
        status=lambda n: OrderStatus.CONFIRMED if n % 2 else OrderStatus.DEPOSIT_PAID,
        total=D("1000.00"),
        deposit_amount=D("300.00"),
        balance_amount=D("700.00"),
        paid_amount=lambda n: D("0.00") if n % 2 else D("300.00"),
        confirmed_on=date(2026, 1, 2),
        deposit_due_on=lambda n: date(2026, 1, 5) + timedelta(days=n % 90),
        deposit_paid_on=lambda n: None if n % 2 else date(2026, 1, 5) + timedelta(days=n % 60),
    )


def test_a_page_costs_the_same_statements_at_10_and_at_1000_orders(shop, finance, count_statements):
    costs = []
    for first, count in ((0, 10), (10, 990)):
        _bulk_orders(shop, first, count)
        with count_statements() as statements:
            response = finance.get("/receivables/?page=2&per_page=5")
        assert response.status_code == 200
        assert len(rows_of(response.get_data(as_text=True))) == 5
        costs.append(len(statements))
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1000
    assert costs[0] == costs[1]


def test_the_export_has_the_filtered_rows_with_exact_amounts(shop, finance):
    distributor = shop.agreement.distributor
    distributor.name = '=HYPERLINK("http://evil.example")'
    db.session.commit()
    shop.order()
    second = shop.order(3)  # ¥3,600.00: deposit ¥1,080.00, balance ¥2,520.00
    pay(second, "1080.10", date(2026, 3, 6), "B-1")

    response = finance.get("/receivables/export.xlsx?kind=balance")

    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Distributor code", "Distributor", "Order")
    assert len(rows) == 2  # the filter applies: balances only
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example")'  # written as text, never run
    assert rows[1][2:4] == (second.number, "Balance")
    assert sheet["E2"].number_format == "#,##0.00"
    assert sheet["F2"].number_format == "#,##0.00"
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>2520.00</v>" in xml  # the exact decimal, as the database holds it
    assert "<v>2519.90</v>" in xml


def test_the_daily_command_reminds_each_overdue_deposit_once(shop, app):
    shop.order(confirm_on=date(2026, 3, 5))  # due 8 March: overdue today
    shop.order(10, confirm_on=date(2026, 3, 9))  # due 12 March: not yet
    runner = app.test_cli_runner()

    first = runner.invoke(args=["portal", "remind-overdue-deposits"])
    second = runner.invoke(args=["portal", "remind-overdue-deposits"])

    assert first.exit_code == 0, first.output
    assert "Payment reminders issued: 1." in first.output
    assert "Payment reminders issued: 0." in second.output
    notice = db.session.scalar(select(Notice))
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 1
    assert notice.issued_on == TODAY
    assert "¥60,000.00" in notice.body_en  # what is still unpaid of the deposit


# --- the same list through /api/v1/receivables ---------------------------------------------------

RECEIVABLES = "/api/v1/receivables"


def test_the_api_lists_what_is_owed_like_the_page(shop, api):
    first = shop.order()  # deposit ¥60,000 due 8 March: 2 days late
    second = shop.order(100)  # deposit ¥36,000 due 8 March, balance ¥84,000 with no due date yet
    pay(second, "10000.00", date(2026, 3, 6), "B-1")

    response = api(make_user(role=Role.FINANCE)).get(RECEIVABLES)

    assert response.status_code == 200
    assert response.json["total"] == 3
    items = response.json["items"]
    assert items[0] | {"order_id": None, "distributor_id": None} == {
        "order_id": None,
        "number": first.number,
        "distributor_id": None,
        "distributor_code": first.distributor.code,
        "distributor_name": first.distributor.name,
        "kind": "deposit",
        "status": "confirmed",
        "amount": "60000.00",
        "outstanding": "60000.00",
        "due_on": "2026-03-08",
        "days_late": 2,
    }
    assert [(i["number"], i["kind"], i["outstanding"], i["due_on"]) for i in items[1:]] == [
        (second.number, "deposit", "26000.00", "2026-03-08"),
        (second.number, "balance", "84000.00", None),  # no due date yet: last
    ]


def test_the_api_filters_as_the_page_does(shop, api):
    ours = shop.order()
    later = shop.order(100, confirm_on=date(2026, 3, 9))
    other = shop.elsewhere()
    theirs = other.order()
    caller = api(make_user(role=Role.SALES))

    def listed(query: str) -> list[tuple[str, str]]:
        response = caller.get(f"{RECEIVABLES}?{query}")
        assert response.status_code == 200
        return sorted((item["number"], item["kind"]) for item in response.json["items"])

    assert listed("state=overdue") == sorted([(ours.number, "deposit"), (theirs.number, "deposit")])
    assert listed("state=not_yet_due") == [(later.number, "balance"), (later.number, "deposit")]
    assert listed("kind=balance") == [(later.number, "balance")]
    assert listed(f"distributor_id={other.agreement.distributor_id}") == [(theirs.number, "deposit")]
    paged = caller.get(f"{RECEIVABLES}?per_page=1&page=2").json
    assert (paged["total"], paged["pages"], paged["per_page"], len(paged["items"])) == (4, 4, 1, 1)


@pytest.mark.parametrize("query", ["state=late", "kind=fee", "distributor_id=0"])
def test_a_bad_receivables_filter_answers_422_naming_it(shop, api, query):
    response = api(make_user(role=Role.FINANCE)).get(f"{RECEIVABLES}?{query}")
    assert response.status_code == 422
    assert query.split("=")[0] in response.json["error"]["fields"]


@pytest.mark.parametrize(("role", "status"), [(Role.ADMIN, 200), (Role.SALES, 200), (Role.DISTRIBUTOR, 403)])
def test_head_office_reads_receivables_through_the_api_and_a_distributor_may_not(shop, api, role, status):
    order = shop.order()
    caller = api(make_user(role=role, distributor=order.distributor if role is Role.DISTRIBUTOR else None))
    assert caller.get(RECEIVABLES).status_code == status
