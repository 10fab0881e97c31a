"""Demo repair batches (in the repairs area): a year of monthly batches for the demo distributors, in
every state, made through the batch services (portal.repairs.services) with explicit dates, so the
audit trail, the fees notices and the boards' post-repair windows read like a real year.

It runs after the orders demo and sends in boards that demo shipped. HZ001 (hz-agent) has a batch in
each of the last twelve months: returned (rated and not), one shipped late, one repaired late, one
withheld for overdue fees, then released with a reason and returned unpaid, a board repaired out of
warranty and sent in again inside its post-repair window; then one withheld now, one paid after its
reminder and not yet returned, one notified with its fees not yet due, and this month's open batch
with boards in it. SZ002 (sz-agent) has returned batches, one received with some lines inspected
and one shipped today; SZ003 and CD004 a batch repaired and one inspected. The lines are free (in
warranty, a covered cause), charged in full (human damage in warranty), charged out of warranty
within the cap (the fee kept under services.line_cap), no fault found and unrepairable.

Dates are relative to ``today``, as in the other demos; a story that does not fit (no agreement in
force, no board shipped early enough) is left out whole, and a board "out of warranty" is one in
warranty when the demo has none that old (its line is then free or charged in full). Fee payments,
withholding and release go through portal.repairs.fees, ratings through portal.repairs.ratings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..accounts.models import User
from ..boards.models import Board, Shipment
from ..distributors.models import Distributor
from ..domain.errors import DomainError
from ..domain.repairs import FaultCause, RatingItem, RatingLevel, RepairOutcome
from ..domain.roles import Role
from ..extensions import db
from ..transactions import transaction
from . import services
from .fees import record_fee_payment, release_batch, withhold_overdue_batches
from .models import RepairBatch, RepairLine
from .ratings import rate_batch

log = logging.getLogger(__name__)

DAY = timedelta(days=1)
ZERO = Decimal("0.00")
CARRIERS = ("顺丰速运", "中通快递", "德邦物流")
BANKS = ("ICBC", "CCB", "BOC", "ABC", "CMB")


@dataclass(frozen=True)
class Fault:
    """A board sent in: what the distributor wrote, and what head office finds. ``cost`` is the repair
    cost head office would charge, kept within the line's cap; ``old`` asks for a board out of
    warranty on the batch's shipping date."""

    description: str
    cause: FaultCause
    outcome: RepairOutcome = RepairOutcome.REPAIRED
    cost: Decimal = ZERO
    old: bool = False


C, R = FaultCause, RepairOutcome
FREE_DEAD = Fault("不开机，电源指示灯不亮 / does not power on", C.MANUFACTURING_DEFECT)
FREE_SIP = Fault("SIP 注册频繁掉线 / SIP registration keeps dropping", C.SOFTWARE_DEFECT)
FREE_TONE = Fault("第 3、4 路分机无拨号音 / no dial tone on extensions 3 and 4", C.NORMAL_USE)
FREE_RING = Fault("外线呼入无振铃 / no ringing on incoming trunk calls", C.DESIGN_DEFECT)
DROPPED = Fault(
    "安装时板卡跌落，卡扣断裂 / dropped while fitting, latch broken", C.HUMAN_DAMAGE, cost=Decimal("380.00")
)
WET = Fault(
    "机柜漏水后板卡受潮，插槽锈蚀 / wet after a cabinet leak, slot corroded",
    C.IMPROPER_OPERATION,
    cost=Decimal("460.00"),
)
OLD_WORN = Fault("通话有杂音和回声 / noise and echo on calls", C.NATURAL_WEAR, cost=Decimal("420.00"), old=True)
OLD_FREEZES = Fault(
    "运行数小时后死机，需断电重启 / freezes after a few hours, needs a power cycle",
    C.NORMAL_USE,
    cost=Decimal("900.00"),  # more than 20% of the agent price: the fee is the cap
    old=True,
)
NO_FAULT = Fault(
    "偶发重启，现场无法复现 / restarts now and then, cannot be reproduced on site", C.NORMAL_USE, R.NO_FAULT_FOUND
)
LIGHTNING = Fault("雷击后无法启动 / dead after a lightning strike", C.DISASTER, R.UNREPAIRABLE)
FREEZES_AGAIN = Fault("维修后再次死机 / freezes again after the repair", C.NORMAL_USE)

ALL_VERY = dict.fromkeys(RatingItem, RatingLevel.VERY_SATISFIED)
SLOW = {
    RatingItem.ATTITUDE: RatingLevel.SATISFIED,
    RatingItem.SKILL: RatingLevel.VERY_SATISFIED,
    RatingItem.TIMELINESS: RatingLevel.DISSATISFIED,
    RatingItem.PROMISES: RatingLevel.FAIRLY_SATISFIED,
}
GOOD = {
    RatingItem.ATTITUDE: RatingLevel.VERY_SATISFIED,
    RatingItem.SKILL: RatingLevel.SATISFIED,
    RatingItem.TIMELINESS: RatingLevel.SATISFIED,
    RatingItem.PROMISES: RatingLevel.SATISFIED,
}


def _month_start(today: date, months_back: int) -> date:
    index = today.year * 12 + today.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class Story:
    """One distributor's batches, told in date order through the services."""

    distributor: Distributor
    today: date
    user_id: int | None  # the distributor's user: opens batches and rates them
    sales_id: int | None
    finance_id: int | None
    boards: list[Board]  # its boards, oldest first (none of a shipment lost in transit)
    used: set[int] = field(default_factory=set)
    faults: dict[int, Fault] = field(default_factory=dict)  # by line id
    repaired_out_of_warranty: Board | None = None  # sent in again inside its post-repair window

    def at(self, day: date) -> date:
        if day > self.today:
            raise DomainError("the demo story runs past today")
        return day

    def pick(self, shipped_on: date, old: bool) -> Board:
        """A board not yet sent in, shipped to the distributor at least a week before ``shipped_on``:
        the oldest one out of warranty then when ``old`` (if there is one), else the newest one in
        warranty."""
        shipped = [b for b in self.boards if b.id not in self.used and b.shipped_on <= shipped_on - 7 * DAY]
        expired = [b for b in shipped if b.warranty_end < shipped_on]
        covered = [b for b in reversed(shipped) if b.warranty_end >= shipped_on]
        choice = (expired if old else []) + covered
        if not choice:
            raise DomainError("no board of the distributor was shipped early enough")
        self.used.add(choice[0].id)
        return choice[0]

    # --- the steps ------------------------------------------------------------------------------

    def open(
        self, opened_on: date, shipped_on: date, faults: Sequence[Fault], again: Board | None = None
    ) -> RepairBatch:
        """Open the month's batch on ``opened_on`` and add a board for each fault (``again`` first,
        for the first fault, when given); boards are picked for the planned ``shipped_on``."""
        batch = services.open_batch(self.distributor.id, today=self.at(opened_on), created_by_id=self.user_id)
        boards = [again if again is not None and i == 0 else self.pick(shipped_on, f.old) for i, f in enumerate(faults)]
        lines = services.add_boards(
            batch,
            [services.BoardEntry(board.serial, fault.description) for board, fault in zip(boards, faults, strict=True)],
        )
        self.faults.update({line.id: fault for line, fault in zip(lines, faults, strict=True)})
        return batch

    def ship(self, batch: RepairBatch, on: date) -> None:
        carrier = CARRIERS[batch.id % len(CARRIERS)]
        services.ship_batch(
            batch,
            shipped_on=self.at(on),
            carrier=carrier,
            tracking_number=f"{'SF' if carrier == CARRIERS[0] else 'ZT'}{on:%y%m%d}{batch.id:05d}",
            today=self.today,
        )

    def receive(self, batch: RepairBatch, on: date) -> None:
        services.receive_batch(batch, received_on=self.at(on), today=self.today)

    def inspect(self, batch: RepairBatch, on: date, freight: str = "0.00", first: int | None = None) -> None:
        """Inspect the lines (only the ``first`` few when given), each fee within its cap."""
        findings = []
        for line in batch.lines[:first]:
            fault = self.faults[line.id]
            cap = services.line_cap(batch, line, fault.cause, fault.outcome, on)
            fee = ZERO if not cap.takes_a_fee else fault.cost if cap.cap is None else min(fault.cost, cap.cap)
            findings.append(services.LineInspection(line.id, fault.cause, fault.outcome, fee))
        services.inspect_lines(
            batch,
            findings,
            inspected_on=self.at(on),
            today=self.today,
            return_freight=Decimal(freight) if first is None else None,
        )

    def repaired(self, batch: RepairBatch, on: date) -> None:
        services.mark_repaired(batch, repaired_on=self.at(on), today=self.today)

    def notify(self, batch: RepairBatch, on: date) -> None:
        services.notify_fees(batch, notified_on=self.at(on), today=self.today, issued_by_id=self.sales_id)

    def pay(self, batch: RepairBatch, on: date) -> None:
        if batch.unpaid > 0:
            bank = BANKS[batch.id % len(BANKS)]
            record_fee_payment(
                batch,
                amount=batch.unpaid,
                received_on=self.at(on),
                bank_reference=f"{bank}{on:%Y%m%d}-FX{batch.id:04d}",
                payer=self.distributor.name,
                recorded_by_id=self.finance_id,
                today=self.today,
            )

    def give_back(self, batch: RepairBatch, on: date) -> None:
        services.return_batch(
            batch,
            returned_on=self.at(on),
            today=self.today,
            carrier=CARRIERS[0],
            tracking_number=f"SF{on:%y%m%d}{batch.id:05d}R",
        )

    def rate(self, batch: RepairBatch, on: date, card: dict[RatingItem, RatingLevel], comment: str = "") -> None:
        if self.user_id is not None:
            rate_batch(
                batch,
                answers={item.value: level.value for item, level in card.items()},
                comment=comment,
                rated_by_id=self.user_id,
                today=self.at(on),
            )

    def through_notice(
        self,
        start: date,
        faults: Sequence[Fault],
        *,
        ship_day: int = 3,
        repair_days: int = 12,
        freight: str = "0.00",
        again: Board | None = None,
    ) -> RepairBatch:
        """Open on the month's first day, ship on ``ship_day``, receive three days later, inspect two
        days after that, repair ``repair_days`` after receipt, notify the next day."""
        shipped_on = start + (ship_day - 1) * DAY
        batch = self.open(start, shipped_on, faults, again)
        self.ship(batch, shipped_on)
        self.receive(batch, shipped_on + 3 * DAY)
        self.inspect(batch, shipped_on + 5 * DAY, freight)
        self.repaired(batch, shipped_on + (3 + repair_days) * DAY)
        self.notify(batch, shipped_on + (4 + repair_days) * DAY)
        return batch

    def paid_and_returned(self, batch: RepairBatch) -> date:
        assert batch.notified_on is not None
        self.pay(batch, batch.notified_on + 4 * DAY)
        returned_on = batch.notified_on + 6 * DAY
        self.give_back(batch, returned_on)
        return returned_on


# --- the stories: (months before this one, the story) ---------------------------------------------


def returned_rated(story: Story, start: date) -> None:
    batch = story.through_notice(start, [FREE_DEAD, FREE_TONE])
    story.rate(batch, story.paid_and_returned(batch) + 5 * DAY, ALL_VERY, "维修及时，谢谢。")


def repaired_late_rated(story: Story, start: date) -> None:
    """Human damage in warranty, charged in full, and no fault found; repaired after 36 days."""
    batch = story.through_notice(start, [DROPPED, NO_FAULT], repair_days=36, freight="45.00")
    returned_on = story.paid_and_returned(batch)
    story.rate(batch, returned_on + 3 * DAY, SLOW, "超过 30 天才修好，影响了客户使用。/ Took over 30 days.")


def shipped_late(story: Story, start: date) -> None:
    """Shipped on the 17th (outside days 1-10); one board struck by lightning cannot be repaired."""
    batch = story.through_notice(start, [FREE_RING, LIGHTNING], ship_day=17, freight="30.00")
    story.paid_and_returned(batch)


def withheld_then_released(story: Story, start: date) -> None:
    """Fees overdue: withheld with a reminder, then released by sales with a reason and shipped back unpaid."""
    batch = story.through_notice(start, [WET, FREE_SIP], freight="25.00")
    assert batch.fees_due_on is not None
    withhold_overdue_batches(story.at(batch.fees_due_on + DAY))
    release_batch(
        batch,
        reason="经销商已书面承诺月底前付清维修费，先行发还以免影响其终端客户使用。"
        " / The distributor promised in writing to pay by the month's end; returned so its customers "
        "are not kept waiting.",
        released_by_id=story.sales_id,
        today=story.at(batch.fees_due_on + 6 * DAY),
    )
    story.give_back(batch, batch.fees_due_on + 7 * DAY)


def free_and_no_fault(story: Story, start: date) -> None:
    batch = story.through_notice(start, [FREE_SIP, NO_FAULT], freight="20.00")
    story.paid_and_returned(batch)


def out_of_warranty_rated(story: Story, start: date) -> None:
    """Two boards out of warranty, charged within the cap; the first gets a post-repair window."""
    batch = story.through_notice(start, [OLD_FREEZES, OLD_WORN, FREE_DEAD], freight="50.00")
    story.rate(batch, story.paid_and_returned(batch) + 4 * DAY, GOOD)
    story.repaired_out_of_warranty = batch.lines[0].board


def sent_in_again(story: Story, start: date) -> None:
    """The board repaired out of warranty fails again inside its post-repair window: free this time."""
    batch = story.through_notice(start, [FREEZES_AGAIN, DROPPED], freight="30.00", again=story.repaired_out_of_warranty)
    story.paid_and_returned(batch)


def returned_unrated(story: Story, start: date) -> None:
    batch = story.through_notice(start, [FREE_TONE, FREE_RING, DROPPED], freight="36.00")
    story.paid_and_returned(batch)


def withheld(story: Story, start: date) -> None:
    """Fees notified, not paid, overdue: the daily command withheld the boards and sent a reminder."""
    batch = story.through_notice(start, [OLD_WORN, NO_FAULT], ship_day=4, freight="40.00")
    assert batch.fees_due_on is not None
    withhold_overdue_batches(story.at(batch.fees_due_on + DAY))


def paid_after_the_reminder(story: Story, start: date) -> None:
    """Fees overdue, withheld with a reminder, then paid a few days ago: the boards go back next."""
    batch = story.through_notice(start, [DROPPED, FREE_DEAD], ship_day=2, freight="28.00")
    assert batch.fees_due_on is not None
    withhold_overdue_batches(story.at(batch.fees_due_on + DAY))
    story.pay(batch, story.today - 4 * DAY)


def notified_not_due(story: Story, start: date) -> None:
    """Fees notified two days ago: due in five days."""
    shipped_on = start + 2 * DAY
    batch = story.open(start, shipped_on, [OLD_FREEZES, NO_FAULT])  # something is due whatever the board
    story.ship(batch, shipped_on)
    story.receive(batch, shipped_on + 3 * DAY)
    story.inspect(batch, shipped_on + 6 * DAY, "35.00")
    story.repaired(batch, shipped_on + 17 * DAY)
    story.notify(batch, story.today - 2 * DAY)


def open_with_boards(story: Story, start: date) -> None:
    """This month's batch, being filled: the distributor ships it when it is ready."""
    story.open(story.today, story.today, [FREE_TONE, NO_FAULT])


def received_some_inspected(story: Story, start: date) -> None:
    shipped_on = start + 2 * DAY
    batch = story.open(start, shipped_on, [FREE_DEAD, DROPPED, FREE_RING])
    story.ship(batch, shipped_on)
    story.receive(batch, shipped_on + 3 * DAY)
    story.inspect(batch, shipped_on + 5 * DAY, first=1)


def inspected(story: Story, start: date) -> None:
    shipped_on = start + 4 * DAY
    batch = story.open(start, shipped_on, [FREE_SIP, WET])
    story.ship(batch, shipped_on)
    story.receive(batch, shipped_on + 4 * DAY)
    story.inspect(batch, shipped_on + 7 * DAY, "22.00")


def repaired(story: Story, start: date) -> None:
    shipped_on = start + 3 * DAY
    batch = story.open(start, shipped_on, [FREE_RING, LIGHTNING, FREE_DEAD])
    story.ship(batch, shipped_on)
    story.receive(batch, shipped_on + 3 * DAY)
    story.inspect(batch, shipped_on + 6 * DAY, "48.00")
    story.repaired(batch, shipped_on + 17 * DAY)


def shipped_today(story: Story, start: date) -> None:
    batch = story.open(start, story.today, [FREE_TONE, FREE_SIP])
    story.ship(batch, story.today)


Play = Callable[[Story, date], None]

# Per distributor, oldest month first (each story needs the ones before it told).
STORIES: dict[str, list[tuple[int, Play]]] = {
    "HZ001": [
        (12, returned_rated),
        (11, repaired_late_rated),
        (10, shipped_late),
        (9, withheld_then_released),
        (8, free_and_no_fault),
        (7, out_of_warranty_rated),
        (6, returned_rated),
        (5, returned_unrated),
        (4, sent_in_again),
        (3, withheld),
        (2, paid_after_the_reminder),
        (1, notified_not_due),
        (0, open_with_boards),
    ],
    "SZ002": [
        (9, returned_rated),
        (7, returned_unrated),
        (5, shipped_late),
        (3, repaired_late_rated),
        (2, free_and_no_fault),
        (1, received_some_inspected),
        (0, shipped_today),
    ],
    "SZ003": [(1, repaired)],
    "CD004": [(1, inspected)],
}


def _story(distributor: Distributor, today: date, sales_id: int | None, finance_id: int | None) -> Story:
    boards = db.session.scalars(
        select(Board)
        .join(Shipment, Board.shipment_id == Shipment.id)
        .where(Board.distributor_id == distributor.id, Shipment.lost_or_damaged.is_(False))
        .order_by(Board.shipped_on, Board.serial)
    ).all()
    user_id = db.session.scalar(
        select(User.id).where(User.distributor_id == distributor.id, User.role == Role.DISTRIBUTOR).order_by(User.id)
    )
    return Story(distributor, today, user_id, sales_id, finance_id, list(boards))


def load(today: date) -> None:
    """Demo repair batches (nothing when a batch exists already, or for a distributor the demo lacks).
    The stories are told month by month across the distributors, so the notices are numbered
    roughly in date order."""
    if db.session.scalar(select(RepairBatch.id).limit(1)) is not None:
        return
    sales_id = db.session.scalar(select(User.id).where(User.username == "sales"))
    finance_id = db.session.scalar(select(User.id).where(User.role == Role.FINANCE).order_by(User.id).limit(1))
    distributors = {d.code: d for d in db.session.scalars(select(Distributor).where(Distributor.code.in_(STORIES)))}
    stories = {code: _story(d, today, sales_id, finance_id) for code, d in distributors.items()}
    plan = sorted(
        ((months_back, code, play) for code, told in STORIES.items() if code in stories for months_back, play in told),
        key=lambda step: -step[0],
    )
    with transaction():  # one commit; each story a savepoint, left out whole when it does not fit
        for months_back, code, play in plan:
            story = stories[code]
            try:
                with transaction():
                    play(story, _month_start(today, months_back))
            except DomainError as error:
                log.info("demo repair batch %r for %s left out: %s", play.__name__, code, error)
                story.used = set(db.session.scalars(select(RepairLine.board_id)))  # the undone batch's boards are free
        # What the daily command would have done by now.
        withhold_overdue_batches(today)
