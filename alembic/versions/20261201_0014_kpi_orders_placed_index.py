"""KPI dashboard

An index on orders.placed_at alone: the KPI dashboard reads a period of placed_at
across every seller, which the (seller_id | customer_id | status, placed_at)
indexes do not serve.

Revision ID: 0014
Revises: 0008
Create Date: 2026-12-01 17:43:50.868860
"""

from alembic import op

revision = "0014"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_placed", ["placed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_placed")
