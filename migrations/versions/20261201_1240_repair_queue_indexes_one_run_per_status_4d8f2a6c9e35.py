"""the repair work queue's indexes: one run per status in its order, (status, status_since, id) and,
for the batches awaiting repair, (status, repair_due_on, status_since, id)

Revision ID: 4d8f2a6c9e35
Revises: 7e4a2c9b5d18
Create Date: 2026-12-01 12:40:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "4d8f2a6c9e35"
down_revision = "7e4a2c9b5d18"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("repair_batches", schema=None) as batch_op:
        batch_op.drop_index("ix_repair_batches_status_status_since")
        batch_op.create_index(
            "ix_repair_batches_status_status_since_id", ["status", "status_since", "id"], unique=False
        )
        batch_op.create_index(
            "ix_repair_batches_status_repair_due_on_status_since_id",
            ["status", "repair_due_on", "status_since", "id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("repair_batches", schema=None) as batch_op:
        batch_op.drop_index("ix_repair_batches_status_repair_due_on_status_since_id")
        batch_op.drop_index("ix_repair_batches_status_status_since_id")
        batch_op.create_index("ix_repair_batches_status_status_since", ["status", "status_since"], unique=False)
