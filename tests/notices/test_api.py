"""/api/v1/notices (docs/api.md): a distributor reads and acknowledges its own notices; head office reads
all of them, sees who read what, and sales may issue a warning."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.clock import today
from portal.domain.roles import Role
from portal.extensions import db
from portal.notices.models import Notice

from ..api.support import error_of
from ..builders import START, make_agreement, make_distributor, make_user
from .builders import make_notice

LIST = "/api/v1/notices"


@pytest.fixture
def ours():
    return make_distributor(name="杭州云帆科技有限公司")


@pytest.fixture
def reader(ours):
    return make_user(role=Role.DISTRIBUTOR, distributor=ours, username="hz-reader")


def stored(notice_id: int) -> Notice:
    db.session.expire_all()
    return db.session.get(Notice, notice_id)


def test_a_distributor_lists_only_its_own_notices_newest_first(api, ours, reader):
    old = make_notice(ours, issued_on=date(2027, 1, 5))
    new = make_notice(ours, issued_on=date(2027, 3, 5), effective_on=date(2027, 3, 12))
    make_notice(make_distributor(), issued_on=date(2027, 3, 6))

    response = api(reader).get(LIST)

    assert response.status_code == 200
    assert [item["number"] for item in response.json["items"]] == [new.number, old.number]
    assert response.json["total"] == 2
    item = response.json["items"][0]
    assert item["type"] == "warning"
    assert item["distributor_id"] == ours.id
    assert item["issued_on"] == "2027-03-05"
    assert item["effective_on"] == "2027-03-12"
    assert item["acknowledged_at"] is None
    assert item["title"] == "Warning"


def test_title_and_body_follow_accept_language(api, ours, reader):
    notice = make_notice(ours, message_zh="请补交月报。", message_en="Please send the report.")
    caller = api(reader)
    english = caller.get(f"{LIST}/{notice.id}").json
    chinese = caller.get(f"{LIST}/{notice.id}", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).json
    assert english["language"] == "en"
    assert "Please send the report." in english["body"]
    assert chinese["language"] == "zh"
    assert chinese["title"] == "警告通知"
    assert "请补交月报。" in chinese["body"]


def test_another_distributors_notice_is_not_found(api, reader):
    theirs = make_notice(make_distributor())
    caller = api(reader)
    assert caller.get(f"{LIST}/{theirs.id}").status_code == 404
    assert caller.post(f"{LIST}/{theirs.id}/acknowledge").status_code == 404
    assert stored(theirs.id).acknowledged_at is None


def test_acknowledging_once_and_again(api, ours, reader):
    notice = make_notice(ours)
    caller = api(reader)

    first = caller.post(f"{LIST}/{notice.id}/acknowledge")
    assert first.status_code == 200
    assert first.json["acknowledged_at"] is not None
    assert first.json["acknowledged_by"] == "hz-reader"
    assert first.json["acknowledged_at"].endswith("+08:00")

    again = caller.post(f"{LIST}/{notice.id}/acknowledge")
    assert again.status_code == 200
    assert again.json["acknowledged_at"] == first.json["acknowledged_at"]
    assert caller.get(f"{LIST}?read=unread").json["total"] == 0


@pytest.mark.parametrize("role", [Role.SALES, Role.FINANCE, Role.ADMIN])
def test_head_office_may_not_acknowledge(api, ours, role):
    notice = make_notice(ours)
    response = api(make_user(role=role)).post(f"{LIST}/{notice.id}/acknowledge")
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert stored(notice.id).acknowledged_at is None


def test_head_office_lists_every_notice_with_filters_and_who_read_it(api, ours, reader):
    theirs = make_distributor()
    read = make_notice(ours, issued_on=date(2027, 1, 5))
    make_notice(theirs, issued_on=date(2027, 2, 5))
    make_notice(ours, issued_on=date(2028, 1, 5))
    api(reader).post(f"{LIST}/{read.id}/acknowledge")
    caller = api(make_user(role=Role.FINANCE))

    def numbers(query: str = "") -> list[str]:
        response = caller.get(f"{LIST}{query}")
        assert response.status_code == 200, response.json
        return [item["number"] for item in response.json["items"]]

    assert numbers() == ["TZ-2028-0001", "TZ-2027-0002", "TZ-2027-0001"]
    assert numbers(f"?distributor_id={theirs.id}") == ["TZ-2027-0002"]
    assert numbers("?read=read") == ["TZ-2027-0001"]
    assert numbers("?read=unread&year=2027") == ["TZ-2027-0002"]
    assert numbers("?type=price_list") == []
    assert numbers("?per_page=1&page=2") == ["TZ-2027-0002"]
    assert caller.get(f"{LIST}?read=read").json["items"][0]["acknowledged_by"] == "hz-reader"


@pytest.mark.parametrize("query", ["?type=memo", "?read=perhaps", "?year=27", "?distributor_id=0"])
def test_bad_filters_answer_422(api, query):
    response = api(make_user(role=Role.SALES)).get(f"{LIST}{query}")
    assert response.status_code == 422
    assert error_of(response)["fields"]


# --- Issuing a warning ------------------------------------------------------------------------------


def body(recipient_id: int, **changes):
    return {
        "distributor_id": recipient_id,
        "message_zh": "请于十日内补交月报。",
        "message_en": "Please send the report within ten days.",
        **changes,
    }


def test_sales_issues_a_warning(api, ours, reader):
    agreement = make_agreement(
        ours,
        number="XS-HZ",
        starts_on=today() - timedelta(days=10),
        ends_on=today() + timedelta(days=300),
        activate_on=today() - timedelta(days=10),
    )
    response = api(make_user(role=Role.SALES)).post(
        LIST, json=body(ours.id, agreement_id=agreement.id, effective_on=today().isoformat())
    )
    assert response.status_code == 201, response.json
    assert response.json["number"] == f"TZ-{today().year}-0001"
    assert response.json["title"] == "Warning (agreement XS-HZ)"
    assert response.headers["Location"].endswith(f"{LIST}/{response.json['id']}")
    assert [item["number"] for item in api(reader).get(LIST).json["items"]] == [response.json["number"]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"message_en": ""}, "message_en"),
        ({"message_zh": None}, "message_zh"),
        ({"distributor_id": 999999}, "distributor_id"),
        ({"agreement_id": "OTHER"}, "agreement_id"),
        ({"effective_on": "2000-01-01"}, "effective_on"),
        ({"effective_on": "01/02/2027"}, "effective_on"),
        ({"type": "termination"}, "type"),  # only warnings are issued here
    ],
)
def test_a_bad_warning_answers_422_on_its_field_and_saves_nothing(api, ours, count_rows, changes, field):
    other = make_agreement(make_distributor(), number="XS-OTHER", activate_on=START)
    changes = {k: (other.id if v == "OTHER" else v) for k, v in changes.items()}
    response = api(make_user(role=Role.SALES)).post(LIST, json=body(ours.id, **changes))
    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert count_rows(Notice) == 0


@pytest.mark.parametrize("role", [Role.DISTRIBUTOR, Role.FINANCE])
def test_only_sales_and_administrators_issue_warnings(api, ours, count_rows, role):
    user = make_user(role=role, distributor=ours if role is Role.DISTRIBUTOR else None)
    assert api(user).post(LIST, json=body(ours.id)).status_code == 403
    assert count_rows(Notice) == 0


def test_the_list_is_documented(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert paths[LIST]["get"]["x-roles"] == ["admin", "distributor", "finance", "sales"]
    assert paths[LIST]["post"]["x-roles"] == ["admin", "sales"]
    assert paths[f"{LIST}/{{notice_id}}/acknowledge"]["post"]["x-roles"] == ["distributor"]
    assert db.session.scalar(select(Notice)) is None
