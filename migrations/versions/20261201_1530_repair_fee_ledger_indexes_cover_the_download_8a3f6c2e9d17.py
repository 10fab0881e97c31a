"""the repair-fee ledger's two partial indexes (batches owing, batches settled) hold every column its
page, sums and download read: the distributor, month and notified-on date join the ledger's order
and amounts, so the download of 150,000 batches reads the indexes alone

Revision ID: 8a3f6c2e9d17
Revises: 5b8e1d3f7a42
Create Date: 2026-12-01 15:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8a3f6c2e9d17"
down_revision = "5b8e1d3f7a42"
branch_labels = None
depends_on = None

# As in portal/repairs/models.py (a migration does not import the code it migrates).
COLUMNS = [
    "fees_due_on",
    "number",
    "status",
    "amount_due",
    "paid_amount",
    "released",
    "distributor_id",
    "month",
    "notified_on",
]
PREDICATES = {
    "ix_repair_batches_unpaid": "paid_amount < amount_due",
    "ix_repair_batches_settled": "paid_amount >= amount_due",
}
EARLIER = {
    "ix_repair_batches_unpaid": ["fees_due_on", "number", "status", "amount_due", "paid_amount", "released"],
    "ix_repair_batches_settled": ["fees_due_on", "number", "status"],
}


def _rebuild(columns_of):
    for name, predicate in PREDICATES.items():
        op.drop_index(name, table_name="repair_batches")
        op.create_index(
            name,
            "repair_batches",
            columns_of[name],
            unique=False,
            sqlite_where=sa.text(predicate),
            postgresql_where=sa.text(predicate),
        )


def upgrade():
    _rebuild(dict.fromkeys(PREDICATES, COLUMNS))


def downgrade():
    _rebuild(EARLIER)
