"""compliance standings kept current per distributor over the overview's default window (the last
four quarters), indexed in the ranking's order and by province; left empty: the daily
refresh-compliance fills them, and the overview reads the grouped figures until it has

Revision ID: 9e4a1c6b2d57
Revises: 4d8f2a6c9e35
Create Date: 2026-12-01 13:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9e4a1c6b2d57"
down_revision = "4d8f2a6c9e35"
branch_labels = None
depends_on = None

COUNTS = (
    "deposits_due",
    "deposits_on_time",
    "fees_due",
    "fees_on_time",
    "reports_due",
    "reports_on_time",
    "batches_shipped",
    "batches_in_window",
    "violations_cross_territory",
    "violations_below_price",
    "violations_unapproved_sub_agent",
)


def upgrade():
    op.create_table(
        "standings",
        sa.Column("distributor_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("first_quarter", sa.String(length=7), nullable=False),
        sa.Column("last_quarter", sa.String(length=7), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("quota", sa.BigInteger(), nullable=False),
        sa.Column("ordered_amount", sa.BigInteger(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        *(sa.Column(f"ordered_{n}", sa.BigInteger(), nullable=False) for n in range(1, 5)),
        sa.Column("score", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["distributor_id"], ["distributors.id"], name=op.f("fk_standings_distributor_id_distributors")
        ),
        sa.PrimaryKeyConstraint("distributor_id", name=op.f("pk_standings")),
    )
    with op.batch_alter_table("standings", schema=None) as batch_op:
        batch_op.create_index("ix_standings_province_code", ["province_code"], unique=False)
        batch_op.create_index(
            "ix_standings_score_code_distributor_id",
            [sa.text("score DESC"), "code", "distributor_id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("standings", schema=None) as batch_op:
        batch_op.drop_index("ix_standings_score_code_distributor_id")
        batch_op.drop_index("ix_standings_province_code")
    op.drop_table("standings")
