"""payment rounds and lifecycle checks

Every lifecycle column gets a CHECK constraint listing its states (the models
write the same ones from the domain enums; a test compares the two), and a
checkout counts its verification rounds.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _in(column: str, *values: str, nullable: bool = False) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    condition = f"{column} IN ({listed})"
    return f"{column} IS NULL OR {condition}" if nullable else condition


ORDER_STATUSES = (
    "pending_payment",
    "payment_failed",
    "processing",
    "shipped",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "delivery_exception",
    "cancelled",
)


def upgrade() -> None:
    # Rows written before this revision: the checkout's status follows its payment.
    op.execute(
        "UPDATE checkouts SET status = CASE payment_status "
        "WHEN 'authorized' THEN 'paid' WHEN 'failed' THEN 'payment_failed' "
        "ELSE 'pending_payment' END"
    )
    op.execute(
        "UPDATE payment_events SET outcome = 'received' WHERE outcome NOT IN "
        "('received', 'verified', 'needs_action', 'retrying', 'failed', 'ignored')"
    )
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("payment_round", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.create_check_constraint(
            "ck_checkouts_status", _in("status", "pending_payment", "paid", "payment_failed")
        )
        batch_op.create_check_constraint(
            "ck_checkouts_payment_status",
            _in("payment_status", "pending", "needs_action", "authorized", "failed"),
        )
        batch_op.create_check_constraint("ck_checkouts_payment_round", "payment_round >= 1")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint("ck_orders_status", type_="check")
        batch_op.create_check_constraint("ck_orders_status", _in("status", *ORDER_STATUSES))
        batch_op.create_check_constraint(
            "ck_orders_stock_status",
            _in("stock_status", "held", "confirmed", "released", "fulfilled"),
        )
        batch_op.create_check_constraint(
            "ck_orders_review_reason",
            _in("review_reason", "duplicate", "stock_lost", "payment", nullable=True),
        )
    with op.batch_alter_table("payment_events", schema=None) as batch_op:
        batch_op.create_check_constraint(
            "ck_payment_events_outcome",
            _in("outcome", "received", "verified", "needs_action", "retrying", "failed", "ignored"),
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_events", schema=None) as batch_op:
        batch_op.drop_constraint("ck_payment_events_outcome", type_="check")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint("ck_orders_review_reason", type_="check")
        batch_op.drop_constraint("ck_orders_stock_status", type_="check")
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.drop_constraint("ck_checkouts_payment_round", type_="check")
        batch_op.drop_constraint("ck_checkouts_payment_status", type_="check")
        batch_op.drop_constraint("ck_checkouts_status", type_="check")
        batch_op.drop_column("payment_round")
