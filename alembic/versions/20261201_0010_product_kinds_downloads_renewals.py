"""product kinds, downloads and renewals

A product's kind (physical, digital or subscription; existing digital products become
digital), copied onto each order line at checkout; a digital line's first download; a
subscription order's cancelled renewals.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 17:17:34.810998
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="physical", nullable=False)
        )
        batch_op.add_column(sa.Column("downloaded_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("renewal_cancelled_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="physical", nullable=False)
        )
        batch_op.create_check_constraint(
            "ck_products_kind", "kind IN ('physical', 'digital', 'subscription')"
        )

    # What was already known: a digital product stays digital, on its lines too.
    op.execute("UPDATE products SET kind = 'digital' WHERE digital")
    op.execute(
        "UPDATE order_lines SET kind = 'digital' "
        "WHERE sku IN (SELECT sku FROM products WHERE digital)"
    )


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_constraint("ck_products_kind", type_="check")
        batch_op.drop_column("kind")

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("renewal_cancelled_at")

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_column("downloaded_at")
        batch_op.drop_column("kind")
