"""The assessment pages (docs/rules.md §9): the list and its filters, the compute button, the
assessment's page and head office's review form; who sees what."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.assessments.models import Assessment
from portal.domain.agreements import SEED_TERMS
from portal.domain.assessments import AssessmentOutcome
from portal.domain.roles import Role
from portal.extensions import db
from portal.notices.models import Notice

from ..builders import make_active_agreement, make_distributor, make_shop, make_territory, make_user
from .builders import make_assessment, make_violation


@pytest.fixture
def sales(app):
    return make_user(role=Role.SALES)


def test_head_office_computes_the_last_ended_quarter_with_the_button(after_q1, shop, sales, login):
    client = login(sales)
    page = client.get("/assessments/")
    assert page.status_code == 200
    assert 'value="2026-Q1"' in page.get_data(as_text=True)  # the last ended quarter, proposed

    response = client.post("/assessments/compute", data={"quarter": "2026-Q1"})

    assert response.status_code == 302
    assert db.session.scalar(select(Assessment.quarter)) == "2026-Q1"
    listed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert shop.agreement.number in listed


@pytest.mark.parametrize(("quarter", "status"), [("2026-Q2", 409), ("2026-Q9", 422), ("", 422), ("\u3000", 422)])
def test_a_quarter_not_ended_or_mistyped_is_refused_on_the_page(
    after_q1, shop, sales, login, count_rows, quarter, status
):
    response = login(sales).post("/assessments/compute", data={"quarter": quarter})

    assert response.status_code == status
    assert count_rows(Assessment) == 0


def test_a_distributor_sees_only_its_own_assessments(after_q1, shop, login):
    mine = make_assessment(shop.agreement)
    theirs = db.session.scalar(select(Assessment).where(Assessment.id != mine.id))
    assert theirs is None  # one shop so far
    other = shop.elsewhere()
    theirs = make_assessment(other.agreement)
    client = login(shop.agent)

    listed = client.get("/assessments/").get_data(as_text=True)

    assert shop.agreement.number in listed
    assert other.agreement.number not in listed
    assert 'id="compute-assessments"' not in listed
    assert client.get(f"/assessments/{mine.id}").status_code == 200
    assert client.get(f"/assessments/{theirs.id}").status_code == 404
    assert client.post("/assessments/compute", data={"quarter": "2026-Q1"}).status_code == 403
    assert client.post(f"/assessments/{mine.id}/review", data={"outcome": "met"}).status_code == 403


def test_the_list_filters_by_quarter_distributor_and_outcome(after_q1, shop, sales, login):
    other = shop.elsewhere()
    make_assessment(shop.agreement)
    reviewed = make_assessment(other.agreement)
    client = login(sales)
    client.post(f"/assessments/{reviewed.id}/review", data={"outcome": "met", "comment": ""})

    def numbers(query: str) -> set[str]:
        html = client.get(f"/assessments/?{query}").get_data(as_text=True)
        return {a.number for a in (shop.agreement, other.agreement) if a.number in html}

    assert numbers("") == {shop.agreement.number, other.agreement.number}
    assert numbers("outcome=to_review") == {shop.agreement.number}
    assert numbers("outcome=met") == {other.agreement.number}
    assert numbers(f"distributor_id={other.distributor.id}") == {other.agreement.number}
    assert numbers("quarter=2025-Q4") == set()
    assert client.get("/assessments/?quarter=nonsense").status_code == 422


def test_the_list_costs_the_same_statements_for_few_rows_and_many(after_q1, shop, sales, login, count_statements):
    client = login(sales)
    make_assessment(shop.agreement)
    client.get("/assessments/")
    with count_statements() as few:
        assert client.get("/assessments/").status_code == 200
    for _ in range(6):
        make_active_agreement(make_distributor(), products=[shop.board])
    make_assessment(shop.agreement)
    with count_statements() as many:
        assert client.get("/assessments/").status_code == 200
    assert len(many) == len(few)


def test_the_page_shows_the_figures_and_the_quarters_violations(after_q1, shop, sales, login):
    make_violation(shop.agreement, date(2026, 2, 3))
    assessment = make_assessment(shop.agreement)

    html = login(sales).get(f"/assessments/{assessment.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert "¥50,000.00" in html
    assert "0%" in html
    assert "杭州某客户" in html
    assert 'id="review"' in html
    assert 'id="frozen"' not in html


def test_a_zero_quota_reads_no_quota(after_q1, sales, login):
    shop = make_shop(terms=dataclasses.replace(SEED_TERMS, quarterly_quota=Decimal("0.00")))
    assessment = make_assessment(shop.agreement)
    client = login(sales)

    assert "no quota" in client.get(f"/assessments/{assessment.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "no quota" in client.get("/assessments/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_sales_revokes_a_region_from_the_page(after_q1, shop, sales, login):
    make_territory(shop.agreement, "330100")
    make_territory(shop.agreement, "330200")
    assessment = make_assessment(shop.agreement)
    client = login(sales)
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert 'value="330100"' in page
    assert 'value="330200"' in page

    response = client.post(
        f"/assessments/{assessment.id}/review",
        data={"outcome": "revoke_territories", "comment": "跨区销售", "revoke_region_codes": ["330200"]},
    )

    assert response.status_code == 302
    db.session.expire_all()
    reviewed = db.session.get(Assessment, assessment.id)
    assert reviewed.outcome is AssessmentOutcome.REVOKE_TERRITORIES
    assert db.session.get(Notice, reviewed.notice_id).effective_on == date(2026, 5, 3)
    html = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert 'id="frozen"' in html
    assert 'id="review"' not in html


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"outcome": "revoke_territories", "comment": "x"}, 422),  # no region chosen
        ({"outcome": "revoke_territories", "comment": "x", "revoke_region_codes": ["320000"]}, 422),  # not held
        ({"outcome": "", "comment": "x"}, 422),
        ({"outcome": "excellent", "comment": "x"}, 422),
        ({"outcome": "terminate", "comment": "\u3000"}, 422),
        ({"outcome": "promote", "comment": "x", "effective_from": "2026-04-01"}, 422),  # before the review
    ],
)
def test_a_refused_review_shows_the_form_again_and_changes_nothing(
    after_q1, shop, sales, login, count_rows, data, status
):
    make_territory(shop.agreement, "330100")
    assessment = make_assessment(shop.agreement)

    response = login(sales).post(f"/assessments/{assessment.id}/review", data=data)

    assert response.status_code == status
    assert 'id="review"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Assessment, assessment.id).reviewed_on is None
    assert count_rows(Notice) == 0


def test_a_frozen_assessment_is_refused_and_says_when_the_live_figures_differ(after_q1, shop, sales, login):
    assessment = make_assessment(shop.agreement)
    client = login(sales)
    client.post(f"/assessments/{assessment.id}/review", data={"outcome": "met", "comment": ""})
    shop.order(50, confirm_on=date(2026, 3, 30))  # recorded late, confirmed in the quarter

    refused = client.post(f"/assessments/{assessment.id}/review", data={"outcome": "warning", "comment": "x"})
    assert refused.status_code == 409
    assert "frozen" in refused.get_data(as_text=True) or "冻结" in refused.get_data(as_text=True)
    html = client.get(f"/assessments/{assessment.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="live-differs"' in html
    assert "¥60,000.00" in html


def test_reviewing_before_the_quarter_has_ended_is_refused(shop, sales, login, monkeypatch):
    assessment = make_assessment(shop.agreement)
    # The review is recorded on the quarter's last day (the portal's clock says so).
    from datetime import UTC, datetime

    monkeypatch.setattr("portal.clock.utcnow", lambda: datetime(2026, 3, 31, 4, 0, tzinfo=UTC))

    response = login(sales).post(f"/assessments/{assessment.id}/review", data={"outcome": "met", "comment": ""})

    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Assessment, assessment.id).reviewed_on is None
