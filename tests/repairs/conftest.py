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
