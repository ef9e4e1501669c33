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

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from oms_dashboard.domain.address_change import Settlement
from oms_dashboard.domain.errors import DomainError
from oms_dashboard.domain.money import format_minor
from oms_dashboard.domain.refunds import RefundCause
from oms_dashboard.ids import new_id
from oms_dashboard.models import Order, OrderCharge, Refund
from oms_dashboard.models.base import utcnow
from oms_dashboard.payments.provider import PaymentProvider, ProviderRefused, ProviderUnavailable
from oms_dashboard.services import locks
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.address_quote import (
    CHANGED_EVENT,
    FIELD,
    AddressQuote,
    changeable,
    quote_address_change,
    shipping_now,
)
from oms_dashboard.services.addresses import Address
from oms_dashboard.services.audit import record_audit
from oms_dashboard.services.errors import Conflict, ServiceError
from oms_dashboard.services.outbox import MessageKind, add_message
from oms_dashboard.services.refunds import start_refund
from oms_dashboard.services.timeline import By, record_event
from oms_dashboard.services.unit_of_work import run_in_transaction

__all__ = [
    "CHANGED_EVENT",
    "FIELD",
    "AddressChangeOutcome",
    "AddressQuote",
    "apply_address_change",
    "changeable",
    "preview_address_change",
    "shipping_now",
]
WHO = (Role.CUSTOMER, Role.SUPPORT, Role.ADMIN)


class ChargeDeclined(ServiceError):
    """The provider would not take the difference: nothing changed."""

    status, type, title = 402, "charge-declined", "Payment declined"


class PaymentUnavailable(ServiceError):
    status, type, title = 503, "payment-provider-unavailable", "Payment provider unavailable"


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
    return quote_address_change(session, actor, order_id, shipping_address, lock=False)


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
        engine, lambda s: quote_address_change(s, actor, order_id, shipping_address, lock=False)
    )
    taken = _charge(provider, quote) if quote.settlement is Settlement.CHARGE else None
    outcome = run_in_transaction(
        engine, lambda s: _apply(s, actor, order_id, shipping_address, quote, taken)
    )
    if outcome.event_id is None:  # the charge was taken, then the order changed under it
        said = (
            "the charge is refunded: look at the order again and ask for the change again"
            if outcome.refund is not None
            else "the same change was just made by another request, with this charge"
        )
        raise Conflict(
            f"the order changed while the difference was being charged; {said}",
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
        quote = quote_address_change(session, actor, order_id, raw, lock=True)
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
    key = taken[0]
    if session.exec(select(OrderCharge.id).where(OrderCharge.idempotency_key == key)).first():
        # The same change, asked twice at once: the other request made it with this very
        # charge (the provider took it once, by its key). Nothing to give back.
        return AddressChangeOutcome(asked, order)
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
