"""The repair batch's steps (docs/rules.md §7.2; contract §6.5.4), each one a transaction.

The distributor opens the month's batch, adds boards by serial number with a fault description, and
ships it; head office receives it, inspects each line (cause, outcome, fee within the cap), enters
the return freight, marks it repaired, notifies the fees in a written notice and ships the boards
back, which gives the boards repaired out of coverage their post-repair window (§6.5.3). Fee
payments, withholding and release are in portal.repairs.fees; ratings in portal.repairs.ratings.

Which step a state allows is the domain's one transition table (domain.repairs.transition); every
date, amount and refusal is checked by the domain's functions. Dates are given by the caller, and so
is ``today``; nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..agreements.models import Agreement
from ..audit.tracking import audit_reason
from ..boards.models import Board, BoardWindow
from ..boards.services import SerialProblems, normalize_serial
from ..distributors.models import Distributor
from ..domain import repairs as rules
from ..domain.errors import N_, DomainError, InvalidValue
from ..domain.notices import NoticeType
from ..domain.repairs import (
    EDITABLE,
    UNFINISHED,
    BatchAction,
    BatchStatus,
    FaultCause,
    InspectedLine,
    RepairOutcome,
    StepRefused,
)
from ..extensions import db
from ..notices.services import issue_notice, send_pending_email
from ..pricing.models import PriceListItem
from ..pricing.services import distributor_level, list_in_force
from ..transactions import after_commit, locked, transactional
from .models import RepairBatch, RepairLine

ZERO = Decimal("0.00")


class BoardProblems(SerialProblems):
    """Every serial that cannot join the batch, with its reason (unknown, already in this batch, in
    another unfinished batch, a missing fault description), listed at once; nothing is added."""

    def __init__(self, problems: list[tuple[str, str, dict[str, Any]]]) -> None:
        super().__init__(problems)
        self.message = N_("Some boards cannot be added to the batch; see the list.")
        self.args = (self.message,)


UNKNOWN_SERIAL = N_("%(serial)s: no board of yours has this serial number.")
ALREADY_IN_BATCH = N_("%(serial)s is already in this batch.")
IN_ANOTHER_BATCH = N_("%(serial)s is already in batch %(batch)s, which is not finished.")
TYPED_TWICE = N_("%(serial)s is listed twice.")
NO_DESCRIPTION = N_("%(serial)s: describe the fault.")
LONG_DESCRIPTION = N_("%(serial)s: describe the fault in at most %(length)s characters.")
SENT_BEFORE_SHIPPED = N_("%(serial)s was shipped to you on %(board_shipped_on)s: it cannot be sent in before that day.")


def _set_status(batch: RepairBatch, status: BatchStatus, on: date) -> None:
    if batch.status is not status:
        batch.status, batch.status_since = status, on


def _step(batch: RepairBatch, action: BatchAction, on: date) -> None:
    _set_status(batch, rules.transition(batch.status, action), on)


def _terms(batch: RepairBatch, on: date) -> Any:
    return batch.agreement.terms_on(on)


# --- the distributor: the month's batch, its boards, shipping -------------------------------------


def open_batch_of(distributor_id: int) -> RepairBatch | None:
    """The distributor's batch still being filled, if any (at most one at a time)."""
    return db.session.scalar(
        select(RepairBatch).where(RepairBatch.distributor_id == distributor_id, RepairBatch.status.in_(EDITABLE))
    )


def _agreement_binding(distributor_id: int, on: date) -> Agreement:
    agreement = db.session.scalar(
        select(Agreement)
        .where(Agreement.distributor_id == distributor_id, Agreement.binds_on(on))
        .order_by(Agreement.starts_on.desc())
        .limit(1)
    )
    if agreement is None:
        raise DomainError(N_("Repair batches are sent under an agreement in force; there is none today."))
    return agreement


def _free_month(distributor_id: int, on: date) -> str:
    taken = db.session.scalars(select(RepairBatch.month).where(RepairBatch.distributor_id == distributor_id))
    return rules.free_month(taken, on)


@transactional
def open_batch(distributor_id: int, *, today: date, created_by_id: int | None = None) -> RepairBatch:
    """The batch the distributor fills now: its open one, or a new one for this month (or the next
    free month, when this month's batch has already gone). The distributor row is locked, so two
    clicks make one batch."""
    distributor = locked(Distributor, distributor_id)
    existing = open_batch_of(distributor_id)
    if existing is not None:
        return existing
    agreement = _agreement_binding(distributor_id, today)
    month = _free_month(distributor_id, today)
    batch = RepairBatch(
        number=f"FX-{distributor.code}-{month}",
        distributor_id=distributor_id,
        agreement_id=agreement.id,
        month=month,
        status=BatchStatus.OPEN,
        status_since=today,
        created_by_id=created_by_id,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


@dataclass(frozen=True)
class BoardEntry:
    """A board to add: its serial as typed, scanned, pasted or uploaded, and its fault."""

    serial: str
    fault_description: str


@transactional
def add_boards(batch: RepairBatch, entries: Sequence[BoardEntry]) -> list[RepairLine]:
    """Add boards to the open batch, each with its fault description (§6.5.4). A board must be the
    distributor's own and in no unfinished batch; another distributor's serial is answered as
    unknown. Every bad entry is listed with its reason and then nothing is added."""
    locked(Distributor, batch.distributor_id)  # serialises adding across the distributor's batches
    batch = locked(RepairBatch, batch.id)
    if batch.status not in EDITABLE:
        raise StepRefused(N_("Boards are added to a batch only before it is shipped."))
    if not entries:
        raise InvalidValue(N_("Enter at least one serial number."), field="serials")
    serials = [normalize_serial(entry.serial) for entry in entries]
    boards = {
        board.serial: board
        for board in db.session.scalars(
            select(Board).where(Board.distributor_id == batch.distributor_id, Board.serial.in_(set(serials)))
        )
    }
    busy = dict(
        db.session.execute(
            select(RepairLine.board_id, RepairBatch.number)
            .join(RepairBatch, RepairLine.batch_id == RepairBatch.id)
            .where(
                RepairLine.board_id.in_([board.id for board in boards.values()]),
                RepairBatch.status.in_(UNFINISHED),
            )
        ).all()
    )
    problems: list[tuple[str, str, dict[str, Any]]] = []
    seen: set[str] = set()
    descriptions: list[str] = []
    for serial, entry in zip(serials, entries, strict=True):
        board = boards.get(serial)
        if serial in seen:
            problems.append((serial, TYPED_TWICE, {"serial": serial}))
        elif board is None:
            problems.append((serial, UNKNOWN_SERIAL, {"serial": serial or "—"}))
        elif board.id in busy:
            number = busy[board.id]
            if number == batch.number:
                problems.append((serial, ALREADY_IN_BATCH, {"serial": serial}))
            else:
                problems.append((serial, IN_ANOTHER_BATCH, {"serial": serial, "batch": number}))
        seen.add(serial)
        try:
            descriptions.append(rules.check_fault_description(entry.fault_description))
        except InvalidValue:
            blank = not (entry.fault_description or "").strip()
            params = {"serial": serial or "—", "length": rules.FAULT_DESCRIPTION_MAX_LENGTH}
            problems.append((serial, NO_DESCRIPTION if blank else LONG_DESCRIPTION, params))
    if problems:
        raise BoardProblems(problems)
    lines = [
        RepairLine(batch_id=batch.id, board_id=boards[serial].id, fault_description=description)
        for serial, description in zip(serials, descriptions, strict=True)
    ]
    db.session.add_all(lines)
    db.session.flush()
    return lines


@transactional
def remove_line(line: RepairLine) -> None:
    """Take a board out of the batch before it is shipped."""
    batch = locked(RepairBatch, line.batch_id)
    if batch.status not in EDITABLE:
        raise StepRefused(N_("Boards are removed from a batch only before it is shipped."))
    db.session.delete(line)
    db.session.flush()


def _lines(batch: RepairBatch) -> list[RepairLine]:
    """The batch's lines with their boards (and the boards' windows) in three statements."""
    return list(
        db.session.scalars(
            select(RepairLine)
            .where(RepairLine.batch_id == batch.id)
            .options(selectinload(RepairLine.board).selectinload(Board.windows))
            .order_by(RepairLine.id)
            .execution_options(populate_existing=True)
        )
    )


@transactional
def ship_batch(batch: RepairBatch, *, shipped_on: date, carrier: str, tracking_number: str, today: date) -> RepairBatch:
    """The distributor sends the batch (§6.5.4): shipping outside days 1-10 of a month is allowed and
    recorded as late; each line is classified by its board's coverage on the shipping date. The
    batch takes the month it ships in, and a distributor ships one batch a month."""
    batch = locked(RepairBatch, batch.id)
    target = rules.transition(batch.status, BatchAction.SHIP)
    rules.check_step_date(shipped_on, previous_on=None, today=today, field="shipped_on")
    lines = _lines(batch)
    rules.check_ship(len(lines))
    for line in lines:
        try:
            line.coverage_class = rules.classify(line.board.coverage, shipped_on)
        except InvalidValue as error:
            raise InvalidValue(
                SENT_BEFORE_SHIPPED, field="shipped_on", serial=line.board.serial, **error.params
            ) from error
    month = rules.batch_month(shipped_on)
    taken = db.session.scalar(
        select(RepairBatch.number).where(
            RepairBatch.distributor_id == batch.distributor_id, RepairBatch.month == month, RepairBatch.id != batch.id
        )
    )
    if taken is not None:
        raise InvalidValue(
            N_("Batch %(batch)s was already sent in %(month)s: one batch a month; ship this one next month."),
            field="shipped_on",
            batch=taken,
            month=month,
        )
    window = _terms(batch, shipped_on).repair_batch_window_days
    batch.month, batch.number = month, f"FX-{batch.distributor.code}-{month}"
    batch.shipped_on, batch.carrier, batch.tracking_number = shipped_on, carrier.strip(), tracking_number.strip()
    batch.shipped_late = not rules.shipped_in_window(shipped_on, window)
    _set_status(batch, target, shipped_on)
    try:
        db.session.flush()
    except IntegrityError as error:  # two batches shipped into one month at the same moment
        raise InvalidValue(N_("Another batch was sent this month."), field="shipped_on") from error
    return batch


# --- head office: receive, inspect, repair, notify, return ----------------------------------------


@transactional
def receive_batch(batch: RepairBatch, *, received_on: date, today: date) -> RepairBatch:
    """Head office has the boards: the 30-day turnaround starts (§6.5.4)."""
    batch = locked(RepairBatch, batch.id)
    rules.transition(batch.status, BatchAction.RECEIVE)
    rules.check_step_date(received_on, previous_on=batch.shipped_on, today=today, field="received_on")
    batch.received_on = received_on
    batch.repair_due_on = rules.repair_due_on(received_on, _terms(batch, received_on).repair_turnaround_days)
    _step(batch, BatchAction.RECEIVE, received_on)
    db.session.flush()
    return batch


@dataclass(frozen=True)
class LineInspection:
    """Head office's finding on one line: cause, outcome and fee (0 on a line that takes none).
    A ``correction`` (its reason, blank for none) changes a result already recorded, before the
    notice; the reason goes into the audit trail."""

    line_id: int
    cause: FaultCause
    outcome: RepairOutcome
    fee: Decimal = ZERO
    correction: str = ""


class LineRefusals(InvalidValue):
    """Every refused line of an inspection, by line id; nothing was recorded."""

    def __init__(self, problems: dict[int, DomainError]) -> None:
        first = next(iter(problems.values()))
        super().__init__(first.message, field=first.field, **first.params)
        self.problems = problems
        if all(not isinstance(problem, InvalidValue) for problem in problems.values()):
            self.code = DomainError.code  # a state refusal (409), not a value (422)


def agent_price(batch: RepairBatch, board: Board, on: date) -> Decimal | None:
    """The product's agent price for the distributor's level in the price list in force on ``on``
    (§6.5.3), or None when that list has no price for it."""
    price_list = list_in_force(on)
    if price_list is None:
        return None
    item = db.session.scalar(
        select(PriceListItem).where(
            PriceListItem.price_list_id == price_list.id, PriceListItem.product_id == board.product_id
        )
    )
    if item is None:
        return None
    return item.prices.agent_price(distributor_level(batch.distributor_id, on))


def line_cap(batch: RepairBatch, line: RepairLine, cause: FaultCause, outcome: RepairOutcome, on: date) -> rules.FeeCap:
    """What ``line`` may be charged for ``cause`` and ``outcome`` when inspected on ``on``: for the
    inspection form to show beside the fee."""
    if line.coverage_class is None:
        raise StepRefused(N_("Lines are inspected after the batch is received and before the fees are notified."))
    return rules.fee_cap(
        coverage_class=line.coverage_class,
        cause=cause,
        outcome=outcome,
        agent_price=agent_price(batch, line.board, on),
        sale_price=line.board.unit_price,
        cap_percent=_terms(batch, on).repair_fee_cap_percent,
    )


def _inspect_line(batch: RepairBatch, line: RepairLine, finding: LineInspection, on: date) -> bool:
    assert line.coverage_class is not None  # classified when the batch shipped
    terms = _terms(batch, on)
    cap = rules.check_fee(
        finding.fee,
        coverage_class=line.coverage_class,
        cause=finding.cause,
        outcome=finding.outcome,
        agent_price=agent_price(batch, line.board, on),
        sale_price=line.board.unit_price,
        cap_percent=terms.repair_fee_cap_percent,
    )
    new = InspectedLine(line.coverage_class, finding.cause, finding.outcome, finding.fee)
    changes = rules.check_line_inspection(
        batch.status, line.inspected, new, correction=bool(finding.correction.strip())
    )
    if not changes:
        return False
    line.cause, line.outcome, line.fee, line.charged = finding.cause, finding.outcome, finding.fee, new.charged
    line.fee_basis, line.fee_cap, line.cap_price, line.cap_percent = cap.basis, cap.cap, cap.price, cap.percent
    line.inspected_on = on
    return True


@transactional
def inspect_lines(
    batch: RepairBatch,
    findings: Sequence[LineInspection],
    *,
    inspected_on: date,
    today: date,
    return_freight: Decimal | None = None,
) -> RepairBatch:
    """Record head office's findings on some or all lines (lines not named keep theirs), and the
    return freight if given. A fee above the cap or on a line that takes none is refused; a line
    already inspected changes only as a correction, written to the audit trail with its reason.
    Once every line is inspected the batch is inspected. All or nothing: every refused line is
    reported and nothing is recorded."""
    batch = locked(RepairBatch, batch.id)
    if batch.status not in rules.INSPECTABLE:
        raise StepRefused(N_("Lines are inspected after the batch is received and before the fees are notified."))
    rules.check_step_date(inspected_on, previous_on=batch.received_on, today=today, field="inspected_on")
    lines = {line.id: line for line in _lines(batch)}
    problems: dict[int, DomainError] = {}
    # Corrections last, each flushed under its reason, so the audit trail says why a result changed.
    for finding in sorted(findings, key=lambda f: bool(f.correction.strip())):
        line = lines.get(finding.line_id)
        if line is None:
            problems[finding.line_id] = InvalidValue(N_("This line is not in the batch."), field="id")
            continue
        with audit_reason(finding.correction.strip()):
            try:
                _inspect_line(batch, line, finding, inspected_on)
                db.session.flush()
            except DomainError as error:
                problems[finding.line_id] = error
    if problems:
        raise LineRefusals(problems)
    if return_freight is not None:
        batch.return_freight = rules.check_return_freight(return_freight)
    _refresh_amounts(batch, list(lines.values()))
    uninspected = sum(1 for line in lines.values() if line.inspected is None)
    status = rules.status_after_inspection(batch.status, uninspected)
    if status is not batch.status:
        batch.inspected_on = inspected_on
        _set_status(batch, status, inspected_on)
    db.session.flush()
    return batch


@transactional
def set_return_freight(batch: RepairBatch, amount: Decimal) -> RepairBatch:
    """The freight of shipping the boards back, entered before the notice (after-sales terms)."""
    batch = locked(RepairBatch, batch.id)
    if batch.status not in rules.INSPECTABLE:
        raise StepRefused(
            N_("The return freight is entered after the batch is received and before the fees are notified.")
        )
    batch.return_freight = rules.check_return_freight(amount)
    _refresh_amounts(batch, _lines(batch))
    db.session.flush()
    return batch


def _refresh_amounts(batch: RepairBatch, lines: Sequence[RepairLine]) -> rules.BatchFees | None:
    """The batch's fees, freight shares and amount due from its inspected lines (all of them, or
    none is fixed yet)."""
    inspected = [line.inspected for line in lines]
    if not lines or any(finding is None for finding in inspected):
        batch.fees_total = sum((line.fee or ZERO for line in lines), ZERO)
        batch.freight_charged, batch.amount_due = ZERO, batch.fees_total
        return None
    fees = rules.batch_fees(batch.return_freight, [finding for finding in inspected if finding is not None])
    for line, share in zip(lines, fees.freight, strict=True):
        line.freight_share = share
    batch.fees_total, batch.freight_charged, batch.amount_due = fees.fees_total, fees.freight_charged, fees.amount_due
    return fees


@transactional
def mark_repaired(batch: RepairBatch, *, repaired_on: date, today: date) -> RepairBatch:
    """Repairs done: late when past 30 days from receipt (§6.5.4)."""
    batch = locked(RepairBatch, batch.id)
    rules.transition(batch.status, BatchAction.REPAIR)
    previous = max(day for day in (batch.received_on, batch.inspected_on) if day is not None)
    rules.check_step_date(repaired_on, previous_on=previous, today=today, field="repaired_on")
    assert batch.received_on is not None
    batch.repaired_on = repaired_on
    batch.turnaround_late = rules.turnaround_is_late(
        batch.received_on, repaired_on, _terms(batch, batch.received_on).repair_turnaround_days
    )
    _step(batch, BatchAction.REPAIR, repaired_on)
    db.session.flush()
    return batch


@transactional
def notify_fees(batch: RepairBatch, *, notified_on: date, today: date, issued_by_id: int | None = None) -> RepairBatch:
    """The numbered written notice of the fees (§6.5.4): each line with its cause, outcome, fee and
    freight share, and the total; due 7 days later. A batch with nothing to pay is paid at once."""
    batch = locked(RepairBatch, batch.id)
    rules.transition(batch.status, BatchAction.NOTIFY)
    rules.check_step_date(notified_on, previous_on=batch.repaired_on, today=today, field="notified_on")
    lines = _lines(batch)
    fees = _refresh_amounts(batch, lines)
    assert fees is not None  # a repaired batch has every line inspected
    due_on = rules.fees_due_on(notified_on, _terms(batch, notified_on).repair_fee_due_days)
    notice = issue_notice(
        batch.distributor,
        NoticeType.REPAIR_FEES,
        notified_on,
        agreement_id=batch.agreement_id,
        issued_by_id=issued_by_id,
        reference=batch.number,
        amount=fees.amount_due,
        due_on=due_on,
        lines=[
            {
                "serial": line.board.serial,
                "cause": line.cause,
                "outcome": line.outcome,
                "fee": line.fee or ZERO,
                "freight": line.freight_share,
            }
            for line in lines
        ],
        fees_total=fees.fees_total,
        freight=fees.freight_charged,
    )
    batch.notified_on, batch.fees_due_on, batch.notice_id = notified_on, due_on, notice.id
    _step(batch, BatchAction.NOTIFY, notified_on)
    _set_status(
        batch,
        rules.status_from_payments(batch.status, paid=batch.paid_amount, amount_due=batch.amount_due),
        notified_on,
    )
    db.session.flush()
    after_commit(lambda: send_pending_email([notice]))
    return batch


@transactional
def return_batch(
    batch: RepairBatch, *, returned_on: date, today: date, carrier: str = "", tracking_number: str = ""
) -> RepairBatch:
    """Ship the boards back: refused while fees are unpaid unless released (§6.5.4). Each line repaired
    out of coverage gives its board a post-repair window from today's return date (§6.5.3)."""
    batch = locked(RepairBatch, batch.id)
    target = rules.check_return(batch.status, unpaid=batch.unpaid, released=batch.released)
    rules.check_step_date(returned_on, previous_on=batch.notified_on, today=today, field="returned_on")
    lines = _lines(batch)
    months = _terms(batch, returned_on).post_repair_warranty_months
    findings = [line.inspected for line in lines]
    windows = rules.windows_on_return([f for f in findings if f is not None], returned_on, months)
    for line, window in zip(lines, windows, strict=True):
        if window is not None:
            db.session.add(
                BoardWindow(
                    board_id=line.board_id, starts_on=window.starts_on, ends_on=window.ends_on, repair_line_id=line.id
                )
            )
    batch.returned_on, batch.return_carrier, batch.return_tracking_number = (
        returned_on,
        carrier.strip(),
        tracking_number.strip(),
    )
    _set_status(batch, target, returned_on)
    db.session.flush()
    return batch
