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
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from oms_dashboard.domain.money import format_minor
from oms_dashboard.domain.review import ReviewReason
from oms_dashboard.domain.standing import SellerSuspended
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.domain.stock import StockStatus
from oms_dashboard.ids import new_id, new_order_number
from oms_dashboard.models import Checkout, Order, OrderLine, Product, Seller
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import stock
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.addresses import Address, delivery_restrictions, validate_address
from oms_dashboard.services.alternatives import suggest_alternatives
from oms_dashboard.services.errors import Conflict, ValidationFailed
from oms_dashboard.services.policies import get_policy
from oms_dashboard.services.pricing import ShipmentPrice, price_shipment
from oms_dashboard.services.timeline import OMS, By, record_event
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
    fingerprint = request.fingerprint()
    earlier = _find_by_key(session, actor.customer_id, key)
    if earlier is not None:
        return _replay(earlier, fingerprint)

    products, address = _validate(session, request)
    quantities = request.merged_quantities()
    by_seller: dict[str, list[str]] = defaultdict(list)
    for sku in quantities:
        by_seller[products[sku].seller_id].append(sku)
    sellers = {s.id: s for s in session.exec(select(Seller).where(Seller.id.in_(by_seller))).all()}
    _refuse_suspended(request, products, sellers)
    prices = _price_all(request, products, quantities, by_seller, sellers, address)

    now = utcnow()
    policy = get_policy(session)
    currency = next(iter(products.values())).currency
    checkout = Checkout(
        id=new_id("chk"),
        customer_id=actor.customer_id,
        idempotency_key=key,
        request_hash=fingerprint,
        currency=currency,
        total_minor=sum(price.total_minor for price in prices.values()),
        service_level=request.service_level,
        created_at=now,
        hold_expires_at=now + timedelta(minutes=policy.payment_hold_minutes),
        **_ship_to(address),
    )
    claimed = _claim_key(session, checkout)
    if claimed is not None:
        return _replay(claimed, fingerprint)

    _reserve_all(session, quantities, products)
    duplicate_of = _find_duplicate(
        session, actor, checkout, quantities, policy.duplicate_window_minutes
    )
    orders = []
    for seller_id in sorted(by_seller):
        orders.append(
            _create_order(
                session,
                actor=actor,
                checkout=checkout,
                seller=sellers[seller_id],
                skus=sorted(by_seller[seller_id]),
                products=products,
                quantities=quantities,
                price=prices[seller_id],
                duplicate_of=duplicate_of,
            )
        )
    stock.note_stock_levels(session, quantities)
    body = checkout_body(checkout, orders, session)
    checkout.response = body
    session.add(checkout)
    return CheckoutResult(body=body, order_ids=[o.id for o in orders])


def checkout_body(checkout: Checkout, orders: list[Order], session: Session) -> dict[str, Any]:
    """The API's answer for a checkout, stored so a replay returns it verbatim."""
    lines = session.exec(
        select(OrderLine)
        .where(OrderLine.order_id.in_([o.id for o in orders]))
        .order_by(OrderLine.sku)
    ).all()
    cur = checkout.currency
    return {
        "checkout_id": checkout.id,
        "status": checkout.status,
        "currency": cur,
        "total": format_minor(checkout.total_minor, cur),
        "orders": [
            {
                "id": order.id,
                "number": order.number,
                "seller_id": order.seller_id,
                "status": order.status,
                "subtotal": format_minor(order.subtotal_minor, cur),
                "shipping_cost": format_minor(order.shipping_minor, cur),
                "total": format_minor(order.total_minor, cur),
                "estimated_delivery": order.estimated_delivery.isoformat()
                if order.estimated_delivery
                else None,
                "review_reason": order.review_reason,
                "lines": [
                    {
                        "sku": line.sku,
                        "quantity": line.quantity,
                        "unit_price": format_minor(line.unit_price_minor, cur),
                        "line_total": format_minor(line.line_total_minor, cur),
                    }
                    for line in lines
                    if line.order_id == order.id
                ],
            }
            for order in orders
        ],
    }


def _find_by_key(session: Session, customer_id: str | None, key: str) -> Checkout | None:
    return session.exec(
        select(Checkout).where(Checkout.customer_id == customer_id, Checkout.idempotency_key == key)
    ).first()


def _replay(earlier: Checkout, fingerprint: str) -> CheckoutResult:
    if earlier.request_hash != fingerprint:
        raise Conflict(
            "this Idempotency-Key was used for a different checkout; use a new key",
            type="idempotency-key-reused",
            checkout_id=earlier.id,
        )
    return CheckoutResult(body=earlier.response or {}, replayed=True)


def _claim_key(session: Session, checkout: Checkout) -> Checkout | None:
    """Insert the checkout, taking its key; if a concurrent request took it, return theirs.

    On PostgreSQL the insert waits for the other transaction on the unique
    index, so the loser sees the winner's committed row.
    """
    try:
        with session.begin_nested():
            session.add(checkout)
            session.flush()
    except sa.exc.IntegrityError:
        winner = _find_by_key(session, checkout.customer_id, checkout.idempotency_key)
        if winner is None:
            raise
        return winner
    return None


def _validate(session: Session, request: CheckoutRequest) -> tuple[dict[str, Product], Address]:
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
    skus = sorted({line.sku for line in request.lines})
    products = {p.sku: p for p in session.exec(select(Product).where(Product.sku.in_(skus))).all()}
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
    return products, address


def _refuse_suspended(
    request: CheckoutRequest, products: dict[str, Product], sellers: dict[str, Seller]
) -> None:
    """A suspended seller takes no new orders: the first such line (in the cart's
    order) is named. The sellers are already loaded for pricing: no query of its own."""
    for line in request.lines:
        seller = sellers[products[line.sku].seller_id]
        if seller.suspended_at is not None:
            product = products[line.sku]
            raise SellerSuspended(sku=product.sku, title=product.title, seller_name=seller.name)


def _price_all(
    request, products, quantities, by_seller, sellers, address
) -> dict[str, ShipmentPrice]:
    """Price every seller's shipment; collect every refusal before answering."""
    line_index = {line.sku: i for i, line in reversed(list(enumerate(request.lines)))}
    prices: dict[str, ShipmentPrice] = {}
    errors: list[dict[str, str]] = []
    for seller_id, skus in sorted(by_seller.items()):
        try:
            prices[seller_id] = price_shipment(
                seller=sellers[seller_id],
                lines=[(line_index[sku], products[sku], quantities[sku]) for sku in sorted(skus)],
                destination=address,
                service_level=request.service_level,
                placed_at=utcnow(),
            )
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return prices


def _reserve_all(
    session: Session, quantities: dict[str, int], products: dict[str, Product]
) -> None:
    for sku in sorted(quantities):
        if not stock.reserve(session, sku, quantities[sku]):
            _refuse_for_stock(session, sku, quantities[sku], products[sku])


def _refuse_for_stock(session: Session, sku: str, requested: int, product: Product) -> None:
    from oms_dashboard.models import Inventory

    row = session.exec(
        select(Inventory).where(Inventory.sku == sku).execution_options(populate_existing=True)
    ).first()
    available = max(row.available, 0) if row else 0
    raise Conflict(
        f"only {available} of {sku} available; {requested} requested",
        type="insufficient-inventory",
        sku=sku,
        requested=requested,
        available=available,
        alternatives=suggest_alternatives(session, product, requested),
    )


def _find_duplicate(
    session: Session, actor: Actor, checkout: Checkout, quantities: dict[str, int], minutes: int
) -> str | None:
    """The same customer, the same lines, minutes ago, under another key."""
    since = checkout.created_at - timedelta(minutes=minutes)
    recent = session.exec(
        select(Checkout.id)
        .where(
            Checkout.customer_id == actor.customer_id,
            Checkout.id != checkout.id,
            Checkout.created_at >= since,
        )
        .order_by(Checkout.created_at.desc())
    ).all()
    for checkout_id in recent:
        rows = session.exec(
            select(OrderLine.sku, sa.func.sum(OrderLine.quantity))
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.checkout_id == checkout_id)
            .group_by(OrderLine.sku)
        ).all()
        if dict(rows) == quantities:
            return checkout_id
    return None


def _create_order(
    session: Session,
    *,
    actor: Actor,
    checkout: Checkout,
    seller: Seller,
    skus: list[str],
    products: dict[str, Product],
    quantities: dict[str, int],
    price: ShipmentPrice,
    duplicate_of: str | None,
) -> Order:
    order = Order(
        id=new_id("ord"),
        number=new_order_number(),
        checkout_id=checkout.id,
        seller_id=seller.id,
        customer_id=checkout.customer_id,
        customer_email=actor.email,
        status=OrderStatus.PENDING_PAYMENT,
        currency=checkout.currency,
        subtotal_minor=price.subtotal_minor,
        shipping_minor=price.shipping_minor,
        total_minor=price.total_minor,
        service_level=checkout.service_level,
        estimated_delivery=price.estimated_delivery,
        review_reason=ReviewReason.DUPLICATE if duplicate_of else None,
        stock_status=StockStatus.HELD,
        placed_at=checkout.created_at,
        updated_at=checkout.created_at,
        **{k: getattr(checkout, k) for k in _SHIP_TO_FIELDS},
    )
    session.add(order)
    session.flush()
    for sku in skus:
        product = products[sku]
        session.add(
            OrderLine(
                id=new_id("oln"),
                order_id=order.id,
                seller_id=seller.id,
                sku=sku,
                title=product.title,
                quantity=quantities[sku],
                unit_price_minor=product.price_minor,
                line_total_minor=product.price_minor * quantities[sku],
                kind=product.kind,
            )
        )
    record_event(
        session,
        order,
        "order.placed",
        by=By.person(actor),
        at=checkout.created_at,
        move=(None, OrderStatus.PENDING_PAYMENT),
        note="items held for you until the payment is verified",
        data={"checkout_id": checkout.id, "service_level": checkout.service_level},
    )
    if duplicate_of:
        record_event(
            session,
            order,
            "order.flagged",
            by=OMS,
            at=checkout.created_at,
            note="same lines as an order placed minutes earlier: held for review",
            data={"reason": "duplicate", "duplicate_of": duplicate_of},
        )
    return order


_SHIP_TO_FIELDS = (
    "ship_name",
    "ship_line1",
    "ship_line2",
    "ship_city",
    "ship_region",
    "ship_postal_code",
    "ship_country",
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
