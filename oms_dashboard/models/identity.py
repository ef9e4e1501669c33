"""People and organisations: users, login sessions, sellers, customers, addresses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from oms_dashboard.models.base import json_field, pii_field, time_field, trigram_index


class Seller(SQLModel, table=True):
    __tablename__ = "sellers"

    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200, index=True)
    country: str = Field(max_length=2)
    region: str | None = Field(default=None, max_length=100)
    city: str | None = Field(default=None, max_length=100)
    postal_code: str = Field(max_length=20)
    address_line1: str | None = Field(default=None, max_length=200)
    """Where parcels are picked up: the shipper's street on every label."""
    phone: str | None = Field(default=None, max_length=40)
    handling_hours: int = Field(default=24)
    low_stock_threshold: int = Field(default=5)
    currency: str = Field(default="USD", max_length=3)
    timezone: str = Field(default="America/New_York", max_length=64)
    cutoff_hour: int = Field(default=14)
    """Orders placed after this local hour start handling the next business day."""
    return_window_days: int | None = None
    """The seller's own return window; None = the platform policy's."""
    shipping_rates: dict[str, Any] | None = json_field()
    """The seller's own rate table (domain.shipping.RateTable.to_dict); None = defaults."""
    commission_bps: int | None = None
    """The platform's commission on this seller's sales, in basis points; None = the
    policy's ``commission_bps``."""
    suspended_at: datetime | None = time_field(nullable=True)
    """Set while an admin has suspended the seller from new orders (checkout refuses
    its products); None otherwise. Each suspension and reinstatement is audited."""
    suspended_by: str | None = Field(default=None, max_length=40)
    suspension_reason: str | None = Field(default=None, max_length=1000)
    created_at: datetime = time_field(default_now=True)


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('customer', 'seller', 'support', 'admin')", name="ck_users_role"
        ),
        sa.CheckConstraint(
            "(role = 'seller') = (seller_id IS NOT NULL)", name="ck_users_seller_link"
        ),
    )

    id: str = Field(primary_key=True, max_length=40)
    email: str = pii_field(max_length=254)
    email_lookup: str = Field(max_length=254, unique=True)
    """Lower-cased email used to find the account at login."""
    name: str = pii_field(max_length=200)
    role: str = Field(max_length=16, index=True)
    seller_id: str | None = Field(default=None, foreign_key="sellers.id", index=True)
    password_hash: str = Field(max_length=255)
    is_active: bool = Field(default=True)
    created_at: datetime = time_field(default_now=True)
    last_login_at: datetime | None = time_field(nullable=True)


class UserSession(SQLModel, table=True):
    """A login: the browser's session and the API's bearer token are the same thing."""

    __tablename__ = "user_sessions"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(foreign_key="users.id", index=True)
    created_at: datetime = time_field(default_now=True)
    expires_at: datetime = time_field(index=True)
    channel: str = Field(default="web", max_length=8)


class Customer(SQLModel, table=True):
    __tablename__ = "customers"
    __table_args__ = (trigram_index("ix_customers_name_trgm", "name"),)

    id: str = Field(primary_key=True, max_length=40)
    user_id: str | None = Field(default=None, foreign_key="users.id", unique=True)
    name: str = pii_field(max_length=200)
    email: str = pii_field(max_length=254)
    phone: str | None = pii_field(max_length=40, nullable=True)
    created_at: datetime = time_field(default_now=True)


class Address(SQLModel, table=True):
    """One of a customer's delivery addresses."""

    __tablename__ = "addresses"

    id: str = Field(primary_key=True, max_length=40)
    customer_id: str = Field(foreign_key="customers.id", index=True)
    label: str = Field(default="Home", max_length=40)
    name: str = pii_field(max_length=200)
    line1: str = pii_field(max_length=200)
    line2: str | None = pii_field(max_length=200, nullable=True)
    city: str = pii_field(max_length=100)
    region: str | None = Field(default=None, max_length=100)
    postal_code: str = pii_field(max_length=20)
    country: str = Field(max_length=2)
    phone: str | None = pii_field(max_length=40, nullable=True)
    is_default: bool = Field(default=False)
    created_at: datetime = time_field(default_now=True)
