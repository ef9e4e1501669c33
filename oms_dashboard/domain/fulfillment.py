"""Rules of getting an order out of the door: how urgent it is, what goes in the box,
and which carrier's offer to take.

The seller's ship-by deadline is the end of its last business day of handling
(``delivery.ship_by``, stored on the order when paid); an order is late once that
has passed and due soon in the last hours before it. The preselected offer is the
cheapest one that still arrives by the date the customer was promised; when none
can, the one that arrives first, so the customer waits the least.

Nothing ships while the customer's cancellation request waits for the seller: the
seller answers it first (rejecting it lets the order ship; approving cancels it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from oms_dashboard.domain.errors import Refused
from oms_dashboard.domain.shipping import ShipItem

DUE_SOON_HOURS = 4
PACKAGING_GRAMS = 150
"""What a box, filler and tape add to the goods' weight."""


CANCELLATION_REQUEST_PENDING = "cancellation-request-pending"
PENDING_REQUEST_TEXT = "Answer the cancellation request first"
"""What the queue and the order page show instead of Buy label."""


def check_no_cancellation_request(request_pending: bool) -> None:
    """Refuse a label while the customer's cancellation request waits: shipping would
    answer it by accident, and a cancelled order's parcel is already on its way."""
    if request_pending:
        raise Refused(
            CANCELLATION_REQUEST_PENDING,
            "The customer asked to cancel this order: answer the cancellation request "
            "first (reject it to ship the order, or approve it to cancel).",
        )


class Urgency(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    LATE = "late"

    @property
    def label(self) -> str:
        return {"on_time": "On time", "due_soon": "Due soon", "late": "Late"}[self.value]


def urgency(ship_by: datetime, now: datetime, *, soon_hours: int = DUE_SOON_HOURS) -> Urgency:
    hours_left = (ship_by - now).total_seconds() / 3600
    if hours_left < 0:
        return Urgency.LATE
    return Urgency.DUE_SOON if hours_left <= soon_hours else Urgency.ON_TIME


def time_left(ship_by: datetime, now: datetime) -> str:
    """``5 h 20 min left`` or ``late by 2 h 5 min``: what the queue's countdown says."""
    seconds = int((ship_by - now).total_seconds())
    hours, minutes = divmod(abs(seconds) // 60, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{days} d"] if days else []
    parts += [f"{hours} h"] if hours or days else []
    parts += [] if days else [f"{minutes} min"]
    span = " ".join(parts)
    return f"{span} left" if seconds >= 0 else f"late by {span}"


@dataclass(frozen=True)
class ParcelSize:
    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int


def one_box(items: Sequence[ShipItem]) -> ParcelSize | None:
    """Everything physical in one box: the longest and widest item set the footprint,
    the units stack; None when nothing needs a box (digital goods only)."""
    physical = [item for item in items if not item.digital]
    if not physical:
        return None
    footprint = [item.sides for item in physical]
    return ParcelSize(
        weight_grams=sum(i.weight_grams * i.quantity for i in physical) + PACKAGING_GRAMS,
        length_mm=max(s[0] for s in footprint) + 20,
        width_mm=max(s[1] for s in footprint) + 20,
        height_mm=sum(item.sides[2] * item.quantity for item in physical) + 20,
    )


@dataclass(frozen=True)
class Offer:
    """One carrier service's price and arrival for this parcel."""

    carrier: str
    service: str
    amount_minor: int
    currency: str
    transit_days: int | None
    arrives: date | None

    def meets(self, promised: date | None) -> bool:
        return promised is None or (self.arrives is not None and self.arrives <= promised)


def preselect(offers: Sequence[Offer], promised: date | None) -> Offer | None:
    """The cheapest offer arriving by ``promised``; else the earliest to arrive."""
    if not offers:
        return None
    in_time = [offer for offer in offers if offer.meets(promised)]
    if in_time:
        return min(in_time, key=lambda o: (o.amount_minor, o.arrives or date.max, o.carrier))
    return min(offers, key=lambda o: (o.arrives or date.max, o.amount_minor, o.carrier))
