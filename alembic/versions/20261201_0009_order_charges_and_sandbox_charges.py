"""order charges and sandbox charges

Money taken after checkout (``order_charges``: the dearer shipping of an address
change); the payment sandbox's charges (``sandbox_charges``) and the outcome it gives
a charge on a payment (``sandbox_payments.charge_outcome``, succeeded by default).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 17:19:40.556209
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sandbox_charges",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("checkout_id", sa.String(), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=True),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkout_id"],
            ["sandbox_payments.checkout_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("sandbox_charges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sandbox_charges_checkout_id"), ["checkout_id"], unique=False
        )

    op.create_table(
        "order_charges",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(), nullable=False),
        sa.Column("seller_id", sa.String(), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("cause", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("provider_charge_id", sa.String(length=80), nullable=False),
        sa.Column("charged_by", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name="ck_order_charges_amount"),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("order_charges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_charges_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_charges_seller_id"), ["seller_id"], unique=False)

    with op.batch_alter_table("sandbox_payments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "charge_outcome", sa.String(length=16), server_default="succeeded", nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("sandbox_payments", schema=None) as batch_op:
        batch_op.drop_column("charge_outcome")

    with op.batch_alter_table("order_charges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_charges_seller_id"))
        batch_op.drop_index(batch_op.f("ix_order_charges_order_id"))

    op.drop_table("order_charges")
    with op.batch_alter_table("sandbox_charges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sandbox_charges_checkout_id"))

    op.drop_table("sandbox_charges")
