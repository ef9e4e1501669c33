"""order search indexes

The pg_trgm extension (PostgreSQL only) and the indexes the all-orders search and
its filters use (services/order_search.py): trigram GIN indexes on the order
number, customer email and delivery name, the customer's name, line skus and
titles and tracking numbers (plain indexes on SQLite, which never uses them for a
LIKE); (placed_at, id) for the newest-first keyset; (ship_country, placed_at).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 17:40:00.000000
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TRIGRAM = (
    ("ix_orders_number_trgm", "orders", "number"),
    ("ix_orders_customer_email_trgm", "orders", "customer_email"),
    ("ix_orders_ship_name_trgm", "orders", "ship_name"),
    ("ix_customers_name_trgm", "customers", "name"),
    ("ix_order_lines_sku_trgm", "order_lines", "sku"),
    ("ix_order_lines_title_trgm", "order_lines", "title"),
    ("ix_shipments_tracking_number_trgm", "shipments", "tracking_number"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM:
        op.create_index(
            name,
            table,
            [column],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )
    op.create_index("ix_orders_placed_id", "orders", ["placed_at", "id"], unique=False)
    op.create_index(
        "ix_orders_country_placed", "orders", ["ship_country", "placed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_orders_country_placed", table_name="orders")
    op.drop_index("ix_orders_placed_id", table_name="orders")
    for name, table, _ in reversed(TRIGRAM):
        op.drop_index(name, table_name=table)
    # pg_trgm stays: other objects may use it, and dropping it needs no undo.
