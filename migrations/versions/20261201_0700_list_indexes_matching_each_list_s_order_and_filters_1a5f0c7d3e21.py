"""indexes matching each head-office list's order and filters (boards, orders, notices, audit trail, agreements, distributors)

Each list's default order gets an index, alone and after each filter the list offers, so a page of
25 reads 25 index entries instead of scanning and sorting the table (tests/test_query_plans.py).
Single-column indexes that a new composite one begins with are dropped (it serves them too).

Revision ID: 1a5f0c7d3e21
Revises: 804cb1d95e2e
Create Date: 2026-12-01 07:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "1a5f0c7d3e21"
down_revision = "804cb1d95e2e"
branch_labels = None
depends_on = None

# (table, name, columns): "-column" sorts descending.
NEW = [
    ("boards", "ix_boards_shipped_on_serial", ["-shipped_on", "serial"]),
    ("boards", "ix_boards_distributor_id_shipped_on_serial", ["distributor_id", "-shipped_on", "serial"]),
    ("boards", "ix_boards_product_id_shipped_on_serial", ["product_id", "-shipped_on", "serial"]),
    ("boards", "ix_boards_warranty_end", ["warranty_end"]),
    ("orders", "ix_orders_created_at_id", ["created_at", "id"]),
    ("orders", "ix_orders_status_created_at_id", ["status", "created_at", "id"]),
    ("orders", "ix_orders_distributor_id_created_at_id", ["distributor_id", "created_at", "id"]),
    ("orders", "ix_orders_period_created_at_id", ["period", "created_at", "id"]),
    ("notices", "ix_notices_issued_on_year_sequence", ["issued_on", "year", "sequence"]),
    (
        "notices",
        "ix_notices_distributor_id_issued_on_year_sequence",
        ["distributor_id", "issued_on", "year", "sequence"],
    ),
    ("notices", "ix_notices_type_issued_on_year_sequence", ["type", "issued_on", "year", "sequence"]),
    ("audit_events", "ix_audit_events_at_id", ["at", "id"]),
    ("audit_events", "ix_audit_events_table_name_at_id", ["table_name", "at", "id"]),
    ("audit_events", "ix_audit_events_actor_name_at_id", ["actor_name", "at", "id"]),
    ("audit_events", "ix_audit_events_action_at_id", ["action", "at", "id"]),
    ("agreements", "ix_agreements_starts_on_number", ["-starts_on", "number"]),
    ("agreements", "ix_agreements_distributor_id_starts_on_number", ["distributor_id", "-starts_on", "number"]),
    ("distributors", "ix_distributors_level_code", ["level", "code"]),
    ("distributors", "ix_distributors_status_code", ["status", "code"]),
]

# Replaced by a composite index above that begins with the same column.
OLD = [
    ("boards", "ix_boards_distributor_id", ["distributor_id"]),
    ("boards", "ix_boards_product_id", ["product_id"]),
    ("orders", "ix_orders_status", ["status"]),
    ("notices", "ix_notices_distributor_id_issued_on", ["distributor_id", "issued_on"]),
    ("notices", "ix_notices_type", ["type"]),
    ("audit_events", "ix_audit_events_at", ["at"]),
    ("audit_events", "ix_audit_events_action", ["action"]),
    ("agreements", "ix_agreements_distributor_id", ["distributor_id"]),
    ("distributors", "ix_distributors_level", ["level"]),
    ("distributors", "ix_distributors_status", ["status"]),
]


def _columns(names):
    return [sa.text(f"{name[1:]} DESC") if name.startswith("-") else name for name in names]


def upgrade():
    for table, name, columns in NEW:
        op.create_index(name, table, _columns(columns), unique=False)
    for table, name, _ in OLD:
        op.drop_index(name, table_name=table)


def downgrade():
    for table, name, columns in OLD:
        op.create_index(name, table, columns, unique=False)
    for table, name, _ in reversed(NEW):
        op.drop_index(name, table_name=table)
