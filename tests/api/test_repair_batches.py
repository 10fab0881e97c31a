"""/api/v1/repair-batches (docs/api.md; docs/rules.md §7.2): a distributor opens, fills and ships its
month's batch; head office receives, inspects, repairs, notifies and returns it, through the same
services as the pages. Refusals: 404 for another distributor's batch, 403 for a role that may not,
409 for a step the state refuses, 422 naming each bad field; a refused request changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from portal.domain.repairs import BatchStatus, FaultCause, RepairOutcome
from portal.extensions import db
from portal.repairs import services
from portal.repairs.models import RepairBatch, RepairLine

from ..repairs.builders import boards_of, make_batch
from .support import error_of

S = BatchStatus
HUMAN, NORMAL = FaultCause.HUMAN_DAMAGE, FaultCause.NORMAL_USE
REPAIRED = RepairOutcome.REPAIRED
# Boards ship to the distributor on 4 March 2026 and are in warranty until 4 June 2027: a batch
# sent in July 2027 finds them out of warranty, where a fee is capped at 20% of the agent price
# (¥1,200 at level 2: ¥240.00).
OUT = {
    "opened_on": date(2027, 7, 1),
    "shipped_on": date(2027, 7, 2),
    "received_on": date(2027, 7, 5),
    "inspected_on": date(2027, 7, 6),
    "repaired_on": date(2027, 7, 20),
    "notified_on": date(2027, 7, 21),
}


@pytest.fixture
def set_today(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``set_today(day)``: the portal's Asia/Shanghai today (noon there), as the API reads it."""

    def move(day: date) -> date:
        noon = datetime.combine(day, time(4, 0), tzinfo=UTC)
        monkeypatch.setattr("portal.clock.utcnow", lambda: noon)
        return day

    move(date(2026, 5, 15))
    return move


def url(batch: RepairBatch, step: str = "") -> str:
    return f"/api/v1/repair-batches/{batch.id}" + (f"/{step}" if step else "")


def stored(batch: RepairBatch) -> RepairBatch:
    db.session.expire_all()
    return db.session.get(RepairBatch, batch.id)


def line_ids(batch: RepairBatch) -> list[int]:
    return list(
        db.session.scalars(select(RepairLine.id).where(RepairLine.batch_id == batch.id).order_by(RepairLine.id))
    )


# --- the distributor: open, fill, ship -------------------------------------------------------------


def test_a_distributor_opens_its_batch_adds_boards_and_ships_it(shop, api, set_today):
    serials = boards_of(shop, 3)
    agent = api(shop.agent)

    opened = agent.post("/api/v1/repair-batches")
    assert opened.status_code == 201, opened.json
    batch = opened.json
    assert opened.headers["Location"].endswith(f"/api/v1/repair-batches/{batch['id']}")
    assert (batch["status"], batch["month"], batch["distributor_id"]) == ("open", "2026-05", shop.distributor.id)
    assert agent.post("/api/v1/repair-batches").json["id"] == batch["id"]  # one open batch at a time

    lines = f"/api/v1/repair-batches/{batch['id']}/lines"
    one = agent.post(lines, json={"serial": serials[0].lower(), "fault_description": "不开机"})
    assert one.status_code == 201, one.json
    assert [(line["serial"], line["fault_description"]) for line in one.json["items"]] == [(serials[0], "不开机")]
    several = agent.post(
        lines, json={"lines": [{"serial": serial, "fault_description": "no dial tone"} for serial in serials[1:]]}
    )
    assert several.status_code == 201, several.json
    assert [line["serial"] for line in several.json["items"]] == serials[1:]

    listed = agent.get(lines).json
    assert listed["total"] == 3
    assert {line["coverage_class"] for line in listed["items"]} == {None}  # classified when it ships

    shipped = agent.post(
        f"/api/v1/repair-batches/{batch['id']}/ship",
        json={"shipped_on": "2026-05-04", "carrier": "顺丰", "tracking_number": " SF123 "},
    )
    assert shipped.status_code == 200, shipped.json
    assert shipped.json["status"] == "shipped"
    assert (shipped.json["shipped_on"], shipped.json["tracking_number"]) == ("2026-05-04", "SF123")
    assert shipped.json["shipped_late"] is False
    assert {line["coverage_class"] for line in agent.get(lines).json["items"]} == {"in_warranty"}


def test_shipping_after_day_ten_is_late_and_the_date_defaults_to_today(shop, api, set_today):
    batch = make_batch(shop, 1)
    answer = api(shop.agent).post(url(batch, "ship"))  # no body: today, 15 May
    assert answer.status_code == 200, answer.json
    assert (answer.json["shipped_on"], answer.json["shipped_late"], answer.json["month"]) == (
        "2026-05-15",
        True,
        "2026-05",
    )


def test_every_bad_serial_is_listed_and_nothing_is_added(shop, api, set_today, count_rows):
    mine = boards_of(shop, 1)
    batch = make_batch(shop, 1)
    before = count_rows(RepairLine)
    answer = api(shop.agent).post(
        url(batch, "lines"),
        json={
            "lines": [
                {"serial": mine[0], "fault_description": "dead"},
                {"serial": "NO-SUCH-1", "fault_description": "dead"},
                {"serial": mine[0], "fault_description": "dead"},
            ]
        },
    )
    assert answer.status_code == 409
    error = error_of(answer)
    assert error["fields"]["serials"] == [
        "NO-SUCH-1: no board of yours has this serial number.",
        f"{mine[0]} is listed twice.",
    ]
    assert count_rows(RepairLine) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"serial": "RB1"}, "body"),
        ({"serial": "RB1", "fault_description": "x", "lines": [{"serial": "RB2", "fault_description": "y"}]}, "body"),
        ({"serial": "RB1", "fault_description": "   "}, "fault_description"),
        ({"lines": []}, "lines"),
        ({"lines": [{"serial": "RB2"}]}, "lines.0.fault_description"),
        ({"serial": None, "fault_description": "x"}, "serial"),
    ],
)
def test_a_malformed_lines_body_is_refused_on_its_field(shop, api, set_today, body, field):
    batch = make_batch(shop, 1)
    answer = api(shop.agent).post(url(batch, "lines"), json=body)
    assert answer.status_code == 422
    assert field in error_of(answer)["fields"]


def test_boards_are_added_only_before_shipping(shop, api, set_today):
    serial = boards_of(shop, 1)[0]
    batch = make_batch(shop, 1, through=S.SHIPPED)
    answer = api(shop.agent).post(url(batch, "lines"), json={"serial": serial, "fault_description": "dead"})
    assert answer.status_code == 409
    assert error_of(answer)["code"] == "rule_violated"


# --- head office: receive, inspect, repair, notify, return -----------------------------------------


def test_head_office_takes_a_batch_through_every_step(shop, api, set_today):
    batch = make_batch(shop, 2, through=S.SHIPPED)
    sales = api(shop.sales)

    received = sales.post(url(batch, "receive"), json={"received_on": "2026-04-06"})
    assert received.status_code == 200, received.json
    assert (received.json["status"], received.json["repair_due_on"]) == ("received", "2026-05-06")

    first, second = line_ids(batch)
    inspected = sales.post(
        url(batch, "inspect"),
        json={
            "inspected_on": "2026-04-08",
            "return_freight": "40.00",
            "lines": [{"id": first, "cause": "normal_use", "outcome": "repaired", "fee": "0.00"}],
        },
    )
    assert inspected.status_code == 200, inspected.json
    assert inspected.json["status"] == "received"  # one line is left
    inspected = sales.post(
        url(batch, "inspect"),
        json={
            "inspected_on": "2026-04-09",
            "lines": [{"id": second, "cause": "human_damage", "outcome": "repaired", "fee": "300.00"}],
        },
    )
    assert inspected.status_code == 200, inspected.json
    assert inspected.json["status"] == "inspected"
    lines = sales.get(url(batch, "lines")).json["items"]
    assert [(line["cause"], line["charged"], line["fee"], line["fee_basis"]) for line in lines] == [
        ("normal_use", False, "0.00", "free"),
        ("human_damage", True, "300.00", "full_cost"),  # a covered board: the full cost, no cap
    ]
    assert lines[1]["fee_cap"] is None

    repaired = sales.post(url(batch, "repair"), json={"repaired_on": "2026-05-10"})
    assert repaired.status_code == 200, repaired.json
    assert (repaired.json["status"], repaired.json["turnaround_late"]) == ("repaired", True)

    notified = sales.post(url(batch, "notify"), json={"notified_on": "2026-05-11"})
    assert notified.status_code == 200, notified.json
    assert notified.json["status"] == "notified"
    assert notified.json["fees_due_on"] == "2026-05-18"
    assert notified.json["notice_number"]
    assert notified.json["fees_total"] == "300.00"
    assert notified.json["amount_due"] == (
        f"{300 + float(notified.json['freight_charged']):.2f}"  # the charged line's freight share
    )

    shown = api(shop.agent).get(url(batch))
    assert shown.status_code == 200
    assert shown.json["notice_number"] == notified.json["notice_number"]


def test_a_batch_with_nothing_to_pay_is_paid_at_notice_and_returned(shop, api, set_today):
    batch = make_batch(shop, 1, through=S.REPAIRED)
    sales = api(shop.sales)
    notified = sales.post(url(batch, "notify"))  # today
    assert (notified.json["status"], notified.json["amount_due"]) == ("paid", "0.00")
    returned = sales.post(url(batch, "return"), json={"returned_on": "2026-05-15", "carrier": "EMS"})
    assert returned.status_code == 200, returned.json
    assert (returned.json["status"], returned.json["returned_on"], returned.json["return_carrier"]) == (
        "returned",
        "2026-05-15",
        "EMS",
    )


def test_a_fee_above_the_cap_is_refused_on_its_line_and_nothing_is_saved(shop, api, set_today):
    set_today(date(2027, 7, 10))
    batch = make_batch(shop, 2, through=S.RECEIVED, **OUT)
    first, second = line_ids(batch)
    answer = api(shop.sales).post(
        url(batch, "inspect"),
        json={
            "return_freight": "10.00",
            "lines": [
                {"id": first, "cause": "normal_use", "outcome": "repaired", "fee": "240.00"},
                {"id": second, "cause": "human_damage", "outcome": "repaired", "fee": "240.01"},
            ],
        },
    )
    assert answer.status_code == 422
    error = error_of(answer)
    assert error["fields"] == {"lines.1.fee": ["The fee cannot be more than 240.00: 20.00% of 1200.00."]}
    after = stored(batch)
    assert (after.status, after.return_freight) == (S.RECEIVED, 0)
    assert [line.cause for line in after.lines] == [None, None]


def test_a_fee_on_a_free_line_is_refused_on_its_line(shop, api, set_today):
    batch = make_batch(shop, 1, through=S.RECEIVED)
    (line,) = line_ids(batch)
    answer = api(shop.sales).post(
        url(batch, "inspect"),
        json={"lines": [{"id": line, "cause": "normal_use", "outcome": "repaired", "fee": "5.00"}]},
    )
    assert answer.status_code == 422
    assert list(error_of(answer)["fields"]) == ["lines.0.fee"]


def test_changing_an_inspected_line_needs_a_correction(shop, api, set_today):
    batch = make_batch(shop, 1, through=S.INSPECTED)
    (line,) = line_ids(batch)
    finding = {"id": line, "cause": "design_defect", "outcome": "repaired", "fee": "0.00"}
    sales = api(shop.sales)
    refused = sales.post(url(batch, "inspect"), json={"lines": [finding]})
    assert refused.status_code == 409  # only the line's state refuses
    assert error_of(refused)["fields"] == {
        "lines.0": ["This line was already inspected with another result; record a correction to change it."]
    }
    corrected = sales.post(url(batch, "inspect"), json={"lines": [finding | {"correction": "misread the report"}]})
    assert corrected.status_code == 200, corrected.json
    assert sales.get(url(batch, "lines")).json["items"][0]["cause"] == "design_defect"


def test_a_line_of_another_batch_or_named_twice_is_refused(shop, api, set_today):
    batch = make_batch(shop, 1, through=S.RECEIVED)
    (line,) = line_ids(batch)
    finding = {"id": line, "cause": "normal_use", "outcome": "repaired", "fee": "0.00"}
    sales = api(shop.sales)
    twice = sales.post(url(batch, "inspect"), json={"lines": [finding, finding]})
    assert twice.status_code == 422
    assert list(error_of(twice)["fields"]) == ["lines.1.id"]
    unknown = sales.post(url(batch, "inspect"), json={"lines": [finding | {"id": line + 1000}]})
    assert unknown.status_code == 422
    assert list(error_of(unknown)["fields"]) == ["lines.0.id"]


@pytest.mark.parametrize(
    ("step", "body", "field"),
    [
        ("receive", {"received_on": "2026-13-01"}, "received_on"),
        ("receive", {"received_on": "2026-05-16"}, "received_on"),  # tomorrow
        ("receive", {"received_on": "2026-04-02"}, "received_on"),  # before it was shipped
        ("receive", {"received_on": 20260406}, "received_on"),
        ("receive", {"received": "2026-04-06"}, "received"),
        ("inspect", {"return_freight": "-1.00"}, "return_freight"),
        ("inspect", {"return_freight": 10}, "return_freight"),
        ("inspect", {"lines": [{"id": 1, "cause": "wear", "outcome": "repaired", "fee": "0"}]}, "lines.0.cause"),
        ("inspect", {"lines": [{"id": 1, "cause": "normal_use", "outcome": "fixed", "fee": "0"}]}, "lines.0.outcome"),
        (
            "inspect",
            {"lines": [{"id": 1, "cause": "normal_use", "outcome": "repaired", "fee": "1.234"}]},
            "lines.0.fee",
        ),
        ("inspect", {"lines": [{"id": 1, "cause": "normal_use", "outcome": "repaired"}]}, "lines.0.fee"),
        ("repair", {"repaired_on": "yesterday"}, "repaired_on"),
    ],
)
def test_a_malformed_field_is_refused_by_name_and_nothing_changes(shop, api, set_today, step, body, field):
    batch = make_batch(shop, 1, through=S.SHIPPED if step == "receive" else S.RECEIVED)
    before = stored(batch).status
    answer = api(shop.sales).post(url(batch, step), json=body)
    assert answer.status_code == 422, answer.json
    assert field in error_of(answer)["fields"]
    assert stored(batch).status is before


@pytest.mark.parametrize(
    ("through", "step"),
    [
        (S.RECEIVED, "receive"),  # twice
        (S.RECEIVED, "notify"),  # before the inspection and the repairs
        (S.OPEN, "receive"),  # not shipped
        (S.SHIPPED, "repair"),
        (S.OPEN, "ship"),  # an open batch with no board
    ],
)
def test_a_step_the_state_refuses_answers_409_and_nothing_changes(shop, api, set_today, through, step):
    if step == "ship":
        batch = services.open_batch(shop.distributor.id, today=date(2026, 4, 1))
        db.session.commit()
    else:
        batch = make_batch(shop, 1, through=through)
    caller = api(shop.agent if step == "ship" else shop.sales)
    answer = caller.post(url(batch, step))
    assert answer.status_code == 409, answer.json
    assert error_of(answer)["code"] == "rule_violated"
    assert stored(batch).status is through


def test_the_boards_are_withheld_while_fees_are_unpaid(shop, api, set_today):
    set_today(date(2027, 7, 25))
    batch = make_batch(shop, 1, through=S.NOTIFIED, findings=[(HUMAN, REPAIRED, "100.00")], **OUT)
    sales = api(shop.sales)
    answer = sales.post(url(batch, "return"))
    assert answer.status_code == 409
    assert "unpaid" in error_of(answer)["message"]
    assert stored(batch).status is S.NOTIFIED
    assert sales.get(url(batch)).json["status"] == "notified"  # due on 28 July

    set_today(date(2027, 7, 29))
    assert sales.get(url(batch)).json["status"] == "withheld"
    assert [item["id"] for item in sales.get("/api/v1/repair-batches?status=withheld").json["items"]] == [batch.id]
    assert sales.get("/api/v1/repair-batches?status=notified").json["items"] == []


@pytest.mark.parametrize("days_after_notice", [0, 7, 8, 30])
@pytest.mark.parametrize("released", [False, True])
def test_the_withheld_filter_agrees_with_the_batch(shop, api, set_today, days_after_notice, released):
    batch = make_batch(shop, 1, through=S.NOTIFIED, findings=[(HUMAN, REPAIRED, "100.00")], **OUT)
    if released:
        batch.released = True
        db.session.commit()
    on = set_today(OUT["notified_on"] + timedelta(days=days_after_notice))
    found = [item["id"] for item in api(shop.sales).get("/api/v1/repair-batches?status=withheld").json["items"]]
    assert (found == [batch.id]) is stored(batch).is_withheld(on)


# --- lists, scope and roles ------------------------------------------------------------------------


def test_the_list_filters_and_a_distributor_sees_its_own(shop, api, set_today):
    ours = make_batch(shop, 1, through=S.SHIPPED)
    other = shop.elsewhere()
    theirs = make_batch(other, 1, through=S.SHIPPED)

    def ids(caller: Any, query: str = "") -> list[int]:
        answer = caller.get(f"/api/v1/repair-batches{query}")
        assert answer.status_code == 200, answer.json
        return [item["id"] for item in answer.json["items"]]

    assert ids(api(shop.agent)) == [ours.id]
    assert ids(api(shop.agent), f"?distributor_id={other.distributor.id}") == [ours.id]
    sales = api(shop.sales)
    assert sorted(ids(sales)) == sorted([ours.id, theirs.id])
    assert ids(sales, f"?distributor_id={other.distributor.id}") == [theirs.id]
    assert sorted(ids(sales, "?month=2026-04&status=shipped")) == sorted([ours.id, theirs.id])
    assert ids(sales, "?month=2026-05") == []
    assert ids(sales, "?status=received") == []


@pytest.mark.parametrize(
    ("query", "field"), [("?month=2026-13", "month"), ("?month=26-04", "month"), ("?status=lost", "status")]
)
def test_a_bad_filter_is_refused_by_name(shop, api, set_today, query, field):
    answer = api(shop.sales).get(f"/api/v1/repair-batches{query}")
    assert answer.status_code == 422
    assert list(error_of(answer)["fields"]) == [field]


def test_the_list_reads_in_a_fixed_number_of_statements(shop, api, set_today, count_statements):
    make_batch(shop, 1, through=S.REPAIRED)
    sales = api(shop.sales)
    sales.get("/api/v1/repair-batches")  # the token's first use is recorded
    with count_statements() as few:
        sales.get("/api/v1/repair-batches")
    make_batch(shop.elsewhere(), 1, through=S.REPAIRED)
    with count_statements() as more:
        sales.get("/api/v1/repair-batches")
    assert len(more) == len(few)


def test_another_distributors_batch_answers_404_everywhere_and_nothing_changes(shop, api, set_today, count_rows):
    theirs = make_batch(shop.elsewhere(), 1)
    serial = boards_of(shop, 1)[0]
    agent = api(shop.agent)
    before = (count_rows(RepairLine), stored(theirs).status)
    assert agent.get(url(theirs)).status_code == 404
    assert agent.get(url(theirs, "lines")).status_code == 404
    assert agent.post(url(theirs, "lines"), json={"serial": serial, "fault_description": "x"}).status_code == 404
    assert agent.post(url(theirs, "ship"), json={}).status_code == 404
    assert agent.get(url(theirs)).json == agent.get("/api/v1/repair-batches/999999").json
    assert (count_rows(RepairLine), stored(theirs).status) == before


def test_head_office_steps_are_closed_to_the_distributor(shop, api, set_today):
    batch = make_batch(shop, 1, through=S.SHIPPED)
    agent = api(shop.agent)
    for step in ("receive", "inspect", "repair", "notify", "return"):
        assert agent.post(url(batch, step), json={}).status_code == 403, step
    assert stored(batch).status is S.SHIPPED


def test_head_office_cannot_open_fill_or_ship_a_batch(shop, api, set_today, count_rows):
    serial = boards_of(shop, 1)[0]
    batch = make_batch(shop, 1)
    sales = api(shop.sales)
    assert sales.post("/api/v1/repair-batches").status_code == 403
    assert sales.post(url(batch, "lines"), json={"serial": serial, "fault_description": "x"}).status_code == 403
    assert sales.post(url(batch, "ship")).status_code == 403
    assert count_rows(RepairLine) == 1


def test_finance_cannot_inspect(shop, api, set_today):
    batch = make_batch(shop, 1, through=S.RECEIVED)
    (line,) = line_ids(batch)
    answer = api(shop.finance).post(
        url(batch, "inspect"), json={"lines": [{"id": line, "cause": "normal_use", "outcome": "repaired", "fee": "0"}]}
    )
    assert answer.status_code == 403
    assert stored(batch).lines[0].cause is None
    assert api(shop.finance).get(url(batch)).status_code == 200  # everyone reads
