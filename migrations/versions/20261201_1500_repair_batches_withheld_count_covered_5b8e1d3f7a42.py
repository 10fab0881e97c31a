"""the (status, fees_due_on) index of the repair batches also holds amount_due, paid_amount and
released: the withheld batches are counted from the index alone (the work queue's tabs)

Revision ID: 5b8e1d3f7a42
Revises: 9e4a1c6b2d57
Create Date: 2026-12-01 15:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "5b8e1d3f7a42"
down_revision = "9e4a1c6b2d57"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("repair_batches", schema=None) as batch_op:
        batch_op.drop_index("ix_repair_batches_status_fees_due_on")
        batch_op.create_index(
            "ix_repair_batches_status_fees_due_on_amounts",
            ["status", "fees_due_on", "amount_due", "paid_amount", "released"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("repair_batches", schema=None) as batch_op:
        batch_op.drop_index("ix_repair_batches_status_fees_due_on_amounts")
        batch_op.create_index("ix_repair_batches_status_fees_due_on", ["status", "fees_due_on"], unique=False)
