"""partial indexes of the orders still owed on (paid_amount < total): each part of the receivables
list in its order (a kind of amount on orders of one status, by due date and number), and the
deposits' and balances' index-only totals by status and distributor

Revision ID: 7e4a2c9b5d18
Revises: 7b2e4c9a1f38
Create Date: 2026-12-01 12:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7e4a2c9b5d18"
down_revision = "7b2e4c9a1f38"
branch_labels = None
depends_on = None

OWING = "paid_amount < total"
# each part of the receivables list in its order: (name, due date column, the part's status)
PARTS = [
    ("ix_orders_owing_deposit_confirmed", "deposit_due_on", "confirmed"),
    ("ix_orders_owing_balance_confirmed", "delivery_due_on", "confirmed"),
    ("ix_orders_owing_balance_deposit_paid", "delivery_due_on", "deposit_paid"),
]
TOTALS = {
    "ix_orders_owing_status_distributor_id_deposit_due_on": [
        "status",
        "distributor_id",
        "deposit_due_on",
        "deposit_amount",
        "paid_amount",
        "total",
    ],
    "ix_orders_owing_status_distributor_id_delivery_due_on": [
        "status",
        "distributor_id",
        "delivery_due_on",
        "balance_amount",
        "paid_amount",
        "total",
    ],
}


def upgrade():
    for name, due_on, status in PARTS:
        where = sa.text(f"CAST(status AS TEXT) = '{status}' AND {OWING}")
        op.create_index(name, "orders", [due_on, "number"], unique=False, sqlite_where=where, postgresql_where=where)
    for name, columns in TOTALS.items():
        where = sa.text(OWING)
        op.create_index(name, "orders", columns, unique=False, sqlite_where=where, postgresql_where=where)


def downgrade():
    for name in reversed(TOTALS):
        op.drop_index(name, table_name="orders")
    for name, _, _ in reversed(PARTS):
        op.drop_index(name, table_name="orders")
