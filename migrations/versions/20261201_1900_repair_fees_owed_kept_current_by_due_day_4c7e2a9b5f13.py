"""the repair fees still owed, kept current per due day (repair_fees_owed), so finance's home page adds
up a few hundred rows a year instead of every batch owing; so does the ledger's grand total

Revision ID: 4c7e2a9b5f13
Revises: 8a3f6c2e9d17
Create Date: 2026-12-01 19:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4c7e2a9b5f13"
down_revision = "8a3f6c2e9d17"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "repair_fees_owed",
        sa.Column("fees_due_on", sa.Date(), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.Column("charged", sa.BigInteger(), nullable=False),
        sa.Column("paid", sa.BigInteger(), nullable=False),
        sa.Column("awaiting", sa.Integer(), nullable=False),
        sa.Column("settled", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("fees_due_on", name=op.f("pk_repair_fees_owed")),
    )
    # What the batches already notified owe, and how many owe nothing (repairs.owed counts them the
    # same way): amounts in whole fen, as the Money columns hold them; awaiting = notified and not
    # released.
    op.execute(
        "INSERT INTO repair_fees_owed (fees_due_on, batches, charged, paid, awaiting, settled) "
        "SELECT fees_due_on, "
        "SUM(CASE WHEN paid_amount < amount_due THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN paid_amount < amount_due THEN amount_due ELSE 0 END), "
        "SUM(CASE WHEN paid_amount < amount_due THEN paid_amount ELSE 0 END), "
        "SUM(CASE WHEN paid_amount < amount_due AND status = 'notified' AND NOT released THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN paid_amount < amount_due THEN 0 ELSE 1 END) "
        "FROM repair_batches WHERE status IN ('notified', 'paid', 'returned') "
        "AND fees_due_on IS NOT NULL GROUP BY fees_due_on"
    )


def downgrade():
    op.drop_table("repair_fees_owed")
