"""POST and GET /api/v1/repair-batches/{id}/rating (docs/api.md): by the batch's distributor, once,
after the boards are back; a level outside the card answers 422 on each such item; nothing changes
on a refusal."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain.repairs import BatchStatus
from portal.domain.roles import Role
from portal.repairs.models import RepairRating

from ..builders import make_user

CARD = {"attitude": "very_satisfied", "skill": "satisfied", "timeliness": "fairly_satisfied", "promises": "satisfied"}


@pytest.fixture
def boards(shop):
    order = shop.paid_order(50)
    return shop.ship(order, ["HZ-A-0001"], on=date(2026, 3, 4)).boards


def url(batch) -> str:
    return f"/api/v1/repair-batches/{batch.id}/rating"


def test_the_distributor_rates_and_everyone_reads_it(shop, boards, returned_batch, api):
    batch = returned_batch(boards, shipped_on=date(2026, 3, 5), returned_on=date(2026, 3, 9))
    caller = api(shop.agent)
    assert caller.get(url(batch)).status_code == 404  # not rated yet

    created = caller.post(url(batch), json=CARD | {"comment": " Fast. "})

    assert created.status_code == 201
    assert created.json | {"created_at": None} == {
        "batch_id": batch.id,
        "distributor_id": batch.distributor_id,
        **CARD,
        "comment": "Fast.",
        "rated_on": "2026-03-10",
        "created_at": None,
    }
    assert api(make_user(role=Role.FINANCE)).get(url(batch)).json["attitude"] == "very_satisfied"
    assert caller.get(url(batch)).json == created.json


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (CARD | {"attitude": "excellent"}, {"attitude"}),
        (CARD | {"skill": "good", "promises": 3}, {"skill", "promises"}),
        ({"attitude": "satisfied"}, {"skill", "timeliness", "promises"}),
        (CARD | {"comment": "x" * 1001}, {"comment"}),
        (CARD | {"stars": 5}, {"stars"}),
    ],
)
def test_a_card_outside_the_four_levels_answers_422_per_field(
    shop, boards, returned_batch, api, count_rows, body, fields
):
    batch = returned_batch(boards, shipped_on=date(2026, 3, 5))
    response = api(shop.agent).post(url(batch), json=body)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == fields
    assert count_rows(RepairRating) == 0


@pytest.mark.parametrize("status", [BatchStatus.NOTIFIED, BatchStatus.PAID])
def test_a_batch_not_yet_back_answers_409(shop, boards, returned_batch, api, count_rows, status):
    batch = returned_batch(boards, shipped_on=date(2026, 3, 5), status=status)
    response = api(shop.agent).post(url(batch), json=CARD)
    assert response.status_code == 409
    assert response.json["error"]["message"] == "A batch is rated once its boards have been shipped back."
    assert count_rows(RepairRating) == 0


def test_a_second_rating_answers_409(shop, boards, returned_batch, api, count_rows):
    batch = returned_batch(boards, shipped_on=date(2026, 3, 5))
    caller = api(shop.agent)
    assert caller.post(url(batch), json=CARD).status_code == 201
    again = caller.post(url(batch), json=CARD | {"attitude": "dissatisfied"})
    assert again.status_code == 409
    assert again.json["error"]["message"] == "This batch has already been rated."
    assert count_rows(RepairRating) == 1


def test_another_distributors_batch_answers_404_and_head_office_403(shop, boards, returned_batch, api, count_rows):
    batch = returned_batch(boards, shipped_on=date(2026, 3, 5))
    stranger = api(shop.elsewhere().agent)
    assert stranger.post(url(batch), json=CARD).status_code == 404
    assert stranger.get(url(batch)).status_code == 404
    assert api(shop.sales).post(url(batch), json=CARD).status_code == 403
    assert count_rows(RepairRating) == 0
