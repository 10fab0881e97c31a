"""repair-fee ledger indexes: the batches with fees outstanding and those settled, each partial and in
the ledger's order, and each distributor's batches with the amounts its totals sum

Revision ID: 7e4a2c9b5d13
Revises: 7b2d4f6a8c10
Create Date: 2026-12-01 12:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7e4a2c9b5d13"
down_revision = "7b2d4f6a8c10"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_repair_batches_unpaid",
        "repair_batches",
        ["fees_due_on", "number", "status", "amount_due", "paid_amount", "released"],
        unique=False,
        sqlite_where=sa.text("paid_amount < amount_due"),
        postgresql_where=sa.text("paid_amount < amount_due"),
    )
    op.create_index(
        "ix_repair_batches_settled",
        "repair_batches",
        ["fees_due_on", "number", "status"],
        unique=False,
        sqlite_where=sa.text("paid_amount >= amount_due"),
        postgresql_where=sa.text("paid_amount >= amount_due"),
    )
    op.create_index(
        "ix_repair_batches_distributor_fees",
        "repair_batches",
        ["distributor_id", "status", "amount_due", "paid_amount", "fees_due_on", "released"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_repair_batches_distributor_fees", table_name="repair_batches")
    op.drop_index("ix_repair_batches_settled", table_name="repair_batches")
    op.drop_index("ix_repair_batches_unpaid", table_name="repair_batches")
