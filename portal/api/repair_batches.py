"""/api/v1/repair-batches: the monthly repair batches and their steps (docs/rules.md §7.2; §6.5.4).

The same steps as the pages, through :mod:`portal.repairs.services`: a distributor opens the month's
batch, adds boards by serial number with a fault description and ships it; head office receives it,
inspects each line (cause, outcome, a fee within the cap), marks it repaired, notifies the fees and
ships the boards back. Another distributor's batch answers 404, like an unknown id; a step the
batch's state refuses, 409; a bad field, 422 naming it (``lines.0.fee`` for a line of a body).
Fee payments and release are in :mod:`portal.api.repair_fees`, the rating in
:mod:`portal.api.repair_ratings`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import AliasPath, BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema, model_validator
from sqlalchemy import not_, select
from sqlalchemy.orm import selectinload

from ..clock import today
from ..domain.permissions import may_handle_repairs, may_read, may_send_repair_batches
from ..domain.repairs import (
    FAULT_DESCRIPTION_MAX_LENGTH,
    WITHHELD,
    BatchStatus,
    FaultCause,
    FeeBasis,
    RepairOutcome,
    parse_batch_month,
)
from ..domain.warranty import CoverageClass
from ..errors import domain_message
from ..extensions import db
from ..repairs import services
from ..repairs.models import RepairBatch, RepairLine
from ..repairs.services import BoardEntry, LineInspection, LineRefusals
from ..security import allowed, loads, scoped
from .blueprint import bp
from .core import (
    UNSENT,
    ApiError,
    BodyModel,
    Id,
    Money,
    MoneyIn,
    OutModel,
    Percent,
    QueryModel,
    Timestamp,
    _drop_unsent_defaults,
    _refuse,
    api_doc,
    domain_checked,
    invalid,
    one,
    page_of,
    parse_body,
    parse_query,
    text,
)

# --- what the batches show and are filtered by ------------------------------------------------------

#: The statuses a batch is shown with: the stored ones, and ``withheld`` while its fees are overdue
#: and head office has not released it (RepairBatch.shown_status).
SHOWN_STATUSES = [*(status.value for status in BatchStatus), WITHHELD]


def _shown_status_in(value: Any) -> str:
    if not isinstance(value, str):
        raise _refuse(_("Send text (a JSON string)."))
    if value not in SHOWN_STATUSES:
        raise _refuse(_("Choose one of: %(choices)s.", choices=", ".join(SHOWN_STATUSES)))
    return value


ShownStatus = Annotated[
    str,
    PlainValidator(_shown_status_in),
    WithJsonSchema(
        {
            "type": "string",
            "enum": SHOWN_STATUSES,
            "description": "The stored status, or `withheld` while the fees are overdue and the batch is not "
            "released (docs/rules.md §7.2).",
        }
    ),
]
MONTH_PATTERN = r"20[0-9]{2}-(?:0[1-9]|1[0-2])"
Month = Annotated[
    text(7, pattern=MONTH_PATTERN, message=_l("Enter the month as YYYY-MM (2026-03).")),
    domain_checked(parse_batch_month),
    Field(description="The calendar month of the batch, YYYY-MM.", examples=["2026-04"]),
]
Serial = text(60, min_length=1)
FaultDescription = text(FAULT_DESCRIPTION_MAX_LENGTH, min_length=1)
Carrier = text(100)
Correction = text(500)


withheld_on = RepairBatch.withheld_clause  # SQL for RepairBatch.is_withheld (one home: the model)


def batches_matching(
    *, on: date, distributor_id: int | None = None, month: str | None = None, status: str | None = None
) -> Any:
    """The caller's batches, newest month first, filtered; ``status`` as shown on ``on``."""
    statement = scoped(select(RepairBatch), RepairBatch).options(selectinload(RepairBatch.notice))
    if distributor_id is not None:
        statement = statement.where(RepairBatch.distributor_id == distributor_id)
    if month is not None:
        statement = statement.where(RepairBatch.month == month)
    if status == WITHHELD:
        statement = statement.where(withheld_on(on))
    elif status is not None:
        statement = statement.where(RepairBatch.status == BatchStatus(status), not_(withheld_on(on)))
    return statement.order_by(RepairBatch.month.desc(), RepairBatch.id.desc())


# --- bodies ---------------------------------------------------------------------------------------


class BoardIn(BodyModel):
    serial: Serial = Field(description="A board shipped to the distributor; upper case or not.")
    fault_description: FaultDescription = Field(description="What is wrong with it.")


def _one_board_or_lines(schema: dict[str, Any]) -> None:
    _drop_unsent_defaults(schema)
    schema["oneOf"] = [{"required": ["serial", "fault_description"]}, {"required": ["lines"]}]


class LinesIn(BodyModel):
    """One board (``serial`` and ``fault_description``) or several (``lines``), not both."""

    model_config = ConfigDict(json_schema_extra=_one_board_or_lines)

    serial: Serial = Field(default=UNSENT, description="One board: its serial number.")
    fault_description: FaultDescription = Field(default=UNSENT, description="One board: what is wrong with it.")
    lines: Annotated[list[BoardIn], Field(min_length=1, max_length=500)] = Field(
        default=UNSENT, description="Several boards at once, instead of serial and fault_description."
    )

    @model_validator(mode="after")
    def _one_form(self) -> LinesIn:
        single = self.serial is not None or self.fault_description is not None
        if self.lines is not None and single:
            raise _refuse(_("Send either serial and fault_description, or lines, not both."))
        if self.lines is None and (self.serial is None or self.fault_description is None):
            raise _refuse(_("Send serial and fault_description, or lines."))
        return self

    def entries(self) -> list[BoardEntry]:
        if self.lines is not None:
            return [BoardEntry(line.serial, line.fault_description) for line in self.lines]
        return [BoardEntry(self.serial or "", self.fault_description or "")]


def _step_date(description: str) -> Any:
    return Field(default=None, description=f"Default today (Asia/Shanghai); never later; {description}.")


class ShipIn(BodyModel):
    shipped_on: date | None = _step_date(
        "on days 1-10 of a month it is on time, later it is recorded as late; the batch takes this month"
    )
    carrier: Carrier = ""
    tracking_number: Carrier = ""


class ReceiveIn(BodyModel):
    received_on: date | None = _step_date("not before the batch was shipped; the 30-day turnaround starts")


class LineFindingIn(BodyModel):
    id: Id = Field(description="The line's id (GET /repair-batches/{id}/lines).")
    cause: FaultCause
    outcome: RepairOutcome
    fee: MoneyIn = Field(
        description='"0.00" on a free line and where no repair was made; within the cap on an uncovered board.'
    )
    correction: Correction = Field(
        default="",
        description="Required to change a line already inspected: the reason, kept in the audit trail.",
    )


class InspectIn(BodyModel):
    inspected_on: date | None = _step_date("not before the batch was received")
    return_freight: MoneyIn | None = Field(
        default=None, description="The freight of shipping the boards back; unchanged when left out."
    )
    lines: Annotated[list[LineFindingIn], Field(max_length=500)] = Field(
        default_factory=list, description="The lines inspected now; lines not named keep their state."
    )


class RepairIn(BodyModel):
    repaired_on: date | None = _step_date("not before the batch was received; late past the turnaround")


class NotifyIn(BodyModel):
    notified_on: date | None = _step_date("not before the repairs; the fees are due 7 days later (fees_due_on)")


class ReturnIn(BodyModel):
    returned_on: date | None = _step_date("not before the fees notice")
    carrier: Carrier = ""
    tracking_number: Carrier = ""


class BatchQuery(QueryModel):
    distributor_id: Id | None = Field(default=None, description="Head office only; a distributor sees its own.")
    month: Month | None = None
    status: ShownStatus | None = None


# --- answers --------------------------------------------------------------------------------------


class RepairBatchOut(OutModel):
    id: int
    number: str
    distributor_id: int
    agreement_id: int
    month: str = Field(description="YYYY-MM: the month it opened in, then the month it shipped in.")
    status: ShownStatus
    status_since: date
    shipped_on: date | None
    carrier: str
    tracking_number: str
    shipped_late: bool = Field(description="Shipped after day 10 of its month (§6.5.4).")
    received_on: date | None
    repair_due_on: date | None = Field(description="Received + the turnaround (30 days).")
    inspected_on: date | None = Field(description="When its last line was inspected.")
    repaired_on: date | None
    turnaround_late: bool = Field(description="Repaired past repair_due_on.")
    notified_on: date | None
    notice_number: str | None = Field(description="The number of the fees notice, once notified.")
    fees_due_on: date | None = Field(description="Notified + 7 days.")
    returned_on: date | None
    return_carrier: str
    return_tracking_number: str
    return_freight: Money
    freight_charged: Money = Field(description="The part of the return freight charged to the distributor.")
    fees_total: Money
    amount_due: Money = Field(description="fees_total + freight_charged.")
    paid_amount: Money
    paid_on: date | None
    released: bool = Field(description="Head office released the boards although fees are unpaid.")
    released_on: date | None
    created_at: Timestamp

    @model_validator(mode="before")
    @classmethod
    def _shown(cls, value: Any) -> Any:
        """A RepairBatch row, its status as shown today (``withheld`` while overdue)."""
        if not isinstance(value, RepairBatch):
            return value
        fields = {name: getattr(value, name) for name in cls.model_fields if name != "notice_number"}
        return fields | {
            "status": value.shown_status(today()),
            "notice_number": value.notice.number if value.notice is not None else None,
        }


class RepairLineOut(OutModel):
    id: int
    batch_id: int
    serial: str = Field(validation_alias=AliasPath("board", "serial"))
    fault_description: str
    coverage_class: CoverageClass | None = Field(
        description="The board's coverage on the batch's shipping date; null until it ships."
    )
    cause: FaultCause | None = Field(description="Null until inspected.")
    outcome: RepairOutcome | None
    charged: bool | None = Field(
        description="Whether the line is charged, by its class and cause; null until inspected."
    )
    fee: Money | None
    fee_basis: FeeBasis | None = Field(description="What the cap comes from, or why the line takes no fee.")
    fee_cap: Money | None = Field(description="Null on an inspected line with no cap (the full repair cost).")
    cap_price: Money | None = Field(description="The price the cap is a share of.")
    cap_percent: Percent | None
    inspected_on: date | None
    freight_share: Money = Field(description="Its share of the return freight, fixed when the fees are notified.")


class AddedLinesOut(OutModel):
    items: list[RepairLineOut] = Field(description="The lines added, in the order sent.")


def _batch(batch: RepairBatch, status: int = 200, **headers: str) -> Any:
    return one(RepairBatchOut, batch, status, **headers)


def _optional_body(model: type[BaseModel]) -> Any:
    """Steps whose body is optional: an empty body means every default."""
    return parse_body(model) if request.get_data(cache=True).strip() else model()


def _lines_of(batch_id: int) -> Any:
    return (
        select(RepairLine)
        .where(RepairLine.batch_id == batch_id)
        .options(selectinload(RepairLine.board))
        .order_by(RepairLine.id)
    )


# --- the batches -------------------------------------------------------------------------------------


@bp.get("/repair-batches")
@allowed(may_read)
@api_doc(query=BatchQuery, response=RepairBatchOut, list_of=True)
def list_repair_batches() -> Any:
    """List repair batches.

    Newest month first. A distributor user sees its own batches only. ``status`` filters on the
    status as shown today: ``withheld`` finds the batches whose fees are overdue and not released,
    ``notified`` those awaiting their fees that are not (yet) withheld.
    """
    query = parse_query(BatchQuery)
    statement = batches_matching(
        on=today(),
        distributor_id=query.distributor_id if current_user.is_head_office else None,
        month=query.month,
        status=query.status,
    )
    return page_of(RepairBatchOut, statement)


@bp.post("/repair-batches")
@allowed(may_send_repair_batches)
@api_doc(response=RepairBatchOut, status=201)
def open_repair_batch() -> Any:
    """Open the repair batch of the month.

    A distributor user, for its own distributor: answers the batch being filled if there is one,
    else a new one for this month (or the next month without a batch, when this month's has gone).
    Under an agreement in force today (409 otherwise). No body.
    """
    batch = services.open_batch(current_user.distributor_id, today=today(), created_by_id=current_user.id)
    return _batch(batch, 201, Location=url_for("api.get_repair_batch", batch_id=batch.id))


@bp.get("/repair-batches/<int:batch_id>")
@allowed(may_read)
@loads(RepairBatch, "batch_id", as_="batch")
@api_doc(response=RepairBatchOut)
def get_repair_batch(batch: RepairBatch) -> Any:
    """Show one repair batch.

    Every step's date, the fees and what is paid; ``status`` is ``withheld`` while the fees are
    overdue and the batch is not released. Another distributor's batch answers 404, like a missing one.
    """
    return _batch(batch)


# --- its lines -----------------------------------------------------------------------------------------


@bp.get("/repair-batches/<int:batch_id>/lines")
@allowed(may_read)
@loads(RepairBatch, "batch_id", as_="batch")
@api_doc(response=RepairLineOut, list_of=True)
def list_repair_lines(batch: RepairBatch) -> Any:
    """List the boards of a repair batch.

    In the order they were added, each with its fault description; from shipping, its coverage
    class on the shipping date; from inspection, cause, outcome, whether it is charged, the fee and
    its cap.
    """
    return page_of(RepairLineOut, _lines_of(batch.id))


@bp.post("/repair-batches/<int:batch_id>/lines")
@allowed(may_send_repair_batches)
@loads(RepairBatch, "batch_id", as_="batch")
@api_doc(body=LinesIn, response=AddedLinesOut, status=201)
def add_repair_lines(batch: RepairBatch) -> Any:
    """Add boards to an open repair batch.

    One board (``{"serial", "fault_description"}``) or several (``{"lines": [...]}``). Each must be
    a board shipped to the distributor and in no unfinished batch. Any bad entry — unknown serial,
    listed twice, already in a batch, no fault description — answers 409 with every one listed under
    ``fields.serials``, and nothing is added. A batch already shipped answers 409.
    """
    data = parse_body(LinesIn)
    lines = services.add_boards(batch, data.entries())
    added = db.session.scalars(
        select(RepairLine)
        .where(RepairLine.id.in_([line.id for line in lines]))
        .order_by(RepairLine.id)
        .options(selectinload(RepairLine.board))
    ).all()
    return one(AddedLinesOut, {"items": added}, 201)


# --- the steps -----------------------------------------------------------------------------------------


@bp.post("/repair-batches/<int:batch_id>/ship")
@allowed(may_send_repair_batches)
@loads(RepairBatch, "batch_id", as_="batch")
@api_doc(body=ShipIn, response=RepairBatchOut)
def ship_repair_batch(batch: RepairBatch) -> Any:
    """Ship a repair batch to head office.

    With at least one board (409 otherwise). Each line is classified by its board's coverage on
    ``shipped_on`` (§6.5.4); shipping after day 10 of the month is allowed and recorded as late
    (``shipped_late``). One batch a month: a month that already has a shipped batch answers 422 on
    ``shipped_on``. Shipping twice answers 409.
    """
    data = _optional_body(ShipIn)
    batch = services.ship_batch(
        batch,
        shipped_on=data.shipped_on or today(),
        carrier=data.carrier,
        tracking_number=data.tracking_number,
        today=today(),
    )
    return _batch(batch)


@bp.post("/repair-batches/<int:batch_id>/receive")
@allowed(may_handle_repairs)
@loads(RepairBatch, "batch_id", as_="batch")
@api_doc(body=ReceiveIn, response=RepairBatchOut)
def receive_repair_batch(batch: RepairBatch) -> Any:
    """Receive a shipped repair batch.

    The turnaround starts: ``repair_due_on`` is ``received_on`` + 30 days. A batch not shipped, or
    already received, answers 409.
    """
    data = _optional_body(ReceiveIn)
    return _batch(services.receive_batch(batch, received_on=data.received_on or today(), today=today()))


@bp.post("/repair-batches/<int:batch_id>/inspect")
@allowed(may_handle_repairs)
@loads(RepairBatch, "batch_id", as_="batch")
@api_doc(body=InspectIn, response=RepairBatchOut)
def inspect_repair_batch(batch: RepairBatch) -> Any:
    """Record the inspection of some or all lines.

    Each line named gets its cause, outcome and fee; lines not named keep their state, and the batch
    is inspected once every line is. A fee above the cap (§6.5.3), or any fee on a free line or one
    with no repair, answers 422 on ``lines.N.fee``; changing a line already inspected needs a
    ``correction`` (its reason). All or nothing: every refused line is named and nothing is
    recorded. 409 when only the batch's state refuses (before receipt, after the notice).
    """
    data = parse_body(InspectIn)
    positions: dict[int, int] = {}
    repeated = {}
    for index, line in enumerate(data.lines):
        if line.id in positions:
            repeated[f"lines.{index}.id"] = [_("This line is named twice; name it once.")]
        positions.setdefault(line.id, index)
    if repeated:
        raise invalid(repeated)
    findings = [
        LineInspection(line.id, line.cause, line.outcome, line.fee, correction=line.correction) for line in data.lines
    ]
    try:
        batch = services.inspect_lines(
            batch,
            findings,
            inspected_on=data.inspected_on or today(),
            today=today(),
            return_freight=data.return_freight,
        )
    except LineRefusals as refused:
        raise _line_refusals(refused, positions) from refused
    return _batch(batch)


def _line_refusals(refused: LineRefusals, positions: dict[int, int]) -> ApiError:
    """Each refused line's messages on ``lines.N.<field>`` (N its place in the body), or on ``lines.N``
    when the line's state refuses it: 422 when any value is refused, 409 when only states are
    (LineRefusals.code; refusal_status would read every LineRefusals as a value)."""
    fields: dict[str, list[str]] = {}
    for line_id, error in refused.problems.items():
        name = f"lines.{positions[line_id]}" + (f".{error.field}" if error.field else "")
        fields.setdefault(name, []).extend(_(message, **params) for message, params in error.details())
    status = 422 if refused.code == "invalid" else 409
    return ApiError(status, refused.code, domain_message(refused), fields)


@bp.post("/repair-batches/<int:batch_id>/repair")
@allowed(may_handle_repairs)
@loads(RepairBatch, "batch_id", as_="batch")
@api_doc(body=RepairIn, response=RepairBatchOut)
def repair_repair_batch(batch: RepairBatch) -> Any:
    """Mark a repair batch repaired.

    Once every line is inspected (409 otherwise). ``turnaround_late`` when ``repaired_on`` is past
    ``repair_due_on`` (§6.5.4).
    """
    data = _optional_body(RepairIn)
    return _batch(services.mark_repaired(batch, repaired_on=data.repaired_on or today(), today=today()))


@bp.post("/repair-batches/<int:batch_id>/notify")
@allowed(may_handle_repairs)
@loads(RepairBatch, "batch_id", as_="batch")
@api_doc(body=NotifyIn, response=RepairBatchOut)
def notify_repair_batch(batch: RepairBatch) -> Any:
    """Notify the repair fees of a repaired batch.

    Issues the numbered written notice listing each line's cause, outcome, fee and freight share
    (``notice_number``) and sets ``fees_due_on`` (7 days later). A batch with nothing to pay is paid
    at once. Before the repairs, or a second time, answers 409.
    """
    data = _optional_body(NotifyIn)
    batch = services.notify_fees(
        batch, notified_on=data.notified_on or today(), today=today(), issued_by_id=current_user.id
    )
    return _batch(batch)


@bp.post("/repair-batches/<int:batch_id>/return")
@allowed(may_handle_repairs)
@loads(RepairBatch, "batch_id", as_="batch")
@api_doc(body=ReturnIn, response=RepairBatchOut)
def return_repair_batch(batch: RepairBatch) -> Any:
    """Ship the boards of a repair batch back.

    Refused (409) while any fee is unpaid, unless head office released the batch (§6.5.4). Each
    board repaired out of coverage gets its post-repair warranty from ``returned_on`` (§6.5.3).
    """
    data = _optional_body(ReturnIn)
    batch = services.return_batch(
        batch,
        returned_on=data.returned_on or today(),
        today=today(),
        carrier=data.carrier,
        tracking_number=data.tracking_number,
    )
    return _batch(batch)
