"""order search sold titles

A sku or title search now finds the (sku, title) pairs ever sold by a skip scan
of a new ``order_lines (sku, title)`` index (small: btree deduplication stores
a key repeated on many lines once), then the lines by sku in ``order_lines (sku,
order_id)``, index-only (services/order_search.py, docs/PERFORMANCE.md). The two
trigram indexes on ``order_lines`` (sku, title) are no longer read by any query
and go: each cost every checkout a GIN insert per line. On PostgreSQL the
indexes are built and dropped CONCURRENTLY, so a large live table keeps taking
checkouts meanwhile.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01 23:00:00
"""

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

TRIGRAM = (
    ("ix_order_lines_sku_trgm", "sku"),
    ("ix_order_lines_title_trgm", "title"),
)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if _postgresql():
        with op.get_context().autocommit_block():
            op.create_index(
                "ix_order_lines_sku_title",
                "order_lines",
                ["sku", "title"],
                unique=False,
                postgresql_concurrently=True,
                if_not_exists=True,
            )
            for name, _ in TRIGRAM:
                op.drop_index(
                    name, table_name="order_lines", postgresql_concurrently=True, if_exists=True
                )
        return
    op.create_index("ix_order_lines_sku_title", "order_lines", ["sku", "title"], unique=False)
    for name, _ in TRIGRAM:
        op.drop_index(name, table_name="order_lines")


def downgrade() -> None:
    for name, column in TRIGRAM:
        op.create_index(
            name,
            "order_lines",
            [column],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )
    op.drop_index("ix_order_lines_sku_title", table_name="order_lines")
