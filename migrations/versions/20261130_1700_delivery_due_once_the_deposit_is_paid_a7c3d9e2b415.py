"""delivery due once the deposit is paid

Orders whose deposit is paid but whose balance is still open get their delivery due date: deposit
paid + the delivery period in force on that day (docs/rules.md §6; until now the date was left empty
until the order was paid in full). A data migration: the schema does not change.

Revision ID: a7c3d9e2b415
Revises: f0f4011cf4f4
Create Date: 2026-11-30 17:00:00

"""

from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c3d9e2b415"
down_revision = "f0f4011cf4f4"
branch_labels = None
depends_on = None

orders = sa.table(
    "orders",
    sa.column("id", sa.Integer),
    sa.column("agreement_id", sa.Integer),
    sa.column("deposit_paid_on", sa.Date),
    sa.column("paid_in_full_on", sa.Date),
    sa.column("delivery_due_on", sa.Date),
)
agreement_terms = sa.table(
    "agreement_terms",
    sa.column("agreement_id", sa.Integer),
    sa.column("effective_from", sa.Date),
    sa.column("delivery_days", sa.Integer),
)


def _delivery_days(versions: list[tuple[date, int]], on: date) -> int:
    """The version in force on ``on``: the latest effective on or before it, else the signed one."""
    chosen = versions[0][1] if versions else 30
    for effective_from, days in versions:
        if effective_from <= on:
            chosen = days
    return chosen


def upgrade():
    connection = op.get_bind()
    open_balances = connection.execute(
        sa.select(orders.c.id, orders.c.agreement_id, orders.c.deposit_paid_on).where(
            orders.c.deposit_paid_on.is_not(None),
            orders.c.paid_in_full_on.is_(None),
            orders.c.delivery_due_on.is_(None),
        )
    ).all()
    versions: dict[int, list[tuple[date, int]]] = {}
    for agreement_id, effective_from, days in connection.execute(
        sa.select(
            agreement_terms.c.agreement_id, agreement_terms.c.effective_from, agreement_terms.c.delivery_days
        ).order_by(agreement_terms.c.agreement_id, agreement_terms.c.effective_from)
    ):
        versions.setdefault(agreement_id, []).append((effective_from, days))
    for order_id, agreement_id, deposit_paid_on in open_balances:
        due = deposit_paid_on + timedelta(days=_delivery_days(versions.get(agreement_id, []), deposit_paid_on))
        connection.execute(sa.update(orders).where(orders.c.id == order_id).values(delivery_due_on=due))


def downgrade():
    op.get_bind().execute(sa.update(orders).where(orders.c.paid_in_full_on.is_(None)).values(delivery_due_on=None))
