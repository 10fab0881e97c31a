"""/api/v1/repair-batches/{id}/payments, /repair-fee-payments/{id}/void and /repair-batches/{id}/release
(docs/api.md): fee payments as order payments, the release with a reason; refusals in the API's error
shape (422 per field, 409 for a rule, ``duplicate`` for the same slip) and nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from portal.domain.repairs import BatchStatus, FaultCause, RepairOutcome
from portal.extensions import db
from portal.repairs.models import RepairBatch, RepairFeePayment

from ..repairs.builders import make_batch
from .support import error_of

S = BatchStatus


@pytest.fixture(autouse=True)
def _on_25_april(monkeypatch):
    """The portal's today is 2026-04-25: after the notice of 21 April, before the fees fall due (28 April)."""
    monkeypatch.setattr("portal.clock.utcnow", lambda: datetime(2026, 4, 25, 4, 0, tzinfo=UTC))


def notified(shop, fee="300.00"):
    return make_batch(shop, 1, through=S.NOTIFIED, findings=[(FaultCause.HUMAN_DAMAGE, RepairOutcome.REPAIRED, fee)])


def fresh(batch):
    db.session.expire_all()
    return db.session.get(RepairBatch, batch.id)


def payments_url(batch):
    return f"/api/v1/repair-batches/{batch.id}/payments"


def test_finance_books_a_fee_payment_and_everyone_who_may_read_the_batch_lists_it(shop, api):
    batch = notified(shop)
    created = api(shop.finance).post(
        payments_url(batch), json={"amount": "300.00", "bank_reference": "CMB-1", "payer": "杭州"}
    )
    assert created.status_code == 201, created.json
    body = created.json
    assert body | {"id": 0, "recorded_at": None} == {
        "id": 0,
        "batch_id": batch.id,
        "distributor_id": batch.distributor_id,
        "amount": "300.00",
        "received_on": "2026-04-25",
        "bank_reference": "CMB-1",
        "payer": "杭州",
        "recorded_at": None,
        "voided_at": None,
        "void_reason": "",
        "voided": False,
    }
    assert (fresh(batch).status, fresh(batch).paid_amount) == (S.PAID, Decimal("300.00"))
    listed = api(shop.agent).get(payments_url(batch))
    assert listed.status_code == 200
    assert [p["id"] for p in listed.json["items"]] == [body["id"]]
    assert listed.json["total"] == 1


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"amount": "300.01", "bank_reference": "X"}, 409, "rule_violated", "amount"),
        ({"amount": "0.00", "bank_reference": "X"}, 422, "invalid", "amount"),
        ({"amount": "1.001", "bank_reference": "X"}, 422, "invalid", "amount"),
        ({"amount": "10.00", "bank_reference": "X", "received_on": "2026-04-20"}, 422, "invalid", "received_on"),
        ({"amount": "10.00", "bank_reference": "X", "received_on": "2026-04-26"}, 422, "invalid", "received_on"),
        ({"amount": "10.00", "bank_reference": ""}, 422, "invalid", "bank_reference"),
        ({"amount": "10.00"}, 422, "invalid", "bank_reference"),
    ],
)
def test_a_refused_fee_payment_answers_in_the_error_shape_and_books_nothing(
    shop, api, count_rows, body, status, code, field
):
    batch = notified(shop)
    response = api(shop.finance).post(payments_url(batch), json=body)
    assert response.status_code == status, response.json
    error = error_of(response)
    assert error["code"] == code
    if status == 422:
        assert field in error["fields"]
    assert count_rows(RepairFeePayment) == 0
    assert fresh(batch).status is S.NOTIFIED


def test_the_same_bank_slip_twice_answers_409_duplicate(shop, api):
    batch = notified(shop)
    caller = api(shop.finance)
    assert caller.post(payments_url(batch), json={"amount": "10.00", "bank_reference": "D-1"}).status_code == 201
    again = caller.post(payments_url(batch), json={"amount": "10.00", "bank_reference": "D-1"})
    assert again.status_code == 409
    assert error_of(again)["code"] == "duplicate"
    assert "already booked" in error_of(again)["message"]


def test_finance_voids_a_fee_payment_with_a_reason(shop, api):
    batch = notified(shop)
    caller = api(shop.finance)
    payment = caller.post(payments_url(batch), json={"amount": "300.00", "bank_reference": "V-1"}).json
    url = f"/api/v1/repair-fee-payments/{payment['id']}/void"
    blank = caller.post(url, json={"reason": ""})
    assert blank.status_code == 422
    assert "reason" in error_of(blank)["fields"]
    voided = caller.post(url, json={"reason": "Bounced"})
    assert voided.status_code == 200
    assert (voided.json["voided"], voided.json["void_reason"]) == (True, "Bounced")
    assert fresh(batch).status is S.NOTIFIED
    twice = caller.post(url, json={"reason": "Again"})
    assert twice.status_code == 409
    assert error_of(twice)["code"] == "rule_violated"


def test_head_office_releases_a_batch_with_a_reason(shop, api):
    batch = notified(shop)
    url = f"/api/v1/repair-batches/{batch.id}/release"
    assert error_of(api(shop.sales).post(url, json={}))["fields"].keys() == {"reason"}
    released = api(shop.sales).post(url, json={"reason": "Customer in hospital"})
    assert released.status_code == 200, released.json
    assert released.json | {"id": 0} == {
        "id": 0,
        "number": batch.number,
        "distributor_id": batch.distributor_id,
        "status": "notified",
        "amount_due": "300.00",
        "paid_amount": "0.00",
        "released": True,
        "released_on": "2026-04-25",
        "release_reason": "Customer in hospital",
    }
    again = api(shop.sales).post(url, json={"reason": "Twice"})
    assert again.status_code == 409
    assert error_of(again)["code"] == "rule_violated"


def test_a_distributor_cannot_book_void_or_release_and_another_distributors_batch_is_not_found(shop, api):
    batch = notified(shop)
    other = shop.elsewhere()
    caller = api(shop.agent)
    assert caller.post(payments_url(batch), json={"amount": "1.00", "bank_reference": "Z"}).status_code == 403
    assert caller.post(f"/api/v1/repair-batches/{batch.id}/release", json={"reason": "x"}).status_code == 403
    assert api(shop.finance).post(f"/api/v1/repair-batches/{batch.id}/release", json={"reason": "x"}).status_code == 403
    assert api(other.agent).get(payments_url(batch)).status_code == 404
    assert fresh(batch).released is False


def test_the_document_lists_the_repair_fee_operations(api, shop):
    paths = api(shop.finance).get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/api/v1/repair-batches/{batch_id}/payments"]) >= {"get", "post"}
    assert "post" in paths["/api/v1/repair-fee-payments/{payment_id}/void"]
    assert "post" in paths["/api/v1/repair-batches/{batch_id}/release"]
