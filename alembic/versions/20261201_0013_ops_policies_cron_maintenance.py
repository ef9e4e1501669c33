"""operations: policies, cron runs, maintenance windows

The policies for a new seller's low-stock threshold and for order archiving and
retention; a record of each periodic job's runs (the health page's "last cron
runs"); the maintenance windows admins announce.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 17:17:13.193218
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cron_runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("job", sa.String(length=80), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=2000), nullable=True),
        sa.CheckConstraint("outcome IN ('running', 'ok', 'error')", name="ck_cron_runs_outcome"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cron_runs", schema=None) as batch_op:
        batch_op.create_index("ix_cron_runs_job_started", ["job", "started_at"], unique=False)

    op.create_table(
        "maintenance_windows",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.String(length=40), nullable=True),
        sa.CheckConstraint("ends_at > starts_at", name="ck_maintenance_windows_ends_after"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("maintenance_windows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_maintenance_windows_starts_at"), ["starts_at"], unique=False
        )

    with op.batch_alter_table("order_policies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("low_stock_threshold", sa.Integer(), server_default="5", nullable=False)
        )
        batch_op.add_column(
            sa.Column("archive_after_days", sa.Integer(), server_default="365", nullable=False)
        )
        batch_op.add_column(
            sa.Column("order_retention_years", sa.Integer(), server_default="7", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("order_policies", schema=None) as batch_op:
        batch_op.drop_column("order_retention_years")
        batch_op.drop_column("archive_after_days")
        batch_op.drop_column("low_stock_threshold")

    with op.batch_alter_table("maintenance_windows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_maintenance_windows_starts_at"))

    op.drop_table("maintenance_windows")
    with op.batch_alter_table("cron_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_cron_runs_job_started")

    op.drop_table("cron_runs")
