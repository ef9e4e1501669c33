"""State of the built-in sandboxes (payment provider, carriers): what the outside world
would know, kept outside production only."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from oms_dashboard.models.base import time_field


class SandboxPayment(SQLModel, table=True):
    __tablename__ = "sandbox_payments"

    checkout_id: str = Field(primary_key=True, max_length=40)
    amount_minor: int
    currency: str = Field(max_length=3)
    status: str = Field(max_length=24)
    """authorized, declined or requires_action."""
    charge_outcome: str = Field(
        default="succeeded", max_length=16, sa_column_kwargs={"server_default": "succeeded"}
    )
    """What the sandbox answers to a later charge on this payment: succeeded or declined
    (a test harness sets it, as it sets the authorization's outcome)."""
    updated_at: datetime = time_field(default_now=True)


class SandboxRefund(SQLModel, table=True):
    """A refund the payment sandbox paid: once per idempotency key, as a real provider."""

    __tablename__ = "sandbox_refunds"

    id: str = Field(primary_key=True, max_length=40)
    checkout_id: str = Field(foreign_key="sandbox_payments.checkout_id", index=True)
    idempotency_key: str = Field(max_length=80, unique=True)
    amount_minor: int
    currency: str = Field(max_length=3)
    status: str = Field(max_length=16)
    """succeeded or failed."""
    created_at: datetime = time_field(default_now=True)


class SandboxCharge(SQLModel, table=True):
    """An extra charge the payment sandbox took on a payment: once per idempotency key.
    A declined charge takes nothing and is not kept (the same key may try again)."""

    __tablename__ = "sandbox_charges"

    id: str = Field(primary_key=True, max_length=40)
    checkout_id: str = Field(foreign_key="sandbox_payments.checkout_id", index=True)
    order_id: str | None = Field(default=None, max_length=40)
    idempotency_key: str = Field(max_length=80, unique=True)
    amount_minor: int
    currency: str = Field(max_length=3)
    status: str = Field(max_length=16)
    """succeeded."""
    created_at: datetime = time_field(default_now=True)


class SandboxShipment(SQLModel, table=True):
    """A package the carrier sandbox knows: what its carrier would know of it."""

    __tablename__ = "sandbox_shipments"

    tracking_number: str = Field(primary_key=True, max_length=40)
    carrier: str = Field(max_length=16, index=True)
    service: str = Field(max_length=40)
    origin_city: str | None = Field(default=None, max_length=100)
    origin_region: str | None = Field(default=None, max_length=100)
    origin_postal_code: str | None = Field(default=None, max_length=20)
    origin_country: str = Field(max_length=2)
    destination_city: str | None = Field(default=None, max_length=100)
    destination_region: str | None = Field(default=None, max_length=100)
    destination_postal_code: str | None = Field(default=None, max_length=20)
    destination_country: str = Field(max_length=2)
    estimated_delivery: date | None = None
    signature_required: bool = False
    created_at: datetime = time_field(default_now=True)
    voided_at: datetime | None = time_field(nullable=True)
    """When the shipper cancelled the label; the carrier then no longer knows the number."""


class SandboxScan(SQLModel, table=True):
    """One scan of a sandbox package, newest last; ``status`` is ours (ShipmentStatus)."""

    __tablename__ = "sandbox_scans"

    id: str = Field(primary_key=True, max_length=40)
    tracking_number: str = Field(foreign_key="sandbox_shipments.tracking_number", index=True)
    at: datetime = time_field()
    status: str = Field(max_length=24)
    city: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, max_length=2)
    lat: float | None = None
    lon: float | None = None
    reason: str | None = Field(default=None, max_length=300)
