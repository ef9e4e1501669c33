"""Cross-cutting records: the audit log, the notification outbox, order policies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from oms_dashboard.models.base import json_field, pii_field, time_field


class AuditEntry(SQLModel, table=True):
    """A privileged action: who did what to which record, before and after (the
    changed fields only). Append-only and hash-chained in ``seq`` order
    (``domain.audit_chain``); written only by ``services.audit.record_audit``."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_entity", "entity_type", "entity_id"),
        sa.UniqueConstraint("seq", name="uq_audit_log_seq"),
        sa.Index("ix_audit_order_seq", "order_id", "seq"),
        sa.Index("ix_audit_actor_seq", "actor_id", "seq"),
    )

    id: str = Field(primary_key=True, max_length=40)
    at: datetime = time_field(default_now=True, index=True)
    actor_id: str | None = Field(default=None, max_length=40, index=True)
    actor_role: str = Field(max_length=16)
    action: str = Field(max_length=60)
    entity_type: str = Field(max_length=40)
    entity_id: str = Field(max_length=64)
    before: dict[str, Any] | None = json_field()
    after: dict[str, Any] | None = json_field()
    seq: int | None = Field(default=None, nullable=False)
    """The chain order: 1, 2, 3... with no gaps, given at commit under the chain-head lock."""
    order_id: str | None = Field(default=None, max_length=40)
    """The order this action concerns (the entity itself, or the order it belongs to)."""
    prev_hash: str | None = Field(default=None, max_length=64, nullable=False)
    hash: str | None = Field(default=None, max_length=64, nullable=False)
    """seq, prev_hash and hash are given when the transaction commits (services.audit)."""


class AuditChainHead(SQLModel, table=True):
    """The newest audit row's seq and hash: a single row (id = 1), locked by the
    transaction appending to the chain, so two writers never chain onto the same row."""

    __tablename__ = "audit_chain_head"
    __table_args__ = (sa.CheckConstraint("id = 1", name="ck_audit_chain_head_single_row"),)

    id: int = Field(default=1, primary_key=True)
    seq: int = Field(default=0)
    hash: str = Field(max_length=64)


class AuditCheckpoint(SQLModel, table=True):
    """How far the audit chain was last found intact: the seq and hash of the last
    row checked, and when. A page load checks only the rows after it; the full
    check re-walks everything and must meet this hash at this seq. ``mac`` (HMAC
    with the app's secret key) makes an edited checkpoint fail, so it is not
    trusted (``services.audit``)."""

    __tablename__ = "audit_checkpoint"
    __table_args__ = (sa.CheckConstraint("id = 1", name="ck_audit_checkpoint_single_row"),)

    id: int = Field(default=1, primary_key=True)
    seq: int = Field(default=0)
    hash: str = Field(max_length=64)
    verified_at: datetime = time_field()
    full_at: datetime | None = time_field(nullable=True)
    """When the whole chain was last walked (and found intact up to ``seq``)."""
    mac: str = Field(max_length=64)


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
"""Refuses UPDATE and DELETE of audit rows on PostgreSQL (TRUNCATE, which tests use
to empty tables, is not refused: it needs table ownership anyway)."""

APPEND_ONLY_SQLITE = [
    """
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END
    """,
]
"""SQLite refuses UPDATE; DELETE stays possible there (tests empty tables with it)."""

for _statement in APPEND_ONLY_PG:
    sa.event.listen(
        AuditEntry.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="postgresql")
    )
for _statement in APPEND_ONLY_SQLITE:
    sa.event.listen(
        AuditEntry.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="sqlite")
    )


class OutboxMessage(SQLModel, table=True):
    """Work for the background: written with the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_status_available", "status", "available_at"),)

    id: str = Field(primary_key=True, max_length=40)
    kind: str = Field(max_length=60)
    dedupe_key: str = Field(max_length=200, unique=True)
    payload: dict[str, Any] | None = json_field()
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    created_at: datetime = time_field(default_now=True)
    available_at: datetime = time_field(default_now=True)
    sent_at: datetime | None = time_field(nullable=True)
    last_error: str | None = Field(default=None, max_length=2000)


def _policy(default: int) -> Any:
    """An integer policy column; the server default fills the existing row."""
    return Field(default=default, sa_column_kwargs={"server_default": str(default)})


class OrderPolicy(SQLModel, table=True):
    """System-wide order policies: a single row (id = 1) that admins edit."""

    __tablename__ = "order_policies"
    __table_args__ = (sa.CheckConstraint("id = 1", name="ck_order_policies_single_row"),)

    id: int = Field(default=1, primary_key=True)
    cancellation_window_minutes: int = Field(default=60)
    ship_by_hours: int = Field(default=24)
    payment_hold_minutes: int = Field(default=30)
    stuck_shipment_hours: int = Field(default=48)
    return_window_days: int = Field(default=30)
    high_value_refund_minor: int = Field(default=50_000)
    duplicate_window_minutes: int = Field(default=10)
    cancellation_request_hours: int = Field(default=24, sa_column_kwargs={"server_default": "24"})
    """How long a seller has to answer a cancellation request before support takes it."""
    support_refund_limit_minor: int = Field(
        default=10_000, sa_column_kwargs={"server_default": "10000"}
    )
    """The most a support agent refunds alone; above it an admin decides."""
    # Seller standing (domain.standing): rates in basis points of the window's paid
    # orders, times in hours; above a warning threshold the standing is "warning",
    # above a suspension threshold a suspension is recommended (an admin decides).
    standing_window_days: int = _policy(30)
    standing_min_orders: int = _policy(10)
    """Fewer paid orders than this in the window: the rates are not judged."""
    standing_min_orders_suspend: int = _policy(50)
    """Fewer paid orders than this: a rate may warn but not recommend a suspension."""
    late_shipment_warning_bps: int = _policy(400)
    late_shipment_suspend_bps: int = _policy(1000)
    seller_cancel_warning_bps: int = _policy(250)
    seller_cancel_suspend_bps: int = _policy(500)
    ticket_rate_warning_bps: int = _policy(500)
    ticket_rate_suspend_bps: int = _policy(1500)
    ship_time_warning_hours: int = _policy(24)
    ship_time_suspend_hours: int = _policy(72)
    response_time_warning_hours: int = _policy(24)
    response_time_suspend_hours: int = _policy(72)
    commission_bps: int = _policy(1000)
    """The platform's commission on delivered orders (basis points; a seller's own
    ``commission_bps`` overrides it)."""
    low_stock_threshold: int = Field(default=5, sa_column_kwargs={"server_default": "5"})
    """For sellers that set no threshold of their own."""
    archive_after_days: int = Field(default=365, sa_column_kwargs={"server_default": "365"})
    order_retention_years: int = Field(default=7, sa_column_kwargs={"server_default": "7"})
    updated_at: datetime = time_field(default_now=True)
    updated_by: str | None = Field(default=None, max_length=40)


class EmailMessage(SQLModel, table=True):
    """An email the OMS sent: over SMTP when configured, else kept in the local mailbox."""

    __tablename__ = "emails"

    id: str = Field(primary_key=True, max_length=40)
    dedupe_key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=60)
    to_address: str = pii_field(max_length=254)
    subject: str = Field(max_length=300)
    text_body: str = Field(sa_type=sa.Text)
    html_body: str = Field(sa_type=sa.Text)
    order_id: str | None = Field(default=None, max_length=40, index=True)
    transport: str = Field(max_length=16)
    """smtp or mailbox."""
    created_at: datetime = time_field(default_now=True, index=True)


class Notification(SQLModel, table=True):
    """An in-app notification for a user, or for every staff member of a seller."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_seller_created", "seller_id", "created_at"),
        sa.Index("ix_notifications_user_created", "user_id", "created_at"),
    )

    id: str = Field(primary_key=True, max_length=40)
    dedupe_key: str = Field(max_length=200, unique=True)
    user_id: str | None = Field(default=None, foreign_key="users.id")
    seller_id: str | None = Field(default=None, foreign_key="sellers.id")
    kind: str = Field(max_length=60)
    title: str = Field(max_length=200)
    body: str = Field(max_length=2000)
    order_id: str | None = Field(default=None, max_length=40)
    created_at: datetime = time_field(default_now=True)
    read_at: datetime | None = time_field(nullable=True)
