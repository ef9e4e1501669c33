"""Demo checkouts and the orders, lines, timelines and shipments they become."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from itertools import accumulate
from typing import Any

from oms_dashboard.demo.carriers import EUROPE, Route, along_the_way, choose_route
from oms_dashboard.demo.carriers import tracking_number as make_tracking_number
from oms_dashboard.demo.context import HISTORY_DAYS, DemoContext
from oms_dashboard.demo.dates import checkout_times
from oms_dashboard.demo.people import CustomerCtx, SellerCtx
from oms_dashboard.demo.pricing import can_check_out, price_demo_order
from oms_dashboard.demo.scans import CarrierNews, carrier_news, place, scan_rows
from oms_dashboard.demo.timeline import (
    ORDER_SCENARIOS,
    PAYMENT_SCENARIOS,
    Ev,
    Fulfilment,
    cut,
    pick,
    plan_fulfilment,
    plan_payment,
    shift_into,
    shifted,
    status_of,
)
from oms_dashboard.domain.delivery import ship_by, transit_days
from oms_dashboard.domain.money import format_minor
from oms_dashboard.domain.payment import CHECKOUT_STATUS, PaymentStatus
from oms_dashboard.domain.shipping import ServiceLevel
from oms_dashboard.domain.statuses import OrderStatus as S
from oms_dashboard.domain.stock import StockStatus
from oms_dashboard.gazetteer import locate
from oms_dashboard.ids import _READABLE
from oms_dashboard.models import OrderPolicy
from oms_dashboard.services.delivery_calendar import holiday_checker
from oms_dashboard.services.pricing import ShipmentPrice

Row = dict[str, Any]
REGULAR_CHECKOUTS = 2440
DEMO_RANDOM_CHECKOUTS = 32
# The demo customer's page shows every status; a few more strangers are paying right now.
DEMO_SHOWCASE = (*S, S.PROCESSING, S.IN_TRANSIT, S.DELIVERED)
PAYING_NOW = 4
HOLDS_STOCK = frozenset({S.PENDING_PAYMENT, S.PROCESSING})
DOWNLOADED_AFTER = timedelta(minutes=20)
"""How soon after payment a demo customer downloads a digital item."""
# target status -> (payment scenario, order scenario, rough age in hours to plan from)
FORCED = {
    S.PENDING_PAYMENT: ("slow", "normal", 0.2),
    S.PAYMENT_FAILED: ("fail_keep", "normal", 24 * 4),
    S.PROCESSING: ("ok", "normal", 5),
    S.SHIPPED: ("ok", "normal", 30),
    S.IN_TRANSIT: ("ok", "normal", 24 * 3),
    S.OUT_FOR_DELIVERY: ("ok", "normal", 24 * 5),
    S.DELIVERED: ("ok", "normal", 24 * 30),
    S.DELIVERY_EXCEPTION: ("ok", "exception_resolved", 24 * 5),
    S.CANCELLED: ("ok", "cancel_request", 24 * 12),
}
RECENT_LATENESS = timedelta(days=42)
"""In the last six weeks (the standing window and some), each seller ships its share of
late orders (``SellerSpec.late_share``: one in thirty; one in twenty for the two shops
meant to read a warning for it) by count, not by luck (``OrderBuilder._late``)."""
ACTORS = {"payment": ("payment", None, "Payment provider"), "system": ("system", None, "OMS")}


@dataclass
class Draft:
    """One seller's part of a checkout while it is being planned."""

    seller: SellerCtx
    lines: list[tuple[Row, int]]
    price: ShipmentPrice
    """What checkout charges and promises for these lines, placed when the order is."""
    route: Route
    plan: list[Ev]
    dest_tz: str


@dataclass
class Slot:
    customer: CustomerCtx
    placed_at: datetime | None
    target: S | None = None


class OrderBuilder:
    def __init__(self, ctx: DemoContext, sellers: list[SellerCtx], customers: list[CustomerCtx]):
        self.ctx, self.rng = ctx, ctx.rng
        self.sellers, self.customers = sellers, customers
        self.window = timedelta(minutes=OrderPolicy().cancellation_window_minutes)
        self.stuck_hours = OrderPolicy().stuck_shipment_hours
        # Scans draw from a generator of their own: the rest of the mall stays as it was.
        self.scan_rng = random.Random(f"oms-demo-scans-{ctx.seed}")
        self.late_credit: dict[str, float] = {}
        self.numbers: set[str] = set()
        self.tracking: set[str] = set()
        self.reserved: Counter[str] = Counter()

    def build(self) -> None:
        for slot in self._slots():
            self._checkout(slot)
        for seller in self.sellers:
            for product in seller.products:
                sku = product["sku"]
                self.ctx.add(
                    "inventory",
                    {
                        "sku": sku,
                        "seller_id": seller.row["id"],
                        "on_hand": max(seller.stock[sku], self.reserved[sku]),
                        "reserved": self.reserved[sku],
                        "updated_at": self.ctx.now - timedelta(hours=self.rng.uniform(1, 72)),
                    },
                )

    def _slots(self) -> list[Slot]:
        rng, ctx = self.rng, self.ctx
        times = checkout_times(rng, now=ctx.now, days=HISTORY_DAYS, count=REGULAR_CHECKOUTS)
        demo, others = self.customers[0], self.customers[1:]
        cum = list(accumulate(c.weight for c in others))
        slots = []
        for at in times:
            while (customer := rng.choices(others, cum_weights=cum)[0]).row["created_at"] > at:
                pass
            slots.append(Slot(customer, at))
        # The demo customer shops more lately, like the mall.
        recency = [0.1 + (n / len(slots)) ** 1.5 for n in range(len(slots))]
        mine: set[int] = set()
        while len(mine) < DEMO_RANDOM_CHECKOUTS:
            mine.add(rng.choices(range(len(slots)), weights=recency)[0])
        for n in sorted(mine):
            slots[n].customer = demo
        slots += [Slot(demo, None, status) for status in DEMO_SHOWCASE]
        slots += [Slot(rng.choice(others), None, S.PENDING_PAYMENT) for _ in range(PAYING_NOW)]
        return slots

    def _sellers_for(self, customer: CustomerCtx, *, single: bool) -> list[SellerCtx]:
        rng = self.rng
        weights = []
        for s in self.sellers:
            w = s.spec.popularity
            if s.spec.country == customer.country:
                w *= 6
            elif s.spec.country in EUROPE and customer.country in EUROPE:
                w *= 2.5
            weights.append(w)
        chosen = [rng.choices(self.sellers, weights=weights)[0]]
        same = [s for s in self.sellers if s.spec.currency == chosen[0].spec.currency]
        if not single and len(same) > 1 and rng.random() < 0.2:
            extra = [s for s in same if s is not chosen[0]]
            rng.shuffle(extra)
            chosen += extra[: 2 if rng.random() < 0.25 else 1]
        return chosen

    def _lines(
        self, seller: SellerCtx, *, international: bool, express: bool
    ) -> list[tuple[Row, int]]:
        rng = self.rng
        count = rng.choices((1, 2, 3, 4), weights=(0.55, 0.28, 0.12, 0.05))[0]
        picked: dict[str, tuple[Row, int]] = {}
        for _ in range(count * 4):
            if len(picked) == count:
                break
            product = rng.choices(seller.products, cum_weights=seller.cum_weights)[0]
            allowed = can_check_out(product, international=international, express=express)
            if product["sku"] in picked or not allowed:
                continue
            qty = 1 if product["digital"] else rng.choices((1, 2, 3, 4), (78, 15, 5, 2))[0]
            picked[product["sku"]] = (product, qty)
        lines = list(picked.values())
        if not lines or all(p["digital"] for p, _ in lines):
            # Nothing ships on its own without a parcel: add a physical item.
            physical = [
                p
                for p in seller.products
                if not p["digital"]
                and not p["restricted"]
                and can_check_out(p, international=international, express=express)
            ]
            lines.append((rng.choice(physical), 1))
        return lines

    def _checkout(self, slot: Slot) -> None:
        rng, ctx = self.rng, self.ctx
        customer = slot.customer
        when = slot.placed_at or ctx.now
        others = [a for a in customer.addresses[1:] if a[0]["created_at"] <= when]
        if not others or rng.random() < 0.7:
            address, dest_tz = customer.addresses[0]
        else:
            address, dest_tz = rng.choice(others)
        dest = address["country"]
        express = rng.random() < 0.12
        level = ServiceLevel.EXPRESS if express else ServiceLevel.STANDARD
        priced = partial(price_demo_order, address=address, service_level=level)
        if slot.target:
            pay_scenario, order_scenario, hours = FORCED[slot.target]
            placed = ctx.now - timedelta(seconds=round(hours * 3600 * rng.uniform(0.7, 1.3)))
        else:
            pay_scenario, order_scenario = pick(rng, PAYMENT_SCENARIOS), None
            placed = slot.placed_at
        # A plan forced to a status may miss it (a parcel that ships before a
        # cancellation request could be made): plan again, a few times at most.
        credit = dict(self.late_credit)
        for attempt in range(20):
            self.late_credit = dict(credit)  # only the plan kept counts
            if slot.target and attempt:
                placed = ctx.now - timedelta(seconds=round(hours * 3600 * rng.uniform(0.7, 1.3)))
            payment = plan_payment(rng, placed, pay_scenario, self.window)
            paid = [e.at for e in payment if e.type == "payment.authorized"]
            drafts = []
            for seller in self._sellers_for(customer, single=slot.target is not None):
                international = seller.spec.country != dest
                lines = self._lines(seller, international=international, express=express)
                price = priced(seller=seller.row, lines=lines, placed_at=placed)
                route = choose_route(
                    rng,
                    origin=seller.spec.country,
                    destination=dest,
                    express=express,
                    transit_days=transit_days(price.zone, level),
                )
                route = along_the_way(route, _where(seller.row), _where_to(address))
                plan = shifted(payment, timedelta(0))
                if paid:
                    journey = Fulfilment(
                        placed,
                        paid[-1],
                        seller.spec.handling_hours,
                        seller.spec.timezone,
                        seller.is_holiday,
                        dest_tz,
                        holiday_checker(dest, address["region"]),
                        route,
                        order_scenario or pick(rng, ORDER_SCENARIOS),
                        self.window,
                        self._late(seller, paid[-1]),
                    )
                    plan += plan_fulfilment(rng, journey)
                drafts.append(Draft(seller, lines, price, route, plan, dest_tz))
            if not slot.target or any(e.to_status == slot.target for e in drafts[0].plan):
                break
        if slot.target:
            delta = shift_into(rng, drafts[0].plan, slot.target, ctx.now)
            placed += delta
            payment = shifted(payment, delta)
            for draft in drafts:
                draft.plan = shifted(draft.plan, delta)
                # The promise moves with the day the order was placed.
                draft.price = priced(seller=draft.seller.row, lines=draft.lines, placed_at=placed)
        self._write(customer, address, placed, express, cut(payment, ctx.now), drafts)

    def _late(self, seller: SellerCtx, paid_at: datetime) -> bool | None:
        """Whether a recent order ships late: each of a seller's orders adds its late
        share, and the one that fills a whole is late. Drawn at random, a small seller's
        twenty orders in the standing window would have two or more late a third of the
        time (at one in twenty), and its standing would read that luck."""
        if paid_at < self.ctx.now - RECENT_LATENESS:
            return None  # older history: drawn, as a real mall's varies
        key = seller.row["id"]
        credit = self.late_credit.get(key, 0.0) + seller.spec.late_share
        late = credit >= 1
        self.late_credit[key] = credit - 1 if late else credit
        return late

    def _write(
        self,
        customer: CustomerCtx,
        address: Row,
        placed: datetime,
        express: bool,
        payment: list[Ev],
        drafts: list[Draft],
    ) -> None:
        ctx, rng = self.ctx, self.rng
        ship_to = {
            f"ship_{k}": address[k]
            for k in ("name", "line1", "line2", "city", "region", "postal_code", "country")
        }
        currency = drafts[0].seller.spec.currency
        key = f"demo-{rng.getrandbits(64):016x}"
        request = "|".join(f"{p['sku']}x{q}" for d in drafts for p, q in d.lines)
        paid_at = next((e.at for e in reversed(payment) if e.type == "payment.authorized"), None)
        checkout = ctx.add(
            "checkouts",
            {
                "id": ctx.ids.new("chk", placed),
                "customer_id": customer.row["id"],
                "idempotency_key": key,
                "request_hash": hashlib.sha256(f"{key}|{request}".encode()).hexdigest(),
                **_payment_columns(payment),
                "currency": currency,
                "total_minor": sum(d.price.total_minor for d in drafts),
                "service_level": "express" if express else "standard",
                "created_at": placed,
                "paid_at": paid_at,
                **ship_to,
            },
        )
        for draft in drafts:
            self._order(customer, checkout, draft, ship_to)

    def _order(self, customer: CustomerCtx, checkout: Row, d: Draft, ship_to: Row) -> None:
        ctx = self.ctx
        placed, spec = checkout["created_at"], d.seller.spec
        events = cut(d.plan, ctx.now)
        status = status_of(events)
        total = d.price.total_minor
        news = self._carrier_news(d, events, ship_to, total) if _shipped(events) else None
        if news is not None:
            events = news.events
        order = ctx.add(
            "orders",
            {
                "id": ctx.ids.new("ord", placed),
                "number": self._number(),
                "checkout_id": checkout["id"],
                "seller_id": d.seller.row["id"],
                "customer_id": customer.row["id"],
                "customer_email": customer.row["email"],
                "status": status,
                "currency": spec.currency,
                "subtotal_minor": d.price.subtotal_minor,
                "shipping_minor": d.price.shipping_minor,
                "total_minor": total,
                "service_level": checkout["service_level"],
                "estimated_delivery": d.price.estimated_delivery,
                "review_reason": None,
                "stock_status": _HOLD_BY_STATUS.get(status, StockStatus.FULFILLED),
                "placed_at": placed,
                "updated_at": events[-1].at,
                "paid_at": (paid_at := _last(events, "payment.authorized")),
                "ship_by": _ship_by(d.seller, paid_at),
                "shipped_at": _last(events, "order.shipped"),
                "delivered_at": _last(events, "order.delivered"),
                "cancelled_at": _last(events, "order.cancelled"),
                **ship_to,
            },
        )
        for product, qty in d.lines:
            ctx.add(
                "order_lines",
                {
                    "id": ctx.ids.new("oln", placed),
                    "order_id": order["id"],
                    "seller_id": order["seller_id"],
                    "sku": product["sku"],
                    "title": product["title"],
                    "quantity": qty,
                    "unit_price_minor": product["price_minor"],
                    "line_total_minor": product["price_minor"] * qty,
                    "kind": product["kind"],
                    "placed_at": placed,
                    # A delivered order's file was fetched soon after payment.
                    "downloaded_at": order["paid_at"] + DOWNLOADED_AFTER
                    if product["kind"] == "digital" and order["delivered_at"]
                    else None,
                },
            )
            if status in HOLDS_STOCK:
                self.reserved[product["sku"]] += qty
        shipment = self._shipment(order, d, news) if news is not None else None
        money = {"amount": format_minor(total, spec.currency), "currency": spec.currency}
        for event in events:
            data = dict(event.data)
            if event.type.startswith("payment.") or event.type == "order.placed":
                data |= money | {"checkout_id": checkout["id"]}
            if event.type == "order.shipped" and shipment:
                data |= {
                    "shipment_id": shipment["id"],
                    "tracking_number": shipment["tracking_number"],
                }
            if event.type == "shipment.delayed" and shipment:
                data = {"shipment_id": shipment["id"], **data}
            actor_type, actor_id, label = self._actor(event.actor, customer, d)
            ctx.add(
                "order_events",
                {
                    "id": ctx.ids.new("evt", event.at),
                    "order_id": order["id"],
                    "seller_id": order["seller_id"],
                    "type": event.type,
                    "at": event.at,
                    "actor_type": actor_type,
                    "actor_id": actor_id,
                    "actor_label": label,
                    "from_status": event.from_status and str(event.from_status),
                    "to_status": event.to_status and str(event.to_status),
                    "note": event.note,
                    "data": data or None,
                },
            )

    def _carrier_news(self, d: Draft, events: list[Ev], ship_to: Row, total: int) -> CarrierNews:
        seller = d.seller.row
        return carrier_news(
            self.scan_rng,
            events=events,
            plan=d.plan,
            now=self.ctx.now,
            origin=place(
                seller["city"], seller["region"], seller["country"], seller["postal_code"]
            ),
            destination=place(
                ship_to["ship_city"],
                ship_to["ship_region"],
                ship_to["ship_country"],
                ship_to["ship_postal_code"],
            ),
            dest_tz=d.dest_tz,
            promised=d.price.estimated_delivery,
            total_minor=total,
            stuck_hours=self.stuck_hours,
        )

    def _shipment(self, order: Row, d: Draft, news: CarrierNews) -> Row:
        ctx = self.ctx
        while (tracking := make_tracking_number(self.rng, d.route.carrier)) in self.tracking:
            pass
        self.tracking.add(tracking)
        shipment_id = ctx.ids.new("shp", order["shipped_at"])
        for scan in scan_rows(news, shipment_id, ctx.ids.new):
            ctx.add("shipment_scans", scan)
        return ctx.add(
            "shipments",
            {
                "id": shipment_id,
                "order_id": order["id"],
                "seller_id": order["seller_id"],
                "carrier": d.route.carrier,
                "service": d.route.service,
                "tracking_number": tracking,
                "label_url": f"/labels/{shipment_id}.pdf",
                "status": order["status"],
                "created_at": order["shipped_at"],
                "delivered_at": order["delivered_at"],
                **news.shipment,
            },
        )

    def _actor(self, role: str, customer: CustomerCtx, d: Draft) -> tuple[str, str | None, str]:
        if role == "customer":
            user = customer.user
            return "user", user["id"], f"{user['name']} (customer)"
        if role == "seller":
            staff = d.seller.staff
            return "user", staff["id"], f"{staff['name']} (seller)"
        if role == "carrier":
            return "carrier", None, d.route.label
        return ACTORS[role]

    def _number(self) -> str:
        """OMS-XXXX-XXXX from the seeded generator, like ``ids.new_order_number``."""
        while True:
            raw = "".join(self.rng.choice(_READABLE) for _ in range(8))
            number = f"OMS-{raw[:4]}-{raw[4:]}"
            if number not in self.numbers:
                self.numbers.add(number)
                return number


def _where(seller: Row):
    return locate(seller["city"], seller["region"], seller["country"], seller["postal_code"])


def _where_to(address: Row):
    return locate(address["city"], address["region"], address["country"], address["postal_code"])


def _shipped(events: list[Ev]) -> bool:
    return any(e.type == "order.shipped" for e in events)


def _last(events: list[Ev], kind: str) -> datetime | None:
    return next((e.at for e in reversed(events) if e.type == kind), None)


def _ship_by(seller: SellerCtx, paid_at: datetime | None) -> datetime | None:
    """The deadline payment would have stored (``services.payments``)."""
    if paid_at is None:
        return None
    row = seller.row
    return ship_by(
        paid_at,
        row["handling_hours"],
        row["timezone"],
        seller.is_holiday,
        cutoff_hour=row["cutoff_hour"],
    )


_HOLD_BY_STATUS = {
    S.PENDING_PAYMENT: StockStatus.HELD,
    S.PROCESSING: StockStatus.CONFIRMED,
    S.PAYMENT_FAILED: StockStatus.RELEASED,
    S.CANCELLED: StockStatus.RELEASED,
}
"""Where an order's stock stands at its status; shipped onwards it has left the shelf."""


def _payment_columns(payment: list[Ev]) -> Row:
    """Where the checkout's payment stands after its events, by the payment lifecycle."""
    kinds = [e.type for e in payment]
    if "payment.authorized" in kinds:
        state = PaymentStatus.AUTHORIZED
    elif "payment.failed" in kinds:
        state = PaymentStatus.FAILED
    else:
        state = PaymentStatus.PENDING
    return {"payment_status": state, "status": CHECKOUT_STATUS[state]}
