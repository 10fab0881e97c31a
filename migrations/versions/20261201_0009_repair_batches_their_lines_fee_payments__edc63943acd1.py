"""repair batches, their lines, fee payments, ratings and post-repair windows

The monthly repair batch of docs/rules.md §7.2 (contract §6.5.4): repair_batches (one per
distributor and month, its steps' dates and the amounts the ledger filters on), repair_lines (one
board each, classified when shipped, inspected by head office), repair_fee_payments (as order
payments, bank reference unique per distributor among those not voided), repair_ratings (the
service card of a returned batch), and board_windows: the post-repair warranties a return gives
boards repaired out of coverage (§6.5.3, docs/rules.md §7.1). New tables only: nothing to carry over.

Revision ID: edc63943acd1
Revises: b01d096bbfa4
Create Date: 2026-12-01 00:09:12.864698

"""

import sqlalchemy as sa
from alembic import op

import portal.db

# revision identifiers, used by Alembic.
revision = "edc63943acd1"
down_revision = "b01d096bbfa4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "repair_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("distributor_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "shipped",
                "received",
                "inspected",
                "repaired",
                "notified",
                "paid",
                "returned",
                name="batchstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("status_since", sa.Date(), nullable=False),
        sa.Column("shipped_on", sa.Date(), nullable=True),
        sa.Column("carrier", sa.String(length=100), nullable=False),
        sa.Column("tracking_number", sa.String(length=100), nullable=False),
        sa.Column("shipped_late", sa.Boolean(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("repair_due_on", sa.Date(), nullable=True),
        sa.Column("inspected_on", sa.Date(), nullable=True),
        sa.Column("repaired_on", sa.Date(), nullable=True),
        sa.Column("turnaround_late", sa.Boolean(), nullable=False),
        sa.Column("notified_on", sa.Date(), nullable=True),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("fees_due_on", sa.Date(), nullable=True),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("return_carrier", sa.String(length=100), nullable=False),
        sa.Column("return_tracking_number", sa.String(length=100), nullable=False),
        sa.Column("return_freight", portal.db.Money(), nullable=False),
        sa.Column("freight_charged", portal.db.Money(), nullable=False),
        sa.Column("fees_total", portal.db.Money(), nullable=False),
        sa.Column("amount_due", portal.db.Money(), nullable=False),
        sa.Column("paid_amount", portal.db.Money(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("withheld_on", sa.Date(), nullable=True),
        sa.Column("reminder_notice_id", sa.Integer(), nullable=True),
        sa.Column("released", sa.Boolean(), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=True),
        sa.Column("released_by_id", sa.Integer(), nullable=True),
        sa.Column("release_reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreements.id"], name=op.f("fk_repair_batches_agreement_id_agreements")
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_repair_batches_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["distributor_id"], ["distributors.id"], name=op.f("fk_repair_batches_distributor_id_distributors")
        ),
        sa.ForeignKeyConstraint(["notice_id"], ["notices.id"], name=op.f("fk_repair_batches_notice_id_notices")),
        sa.ForeignKeyConstraint(["released_by_id"], ["users.id"], name=op.f("fk_repair_batches_released_by_id_users")),
        sa.ForeignKeyConstraint(
            ["reminder_notice_id"], ["notices.id"], name=op.f("fk_repair_batches_reminder_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repair_batches")),
        sa.UniqueConstraint("distributor_id", "month", name="uq_repair_batches_distributor_id_month"),
        sa.UniqueConstraint("number", name=op.f("uq_repair_batches_number")),
    )
    with op.batch_alter_table("repair_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_repair_batches_agreement_id"), ["agreement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_repair_batches_distributor_id"), ["distributor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_repair_batches_month"), ["month"], unique=False)
        batch_op.create_index(batch_op.f("ix_repair_batches_repair_due_on"), ["repair_due_on"], unique=False)
        batch_op.create_index("ix_repair_batches_status_fees_due_on", ["status", "fees_due_on"], unique=False)
        batch_op.create_index("ix_repair_batches_status_status_since", ["status", "status_since"], unique=False)

    op.create_table(
        "repair_fee_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("distributor_id", sa.Integer(), nullable=False),
        sa.Column("amount", portal.db.Money(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("bank_reference", sa.String(length=60), nullable=False),
        sa.Column("payer", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("voided_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("voided_by_id", sa.Integer(), nullable=True),
        sa.Column("void_reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["repair_batches.id"], name=op.f("fk_repair_fee_payments_batch_id_repair_batches")
        ),
        sa.ForeignKeyConstraint(
            ["distributor_id"], ["distributors.id"], name=op.f("fk_repair_fee_payments_distributor_id_distributors")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_repair_fee_payments_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(["voided_by_id"], ["users.id"], name=op.f("fk_repair_fee_payments_voided_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repair_fee_payments")),
    )
    with op.batch_alter_table("repair_fee_payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_repair_fee_payments_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_repair_fee_payments_distributor_id"), ["distributor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_repair_fee_payments_received_on"), ["received_on"], unique=False)
        batch_op.create_index(
            "uq_repair_fee_payments_distributor_bank_reference",
            ["distributor_id", "bank_reference"],
            unique=True,
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        )

    op.create_table(
        "repair_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("distributor_id", sa.Integer(), nullable=False),
        sa.Column(
            "attitude",
            sa.Enum(
                "very_satisfied",
                "satisfied",
                "fairly_satisfied",
                "dissatisfied",
                name="ratinglevel",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "skill",
            sa.Enum(
                "very_satisfied",
                "satisfied",
                "fairly_satisfied",
                "dissatisfied",
                name="ratinglevel",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "timeliness",
            sa.Enum(
                "very_satisfied",
                "satisfied",
                "fairly_satisfied",
                "dissatisfied",
                name="ratinglevel",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "promises",
            sa.Enum(
                "very_satisfied",
                "satisfied",
                "fairly_satisfied",
                "dissatisfied",
                name="ratinglevel",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("comment", sa.String(length=1000), nullable=False),
        sa.Column("rated_on", sa.Date(), nullable=False),
        sa.Column("rated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["repair_batches.id"], name=op.f("fk_repair_ratings_batch_id_repair_batches")
        ),
        sa.ForeignKeyConstraint(
            ["distributor_id"], ["distributors.id"], name=op.f("fk_repair_ratings_distributor_id_distributors")
        ),
        sa.ForeignKeyConstraint(["rated_by_id"], ["users.id"], name=op.f("fk_repair_ratings_rated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repair_ratings")),
        sa.UniqueConstraint("batch_id", name=op.f("uq_repair_ratings_batch_id")),
    )
    with op.batch_alter_table("repair_ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_repair_ratings_distributor_id"), ["distributor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_repair_ratings_rated_on"), ["rated_on"], unique=False)

    op.create_table(
        "repair_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("fault_description", sa.String(length=500), nullable=False),
        sa.Column(
            "coverage_class",
            sa.Enum(
                "in_warranty",
                "post_repair_warranty",
                "out_of_warranty",
                "not_yet_shipped",
                name="coverageclass",
                native_enum=False,
            ),
            nullable=True,
        ),
        sa.Column(
            "cause",
            sa.Enum(
                "normal_use",
                "design_defect",
                "manufacturing_defect",
                "software_defect",
                "human_damage",
                "improper_operation",
                "natural_wear",
                "disaster",
                name="faultcause",
                native_enum=False,
            ),
            nullable=True,
        ),
        sa.Column(
            "outcome",
            sa.Enum("repaired", "no_fault_found", "unrepairable", name="repairoutcome", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("charged", sa.Boolean(), nullable=True),
        sa.Column("fee", portal.db.Money(), nullable=True),
        sa.Column(
            "fee_basis",
            sa.Enum(
                "free",
                "no_fault_found",
                "unrepairable",
                "full_cost",
                "agent_price",
                "sale_price",
                name="feebasis",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("fee_cap", portal.db.Money(), nullable=True),
        sa.Column("cap_price", portal.db.Money(), nullable=True),
        sa.Column("cap_percent", portal.db.Percent(), nullable=True),
        sa.Column("inspected_on", sa.Date(), nullable=True),
        sa.Column("freight_share", portal.db.Money(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["repair_batches.id"],
            name=op.f("fk_repair_lines_batch_id_repair_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["board_id"], ["boards.id"], name=op.f("fk_repair_lines_board_id_boards")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repair_lines")),
        sa.UniqueConstraint("batch_id", "board_id", name="uq_repair_lines_batch_id_board_id"),
    )
    with op.batch_alter_table("repair_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_repair_lines_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_repair_lines_board_id"), ["board_id"], unique=False)

    op.create_table(
        "board_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("repair_line_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["board_id"], ["boards.id"], name=op.f("fk_board_windows_board_id_boards")),
        sa.ForeignKeyConstraint(
            ["repair_line_id"], ["repair_lines.id"], name=op.f("fk_board_windows_repair_line_id_repair_lines")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_windows")),
        sa.UniqueConstraint("repair_line_id", name=op.f("uq_board_windows_repair_line_id")),
    )
    with op.batch_alter_table("board_windows", schema=None) as batch_op:
        batch_op.create_index("ix_board_windows_board_id_starts_on", ["board_id", "starts_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_board_windows_ends_on"), ["ends_on"], unique=False)


def downgrade():
    with op.batch_alter_table("board_windows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_board_windows_ends_on"))
        batch_op.drop_index("ix_board_windows_board_id_starts_on")

    op.drop_table("board_windows")
    with op.batch_alter_table("repair_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_repair_lines_board_id"))
        batch_op.drop_index(batch_op.f("ix_repair_lines_batch_id"))

    op.drop_table("repair_lines")
    with op.batch_alter_table("repair_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_repair_ratings_rated_on"))
        batch_op.drop_index(batch_op.f("ix_repair_ratings_distributor_id"))

    op.drop_table("repair_ratings")
    with op.batch_alter_table("repair_fee_payments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_repair_fee_payments_distributor_bank_reference",
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_repair_fee_payments_received_on"))
        batch_op.drop_index(batch_op.f("ix_repair_fee_payments_distributor_id"))
        batch_op.drop_index(batch_op.f("ix_repair_fee_payments_batch_id"))

    op.drop_table("repair_fee_payments")
    with op.batch_alter_table("repair_batches", schema=None) as batch_op:
        batch_op.drop_index("ix_repair_batches_status_status_since")
        batch_op.drop_index("ix_repair_batches_status_fees_due_on")
        batch_op.drop_index(batch_op.f("ix_repair_batches_repair_due_on"))
        batch_op.drop_index(batch_op.f("ix_repair_batches_month"))
        batch_op.drop_index(batch_op.f("ix_repair_batches_distributor_id"))
        batch_op.drop_index(batch_op.f("ix_repair_batches_agreement_id"))

    op.drop_table("repair_batches")
