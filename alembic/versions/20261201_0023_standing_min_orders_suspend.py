"""standing: orders before a rate may advise suspension

``order_policies.standing_min_orders_suspend``: with fewer paid orders in the
window, a rate above its suspension threshold reads "warning" (a larger sample
than the one a warning needs, ``standing_min_orders``; an existing row asking
more than 50 for a warning gets its own number here, so the pair stays in order).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 23:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("order_policies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "standing_min_orders_suspend", sa.Integer(), server_default="50", nullable=False
            )
        )
    # A policy that already asks more orders before a warning keeps the pair in order.
    op.execute(
        "UPDATE order_policies SET standing_min_orders_suspend = standing_min_orders "
        "WHERE standing_min_orders > standing_min_orders_suspend"
    )


def downgrade() -> None:
    with op.batch_alter_table("order_policies", schema=None) as batch_op:
        batch_op.drop_column("standing_min_orders_suspend")
