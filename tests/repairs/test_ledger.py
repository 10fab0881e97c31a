"""The repair-fee ledger and the fee payment pages (docs/rules.md §7.2): what finance and head office
see and do, what a distributor sees (its own) and may not do, ageing in SQL agreeing with the domain,
and a page whose number of statements does not grow with the number of batches."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask_login import login_user
from openpyxl import load_workbook
from sqlalchemy import select

from portal.domain.repairs import BatchStatus, FeeAgeing, fee_ageing, fees_overdue
from portal.domain.roles import Role
from portal.extensions import db
from portal.repairs.ledger_queries import (
    LedgerFilters,
    ageing_case,
    grand_totals,
    ledger_page,
    ledger_rows,
    ledger_totals,
    ledger_totals_page,
    network_grand_totals,
)
from portal.repairs.models import RepairBatch, RepairFeePayment

from ..builders import make_user

S = BatchStatus
DUE_ON = date(2026, 4, 28)  # the notified_batch fixture's: notified 2026-04-21


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``clock(day)``: the portal's today is ``day`` (noon in Shanghai). Set it before signing in."""

    def move(day: date) -> date:
        noon = datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC)
        monkeypatch.setattr("portal.clock.utcnow", lambda: noon)
        return day

    return move


def fresh(batch: RepairBatch) -> RepairBatch:
    db.session.expire_all()
    return db.session.get(RepairBatch, batch.id)


def text_of(response: Any) -> str:
    return response.get_data(as_text=True)


# --- ageing and withholding in SQL --------------------------------------------------------------


@pytest.mark.parametrize("overdue_days", [-1, 0, 1, 30, 31, 60, 61, 400])
def test_the_sql_ageing_buckets_agree_with_the_domain_on_each_boundary(insert_fee_batches, overdue_days):
    """§6.5.4 (docs/rules.md §7.2): the ledger's buckets in SQL, per batch (ageing_case) and over
    the rows kept per due day (network_grand_totals), are domain.repairs.fee_ageing's."""
    on = date(2026, 6, 30)
    due_on = on - timedelta(days=overdue_days)
    insert_fee_batches([{"fees_due_on": due_on}, {"fees_due_on": due_on, "paid_amount": "100.00", "status": S.PAID}])
    buckets = db.session.execute(select(RepairBatch.paid_amount, ageing_case(on)).order_by(RepairBatch.id)).all()
    assert buckets == [(Decimal("0.00"), fee_ageing(due_on, on).value), (Decimal("100.00"), None)]
    network = network_grand_totals(on)._mapping
    expected = fee_ageing(due_on, on)
    assert {a: network[a.value] for a in FeeAgeing} == {
        a: Decimal("100.00") if a is expected else Decimal("0.00") for a in FeeAgeing
    }
    assert network["overdue"] == (Decimal("100.00") if fees_overdue(Decimal("100.00"), due_on, on) else Decimal("0.00"))


def test_totals_per_distributor_are_summed_in_the_database(app, shop, insert_fee_batches):
    on = date(2026, 6, 30)
    insert_fee_batches(
        [
            {"fees_due_on": date(2026, 7, 2), "amount_due": "100.00"},  # not due
            {"fees_due_on": date(2026, 6, 20), "amount_due": "200.00", "paid_amount": "50.00"},  # 10 days
            {"fees_due_on": date(2026, 5, 20), "amount_due": "300.00"},  # 41 days
            {"fees_due_on": date(2026, 3, 1), "amount_due": "400.00", "released": True},  # over 60, released
            {"fees_due_on": date(2026, 3, 1), "amount_due": "500.00", "paid_amount": "500.00", "status": S.PAID},
            {"fees_due_on": None, "amount_due": "0.00", "status": S.REPAIRED},  # not notified: not in the ledger
        ]
    )
    other = shop.elsewhere()
    insert_fee_batches([{"fees_due_on": date(2026, 6, 1), "amount_due": "70.00"}], of=other)
    with app.test_request_context():
        login_user(shop.finance)
        totals = {row.code: row for row in ledger_totals(LedgerFilters(), on)}
        mine = totals[shop.distributor.code]
        assert mine.batches == 5
        assert (mine.charged, mine.paid, mine.outstanding, mine.overdue) == (
            Decimal("1500.00"),
            Decimal("550.00"),
            Decimal("950.00"),
            Decimal("850.00"),
        )
        assert [getattr(mine, a.value) for a in FeeAgeing] == [
            Decimal("100.00"),
            Decimal("150.00"),
            Decimal("300.00"),
            Decimal("400.00"),
        ]
        assert mine.withheld == 2  # the released one is not withheld
        assert totals[other.distributor.code].outstanding == Decimal("70.00")
        # Filters: ageing, withheld only, one distributor.
        over_60 = ledger_totals(LedgerFilters(ageing=FeeAgeing.OVER_60), on)
        assert [(row.code, row.outstanding) for row in over_60] == [(shop.distributor.code, Decimal("400.00"))]
        withheld = db.session.execute(ledger_rows(LedgerFilters(withheld_only=True), on)).all()
        assert sorted(row.outstanding for row in withheld) == [Decimal("70.00"), Decimal("150.00"), Decimal("300.00")]
        only = db.session.execute(ledger_rows(LedgerFilters(distributor_id=other.distributor.id), on)).all()
        assert [row.distributor_code for row in only] == [other.distributor.code]
        # A distributor's user reads its own rows only, whatever it asks for.
        login_user(other.agent)
        assert [row.code for row in ledger_totals(LedgerFilters(), on)] == [other.distributor.code]
        theirs = LedgerFilters(distributor_id=shop.distributor.id)
        assert db.session.execute(ledger_rows(theirs, on)).all() == []


# --- the ledger page ----------------------------------------------------------------------------


def test_head_office_reads_every_distributors_ledger_and_a_distributor_only_its_own(shop, login, clock, notified_batch):
    clock(date(2026, 5, 10))
    mine = notified_batch("300.00")
    other = shop.elsewhere()
    theirs = notified_batch("120.00", of=other)
    page = login(shop.finance).get("/repairs/ledger")
    assert page.status_code == 200
    html = text_of(page)
    assert mine.number in html
    assert theirs.number in html
    assert "¥300.00" in html or "300.00" in html
    own = text_of(login(other.agent).get("/repairs/ledger"))
    assert theirs.number in own
    assert mine.number not in own
    assert shop.distributor.name not in own
    filtered = text_of(login(other.agent).get(f"/repairs/ledger?distributor_id={shop.distributor.id}"))
    assert mine.number not in filtered


def test_the_ledger_shows_withheld_batches_and_filters_them(shop, login, clock, notified_batch):
    clock(date(2026, 5, 10))  # 12 days past the due date
    withheld = notified_batch("300.00")
    paid = notified_batch("50.00", of=shop.elsewhere())
    from portal.repairs import fees

    fees.record_fee_payment(
        paid,
        amount=Decimal("50.00"),
        received_on=date(2026, 4, 22),
        bank_reference="P-1",
        payer="",
        recorded_by_id=None,
        today=date(2026, 4, 22),
    )
    client = login(shop.sales)
    html = text_of(client.get("/repairs/ledger?withheld=1"))
    assert withheld.number in html
    assert paid.number not in html
    html = text_of(client.get("/repairs/ledger?ageing=days_1_30", headers={"Accept-Language": "en"}))
    assert withheld.number in html
    assert "1–30 days overdue" in html


def test_the_ledger_exports_to_excel(shop, login, clock, notified_batch):
    clock(date(2026, 5, 10))
    batch = notified_batch("300.00")
    response = login(shop.finance).get("/repairs/ledger.xlsx", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "repair-fee-ledger-2026-05-10.xlsx" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    totals, batches = workbook.worksheets
    assert totals["A2"].value == shop.distributor.code
    assert totals["D2"].value == 300
    rows = list(batches.iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[6], r[8], r[9], r[10]) for r in rows] == [(batch.number, 300, 300, "1–30 days overdue", "Yes")]
    assert batches["G2"].number_format == "#,##0.00"
    assert batches["F2"].value.date() == DUE_ON


@pytest.mark.parametrize("role", ["finance", "distributor"])
def test_the_ledger_sends_as_many_statements_at_1000_batches_as_at_10(
    shop, login, clock, insert_fee_batches, count_statements, role
):
    clock(date(2026, 5, 10))
    user = shop.finance if role == "finance" else shop.agent
    client = login(user)

    def statements_for_the_page() -> int:
        with count_statements() as statements:
            assert client.get("/repairs/ledger").status_code == 200
            assert client.get("/repairs/ledger.xlsx").status_code == 200
        return len(statements)

    insert_fee_batches([{"fees_due_on": DUE_ON - timedelta(days=n)} for n in range(10)])
    at_10 = statements_for_the_page()
    insert_fee_batches([{"fees_due_on": DUE_ON - timedelta(days=n % 90)} for n in range(990)])
    assert db.session.scalar(select(db.func.count()).select_from(RepairBatch)) == 1000
    assert statements_for_the_page() == at_10


# --- fee payment pages --------------------------------------------------------------------------


def test_finance_books_a_fee_payment_on_the_batch_page(shop, login, clock, notified_batch):
    clock(date(2026, 4, 25))
    batch = notified_batch("300.00")
    client = login(shop.finance)
    page = client.get(f"/repairs/batches/{batch.id}/payments", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Book payment" in text_of(page)
    response = client.post(
        f"/repairs/batches/{batch.id}/payments",
        data={"amount": "300.00", "received_on": "2026-04-24", "bank_reference": "CMB-88", "payer": "杭州"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/repairs/batches/{batch.id}/payments")
    assert (fresh(batch).status, fresh(batch).paid_amount) == (S.PAID, Decimal("300.00"))
    html = text_of(client.get(response.headers["Location"], headers={"Accept-Language": "en"}))
    assert "CMB-88" in html
    assert "Book payment" not in html  # nothing left to book


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"amount": "300.01", "bank_reference": "X-1"}, 409, "over the amount due"),
        ({"amount": "abc", "bank_reference": "X-1"}, 422, ""),
        ({"amount": "10.00", "bank_reference": "  "}, 422, "Enter the bank reference"),
        ({"amount": "10.00", "bank_reference": "X-1", "received_on": "2026-04-20"}, 422, "before the batch"),
    ],
)
def test_a_refused_payment_is_shown_again_with_what_was_typed(
    shop, login, clock, notified_batch, count_rows, data, status, message
):
    clock(date(2026, 4, 25))
    batch = notified_batch("300.00")
    form = {"received_on": "2026-04-24", "payer": "王先生", **data}
    response = login(shop.finance).post(
        f"/repairs/batches/{batch.id}/payments", data=form, headers={"Accept-Language": "en"}
    )
    assert response.status_code == status
    html = text_of(response)
    assert message in html
    assert f'value="{data["amount"]}"' in html
    assert 'value="王先生"' in html
    assert count_rows(RepairFeePayment) == 0


def test_a_duplicate_bank_reference_answers_409(shop, login, clock, notified_batch):
    clock(date(2026, 4, 25))
    batch = notified_batch("300.00")
    client = login(shop.finance)
    url = f"/repairs/batches/{batch.id}/payments"
    client.post(url, data={"amount": "10.00", "received_on": "2026-04-24", "bank_reference": "D-1"})
    again = client.post(
        url,
        data={"amount": "10.00", "received_on": "2026-04-24", "bank_reference": "D-1"},
        headers={"Accept-Language": "en"},
    )
    assert again.status_code == 409
    assert "already booked for this distributor" in text_of(again)


def test_finance_voids_a_fee_payment_with_a_reason(shop, login, clock, notified_batch):
    clock(date(2026, 4, 25))
    batch = notified_batch("300.00")
    client = login(shop.finance)
    client.post(
        f"/repairs/batches/{batch.id}/payments",
        data={"amount": "300.00", "received_on": "2026-04-24", "bank_reference": "V-1"},
    )
    payment = db.session.scalars(select(RepairFeePayment)).one()
    refused = client.post(
        f"/repairs/payments/{payment.id}/void", data={"reason": " "}, headers={"Accept-Language": "en"}
    )
    assert refused.status_code == 422
    assert "Give the reason for voiding this payment." in text_of(refused)
    done = client.post(f"/repairs/payments/{payment.id}/void", data={"reason": "Bounced"})
    assert done.status_code == 302
    assert fresh(batch).status is S.NOTIFIED
    assert db.session.get(RepairFeePayment, payment.id).void_reason == "Bounced"


def test_a_form_sent_from_another_page_of_the_area_returns_there_and_never_elsewhere(
    shop, login, clock, notified_batch
):
    clock(date(2026, 4, 25))
    batch = notified_batch("300.00")
    client = login(shop.finance)
    data = {"amount": "1.00", "received_on": "2026-04-24", "back": f"/repairs/batches/{batch.id}"}
    assert (
        client.post(f"/repairs/batches/{batch.id}/payments", data={**data, "bank_reference": "R-1"})
        .headers["Location"]
        .endswith(f"/repairs/batches/{batch.id}")
    )
    elsewhere = client.post(
        f"/repairs/batches/{batch.id}/payments", data={**data, "bank_reference": "R-2", "back": "//evil.example/"}
    )
    assert elsewhere.headers["Location"].endswith(f"/repairs/batches/{batch.id}/payments")


def test_sales_releases_a_withheld_batch_with_a_reason(shop, login, clock, notified_batch):
    clock(date(2026, 5, 10))
    batch = notified_batch("300.00")
    client = login(shop.sales)
    page = text_of(client.get(f"/repairs/batches/{batch.id}/payments", headers={"Accept-Language": "en"}))
    assert "Withheld" in page
    assert "Release the batch" in page
    assert "Book payment" not in page  # sales does not book
    refused = client.post(
        f"/repairs/batches/{batch.id}/release", data={"reason": ""}, headers={"Accept-Language": "en"}
    )
    assert refused.status_code == 422
    assert "Give the reason for releasing this batch." in text_of(refused)
    assert fresh(batch).released is False
    done = client.post(f"/repairs/batches/{batch.id}/release", data={"reason": "Customer in hospital"})
    assert done.status_code == 302
    assert (fresh(batch).released, fresh(batch).release_reason) == (True, "Customer in hospital")
    again = client.post(
        f"/repairs/batches/{batch.id}/release", data={"reason": "Twice"}, headers={"Accept-Language": "en"}
    )
    assert again.status_code == 409


def test_a_distributor_reads_its_fee_payments_but_cannot_book_or_release(shop, login, clock, notified_batch):
    clock(date(2026, 5, 10))
    batch = notified_batch("300.00")
    client = login(shop.agent)
    page = client.get(f"/repairs/batches/{batch.id}/payments", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Book payment" not in text_of(page)
    assert "Release the batch" not in text_of(page)
    book = {"amount": "300.00", "received_on": "2026-05-01", "bank_reference": "MINE"}
    assert client.post(f"/repairs/batches/{batch.id}/payments", data=book).status_code == 403
    assert client.post(f"/repairs/batches/{batch.id}/release", data={"reason": "please"}).status_code == 403
    assert (fresh(batch).paid_amount, fresh(batch).released) == (Decimal("0.00"), False)


def test_finance_cannot_release_and_sales_cannot_book(shop, login, clock, notified_batch):
    clock(date(2026, 5, 10))
    batch = notified_batch("300.00")
    assert login(shop.finance).post(f"/repairs/batches/{batch.id}/release", data={"reason": "x"}).status_code == 403
    book = {"amount": "1.00", "received_on": "2026-05-01", "bank_reference": "S"}
    assert login(shop.sales).post(f"/repairs/batches/{batch.id}/payments", data=book).status_code == 403


def test_another_distributors_batch_payments_answer_404(shop, login, clock, notified_batch):
    clock(date(2026, 5, 10))
    theirs = notified_batch("300.00", of=shop.elsewhere())
    assert login(shop.agent).get(f"/repairs/batches/{theirs.id}/payments").status_code == 404


def test_head_office_has_the_ledger_in_its_menu(shop, login):
    html = text_of(login(shop.finance).get("/", headers={"Accept-Language": "en"}))
    assert "/repairs/ledger" in html
    distributor = make_user(role=Role.DISTRIBUTOR, distributor=shop.distributor)
    assert "/repairs/ledger" not in text_of(login(distributor).get("/"))


# --- pages read only what they show ----------------------------------------------------------------


def test_each_page_of_batches_and_of_totals_is_the_slice_of_the_whole_ledger(app, shop, insert_fee_batches):
    """The batches page merges the owed and the settled runs, each read no further than the page;
    the totals page sums only its distributors' batches: both agree with the whole ledger."""
    on = date(2026, 6, 30)
    other = shop.elsewhere()
    rows = []
    for day in (3, 1, 9, 5, 7):
        due_on = date(2026, 4, day)
        rows += [{"fees_due_on": due_on}, {"fees_due_on": due_on, "paid_amount": "100.00", "status": S.PAID}]
    insert_fee_batches(rows)
    insert_fee_batches([{"fees_due_on": date(2026, 4, 2)}, {"status": S.RETURNED, "paid_amount": "100.00"}], of=other)
    with app.test_request_context():
        login_user(shop.finance)
        whole = [row.number for row in db.session.execute(ledger_rows(LedgerFilters(), on))]
        owed = [row.number for row in db.session.execute(ledger_rows(LedgerFilters(), on)) if row.outstanding > 0]
        assert whole[: len(owed)] == owed
        assert (len(owed), len(whole)) == (6, 12)
        totals = {row.code: row for row in ledger_totals(LedgerFilters(), on)}
        grand = grand_totals(LedgerFilters(), on)
    assert grand.outstanding == sum(row.outstanding for row in totals.values()) == Decimal("600.00")
    assert grand.batches == 6  # the foot counts the batches with fees outstanding
    pages: list[str] = []
    seen: set[str] = set()
    for number in (1, 2, 3, 4):
        with app.test_request_context(f"/repairs/ledger?per_page=5&page={number}&totals_page={number}"):
            login_user(shop.finance)
            page = ledger_page(LedgerFilters(), on)
            pages += [row.number for row in page.items]
            assert (page.total, page.pages) == (12, 3)
            by_distributor = ledger_totals_page(LedgerFilters(), on)
            for row in by_distributor.items:
                if row.code not in totals:  # unfiltered, a distributor without fees shows zeros
                    assert (row.batches, row.charged, row["over_60"]) == (0, Decimal("0.00"), Decimal("0.00"))
                    continue
                assert (row.batches, row.charged, row.paid, row["over_60"]) == (
                    totals[row.code].batches,
                    totals[row.code].charged,
                    totals[row.code].paid,
                    totals[row.code].over_60,
                )
            seen.update(row.code for row in by_distributor.items)
    assert pages == whole
    assert set(totals) <= seen
    with app.test_request_context("/repairs/ledger?ageing=over_60"):
        login_user(shop.finance)
        owing = ledger_totals_page(LedgerFilters(ageing=FeeAgeing.OVER_60), on)
        assert [row.code for row in owing.items] == [code for code, row in totals.items() if row.over_60]
