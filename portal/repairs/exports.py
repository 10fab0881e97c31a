"""The repair-fee ledger as a download, through the portal's one streaming export helper
(portal.exports): the totals per distributor, and one row per batch (the CSV holds the batches).
Amounts are the exact ``Decimal`` the database returned, with a two-decimal number format."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from flask_babel import gettext as _

from ..domain.repairs import FeeAgeing
from ..exports import DATE, INTEGER, MONEY, Column, Sheet


def ledger_file_name(on: date) -> str:
    """The download's name, without its extension."""
    return f"repair-fee-ledger-{on.isoformat()}"


def totals_sheet(totals: Iterable[Any]) -> Sheet:
    """A row per distributor: batches, charged, paid, outstanding, overdue, each ageing bucket,
    the batches withheld."""
    buckets = list(FeeAgeing)

    def values() -> Iterator[list[Any]]:
        for total in totals:
            yield [
                total.code,
                total.name,
                total.batches,
                total.charged,
                total.paid,
                total.outstanding,
                total.overdue,
                *(getattr(total, bucket.value) for bucket in buckets),
                int(total.withheld),
            ]

    return Sheet(
        _("By distributor"),
        [
            Column(_("Distributor code"), width=14),
            Column(_("Distributor"), width=36),
            Column(_("Batches"), INTEGER, 10),
            Column(_("Charged (¥)"), MONEY, 16),
            Column(_("Paid (¥)"), MONEY, 16),
            Column(_("Outstanding (¥)"), MONEY, 16),
            Column(_("Overdue (¥)"), MONEY, 16),
            *(Column(f"{_(bucket.label)} (¥)", MONEY, 16) for bucket in buckets),
            Column(_("Withheld batches"), INTEGER, 12),
        ],
        values(),
    )


def batches_sheet(rows: Iterable[Any]) -> Sheet:
    """A row per batch whose fees are notified: rows of ledger_queries.export_columns, in their
    order (read as tuples: at 10× the data the sheet has 150,000 rows)."""
    ageings = {ageing.value: _(ageing.label) for ageing in FeeAgeing}
    withheld = _("Yes")

    def values() -> Iterator[list[Any]]:
        for code, name, number, month, notified_on, fees_due_on, charged, paid, ageing, held in rows:
            yield [
                code,
                name,
                number,
                month,
                notified_on,
                fees_due_on,
                charged,
                paid,
                charged - paid,
                ageings.get(ageing) if ageing else None,
                withheld if held else None,
            ]

    return Sheet(
        _("Batches"),
        [
            Column(_("Distributor code"), width=14),
            Column(_("Distributor"), width=36),
            Column(_("Batch"), width=22),
            Column(_("Month"), width=10),
            Column(_("Notified on"), DATE, 12),
            Column(_("Fees due on"), DATE, 12),
            Column(_("Charged (¥)"), MONEY, 16),
            Column(_("Paid (¥)"), MONEY, 16),
            Column(_("Outstanding (¥)"), MONEY, 16),
            Column(_("Ageing"), width=20),
            Column(_("Withheld"), width=10),
        ],
        values(),
    )
