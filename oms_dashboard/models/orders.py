"""Checkouts, the per-seller orders they become, lines, timeline, shipments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from oms_dashboard.domain.payment import CheckoutStatus, PaymentStatus, VerificationOutcome
from oms_dashboard.domain.review import ReviewReason
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.domain.stock import StockStatus
from oms_dashboard.domain.tracking import ShipmentDirection, ShipmentFlag, ShipmentStatus
from oms_dashboard.models.base import (
    enum_check,
    json_field,
    pii_field,
    time_field,
    trigram_index,
)


class ShipToColumns(SQLModel):
    """The delivery address as it was at checkout (a snapshot, not a reference)."""

    ship_name: str = pii_field(max_length=200)
    ship_line1: str = pii_field(max_length=200)
    ship_line2: str | None = pii_field(max_length=200, nullable=True)
    ship_city: str = pii_field(max_length=100)
    ship_region: str | None = Field(default=None, max_length=100)
    ship_postal_code: str = pii_field(max_length=20)
    ship_country: str = Field(max_length=2)


class Checkout(ShipToColumns, table=True):
    __tablename__ = "checkouts"
    __table_args__ = (
        sa.UniqueConstraint("customer_id", "idempotency_key", name="uq_checkouts_idempotency"),
        sa.Index("ix_checkouts_customer_lines", "customer_id", "lines_hash"),
        enum_check("status", CheckoutStatus, "ck_checkouts_status"),
        enum_check("payment_status", PaymentStatus, "ck_checkouts_payment_status"),
        sa.CheckConstraint("payment_round >= 1", name="ck_checkouts_payment_round"),
    )

    id: str = Field(primary_key=True, max_length=40)
    customer_id: str = Field(foreign_key="customers.id", index=True)
    idempotency_key: str = Field(max_length=200)
    request_hash: str = Field(max_length=64)
    lines_hash: str | None = Field(default=None, max_length=64)
    """The cart's skus and quantities hashed (``CheckoutRequest.lines_fingerprint``): the
    same cart again minutes later under another key is a duplicate."""
    status: str = Field(default="pending_payment", max_length=24)
    currency: str = Field(max_length=3)
    total_minor: int
    service_level: str = Field(default="standard", max_length=16)
    payment_status: str = Field(default="pending", max_length=24)
    """A ``PaymentStatus``; ``status`` follows from it (``domain.payment.CHECKOUT_STATUS``)."""
    payment_round: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    """Which verification round this is: 1, then one more each time the customer retries.
    Every dedupe key of a round carries it, so no round is taken for a replay of another."""
    payment_attempts: int = Field(default=0)
    """Re-verifications so far in this round."""
    response: dict[str, Any] | None = json_field()
    """The first answer given for this idempotency key, replayed verbatim."""
    created_at: datetime = time_field(default_now=True)
    hold_expires_at: datetime | None = time_field(nullable=True, index=True)
    paid_at: datetime | None = time_field(nullable=True)


KPI_UNDELIVERED = (
    "status <> 'cancelled' AND delivered_at IS NULL AND estimated_delivery IS NOT NULL"
)
"""Orders not delivered yet with a promised date: late once the date passes."""
KPI_UNSHIPPED = "status <> 'cancelled' AND paid_at IS NOT NULL AND shipped_at IS NULL"
"""Paid orders waiting to ship: overdue once past their ship-by deadline."""


class Order(ShipToColumns, table=True):
    """The part of a checkout one seller fulfils."""

    __tablename__ = "orders"
    __table_args__ = (
        enum_check("status", OrderStatus, "ck_orders_status"),
        enum_check("stock_status", StockStatus, "ck_orders_stock_status"),
        enum_check("review_reason", ReviewReason, "ck_orders_review_reason", nullable=True),
        sa.CheckConstraint("total_minor = subtotal_minor + shipping_minor", name="ck_orders_total"),
        sa.Index("ix_orders_seller_placed", "seller_id", "placed_at"),
        sa.Index("ix_orders_customer_placed", "customer_id", "placed_at"),
        sa.Index("ix_orders_status_placed", "status", "placed_at"),
        # The all-orders list and its search (services.order_search), newest first; also
        # the KPI dashboard's period over every seller (a range of placed_at).
        sa.Index("ix_orders_placed_id", "placed_at", "id"),
        sa.Index("ix_orders_country_placed", "ship_country", "placed_at"),
        # A search's candidate ids put in placed_at order without reading the orders
        # (index-only), so only the page's rows are fetched.
        sa.Index("ix_orders_id_placed", "id", "placed_at"),
        # The KPI report counts live the orders of rolled-up days whose facts could still
        # move with the clock (services.kpi_rollups): these find them by date.
        sa.Index(
            "ix_orders_kpi_undelivered",
            "estimated_delivery",
            postgresql_where=sa.text(KPI_UNDELIVERED),
            sqlite_where=sa.text(KPI_UNDELIVERED),
        ),
        sa.Index(
            "ix_orders_kpi_unshipped",
            "paid_at",
            postgresql_where=sa.text(KPI_UNSHIPPED),
            sqlite_where=sa.text(KPI_UNSHIPPED),
        ),
        # A seller's late orders (standing, KPIs, the fulfillment queue's order).
        sa.Index("ix_orders_seller_ship_by", "seller_id", "ship_by"),
        trigram_index("ix_orders_number_trgm", "number"),
        trigram_index("ix_orders_customer_email_trgm", "customer_email"),
        trigram_index("ix_orders_ship_name_trgm", "ship_name"),
    )

    id: str = Field(primary_key=True, max_length=40)
    number: str = Field(max_length=20, unique=True)
    checkout_id: str = Field(foreign_key="checkouts.id", index=True)
    seller_id: str = Field(foreign_key="sellers.id")
    customer_id: str = Field(foreign_key="customers.id")
    customer_email: str = pii_field(max_length=254)
    status: str = Field(max_length=24)
    currency: str = Field(max_length=3)
    subtotal_minor: int
    shipping_minor: int
    total_minor: int
    service_level: str = Field(default="standard", max_length=16)
    estimated_delivery: date | None = None
    review_reason: str | None = Field(default=None, max_length=40)
    """A ``ReviewReason`` when the order waits for an admin, else None."""
    stock_status: str = Field(default="held", max_length=16)
    """A ``StockStatus``: held at checkout, confirmed when paid, released or fulfilled."""
    placed_at: datetime = time_field()
    updated_at: datetime = time_field(default_now=True)
    paid_at: datetime | None = time_field(nullable=True)
    ship_by: datetime | None = time_field(nullable=True)
    """When the seller must have shipped (domain.delivery.ship_by), set when the order
    is paid; None while unpaid."""
    shipped_at: datetime | None = time_field(nullable=True)
    delivered_at: datetime | None = time_field(nullable=True)
    receipt_confirmed_at: datetime | None = time_field(nullable=True)
    """When the customer confirmed the parcel arrived (the spec asks them to)."""
    cancelled_at: datetime | None = time_field(nullable=True)
    renewal_cancelled_at: datetime | None = time_field(nullable=True)
    """A subscription's order: when its future renewals were cancelled (the order
    itself stands)."""


class OrderLine(SQLModel, table=True):
    __tablename__ = "order_lines"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="ck_order_lines_quantity"),
        sa.CheckConstraint(
            "line_total_minor = quantity * unit_price_minor",
            name="ck_order_lines_total",
        ),
        # The newest orders with a line of given skus, in order, index-only (a sku or
        # title search finds the matching skus first); also serves the foreign key
        # to products.
        sa.Index("ix_order_lines_sku_placed", "sku", "placed_at", "order_id"),
        # The (sku, title) pairs sold, one probe each (a skip scan): where a sku or
        # title search finds its skus. Small: a key repeated on many lines is stored once.
        sa.Index("ix_order_lines_sku_title", "sku", "title"),
    )

    id: str = Field(primary_key=True, max_length=40)
    order_id: str = Field(foreign_key="orders.id", index=True)
    seller_id: str = Field(foreign_key="sellers.id")
    sku: str = Field(foreign_key="products.sku", max_length=64)
    title: str = Field(max_length=300)
    quantity: int
    unit_price_minor: int
    line_total_minor: int
    kind: str = Field(
        default="physical", max_length=16, sa_column_kwargs={"server_default": "physical"}
    )
    """The product's ``ProductKind`` when it was bought."""
    downloaded_at: datetime | None = time_field(nullable=True)
    """A digital line: its first download, which delivers it."""
    placed_at: datetime = time_field()
    """Its order's ``placed_at`` (which never changes), for a search's newest-first walk."""


class OrderEvent(SQLModel, table=True):
    """One entry of an order's timeline: who or what did it, when, and why."""

    __tablename__ = "order_events"
    __table_args__ = (
        sa.Index("ix_order_events_order_at", "order_id", "at"),
        # The KPIs' order accuracy looks for these few among every event.
        sa.Index(
            "ix_order_events_delivery_problem",
            "order_id",
            postgresql_where=sa.text("type = 'order.delivery_problem'"),
            sqlite_where=sa.text("type = 'order.delivery_problem'"),
        ),
    )

    id: str = Field(primary_key=True, max_length=40)
    order_id: str = Field(foreign_key="orders.id")
    seller_id: str = Field(foreign_key="sellers.id", index=True)
    type: str = Field(max_length=40)
    at: datetime = time_field(default_now=True)
    actor_type: str = Field(max_length=16)
    """user, system, carrier or payment."""
    actor_id: str | None = Field(default=None, max_length=40)
    actor_label: str = Field(max_length=200)
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str | None = Field(default=None, max_length=24)
    note: str | None = Field(default=None, max_length=1000)
    data: dict[str, Any] | None = json_field()


class Shipment(SQLModel, table=True):
    """One package of an order (or of a return) with a carrier's label on it."""

    __tablename__ = "shipments"
    __table_args__ = (
        enum_check("status", ShipmentStatus, "ck_shipments_status"),
        enum_check("direction", ShipmentDirection, "ck_shipments_direction"),
        enum_check("flag", ShipmentFlag, "ck_shipments_flag", nullable=True),
        sa.Index("ix_shipments_carrier_sync", "carrier", "next_sync_at"),
        # The flagged filter's probe: a few percent of shipments, index-only.
        sa.Index(
            "ix_shipments_flagged_order",
            "order_id",
            postgresql_where=sa.text("flag IS NOT NULL"),
            sqlite_where=sa.text("flag IS NOT NULL"),
        ),
        trigram_index("ix_shipments_tracking_number_trgm", "tracking_number"),
    )

    id: str = Field(primary_key=True, max_length=40)
    order_id: str = Field(foreign_key="orders.id", index=True)
    seller_id: str = Field(foreign_key="sellers.id", index=True)
    direction: str = Field(
        default=ShipmentDirection.OUTBOUND,
        max_length=16,
        sa_column_kwargs={"server_default": ShipmentDirection.OUTBOUND.value},
    )
    carrier: str = Field(max_length=16)
    service: str = Field(max_length=40)
    tracking_number: str = Field(max_length=40, unique=True)
    label_url: str | None = Field(default=None, max_length=500)
    carrier_reference: str | None = Field(default=None, max_length=100)
    """The carrier's id for the label (what cancelling it needs)."""
    status: str = Field(max_length=24)
    """A ``ShipmentStatus``: what the carrier last said, in our words."""
    rate_minor: int | None = None
    rate_currency: str | None = Field(default=None, max_length=3)
    weight_grams: int | None = None
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None
    estimated_delivery: date | None = None
    """The carrier's current estimate (the order keeps the date promised at checkout)."""
    signature_required: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    created_at: datetime = time_field(default_now=True)
    last_scan_at: datetime | None = time_field(nullable=True)
    delivered_at: datetime | None = time_field(nullable=True)
    last_synced_at: datetime | None = time_field(nullable=True)
    """When the carrier last answered about this package (a sync or a webhook)."""
    next_sync_at: datetime | None = time_field(nullable=True)
    """When the tracking sync should ask again; None once nothing more can happen."""
    flag: str | None = Field(default=None, max_length=16)
    """A ``ShipmentFlag`` while support should look at it, else None."""
    flagged_reason: str | None = Field(default=None, max_length=300)
    """What support reads: the carrier's words, or how long it has been silent."""
    flagged_at: datetime | None = time_field(nullable=True)


class ShipmentScan(SQLModel, table=True):
    """One carrier scan of a shipment, kept once however often it is reported."""

    __tablename__ = "shipment_scans"
    __table_args__ = (
        sa.UniqueConstraint("shipment_id", "at", "code", name="uq_shipment_scans_scan"),
        sa.Index("ix_shipment_scans_shipment_at", "shipment_id", "at"),
    )

    id: str = Field(primary_key=True, max_length=40)
    shipment_id: str = Field(foreign_key="shipments.id", max_length=40)
    at: datetime = time_field()
    code: str = Field(max_length=40)
    """The carrier's own code for the scan."""
    status: str | None = Field(default=None, max_length=24)
    """What the code means in our words (a ``ShipmentStatus``), None when it says nothing."""
    description: str = Field(max_length=300)
    city: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, max_length=2)
    lat: float | None = None
    lon: float | None = None
    recorded_at: datetime = time_field(default_now=True)


class ShipmentLabel(SQLModel, table=True):
    """The label PDF the carrier returned, kept apart so shipment rows stay small."""

    __tablename__ = "shipment_labels"

    shipment_id: str = Field(primary_key=True, foreign_key="shipments.id", max_length=40)
    pdf: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    created_at: datetime = time_field(default_now=True)


class PaymentEvent(SQLModel, table=True):
    """A payment system's message about a checkout, kept once per event_id."""

    __tablename__ = "payment_events"
    __table_args__ = (enum_check("outcome", VerificationOutcome, "ck_payment_events_outcome"),)

    id: str = Field(primary_key=True, max_length=40)
    event_id: str = Field(max_length=200, unique=True)
    checkout_id: str = Field(foreign_key="checkouts.id", index=True)
    type: str = Field(max_length=40)
    amount_minor: int
    currency: str = Field(max_length=3)
    received_at: datetime = time_field(default_now=True)
    outcome: str = Field(default="received", max_length=24)
    """A ``VerificationOutcome``: what became of this event."""
    detail: str | None = Field(default=None, max_length=1000)


class OrderCharge(SQLModel, table=True):
    """Money taken from the customer after checkout, on the checkout's payment method
    (today: the dearer shipping of an address change). Only charges the provider
    took are kept; the order's shipping and total include them, so what was paid is
    the authorization's share plus these."""

    __tablename__ = "order_charges"
    __table_args__ = (sa.CheckConstraint("amount_minor > 0", name="ck_order_charges_amount"),)

    id: str = Field(primary_key=True, max_length=40)
    order_id: str = Field(foreign_key="orders.id", index=True)
    seller_id: str = Field(foreign_key="sellers.id", index=True)
    amount_minor: int
    currency: str = Field(max_length=3)
    cause: str = Field(max_length=40)
    """Why it was charged (``address_change``)."""
    description: str = Field(max_length=200)
    """The line people read on the invoice."""
    idempotency_key: str = Field(max_length=80, unique=True)
    provider_charge_id: str = Field(max_length=80)
    charged_by: str | None = Field(default=None, max_length=40)
    created_at: datetime = time_field(default_now=True)
