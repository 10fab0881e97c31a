"""The distributor's repair batch pages and the batch page (docs/rules.md §7.2; contract §6.5.4): the
list with its filters, opening a batch, adding boards (typed or scanned, pasted, uploaded: every bad
serial listed, nothing added), what a board may cost before shipping, shipping, the packing list."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select, update

from portal.boards.models import Board
from portal.domain.repairs import BatchStatus, FaultCause, RepairOutcome
from portal.domain.roles import Role
from portal.extensions import db
from portal.repairs import services
from portal.repairs.forms import parse_pasted, read_board_file
from portal.repairs.models import RepairBatch, RepairLine
from portal.repairs.queries import withheld_on
from portal.repairs.services import BoardEntry

from ..builders import TODAY, make_user
from .builders import boards_of, make_batch

S = BatchStatus
HUMAN, NORMAL, REPAIRED = FaultCause.HUMAN_DAMAGE, FaultCause.NORMAL_USE, RepairOutcome.REPAIRED


def open_batch(shop, serials=()):
    batch = services.open_batch(shop.distributor.id, today=TODAY)
    if serials:
        services.add_boards(batch, [BoardEntry(serial, "不开机") for serial in serials])
    db.session.commit()
    return batch


def lines_of(batch):
    db.session.expire_all()
    return list(db.session.scalars(select(RepairLine).where(RepairLine.batch_id == batch.id).order_by(RepairLine.id)))


def text(response):
    return response.get_data(as_text=True)


# --- the list ---------------------------------------------------------------------------------------


def test_a_distributor_opens_its_batch_from_the_list_and_continues_the_same_one(shop, login):
    client = login(shop.agent)
    assert "Open this month" in text(client.get("/repairs/"))

    response = client.post("/repairs/batches/open")
    batch = db.session.scalar(select(RepairBatch))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/repairs/batches/{batch.id}")
    assert client.post("/repairs/batches/open").headers["Location"].endswith(f"/repairs/batches/{batch.id}")
    assert db.session.scalar(select(db.func.count()).select_from(RepairBatch)) == 1
    page = text(client.get("/repairs/"))
    assert f"Continue batch {batch.number}" in page
    assert "Open this month" not in page


def test_a_distributor_lists_only_its_own_batches_and_head_office_every_one(shop, login):
    ours = open_batch(shop, boards_of(shop, 2))
    other = shop.elsewhere()
    theirs = services.open_batch(other.distributor.id, today=TODAY)
    db.session.commit()

    mine = text(login(shop.agent).get("/repairs/"))
    assert ours.number in mine
    assert theirs.number not in mine
    everyone = login(shop.sales)
    page = text(everyone.get("/repairs/"))
    assert ours.number in page
    assert theirs.number in page
    assert "Open this month" not in page
    filtered = text(everyone.get(f"/repairs/?distributor_id={other.distributor.id}"))
    assert theirs.number in filtered
    assert ours.number not in filtered


def test_the_list_filters_by_shown_status_and_month(shop, login):
    notified = make_batch(shop, 1, through=S.NOTIFIED, findings=[(HUMAN, REPAIRED, "100.00")])
    db.session.execute(update(RepairBatch).where(RepairBatch.id == notified.id).values(fees_due_on=date(2026, 3, 9)))
    db.session.commit()
    client = login(shop.sales)

    withheld = text(client.get("/repairs/?status=withheld"))
    assert notified.number in withheld
    assert "Withheld" in withheld
    assert notified.number not in text(client.get("/repairs/?status=notified"))
    assert notified.number in text(client.get("/repairs/?month=2026-04"))
    assert notified.number not in text(client.get("/repairs/?month=2026-05"))
    bad = client.get("/repairs/?month=April")
    assert bad.status_code == 422
    assert "Enter the month as YYYY-MM" in text(bad)


def _insert_batches(shop, first, how_many):
    """``how_many`` batches straight into the table, one per month from January 2000 + ``first``."""
    months = [f"{2000 + i // 12}-{i % 12 + 1:02d}" for i in range(first, first + how_many)]
    db.session.add_all(
        RepairBatch(
            number=f"FX-{shop.distributor.code}-{month}",
            distributor_id=shop.distributor.id,
            agreement_id=shop.agreement.id,
            month=month,
            status=(S.NOTIFIED, S.RETURNED, S.SHIPPED)[i % 3],
            status_since=TODAY,
            amount_due=Decimal("10.00"),
            fees_due_on=TODAY - timedelta(days=i % 2),
        )
        for i, month in enumerate(months)
    )
    db.session.commit()


@pytest.mark.parametrize("user", ["agent", "sales"])
def test_the_list_sends_as_many_statements_for_100_batches_as_for_10(shop, login, count_statements, user):
    client = login(getattr(shop, user))
    counts = []
    for first, how_many in ((0, 10), (10, 90)):
        _insert_batches(shop, first, how_many)
        with count_statements() as statements:
            response = client.get("/repairs/?per_page=100")
        assert response.status_code == 200
        assert text(response).count('href="/repairs/batches/') >= first + how_many
        counts.append(len(statements))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("status", "unpaid", "due", "released", "withheld"),
    [
        (S.NOTIFIED, "10.00", TODAY - timedelta(days=1), False, True),
        (S.NOTIFIED, "10.00", TODAY, False, False),  # the due day counts in full
        (S.NOTIFIED, "10.00", TODAY + timedelta(days=1), False, False),
        (S.NOTIFIED, "10.00", TODAY - timedelta(days=1), True, False),  # released
        (S.NOTIFIED, "0.00", TODAY - timedelta(days=1), False, False),
        (S.NOTIFIED, "0.01", TODAY - timedelta(days=40), False, True),
        (S.PAID, "10.00", TODAY - timedelta(days=1), False, False),
        (S.RETURNED, "10.00", TODAY - timedelta(days=1), False, False),
        (S.NOTIFIED, "10.00", None, False, False),
    ],
)
def test_the_withheld_filter_agrees_with_the_batch(shop, status, unpaid, due, released, withheld):
    batch = RepairBatch(
        number="FX-W",
        distributor_id=shop.distributor.id,
        agreement_id=shop.agreement.id,
        month="2026-02",
        status=status,
        status_since=TODAY,
        amount_due=Decimal("20.00"),
        paid_amount=Decimal("20.00") - Decimal(unpaid),
        fees_due_on=due,
        released=released,
    )
    db.session.add(batch)
    db.session.commit()
    assert batch.is_withheld(TODAY) is withheld
    found = db.session.scalar(select(RepairBatch.id).where(withheld_on(TODAY)))
    assert (found == batch.id) is withheld


# --- the batch page ---------------------------------------------------------------------------------


def test_before_shipping_each_board_shows_its_class_today_and_what_it_may_cost(shop, login):
    covered, expired = boards_of(shop, 2)
    db.session.execute(update(Board).where(Board.serial == expired).values(warranty_end=date(2026, 3, 5)))
    batch = open_batch(shop, [covered, expired])

    page = text(login(shop.agent).get(f"/repairs/batches/{batch.id}"))
    assert "In warranty" in page
    assert "Out of warranty" in page
    assert "Free if the fault is covered; charged in full for human damage" in page
    assert "At most ¥240.00 (20% of ¥1,200.00)." in page  # the level-2 agent price
    assert "Ship the batch" in page
    assert f'href="/boards/{covered}"' in page
    assert 'action="/repairs/lines/' in page  # remove buttons


def test_after_inspection_the_page_shows_cause_outcome_fee_and_freight(shop, login):
    batch = make_batch(shop, 2, through=S.NOTIFIED, findings=[(HUMAN, REPAIRED, "88.00"), (NORMAL, REPAIRED, "0")])
    page = text(login(shop.finance).get(f"/repairs/batches/{batch.id}"))
    assert "Human damage" in page
    assert "Normal use" in page
    assert "¥88.00" in page
    assert "No cap" in page  # charged on a covered board: the full cost
    assert "Notified" in page
    assert "Ship the batch" not in page


def test_a_notified_batch_page_sends_as_many_statements_for_8_lines_as_for_2(shop, login, count_statements):
    client = login(shop.sales)
    counts = []
    for owner, how_many in ((shop, 2), (shop.elsewhere(), 8)):
        batch = make_batch(owner, how_many, through=S.NOTIFIED, findings=[(HUMAN, REPAIRED, "10.00")] * how_many)
        with count_statements() as statements:
            assert client.get(f"/repairs/batches/{batch.id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_the_open_batch_page_costs_no_more_statements_with_more_lines(shop, login, count_statements):
    client = login(shop.agent)
    counts = []
    batch = open_batch(shop, boards_of(shop, 2))
    for extra in (0, 6):
        if extra:
            services.add_boards(batch, [BoardEntry(serial, "x") for serial in boards_of(shop, extra)])
            db.session.commit()
        with count_statements() as statements:
            assert client.get(f"/repairs/batches/{batch.id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


# --- adding boards ----------------------------------------------------------------------------------


def test_a_scanned_serial_is_added_and_its_description_kept_for_the_next(shop, login):
    first, second = boards_of(shop, 2)
    batch = open_batch(shop)
    client = login(shop.agent)
    form = text(client.get(f"/repairs/batches/{batch.id}/add"))
    assert 'name="serial"' in form
    assert "autofocus" in form

    response = client.post(
        f"/repairs/batches/{batch.id}/add", data={"serial": first.lower(), "fault_description": "无显示"}
    )
    assert response.status_code == 302
    again = text(client.get(response.headers["Location"]))
    assert f"{first} added to batch" in again
    assert 'value="无显示"' in again
    assert (
        client.post(
            f"/repairs/batches/{batch.id}/add", data={"serial": second, "fault_description": "无显示"}
        ).status_code
        == 302
    )
    assert [(line.board.serial, line.fault_description) for line in lines_of(batch)] == [
        (first, "无显示"),
        (second, "无显示"),
    ]


def test_a_pasted_list_is_added_with_the_common_description_where_a_line_has_none(shop, login):
    a, b, c, d = boards_of(shop, 4)
    batch = open_batch(shop)
    pasted = f"{a}\t网口不通\n{b}, 不开机\n\n{c}   死机\n{d}\n"
    response = login(shop.agent).post(
        f"/repairs/batches/{batch.id}/add", data={"pasted": pasted, "common_description": "常规故障"}
    )
    assert response.status_code == 302
    assert [(line.board.serial, line.fault_description) for line in lines_of(batch)] == [
        (a, "网口不通"),
        (b, "不开机"),
        (c, "死机"),
        (d, "常规故障"),
    ]


@pytest.mark.parametrize(
    ("pasted", "common", "entries", "problems"),
    [
        ("rb1\tno power", "", [("RB1", "no power")], []),
        ("RB1,no power, at all", "", [("RB1", "no power, at all")], []),
        ("RB1，不开机", "", [("RB1", "不开机")], []),
        ("RB1  no  power", "", [("RB1", "no  power")], []),
        ("RB1", "common", [("RB1", "common")], []),
        ("RB1,", "common", [("RB1", "common")], []),
        ("RB1", "", [("RB1", "")], []),  # the service says: describe the fault
        ("RB1 no power", "", [], [2 - 1]),
        ("\n  \nRB1\tx\n", "", [("RB1", "x")], []),
    ],
)
def test_a_pasted_line_is_read_as_serial_then_description(pasted, common, entries, problems):
    collected = parse_pasted(pasted, common)
    assert [(e.serial, e.fault_description) for e in collected.entries] == entries
    assert [params["line"] for _, params in collected.problems] == problems


def _xlsx(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_uploaded_list_is_added(shop, login, kind):
    a, b = boards_of(shop, 2)
    batch = open_batch(shop)
    rows = [["序列号", "故障描述"], [a, "不开机"], [b, ""]]
    data = _xlsx(rows) if kind == "xlsx" else "\n".join(",".join(row) for row in rows).encode("utf-8-sig")
    response = login(shop.agent).post(
        f"/repairs/batches/{batch.id}/add",
        content_type="multipart/form-data",
        data={"board_file": (io.BytesIO(data), f"boards.{kind}"), "common_description": "死机"},
    )
    assert response.status_code == 302, text(response)
    assert [(line.board.serial, line.fault_description) for line in lines_of(batch)] == [(a, "不开机"), (b, "死机")]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "The file is empty."),
        (b"sku,qty\nX,1\n", "The first line must name the columns: serial, and fault description."),
        (b"serial,fault\n,broken\n", "Line 2 has no serial number."),
        (b"\x00\x01binary", "neither a CSV"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(data, problem):
    from flask_babel import force_locale

    collected = read_board_file(data, "list.csv")
    assert not collected.entries
    with force_locale("en"):
        from flask_babel import gettext

        assert any(problem in gettext(message, **params) for message, params in collected.problems)


def test_every_bad_serial_is_listed_on_the_page_with_what_was_typed_and_nothing_is_added(shop, login, count_rows):
    mine, busy = boards_of(shop, 2)
    theirs = boards_of(shop.elsewhere(), 1)[0]
    batch = open_batch(shop, [busy])
    before = count_rows(RepairLine)
    pasted = f"NOPE-1\tx\n{theirs}\ty\n{busy}\tz\n{mine}\n{mine} no separator"
    response = login(shop.agent).post(
        f"/repairs/batches/{batch.id}/add", data={"pasted": pasted, "serial": "", "fault_description": ""}
    )
    page = text(response)
    assert response.status_code == 422
    assert "Line 5: separate the serial number from the fault description" in page
    assert count_rows(RepairLine) == before
    assert "NOPE-1" in page  # the pasted list is shown again

    response = login(shop.agent).post(f"/repairs/batches/{batch.id}/add", data={"pasted": pasted.rsplit("\n", 1)[0]})
    page = text(response)
    assert response.status_code == 422
    assert "Nothing was added" in page
    assert "NOPE-1: no board of yours has this serial number." in page
    assert f"{theirs}: no board of yours has this serial number." in page  # another's: unknown
    assert f"{busy} is already in this batch." in page
    assert f"{mine}: describe the fault." in page
    assert count_rows(RepairLine) == before


def test_nothing_typed_is_refused(shop, login):
    batch = open_batch(shop)
    response = login(shop.agent).post(f"/repairs/batches/{batch.id}/add", data={"serial": " \u3000"})
    assert response.status_code == 422
    assert "Enter at least one serial number." in text(response)


def test_a_board_is_taken_out_before_shipping(shop, login):
    a, b = boards_of(shop, 2)
    batch = open_batch(shop, [a, b])
    line = lines_of(batch)[0]
    response = login(shop.agent).post(f"/repairs/lines/{line.id}/remove")
    assert response.status_code == 302
    assert [line.board.serial for line in lines_of(batch)] == [b]


def test_a_shipped_batchs_line_stays_and_the_page_says_why(shop, login):
    batch = make_batch(shop, 1, through=S.SHIPPED, opened_on=TODAY, shipped_on=TODAY)
    line = lines_of(batch)[0]
    response = login(shop.agent).post(f"/repairs/lines/{line.id}/remove")
    assert response.status_code == 409
    assert "removed from a batch only before it is shipped" in text(response)
    assert len(lines_of(batch)) == 1
    assert "boards are added only before it ships" in text(login(shop.agent).get(f"/repairs/batches/{batch.id}/add"))


# --- shipping and the packing list -----------------------------------------------------------------


def test_the_ship_form_refuses_a_future_date_and_shows_what_was_typed(shop, login):
    batch = open_batch(shop, boards_of(shop, 1))
    client = login(shop.agent)
    assert f'value="{TODAY.isoformat()}"' in text(client.get(f"/repairs/batches/{batch.id}"))  # today by default
    response = client.post(
        f"/repairs/batches/{batch.id}/ship",
        data={"shipped_on": "2026-03-11", "carrier": "顺丰", "tracking_number": "SF123"},
    )
    page = text(response)
    assert response.status_code == 422
    assert 'value="2026-03-11"' in page
    assert 'value="顺丰"' in page
    assert 'value="SF123"' in page
    assert "is-invalid" in page
    db.session.expire_all()
    assert db.session.get(RepairBatch, batch.id).status is S.OPEN


def test_an_empty_batch_cannot_ship(shop, login):
    batch = open_batch(shop)
    response = login(shop.agent).post(f"/repairs/batches/{batch.id}/ship", data={"shipped_on": TODAY.isoformat()})
    assert response.status_code == 409
    assert "Add at least one board before shipping the batch." in text(response)


def test_the_batch_ships_and_its_lines_are_classified(shop, login):
    batch = open_batch(shop, boards_of(shop, 2))
    client = login(shop.agent)
    response = client.post(
        f"/repairs/batches/{batch.id}/ship",
        data={"shipped_on": "2026-03-09", "carrier": "顺丰", "tracking_number": "SF9"},
    )
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "shipped on" in page
    assert "Shipped late" not in page
    assert "Coverage on the shipping date" in page
    assert "In warranty" in page
    db.session.expire_all()
    shipped = db.session.get(RepairBatch, batch.id)
    assert (shipped.status, shipped.shipped_on, shipped.tracking_number) == (S.SHIPPED, date(2026, 3, 9), "SF9")


def test_the_packing_list_is_a_printable_a4_sheet(shop, login):
    a, b = boards_of(shop, 2)
    batch = make_batch(shop, [a, b], through=S.SHIPPED, opened_on=TODAY, shipped_on=TODAY)
    page = text(login(shop.agent).get(f"/repairs/batches/{batch.id}/packing-list"))
    assert batch.number in page
    assert shop.distributor.name in page
    assert a in page
    assert b in page
    assert "In warranty" in page
    assert "SF100" in page
    assert "顺丰" in page
    assert "2 boards in all" in page
    assert "data-print" in page
    assert "js/print.js" in page
    assert "Packed by (signature, date)" in page
    assert "cdn" not in page.lower()


@pytest.mark.parametrize(("language", "words"), [("zh", "返修批次"), ("en", "Repair batch")])
def test_the_pages_render_in_both_languages(shop, login, language, words):
    batch = open_batch(shop, boards_of(shop, 1))
    client = login(shop.agent)
    headers = {"Accept-Language": language}
    for url in (
        "/repairs/",
        f"/repairs/batches/{batch.id}",
        f"/repairs/batches/{batch.id}/add",
        f"/repairs/batches/{batch.id}/packing-list",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        assert words in text(response), url
    client.post("/language", data={"lang": language})
    assert words in text(client.get(f"/repairs/batches/{batch.id}"))


def test_the_navigation_links_to_the_batches_for_everyone(shop, login):
    for user in (shop.agent, shop.sales, shop.finance, make_user(role=Role.ADMIN)):
        assert 'href="/repairs/"' in text(login(user).get("/"))


def test_a_batch_shipped_after_day_10_is_recorded_as_late(shop, login, monkeypatch):
    from datetime import UTC, datetime

    batch = open_batch(shop, boards_of(shop, 1))
    monkeypatch.setattr("portal.clock.utcnow", lambda: datetime(2026, 3, 12, 4, 0, tzinfo=UTC))
    client = login(shop.agent)
    response = client.post(f"/repairs/batches/{batch.id}/ship", data={"shipped_on": "2026-03-12"})
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "recorded as late" in page
    assert "Shipped late" in page


def test_other_modules_add_to_the_batch_page_context(shop, login, monkeypatch):
    from portal.repairs import queries

    batch = open_batch(shop)
    seen = []
    monkeypatch.setattr(
        queries, "BATCH_PAGE_CONTEXT", [lambda b: seen.append(b.id) or {"extra": 1}, lambda b: {"extra": 2}]
    )
    assert queries.batch_page_context(batch) == {"extra": 2}
    assert seen == [batch.id]
    assert login(shop.agent).get(f"/repairs/batches/{batch.id}").status_code == 200
    assert seen == [batch.id, batch.id]
