"""checkout payments notifications

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 04:11:53.991534
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "emails",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=True),
        sa.Column("transport", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    with op.batch_alter_table("emails", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emails_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_emails_order_id"), ["order_id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.String(), nullable=True),
        sa.Column("seller_id", sa.String(), nullable=True),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=2000), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_seller_created", ["seller_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_notifications_user_created", ["user_id", "created_at"], unique=False
        )

    op.create_table(
        "payment_events",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("checkout_id", sa.String(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("detail", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["checkout_id"],
            ["checkouts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("payment_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_events_checkout_id"), ["checkout_id"], unique=False
        )

    op.create_table(
        "sandbox_payments",
        sa.Column("checkout_id", sa.String(length=40), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("checkout_id"),
    )

    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "payment_status", sa.String(length=24), nullable=False, server_default="pending"
            )
        )
        batch_op.add_column(
            sa.Column("payment_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("response", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("hold_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_checkouts_hold_expires_at"), ["hold_expires_at"], unique=False
        )

    with op.batch_alter_table("inventory", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("low_stock_alerted", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stock_status", sa.String(length=16), nullable=False, server_default="held")
        )

    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "timezone", sa.String(length=64), nullable=False, server_default="America/New_York"
            )
        )
        batch_op.add_column(
            sa.Column("cutoff_hour", sa.Integer(), nullable=False, server_default="14")
        )
        batch_op.add_column(sa.Column("shipping_rates", sa.JSON(), nullable=True))

    # Orders placed before this revision: derive where their stock stands.
    op.execute(
        "UPDATE orders SET stock_status = CASE "
        "WHEN status IN ('cancelled', 'payment_failed') THEN 'released' "
        "WHEN status = 'processing' THEN 'confirmed' "
        "WHEN status = 'pending_payment' THEN 'held' "
        "ELSE 'fulfilled' END"
    )
    op.execute("UPDATE checkouts SET payment_status = 'authorized' WHERE paid_at IS NOT NULL")
    # The policy row exists from the start, so no two requests race to create it.
    op.execute(
        "INSERT INTO order_policies (id, cancellation_window_minutes, ship_by_hours,"
        " payment_hold_minutes, stuck_shipment_hours, return_window_days,"
        " high_value_refund_minor, duplicate_window_minutes, updated_at)"
        " SELECT 1, 60, 24, 30, 48, 30, 50000, 10, CURRENT_TIMESTAMP"
        " WHERE NOT EXISTS (SELECT 1 FROM order_policies WHERE id = 1)"
    )


def downgrade() -> None:
    op.execute("DELETE FROM order_policies")
    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.drop_column("shipping_rates")
        batch_op.drop_column("cutoff_hour")
        batch_op.drop_column("timezone")

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("stock_status")

    with op.batch_alter_table("inventory", schema=None) as batch_op:
        batch_op.drop_column("low_stock_alerted")

    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkouts_hold_expires_at"))
        batch_op.drop_column("hold_expires_at")
        batch_op.drop_column("response")
        batch_op.drop_column("payment_attempts")
        batch_op.drop_column("payment_status")

    with op.batch_alter_table("payment_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_events_checkout_id"))

    op.drop_table("sandbox_payments")
    op.drop_table("payment_events")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_created")
        batch_op.drop_index("ix_notifications_seller_created")

    op.drop_table("notifications")
    with op.batch_alter_table("emails", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emails_order_id"))
        batch_op.drop_index(batch_op.f("ix_emails_created_at"))

    op.drop_table("emails")
