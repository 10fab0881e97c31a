"""The repair batch's steps as services (docs/rules.md §7.2): what each step records, what it refuses,
and that a refused step changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.boards.models import Board, BoardWindow
from portal.domain.errors import DomainError, InvalidValue
from portal.domain.repairs import BatchStatus, FaultCause, FeeBasis, RepairOutcome, StepRefused
from portal.domain.warranty import CoverageClass
from portal.extensions import db
from portal.notices.models import Notice
from portal.repairs import services
from portal.repairs.models import RepairBatch, RepairLine
from portal.repairs.services import BoardEntry, BoardProblems, LineInspection, LineRefusals

from .builders import boards_of, make_batch

S = BatchStatus
NORMAL, HUMAN = FaultCause.NORMAL_USE, FaultCause.HUMAN_DAMAGE
REPAIRED, NFF, UNREPAIRABLE = RepairOutcome.REPAIRED, RepairOutcome.NO_FAULT_FOUND, RepairOutcome.UNREPAIRABLE
# The boards ship to the distributor on 4 March 2026: in warranty until 4 June 2027.
OUT = {  # a batch sent in after the warranty ended
    "opened_on": date(2027, 7, 1),
    "shipped_on": date(2027, 7, 2),
    "received_on": date(2027, 7, 5),
    "inspected_on": date(2027, 7, 6),
    "repaired_on": date(2027, 7, 20),
    "notified_on": date(2027, 7, 21),
    "returned_on": date(2027, 7, 30),
}


def lines_of(batch: RepairBatch) -> list[RepairLine]:
    db.session.expire_all()
    return list(db.session.scalars(select(RepairLine).where(RepairLine.batch_id == batch.id).order_by(RepairLine.id)))


# --- filling and shipping -------------------------------------------------------------------------


def test_a_distributor_fills_one_open_batch_at_a_time(shop):
    first = services.open_batch(shop.distributor.id, today=date(2026, 4, 1))
    again = services.open_batch(shop.distributor.id, today=date(2026, 4, 2))
    assert again.id == first.id
    assert first.month == "2026-04"
    assert first.number == f"FX-{shop.distributor.code}-2026-04"
    assert first.status is S.OPEN


def test_every_bad_serial_is_listed_with_its_reason_and_nothing_is_added(shop, count_rows):
    mine = boards_of(shop, 3)
    other = shop.elsewhere()
    theirs = boards_of(other, 1)
    make_batch(shop, [mine[0]], through=S.SHIPPED)  # in an unfinished batch
    batch = services.open_batch(shop.distributor.id, today=date(2026, 4, 5))
    services.add_boards(batch, [BoardEntry(mine[1], "no power")])
    before = count_rows(RepairLine)
    with pytest.raises(BoardProblems) as refused:
        services.add_boards(
            batch,
            [
                BoardEntry("NOPE-1", "no power"),
                BoardEntry(theirs[0], "no power"),  # another distributor's: answered as unknown
                BoardEntry(mine[0], "no power"),
                BoardEntry(mine[1], "no power"),
                BoardEntry(mine[2], "  "),
                BoardEntry(mine[2].lower(), "no power"),
            ],
        )
    reasons = [(serial, message % params) for serial, message, params in refused.value.problems]
    assert reasons == [
        ("NOPE-1", "NOPE-1: no board of yours has this serial number."),
        (theirs[0], f"{theirs[0]}: no board of yours has this serial number."),
        (mine[0], f"{mine[0]} is already in batch FX-{shop.distributor.code}-2026-04, which is not finished."),
        (mine[1], f"{mine[1]} is already in this batch."),
        (mine[2], f"{mine[2]}: describe the fault."),
        (mine[2], f"{mine[2]} is listed twice."),
    ]
    assert count_rows(RepairLine) == before


def test_shipping_classifies_each_line_on_the_shipping_date_and_records_lateness(shop):
    old = boards_of(shop, 1)  # shipped 4 March 2026: out of warranty after 4 June 2027
    new = boards_of(shop, 1, shipped_on=date(2027, 1, 4))  # in warranty until 4 April 2028
    batch = make_batch(shop, [*old, *new], through=S.SHIPPED, opened_on=date(2027, 7, 1), shipped_on=date(2027, 7, 12))
    assert [line.coverage_class for line in lines_of(batch)] == [
        CoverageClass.OUT_OF_WARRANTY,
        CoverageClass.IN_WARRANTY,
    ]
    assert batch.status is S.SHIPPED
    assert batch.status_since == date(2027, 7, 12)
    assert batch.shipped_late  # the 12th: after days 1-10 (§6.5.4), allowed
    on_time = make_batch(shop, 1, through=S.SHIPPED, opened_on=date(2027, 8, 1), shipped_on=date(2027, 8, 10))
    assert not on_time.shipped_late


@pytest.mark.parametrize(
    ("shipped_on", "today", "message"),
    [
        (date(2026, 4, 11), date(2026, 4, 10), "in the future"),
        (date(2026, 3, 1), date(2026, 4, 10), "cannot be sent in before that day"),
    ],
)
def test_shipping_refuses_a_bad_date_and_changes_nothing(shop, shipped_on, today, message):
    batch = make_batch(shop, 1)
    with pytest.raises(InvalidValue) as refused:
        services.ship_batch(batch, shipped_on=shipped_on, carrier="", tracking_number="", today=today)
    assert refused.value.field == "shipped_on"
    assert message in str(refused.value)
    db.session.expire_all()
    assert batch.status is S.OPEN
    assert lines_of(batch)[0].coverage_class is None


def test_an_empty_batch_does_not_ship_and_one_batch_goes_per_month(shop):
    sent = make_batch(shop, 1, through=S.SHIPPED)  # April 2026
    empty = services.open_batch(shop.distributor.id, today=date(2026, 4, 9))
    assert empty.month == "2026-05"  # April's batch has gone
    with pytest.raises(StepRefused, match="Add at least one board"):
        services.ship_batch(empty, shipped_on=date(2026, 4, 9), carrier="", tracking_number="", today=date(2026, 4, 9))
    services.add_boards(empty, [BoardEntry(boards_of(shop, 1)[0], "cracked")])
    with pytest.raises(InvalidValue, match=f"Batch {sent.number} was already sent in 2026-04"):
        services.ship_batch(empty, shipped_on=date(2026, 4, 9), carrier="", tracking_number="", today=date(2026, 4, 9))
    services.ship_batch(empty, shipped_on=date(2026, 5, 2), carrier="", tracking_number="", today=date(2026, 5, 2))
    assert empty.month == "2026-05"
    assert empty.status is S.SHIPPED


def test_boards_come_out_of_an_open_batch_only(shop):
    batch = make_batch(shop, 2)
    services.remove_line(lines_of(batch)[0])
    assert len(lines_of(batch)) == 1
    shipped = make_batch(shop, 1, through=S.SHIPPED, opened_on=date(2026, 5, 1), shipped_on=date(2026, 5, 2))
    with pytest.raises(StepRefused):
        services.remove_line(lines_of(shipped)[0])


# --- head office ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received_on", "message"),
    [(date(2026, 4, 2), "before the batch's previous step \\(2026-04-03\\)"), (date(2026, 4, 30), "in the future")],
)
def test_receiving_before_shipping_or_after_today_is_refused(shop, received_on, message):
    batch = make_batch(shop, 1, through=S.SHIPPED)
    with pytest.raises(InvalidValue, match=message):
        services.receive_batch(batch, received_on=received_on, today=date(2026, 4, 10))
    db.session.expire_all()
    assert batch.status is S.SHIPPED
    assert batch.received_on is None


def test_a_step_the_state_does_not_allow_is_refused(shop):
    batch = make_batch(shop, 1)
    with pytest.raises(StepRefused, match="Only a shipped batch can be received"):
        services.receive_batch(batch, received_on=date(2026, 4, 6), today=date(2026, 4, 6))
    received = make_batch(
        shop,
        1,
        through=S.RECEIVED,
        opened_on=date(2026, 5, 1),
        shipped_on=date(2026, 5, 2),
        received_on=date(2026, 5, 4),
    )
    with pytest.raises(StepRefused, match="Inspect every line before marking the batch repaired"):
        services.mark_repaired(received, repaired_on=date(2026, 5, 5), today=date(2026, 5, 5))
    with pytest.raises(StepRefused, match="Mark the batch repaired before notifying"):
        services.notify_fees(received, notified_on=date(2026, 5, 5), today=date(2026, 5, 5))


def test_receipt_starts_the_30_day_turnaround(shop):
    batch = make_batch(shop, 1, through=S.RECEIVED, received_on=date(2026, 4, 6))
    assert batch.repair_due_on == date(2026, 5, 6)
    on_time = make_batch(
        shop,
        1,
        through=S.REPAIRED,
        opened_on=date(2026, 5, 1),
        shipped_on=date(2026, 5, 2),
        received_on=date(2026, 5, 4),
        inspected_on=date(2026, 5, 5),
        repaired_on=date(2026, 6, 3),
    )
    assert on_time.status is S.REPAIRED
    assert not on_time.turnaround_late
    late = make_batch(
        shop,
        1,
        through=S.REPAIRED,
        opened_on=date(2026, 6, 1),
        shipped_on=date(2026, 6, 2),
        received_on=date(2026, 6, 4),
        inspected_on=date(2026, 6, 5),
        repaired_on=date(2026, 7, 5),
    )
    assert late.turnaround_late


def _received_out_of_warranty(shop, findings_count=1):
    return make_batch(
        shop, findings_count, through=S.RECEIVED, **{k: OUT[k] for k in ("opened_on", "shipped_on", "received_on")}
    )


def test_the_fee_cap_is_20_percent_of_the_agent_price_and_a_fee_above_it_is_refused(shop):
    batch = _received_out_of_warranty(shop)
    line = lines_of(batch)[0]
    cap = services.line_cap(batch, line, NORMAL, REPAIRED, OUT["inspected_on"])
    assert (cap.basis, cap.cap, cap.price) == (FeeBasis.AGENT_PRICE, Decimal("240.00"), Decimal("1200.00"))
    with pytest.raises(LineRefusals) as refused:
        services.inspect_lines(
            batch,
            [LineInspection(line.id, NORMAL, REPAIRED, Decimal("240.01"))],
            inspected_on=OUT["inspected_on"],
            today=OUT["inspected_on"],
        )
    assert refused.value.problems[line.id].field == "fee"
    assert "cannot be more than 240.00" in str(refused.value.problems[line.id])
    assert lines_of(batch)[0].cause is None
    services.inspect_lines(
        batch,
        [LineInspection(line.id, NORMAL, REPAIRED, Decimal("240.00"))],
        inspected_on=OUT["inspected_on"],
        today=OUT["inspected_on"],
    )
    line = lines_of(batch)[0]
    assert (line.fee, line.fee_cap, line.fee_basis, line.charged) == (
        Decimal("240.00"),
        Decimal("240.00"),
        FeeBasis.AGENT_PRICE,
        True,
    )
    assert batch.status is S.INSPECTED
    assert batch.inspected_on == OUT["inspected_on"]


@pytest.mark.parametrize(
    ("cause", "outcome", "fee", "message"),
    [
        (NORMAL, REPAIRED, "10.00", "This line is free"),
        (NORMAL, NFF, "10.00", "no fault found carries no repair fee"),
        (HUMAN, UNREPAIRABLE, "10.00", "unrepairable board carries no repair fee"),
        (HUMAN, REPAIRED, "-1.00", "cannot be negative"),
        (HUMAN, REPAIRED, "1.001", "at most two decimals"),
    ],
)
def test_a_fee_a_line_does_not_take_is_refused(shop, cause, outcome, fee, message):
    batch = make_batch(shop, 1, through=S.RECEIVED)  # in warranty
    line = lines_of(batch)[0]
    with pytest.raises(LineRefusals, match=message):
        services.inspect_lines(
            batch,
            [LineInspection(line.id, cause, outcome, Decimal(fee))],
            inspected_on=date(2026, 4, 8),
            today=date(2026, 4, 8),
        )
    assert lines_of(batch)[0].cause is None


def test_human_damage_in_warranty_pays_the_full_cost_with_no_cap(shop):
    batch = make_batch(shop, 1, through=S.INSPECTED, findings=[(HUMAN, REPAIRED, "5000.00")])
    line = lines_of(batch)[0]
    assert (line.fee, line.fee_cap, line.fee_basis) == (Decimal("5000.00"), None, FeeBasis.FULL_COST)


def test_inspecting_again_with_another_result_needs_a_correction_which_is_audited(shop):
    batch = make_batch(shop, 2, through=S.RECEIVED)
    first, second = lines_of(batch)
    day = date(2026, 4, 8)
    services.inspect_lines(
        batch, [LineInspection(first.id, HUMAN, REPAIRED, Decimal("100.00"))], inspected_on=day, today=day
    )
    assert batch.status is S.RECEIVED  # one line still to inspect
    services.inspect_lines(
        batch, [LineInspection(first.id, HUMAN, REPAIRED, Decimal("100.00"))], inspected_on=day, today=day
    )
    with pytest.raises(LineRefusals, match="record a correction"):
        services.inspect_lines(batch, [LineInspection(first.id, NORMAL, REPAIRED)], inspected_on=day, today=day)
    assert lines_of(batch)[0].cause is HUMAN
    services.inspect_lines(
        batch,
        [
            LineInspection(first.id, NORMAL, REPAIRED, correction="Dropped in our lab, not by the customer"),
            LineInspection(second.id, NORMAL, NFF),
        ],
        inspected_on=day,
        today=day,
    )
    assert [line.cause for line in lines_of(batch)] == [NORMAL, NORMAL]
    assert batch.status is S.INSPECTED
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.table_name == "repair_lines", AuditEvent.record_id == str(first.id))
    ).all()
    corrected = [event for event in events if event.reason == "Dropped in our lab, not by the customer"]
    assert [event.changes["cause"] for event in corrected] == [["human_damage", "normal_use"]]


def test_the_notice_lists_each_line_and_the_fees_fall_due_7_days_later(shop):
    batch = make_batch(
        shop,
        3,
        through=S.NOTIFIED,
        findings=[(HUMAN, REPAIRED, "100.00"), (NORMAL, NFF, "0.00"), (NORMAL, REPAIRED, "0.00")],
        return_freight="30.00",
    )
    # Two of three lines pay the way back (charged, no fault found): round(30 × 2/3) = 20.00.
    assert [line.freight_share for line in lines_of(batch)] == [Decimal("10.00"), Decimal("10.00"), Decimal("0.00")]
    assert (batch.fees_total, batch.freight_charged, batch.amount_due) == (
        Decimal("100.00"),
        Decimal("20.00"),
        Decimal("120.00"),
    )
    assert batch.status is S.NOTIFIED
    assert batch.fees_due_on == date(2026, 4, 28)
    notice = db.session.get(Notice, batch.notice_id)
    assert notice.type.value == "repair_fees"
    serial = lines_of(batch)[0].board.serial
    assert f"1. {serial}：人为损坏，已修复；维修费 ¥100.00，分摊回程运费 ¥10.00" in notice.body_zh
    assert f"{serial}: Human damage, Repaired; repair fee ¥100.00, return freight share ¥10.00" in notice.body_en
    assert "total due ¥120.00" in notice.body_en


def test_a_notice_of_nothing_due_leaves_the_batch_paid(shop):
    batch = make_batch(shop, 1, through=S.NOTIFIED)
    assert batch.amount_due == 0
    assert batch.status is S.PAID


def test_the_boards_are_withheld_while_unpaid_unless_released(shop):
    batch = make_batch(shop, 1, through=S.NOTIFIED, findings=[(HUMAN, REPAIRED, "80.00")])
    with pytest.raises(StepRefused, match="80.00 of repair fees is unpaid"):
        services.return_batch(batch, returned_on=date(2026, 4, 28), today=date(2026, 4, 28))
    db.session.expire_all()
    assert batch.status is S.NOTIFIED
    assert batch.returned_on is None
    batch.released = True  # portal.repairs.fees.release_batch, with its reason
    db.session.commit()
    services.return_batch(batch, returned_on=date(2026, 4, 28), today=date(2026, 4, 28))
    assert batch.status is S.RETURNED


def test_a_board_repaired_out_of_coverage_gets_its_window_from_the_return_date(shop):
    old = boards_of(shop, 1)
    covered = boards_of(shop, 1, shipped_on=date(2027, 1, 4))
    batch = make_batch(
        shop,
        [*old, *covered],
        through=S.INSPECTED,
        findings=[(NORMAL, REPAIRED, "0.00"), (NORMAL, REPAIRED, "0.00")],
        **{k: OUT[k] for k in ("opened_on", "shipped_on", "received_on", "inspected_on")},
    )
    services.mark_repaired(batch, repaired_on=OUT["repaired_on"], today=OUT["repaired_on"])
    services.notify_fees(batch, notified_on=OUT["notified_on"], today=OUT["notified_on"])
    services.return_batch(batch, returned_on=OUT["returned_on"], today=OUT["returned_on"])
    db.session.expire_all()
    windows = db.session.scalars(select(BoardWindow)).all()
    assert [(w.board_id, w.starts_on, w.ends_on) for w in windows] == [
        (db.session.scalar(select(Board.id).where(Board.serial == old[0])), date(2027, 7, 30), date(2028, 1, 30))
    ]
    board = db.session.scalar(select(Board).where(Board.serial == old[0]))
    assert board.coverage.coverage_class(date(2027, 7, 29)) is CoverageClass.OUT_OF_WARRANTY  # the gap
    assert board.coverage.coverage_class(date(2027, 7, 30)) is CoverageClass.POST_REPAIR_WARRANTY


def test_a_refused_inspection_of_a_line_outside_the_batch_changes_nothing(shop):
    batch = make_batch(shop, 1, through=S.RECEIVED)
    with pytest.raises(DomainError):
        services.inspect_lines(
            batch, [LineInspection(999999, NORMAL, REPAIRED)], inspected_on=date(2026, 4, 8), today=date(2026, 4, 8)
        )
    assert batch.status is S.RECEIVED
