"""The ship-by deadline stored on an order (``orders.ship_by``).

Set once, where the order becomes paid, from the seller's handling time, time zone,
cut-off and public holidays (``domain.delivery.ship_by``, the rule checkout's promise
uses); the fulfillment queue, the seller standing, the KPIs and the refund rules read
the stored value, so they all agree with each other and with the customer's date.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from oms_dashboard.domain.delivery import DEFAULT_CUTOFF_HOUR, ship_by
from oms_dashboard.models import Order, Seller
from oms_dashboard.services.delivery_calendar import holiday_checker


def deadline(
    paid_at: datetime,
    *,
    handling_hours: int,
    timezone: str | None,
    cutoff_hour: int | None,
    country: str,
    region: str | None,
) -> datetime:
    """The deadline for a payment at ``paid_at`` by a seller with these settings (a
    zone the database does not know reads as UTC rather than failing a payment)."""
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return ship_by(
        paid_at,
        handling_hours,
        zone,
        holiday_checker(country, region),
        cutoff_hour=DEFAULT_CUTOFF_HOUR if cutoff_hour is None else cutoff_hour,
    )


def seller_deadline(seller: Seller, paid_at: datetime) -> datetime:
    return deadline(
        paid_at,
        handling_hours=seller.handling_hours,
        timezone=seller.timezone,
        cutoff_hour=seller.cutoff_hour,
        country=seller.country,
        region=seller.region,
    )


def stamp_ship_by(order: Order, seller: Seller) -> None:
    """Set ``order.ship_by`` from its ``paid_at`` (None while unpaid)."""
    order.ship_by = seller_deadline(seller, order.paid_at) if order.paid_at else None


def ship_by_of(order: Order, seller: Seller | None) -> datetime | None:
    """The stored deadline; for a paid order from before it was stored, computed."""
    if order.ship_by is not None or order.paid_at is None or seller is None:
        return order.ship_by
    return seller_deadline(seller, order.paid_at)
