"""delivery tallies kept current per distributor (orders shipped on time and late) and an index on
the orders not shipped yet, so the on-time delivery summary reads neither the orders shipped before

Revision ID: 7b2d4f6a8c10
Revises: 3c9e5b7f1d24
Create Date: 2026-12-01 12:15:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7b2d4f6a8c10"
down_revision = "3c9e5b7f1d24"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "delivery_tallies",
        sa.Column("distributor_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("shipped_late", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["distributor_id"], ["distributors.id"], name=op.f("fk_delivery_tallies_distributor_id_distributors")
        ),
        sa.PrimaryKeyConstraint("distributor_id", name=op.f("pk_delivery_tallies")),
    )
    # The tallies of the orders already shipped (boards.tallies counts them the same way).
    op.execute(
        "INSERT INTO delivery_tallies (distributor_id, on_time, shipped_late) "
        "SELECT distributor_id, "
        "SUM(CASE WHEN shipped_on IS NOT NULL AND shipped_on <= delivery_due_on THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN shipped_on > delivery_due_on THEN 1 ELSE 0 END) "
        "FROM orders WHERE delivery_due_on IS NOT NULL AND status <> 'cancelled' GROUP BY distributor_id"
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_orders_shipped_on_delivery_due_on_status", ["shipped_on", "delivery_due_on", "status"], unique=False
        )


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_shipped_on_delivery_due_on_status")
    op.drop_table("delivery_tallies")
