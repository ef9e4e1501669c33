"""The life of a demo order, planned forward in time and cut at "now".

A checkout is paid (or not) once for all its orders; each order is then
shipped, scanned, delivered, held up or cancelled on its own. Every plan is a
list of events that only makes moves ``check_transition`` allows, so cutting
it at any moment leaves a real status with a consistent timeline behind it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from math import ceil
from typing import Any

from oms_dashboard.demo.carriers import Route
from oms_dashboard.demo.dates import at_local, local_date, zone
from oms_dashboard.domain.delivery import (
    DEFAULT_CUTOFF_HOUR,
    HolidayCheck,
    add_business_days,
    handling_days,
    is_business_day,
    next_business_day,
)
from oms_dashboard.domain.statuses import OrderStatus as S

PAYMENT_SCENARIOS = {
    "ok": 0.935,
    "slow": 0.02,
    "fail_retry": 0.02,
    "fail_keep": 0.015,
    "fail_cancel": 0.01,
}
ORDER_SCENARIOS = {
    "normal": 0.935,
    "cancel_window": 0.015,
    "cancel_request": 0.015,
    "cancel_stock": 0.008,
    "exception_resolved": 0.022,
    "exception_lost": 0.005,
}
DECLINES = (
    ("card_declined", "Card declined by the issuing bank"),
    ("insufficient_funds", "Insufficient funds"),
    ("authentication_failed", "3-D Secure authentication failed"),
    ("expired_card", "Card expired"),
)
CHANGED_MIND = (
    "ordered the wrong size",
    "found it cheaper elsewhere",
    "ordered by mistake",
    "no longer needed",
    "wrong delivery address",
)
TRANSIT_TROUBLE = (
    "Weather delay at the sorting hub",
    "Label damaged; parcel relabelled",
    "Missed connection; rescheduled on the next trunk",
)
DOOR_TROUBLE = (
    "Delivery attempted: recipient not available",
    "Delivery attempted: no safe place to leave the parcel",
    "Address incomplete: carrier contacting the recipient",
)


@dataclass
class Ev:
    """One planned event; ``actor`` is a role the seeder turns into a name."""

    at: datetime
    type: str
    actor: str  # customer, seller, payment, carrier or system
    from_status: str | None
    to_status: str | None
    note: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fulfilment:
    """What one order's journey depends on."""

    placed_at: datetime
    paid_at: datetime
    handling_hours: int
    seller_tz: str
    seller_is_holiday: HolidayCheck
    dest_tz: str
    dest_is_holiday: HolidayCheck
    route: Route
    scenario: str
    window: timedelta
    late: bool | None = None
    """Whether the parcel leaves after its deadline; None: one in twenty, drawn."""


def pick(rng: random.Random, weighted: dict[str, float]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def move(at: datetime, kind: str, actor: str, frm: str | None, to: str, note=None, **data) -> Ev:
    """A status change."""
    return Ev(at, kind, actor, frm, to, note, data)


def fact(at: datetime, kind: str, actor: str, note: str, **data) -> Ev:
    """Something worth showing that changes no status (a scan, a request)."""
    return Ev(at, kind, actor, None, None, note, data)


def _after(events: list[Ev], at: datetime, gap: timedelta = timedelta(minutes=1)) -> datetime:
    """Keep the timeline strictly in order."""
    return max(at, events[-1].at + gap) if events else at


def plan_payment(rng: random.Random, placed_at: datetime, scenario: str, window: timedelta):
    """The checkout's placement and payment events, shared by all its orders."""
    s = timedelta(seconds=1)
    events = [move(placed_at, "order.placed", "customer", None, S.PENDING_PAYMENT)]
    if scenario in ("ok", "slow"):
        if scenario == "ok":
            at, note = placed_at + rng.uniform(4, 75) * s, None
        else:
            at = placed_at + timedelta(minutes=rng.uniform(3, 25))
            note = "Authorised after the bank's 3-D Secure check"
        events.append(move(at, "payment.authorized", "payment", S.PENDING_PAYMENT, S.PROCESSING,
                           note))  # fmt: skip
        return events
    code, reason = rng.choice(DECLINES)
    failed = placed_at + rng.uniform(5, 40) * s
    events.append(move(failed, "payment.failed", "payment", S.PENDING_PAYMENT, S.PAYMENT_FAILED,
                       reason, code=code, attempt=1))  # fmt: skip
    if scenario == "fail_retry":
        retry = failed + timedelta(minutes=rng.uniform(3, 20 * 60))
        paid = retry + rng.uniform(5, 60) * s
        events += [
            move(retry, "payment.retried", "customer", S.PAYMENT_FAILED, S.PENDING_PAYMENT,
                 "Customer retried with another card"),
            move(paid, "payment.authorized", "payment", S.PENDING_PAYMENT, S.PROCESSING,
                 attempt=2),
        ]  # fmt: skip
    elif scenario == "fail_cancel":
        at = failed + (window - (failed - placed_at)) * rng.uniform(0.1, 0.8)
        events.append(move(at, "order.cancelled", "customer", S.PAYMENT_FAILED, S.CANCELLED,
                           "Cancelled by the customer after the payment failed",
                           within_window=True, reason="payment_failed"))  # fmt: skip
    return events


def ship_time(rng: random.Random, f: Fulfilment) -> datetime:
    """Within the seller's handling time on working days; about one parcel in twenty
    is a business day late (``f.late`` decides it when set)."""
    days = handling_days(f.handling_hours)
    on_time = [1.0 + (days - k) * 0.4 for k in range(days + 1)]
    k = rng.choices(range(days + 2), weights=[*on_time, 0.08 * (days + 1)])[0]
    if f.late is True:
        k = days + 1
    elif f.late is False and k > days:
        k = rng.choices(range(days + 1), weights=on_time)[0]
    # Handling starts as checkout's estimate has it start: after the cut-off, the next
    # business day.
    paid_local = f.paid_at.astimezone(zone(f.seller_tz))
    start = paid_local.date()
    if paid_local.hour >= DEFAULT_CUTOFF_HOUR or not is_business_day(start, f.seller_is_holiday):
        start = next_business_day(start, f.seller_is_holiday)
    day = add_business_days(start, k, f.seller_is_holiday)
    at = at_local(day, rng.uniform(9.5, 17.5), f.seller_tz)
    if at <= f.paid_at + timedelta(minutes=45):
        at = f.paid_at + timedelta(hours=rng.uniform(1, 3))
    return at


def plan_fulfilment(rng: random.Random, f: Fulfilment) -> list[Ev]:
    """From payment to delivery (or cancellation) of one order."""
    ship_at = ship_time(rng, f)
    scenario = f.scenario
    if scenario == "cancel_window":
        at = max(f.paid_at + timedelta(minutes=1), f.placed_at + f.window * rng.uniform(0.1, 0.8))
        if at < min(f.placed_at + f.window, ship_at):
            reason = rng.choice(CHANGED_MIND)
            note = f"Cancelled by the customer within the cancellation window: {reason}"
            return [move(at, "order.cancelled", "customer", S.PROCESSING, S.CANCELLED, note,
                         within_window=True, reason=reason)]  # fmt: skip
        scenario = "cancel_request"
    if scenario in ("cancel_request", "cancel_stock"):
        start = max(f.paid_at, f.placed_at + f.window) + timedelta(minutes=5)
        if start < ship_at - timedelta(minutes=30):
            return _seller_cancellation(rng, scenario, start, ship_at)
        scenario = "normal"
    return _journey(rng, f, scenario, ship_at)


def _seller_cancellation(rng: random.Random, scenario: str, start: datetime, end: datetime):
    """After the window only the seller can cancel: for want of stock, or when asked."""
    span = end - start
    if scenario == "cancel_stock":
        note = "Cancelled by the seller: the item is out of stock; the payment is refunded"
        return [move(start + span * rng.uniform(0.1, 0.9), "order.cancelled", "seller",
                     S.PROCESSING, S.CANCELLED, note, seller_approved=True,
                     reason="out_of_stock")]  # fmt: skip
    asked = start + span * rng.uniform(0.05, 0.5)
    reason = rng.choice(CHANGED_MIND)
    approved = asked + (end - asked) * rng.uniform(0.1, 0.9)
    note = "Cancellation approved by the seller after the window; the payment is refunded"
    return [
        fact(asked, "cancellation.requested", "customer", f"Customer asked to cancel: {reason}",
             reason=reason),
        move(approved, "order.cancelled", "seller", S.PROCESSING, S.CANCELLED, note,
             seller_approved=True, reason=reason, requested_at=asked.isoformat()),
    ]  # fmt: skip


def _journey(rng: random.Random, f: Fulfilment, scenario: str, ship_at: datetime) -> list[Ev]:
    route = f.route
    pickup = ship_at + timedelta(hours=rng.uniform(2, 7))
    events = [
        move(ship_at, "order.shipped", "seller", S.PROCESSING, S.SHIPPED,
             f"Label created: {route.product}", carrier=route.carrier, service=route.service),
        move(pickup, "shipment.in_transit", "carrier", S.SHIPPED, S.IN_TRANSIT,
             f"Picked up by {route.label}"),
    ]  # fmt: skip
    late = rng.choices((0, 1, 2), weights=(0.86, 0.1, 0.04))[0]
    ship_day = local_date(ship_at, f.seller_tz)
    delivery_day = add_business_days(ship_day, route.transit_days + late, f.dest_is_holiday)
    trouble = scenario in ("exception_resolved", "exception_lost")
    at_door = scenario == "exception_resolved" and rng.random() < 0.5
    day = ship_day + timedelta(days=1)
    hubs = list(route.hubs)
    while day < delivery_day and hubs:
        if day.weekday() != 6:
            hub = hubs.pop(0)
            at = _after(events, at_local(day, rng.uniform(1, 6), f.dest_tz), timedelta(hours=1))
            events.append(fact(at, "shipment.scan", "carrier", f"Arrived at {hub}", location=hub))
            if trouble and not at_door:
                return _transit_trouble(rng, f, events, scenario)
        day += timedelta(days=1)
    if trouble and not at_door:  # no scan on the way: the trouble comes before the door
        return _transit_trouble(rng, f, events, scenario)
    _deliver(rng, f, events, delivery_day, door_trouble=at_door)
    return events


def _deliver(rng, f: Fulfilment, events: list[Ev], day, *, door_trouble=False) -> None:
    ofd = _after(events, at_local(day, rng.uniform(7.5, 10), f.dest_tz), timedelta(minutes=30))
    events.append(move(ofd, "shipment.out_for_delivery", "carrier", S.IN_TRANSIT,
                       S.OUT_FOR_DELIVERY, "Out for delivery"))  # fmt: skip
    if door_trouble:
        at = ofd + timedelta(hours=rng.uniform(2, 7))
        day = add_business_days(day, 1, f.dest_is_holiday)
        again = _after(events, at_local(day, rng.uniform(7.5, 10), f.dest_tz), timedelta(hours=2))
        events += [
            move(at, "shipment.exception", "carrier", S.OUT_FOR_DELIVERY, S.DELIVERY_EXCEPTION,
                 rng.choice(DOOR_TROUBLE), reason="delivery_attempt_failed"),
            move(again, "shipment.out_for_delivery", "carrier", S.DELIVERY_EXCEPTION,
                 S.OUT_FOR_DELIVERY, "Second delivery attempt"),
        ]  # fmt: skip
        ofd = again
    delivered = ofd + timedelta(hours=rng.uniform(1.5, 8))
    place = rng.choice(("Front door", "Mailroom", "Handed to resident", "Reception", "Porch"))
    events.append(move(delivered, "order.delivered", "carrier", S.OUT_FOR_DELIVERY, S.DELIVERED,
                       f"Delivered: {place}", left_at=place))  # fmt: skip


def _transit_trouble(rng, f: Fulfilment, events: list[Ev], scenario: str) -> list[Ev]:
    at = _after(events, events[-1].at + timedelta(hours=rng.uniform(6, 30)))
    international = f.route.carrier == "dhl" and f.seller_tz != f.dest_tz
    if scenario == "exception_lost":
        note = "No scan for 72 hours: carrier trace opened, the parcel may be lost"
        reason = "lost_in_transit"
    elif international and rng.random() < 0.5:
        note, reason = "Held at customs: commercial invoice requested", "customs_hold"
    else:
        note, reason = rng.choice(TRANSIT_TROUBLE), "transit_delay"
    events.append(move(at, "shipment.exception", "carrier", S.IN_TRANSIT, S.DELIVERY_EXCEPTION,
                       note, reason=reason))  # fmt: skip
    if scenario == "exception_lost":
        return events
    resumed = at + timedelta(hours=rng.uniform(18, 60))
    events.append(move(resumed, "shipment.in_transit", "carrier", S.DELIVERY_EXCEPTION,
                       S.IN_TRANSIT, "Issue resolved; back in transit"))  # fmt: skip
    resumed_day = local_date(resumed, f.dest_tz)
    day = add_business_days(resumed_day, rng.choice((1, 2)), f.dest_is_holiday)
    _deliver(rng, f, events, day)
    return events


def cut(events: list[Ev], now: datetime) -> list[Ev]:
    """The part of a plan that has happened by ``now``."""
    return [e for e in events if e.at <= now]


def status_of(events: list[Ev]) -> str:
    return str([e.to_status for e in events if e.to_status][-1])


def shift_into(rng: random.Random, events: list[Ev], target: str, now: datetime) -> timedelta:
    """How far to move a plan in time so that at ``now`` the order is in ``target``.

    Whole weeks keep weekdays and local times as planned; failing that whole
    days, and only then an exact shift (for statuses that last a few hours).
    """
    moves = [e for e in events if e.to_status]
    for n, event in enumerate(moves):
        if event.to_status != target:
            continue
        start = event.at
        end = moves[n + 1].at if n + 1 < len(moves) else start + timedelta(days=45)
        for unit in (timedelta(days=7), timedelta(days=1)):
            low, high = ceil((now - end) / unit + 1e-9), (now - start) // unit
            if low <= high:
                return unit * rng.randint(low, high)
        exact = now - (start + (end - start) * rng.uniform(0.2, 0.8))
        return timedelta(seconds=round(exact.total_seconds()))
    raise ValueError(f"the plan never reaches {target}")


def shifted(events: list[Ev], delta: timedelta) -> list[Ev]:
    return [replace(e, at=e.at + delta, data=dict(e.data)) for e in events]
