"""KPI dashboard

A partial index of the delivery problems customers report,
which order accuracy looks for among every order event.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 17:43:50.868860
"""

import sqlalchemy as sa
from alembic import op

PROBLEM = "type = 'order.delivery_problem'"

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_order_events_delivery_problem",
            ["order_id"],
            unique=False,
            postgresql_where=sa.text(PROBLEM),
            sqlite_where=sa.text(PROBLEM),
        )


def downgrade() -> None:
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.drop_index("ix_order_events_delivery_problem")
