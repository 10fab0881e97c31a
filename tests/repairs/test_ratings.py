"""The service rating of a returned batch (docs/rules.md §7.2, "The service rating"): its
distributor fills the four-item card once; head office reads it and the satisfaction rate against
85%; anything outside the card, a batch not yet back or rated twice is refused and nothing is
saved; another distributor's batch is not found."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.domain.errors import InvalidValue
from portal.domain.repairs import SATISFACTION_TARGET, BatchStatus, RatingLevel, StepRefused
from portal.domain.roles import Role
from portal.extensions import db
from portal.repairs.models import RepairBatch, RepairRating
from portal.repairs.ratings import rate_batch, satisfaction

from ..builders import make_user

CARD = {"attitude": "very_satisfied", "skill": "satisfied", "timeliness": "fairly_satisfied", "promises": "satisfied"}


@pytest.fixture
def boards(shop):
    order = shop.paid_order(50)
    shipment = shop.ship(order, ["HZ-R-0001", "HZ-R-0002"], on=date(2026, 3, 4))
    return shipment.boards


@pytest.fixture
def batch(boards, returned_batch) -> RepairBatch:
    return returned_batch(boards, shipped_on=date(2026, 3, 5), returned_on=date(2026, 3, 9))


def url(batch) -> str:
    return f"/repairs/batches/{batch.id}/rating"


def test_the_distributor_rates_a_returned_batch_and_everyone_reads_it(shop, batch, login, count_rows):
    client = login(shop.agent)
    card = client.get(url(batch)).get_data(as_text=True)
    assert 'id="attitude-0" name="attitude" type="radio" value="very_satisfied"' in card
    assert "Keeping promises" in card

    response = client.post(url(batch), data=CARD | {"comment": "  Quick, and they called back. "})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/repairs/batches/{batch.id}")  # back to the batch page
    rating = db.session.scalar(select(RepairRating))
    assert (rating.attitude, rating.promises, rating.comment) == (
        RatingLevel.VERY_SATISFIED,
        RatingLevel.SATISFIED,
        "Quick, and they called back.",
    )
    assert (rating.rated_on, rating.rated_by_id, rating.distributor_id) == (
        date(2026, 3, 10),
        shop.agent.id,
        batch.distributor_id,
    )
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.table_name == "repair_ratings")) is not None
    shown = client.get(url(batch)).get_data(as_text=True)
    assert "Thank you: your rating of batch" in shown
    assert "Fairly satisfied" in shown
    assert "Quick, and they called back." in shown
    assert 'type="radio"' not in shown  # rated once: no card any more
    assert "Customer satisfaction" not in shown  # head office's own figure

    office = login(shop.sales).get(url(batch)).get_data(as_text=True)
    assert "Very satisfied" in office
    # 3 of 4 answers very satisfied or satisfied: 75%, below the 85% target.
    assert "Customer satisfaction: 75% (3 of 4 answers satisfied), target 85%." in office
    assert "Not met" in office


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        (CARD | {"attitude": "excellent"}, ["attitude"]),  # not a level of the card
        ({"attitude": "satisfied", "timeliness": "satisfied"}, ["skill", "promises"]),  # two items left out
        (CARD | {"skill": "", "promises": "Satisfied"}, ["skill", "promises"]),
    ],
)
def test_a_card_outside_the_four_levels_is_refused_on_each_item_and_nothing_is_saved(
    shop, batch, login, count_rows, data, fields
):
    response = login(shop.agent).post(url(batch), data=data)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count("Choose one of the four levels.") == len(fields)
    for field in fields:
        assert f'id="{field}-error"' in page
    assert count_rows(RepairRating) == 0


def test_a_long_comment_is_refused_and_the_answers_stay_chosen(shop, batch, login, count_rows):
    response = login(shop.agent).post(url(batch), data=CARD | {"comment": "x" * 1001})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter at most 1000 characters." in page
    assert (
        '<input checked class="form-check-input" id="attitude-0" name="attitude" type="radio" value="very_satisfied">'
        in page
    )
    assert count_rows(RepairRating) == 0


@pytest.mark.parametrize("status", [BatchStatus.NOTIFIED, BatchStatus.PAID])
def test_only_a_returned_batch_is_rated(shop, boards, returned_batch, login, count_rows, status):
    batch = returned_batch(boards, shipped_on=date(2026, 3, 5), status=status)
    client = login(shop.agent)

    assert 'type="radio"' not in client.get(url(batch)).get_data(as_text=True)
    response = client.post(url(batch), data=CARD)

    assert response.status_code == 409
    assert "A batch is rated once its boards have been shipped back." in response.get_data(as_text=True)
    assert count_rows(RepairRating) == 0


def test_a_batch_is_rated_once(shop, batch, login, count_rows):
    client = login(shop.agent)
    assert client.post(url(batch), data=CARD).status_code == 302

    again = client.post(url(batch), data=CARD | {"attitude": "dissatisfied"})

    assert again.status_code == 409
    assert "This batch has already been rated." in again.get_data(as_text=True)
    assert count_rows(RepairRating) == 1
    assert db.session.scalar(select(RepairRating.attitude)) is RatingLevel.VERY_SATISFIED


def test_another_distributors_batch_is_not_found(shop, batch, login, count_rows):
    stranger = login(shop.elsewhere().agent)
    assert stranger.get(url(batch)).status_code == 404
    assert stranger.post(url(batch), data=CARD).status_code == 404
    assert count_rows(RepairRating) == 0


@pytest.mark.parametrize("role", [Role.SALES, Role.FINANCE, Role.ADMIN])
def test_head_office_cannot_rate(batch, login, count_rows, role):
    client = login(make_user(role=role))
    assert client.post(url(batch), data=CARD).status_code == 403
    assert 'type="radio"' not in client.get(url(batch)).get_data(as_text=True)
    assert count_rows(RepairRating) == 0


# --- the service and the satisfaction figure ------------------------------------------------------


def test_rate_batch_refuses_outside_the_card_and_twice(batch, count_rows):
    with pytest.raises(InvalidValue) as refused:
        rate_batch(batch, answers=CARD | {"timeliness": "quick"}, comment="", rated_by_id=None, today=date(2026, 3, 10))
    assert refused.value.field == "timeliness"
    rate_batch(batch, answers=CARD, comment=None, rated_by_id=None, today=date(2026, 3, 10))
    with pytest.raises(StepRefused, match="already been rated"):
        rate_batch(batch, answers=CARD, comment=None, rated_by_id=None, today=date(2026, 3, 10))
    assert count_rows(RepairRating) == 1


def _rated(batch, *levels):
    return rate_batch(
        db.session.get(RepairBatch, batch.id),
        answers=dict(zip(("attitude", "skill", "timeliness", "promises"), levels, strict=True)),
        comment="",
        rated_by_id=None,
        today=date(2026, 3, 10),
    )


def test_satisfaction_counts_every_answer_in_one_statement(shop, boards, returned_batch, count_statements):
    other = shop.elsewhere()
    theirs = other.ship(other.paid_order(50), ["SZ-R-0001"], on=date(2026, 3, 4)).boards
    ours = [returned_batch(boards[:1], shipped_on=date(2026, 3, 5), month=month) for month in ("2026-01", "2026-02")]
    _rated(ours[0], "very_satisfied", "satisfied", "satisfied", "very_satisfied")  # 4 of 4
    _rated(ours[1], "satisfied", "dissatisfied", "satisfied", "satisfied")  # 3 of 4
    _rated(returned_batch(theirs, shipped_on=date(2026, 3, 5)), *["fairly_satisfied"] * 4)  # 0 of 4

    with count_statements() as statements:
        everyone = satisfaction()
    assert len([s for s in statements if not s.startswith("BEGIN")]) == 1  # SQLite's BEGIN aside
    assert (everyone.count, everyone.total, everyone.rate, everyone.met) == (7, 12, Decimal("0.5833"), False)
    assert everyone.target == SATISFACTION_TARGET
    own = satisfaction(boards[0].distributor_id)
    assert (own.count, own.total, own.rate, own.met) == (7, 8, Decimal("0.8750"), True)
    assert satisfaction(10**6) is None  # nothing rated: no figure


def test_the_card_in_chinese(shop, batch, login):
    client = login(shop.agent)
    page = client.get(url(batch), headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "服务评价" in page
    assert "非常满意" in page
    assert "提交评价" in page
    refused = client.post(url(batch), data={}, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert refused.count("请从四个等级中选择一项。") == 4
