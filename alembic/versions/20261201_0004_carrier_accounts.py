"""carrier accounts

One row per carrier: enabled, sandbox or live, base URL, sealed credentials,
and how the last calls went. Every carrier starts enabled on its sandbox.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 10:00:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CARRIERS = ("fedex", "ups", "dhl", "usps")


def upgrade() -> None:
    accounts = op.create_table(
        "carrier_accounts",
        sa.Column("carrier", sa.String(length=16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("base_url", sa.String(length=300), nullable=True),
        sa.Column("credentials", sa.String(length=4000), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "carrier IN ('fedex', 'ups', 'dhl', 'usps')", name="ck_carrier_accounts_carrier"
        ),
        sa.CheckConstraint("mode IN ('sandbox', 'live')", name="ck_carrier_accounts_mode"),
        sa.PrimaryKeyConstraint("carrier"),
    )
    op.bulk_insert(
        accounts,
        [
            {
                "carrier": carrier,
                "enabled": True,
                "mode": "sandbox",
                "updated_at": datetime.now(UTC),
                "consecutive_failures": 0,
            }
            for carrier in CARRIERS
        ],
    )


def downgrade() -> None:
    op.drop_table("carrier_accounts")
