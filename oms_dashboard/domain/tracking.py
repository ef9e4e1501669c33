"""Rules of a shipment on its way: how carrier news moves an order, when a package
counts as stuck, when an order must ship, and what each carrier accepts.

Carriers skip statuses (a package can be "delivered" with no "out for delivery"
scan ever sent) and report out of order; the order still moves only along the
one transition table, every step recorded, and never backwards.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from oms_dashboard.domain.statuses import TRANSITIONS, OrderStatus

HolidayCheck = Callable[[date], bool]


class CarrierName(StrEnum):
    FEDEX = "fedex"
    UPS = "ups"
    DHL = "dhl"
    USPS = "usps"


class ShipmentStatus(StrEnum):
    """Where a package stands, in our words (the order statuses from shipping on)."""

    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELIVERY_EXCEPTION = "delivery_exception"


class ShipmentDirection(StrEnum):
    OUTBOUND = "outbound"
    """From the seller to the customer."""
    RETURN = "return"
    """Back from the customer to the seller."""


class ShipmentNotice(StrEnum):
    """What a customer is told about their package, once each (however often the
    carrier repeats itself)."""

    SHIPPED = "shipped"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    """Also asks the customer to confirm receipt, or to report a problem."""
    DELIVERY_EXCEPTION = "delivery_exception"
    DELAYED = "delayed"
    """The carrier's estimate moved past the date the customer was last given."""
    SIGNATURE_REQUIRED = "signature_required"
    """Announced ahead of delivery: someone must be there to sign."""


class ShipmentFlag(StrEnum):
    """Why support should look at a shipment."""

    STUCK = "stuck"
    """No carrier scan for the policy's stuck_shipment_hours (business hours)."""
    EXCEPTION = "exception"
    """The carrier reported a delivery exception."""
    REPORTED = "reported"
    """The customer says the delivery went wrong (not arrived, damaged, wrong item)."""


CARRIER_TITLES = {"fedex": "FedEx", "ups": "UPS", "dhl": "DHL Express", "usps": "USPS"}


def carrier_title(carrier: str) -> str:
    """``FedEx``, ``DHL Express``: a carrier as people write it."""
    return CARRIER_TITLES.get(carrier, carrier.upper())


class CarrierMode(StrEnum):
    SANDBOX = "sandbox"
    """Answered by the carrier sandbox inside the app (never in production)."""
    LIVE = "live"
    """The carrier's own API, with the credentials an admin stored."""


S = OrderStatus
SHIPPING = frozenset(
    {S.SHIPPED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.DELIVERY_EXCEPTION}
)


def order_path(current: OrderStatus | str, carrier_says: OrderStatus | str) -> list[OrderStatus]:
    """The moves that bring an order from ``current`` to what the carrier reports,
    shortest first; empty when there is nothing to do (already there, or the news is
    older than what the order knows)."""
    start, goal = S(current), S(carrier_says)
    if start == goal or start not in SHIPPING or goal not in SHIPPING:
        return []
    came_from: dict[OrderStatus, OrderStatus] = {}
    queue = deque([start])
    while queue:
        status = queue.popleft()
        for following in sorted(TRANSITIONS[status]):
            if following in came_from or following == start or following not in SHIPPING:
                continue
            if following == S.DELIVERY_EXCEPTION and goal != S.DELIVERY_EXCEPTION:
                continue  # an exception is never assumed on the way to somewhere else
            came_from[following] = status
            if following == goal:
                return _walk_back(came_from, start, goal)
            queue.append(following)
    return []


def _walk_back(came_from, start, goal) -> list[OrderStatus]:
    path = [goal]
    while path[-1] != start:
        path.append(came_from[path[-1]])
    return list(reversed(path[:-1]))


def _is_working_day(day: date, is_holiday: HolidayCheck) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def business_hours_between(
    start: datetime, end: datetime, is_holiday: HolidayCheck = lambda _d: False
) -> float:
    """Hours from ``start`` to ``end`` that fall on working days (weekends and holidays
    do not count: a carrier does not scan then). Both ends are aware datetimes,
    read in the zone they carry."""
    if end <= start:
        return 0.0
    total = timedelta()
    cursor = start
    while cursor < end:
        next_midnight = datetime.combine(
            cursor.date() + timedelta(days=1), datetime.min.time(), cursor.tzinfo
        )
        stop = min(next_midnight, end)
        if _is_working_day(cursor.date(), is_holiday):
            total += stop - cursor
        cursor = stop
    return total.total_seconds() / 3600


def is_stuck(
    last_scan_at: datetime,
    now: datetime,
    *,
    hours: int,
    is_holiday: HolidayCheck = lambda _d: False,
) -> bool:
    """No carrier scan for ``hours`` business hours (the policy's stuck_shipment_hours)."""
    return business_hours_between(last_scan_at, now, is_holiday) >= hours


@dataclass(frozen=True)
class CarrierLimits:
    """What one carrier takes in one package (its published maximums)."""

    max_grams: int
    max_length_mm: int
    max_length_plus_girth_mm: int | None
    max_sides_mm: tuple[int, int, int] | None = None


CARRIER_LIMITS = {
    # FedEx Express/Ground: 150 lb, 108 in long, 165 in length + girth.
    "fedex": CarrierLimits(68_000, 2_743, 4_191),
    # UPS: 150 lb, 108 in long, 165 in length + girth.
    "ups": CarrierLimits(68_000, 2_743, 4_191),
    # DHL Express (non-palletised piece): 70 kg, 120 x 80 x 80 cm.
    "dhl": CarrierLimits(70_000, 1_200, None, (1_200, 800, 800)),
    # USPS Ground Advantage: 70 lb, 130 in length + girth (Priority Mail: 108 in).
    "usps": CarrierLimits(31_751, 3_302, 3_302),
}


def parcel_refusals(
    carrier: str, *, weight_grams: int, length_mm: int, width_mm: int, height_mm: int
) -> list[dict[str, str]]:
    """What ``carrier`` refuses about a parcel, each naming the field and the limit."""
    limits = CARRIER_LIMITS[carrier]
    length, width, height = sorted((length_mm, width_mm, height_mm), reverse=True)
    errors = []
    if weight_grams > limits.max_grams:
        errors.append(
            {
                "field": "weight_grams",
                "message": f"{weight_grams / 1000:g} kg is over {carrier}'s "
                f"{limits.max_grams / 1000:g} kg limit",
            }
        )
    if length > limits.max_length_mm:
        errors.append(
            {
                "field": "length_mm",
                "message": f"{length} mm is over {carrier}'s {limits.max_length_mm} mm length",
            }
        )
    girth = length + 2 * (width + height)
    if limits.max_length_plus_girth_mm and girth > limits.max_length_plus_girth_mm:
        errors.append(
            {
                "field": "dimensions",
                "message": f"length + girth {girth} mm is over {carrier}'s "
                f"{limits.max_length_plus_girth_mm} mm",
            }
        )
    if limits.max_sides_mm and any(
        side > cap for side, cap in zip((length, width, height), limits.max_sides_mm, strict=True)
    ):
        sides = " x ".join(str(s) for s in limits.max_sides_mm)
        errors.append({"field": "dimensions", "message": f"over {carrier}'s {sides} mm piece size"})
    return errors


# -- a carrier that keeps failing -----------------------------------------------------

BREAKER_THRESHOLD = 5
"""Consecutive transient failures before nobody calls the carrier for a while."""
BREAKER_FIRST_PAUSE = timedelta(seconds=30)
BREAKER_LONGEST_PAUSE = timedelta(minutes=15)


def breaker_opens_until(consecutive_failures: int, now: datetime) -> datetime | None:
    """How long to leave a failing carrier alone: nothing below the threshold, then a
    pause that doubles with every further failure, up to the longest pause. After a
    pause one call goes through; its outcome closes the breaker or opens it again."""
    if consecutive_failures < BREAKER_THRESHOLD:
        return None
    doublings = min(consecutive_failures - BREAKER_THRESHOLD, 10)
    return now + min(BREAKER_FIRST_PAUSE * 2**doublings, BREAKER_LONGEST_PAUSE)
