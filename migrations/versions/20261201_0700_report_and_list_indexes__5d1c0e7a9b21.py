"""indexes for the on-time delivery list (its order and its index-only counts) and the repair
batch list (its order, unfiltered and by status)

Revision ID: 5d1c0e7a9b21
Revises: 1a5f0c7d3e21
Create Date: 2026-12-01 07:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "5d1c0e7a9b21"
down_revision = "1a5f0c7d3e21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_delivery_due_on"))
        batch_op.create_index("ix_orders_delivery_due_on_id", ["delivery_due_on", "id"], unique=False)
        batch_op.create_index(
            "ix_orders_delivery_due_on_shipped_on_status", ["delivery_due_on", "shipped_on", "status"], unique=False
        )
    with op.batch_alter_table("repair_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_repair_batches_month"))
        batch_op.create_index("ix_repair_batches_month_id", ["month", "id"], unique=False)
        batch_op.create_index("ix_repair_batches_status_month_id", ["status", "month", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("repair_batches", schema=None) as batch_op:
        batch_op.drop_index("ix_repair_batches_status_month_id")
        batch_op.drop_index("ix_repair_batches_month_id")
        batch_op.create_index(batch_op.f("ix_repair_batches_month"), ["month"], unique=False)
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_delivery_due_on_shipped_on_status")
        batch_op.drop_index("ix_orders_delivery_due_on_id")
        batch_op.create_index(batch_op.f("ix_orders_delivery_due_on"), ["delivery_due_on"], unique=False)
