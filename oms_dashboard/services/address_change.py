"""Changing where an unshipped order goes: validated and priced as at checkout, the
shipping difference charged or refunded, the seller told.

The rules are ``domain.address_change``; the address is validated by checkout's own
``services.addresses`` and shipping priced by its ``services.pricing.price_shipment``
(cost and delivery date, from the same calendar), with the order's lines at the prices
paid.

How the money stays right (what the order's amounts mean):

- ``order.shipping_minor`` and ``order.total_minor`` are what the customer was *charged*
  for the order: the checkout's authorization share plus every extra charge
  (``order_charges``). So what was paid (``refunds.paid_minor``) is the order's total,
  as before, and includes the charges.
- Dearer: the difference is charged through the payment provider *before* anything
  changes (outside any transaction, idempotent by a key of the order, the change's
  number, the address and the amount); taken, the order's shipping and total grow by it
  and an ``OrderCharge`` row records it (its own line on the invoice). Declined: nothing
  changes, the answer says why.
- Cheaper: the order's shipping and total stay what was charged; the difference is a
  refund (``address-change-difference``, approved automatically, a shipping refund) paid
  through the provider like any other. The invoice lists it, "what's left to refund"
  subtracts it like any refund, so neither counts it twice.
- What shipping costs the customer now (the base of the next change's difference) is
  the shipping charged minus these address-change refunds.

The promised delivery date is estimated again from when the order was placed (the
seller's handling clock does not restart), or from now when that date has passed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from oms_dashboard.domain.address_change import (
    AddressChangeDecision,
    Settlement,
    check_address_change,
    decide_address_change,
)
from oms_dashboard.domain.errors import DomainError
from oms_dashboard.domain.money import format_minor
from oms_dashboard.domain.refunds import RefundCause, RefundRule, RefundStatus
from oms_dashboard.domain.tracking import ShipmentDirection
from oms_dashboard.ids import new_id
from oms_dashboard.models import (
    Order,
    OrderCharge,
    OrderEvent,
    OrderLine,
    Product,
    Refund,
    Seller,
    Shipment,
)
from oms_dashboard.models.base import utcnow
from oms_dashboard.payments.provider import PaymentProvider, ProviderRefused, ProviderUnavailable
from oms_dashboard.services import locks
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.addresses import Address, delivery_restrictions, validate_address
from oms_dashboard.services.audit import record_audit
from oms_dashboard.services.errors import Conflict, NotFound, ServiceError, ValidationFailed
from oms_dashboard.services.orders import scoped_orders
from oms_dashboard.services.outbox import MessageKind, add_message
from oms_dashboard.services.pricing import price_shipment
from oms_dashboard.services.refunds import start_refund
from oms_dashboard.services.timeline import By, record_event
from oms_dashboard.services.unit_of_work import run_in_transaction

CHANGED_EVENT = "order.address_changed"
FIELD = "shipping_address"
WHO = (Role.CUSTOMER, Role.SUPPORT, Role.ADMIN)


class ChargeDeclined(ServiceError):
    """The provider would not take the difference: nothing changed."""

    status, type, title = 402, "charge-declined", "Payment declined"


class PaymentUnavailable(ServiceError):
    status, type, title = 503, "payment-provider-unavailable", "Payment provider unavailable"


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


@dataclass(frozen=True)
class AddressChangeOutcome:
    quote: AddressQuote
    order: Order
    refund: Refund | None = None
    charge: OrderCharge | None = None
    event_id: str | None = field(default=None)


# -- preview ---------------------------------------------------------------------------


def preview_address_change(
    session: Session, *, actor: Actor, order_id: str, shipping_address: Mapping[str, Any]
) -> AddressQuote:
    """The new cost, difference and date; changes nothing. Refusals as ``apply``'s."""
    actor.require(*WHO)
    return _quote(session, actor, order_id, shipping_address, lock=False)


# -- apply -----------------------------------------------------------------------------


def apply_address_change(
    engine: Engine,
    *,
    actor: Actor,
    order_id: str,
    shipping_address: Mapping[str, Any],
    provider: PaymentProvider,
) -> AddressChangeOutcome:
    """Send the order to ``shipping_address``: 422 per field for a bad address, 409 with
    the rule when refused, 402 when the provider declines the difference (nothing
    changes), 503 when it does not answer (nothing changes)."""
    actor.require(*WHO)
    quote = run_in_transaction(
        engine, lambda s: _quote(s, actor, order_id, shipping_address, lock=False)
    )
    taken = _charge(provider, quote) if quote.settlement is Settlement.CHARGE else None
    outcome = run_in_transaction(
        engine, lambda s: _apply(s, actor, order_id, shipping_address, quote, taken)
    )
    if outcome.event_id is None:  # the charge was taken, then the order changed under it
        raise Conflict(
            "the order changed while the difference was being charged; the charge is "
            "refunded: look at the order again and ask for the change again",
            type="address-change-stale",
            reason="order-changed",
        )
    return outcome


def _charge(provider: PaymentProvider, quote: AddressQuote) -> tuple[str, str]:
    """(key, provider charge id) once the provider took the difference."""
    order, key = quote.order, quote.charge_key()
    amount = format_minor(quote.difference_minor, quote.currency)
    try:
        taken = provider.charge(
            order.checkout_id, amount, quote.currency, idempotency_key=key, order_id=order.id
        )
    except ProviderRefused as exc:
        raise ChargeDeclined(
            f"the payment provider declined the {amount} {quote.currency} the new address "
            f"costs more: {exc.reason}; the address is unchanged",
            reason="charge-declined",
        ) from None
    except ProviderUnavailable:
        raise PaymentUnavailable(
            "the payment provider did not answer; the address is unchanged: try again"
        ) from None
    if taken.status != "succeeded":
        raise ChargeDeclined(
            f"the payment provider reports the charge {taken.status}; the address is unchanged",
            reason="charge-declined",
        )
    return key, taken.id


def _apply(
    session: Session,
    actor: Actor,
    order_id: str,
    raw: Mapping[str, Any],
    asked: AddressQuote,
    taken: tuple[str, str] | None,
) -> AddressChangeOutcome:
    try:
        quote = _quote(session, actor, order_id, raw, lock=True)
        same = quote.charge_key() == asked.charge_key()
    except (DomainError, ServiceError):
        if taken is None:
            raise
        same = False  # refused now (a label bought meanwhile): the charge goes back
    if not same:
        if taken is None:
            raise Conflict(
                "the order changed meanwhile: look at the new price and ask again",
                type="address-change-stale",
                reason="order-changed",
            )
        return _give_back(session, actor, asked, taken)
    return _change(session, actor, quote, taken)


def _change(
    session: Session, actor: Actor, quote: AddressQuote, taken: tuple[str, str] | None
) -> AddressChangeOutcome:
    order = quote.order
    before = _audit_view(order)
    previous = _place_words(order)
    _ship_to(order, quote.address)
    order.estimated_delivery = quote.estimated_delivery
    order.updated_at = utcnow()
    charge = refund = None
    if quote.settlement is Settlement.CHARGE:
        charge = _record_charge(session, actor, order, quote.difference_minor, taken)
    session.add(order)
    session.flush()
    if quote.settlement is Settlement.REFUND:
        refund = start_refund(
            session,
            order,
            cause=RefundCause.ADDRESS_CHANGE,
            reason="Address change: the new address costs less to ship to",
            actor=actor,
            amount_minor=-quote.difference_minor,
        )
        refund.shipping_minor = refund.amount_minor  # shipping given back, not goods
        session.add(refund)
    cur = order.currency
    event = record_event(
        session,
        order,
        CHANGED_EVENT,
        by=By.person(actor),
        note=(
            f"delivery address changed from {previous} to {_place_words(order)}; shipping "
            f"{format_minor(quote.shipping_before_minor, cur)} → "
            f"{format_minor(quote.shipping_after_minor, cur)} {cur}; "
            f"expected {quote.estimated_delivery:%d %b %Y}. {quote.decision.reason}"
        ),
        data={
            "settlement": quote.settlement.value,
            "difference_minor": quote.difference_minor,
            "shipping_before_minor": quote.shipping_before_minor,
            "shipping_after_minor": quote.shipping_after_minor,
            "estimated_delivery": quote.estimated_delivery.isoformat(),
            "previous_estimated_delivery": quote.previous_estimated_delivery.isoformat()
            if quote.previous_estimated_delivery
            else None,
            "refund_id": refund.id if refund else None,
            "charge_id": charge.id if charge else None,
        },
    )
    record_audit(
        session,
        actor=actor,
        action="order.address_change",
        entity_type="order",
        entity_id=order.id,
        before=before,
        after={
            **_audit_view(order),
            "refund_id": refund.id if refund else None,
            "charge_id": charge.id if charge else None,
        },
    )
    add_message(
        session,
        kind=MessageKind.SELLER_ADDRESS_CHANGE,
        dedupe_key=f"seller-address-change:{event.id}",
        payload={"order_id": order.id, "event_id": event.id},
    )
    return AddressChangeOutcome(quote, order, refund=refund, charge=charge, event_id=event.id)


def _give_back(
    session: Session, actor: Actor, asked: AddressQuote, taken: tuple[str, str]
) -> AddressChangeOutcome:
    """The charge was taken but the change no longer applies: record what was taken and
    refund it, so the money is right; the caller answers 409."""
    order = locks.lock_orders(session, ids=[asked.order.id])[0]
    _record_charge(session, actor, order, asked.difference_minor, taken)
    session.add(order)
    session.flush()
    refund = start_refund(
        session,
        order,
        cause=RefundCause.ADDRESS_CHANGE,
        reason="Address change not made: the extra shipping charged is given back",
        actor=actor,
        amount_minor=asked.difference_minor,
    )
    refund.shipping_minor = refund.amount_minor
    session.add(refund)
    return AddressChangeOutcome(asked, order, refund=refund)


def _record_charge(
    session: Session, actor: Actor, order: Order, amount: int, taken: tuple[str, str] | None
) -> OrderCharge:
    key, provider_id = taken or ("", "")
    existing = session.exec(select(OrderCharge).where(OrderCharge.idempotency_key == key)).first()
    if existing is not None:  # a retry of a change whose charge is already recorded
        return existing
    charge = OrderCharge(
        id=new_id("chg"),
        order_id=order.id,
        seller_id=order.seller_id,
        amount_minor=amount,
        currency=order.currency,
        cause="address_change",
        description="Extra shipping to the new delivery address",
        idempotency_key=key,
        provider_charge_id=provider_id,
        charged_by=actor.user_id,
    )
    order.shipping_minor += amount
    order.total_minor += amount
    session.add(charge)
    return charge


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


# -- the quote -------------------------------------------------------------------------


def _quote(
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


def _ship_to(order: Order, address: Address) -> None:
    order.ship_name = address.name
    order.ship_line1 = address.line1
    order.ship_line2 = address.line2
    order.ship_city = address.city
    order.ship_region = address.region
    order.ship_postal_code = address.postal_code
    order.ship_country = address.country


def _place_words(order: Order) -> str:
    """Where, without the street or the name (the timeline is read by the seller too)."""
    parts = [order.ship_city, order.ship_region, order.ship_postal_code, order.ship_country]
    return " ".join(p for p in parts if p)


def _audit_view(order: Order) -> dict[str, Any]:
    """The audit row's before/after: amounts, date and place, no street or name."""
    return {
        "place": _place_words(order),
        "shipping_minor": order.shipping_minor,
        "total_minor": order.total_minor,
        "estimated_delivery": order.estimated_delivery.isoformat()
        if order.estimated_delivery
        else None,
    }
