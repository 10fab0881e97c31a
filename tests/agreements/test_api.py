"""/api/v1/agreements and /api/v1/sub-agent-requests: the same rules as the pages, per role (docs/api.md).
"Today" is 2026-03-10 in Asia/Shanghai (the ``today`` fixture)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.agreements.models import Agreement, AgreementTerms, SubAgentRequest, Territory
from portal.domain.agreements import AgreementStatus
from portal.domain.roles import Role
from portal.extensions import db
from portal.notices.models import Notice
from portal.products.models import Product

from ..api.support import error_of
from ..audit.support import events
from ..builders import make_distributor, make_user
from .builders import START, make_agreement, make_product, make_regions, make_sub_agent_request, make_territory

D = date
LIST = "/api/v1/agreements"
pytestmark = pytest.mark.usefixtures("today")


def new_body(distributor, **changes):
    if db.session.scalar(select(Product).where(Product.sku == "PBX-MAIN-200")) is None:
        make_product("PBX-MAIN-200")
    return {
        "number": "XS-2026-201",
        "distributor_id": distributor.id,
        "signed_on": "2026-02-20",
        "starts_on": "2026-04-01",
        "ends_on": "2027-03-31",
        "products": ["PBX-MAIN-200"],
        **changes,
    }


@pytest.fixture
def sales(api):
    return api(make_user(role=Role.SALES))


# --- Agreements ---------------------------------------------------------------------------------


def test_sales_creates_a_draft_with_the_seed_terms_and_the_distributors_level(sales, count_rows):
    distributor = make_distributor(level="level1")

    response = sales.post(LIST, json=new_body(distributor, terms={"quarterly_quota": "60000.00"}))

    assert response.status_code == 201, response.json
    body = response.json
    assert response.headers["Location"].endswith(f"{LIST}/{body['id']}")
    assert (body["status"], body["level"], body["products"]) == ("draft", "level1", ["PBX-MAIN-200"])
    assert body["terms"] == {
        "first_order_min": "50000.00",
        "quarterly_quota": "60000.00",
        "deposit_percent": "30.00",
        "deposit_due_days": 3,
        "delivery_days": 30,
        "warranty_months": 15,
        "post_repair_warranty_months": 6,
        "repair_fee_cap_percent": "20.00",
        "repair_turnaround_days": 30,
        "repair_fee_due_days": 7,
        "revocation_notice_months": 1,
        "monthly_report_due_day": 10,
        "repair_batch_window_days": 10,
    }
    assert count_rows(AgreementTerms) == 1


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"ends_on": "2026-03-31"}, 422, "ends_on"),
        ({"starts_on": "2026-02-30"}, 422, "starts_on"),
        ({"signed_on": "0026-02-20"}, 422, "signed_on"),
        ({"terms": {"deposit_percent": "130.00"}}, 422, "terms.deposit_percent"),
        ({"terms": {"deposit_percent": 30}}, 422, "terms.deposit_percent"),  # a number, not a string
        ({"terms": {"first_order_min": "NaN"}}, 422, "terms.first_order_min"),
        ({"terms": {"first_order_min": "1e5"}}, 422, "terms.first_order_min"),
        ({"terms": {"quarterly_quota": "12.345"}}, 422, "terms.quarterly_quota"),
        ({"terms": {"warranty_months": -1}}, 422, "terms.warranty_months"),
        ({"terms": {"warranty_months": "15"}}, 422, "terms.warranty_months"),
        ({"terms": {"deposit_due_days": 1.5}}, 422, "terms.deposit_due_days"),
        ({"terms": {"no_such_term": 1}}, 422, "terms.no_such_term"),
        ({"products": ["NOPE"]}, 422, "products"),
        ({"distributor_id": 999999}, 422, "distributor_id"),
        ({"number": ""}, 422, "number"),
        ({"level": "level3"}, 422, "level"),
    ],
)
def test_bad_fields_answer_422_naming_them_and_nothing_is_saved(sales, count_rows, changes, status, field):
    response = sales.post(LIST, json=new_body(make_distributor(), **changes))

    assert response.status_code == status, response.json
    assert field in error_of(response)["fields"], response.json
    assert count_rows(Agreement) == 0


def test_a_number_already_used_answers_409_on_its_field(sales, count_rows):
    make_agreement(number="XS-2026-201")
    response = sales.post(LIST, json=new_body(make_distributor(), number="xs-2026-201"))
    assert response.status_code == 409
    assert list(error_of(response)["fields"]) == ["number"]
    assert count_rows(Agreement) == 1


def test_a_draft_is_patched_and_an_active_agreement_answers_409(sales):
    draft = make_agreement()
    response = sales.patch(f"{LIST}/{draft.id}", json={"ends_on": "2026-06-30", "terms": {"deposit_percent": "40.00"}})
    assert response.status_code == 200, response.json
    assert response.json["ends_on"] == "2026-06-30"
    assert response.json["terms"]["deposit_percent"] == "40.00"
    assert response.json["terms"]["quarterly_quota"] == "50000.00"  # unchanged
    assert sales.patch(f"{LIST}/{draft.id}", json={"ends_on": None}).status_code == 422

    active = make_agreement(activate_on=START)
    refused = sales.patch(f"{LIST}/{active.id}", json={"terms": {"deposit_percent": "40.00"}})
    assert refused.status_code == 409
    assert "amend" in error_of(refused)["message"]


def test_adding_and_removing_authorised_products_shows_in_the_audit_trail(sales):
    """§12: a change to the agreement's authorised products is audited like its other fields."""
    for sku in ("AUD-KEPT", "AUD-DROPPED", "AUD-ADDED"):
        make_product(sku)
    draft = make_agreement(skus=("AUD-KEPT",))
    created = events("agreements", draft.id)[0]
    assert created.changes["products"] == [None, ["AUD-KEPT"]]

    assert sales.patch(f"{LIST}/{draft.id}", json={"products": ["AUD-KEPT", "AUD-DROPPED"]}).status_code == 200
    assert sales.patch(f"{LIST}/{draft.id}", json={"products": ["AUD-ADDED", "AUD-KEPT"]}).status_code == 200
    assert sales.patch(f"{LIST}/{draft.id}", json={"ends_on": "2026-06-30"}).status_code == 200

    changes = [event.changes for event in events("agreements", draft.id)[1:]]
    assert [c["products"] for c in changes if "products" in c] == [
        [["AUD-KEPT"], ["AUD-DROPPED", "AUD-KEPT"]],
        [["AUD-DROPPED", "AUD-KEPT"], ["AUD-ADDED", "AUD-KEPT"]],
    ]
    assert "products" not in changes[-1]  # unchanged products are not listed


def test_activation_answers_409_for_an_overlap_and_changes_nothing(sales):
    distributor = make_distributor()
    make_agreement(distributor, activate_on=START)
    overlapping = make_agreement(distributor, signed_on=D(2026, 3, 1), starts_on=D(2026, 6, 1), ends_on=D(2027, 5, 31))
    other = make_agreement(signed_on=D(2026, 3, 1), starts_on=D(2026, 6, 1), ends_on=D(2027, 5, 31))

    refused = sales.post(f"{LIST}/{overlapping.id}/activate")
    done = sales.post(f"{LIST}/{other.id}/activate")

    assert refused.status_code == 409
    assert error_of(refused)["message"] == "The distributor already has an active agreement for some of these dates."
    db.session.expire_all()
    assert db.session.get(Agreement, overlapping.id).status is AgreementStatus.DRAFT
    assert done.status_code == 200
    assert (done.json["status"], done.json["activated_on"]) == ("active", "2026-03-10")


def test_status_is_read_off_the_dates_and_filters_agree(api):
    ended = make_agreement(starts_on=D(2025, 3, 10), ends_on=D(2026, 3, 9), activate_on=D(2025, 3, 10))
    running = make_agreement(starts_on=D(2025, 3, 11), ends_on=D(2026, 3, 10), activate_on=D(2025, 3, 11))
    caller = api(make_user(role=Role.FINANCE))

    assert caller.get(f"{LIST}/{ended.id}").json["status"] == "expired"
    assert caller.get(f"{LIST}/{running.id}").json["status"] == "active"
    assert [i["id"] for i in caller.get(f"{LIST}?status=expired").json["items"]] == [ended.id]
    assert [i["id"] for i in caller.get(f"{LIST}?status=active").json["items"]] == [running.id]
    assert caller.get(f"{LIST}?status=finished").status_code == 422


def test_an_amendment_adds_a_version_and_both_stay_readable(sales, count_rows):
    agreement = make_agreement(activate_on=START)

    response = sales.post(
        f"{LIST}/{agreement.id}/amendments",
        json={"effective_from": "2026-04-01", "note": "第二季度起提高任务额", "terms": {"quarterly_quota": "80000.00"}},
    )

    assert response.status_code == 201, response.json
    assert response.json["terms"]["quarterly_quota"] == "80000.00"
    assert response.json["terms"]["deposit_percent"] == "30.00"  # the rest as in force
    versions = sales.get(f"{LIST}/{agreement.id}/terms").json["items"]
    assert [(v["effective_from"], v["terms"]["quarterly_quota"]) for v in versions] == [
        ("2026-01-01", "50000.00"),
        ("2026-04-01", "80000.00"),
    ]
    today_view = sales.get(f"{LIST}/{agreement.id}").json
    assert (today_view["terms_effective_from"], today_view["terms"]["quarterly_quota"]) == ("2026-01-01", "50000.00")


@pytest.mark.parametrize(("effective_from", "status"), [("2027-01-01", 422), ("2026-03-09", 422), ("2026-3-1", 422)])
def test_an_amendment_outside_the_term_is_refused(sales, count_rows, effective_from, status):
    agreement = make_agreement(activate_on=START)
    response = sales.post(
        f"{LIST}/{agreement.id}/amendments", json={"effective_from": effective_from, "note": "调整", "terms": {}}
    )
    assert response.status_code == status
    assert list(error_of(response)["fields"]) == ["effective_from"]
    assert count_rows(AgreementTerms) == 1


def test_an_amendment_of_a_draft_answers_409(sales):
    response = sales.post(
        f"{LIST}/{make_agreement().id}/amendments", json={"effective_from": "2026-04-01", "note": "调整", "terms": {}}
    )
    assert response.status_code == 409


def test_termination_issues_a_notice_and_the_status_follows_its_effective_date(sales, count_rows):
    agreement = make_agreement(activate_on=START)

    response = sales.post(
        f"{LIST}/{agreement.id}/terminate", json={"notice_on": "2026-01-31", "reason": "多次跨区域销售"}
    )

    assert response.status_code == 200, response.json
    assert response.json["notice"]["effective_on"] == "2026-03-01"  # the month's notice ends 28 Feb
    assert response.json["agreement"]["terminated_on"] == "2026-03-01"
    assert response.json["agreement"]["status"] == "terminated"  # today is 2026-03-10
    assert count_rows(Notice) == 1
    again = sales.post(f"{LIST}/{agreement.id}/terminate", json={"reason": "再次"})
    assert again.status_code == 409
    future = sales.post(
        f"{LIST}/{make_agreement(activate_on=START).id}/terminate", json={"notice_on": "2026-03-11", "reason": "调整"}
    )
    assert future.status_code == 422
    assert list(error_of(future)["fields"]) == ["notice_on"]
    assert count_rows(Notice) == 1


def test_a_distributor_reads_its_own_agreements_only_and_changes_nothing(api, count_rows):
    ours, theirs = make_distributor(), make_distributor()
    mine = make_agreement(ours, activate_on=START)
    other = make_agreement(theirs, activate_on=START)
    caller = api(make_user(role=Role.DISTRIBUTOR, distributor=ours))

    assert [i["id"] for i in caller.get(LIST).json["items"]] == [mine.id]
    assert [i["id"] for i in caller.get(f"{LIST}?distributor_id={theirs.id}").json["items"]] == []
    for path in (f"{LIST}/{other.id}", f"{LIST}/{other.id}/terms", f"{LIST}/{other.id}/territories"):
        assert caller.get(path).status_code == 404, path
    assert caller.post(LIST, json=new_body(ours)).status_code == 403
    assert caller.post(f"{LIST}/{mine.id}/activate").status_code == 403
    assert count_rows(Agreement) == 2


def test_finance_reads_but_cannot_write(api):
    agreement = make_agreement()
    caller = api(make_user(role=Role.FINANCE))
    assert caller.get(f"{LIST}/{agreement.id}").status_code == 200
    assert caller.patch(f"{LIST}/{agreement.id}", json={}).status_code == 403
    assert caller.post(f"{LIST}/{agreement.id}/territories", json={"region_code": "330100"}).status_code == 403


def test_the_list_takes_the_same_statements_for_3_and_30_agreements(sales, count_statements):
    sales.get(LIST)  # the token's first use is recorded; later calls only read
    for _ in range(3):
        make_agreement(activate_on=START)
    with count_statements() as few:
        assert len(sales.get(f"{LIST}?per_page=200").json["items"]) == 3
    for _ in range(27):
        make_agreement()
    with count_statements() as many:
        body = sales.get(f"{LIST}?per_page=200").json
    assert len(body["items"]) == 30
    assert len(many) == len(few)
    page = sales.get(f"{LIST}?per_page=7&page=2").json
    assert (page["page"], page["pages"], page["per_page"], page["total"]) == (2, 5, 7, 30)


# --- Territories --------------------------------------------------------------------------------


@pytest.fixture
def regions(app):
    make_regions()


def test_grant_list_and_revoke_territories(sales, regions, count_rows):
    agreement = make_agreement(activate_on=START)
    path = f"{LIST}/{agreement.id}/territories"

    granted = sales.post(path, json={"region_code": "330100", "granted_on": "2026-01-01"})
    sales.post(path, json={"region_code": "330200", "granted_on": "2026-01-15"})
    sales.post(path, json={"region_code": "320500"})  # granted today
    assert granted.status_code == 201, granted.json
    assert (granted.json["region_name"], granted.json["granted"]) == ("杭州市", True)

    revoked = sales.post(
        f"{path}/revoke",
        json={"region_codes": ["330100", "330200"], "notice_on": "2026-01-31", "reason": "季度考核未达标"},
    )
    assert revoked.status_code == 200, revoked.json
    assert revoked.json["notice"]["effective_on"] == "2026-03-01"
    assert {t["region_code"] for t in revoked.json["territories"]} == {"330100", "330200"}
    assert count_rows(Notice) == 1
    listed = {t["region_code"]: t for t in sales.get(path).json["items"]}
    assert listed["330100"]["revoked_effective_on"] == "2026-03-01"
    assert listed["330100"]["granted"] is False  # today, 2026-03-10
    assert listed["320500"]["granted"] is True  # granted today, after the notice: never revoked
    assert listed["320500"]["granted_on"] == "2026-03-10"
    assert listed["330100"]["revocation_notice_number"] == revoked.json["notice"]["number"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"region_codes": ["330106"]}, 422, "region_codes"),  # inside a granted city, not itself granted
        ({"region_codes": ["330100", "330200"]}, 422, "region_codes"),
        ({"region_codes": []}, 422, "region_codes"),
        ({"region_codes": ["33010"]}, 422, "region_codes.0"),
        ({"region_codes": ["330100"], "notice_on": "2026-03-11"}, 422, "notice_on"),
        ({"region_codes": ["330100"], "notice_on": "yesterday"}, 422, "notice_on"),
    ],
)
def test_a_revocation_of_a_region_not_granted_or_a_bad_date_is_refused_and_nothing_changes(
    sales, regions, count_rows, body, status, field
):
    agreement = make_agreement(activate_on=START)
    make_territory(agreement, "330100")
    response = sales.post(f"{LIST}/{agreement.id}/territories/revoke", json=body)
    assert response.status_code == status, response.json
    assert field in error_of(response)["fields"]
    assert count_rows(Notice) == 0
    assert db.session.scalar(select(Territory.revoked_effective_on)) is None


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"region_code": "999999"}, 422, "region_code"),
        ({"region_code": "330100", "granted_on": "2027-01-01"}, 422, "granted_on"),
        ({"region_code": "330000"}, 409, None),  # already held
    ],
)
def test_a_bad_grant_is_refused(sales, regions, count_rows, body, status, field):
    agreement = make_agreement(activate_on=START)
    make_territory(agreement, "330000")
    response = sales.post(f"{LIST}/{agreement.id}/territories", json=body)
    assert response.status_code == status, response.json
    if field:
        assert field in error_of(response)["fields"]
    assert count_rows(Territory) == 1


def test_a_drafts_region_is_deleted_an_active_ones_answers_409(sales, regions, count_rows):
    draft = make_agreement()
    territory = make_territory(draft, "330100")
    active = make_agreement(activate_on=START)
    kept = make_territory(active, "330100")
    assert sales.request("DELETE", f"{LIST}/{active.id}/territories/{territory.id}").status_code == 404  # not its own
    assert sales.request("DELETE", f"{LIST}/{draft.id}/territories/{territory.id}").status_code == 204
    assert sales.request("DELETE", f"{LIST}/{active.id}/territories/{kept.id}").status_code == 409
    assert count_rows(Territory) == 1


# --- Sub-agent requests -------------------------------------------------------------------------

REQUESTS = "/api/v1/sub-agent-requests"


def test_a_distributor_requests_and_head_office_decides(api, regions):
    distributor = make_distributor()
    agent = api(make_user(role=Role.DISTRIBUTOR, distributor=distributor))
    sales = api(make_user(role=Role.SALES))

    created = agent.post(REQUESTS, json={"name": "西湖区网点", "region_code": "330106", "contact_name": "张伟"})
    assert created.status_code == 201, created.json
    assert (created.json["status"], created.json["distributor_id"]) == ("requested", distributor.id)
    request_id = created.json["id"]

    assert [r["id"] for r in sales.get(f"{REQUESTS}?status=requested").json["items"]] == [request_id]
    refused = sales.post(f"{REQUESTS}/{request_id}/decide", json={"decision": "reject"})
    assert refused.status_code == 422
    assert list(error_of(refused)["fields"]) == ["reason"]
    decided = sales.post(f"{REQUESTS}/{request_id}/decide", json={"decision": "approve", "reason": "同意"})
    assert decided.status_code == 200
    assert agent.get(f"{REQUESTS}/{request_id}").json["status"] == "approved"
    assert sales.post(f"{REQUESTS}/{request_id}/decide", json={"decision": "reject", "reason": "x"}).status_code == 409
    assert agent.post(f"{REQUESTS}/{request_id}/decide", json={"decision": "approve"}).status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "region_code": "330106"}, "name"),
        ({"name": "网点", "region_code": "999999"}, "region_code"),
        ({"name": "网点", "region_code": "330106", "contact_phone": "call me"}, "contact_phone"),
        ({"name": "网点"}, "region_code"),
    ],
)
def test_a_bad_request_answers_422_and_nothing_is_saved(api, regions, count_rows, body, field):
    response = api(make_user(role=Role.DISTRIBUTOR)).post(REQUESTS, json=body)
    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert count_rows(SubAgentRequest) == 0


def test_a_distributor_sees_only_its_own_requests_and_head_office_cannot_file_one(api, regions):
    ours, theirs = make_distributor(), make_distributor()
    mine = make_sub_agent_request(ours)
    other = make_sub_agent_request(theirs)
    caller = api(make_user(role=Role.DISTRIBUTOR, distributor=ours))
    assert [r["id"] for r in caller.get(REQUESTS).json["items"]] == [mine.id]
    assert caller.get(f"{REQUESTS}/{other.id}").status_code == 404
    head_office = api(make_user(role=Role.SALES))
    assert head_office.post(REQUESTS, json={"name": "x", "region_code": "330106"}).status_code == 403
