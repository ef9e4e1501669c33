"""seller standing and settlement

A seller's suspension from new orders (when, by whom, why) and its own commission
rate; the policies that judge a seller's standing (window, minimum orders, warning and
suspension thresholds per measure) and the platform's commission.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 17:17:30.658733
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("order_policies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("standing_window_days", sa.Integer(), server_default="30", nullable=False)
        )
        batch_op.add_column(
            sa.Column("standing_min_orders", sa.Integer(), server_default="10", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "late_shipment_warning_bps", sa.Integer(), server_default="400", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "late_shipment_suspend_bps", sa.Integer(), server_default="1000", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "seller_cancel_warning_bps", sa.Integer(), server_default="250", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "seller_cancel_suspend_bps", sa.Integer(), server_default="500", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("ticket_rate_warning_bps", sa.Integer(), server_default="500", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "ticket_rate_suspend_bps", sa.Integer(), server_default="1500", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("ship_time_warning_hours", sa.Integer(), server_default="24", nullable=False)
        )
        batch_op.add_column(
            sa.Column("ship_time_suspend_hours", sa.Integer(), server_default="72", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "response_time_warning_hours", sa.Integer(), server_default="24", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "response_time_suspend_hours", sa.Integer(), server_default="72", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("commission_bps", sa.Integer(), server_default="1000", nullable=False)
        )

    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("commission_bps", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("suspended_by", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("suspension_reason", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.drop_column("suspension_reason")
        batch_op.drop_column("suspended_by")
        batch_op.drop_column("suspended_at")
        batch_op.drop_column("commission_bps")

    with op.batch_alter_table("order_policies", schema=None) as batch_op:
        batch_op.drop_column("commission_bps")
        batch_op.drop_column("response_time_suspend_hours")
        batch_op.drop_column("response_time_warning_hours")
        batch_op.drop_column("ship_time_suspend_hours")
        batch_op.drop_column("ship_time_warning_hours")
        batch_op.drop_column("ticket_rate_suspend_bps")
        batch_op.drop_column("ticket_rate_warning_bps")
        batch_op.drop_column("seller_cancel_suspend_bps")
        batch_op.drop_column("seller_cancel_warning_bps")
        batch_op.drop_column("late_shipment_suspend_bps")
        batch_op.drop_column("late_shipment_warning_bps")
        batch_op.drop_column("standing_min_orders")
        batch_op.drop_column("standing_window_days")
