"""How the OMS reaches each carrier, and how that has been going."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from oms_dashboard.domain.tracking import CarrierMode, CarrierName
from oms_dashboard.models.base import enum_check, time_field


class CarrierAccount(SQLModel, table=True):
    """One row per carrier: enabled or not, sandbox or live, credentials (sealed)."""

    __tablename__ = "carrier_accounts"
    __table_args__ = (
        enum_check("carrier", CarrierName, "ck_carrier_accounts_carrier"),
        enum_check("mode", CarrierMode, "ck_carrier_accounts_mode"),
    )

    carrier: str = Field(primary_key=True, max_length=16)
    enabled: bool = Field(default=True)
    mode: str = Field(default=CarrierMode.SANDBOX, max_length=16)
    base_url: str | None = Field(default=None, max_length=300)
    """The carrier's API root in live mode."""
    credentials: str | None = Field(default=None, max_length=4000)
    """JSON of the carrier's credentials, sealed with ``crypto.seal``; never shown back."""
    updated_at: datetime = time_field(default_now=True)
    last_success_at: datetime | None = time_field(nullable=True)
    last_failure_at: datetime | None = time_field(nullable=True)
    last_error: str | None = Field(default=None, max_length=1000)
    consecutive_failures: int = Field(default=0)
    circuit_open_until: datetime | None = time_field(nullable=True)
    """While in the future, nobody calls the carrier: its work waits and drains after."""
    webhook_secret: str | None = Field(default=None, max_length=500)
    """The secret the carrier signs its events with, sealed; None: derived for sandboxes."""
