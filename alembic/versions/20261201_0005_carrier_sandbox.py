"""carrier sandbox

What the built-in carrier sandbox knows of each package and its scans
(outside production only; the tables exist everywhere, empty in production).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sandbox_shipments",
        sa.Column("tracking_number", sa.String(length=40), nullable=False),
        sa.Column("carrier", sa.String(length=16), nullable=False),
        sa.Column("service", sa.String(length=40), nullable=False),
        sa.Column("origin_city", sa.String(length=100), nullable=True),
        sa.Column("origin_region", sa.String(length=100), nullable=True),
        sa.Column("origin_postal_code", sa.String(length=20), nullable=True),
        sa.Column("origin_country", sa.String(length=2), nullable=False),
        sa.Column("destination_city", sa.String(length=100), nullable=True),
        sa.Column("destination_region", sa.String(length=100), nullable=True),
        sa.Column("destination_postal_code", sa.String(length=20), nullable=True),
        sa.Column("destination_country", sa.String(length=2), nullable=False),
        sa.Column("estimated_delivery", sa.Date(), nullable=True),
        sa.Column("signature_required", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tracking_number"),
    )
    with op.batch_alter_table("sandbox_shipments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sandbox_shipments_carrier"), ["carrier"], unique=False)
    op.create_table(
        "sandbox_scans",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("tracking_number", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["tracking_number"], ["sandbox_shipments.tracking_number"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sandbox_scans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sandbox_scans_tracking_number"), ["tracking_number"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sandbox_scans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sandbox_scans_tracking_number"))
    op.drop_table("sandbox_scans")
    with op.batch_alter_table("sandbox_shipments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sandbox_shipments_carrier"))
    op.drop_table("sandbox_shipments")
