"""/api/v1/assessments (docs/api.md): the list and one assessment in the caller's scope, compute
(409 for a quarter not ended) and review (409 frozen or not ended; 422 per field)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.assessments.models import Assessment
from portal.domain.roles import Role
from portal.extensions import db
from portal.notices.models import Notice

from ..api.support import error_of
from ..builders import make_territory, make_user
from .builders import make_assessment


@pytest.fixture
def sales(app):
    return make_user(role=Role.SALES)


def test_sales_computes_a_quarter_and_reads_its_assessments(after_q1, shop, sales, api):
    shop.order(50, confirm_on=date(2026, 3, 5))
    caller = api(sales)

    computed = caller.post("/api/v1/assessments/compute", json={"quarter": "2026-q1"})

    assert computed.status_code == 200
    assert computed.json == {"quarter": "2026-Q1", "created": 1, "updated": 0, "frozen": 0}
    listed = caller.get("/api/v1/assessments?quarter=2026-Q1&to_review=true")
    assert listed.json["total"] == 1
    item = listed.json["items"][0]
    assert {k: item[k] for k in ("agreement_id", "quarter", "quota", "ordered_amount", "attainment", "outcome")} == {
        "agreement_id": shop.agreement.id,
        "quarter": "2026-Q1",
        "quota": "50000.00",
        "ordered_amount": "60000.00",
        "attainment": "120.00",
        "outcome": None,
    }
    assert caller.get(f"/api/v1/assessments/{item['id']}").json == item


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"quarter": "2026-Q2"}, 409),  # not ended
        ({"quarter": "2026-Q5"}, 422),
        ({"quarter": "Q1"}, 422),
        ({}, 422),
        ({"quarter": "2026-Q1", "extra": 1}, 422),
    ],
)
def test_compute_refusals(after_q1, shop, sales, api, count_rows, body, status):
    response = api(sales).post("/api/v1/assessments/compute", json=body)

    assert response.status_code == status
    error = error_of(response)
    if status == 422:
        assert error["fields"]
    assert count_rows(Assessment) == 0


def test_sales_reviews_through_the_api(after_q1, shop, sales, api):
    make_territory(shop.agreement, "330100")
    assessment = make_assessment(shop.agreement)

    response = api(sales).post(
        f"/api/v1/assessments/{assessment.id}/review",
        json={"outcome": "revoke_territories", "revoke_region_codes": ["330100"], "comment": "跨区销售"},
    )

    assert response.status_code == 200
    assert response.json["outcome"] == "revoke_territories"
    assert response.json["frozen"] is True
    assert response.json["revoke_region_codes"] == ["330100"]
    assert db.session.get(Notice, response.json["notice_id"]).effective_on == date(2026, 5, 3)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "revoke_territories", "comment": "x"}, "revoke_region_codes"),
        ({"outcome": "revoke_territories", "revoke_region_codes": ["320000"], "comment": "x"}, "revoke_region_codes"),
        ({"outcome": "revoke_territories", "revoke_region_codes": ["32"], "comment": "x"}, "revoke_region_codes.0"),
        ({"outcome": "excellent", "comment": "x"}, "outcome"),
        ({"comment": "x"}, "outcome"),
        ({"outcome": "promote", "effective_from": "2026-04-01"}, "effective_from"),
        ({"outcome": "terminate", "comment": "  "}, "comment"),
    ],
)
def test_review_fields_answer_422_and_change_nothing(after_q1, shop, sales, api, count_rows, body, field):
    make_territory(shop.agreement, "330100")
    assessment = make_assessment(shop.agreement)

    response = api(sales).post(f"/api/v1/assessments/{assessment.id}/review", json=body)

    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    db.session.expire_all()
    assert db.session.get(Assessment, assessment.id).reviewed_on is None
    assert count_rows(Notice) == 0


def test_a_frozen_assessment_answers_409(after_q1, shop, sales, api):
    assessment = make_assessment(shop.agreement)
    caller = api(sales)
    assert caller.post(f"/api/v1/assessments/{assessment.id}/review", json={"outcome": "met"}).status_code == 200

    again = caller.post(f"/api/v1/assessments/{assessment.id}/review", json={"outcome": "warning", "comment": "x"})

    assert again.status_code == 409
    assert error_of(again)["code"] == "rule_violated"


def test_a_review_before_the_quarter_ends_answers_409(shop, sales, api, monkeypatch):
    from datetime import UTC, datetime

    assessment = make_assessment(shop.agreement)
    monkeypatch.setattr("portal.clock.utcnow", lambda: datetime(2026, 3, 31, 4, 0, tzinfo=UTC))

    response = api(sales).post(f"/api/v1/assessments/{assessment.id}/review", json={"outcome": "met"})

    assert response.status_code == 409


def test_a_distributor_reads_its_own_only_and_may_not_compute_or_review(after_q1, shop, api):
    mine = make_assessment(shop.agreement)
    theirs = make_assessment(shop.elsewhere().agreement)
    caller = api(shop.agent)

    listed = caller.get("/api/v1/assessments")
    assert [item["id"] for item in listed.json["items"]] == [mine.id]
    assert caller.get(f"/api/v1/assessments?distributor_id={theirs.distributor_id}").json["total"] == 0
    assert caller.get(f"/api/v1/assessments/{theirs.id}").status_code == 404
    assert caller.post("/api/v1/assessments/compute", json={"quarter": "2026-Q1"}).status_code == 403
    assert caller.post(f"/api/v1/assessments/{mine.id}/review", json={"outcome": "met"}).status_code == 403


def test_the_list_costs_the_same_statements_for_few_rows_and_many(after_q1, shop, sales, api, count_statements):
    from ..builders import make_active_agreement, make_distributor

    caller = api(sales)
    make_assessment(shop.agreement)
    caller.get("/api/v1/assessments")
    with count_statements() as few:
        assert caller.get("/api/v1/assessments").json["total"] == 1
    for _ in range(6):
        make_active_agreement(make_distributor(), products=[shop.board])
    make_assessment(shop.agreement)
    with count_statements() as many:
        assert caller.get("/api/v1/assessments").json["total"] == 7
    assert len(many) == len(few)
