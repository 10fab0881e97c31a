"""The agreements pages per role: what head office and a distributor see and may do (docs/rules.md §3,
§4, §12). "Today" is 2026-03-10 in Asia/Shanghai (the ``today`` fixture)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.agreements.models import Agreement, AgreementTerms, SubAgentRequest, Territory
from portal.domain.agreements import TERM_NAMES, AgreementStatus
from portal.domain.roles import Role
from portal.domain.subagents import SubAgentStatus
from portal.extensions import db
from portal.notices.models import Notice
from portal.products.models import Product

from ..audit.support import events
from ..builders import make_distributor, make_user
from .builders import END, START, make_agreement, make_product, make_regions, make_sub_agent_request, make_territory

D = date
pytestmark = pytest.mark.usefixtures("today")


def page_of(response) -> str:
    return response.get_data(as_text=True)


def value_of(page: str, name: str) -> str | None:
    """The value an input of the form shows."""
    found = re.search(rf'<input[^>]*\bname="{name}"[^>]*\bvalue="([^"]*)"', page)
    return found.group(1) if found else None


def stored(agreement: Agreement) -> Agreement:
    db.session.expire_all()
    return db.session.get(Agreement, agreement.id)


def new_agreement_form(distributor, **changes) -> dict:
    return {
        "number": "XS-2026-101",
        "distributor_id": str(distributor.id),
        "level": "level2",
        "signed_on": "2026-02-20",
        "starts_on": "2026-04-01",
        "ends_on": "2027-03-31",
        "products": [
            (
                db.session.scalar(select(Product).where(Product.sku == "PBX-MAIN-200")) or make_product("PBX-MAIN-200")
            ).sku
        ],
        "first_order_min": "50,000.00",
        "quarterly_quota": "60000",
        "deposit_percent": "30",
        "deposit_due_days": "3",
        "delivery_days": "30",
        "warranty_months": "15",
        "repair_fee_cap_percent": "20.00",
        "post_repair_warranty_months": "6",
        "repair_turnaround_days": "30",
        "repair_fee_due_days": "7",
        "revocation_notice_months": "1",
        "monthly_report_due_day": "10",
        "repair_batch_window_days": "10",
        **changes,
    }


# --- Agreements ---------------------------------------------------------------------------------


def test_the_new_agreement_form_is_filled_with_the_seed_contracts_terms(login):
    page = page_of(login(make_user(role=Role.SALES)).get("/agreements/new"))
    assert value_of(page, "first_order_min") == "50000.00"
    assert value_of(page, "deposit_percent") == "30.00"
    assert value_of(page, "warranty_months") == "15"
    assert value_of(page, "revocation_notice_months") == "1"
    assert value_of(page, "monthly_report_due_day") == "10"


def test_sales_creates_a_draft_and_reads_its_terms_in_plain_words(login):
    distributor = make_distributor(name="宁波海曙贸易有限公司")
    client = login(make_user(role=Role.SALES))

    response = client.post("/agreements/new", data=new_agreement_form(distributor))

    assert response.status_code == 302
    agreement = db.session.scalar(select(Agreement).where(Agreement.number == "XS-2026-101"))
    assert agreement.status is AgreementStatus.DRAFT
    assert str(agreement.term_versions[0].quarterly_quota) == "60000.00"
    page = page_of(client.get(response.headers["Location"]))
    assert "宁波海曙贸易有限公司" in page
    assert "Draft" in page
    assert "Deposit 30% within 3 days of confirmation; the balance before shipment." in page
    assert "Order quota: ¥60,000.00 per calendar quarter." in page
    assert "PBX-MAIN-200" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_on": "2026-03-31"}, "ends_on", "The end date must be on or after the start date."),
        ({"starts_on": "2026-13-45"}, "starts_on", "Enter a date as YYYY-MM-DD"),
        ({"signed_on": "0202-02-20"}, "signed_on", "Enter a date between 2000-01-01 and 2099-12-31."),
        ({"deposit_percent": "150"}, "deposit_percent", "A percentage cannot be more than 100."),
        ({"deposit_percent": "abc"}, "deposit_percent", "Enter an amount in digits"),
        ({"first_order_min": "NaN"}, "first_order_min", "Enter an amount in digits"),
        ({"first_order_min": "1e5"}, "first_order_min", "Enter an amount in digits"),
        ({"first_order_min": "-100"}, "first_order_min", "The amount cannot be negative."),
        ({"quarterly_quota": "100.001"}, "quarterly_quota", "Enter at most two decimals"),
        ({"warranty_months": "-3"}, "warranty_months", "Enter a whole number, such as 30."),
        ({"warranty_months": "1.5"}, "warranty_months", "Enter a whole number, such as 30."),
        ({"warranty_months": "999"}, "warranty_months", "Enter a whole number from 0 to 120."),
        ({"monthly_report_due_day": "31"}, "monthly_report_due_day", "Enter a whole number from 1 to 28."),
        ({"number": "XS 2026/1 ☃"}, "number", "Use letters, digits and"),
        ({"products": ["NOT-A-PRODUCT"]}, "products", "Choose products from the list: NOT-A-PRODUCT is not one."),
        ({"distributor_id": ""}, "distributor_id", "Choose a distributor."),
    ],
)
def test_bad_input_is_explained_the_typed_values_stay_and_nothing_is_saved(login, count_rows, changes, field, message):
    distributor = make_distributor()
    client = login(make_user(role=Role.SALES))

    response = client.post("/agreements/new", data=new_agreement_form(distributor, **changes))

    page = page_of(response)
    assert response.status_code == 422
    assert message in page
    assert value_of(page, "number") == changes.get("number", "XS-2026-101")
    typed = changes[field]
    if isinstance(typed, str) and field != "distributor_id":
        assert value_of(page, field) == typed
    assert count_rows(Agreement) == 0
    assert count_rows(AgreementTerms) == 0


def test_a_number_already_used_is_refused_on_its_field(login, count_rows):
    make_agreement(number="XS-2026-101")
    client = login(make_user(role=Role.SALES))
    response = client.post("/agreements/new", data=new_agreement_form(make_distributor(), number="xs-2026-101"))
    assert response.status_code == 409  # a duplicate, as the API answers it
    page = page_of(response)
    assert re.search(r'<input class="form-control is-invalid" id="number"[^>]*value="xs-2026-101"', page)
    number_field, message = page.index('id="number"'), page.index("Another agreement has this number.")
    assert number_field < message
    assert "<input" not in page[number_field:message]  # the message is under the number field
    assert count_rows(Agreement) == 1


def test_a_draft_is_edited_and_an_active_agreement_is_not(login):
    draft = make_agreement(number="XS-OLD")
    client = login(make_user(role=Role.SALES))
    form = client.get(f"/agreements/{draft.id}/edit")
    assert value_of(page_of(form), "number") == "XS-OLD"

    response = client.post(
        f"/agreements/{draft.id}/edit",
        data=new_agreement_form(draft.distributor, number="XS-RENAMED", deposit_percent="40"),
    )
    assert response.status_code == 302
    assert stored(draft).number == "XS-RENAMED"
    assert str(stored(draft).term_versions[0].deposit_percent) == "40.00"

    active = make_agreement(activate_on=START)
    refused = client.post(f"/agreements/{active.id}/edit", data=new_agreement_form(active.distributor))
    assert refused.status_code == 409
    assert "amend the terms" in page_of(refused)


def test_adding_and_removing_authorised_products_shows_in_the_audit_trail(login):
    """§12: a change to the agreement's authorised products is audited like its other fields."""
    kept, dropped, added = make_product("AUD-KEPT"), make_product("AUD-DROPPED"), make_product("AUD-ADDED")
    draft = make_agreement(skus=(kept.sku, dropped.sku))
    client = login(make_user(role=Role.SALES, username="liu.yang"))

    response = client.post(
        f"/agreements/{draft.id}/edit",
        data=new_agreement_form(draft.distributor, number=draft.number, products=[kept.sku, added.sku]),
    )

    assert response.status_code == 302
    update = events("agreements", draft.id)[-1]
    assert (update.action, update.actor_name) == ("update", "liu.yang")
    assert update.changes["products"] == [["AUD-DROPPED", "AUD-KEPT"], ["AUD-ADDED", "AUD-KEPT"]]
    trail = page_of(client.get(f"/audit/?table=agreements&record={draft.id}"))
    assert "AUD-DROPPED, AUD-KEPT" in trail
    assert "AUD-ADDED, AUD-KEPT" in trail


def test_activation_today_and_an_overlapping_agreement_is_refused_with_a_clear_message(login):
    distributor = make_distributor()
    make_agreement(distributor, activate_on=START)  # 2026
    overlapping = make_agreement(
        distributor, signed_on=D(2026, 3, 1), starts_on=D(2026, 12, 1), ends_on=D(2027, 11, 30)
    )
    later = make_agreement(distributor, signed_on=D(2026, 3, 1), starts_on=D(2027, 1, 1), ends_on=D(2027, 12, 31))
    client = login(make_user(role=Role.SALES))

    refused = client.post(f"/agreements/{overlapping.id}/activate")
    assert refused.status_code == 409
    assert "The distributor already has an active agreement for some of these dates." in page_of(refused)
    assert stored(overlapping).status is AgreementStatus.DRAFT

    done = client.post(f"/agreements/{later.id}/activate")
    assert done.status_code == 302
    assert (stored(later).status, stored(later).activated_on) == (AgreementStatus.ACTIVE, D(2026, 3, 10))


def test_an_amendment_keeps_both_versions_readable(login, count_rows):
    agreement = make_agreement(activate_on=START)
    client = login(make_user(role=Role.SALES))
    form = page_of(client.get(f"/agreements/{agreement.id}/amend"))
    assert value_of(form, "quarterly_quota") == "50000.00"  # starts from the terms in force

    response = client.post(
        f"/agreements/{agreement.id}/amend",
        data={
            **new_agreement_form(agreement.distributor, quarterly_quota="80000.00"),
            "effective_from": "2026-04-01",
            "note": "第二季度起提高任务额",
        },
    )

    assert response.status_code == 302
    history = page_of(client.get(f"/agreements/{agreement.id}/terms"))
    assert "¥50,000.00" in history
    assert "¥80,000.00" in history
    assert "第二季度起提高任务额" in history
    assert (
        stored(agreement).terms_on(D(2026, 3, 31)).quarterly_quota
        != stored(agreement).terms_on(D(2026, 4, 1)).quarterly_quota
    )
    # Today (2026-03-10) the signed terms are still in force:
    assert "Order quota: ¥50,000.00 per calendar quarter." in page_of(client.get(f"/agreements/{agreement.id}"))
    assert count_rows(AgreementTerms) == 2


@pytest.mark.parametrize(
    ("effective_from", "message"),
    [
        ("2027-01-01", "The amendment must take effect after the start and on or before the end."),
        ("2026-03-01", "An amendment cannot take effect before the day it is recorded (2026-03-10)."),
        ("someday", "Enter a date as YYYY-MM-DD"),
    ],
)
def test_an_amendment_outside_the_term_is_refused_and_nothing_is_saved(login, count_rows, effective_from, message):
    agreement = make_agreement(activate_on=START)
    client = login(make_user(role=Role.SALES))
    response = client.post(
        f"/agreements/{agreement.id}/amend",
        data={**new_agreement_form(agreement.distributor), "effective_from": effective_from, "note": "调整"},
    )
    assert response.status_code == 422
    assert message in page_of(response)
    assert value_of(page_of(response), "effective_from") == effective_from
    assert count_rows(AgreementTerms) == 1


def test_the_status_reads_expired_the_day_after_the_end_before_the_daily_command(login):
    ended = make_agreement(starts_on=D(2025, 3, 10), ends_on=D(2026, 3, 9), activate_on=D(2025, 3, 10))
    last_day = make_agreement(starts_on=D(2025, 3, 11), ends_on=D(2026, 3, 10), activate_on=D(2025, 3, 11))
    client = login(make_user(role=Role.FINANCE))

    assert "Expired" in page_of(client.get(f"/agreements/{ended.id}"))
    assert "Active" in page_of(client.get(f"/agreements/{last_day.id}"))
    listed = page_of(client.get("/agreements/?status=expired"))
    assert ended.number in listed
    assert last_day.number not in listed
    listed = page_of(client.get("/agreements/?status=active"))
    assert last_day.number in listed
    assert ended.number not in listed


def test_the_daily_command_marks_expired_agreements_once(app, today):
    agreement = make_agreement(starts_on=D(2025, 3, 10), ends_on=D(2026, 3, 9), activate_on=D(2025, 3, 10))
    runner = app.test_cli_runner()

    first = runner.invoke(args=["portal", "expire-agreements"])
    again = runner.invoke(args=["portal", "expire-agreements"])

    assert "1 expired" in first.output
    assert "0 expired, 0 terminated" in again.output
    assert stored(agreement).status is AgreementStatus.EXPIRED
    assert runner.invoke(args=["portal", "expire-agreements", "--on", "2026-03-11"]).exit_code != 0  # the future


def test_sales_terminates_with_a_written_notice_and_the_status_follows_its_effective_date(login, count_rows):
    agreement = make_agreement(activate_on=START)
    client = login(make_user(role=Role.SALES))

    response = client.post(
        f"/agreements/{agreement.id}/terminate", data={"notice_on": "2026-03-10", "reason": "连续两个季度未完成任务额"}
    )

    assert response.status_code == 302
    notice = db.session.scalar(select(Notice))
    assert (notice.issued_on, notice.effective_on, notice.agreement_id) == (
        D(2026, 3, 10),
        D(2026, 4, 11),
        agreement.id,
    )
    page = page_of(client.get(f"/agreements/{agreement.id}"))
    assert "Active" in page  # until the notice takes effect
    assert f"Terminated by notice {notice.number}" in page
    assert stored(agreement).status_on(D(2026, 4, 10)) is AgreementStatus.ACTIVE  # the notice's last day
    assert stored(agreement).status_on(D(2026, 4, 11)) is AgreementStatus.TERMINATED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"notice_on": "2026-03-11", "reason": "调整"}, "This date is in the future"),
        ({"notice_on": "2026-03-10", "reason": ""}, "This field is required"),
    ],
)
def test_a_termination_with_a_future_date_or_no_reason_is_refused(login, count_rows, data, message):
    agreement = make_agreement(activate_on=START)
    response = login(make_user(role=Role.SALES)).post(f"/agreements/{agreement.id}/terminate", data=data)
    assert response.status_code == 422
    assert message in page_of(response)
    assert count_rows(Notice) == 0
    assert stored(agreement).terminated_on is None


def test_a_termination_that_would_come_after_the_end_is_refused_by_the_rule(login, count_rows):
    agreement = make_agreement(starts_on=D(2025, 4, 1), ends_on=D(2026, 3, 31), activate_on=D(2025, 4, 1))
    response = login(make_user(role=Role.SALES)).post(
        f"/agreements/{agreement.id}/terminate", data={"notice_on": "2026-03-10", "reason": "调整"}
    )
    assert response.status_code == 409
    assert "let it expire instead" in page_of(response)
    assert value_of(page_of(response), "notice_on") == "2026-03-10"
    assert count_rows(Notice) == 0


def test_finance_reads_agreements_but_changes_nothing(login, count_rows):
    agreement = make_agreement(activate_on=START)
    draft = make_agreement()
    client = login(make_user(role=Role.FINANCE))
    assert client.get("/agreements/").status_code == 200
    assert client.get(f"/agreements/{agreement.id}").status_code == 200
    assert client.get(f"/agreements/{agreement.id}/territories").status_code == 200
    for method, url in [
        ("GET", "/agreements/new"),
        ("POST", f"/agreements/{draft.id}/edit"),
        ("POST", f"/agreements/{draft.id}/activate"),
        ("POST", f"/agreements/{agreement.id}/amend"),
        ("POST", f"/agreements/{agreement.id}/terminate"),
        ("POST", f"/agreements/{agreement.id}/territories"),
        ("POST", f"/agreements/{agreement.id}/territories/revoke"),
    ]:
        assert client.open(url, method=method, data={}).status_code == 403, url
    page = page_of(client.get(f"/agreements/{agreement.id}"))
    assert "Terminate" not in page
    assert "Amend the terms" not in page


def test_a_distributor_sees_its_own_agreements_only(login):
    ours, theirs = make_distributor(), make_distributor()
    mine = make_agreement(ours, number="XS-MINE", activate_on=START)
    other = make_agreement(theirs, number="XS-THEIRS", activate_on=START)
    client = login(make_user(role=Role.DISTRIBUTOR, distributor=ours))

    listed = page_of(client.get("/agreements/"))
    assert "XS-MINE" in listed
    assert "XS-THEIRS" not in listed
    assert "Deposit 30% within 3 days" in page_of(client.get(f"/agreements/{mine.id}"))
    for url in (f"/agreements/{other.id}", f"/agreements/{other.id}/terms", f"/agreements/{other.id}/territories"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/agreements/?distributor_id={theirs.id}").status_code == 200
    assert "XS-THEIRS" not in page_of(client.get(f"/agreements/?distributor_id={theirs.id}"))
    assert client.get("/agreements/new").status_code == 403


def test_the_list_paginates_in_sql_with_the_same_statements_for_3_or_30_agreements(login, count_statements):
    client = login(make_user(role=Role.SALES))
    for _ in range(3):
        make_agreement(activate_on=START)
    with count_statements() as few:
        assert client.get("/agreements/?per_page=100").status_code == 200
    for _ in range(27):
        make_agreement()
    with count_statements() as many:
        page = page_of(client.get("/agreements/?per_page=100"))
    assert len(many) == len(few)
    assert page.count("/agreements/") >= 30
    # The rows' distributors come with the agreements in one statement; no statement reads
    # distributors as records by themselves (the filter's choices are id, code and name).
    assert not [s for s in many if "contact_email" in s and "FROM distributors" in s]
    assert page_of(client.get("/agreements/?per_page=10&page=3")).count("XS-T-") == 10


# --- Territories --------------------------------------------------------------------------------


@pytest.fixture
def regions(app):
    make_regions()


def test_sales_grants_a_region_and_sees_who_else_holds_it(login, regions):
    ours = make_agreement(make_distributor(name="杭州云帆"), activate_on=START)
    province = make_agreement(make_distributor(name="浙江全省代理"), activate_on=START)
    make_territory(province, "330000")
    client = login(make_user(role=Role.SALES))

    response = client.post(
        f"/agreements/{ours.id}/territories", data={"region_code": "330100", "granted_on": "2026-03-10"}
    )

    assert response.status_code == 302
    page = page_of(client.get(f"/agreements/{ours.id}/territories"))
    assert "杭州市" in page
    assert "Granted" in page
    assert "浙江全省代理" in page
    assert "contains this region" in page
    holder_page = page_of(client.get(f"/agreements/{province.id}/territories"))
    assert "杭州云帆" in holder_page
    assert "inside this region" in holder_page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"region_code": "999999", "granted_on": "2026-03-10"}, "There is no region with this code."),
        ({"region_code": "33010", "granted_on": "2026-03-10"}, "A region code has six digits"),
        ({"region_code": "330100", "granted_on": "2027-01-01"}, "Grant the region on a day of the agreement"),
        ({"region_code": "330100", "granted_on": "31/12/2026"}, "Enter a date as YYYY-MM-DD"),
    ],
)
def test_a_bad_grant_is_explained_and_nothing_is_saved(login, regions, count_rows, data, message):
    agreement = make_agreement(activate_on=START)
    response = login(make_user(role=Role.SALES)).post(f"/agreements/{agreement.id}/territories", data=data)
    assert response.status_code == 422
    assert message in page_of(response)
    assert value_of(page_of(response), "region_code") == data["region_code"]
    assert count_rows(Territory) == 0


def test_granting_a_region_the_agreement_already_holds_is_refused_by_the_rule(login, regions, count_rows):
    agreement = make_agreement(activate_on=START)
    make_territory(agreement, "330100")
    response = login(make_user(role=Role.SALES)).post(
        f"/agreements/{agreement.id}/territories", data={"region_code": "330100", "granted_on": "2026-03-10"}
    )
    assert response.status_code == 409
    assert "This region is already granted to this agreement." in page_of(response)
    assert count_rows(Territory) == 1


def test_revoking_several_regions_issues_one_notice_and_they_stay_granted_until_it_takes_effect(login, regions):
    agreement = make_agreement(activate_on=START)
    for code in ("330100", "330200", "320500"):
        make_territory(agreement, code)
    client = login(make_user(role=Role.SALES))

    response = client.post(
        f"/agreements/{agreement.id}/territories/revoke",
        data={"region_codes": ["330100", "330200"], "notice_on": "2026-03-10", "reason": "季度考核未达标"},
    )

    assert response.status_code == 302
    notice = db.session.scalar(select(Notice))
    assert notice.effective_on == D(2026, 4, 11)
    page = page_of(client.get(f"/agreements/{agreement.id}/territories"))
    assert page.count("revocation takes effect Apr 11, 2026") == 2
    assert f"Notice {notice.number}" in page
    history = page_of(client.get("/agreements/regions/330100"))
    assert agreement.number in history
    assert notice.number in history


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"region_codes": ["330106"], "notice_on": "2026-03-10"}, "Not granted to this agreement on 2026-03-10"),
        ({"region_codes": ["330100", "330200"], "notice_on": "2026-03-10"}, "330200"),
        ({"notice_on": "2026-03-10"}, "Choose at least one region to revoke."),
        ({"region_codes": ["330100"], "notice_on": "2026-03-11"}, "This date is in the future"),
    ],
)
def test_a_revocation_of_a_region_not_granted_is_refused_and_nothing_changes(login, regions, count_rows, data, message):
    agreement = make_agreement(activate_on=START)
    make_territory(agreement, "330100")
    response = login(make_user(role=Role.SALES)).post(f"/agreements/{agreement.id}/territories/revoke", data=data)
    assert response.status_code == 422
    assert message in page_of(response)
    assert count_rows(Notice) == 0
    assert db.session.scalar(select(Territory.revoked_effective_on)) is None


def test_a_distributor_sees_its_territories_but_not_who_else_holds_them(login, regions):
    ours, theirs = make_distributor(), make_distributor(name="别家经销商")
    mine = make_agreement(ours, activate_on=START)
    make_territory(mine, "330100")
    make_territory(make_agreement(theirs, activate_on=START), "330100")
    client = login(make_user(role=Role.DISTRIBUTOR, distributor=ours))

    page = page_of(client.get(f"/agreements/{mine.id}/territories"))
    assert "杭州市" in page
    assert "别家经销商" not in page
    assert 'name="region_codes"' not in page  # no revocation form
    assert client.get("/agreements/regions/330100").status_code == 403


def test_the_region_history_lists_every_grant_across_agreements(login, regions):
    first = make_agreement(number="XS-A", activate_on=START)
    make_territory(first, "330100")
    second = make_agreement(number="XS-B", activate_on=START)
    make_territory(second, "330000")
    client = login(make_user(role=Role.FINANCE))
    page = page_of(client.get("/agreements/regions/330100"))
    assert "XS-A" in page
    assert "XS-B" in page  # holds the province above it
    assert client.get("/agreements/regions/999999").status_code == 404
    assert client.get("/agreements/regions/?code=330100").headers["Location"].endswith("/agreements/regions/330100")


def test_a_drafts_region_is_removed_without_notice(login, regions, count_rows):
    draft = make_agreement()
    territory = make_territory(draft, "330100")
    client = login(make_user(role=Role.SALES))
    assert client.post(f"/agreements/territories/{territory.id}/remove").status_code == 302
    assert count_rows(Territory) == 0
    active = make_agreement(activate_on=START)
    kept = make_territory(active, "330100")
    refused = client.post(f"/agreements/territories/{kept.id}/remove")
    assert refused.status_code == 409
    assert count_rows(Territory) == 1


def test_the_territories_page_and_region_history_cost_the_same_statements_for_3_or_30_rows(
    login, regions, count_statements
):
    from ..builders import make_region

    districts = [f"3301{n:02d}" for n in range(40, 70)]
    for code in districts:
        make_region(code, f"区{code}", "330100")
    ours = make_agreement(activate_on=START)
    client = login(make_user(role=Role.SALES))

    def grant(codes):
        for code in codes:
            make_territory(ours, code)
            make_territory(make_agreement(activate_on=START), code)  # another holder of each

    grant(districts[:3])
    with count_statements() as few:
        client.get(f"/agreements/{ours.id}/territories?per_page=100")
    with count_statements() as few_history:
        client.get("/agreements/regions/330100")
    grant(districts[3:])
    with count_statements() as many:
        page = page_of(client.get(f"/agreements/{ours.id}/territories?per_page=100"))
    with count_statements() as many_history:
        history = page_of(client.get("/agreements/regions/330100"))
    assert len(many) == len(few)
    assert len(many_history) == len(few_history)
    assert page.count("same region</div>") == 30
    assert history.count("XS-T-") >= 60


# --- Sub-agents ---------------------------------------------------------------------------------

SUB_AGENT = {
    "name": "西湖区电讯器材门市部",
    "region_code": "330106",
    "contact_name": "张伟",
    "contact_phone": "0571-8765 4321",
    "note": "主营企业通信",
}


def test_a_distributor_requests_a_sub_agent_and_sees_head_offices_decision(login, regions):
    distributor = make_distributor()
    agent = login(make_user(role=Role.DISTRIBUTOR, distributor=distributor))
    sales = login(make_user(role=Role.SALES))

    response = agent.post("/agreements/sub-agents/new", data=SUB_AGENT)
    assert response.status_code == 302
    request = db.session.scalar(select(SubAgentRequest))
    assert request.distributor_id == distributor.id
    assert "Awaiting decision" in page_of(agent.get("/agreements/sub-agents/"))

    queue = page_of(sales.get("/agreements/sub-agents/"))
    assert "西湖区电讯器材门市部" in queue
    refused = sales.post(f"/agreements/sub-agents/{request.id}/decide", data={"decision": "reject", "reason": ""})
    assert refused.status_code == 422
    assert "Give the distributor a reason for the rejection." in page_of(refused)
    assert db.session.get(SubAgentRequest, request.id).status is SubAgentStatus.REQUESTED

    done = sales.post(
        f"/agreements/sub-agents/{request.id}/decide", data={"decision": "reject", "reason": "该区域网点已饱和"}
    )
    assert done.status_code == 302
    page = page_of(agent.get(f"/agreements/sub-agents/{request.id}"))
    assert "Rejected" in page
    assert "该区域网点已饱和" in page
    assert "西湖区电讯器材门市部" not in page_of(sales.get("/agreements/sub-agents/"))  # left the queue
    assert "西湖区电讯器材门市部" in page_of(sales.get("/agreements/sub-agents/?status=rejected"))
    again = sales.post(f"/agreements/sub-agents/{request.id}/decide", data={"decision": "approve"})
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"region_code": "999999"}, "There is no region with this code."),
        ({"region_code": "hangzhou"}, "A region code has six digits"),
        ({"contact_phone": "call me"}, "Use digits, spaces and + - ( ) only."),
    ],
)
def test_a_bad_request_is_explained_and_nothing_is_saved(login, regions, count_rows, changes, message):
    client = login(make_user(role=Role.DISTRIBUTOR))
    response = client.post("/agreements/sub-agents/new", data={**SUB_AGENT, **changes})
    assert response.status_code == 422
    assert message in page_of(response)
    assert value_of(page_of(response), "contact_name") == "张伟"
    assert count_rows(SubAgentRequest) == 0


def test_head_office_sees_whether_the_sub_agent_sells_inside_the_territory(login, regions):
    distributor = make_distributor()
    make_territory(make_agreement(distributor, activate_on=START), "330100")
    inside = make_sub_agent_request(distributor, region_code="330106")
    outside = make_sub_agent_request(distributor, region_code="330200")
    client = login(make_user(role=Role.SALES))
    assert "inside the distributor" in page_of(client.get(f"/agreements/sub-agents/{inside.id}"))
    assert "outside the distributor" in page_of(client.get(f"/agreements/sub-agents/{outside.id}"))


def test_a_distributor_sees_its_own_requests_only_and_cannot_decide(login, regions):
    ours, theirs = make_distributor(), make_distributor()
    make_sub_agent_request(ours, name="我们的网点")
    other = make_sub_agent_request(theirs, name="别人的网点")
    client = login(make_user(role=Role.DISTRIBUTOR, distributor=ours))
    listed = page_of(client.get("/agreements/sub-agents/"))
    assert "我们的网点" in listed
    assert "别人的网点" not in listed
    assert client.get(f"/agreements/sub-agents/{other.id}").status_code == 404
    assert client.post(f"/agreements/sub-agents/{other.id}/decide", data={"decision": "approve"}).status_code == 403
    assert login(make_user(role=Role.SALES)).get("/agreements/sub-agents/new").status_code == 403


def test_the_sub_agent_queue_costs_the_same_statements_for_3_or_30_requests(login, regions, count_statements):
    client = login(make_user(role=Role.SALES))
    for _ in range(3):
        make_sub_agent_request(make_distributor())
    with count_statements() as few:
        client.get("/agreements/sub-agents/?per_page=100")
    for _ in range(27):
        make_sub_agent_request(make_distributor())
    with count_statements() as many:
        page = page_of(client.get("/agreements/sub-agents/?per_page=100"))
    assert len(many) == len(few)
    assert page.count("西湖区电讯器材门市部") == 30


def test_every_page_has_a_title_and_the_nav_links_the_area(login, regions):
    agreement = make_agreement(activate_on=START)
    make_territory(agreement, "330100")
    request = make_sub_agent_request(agreement.distributor)
    client = login(make_user(role=Role.ADMIN))
    for url in [
        "/agreements/",
        "/agreements/new",
        f"/agreements/{agreement.id}",
        f"/agreements/{agreement.id}/terms",
        f"/agreements/{agreement.id}/amend",
        f"/agreements/{agreement.id}/terminate",
        f"/agreements/{agreement.id}/territories",
        "/agreements/regions/330100",
        "/agreements/sub-agents/",
        f"/agreements/sub-agents/{request.id}",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        page = page_of(response)
        assert "<title> · " not in page, url
        assert 'href="/agreements/sub-agents/"' in page, url
    assert END  # the builders' default term


# --- a term typed as spaces only (was a 500) --------------------------------------------------------


@pytest.mark.parametrize("blank", ["   ", "\t", "\u3000"])  # spaces, a tab, the ideographic space
@pytest.mark.parametrize("term", TERM_NAMES)
@pytest.mark.parametrize("page", ["new", "edit", "amend"])
def test_a_term_of_spaces_only_is_refused_on_its_field_and_nothing_is_saved(login, count_rows, page, term, blank):
    client = login(make_user(role=Role.SALES))
    if page == "new":
        distributor = make_distributor()
        url, extra = "/agreements/new", {}
    else:
        agreement = make_agreement(activate_on=START) if page == "amend" else make_agreement()
        distributor = agreement.distributor
        url = f"/agreements/{agreement.id}/{page}"
        extra = {"effective_from": "2026-04-01", "note": "调整"} if page == "amend" else {}
    versions = count_rows(AgreementTerms)

    response = client.post(url, data={**new_agreement_form(distributor, **{term: blank}), **extra})

    assert response.status_code == 422
    assert "Enter a value for this term." in page_of(response)
    assert count_rows(AgreementTerms) == versions
