"""Fixtures of the repairs area: the portal's "today" fixed for every test (tests/conftest.py), and the
API caller."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ..api.conftest import api  # noqa: F401  (the API caller fixture)


@pytest.fixture(autouse=True)
def _fixed_today(today: date) -> date:
    return today


# --- fees: a notified batch with a charged line (portal.repairs.fees) -------------------------------


@pytest.fixture
def notified_batch(shop: Any) -> Any:
    """``notified_batch(fee="300.00", of=shop, **step_dates)``: a batch of one board with human damage
    in warranty (charged in full, no cap), taken through the services to notified: amount due = fee,
    notified 2026-04-21, fees due 2026-04-28 (tests/repairs/builders.py STEPS)."""
    from portal.domain.repairs import BatchStatus, FaultCause, RepairOutcome

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
    numbers and months are made unique."""
    from decimal import Decimal

    from sqlalchemy import insert

    from portal.domain.repairs import BatchStatus
    from portal.extensions import db
    from portal.repairs.models import RepairBatch

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
        db.session.commit()

    return insert_rows
