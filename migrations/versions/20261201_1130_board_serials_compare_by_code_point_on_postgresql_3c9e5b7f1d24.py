"""board serials compare by code point on PostgreSQL (COLLATE "C"), whatever the server's collation,
so the serial prefix search's range finds every board that starts with the prefix

Revision ID: 3c9e5b7f1d24
Revises: 5d1c0e7a9b21
Create Date: 2026-12-01 11:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3c9e5b7f1d24"
down_revision = "5d1c0e7a9b21"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite compares text by code point already (BINARY).
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "boards", "serial", type_=sa.String(60, collation="C"), existing_type=sa.String(60), existing_nullable=False
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "boards", "serial", type_=sa.String(60), existing_type=sa.String(60, collation="C"), existing_nullable=False
        )
