"""Placing a checkout: one order per seller, priced, with its stock held.

All or nothing: a checkout that fails for any reason (bad input, not enough
stock) writes nothing and holds nothing, because every step runs in the
service's one transaction and an error rolls it back.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from oms_dashboard.domain.money import format_minor
from oms_dashboard.domain.payment import CheckoutStatus
from oms_dashboard.domain.review import ReviewReason
from oms_dashboard.domain.standing import SellerSuspended
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.domain.stock import StockStatus
from oms_dashboard.ids import new_id, new_order_number
from oms_dashboard.models import (
    Inventory,
)
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import checkout_sql, stock
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.addresses import Address, delivery_restrictions, validate_address
from oms_dashboard.services.alternatives import suggest_alternatives
from oms_dashboard.services.checkout_sql import Columns
from oms_dashboard.services.errors import Conflict, ServiceError, ValidationFailed
from oms_dashboard.services.policies import get_policy
from oms_dashboard.services.pricing import ShipmentPrice, price_shipment
from oms_dashboard.services.timeline import OMS, By, event_row
from oms_dashboard.services.unit_of_work import run_in_transaction

MAX_LINES = 50
MAX_QUANTITY = 999
SERVICE_LEVELS = ("standard", "express")


@dataclass(frozen=True)
class CheckoutLine:
    sku: str
    quantity: int


@dataclass(frozen=True)
class CheckoutRequest:
    lines: list[CheckoutLine]
    shipping_address: dict[str, Any]
    service_level: str = "standard"

    def fingerprint(self) -> str:
        """Same body, same fingerprint: what an Idempotency-Key is bound to."""
        canonical = {
            "lines": [[line.sku, line.quantity] for line in self.lines],
            "shipping_address": {k: v for k, v in sorted(self.shipping_address.items()) if v},
            "service_level": self.service_level,
        }
        return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()

    def lines_fingerprint(self) -> str:
        """The cart alone (skus and quantities): how a duplicate under another key is found."""
        merged = sorted(self.merged_quantities().items())
        return hashlib.sha256(json.dumps(merged).encode()).hexdigest()

    def merged_quantities(self) -> dict[str, int]:
        merged: dict[str, int] = defaultdict(int)
        for line in self.lines:
            merged[line.sku] += line.quantity
        return dict(merged)


@dataclass
class CheckoutResult:
    body: dict[str, Any]
    replayed: bool = False
    order_ids: list[str] = field(default_factory=list)


def place_checkout(
    engine: Engine, *, actor: Actor, idempotency_key: str, request: CheckoutRequest
) -> CheckoutResult:
    actor.require(Role.CUSTOMER)
    key = idempotency_key.strip()
    if not key or len(key) > 200:
        raise ValidationFailed.one("Idempotency-Key", "must be 1 to 200 characters")
    return run_in_transaction(engine, lambda session: _place(session, actor, key, request))


def _place(session: Session, actor: Actor, key: str, request: CheckoutRequest) -> CheckoutResult:
    """Everything is read and decided before the first write, and the stock is held
    last: the hot inventory row stays locked only for its UPDATE and the commit."""
    fingerprint = request.fingerprint()
    lines_hash = request.lines_fingerprint()
    try:
        cart = _load_cart(session, request, actor.customer_id, lines_hash)
        address = _validate(request, cart)
        _refuse_suspended(request, cart)
        prices = _price_all(request, cart, address)
        _refuse_short(session, request, cart)
    except ServiceError:
        # A key's first answer stands even if the cart could not be placed today.
        earlier = _find_by_key(session, actor.customer_id, key)
        if earlier is None:
            raise
        return _replay(earlier, fingerprint)

    now = utcnow()
    duplicate_of = cart.duplicate_since(now - cart.duplicate_window)
    plan = CheckoutPlan.build(
        actor=actor,
        cart=cart,
        quantities=request.merged_quantities(),
        prices=prices,
        service_level=request.service_level,
        address=address,
        placed_at=now,
        duplicate_of=duplicate_of,
    )
    checkout = plan.checkout_row(
        idempotency_key=key, request_hash=fingerprint, lines_hash=lines_hash
    )
    if not _claim_key(session, checkout):
        return _replay(_find_by_key(session, actor.customer_id, key), fingerprint)
    connection = session.connection()
    checkout_sql.INSERT_ORDERS.run(connection, plan.order_rows())
    checkout_sql.INSERT_LINES.run(connection, plan.line_rows())
    checkout_sql.INSERT_EVENTS.run(connection, plan.event_rows())
    _reserve_all(session, plan.quantities, cart)
    return CheckoutResult(body=plan.body, order_ids=[o["id"] for o in plan.orders])


@dataclass(frozen=True)
class Cart:
    """What the checkout reads before deciding: the cart's products with their sellers
    and available stock, and the two policies it needs, in one statement."""

    products: dict[str, Columns]
    """By sku: a product's columns, read like a ``Product``."""
    sellers: dict[str, Columns]
    """By id: a seller's columns, read like a ``Seller``."""
    available: dict[str, int]
    payment_hold: timedelta
    duplicate_window: timedelta
    same_cart: tuple[str, datetime] | None
    """The id and time of the customer's latest checkout of the same lines, if any."""

    def duplicate_since(self, since: datetime) -> str | None:
        """The same customer, the same lines, minutes ago, under another key."""
        if self.same_cart is None or self.same_cart[1] < since:
            return None
        return self.same_cart[0]

    def skus_by_seller(self, skus) -> dict[str, list[str]]:
        by_seller: dict[str, list[str]] = defaultdict(list)
        for sku in sorted(skus):
            by_seller[self.products[sku].seller_id].append(sku)
        return dict(sorted(by_seller.items()))


def _load_cart(
    session: Session, request: CheckoutRequest, customer_id: str | None, lines_hash: str
) -> Cart:
    skus = sorted({line.sku for line in request.lines})
    params = {"skus": skus, "customer_id": customer_id, "lines_hash": lines_hash}
    rows = checkout_sql.CART.rows(session.connection(), params)
    if rows and rows[0].payment_hold_minutes is not None:
        hold, window = rows[0].payment_hold_minutes, rows[0].duplicate_window_minutes
    else:  # no product found, or the policy row not created yet
        policy = get_policy(session)
        hold, window = policy.payment_hold_minutes, policy.duplicate_window_minutes
    return Cart(
        products={row.sku: checkout_sql.cart_product(row) for row in rows},
        sellers={seller.id: seller for seller in map(checkout_sql.cart_seller, rows)},
        available={row.sku: row.available or 0 for row in rows},
        payment_hold=timedelta(minutes=hold),
        duplicate_window=timedelta(minutes=window),
        same_cart=(rows[0].same_cart_id, rows[0].same_cart_at)
        if rows and rows[0].same_cart_id
        else None,
    )


@dataclass
class CheckoutPlan:
    """The rows one checkout writes and the answer it gives, all decided in Python
    before the first write, so each table gets one multi-row INSERT."""

    checkout: dict[str, Any]
    orders: list[dict[str, Any]]
    lines: list[dict[str, Any]]
    events: list[dict[str, Any]]
    quantities: dict[str, int]
    body: dict[str, Any]

    @classmethod
    def build(
        cls, *, actor, cart, quantities, prices, service_level, address, placed_at, duplicate_of
    ) -> CheckoutPlan:
        products = cart.products
        currency = next(iter(products.values())).currency
        checkout = {
            "id": new_id("chk"),
            "customer_id": actor.customer_id,
            "currency": currency,
            "total_minor": sum(price.total_minor for price in prices.values()),
            "service_level": service_level,
            "created_at": placed_at,
            "hold_expires_at": placed_at + cart.payment_hold,
            **_ship_to(address),
        }
        orders, lines, events = [], [], []
        for seller_id, skus in cart.skus_by_seller(quantities).items():
            price = prices[seller_id]
            order = {
                "id": new_id("ord"),
                "number": new_order_number(),
                "checkout_id": checkout["id"],
                "seller_id": seller_id,
                "customer_id": actor.customer_id,
                "customer_email": actor.email,
                "status": OrderStatus.PENDING_PAYMENT,
                "currency": currency,
                "subtotal_minor": price.subtotal_minor,
                "shipping_minor": price.shipping_minor,
                "total_minor": price.total_minor,
                "service_level": service_level,
                "estimated_delivery": price.estimated_delivery,
                "review_reason": ReviewReason.DUPLICATE if duplicate_of else None,
                "stock_status": StockStatus.HELD,
                "placed_at": placed_at,
                "updated_at": placed_at,
                **_ship_to(address),
            }
            orders.append(order)
            order["lines"] = [
                {
                    "id": new_id("oln"),
                    "order_id": order["id"],
                    "seller_id": seller_id,
                    "sku": sku,
                    "title": products[sku].title,
                    "quantity": quantities[sku],
                    "unit_price_minor": products[sku].price_minor,
                    "line_total_minor": products[sku].price_minor * quantities[sku],
                    "kind": products[sku].kind,
                    "placed_at": placed_at,
                }
                for sku in skus
            ]
            lines.extend(order["lines"])
            events.append(
                event_row(
                    order["id"],
                    seller_id,
                    "order.placed",
                    by=By.person(actor),
                    at=placed_at,
                    move=(None, OrderStatus.PENDING_PAYMENT),
                    note="items held for you until the payment is verified",
                    data={"checkout_id": checkout["id"], "service_level": service_level},
                )
            )
            if duplicate_of:
                events.append(
                    event_row(
                        order["id"],
                        seller_id,
                        "order.flagged",
                        by=OMS,
                        at=placed_at,
                        note="same lines as an order placed minutes earlier: held for review",
                        data={"reason": "duplicate", "duplicate_of": duplicate_of},
                    )
                )
        plan = cls(checkout, orders, lines, events, dict(quantities), body={})
        plan.body = checkout_body(plan)
        return plan

    def checkout_row(self, **identity: str) -> dict[str, Any]:
        return {**self.checkout, **identity, "response": self.body}

    def order_rows(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in order.items() if k != "lines"} for order in self.orders]

    def line_rows(self) -> list[dict[str, Any]]:
        return self.lines

    def event_rows(self) -> list[dict[str, Any]]:
        return self.events


def checkout_body(plan: CheckoutPlan) -> dict[str, Any]:
    """The API's answer for a checkout, stored so a replay returns it verbatim."""
    cur = plan.checkout["currency"]
    return {
        "checkout_id": plan.checkout["id"],
        "status": CheckoutStatus.PENDING_PAYMENT.value,
        "currency": cur,
        "total": format_minor(plan.checkout["total_minor"], cur),
        "orders": [
            {
                "id": order["id"],
                "number": order["number"],
                "seller_id": order["seller_id"],
                "status": order["status"].value,
                "subtotal": format_minor(order["subtotal_minor"], cur),
                "shipping_cost": format_minor(order["shipping_minor"], cur),
                "total": format_minor(order["total_minor"], cur),
                "estimated_delivery": order["estimated_delivery"].isoformat()
                if order["estimated_delivery"]
                else None,
                "review_reason": order["review_reason"],
                "lines": [
                    {
                        "sku": line["sku"],
                        "quantity": line["quantity"],
                        "unit_price": format_minor(line["unit_price_minor"], cur),
                        "line_total": format_minor(line["line_total_minor"], cur),
                    }
                    for line in order["lines"]
                ],
            }
            for order in plan.orders
        ],
    }


def _find_by_key(session: Session, customer_id: str | None, key: str) -> Any | None:
    """The checkout this customer placed with ``key``: its id, request_hash and response."""
    params = {"customer_id": customer_id, "key": key}
    return checkout_sql.BY_KEY.first(session.connection(), params)


def _replay(earlier: Any, fingerprint: str) -> CheckoutResult:
    if earlier.request_hash != fingerprint:
        raise Conflict(
            "this Idempotency-Key was used for a different checkout; use a new key",
            type="idempotency-key-reused",
            checkout_id=earlier.id,
        )
    return CheckoutResult(body=earlier.response or {}, replayed=True)


def _claim_key(session: Session, checkout: dict[str, Any]) -> bool:
    """Insert the checkout, taking its key; False if another request holds the key.

    On PostgreSQL the insert waits for a concurrent transaction holding the same key,
    so after it commits the loser reads the winner's row.
    """
    return bool(checkout_sql.CLAIM.run(session.connection(), [checkout]))


def _validate(request: CheckoutRequest, cart: Cart) -> Address:
    errors: list[dict[str, str]] = []
    if not request.lines:
        errors.append({"field": "lines", "message": "must contain at least one line"})
    if len(request.lines) > MAX_LINES:
        errors.append({"field": "lines", "message": f"must have at most {MAX_LINES} lines"})
    for i, line in enumerate(request.lines):
        if not 1 <= line.quantity <= MAX_QUANTITY:
            errors.append(
                {"field": f"lines[{i}].quantity", "message": f"must be from 1 to {MAX_QUANTITY}"}
            )
    products = cart.products
    for i, line in enumerate(request.lines):
        product = products.get(line.sku)
        if product is None or not product.active:
            errors.append(
                {"field": f"lines[{i}].sku", "message": f"no product {line.sku!r} for sale"}
            )
    currencies = sorted({p.currency for p in products.values()})
    if len(currencies) > 1:
        errors.append(
            {
                "field": "lines",
                "message": f"all lines must be in one currency; found {', '.join(currencies)}",
            }
        )
    if request.service_level not in SERVICE_LEVELS:
        errors.append({"field": "service_level", "message": "must be standard or express"})
    address = None
    try:
        address = validate_address(request.shipping_address)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    if address is not None and request.service_level in SERVICE_LEVELS:
        errors.extend(delivery_restrictions(address, service_level=request.service_level))
    if errors:
        raise ValidationFailed(errors)
    return address


def _refuse_suspended(request: CheckoutRequest, cart: Cart) -> None:
    """A suspended seller takes no new orders: the first such line (in the cart's
    order) is named."""
    for line in request.lines:
        product = cart.products[line.sku]
        seller = cart.sellers[product.seller_id]
        if seller.suspended_at is not None:
            raise SellerSuspended(sku=product.sku, title=product.title, seller_name=seller.name)


def _refuse_short(session: Session, request: CheckoutRequest, cart: Cart) -> None:
    """Stock already short as read: refused before anything is written. (The hold
    itself decides; this only spares a sold-out product's buyers the writes.)"""
    for sku, quantity in sorted(request.merged_quantities().items()):
        if cart.available[sku] < quantity:
            _refuse_for_stock(session, sku, quantity, cart.products[sku], cart.available[sku])


def _price_all(request: CheckoutRequest, cart: Cart, address: Address) -> dict[str, ShipmentPrice]:
    """Price every seller's shipment; collect every refusal before answering."""
    quantities = request.merged_quantities()
    line_index = {line.sku: i for i, line in reversed(list(enumerate(request.lines)))}
    prices: dict[str, ShipmentPrice] = {}
    errors: list[dict[str, str]] = []
    placed_at = utcnow()
    for seller_id, skus in cart.skus_by_seller(quantities).items():
        try:
            prices[seller_id] = price_shipment(
                seller=cart.sellers[seller_id],
                lines=[(line_index[sku], cart.products[sku], quantities[sku]) for sku in skus],
                destination=address,
                service_level=request.service_level,
                placed_at=placed_at,
            )
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return prices


def _reserve_all(session: Session, quantities: dict[str, int], cart: Cart) -> None:
    for sku in sorted(quantities):
        product = cart.products[sku]
        level = stock.reserve(session, sku, quantities[sku])
        if level is None:
            _refuse_for_stock(session, sku, quantities[sku], product)
        threshold = cart.sellers[product.seller_id].low_stock_threshold
        stock.note_level(session, level, threshold=threshold, title=product.title)


def _refuse_for_stock(
    session: Session, sku: str, requested: int, product: Columns, available: int | None = None
) -> None:
    if available is None:
        row = session.exec(
            select(Inventory).where(Inventory.sku == sku).execution_options(populate_existing=True)
        ).first()
        available = row.available if row else 0
    raise Conflict(
        f"only {max(available, 0)} of {sku} available; {requested} requested",
        type="insufficient-inventory",
        sku=sku,
        requested=requested,
        available=max(available, 0),
        alternatives=suggest_alternatives(session, product, requested),
    )


def _ship_to(address: Address) -> dict[str, Any]:
    return {
        "ship_name": address.name,
        "ship_line1": address.line1,
        "ship_line2": address.line2,
        "ship_city": address.city,
        "ship_region": address.region,
        "ship_postal_code": address.postal_code,
        "ship_country": address.country,
    }
