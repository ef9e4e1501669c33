"""shipping and tracking

Shipments grow what buying a label and following it need (parcel, charge, the
carrier's estimate, signature, sync schedule, support flags, direction), with their
scans and label PDFs in tables of their own; sellers get a pick-up street and phone;
carrier accounts a circuit breaker and a webhook secret; sandbox packages can be voided.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:11:51.074775
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


SHIPMENT_STATUSES = ("shipped", "in_transit", "out_for_delivery", "delivered", "delivery_exception")


def _in(column: str, *values: str) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "shipment_labels",
        sa.Column("shipment_id", sa.String(length=40), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
        ),
        sa.PrimaryKeyConstraint("shipment_id"),
    )
    op.create_table(
        "shipment_scans",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("shipment_id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=True),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("shipment_id", "at", "code", name="uq_shipment_scans_scan"),
    )
    with op.batch_alter_table("shipment_scans", schema=None) as batch_op:
        batch_op.create_index("ix_shipment_scans_shipment_at", ["shipment_id", "at"], unique=False)

    with op.batch_alter_table("carrier_accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("circuit_open_until", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("webhook_secret", sa.String(length=500), nullable=True))

    with op.batch_alter_table("sandbox_shipments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("receipt_confirmed_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address_line1", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=40), nullable=True))

    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("direction", sa.String(length=16), server_default="outbound", nullable=False)
        )
        batch_op.add_column(sa.Column("carrier_reference", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("rate_minor", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rate_currency", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("weight_grams", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("length_mm", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("width_mm", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("height_mm", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("estimated_delivery", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("signature_required", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("next_sync_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("flag", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("flagged_reason", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_shipments_carrier_sync", ["carrier", "next_sync_at"], unique=False
        )
        batch_op.create_check_constraint("ck_shipments_status", _in("status", *SHIPMENT_STATUSES))
        batch_op.create_check_constraint(
            "ck_shipments_direction", _in("direction", "outbound", "return")
        )
        batch_op.create_check_constraint(
            "ck_shipments_flag", f"flag IS NULL OR {_in('flag', 'stuck', 'exception', 'reported')}"
        )


def downgrade() -> None:
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_constraint("ck_shipments_flag", type_="check")
        batch_op.drop_constraint("ck_shipments_direction", type_="check")
        batch_op.drop_constraint("ck_shipments_status", type_="check")
        batch_op.drop_index("ix_shipments_carrier_sync")
        batch_op.drop_column("flagged_at")
        batch_op.drop_column("flagged_reason")
        batch_op.drop_column("flag")
        batch_op.drop_column("next_sync_at")
        batch_op.drop_column("last_synced_at")
        batch_op.drop_column("signature_required")
        batch_op.drop_column("estimated_delivery")
        batch_op.drop_column("height_mm")
        batch_op.drop_column("width_mm")
        batch_op.drop_column("length_mm")
        batch_op.drop_column("weight_grams")
        batch_op.drop_column("rate_currency")
        batch_op.drop_column("rate_minor")
        batch_op.drop_column("carrier_reference")
        batch_op.drop_column("direction")

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("receipt_confirmed_at")

    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.drop_column("phone")
        batch_op.drop_column("address_line1")

    with op.batch_alter_table("sandbox_shipments", schema=None) as batch_op:
        batch_op.drop_column("voided_at")

    with op.batch_alter_table("carrier_accounts", schema=None) as batch_op:
        batch_op.drop_column("webhook_secret")
        batch_op.drop_column("circuit_open_until")

    with op.batch_alter_table("shipment_scans", schema=None) as batch_op:
        batch_op.drop_index("ix_shipment_scans_shipment_at")

    op.drop_table("shipment_scans")
    op.drop_table("shipment_labels")
