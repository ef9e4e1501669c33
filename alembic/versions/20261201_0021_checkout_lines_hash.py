"""checkout lines hash

``checkouts.lines_hash``: the cart's skus and quantities hashed, so the duplicate check
is one indexed lookup instead of reading every recent checkout's lines. Checkouts of
the last two days are filled in (the duplicate window is minutes); older ones stay
NULL and are never a duplicate's original.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 22:00:00
"""

import hashlib
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("checkouts", sa.Column("lines_hash", sa.String(length=64), nullable=True))
    op.create_index("ix_checkouts_customer_lines", "checkouts", ["customer_id", "lines_hash"])
    _fill_recent(op.get_bind())


def _fill_recent(bind) -> None:
    since = datetime.now(UTC) - timedelta(days=2)
    if bind.dialect.name == "sqlite":
        since = since.replace(tzinfo=None)
    rows = bind.execute(
        sa.text(
            "SELECT o.checkout_id, l.sku, sum(l.quantity) FROM order_lines l"
            " JOIN orders o ON o.id = l.order_id JOIN checkouts c ON c.id = o.checkout_id"
            " WHERE c.created_at >= :since GROUP BY o.checkout_id, l.sku"
        ),
        {"since": since},
    ).all()
    carts: dict[str, list] = defaultdict(list)
    for checkout_id, sku, quantity in rows:
        carts[checkout_id].append((sku, int(quantity)))
    for checkout_id, lines in carts.items():
        digest = hashlib.sha256(json.dumps(sorted(lines)).encode()).hexdigest()
        bind.execute(
            sa.text("UPDATE checkouts SET lines_hash = :h WHERE id = :id"),
            {"h": digest, "id": checkout_id},
        )


def downgrade() -> None:
    # Not batch mode: on SQLite that copies the table, and dropping the old one fails
    # its foreign keys once checkouts have orders; SQLite >= 3.35 drops a column in place.
    op.drop_index("ix_checkouts_customer_lines", table_name="checkouts")
    op.drop_column("checkouts", "lines_hash")
