"""audit chain

Makes the audit log tamper-evident: each row gets ``seq`` (the chain order),
``prev_hash`` and ``hash`` (SHA-256 over its canonical content and prev_hash),
and ``order_id`` (the order the action concerns, for the viewer); a single-row
``audit_chain_head`` holds the newest seq and hash and is the lock writers
queue on. Existing rows are reduced to their changed fields and chained in
(at, id) order. A trigger refuses UPDATE and DELETE of audit rows on
PostgreSQL, UPDATE on SQLite.

The canonical form and the diff are copied here, frozen, from
``oms_dashboard.domain.audit_chain`` as it was when this was written.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 17:30:00
"""

import hashlib
import json
from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
FIELDS = (
    "id",
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "action",
    "entity_type",
    "entity_id",
    "order_id",
    "before",
    "after",
    "prev_hash",
)

APPEND_ONLY_PG = [
    """
    CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'audit_log is append-only: ' || TG_OP || ' refused';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
    """,
]
APPEND_ONLY_SQLITE = [
    """
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END
    """,
]

_log = sa.table(
    "audit_log",
    sa.column("id", sa.String),
    sa.column("seq", sa.Integer),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor_id", sa.String),
    sa.column("actor_role", sa.String),
    sa.column("action", sa.String),
    sa.column("entity_type", sa.String),
    sa.column("entity_id", sa.String),
    sa.column("order_id", sa.String),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)
_head = sa.table(
    "audit_chain_head",
    sa.column("id", sa.Integer),
    sa.column("seq", sa.Integer),
    sa.column("hash", sa.String),
)
_ABSENT = object()
BOOKKEEPING = frozenset({"updated_at", "updated_by"})
"""Who changed a row and when is the audit row's own actor and time: not a change."""


def _changed(before, after):
    if before is None or after is None:
        return before, after
    keys = [
        k
        for k in {**before, **after}
        if k not in BOOKKEEPING and before.get(k, _ABSENT) != after.get(k, _ABSENT)
    ]
    return {k: before[k] for k in keys if k in before}, {k: after[k] for k in keys if k in after}


def _order_of(entity_type, entity_id, before, after):
    if entity_type == "order":
        return entity_id
    for side in (after, before):
        if side and isinstance(side.get("order_id"), str):
            return side["order_id"]
    return None


def _hash(row: dict) -> str:
    content = {name: row.get(name) for name in FIELDS}
    at = row["at"] if row["at"].tzinfo else row["at"].replace(tzinfo=UTC)
    content["at"] = at.astimezone(UTC).isoformat(timespec="microseconds")
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(("oms-audit-v1\n" + text).encode()).hexdigest()


def upgrade() -> None:
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_audit_chain_head_single_row"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("order_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))

    conn = op.get_bind()
    prev, seq = GENESIS, 0
    for row in conn.execute(sa.select(_log).order_by(_log.c.at, _log.c.id)).mappings().all():
        row = dict(row)
        seq += 1
        row["order_id"] = _order_of(
            row["entity_type"], row["entity_id"], row["before"], row["after"]
        )
        row["before"], row["after"] = _changed(row["before"], row["after"])
        row["seq"], row["prev_hash"] = seq, prev
        row["hash"] = prev = _hash(row)
        conn.execute(
            _log.update()
            .where(_log.c.id == row["id"])
            .values(
                {k: row[k] for k in ("seq", "order_id", "before", "after", "prev_hash", "hash")}
            )
        )
    conn.execute(_head.insert().values(id=1, seq=seq, hash=prev))

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint("uq_audit_log_seq", ["seq"])
        batch_op.create_index("ix_audit_order_seq", ["order_id", "seq"], unique=False)
        batch_op.create_index("ix_audit_actor_seq", ["actor_id", "seq"], unique=False)

    for statement in APPEND_ONLY_PG if conn.dialect.name == "postgresql" else APPEND_ONLY_SQLITE:
        op.execute(statement)


def downgrade() -> None:
    conn = op.get_bind()
    op.execute(
        "DROP TRIGGER IF EXISTS audit_log_append_only"
        + (" ON audit_log" if conn.dialect.name == "postgresql" else "")
    )
    if conn.dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_actor_seq")
        batch_op.drop_index("ix_audit_order_seq")
        batch_op.drop_constraint("uq_audit_log_seq", type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("order_id")
        batch_op.drop_column("seq")
    op.drop_table("audit_chain_head")
