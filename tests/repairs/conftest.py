"""Fixtures of the repairs area: the portal's "today" fixed for every test, the API caller, and
batches written straight into the tables (``returned_batch``) for the tests of what reads them
(ratings, the look-up's history) while the batch services are built alongside."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from portal.boards.models import Board, BoardWindow
from portal.domain.repairs import (
    BatchStatus,
    FaultCause,
    InspectedLine,
    RepairOutcome,
    batch_month,
    classify,
    windows_on_return,
)
from portal.extensions import db
from portal.repairs.models import RepairBatch, RepairLine
from portal.repairs.owed import refresh_fees_owed

from ..api.conftest import api  # noqa: F401  (the API caller fixture)


@pytest.fixture(autouse=True)
def _fixed_today(today: date) -> date:
    return today


@pytest.fixture
def returned_batch(app: Any) -> Any:
    """``returned_batch(boards, shipped_on=…, returned_on=…)``: a batch of ``boards`` (one
    distributor's), each line classified on ``shipped_on`` by the board's coverage, inspected with
    ``cause`` and ``outcome`` (fee 0 when free, else ``fee``) and, when ``status`` is returned,
    shipped back on ``returned_on`` with the post-repair windows the rule gives (domain
    windows_on_return), as the batch services would leave it."""
    made = iter(range(1, 10_000))

    def make(
        boards: Sequence[Board],
        *,
        shipped_on: date = date(2026, 2, 3),
        returned_on: date | None = date(2026, 3, 2),
        status: BatchStatus = BatchStatus.RETURNED,
        cause: FaultCause = FaultCause.NORMAL_USE,
        outcome: RepairOutcome = RepairOutcome.REPAIRED,
        fee: Decimal = Decimal("100.00"),
        fault: str = "No dial tone on the extension ports",
        post_repair_months: int = 6,
        month: str | None = None,
    ) -> RepairBatch:
        first = boards[0]
        month = month or batch_month(shipped_on)
        batch = RepairBatch(
            number=f"FX-T{next(made):04d}-{month}",
            distributor_id=first.distributor_id,
            agreement_id=first.order.agreement_id,
            month=month,
            status=status,
            status_since=returned_on if status is BatchStatus.RETURNED and returned_on else shipped_on,
            shipped_on=shipped_on,
            received_on=shipped_on,
            inspected_on=shipped_on,
            repaired_on=shipped_on,
            notified_on=shipped_on,
            returned_on=returned_on if status is BatchStatus.RETURNED else None,
        )
        inspected = []
        for board in boards:
            klass = classify(board.coverage, shipped_on)
            line = InspectedLine(klass, cause, outcome, fee)
            free = not line.charged or outcome is not RepairOutcome.REPAIRED
            inspected.append(line)
            batch.lines.append(
                RepairLine(
                    board_id=board.id,
                    fault_description=fault,
                    coverage_class=klass,
                    cause=cause,
                    outcome=outcome,
                    charged=line.charged,
                    fee=Decimal("0.00") if free else fee,
                    inspected_on=shipped_on,
                )
            )
        batch.fees_total = batch.amount_due = sum((line.fee or Decimal(0) for line in batch.lines), Decimal("0.00"))
        db.session.add(batch)
        db.session.flush()
        if batch.returned_on is not None:
            for line, window in zip(
                batch.lines, windows_on_return(inspected, batch.returned_on, post_repair_months), strict=True
            ):
                if window is not None:
                    db.session.add(
                        BoardWindow(
                            board_id=line.board_id,
                            starts_on=window.starts_on,
                            ends_on=window.ends_on,
                            repair_line_id=line.id,
                        )
                    )
        db.session.commit()
        db.session.expire_all()
        return batch

    return make


# --- fees: a notified batch with a charged line (portal.repairs.fees) -------------------------------


@pytest.fixture
def notified_batch(shop: Any) -> Any:
    """``notified_batch(fee="300.00", of=shop, **step_dates)``: a batch of one board with human damage
    in warranty (charged in full, no cap), taken through the services to notified: amount due = fee,
    notified 2026-04-21, fees due 2026-04-28 (tests/repairs/builders.py STEPS)."""
    from .builders import make_batch

    def build(fee: str = "300.00", *, of: Any = None, **dates: date) -> Any:
        return make_batch(
            of or shop,
            1,
            through=BatchStatus.NOTIFIED,
            findings=[(FaultCause.HUMAN_DAMAGE, RepairOutcome.REPAIRED, fee)],
            **dates,
        )

    return build


@pytest.fixture
def insert_fee_batches(shop: Any) -> Any:
    """``insert_fee_batches([{...}, ...], of=shop)``: RepairBatch rows inserted in one statement,
    straight into the table (no services, no lines), for the ledger's and the withholding's SQL.
    Each dict may set status (default notified), amount_due, paid_amount, fees_due_on, released;
    numbers and months are made unique. The fees owed kept per due day are then recounted, as the
    daily command and the bench generator do after a bulk load (repairs.owed)."""
    from sqlalchemy import insert

    made = [0]

    def insert_rows(rows: list[dict[str, Any]], *, of: Any = None) -> None:
        owner = of or shop
        values = []
        for row in rows:
            made[0] += 1
            n = made[0]
            due_on = row.get("fees_due_on", date(2026, 4, 28))
            values.append(
                {
                    "number": f"FX-{owner.distributor.code}-{n:05d}",
                    "distributor_id": owner.distributor.id,
                    "agreement_id": owner.agreement.id,
                    "month": f"{2000 + n // 12:04d}-{n % 12 + 1:02d}",
                    "status": row.get("status", BatchStatus.NOTIFIED),
                    "status_since": date(2026, 4, 21),
                    "notified_on": date(2026, 4, 21),
                    "fees_due_on": due_on,
                    "amount_due": Decimal(row.get("amount_due", "100.00")),
                    "fees_total": Decimal(row.get("amount_due", "100.00")),
                    "paid_amount": Decimal(row.get("paid_amount", "0.00")),
                    "released": row.get("released", False),
                }
            )
        db.session.execute(insert(RepairBatch), values)
        refresh_fees_owed(db.session(), None)
        db.session.commit()

    return insert_rows
