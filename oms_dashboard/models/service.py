"""Customer service: cancellation requests, refunds, returns, tickets, disputes, order
messages and reviews. Money in minor units of the order's currency; every decision
keeps the rule that made it (``rule``, a stable slug) and the words people read."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from oms_dashboard.models.base import time_field


class CancellationRequest(SQLModel, table=True):
    """A customer's wish to cancel after the window, before shipping: the seller decides
    within their SLA, else it escalates to support."""

    __tablename__ = "cancellation_requests"
    __table_args__ = (
        sa.Index(
            "uq_cancellation_requests_open",
            "order_id",
            unique=True,
            postgresql_where=sa.text("status IN ('pending', 'escalated')"),
            sqlite_where=sa.text("status IN ('pending', 'escalated')"),
        ),
        sa.Index("ix_cancellation_requests_status_due", "status", "due_at"),
    )

    id: str = Field(primary_key=True, max_length=40)
    order_id: str = Field(foreign_key="orders.id", index=True)
    seller_id: str = Field(foreign_key="sellers.id", index=True)
    status: str = Field(max_length=16)
    reason: str = Field(max_length=1000)
    requested_by: str = Field(max_length=40)
    requested_at: datetime = time_field(default_now=True)
    due_at: datetime = time_field()
    """When the seller's answer is due; unanswered by then, it escalates to support."""
    decided_by: str | None = Field(default=None, max_length=40)
    decided_at: datetime | None = time_field(nullable=True)
    decision_note: str | None = Field(default=None, max_length=1000)


class Refund(SQLModel, table=True):
    """Money going back to the customer: decided by a rule or a person, then paid
    through the payment provider (``provider_refund_id``)."""

    __tablename__ = "refunds"
    __table_args__ = (
        sa.CheckConstraint("amount_minor > 0", name="ck_refunds_amount_positive"),
        sa.CheckConstraint("shipping_minor >= 0", name="ck_refunds_shipping"),
        sa.Index("ix_refunds_status_due", "status", "due_at"),
    )

    id: str = Field(primary_key=True, max_length=40)
    order_id: str = Field(foreign_key="orders.id", index=True)
    seller_id: str = Field(foreign_key="sellers.id", index=True)
    status: str = Field(max_length=16)
    amount_minor: int
    """Lines plus shipping: what the customer gets back."""
    shipping_minor: int = Field(default=0)
    currency: str = Field(max_length=3)
    reason: str = Field(max_length=1000)
    rule: str = Field(max_length=40)
    """The automatic-approval or manual-review rule that decided (a domain slug)."""
    rule_reason: str = Field(max_length=300)
    """The rule in the words people read."""
    requested_by: str | None = Field(default=None, max_length=40)
    """The user who asked; None when the system started it (a cancellation)."""
    requested_role: str = Field(max_length=16)
    return_id: str | None = Field(default=None, max_length=40, index=True)
    dispute_id: str | None = Field(default=None, max_length=40)
    created_at: datetime = time_field(default_now=True)
    due_at: datetime | None = time_field(nullable=True)
    """When it must be paid by (24 h for cancellations, 3 business days once approved)."""
    decided_by: str | None = Field(default=None, max_length=40)
    decided_at: datetime | None = time_field(nullable=True)
    decision_note: str | None = Field(default=None, max_length=1000)
    provider_refund_id: str | None = Field(default=None, max_length=80)
    paid_at: datetime | None = time_field(nullable=True)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=500)
    pay_round: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    """How many times a person sent it to the provider again after it failed: each
    round is its own provider idempotency key and outbox message."""


class RefundLine(SQLModel, table=True):
    __tablename__ = "refund_lines"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="ck_refund_lines_quantity"),)

    id: str = Field(primary_key=True, max_length=40)
    refund_id: str = Field(foreign_key="refunds.id", index=True)
    order_line_id: str = Field(foreign_key="order_lines.id", index=True)
    sku: str = Field(max_length=64)
    quantity: int
    amount_minor: int


class Return(SQLModel, table=True):
    """Goods coming back: approved by rule or by the seller, sent with a return label,
    inspected on arrival, then refunded or exchanged."""

    __tablename__ = "returns"

    id: str = Field(primary_key=True, max_length=40)
    order_id: str = Field(foreign_key="orders.id", index=True)
    seller_id: str = Field(foreign_key="sellers.id", index=True)
    customer_id: str = Field(foreign_key="customers.id", index=True)
    status: str = Field(max_length=24)
    reason: str = Field(max_length=24)
    """A reason code (damaged, wrong_item, ...)."""
    note: str | None = Field(default=None, max_length=1000)
    resolution: str = Field(max_length=16)
    """refund or exchange."""
    exchange_sku: str | None = Field(default=None, max_length=64)
    rule: str = Field(max_length=40)
    rule_reason: str = Field(max_length=300)
    shipment_id: str | None = Field(default=None, foreign_key="shipments.id", max_length=40)
    """The return shipment, tracked like any other."""
    exchange_shipment_id: str | None = Field(default=None, max_length=40)
    condition: str | None = Field(default=None, max_length=16)
    """What the seller found on inspection: sellable or damaged."""
    refund_id: str | None = Field(default=None, max_length=40)
    created_at: datetime = time_field(default_now=True)
    updated_at: datetime = time_field(default_now=True)
    decided_by: str | None = Field(default=None, max_length=40)
    decided_at: datetime | None = time_field(nullable=True)
    decision_note: str | None = Field(default=None, max_length=1000)
    received_at: datetime | None = time_field(nullable=True)
    closed_at: datetime | None = time_field(nullable=True)


class ReturnLine(SQLModel, table=True):
    __tablename__ = "return_lines"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="ck_return_lines_quantity"),)

    id: str = Field(primary_key=True, max_length=40)
    return_id: str = Field(foreign_key="returns.id", index=True)
    order_line_id: str = Field(foreign_key="order_lines.id")
    sku: str = Field(max_length=64)
    quantity: int


class ReturnPhoto(SQLModel, table=True):
    """A photo the customer attached to a return request."""

    __tablename__ = "return_photos"

    id: str = Field(primary_key=True, max_length=40)
    return_id: str = Field(foreign_key="returns.id", index=True)
    content_type: str = Field(max_length=40)
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    created_at: datetime = time_field(default_now=True)


class Ticket(SQLModel, table=True):
    """A support case: opened by a person or by the system, tied to an order, shipment
    or return, prioritised with its reason written on it, timed by its SLA."""

    __tablename__ = "tickets"
    __table_args__ = (sa.Index("ix_tickets_queue", "status", "priority_rank", "sla_due_at"),)

    id: str = Field(primary_key=True, max_length=40)
    number: str = Field(max_length=20, unique=True)
    order_id: str | None = Field(default=None, foreign_key="orders.id", index=True)
    shipment_id: str | None = Field(default=None, max_length=40)
    return_id: str | None = Field(default=None, max_length=40)
    seller_id: str | None = Field(default=None, foreign_key="sellers.id", index=True)
    customer_id: str | None = Field(default=None, foreign_key="customers.id", index=True)
    opened_by: str | None = Field(default=None, max_length=40)
    """The user who opened it; None when the system did."""
    source: str = Field(max_length=16)
    """customer, seller, support, admin or system."""
    subject: str = Field(max_length=200)
    severity: str = Field(max_length=16)
    priority: str = Field(max_length=16)
    priority_rank: int
    """0 for the most urgent: the queue's sort key."""
    priority_reason: str = Field(max_length=500)
    status: str = Field(max_length=24)
    assignee_id: str | None = Field(default=None, max_length=40, index=True)
    sla_due_at: datetime = time_field()
    first_response_at: datetime | None = time_field(nullable=True)
    waiting_since: datetime | None = time_field(nullable=True)
    """Since when it waits on the customer: the SLA clock stops meanwhile."""
    dedupe_key: str | None = Field(default=None, max_length=120, unique=True)
    """For tickets the system opens: one case per cause, however often it is noticed."""
    rating: int | None = None
    """The customer's 1–5 rating of how it was handled."""
    created_at: datetime = time_field(default_now=True)
    updated_at: datetime = time_field(default_now=True)
    resolved_at: datetime | None = time_field(nullable=True)


class TicketMessage(SQLModel, table=True):
    """One entry of a ticket's thread: a person's message or a system note."""

    __tablename__ = "ticket_messages"

    id: str = Field(primary_key=True, max_length=40)
    ticket_id: str = Field(foreign_key="tickets.id", index=True)
    author_id: str | None = Field(default=None, max_length=40)
    author_role: str = Field(max_length=16)
    author_label: str = Field(max_length=200)
    body: str = Field(max_length=5000)
    created_at: datetime = time_field(default_now=True)


class Dispute(SQLModel, table=True):
    """A ticket escalated by the customer or the seller; an admin decides, in writing."""

    __tablename__ = "disputes"

    id: str = Field(primary_key=True, max_length=40)
    ticket_id: str = Field(foreign_key="tickets.id", unique=True)
    order_id: str | None = Field(default=None, foreign_key="orders.id", index=True)
    opened_by: str = Field(max_length=40)
    opened_role: str = Field(max_length=16)
    status: str = Field(max_length=16)
    decision: str | None = Field(default=None, max_length=16)
    amount_minor: int | None = None
    currency: str | None = Field(default=None, max_length=3)
    """The order's currency, with ``amount_minor`` when the decision refunds."""
    note: str | None = Field(default=None, max_length=2000)
    refund_id: str | None = Field(default=None, max_length=40)
    created_at: datetime = time_field(default_now=True)
    decided_by: str | None = Field(default=None, max_length=40)
    decided_at: datetime | None = time_field(nullable=True)


class OrderMessage(SQLModel, table=True):
    """The customer and the seller talking about an order: one thread per order."""

    __tablename__ = "order_messages"
    __table_args__ = (sa.Index("ix_order_messages_order_at", "order_id", "created_at"),)

    id: str = Field(primary_key=True, max_length=40)
    order_id: str = Field(foreign_key="orders.id")
    seller_id: str = Field(foreign_key="sellers.id", index=True)
    author_id: str = Field(max_length=40)
    author_role: str = Field(max_length=16)
    body: str = Field(max_length=5000)
    created_at: datetime = time_field(default_now=True)
    read_at: datetime | None = time_field(nullable=True)
    """When the other party first read it."""


class Review(SQLModel, table=True):
    """A customer's rating (1–5) and words about a product they received: once each."""

    __tablename__ = "reviews"
    __table_args__ = (
        sa.UniqueConstraint("customer_id", "sku", name="uq_reviews_customer_sku"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_reviews_rating"),
    )

    id: str = Field(primary_key=True, max_length=40)
    order_id: str = Field(foreign_key="orders.id", index=True)
    seller_id: str = Field(foreign_key="sellers.id", index=True)
    customer_id: str = Field(foreign_key="customers.id")
    sku: str = Field(foreign_key="products.sku", max_length=64, index=True)
    rating: int
    body: str | None = Field(default=None, max_length=5000)
    created_at: datetime = time_field(default_now=True)
