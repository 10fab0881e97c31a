"""indexes matching the assessments', violations' and monthly reports' lists in their order and filters

The assessments list orders by quarter (latest first), distributor and agreement; the violations by
date and id (latest first); the reports API by month (latest first) and distributor. Each order gets
an index, alone and after each filter the list offers, so a page of 25 reads 25 index entries
instead of scanning and sorting the table (tests/test_query_plans.py). The indexes a new composite
one begins with are dropped (it serves them too), and so is the one of those still to review (the
partial index holds just them, in the list's order).

Revision ID: 7b2e4c9a1f38
Revises: 7e4a2c9b5d13
Create Date: 2026-12-01 12:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7b2e4c9a1f38"
down_revision = "7e4a2c9b5d13"
branch_labels = None
depends_on = None

TO_REVIEW = "reviewed_on IS NULL"

# (table, name, columns, partial predicate or None): "-column" sorts descending.
NEW = [
    (
        "assessments",
        "ix_assessments_quarter_distributor_id_agreement_id",
        ["-quarter", "distributor_id", "agreement_id"],
        None,
    ),
    (
        "assessments",
        "ix_assessments_distributor_id_quarter_agreement_id",
        ["distributor_id", "-quarter", "agreement_id"],
        None,
    ),
    (
        "assessments",
        "ix_assessments_outcome_quarter_distributor_id_agreement_id",
        ["outcome", "-quarter", "distributor_id", "agreement_id"],
        None,
    ),
    ("assessments", "ix_assessments_to_review", ["-quarter", "distributor_id", "agreement_id"], TO_REVIEW),
    ("violations", "ix_violations_occurred_on_id", ["occurred_on", "id"], None),
    ("violations", "ix_violations_distributor_id_occurred_on_id", ["distributor_id", "occurred_on", "id"], None),
    ("violations", "ix_violations_kind_occurred_on_id", ["kind", "occurred_on", "id"], None),
    ("monthly_reports", "ix_monthly_reports_month_distributor_id", ["-month", "distributor_id"], None),
]

# Replaced by a composite index above that begins with the same columns (or, for the reports, the
# same index with the month descending: dropped first, its name is reused).
OLD = [
    ("assessments", "ix_assessments_quarter_distributor_id", ["quarter", "distributor_id"]),
    ("assessments", "ix_assessments_distributor_id", ["distributor_id"]),
    ("assessments", "ix_assessments_reviewed_on_quarter", ["reviewed_on", "quarter"]),  # by ix_assessments_to_review
    ("violations", "ix_violations_distributor_id_occurred_on", ["distributor_id", "occurred_on"]),
    ("violations", "ix_violations_kind_occurred_on", ["kind", "occurred_on"]),
    ("monthly_reports", "ix_monthly_reports_month_distributor_id", ["month", "distributor_id"]),
]


def _columns(names):
    return [sa.text(f"{name[1:]} DESC") if name.startswith("-") else name for name in names]


def _where(predicate):
    if predicate is None:
        return {}
    return {"sqlite_where": sa.text(predicate), "postgresql_where": sa.text(predicate)}


def upgrade():
    for table, name, _ in OLD:
        op.drop_index(name, table_name=table)
    for table, name, columns, predicate in NEW:
        op.create_index(name, table, _columns(columns), unique=False, **_where(predicate))


def downgrade():
    for table, name, _, _ in reversed(NEW):
        op.drop_index(name, table_name=table)
    for table, name, columns in OLD:
        op.create_index(name, table, columns, unique=False)
