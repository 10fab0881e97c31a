"""The receivables list as a download (Excel or CSV), through the portal's one streaming export
helper (portal.exports): the rows are written as the database returns them, never held in a list.

Amounts go into the cells as the exact ``Decimal`` the database returned, shown with a two-decimal
number format; no amount is computed in Python on the way. (openpyxl writes a number with 16
significant digits, so every amount below ¥10,000,000,000,000 keeps all its digits.)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from flask_babel import gettext as _

from ..domain.orders import days_late
from ..exports import DATE, INTEGER, MONEY, Column, Sheet
from .queries import ReceivableKind


def receivables_sheet(rows: Iterable[Any], on: date) -> Sheet:
    """One sheet: distributor, order, kind, amount, outstanding, due date, days late (as of ``on``)."""
    kinds = {kind.value: _(kind.label) for kind in ReceivableKind}

    def values() -> Iterator[list[Any]]:
        for row in rows:
            yield [
                row.distributor_code,
                row.distributor_name,
                row.number,
                kinds[row.kind],
                row.amount,
                row.outstanding,
                row.due_on,
                days_late(row.due_on, None, on),
            ]

    return Sheet(
        _("Receivables"),
        [
            Column(_("Distributor code"), width=14),
            Column(_("Distributor"), width=36),
            Column(_("Order"), width=18),
            Column(_("Kind"), width=10),
            Column(_("Amount (¥)"), MONEY, 16),
            Column(_("Outstanding (¥)"), MONEY, 16),
            Column(_("Due on"), DATE, 12),
            Column(_("Days late"), INTEGER, 10),
        ],
        values(),
    )
