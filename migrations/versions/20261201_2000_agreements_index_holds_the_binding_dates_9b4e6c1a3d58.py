"""the index of each distributor's agreements (distributor, latest start first, number) also holds
status, end and termination dates, so the reports' month grid finds and counts the agreement that
binds each distributor during a month from the index alone

Revision ID: 9b4e6c1a3d58
Revises: 6d1f3b8e2a47
Create Date: 2026-12-01 20:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9b4e6c1a3d58"
down_revision = "6d1f3b8e2a47"
branch_labels = None
depends_on = None

NAME = "ix_agreements_distributor_id_starts_on_number"
ORDER = ["distributor_id", sa.text("starts_on DESC"), "number"]


def _rebuild(columns):
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_index(NAME)
        batch_op.create_index(NAME, columns, unique=False)


def upgrade():
    _rebuild([*ORDER, "status", "ends_on", "terminated_on"])


def downgrade():
    _rebuild(ORDER)
