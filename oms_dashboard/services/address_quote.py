"""What changing an order's delivery address would come to, before anything changes:
the address validated as at checkout (``services.addresses``), shipping priced and dated
by checkout's ``services.pricing.price_shipment`` with the lines at the prices paid, the
difference against what shipping costs the customer now (``domain.address_change``).
``services.address_change`` makes the change."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, func, select

from oms_dashboard.domain.address_change import (
    AddressChangeDecision,
    Settlement,
    check_address_change,
    decide_address_change,
)
from oms_dashboard.domain.errors import DomainError
from oms_dashboard.domain.refunds import RefundRule, RefundStatus
from oms_dashboard.domain.tracking import ShipmentDirection
from oms_dashboard.models import Order, OrderEvent, OrderLine, Product, Refund, Seller, Shipment
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import locks
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.addresses import Address, delivery_restrictions, validate_address
from oms_dashboard.services.errors import NotFound, ValidationFailed
from oms_dashboard.services.orders import scoped_orders
from oms_dashboard.services.pricing import price_shipment

CHANGED_EVENT = "order.address_changed"
FIELD = "shipping_address"


@dataclass(frozen=True)
class AddressQuote:
    """What changing to ``address`` comes to, before anything changes."""

    order: Order
    address: Address
    shipping_before_minor: int
    """What shipping costs the customer now: charged, minus address-change refunds."""
    shipping_after_minor: int
    estimated_delivery: date
    previous_estimated_delivery: date | None
    decision: AddressChangeDecision
    changes_before: int
    """Address changes already made to the order (part of the charge's key)."""

    @property
    def currency(self) -> str:
        return self.order.currency

    @property
    def difference_minor(self) -> int:
        return self.decision.difference_minor

    @property
    def settlement(self) -> Settlement:
        return self.decision.settlement

    def charge_key(self) -> str:
        """The same change asked again gets the same key: the provider charges once."""
        raw = json.dumps(
            [self.order.id, self.changes_before, self.address.to_dict(), self.difference_minor],
            sort_keys=True,
        )
        return "adc_" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def changeable(session: Session, order: Order) -> bool:
    """The rules would let the order go to another address in its country now."""
    try:
        check_address_change(
            order.status,
            paid=order.paid_at is not None,
            label_bought=_label_bought(session, order),
            old_country=order.ship_country,
            new_country=order.ship_country,
        )
    except DomainError:
        return False
    return True


def quote_address_change(
    session: Session, actor: Actor, order_id: str, raw: Mapping[str, Any], *, lock: bool
) -> AddressQuote:
    order = _visible_order(session, actor, order_id, lock=lock)
    label_bought = _label_bought(session, order)
    paid = order.paid_at is not None
    # The order's state first: a shipped order is refused whatever address is typed.
    check_address_change(
        order.status,
        paid=paid,
        label_bought=label_bought,
        old_country=order.ship_country,
        new_country=order.ship_country,
    )
    if not isinstance(raw, Mapping):
        raise ValidationFailed.one(FIELD, "must be an address object")
    address = validate_address(raw, field_prefix=FIELD)
    check_address_change(
        order.status,
        paid=paid,
        label_bought=label_bought,
        old_country=order.ship_country,
        new_country=address.country,
    )
    errors = delivery_restrictions(address, service_level=order.service_level, field_prefix=FIELD)
    if errors:
        raise ValidationFailed(errors)
    seller = session.get(Seller, order.seller_id)
    price = price_shipment(
        seller=seller,
        lines=_lines_as_paid(session, order),
        destination=address,
        service_level=order.service_level,
        placed_at=order.placed_at,
    )
    estimated = price.estimated_delivery
    if estimated < utcnow().date():
        estimated = price_shipment(
            seller=seller,
            lines=_lines_as_paid(session, order),
            destination=address,
            service_level=order.service_level,
            placed_at=utcnow(),
        ).estimated_delivery
    before = shipping_now(session, order)
    return AddressQuote(
        order=order,
        address=address,
        shipping_before_minor=before,
        shipping_after_minor=price.shipping_minor,
        estimated_delivery=estimated,
        previous_estimated_delivery=order.estimated_delivery,
        decision=decide_address_change(
            old_shipping_minor=before,
            new_shipping_minor=price.shipping_minor,
            currency=order.currency,
        ),
        changes_before=_changes_so_far(session, order),
    )


def shipping_now(session: Session, order: Order) -> int:
    """What shipping costs the customer now: the shipping charged (checkout's share
    plus extra charges) minus the address-change refunds not rejected."""
    given_back = session.exec(
        select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
            Refund.order_id == order.id,
            Refund.rule == RefundRule.ADDRESS_CHANGE_DIFFERENCE,
            Refund.status != RefundStatus.REJECTED,
        )
    ).one()
    return order.shipping_minor - int(given_back or 0)


def _visible_order(session: Session, actor: Actor, order_id: str, *, lock: bool) -> Order:
    if lock:
        found = locks.lock_orders(session, ids=[order_id])
        visible = session.exec(scoped_orders(actor).where(Order.id == order_id)).first()
        if found and visible is not None:
            return found[0]
    else:
        visible = session.exec(scoped_orders(actor).where(Order.id == order_id)).first()
        if visible is not None:
            return visible
    raise NotFound(f"no order {order_id!r}")


def _label_bought(session: Session, order: Order) -> bool:
    return (
        session.exec(
            select(Shipment.id).where(
                Shipment.order_id == order.id,
                Shipment.direction == ShipmentDirection.OUTBOUND,
            )
        ).first()
        is not None
    )


def _lines_as_paid(session: Session, order: Order) -> list[tuple[int, Product, int]]:
    """The order's lines as ``price_shipment`` takes them, at the unit prices paid (a
    price change since checkout must not move the free-shipping threshold)."""
    lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
    ).all()
    products = {
        p.sku: p
        for p in session.exec(select(Product).where(Product.sku.in_([x.sku for x in lines])))
    }
    return [
        (
            i,
            products[line.sku].model_copy(update={"price_minor": line.unit_price_minor}),
            line.quantity,
        )
        for i, line in enumerate(lines)
    ]


def _changes_so_far(session: Session, order: Order) -> int:
    return session.exec(
        select(func.count())
        .select_from(OrderEvent)
        .where(OrderEvent.order_id == order.id, OrderEvent.type == CHANGED_EVENT)
    ).one()
