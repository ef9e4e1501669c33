"""KPI stale days

``kpi_stale_days``: the rolled days whose orders changed outside the window the
5-minute rollup job redoes anyway (a late delivery, a refund, a review on an old
order), marked in the transaction that changed them (``services.kpi_stale``); the
job recomputes exactly those days and deletes the marks it read (``version``).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kpi_stale_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )


def downgrade() -> None:
    op.drop_table("kpi_stale_days")
