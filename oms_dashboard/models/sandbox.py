"""State of the built-in sandbox payment provider (used when no real one is configured)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from oms_dashboard.models.base import time_field


class SandboxPayment(SQLModel, table=True):
    __tablename__ = "sandbox_payments"

    checkout_id: str = Field(primary_key=True, max_length=40)
    amount_minor: int
    currency: str = Field(max_length=3)
    status: str = Field(max_length=24)
    """authorized, declined or requires_action."""
    updated_at: datetime = time_field(default_now=True)
