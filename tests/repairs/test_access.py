"""Who may use the repair batch pages (docs/rules.md §7.2, §12): a distributor reads, fills and ships
only its own batches — another's answers 404 and nothing changes; head office reads every batch
and cannot open, fill or ship one (403)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.domain.repairs import BatchStatus
from portal.domain.roles import Role
from portal.extensions import db
from portal.repairs import services
from portal.repairs.models import RepairBatch, RepairLine
from portal.repairs.services import BoardEntry

from ..builders import TODAY, make_user
from .builders import boards_of


def _open(shop, serials):
    batch = services.open_batch(shop.distributor.id, today=TODAY)
    services.add_boards(batch, [BoardEntry(serial, "不开机") for serial in serials])
    db.session.commit()
    return batch


def _snapshot(batch_id):
    db.session.expire_all()
    batch = db.session.get(RepairBatch, batch_id)
    lines = db.session.scalar(select(func.count()).select_from(RepairLine).where(RepairLine.batch_id == batch_id))
    return batch.status, batch.shipped_on, batch.carrier, lines


def _requests(batch, line, spare):
    return [
        ("GET", f"/repairs/batches/{batch.id}", {}),
        ("GET", f"/repairs/batches/{batch.id}/packing-list", {}),
        ("GET", f"/repairs/batches/{batch.id}/add", {}),
        ("POST", f"/repairs/batches/{batch.id}/add", {"serial": spare, "fault_description": "x"}),
        ("POST", f"/repairs/lines/{line.id}/remove", {}),
        ("POST", f"/repairs/batches/{batch.id}/ship", {"shipped_on": TODAY.isoformat(), "carrier": "x"}),
    ]


def test_another_distributors_batch_is_not_found_and_nothing_changes(shop, login):
    other = shop.elsewhere()
    theirs = _open(other, boards_of(other, 1))
    spare = boards_of(other, 1)[0]
    line = theirs.lines[0]
    before = _snapshot(theirs.id)
    client = login(shop.agent)
    for method, url, data in _requests(theirs, line, spare):
        response = client.open(url, method=method, data=data)
        assert response.status_code == 404, f"{method} {url}"
    assert _snapshot(theirs.id) == before
    assert theirs.number not in client.get("/repairs/").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.SALES, Role.FINANCE, Role.ADMIN])
def test_head_office_reads_every_batch_but_cannot_open_fill_or_ship_one(shop, login, role):
    batch = _open(shop, boards_of(shop, 1))
    spare = boards_of(shop, 1)[0]
    before = _snapshot(batch.id)
    client = login(make_user(role=role))
    for method, url, data in _requests(batch, batch.lines[0], spare):
        response = client.open(url, method=method, data=data)
        expected = 200 if url.endswith(f"/batches/{batch.id}") or url.endswith("/packing-list") else 403
        assert response.status_code == expected, f"{role} {method} {url}"
    assert client.post("/repairs/batches/open").status_code == 403
    assert _snapshot(batch.id) == before
    assert db.session.scalar(select(func.count()).select_from(RepairBatch)) == 1


def test_a_distributor_sees_no_ship_or_add_controls_once_the_batch_has_shipped(shop, login):
    batch = _open(shop, boards_of(shop, 1))
    services.ship_batch(batch, shipped_on=TODAY, carrier="", tracking_number="", today=TODAY)
    db.session.commit()
    page = login(shop.agent).get(f"/repairs/batches/{batch.id}").get_data(as_text=True)
    assert "Ship the batch" not in page
    assert f"/repairs/batches/{batch.id}/add" not in page
    assert "/remove" not in page
    assert _snapshot(batch.id)[0] is BatchStatus.SHIPPED
