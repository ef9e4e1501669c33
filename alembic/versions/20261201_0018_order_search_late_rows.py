"""order search late rows

Indexes that let a search find its page without reading every matching order
(services/order_search.py, docs/PERFORMANCE.md): ``orders (id, placed_at)`` puts a
search's candidate ids in newest-first order index-only, and ``order_lines (sku,
order_id)`` gives the orders with a line of given skus index-only (it replaces the
plain ``order_lines (sku)`` index, whose work it also does for the foreign key);
``shipments (order_id) WHERE flag IS NOT NULL`` serves the flagged filter.
On PostgreSQL they are built CONCURRENTLY, so a large live table keeps taking
checkouts meanwhile.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 18:16:03.135788
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

NEW = (
    ("ix_orders_id_placed", "orders", ["id", "placed_at"]),
    ("ix_order_lines_sku_order", "order_lines", ["sku", "order_id"]),
    ("ix_shipments_flagged_order", "shipments", ["order_id"]),
)
FLAGGED = "flag IS NOT NULL"


def _where(name: str) -> dict:
    if name != "ix_shipments_flagged_order":
        return {}
    return {"postgresql_where": sa.text(FLAGGED), "sqlite_where": sa.text(FLAGGED)}


def _concurrently() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if _concurrently():
        with op.get_context().autocommit_block():
            for name, table, columns in NEW:
                op.create_index(
                    name,
                    table,
                    columns,
                    unique=False,
                    postgresql_concurrently=True,
                    if_not_exists=True,
                    **_where(name),
                )
            op.drop_index(
                "ix_order_lines_sku",
                table_name="order_lines",
                postgresql_concurrently=True,
                if_exists=True,
            )
        return
    for name, table, columns in NEW:
        op.create_index(name, table, columns, unique=False, **_where(name))
    op.drop_index("ix_order_lines_sku", table_name="order_lines")


def downgrade() -> None:
    op.create_index("ix_order_lines_sku", "order_lines", ["sku"], unique=False)
    for name, table, _ in reversed(NEW):
        op.drop_index(name, table_name=table)
