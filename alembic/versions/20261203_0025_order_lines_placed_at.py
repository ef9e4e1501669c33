"""order lines placed at

A line now carries its order's ``placed_at`` (set once, with the order; an
order's placing time never changes), and ``order_lines (sku, placed_at,
order_id)`` replaces ``(sku, order_id)``: a sku or title search reads the
newest orders with a line of its skus from that index, in order, index-only,
and looks up only as many orders as the page needs, where it looked up every
one of up to 10,000 candidates by id and sorted them (services/order_search.py,
docs/PERFORMANCE.md). On PostgreSQL the new index is built, and the old one
dropped, CONCURRENTLY, and the rewritten table vacuumed.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 14:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

# SQLite has no UPDATE ... FROM before 3.33; PostgreSQL joins the tables (one pass).
FILL = (
    "UPDATE order_lines SET placed_at ="
    " (SELECT orders.placed_at FROM orders WHERE orders.id = order_lines.order_id)"
)
JOIN_FILL = (
    "UPDATE order_lines SET placed_at = orders.placed_at"
    " FROM orders WHERE orders.id = order_lines.order_id"
)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.add_column("order_lines", sa.Column("placed_at", sa.DateTime(timezone=True), nullable=True))
    if _postgresql():
        op.execute(JOIN_FILL)
        op.alter_column("order_lines", "placed_at", nullable=False)
        with op.get_context().autocommit_block():
            op.create_index(
                "ix_order_lines_sku_placed",
                "order_lines",
                ["sku", "placed_at", "order_id"],
                unique=False,
                postgresql_concurrently=True,
                if_not_exists=True,
            )
            op.drop_index(
                "ix_order_lines_sku_order",
                table_name="order_lines",
                postgresql_concurrently=True,
                if_exists=True,
            )
            op.execute("VACUUM (ANALYZE) order_lines")
        return
    op.execute(FILL)
    with op.batch_alter_table("order_lines") as batch:
        batch.alter_column("placed_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.drop_index("ix_order_lines_sku_order")
        batch.create_index("ix_order_lines_sku_placed", ["sku", "placed_at", "order_id"])


def downgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_index("ix_order_lines_sku_placed")
        batch.create_index("ix_order_lines_sku_order", ["sku", "order_id"])
        batch.drop_column("placed_at")
