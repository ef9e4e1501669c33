"""refund pay rounds

Refunds count how many times a person sent a failed one to the payment provider
again (``pay_round``): each round has its own outbox message and idempotency key.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 17:17:16.284342
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pay_round", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_column("pay_round")
