"""The notice pages for each role (docs/rules.md §11, §12): a distributor's inbox, a notice in either
language, its A4 print view and acknowledgement; head office's list of who read what; warnings."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.clock import today
from portal.domain.notices import NoticeType
from portal.domain.roles import Role
from portal.extensions import db
from portal.notices.models import Notice

from ..builders import START, make_agreement, make_distributor, make_price_list, make_user
from .builders import make_notice


def rows(page: str) -> list[str]:
    """The notice numbers listed, in order."""
    return re.findall(r'<tr data-notice="([^"]+)"', page)


def unread_badge(page: str) -> str | None:
    match = re.search(r'id="unread-notices">(\d+)', page)
    return match.group(1) if match else None


@pytest.fixture
def ours():
    return make_distributor(name="杭州云帆科技有限公司", address="浙江省杭州市西湖区文三路 478 号")


@pytest.fixture
def reader(ours):
    return make_user(role=Role.DISTRIBUTOR, distributor=ours, full_name="陈立新")


# --- The distributor's inbox ----------------------------------------------------------------------


def test_the_inbox_lists_only_our_notices_newest_first_with_unread_marked(login, ours, reader):
    theirs = make_distributor(name="苏州启明智能设备有限公司")
    old = make_notice(ours, issued_on=date(2026, 11, 2))
    new = make_notice(ours, issued_on=date(2027, 3, 5))
    other = make_notice(theirs, issued_on=date(2027, 3, 6))
    old.acknowledged_at, old.acknowledged_by_id = old.created_at, reader.id
    db.session.commit()

    page = login(reader).get("/notices/").get_data(as_text=True)

    assert rows(page) == [new.number, old.number]
    assert other.number not in page
    assert "苏州启明" not in page
    assert f'<tr data-notice="{new.number}" data-unread="true"' in page
    assert f'<tr data-notice="{old.number}" data-unread="false"' in page


def test_the_inbox_is_paginated(login, ours, reader):
    for day in range(1, 8):
        make_notice(ours, issued_on=date(2027, 3, day))
    client = login(reader)
    first = client.get("/notices/?per_page=3").get_data(as_text=True)
    last = client.get("/notices/?per_page=3&page=3").get_data(as_text=True)
    assert rows(first) == ["TZ-2027-0007", "TZ-2027-0006", "TZ-2027-0005"]
    assert rows(last) == ["TZ-2027-0001"]
    assert "7 in all" in first


def test_a_distributor_user_without_a_distributor_has_an_empty_inbox(login, ours):
    make_notice(ours)
    orphan = make_user(role=Role.SALES)
    orphan.role = Role.DISTRIBUTOR
    db.session.commit()
    page = login(orphan).get("/notices/").get_data(as_text=True)
    assert rows(page) == []
    assert "No notices yet." in page


# --- One notice, in either language, and its print view --------------------------------------------


def test_a_notice_reads_in_the_users_language_with_a_link_to_the_other(login, ours, reader):
    notice = make_notice(ours, message_zh="请于十日内补交月报。", message_en="Please send the report within ten days.")
    client = login(reader)

    english = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "Please send the report within ten days." in english
    assert "请于十日内补交月报。" not in english
    assert f'href="/notices/{notice.id}?lang=zh"' in english

    chinese = client.get(f"/notices/{notice.id}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "请于十日内补交月报。" in chinese
    assert f'href="/notices/{notice.id}?lang=en"' in chinese

    switched = client.get(f"/notices/{notice.id}?lang=zh").get_data(as_text=True)
    assert "请于十日内补交月报。" in switched
    assert 'lang="zh-CN" id="notice-text"' in switched


def test_the_print_view_is_a_formal_letter(login, ours, reader):
    agreement = make_agreement(ours, number="XS-HZ-2027")
    notice = make_notice(
        ours,
        issued_on=date(2027, 3, 5),
        effective_on=date(2027, 3, 12),
        agreement=agreement,
        message_en="Your March report is overdue.",
    )
    response = login(reader).get(f"/notices/{notice.id}/print")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    sheet = page[page.index('<article class="notice-sheet') : page.index("</article>")]
    for expected in (
        "Distributor portal",
        "Written notice",
        notice.number,
        "Mar 5, 2027",
        "Mar 12, 2027",
        "杭州云帆科技有限公司",
        "浙江省杭州市西湖区文三路 478 号",
        "XS-HZ-2027",
        "Warning (agreement XS-HZ-2027)",
        "Your March report is overdue.",
        "Party A (head office)",
        "Authorised signature:",
        "Seal",
    ):
        assert expected in sheet, expected
    assert "data-print" in page  # the print button, wired by static/js/print.js
    assert "js/print.js" in page


def test_the_print_view_in_chinese_carries_the_chinese_text(login, ours, reader):
    notice = make_notice(ours, message_zh="贵公司三月份月报逾期未交。")
    page = login(reader).get(f"/notices/{notice.id}/print?lang=zh").get_data(as_text=True)
    sheet = page[page.index('<article class="notice-sheet') : page.index("</article>")]
    assert 'lang="zh-CN"' in sheet
    assert "贵公司三月份月报逾期未交。" in sheet
    assert "2027年3月5日" in sheet  # dates on the sheet follow the sheet's language


def test_the_print_stylesheet_prints_only_the_sheet_on_a4(app):
    css = (Path(app.static_folder) / "css" / "portal.css").read_text()
    printing = css[css.index("@media print {\n") :]
    assert "@page { size: A4" in printing
    assert ".d-print-none" in printing
    assert "#content:has(.notice-sheet) > h1" in printing
    assert re.search(r"@media print \{ nav, footer, form \{ display: none", css)  # navigation stays off paper


# --- Acknowledging ---------------------------------------------------------------------------------


def test_acknowledging_records_who_and_when_once(login, ours, reader):
    notice = make_notice(ours)
    client = login(reader)
    assert "I have read this notice" in client.get(f"/notices/{notice.id}").get_data(as_text=True)

    first = client.post(f"/notices/{notice.id}/acknowledge", follow_redirects=True)
    db.session.expire_all()
    saved = db.session.get(Notice, notice.id)
    when = saved.acknowledged_at
    assert when is not None
    assert saved.acknowledged_by_id == reader.id
    page = first.get_data(as_text=True)
    assert f"notice {notice.number} is acknowledged" in page
    assert "I have read this notice" not in page
    assert "by 陈立新" in page

    second = client.post(f"/notices/{notice.id}/acknowledge", follow_redirects=True)
    assert "This notice was already acknowledged." in second.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Notice, notice.id).acknowledged_at == when


def test_head_office_cannot_acknowledge_for_the_distributor(login, ours):
    notice = make_notice(ours)
    for role in (Role.SALES, Role.ADMIN, Role.FINANCE):
        client = login(make_user(role=role))
        assert client.post(f"/notices/{notice.id}/acknowledge").status_code == 403
        assert "I have read this notice" not in client.get(f"/notices/{notice.id}").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Notice, notice.id).acknowledged_at is None


def test_the_unread_count_in_the_navigation_follows_acknowledgements(login, ours, reader):
    first, second = make_notice(ours), make_notice(ours)
    make_notice(make_distributor())  # another distributor's notice never counts
    client = login(reader)
    assert unread_badge(client.get("/notices/").get_data(as_text=True)) == "2"
    client.post(f"/notices/{first.id}/acknowledge")
    assert unread_badge(client.get("/").get_data(as_text=True)) == "1"
    client.post(f"/notices/{second.id}/acknowledge")
    page = client.get("/notices/").get_data(as_text=True)
    assert unread_badge(page) is None
    assert 'href="/notices/"' in page  # the link stays


def test_head_office_sees_a_notices_link_without_a_count(login, ours):
    make_notice(ours)
    page = login(make_user(role=Role.FINANCE)).get("/").get_data(as_text=True)
    assert 'href="/notices/"' in page
    assert unread_badge(page) is None


def test_the_navigation_count_is_one_query_and_only_for_distributors(login, ours, reader, count_statements):
    make_notice(ours)
    distributor_client, sales_client = login(reader), login(make_user(role=Role.SALES))
    with count_statements() as statements:
        distributor_client.get(f"/distributors/{ours.id}")
    assert sum(1 for s in statements if "FROM notices" in s) == 1
    with count_statements() as statements:
        sales_client.get(f"/distributors/{ours.id}")
    assert not any("FROM notices" in s for s in statements)


# --- Head office -----------------------------------------------------------------------------------


def test_head_office_sees_every_notice_and_who_read_it(login, ours, reader):
    theirs = make_distributor(name="苏州启明智能设备有限公司")
    read = make_notice(ours)
    unread = make_notice(theirs)
    login(reader).post(f"/notices/{read.id}/acknowledge")

    client = login(make_user(role=Role.FINANCE))
    page = client.get("/notices/").get_data(as_text=True)
    assert rows(page) == [unread.number, read.number]
    assert "杭州云帆科技有限公司" in page
    assert "苏州启明智能设备有限公司" in page
    assert "by 陈立新" in page
    assert "Not yet acknowledged" in page

    detail = client.get(f"/notices/{read.id}").get_data(as_text=True)
    assert "by 陈立新" in detail
    assert "No (readable in the portal)" in detail  # not e-mailed: no SMTP server in tests


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["TZ-2028-0001", "TZ-2027-0003", "TZ-2027-0002", "TZ-2027-0001"]),
        ("read=read", ["TZ-2027-0001"]),
        ("read=unread", ["TZ-2028-0001", "TZ-2027-0003", "TZ-2027-0002"]),
        ("year=2027", ["TZ-2027-0003", "TZ-2027-0002", "TZ-2027-0001"]),
        ("type=price_list", ["TZ-2027-0002"]),
        ("type=warning&year=2028", ["TZ-2028-0001"]),
        ("distributor=THEIRS", ["TZ-2027-0003"]),
        ("type=nonsense&year=abc&read=maybe", ["TZ-2028-0001", "TZ-2027-0003", "TZ-2027-0002", "TZ-2027-0001"]),
    ],
)
def test_head_office_filters_the_list(login, ours, reader, query, expected):
    theirs = make_distributor()
    read = make_notice(ours, issued_on=date(2027, 1, 10))
    price_list = make_price_list(version="2027", effective_from=date(2027, 2, 1), published_on=date(2027, 1, 11))
    make_notice(
        ours,
        notice_type=NoticeType.PRICE_LIST,
        issued_on=date(2027, 1, 11),
        effective_on=date(2027, 2, 1),
        price_list=price_list,
    )
    make_notice(theirs, issued_on=date(2027, 1, 12))
    make_notice(ours, issued_on=date(2028, 1, 2))
    login(reader).post(f"/notices/{read.id}/acknowledge")
    query = query.replace("distributor=THEIRS", f"distributor_id={theirs.id}")
    page = login(make_user(role=Role.SALES)).get(f"/notices/?{query}").get_data(as_text=True)
    assert rows(page) == expected


def test_head_office_list_costs_the_same_statements_for_1_or_10_notices(login, count_statements):
    client = login(make_user(role=Role.SALES))

    def statements_for_page() -> int:
        with count_statements() as statements:
            assert client.get("/notices/").status_code == 200
        return len(statements)

    first = make_distributor()
    make_notice(first)
    one = statements_for_page()
    for _ in range(9):
        distributor = make_distributor()
        reader = make_user(role=Role.DISTRIBUTOR, distributor=distributor)
        notice = make_notice(distributor)
        notice.acknowledged_at, notice.acknowledged_by_id = notice.created_at, reader.id
    db.session.commit()
    assert statements_for_page() == one


# --- Issuing a warning ------------------------------------------------------------------------------


def warning_form(recipient_id, **fields):
    return {
        "distributor_id": str(recipient_id),
        "agreement_id": "",
        "message_zh": "请于十日内补交月报。",
        "message_en": "Please send the report within ten days.",
        "effective_on": "",
        **fields,
    }


def test_sales_issues_a_warning_that_the_distributor_then_reads(login, ours, reader):
    agreement = make_agreement(
        ours,
        number="XS-HZ-2027",
        starts_on=today() - timedelta(days=30),
        ends_on=today() + timedelta(days=300),
        activate_on=today() - timedelta(days=30),
    )
    sales = make_user(role=Role.SALES, full_name="刘洋")
    client = login(sales)
    form = client.get(f"/notices/new?distributor_id={ours.id}").get_data(as_text=True)
    assert f'name="distributor_id" value="{ours.id}"' in form  # the picker names it, ready to send
    assert f'value="{ours.code} {ours.name}"' in form
    assert "XS-HZ-2027" in form

    response = client.post(
        "/notices/new", data=warning_form(ours.id, agreement_id=str(agreement.id), effective_on=today().isoformat())
    )
    assert response.status_code == 302
    notice = db.session.scalar(select(Notice))
    assert response.headers["Location"] == f"/notices/{notice.id}"
    assert notice.number == f"TZ-{today().year}-0001"
    assert notice.issued_on == today()
    assert notice.effective_on == today()
    assert notice.issued_by_id == sales.id
    assert notice.agreement_id == agreement.id
    assert "Issued by" in client.get(response.headers["Location"]).get_data(as_text=True)

    inbox = login(reader).get("/notices/").get_data(as_text=True)
    assert rows(inbox) == [notice.number]
    assert "Warning (agreement XS-HZ-2027)" in inbox


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"message_en": ""}, "Write the message in both languages."),
        ({"distributor_id": ""}, "Choose the distributor."),
        ({"effective_on": "2000-01-01"}, "A notice cannot take effect before the day it is issued"),
        ({"agreement_id": "OTHER"}, "Choose one of this distributor&#39;s agreements."),
        ({"message_zh": "长" * 2001}, "Keep the message under 2000 characters."),
    ],
)
def test_a_bad_warning_is_explained_keeps_what_was_typed_and_saves_nothing(login, ours, count_rows, fields, message):
    other = make_agreement(make_distributor(), number="XS-OTHER", activate_on=START)
    fields = {k: (str(other.id) if v == "OTHER" else v) for k, v in fields.items()}
    response = login(make_user(role=Role.SALES)).post("/notices/new", data=warning_form(ours.id, **fields))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    if "message_en" in fields:
        assert "请于十日内补交月报。" in page
    assert count_rows(Notice) == 0


def test_only_sales_and_administrators_issue_warnings(login, ours, reader):
    for user in (reader, make_user(role=Role.FINANCE)):
        client = login(user)
        assert client.get("/notices/new").status_code == 403
        assert client.post("/notices/new", data=warning_form(ours.id)).status_code == 403
    assert login(make_user(role=Role.ADMIN)).get("/notices/new").status_code == 200
    assert 'href="/notices/new' not in login(make_user(role=Role.FINANCE)).get("/notices/").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.SALES, Role.FINANCE, Role.ADMIN])
def test_head_office_opens_and_prints_any_distributors_notice(login, ours, role):
    notice = make_notice(ours, message_en="Your March report is overdue.")
    client = login(make_user(role=role))
    page = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "Your March report is overdue." in page
    assert "杭州云帆科技有限公司" in page
    printed = client.get(f"/notices/{notice.id}/print")
    assert printed.status_code == 200
    assert notice.number in printed.get_data(as_text=True)
