"""delivery tallies kept per due day (delivery_days: on time, shipped late, not shipped yet) instead
of per distributor, so the on-time delivery summary adds up a few hundred rows a year and reads no
order

Revision ID: 6d1f3b8e2a47
Revises: 4c7e2a9b5f13
Create Date: 2026-12-01 19:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6d1f3b8e2a47"
down_revision = "4c7e2a9b5f13"
branch_labels = None
depends_on = None

# The orders the tallies count (boards.queries.shipped_conditions): a delivery due date, not cancelled.
COUNTED = "FROM orders WHERE delivery_due_on IS NOT NULL AND status <> 'cancelled'"
ON_TIME = "SUM(CASE WHEN shipped_on IS NOT NULL AND shipped_on <= delivery_due_on THEN 1 ELSE 0 END)"
LATE = "SUM(CASE WHEN shipped_on > delivery_due_on THEN 1 ELSE 0 END)"


def upgrade():
    op.create_table(
        "delivery_days",
        sa.Column("delivery_due_on", sa.Date(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("shipped_late", sa.Integer(), nullable=False),
        sa.Column("waiting", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("delivery_due_on", name=op.f("pk_delivery_days")),
    )
    op.execute(
        "INSERT INTO delivery_days (delivery_due_on, on_time, shipped_late, waiting) "
        f"SELECT delivery_due_on, {ON_TIME}, {LATE}, SUM(CASE WHEN shipped_on IS NULL THEN 1 ELSE 0 END) "
        f"{COUNTED} GROUP BY delivery_due_on"
    )
    op.drop_table("delivery_tallies")


def downgrade():
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
    op.execute(
        "INSERT INTO delivery_tallies (distributor_id, on_time, shipped_late) "
        f"SELECT distributor_id, {ON_TIME}, {LATE} {COUNTED} GROUP BY distributor_id"
    )
    op.drop_table("delivery_days")
