"""KPI daily rollups

The KPI dashboard's facts summed per day of placing (kpi_daily_facts, _carriers,
_tickets, _refund_reasons, keyed by day, seller, country and carrier mask), the days
rolled (kpi_rollup_days), and partial indexes of the undelivered and unshipped
orders whose facts the report may still have to count live.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 18:16:33.079290
"""

import sqlalchemy as sa
from alembic import op

UNDELIVERED = "status <> 'cancelled' AND delivered_at IS NULL AND estimated_delivery IS NOT NULL"
UNSHIPPED = "status <> 'cancelled' AND paid_at IS NOT NULL AND shipped_at IS NULL"

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kpi_daily_carriers",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("seller_id", sa.String(length=40), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("carriers", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=16), nullable=False),
        sa.Column("shipments", sa.BigInteger(), nullable=False),
        sa.Column("delivered", sa.BigInteger(), nullable=False),
        sa.Column("transit_hours", sa.Float(), nullable=False),
        sa.Column("exceptions", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "seller_id", "country", "carriers", "carrier"),
    )
    op.create_table(
        "kpi_daily_facts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("seller_id", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("carriers", sa.Integer(), nullable=False),
        sa.Column("placed", sa.BigInteger(), nullable=False),
        sa.Column("paid", sa.BigInteger(), nullable=False),
        sa.Column("gross_minor", sa.BigInteger(), nullable=False),
        sa.Column("shipped", sa.BigInteger(), nullable=False),
        sa.Column("delivered", sa.BigInteger(), nullable=False),
        sa.Column("cancelled", sa.BigInteger(), nullable=False),
        sa.Column("fulfilled", sa.BigInteger(), nullable=False),
        sa.Column("fulfillable", sa.BigInteger(), nullable=False),
        sa.Column("processing_hours", sa.Float(), nullable=False),
        sa.Column("processed", sa.BigInteger(), nullable=False),
        sa.Column("late_shipped", sa.BigInteger(), nullable=False),
        sa.Column("on_time", sa.BigInteger(), nullable=False),
        sa.Column("delivery_due", sa.BigInteger(), nullable=False),
        sa.Column("accurate", sa.BigInteger(), nullable=False),
        sa.Column("refunds", sa.BigInteger(), nullable=False),
        sa.Column("refunds_paid", sa.BigInteger(), nullable=False),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("refund_hours", sa.Float(), nullable=False),
        sa.Column("rating_sum", sa.BigInteger(), nullable=False),
        sa.Column("ratings", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "seller_id", "currency", "country", "carriers"),
    )
    op.create_table(
        "kpi_daily_refund_reasons",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("seller_id", sa.String(length=40), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("carriers", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("refunds", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "seller_id", "country", "carriers", "reason", "status"),
    )
    op.create_table(
        "kpi_daily_tickets",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("seller_id", sa.String(length=40), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("carriers", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("priority_rank", sa.Integer(), nullable=False),
        sa.Column("tickets", sa.BigInteger(), nullable=False),
        sa.Column("breached", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "seller_id", "country", "carriers", "priority", "priority_rank"
        ),
    )
    op.create_table(
        "kpi_rollup_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        for name, column, where in (
            ("ix_orders_kpi_undelivered", "estimated_delivery", UNDELIVERED),
            ("ix_orders_kpi_unshipped", "paid_at", UNSHIPPED),
        ):
            batch_op.create_index(
                name,
                [column],
                unique=False,
                postgresql_where=sa.text(where),
                sqlite_where=sa.text(where),
            )


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_kpi_unshipped")
        batch_op.drop_index("ix_orders_kpi_undelivered")

    op.drop_table("kpi_rollup_days")
    op.drop_table("kpi_daily_tickets")
    op.drop_table("kpi_daily_refund_reasons")
    op.drop_table("kpi_daily_facts")
    op.drop_table("kpi_daily_carriers")
