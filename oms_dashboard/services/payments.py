"""Payment verification: a signed event from the payment system, checked with the provider.

The event says what the payment system believes; the OMS then asks the
provider itself and compares amount and currency with the checkout total.
Only a match moves the orders to processing. Anything else leaves them in
pending_payment and is retried (up to ``RETRIES`` times) before payment_failed,
which releases the stock but keeps the checkout so the customer can retry.
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from oms_dashboard.domain.money import MoneyError, format_minor, parse_amount, to_minor
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.ids import new_id
from oms_dashboard.models import Checkout, Order, OrderLine, PaymentEvent
from oms_dashboard.models.base import utcnow
from oms_dashboard.payments.provider import Authorization, PaymentProvider, ProviderUnavailable
from oms_dashboard.payments.sandbox import sign
from oms_dashboard.services import stock
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import AuthenticationFailed, Conflict, NotFound, ValidationFailed
from oms_dashboard.services.outbox import add_message
from oms_dashboard.services.policies import get_policy
from oms_dashboard.services.timeline import OMS, PAYMENT_PROVIDER, By, move_order, record_event

log = logging.getLogger(__name__)

RETRIES = 3
EVENT_TYPES = ("payment.authorized", "payment.failed", "payment.requires_action")


@dataclass
class PaymentOutcome:
    status_code: int
    body: dict[str, Any]


def check_signature(raw_body: bytes, signature: str | None, secret: str) -> None:
    if not signature or not hmac.compare_digest(signature.strip(), sign(raw_body, secret)):
        raise AuthenticationFailed("missing or wrong X-OMS-Signature for this body")


def parse_event(raw_body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw_body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationFailed.one("body", "must be a JSON object") from None
    if not isinstance(data, dict):
        raise ValidationFailed.one("body", "must be a JSON object")
    errors = []
    for name in ("event_id", "checkout_id", "type", "amount", "currency"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            errors.append({"field": name, "message": "is required and must be a string"})
    if not errors and data["type"] not in EVENT_TYPES:
        errors.append({"field": "type", "message": f"must be one of {', '.join(EVENT_TYPES)}"})
    if not errors:
        try:
            data["amount_minor"] = to_minor(
                parse_amount(data["amount"], data["currency"]), data["currency"]
            )
        except MoneyError as exc:
            field = "currency" if "currency" in str(exc) else "amount"
            errors.append({"field": field, "message": str(exc)})
    if errors:
        raise ValidationFailed(errors)
    return data


def receive_payment_event(
    session: Session,
    *,
    raw_body: bytes,
    signature: str | None,
    secret: str,
    provider: PaymentProvider,
) -> PaymentOutcome:
    """Handle one signed event; a replayed ``event_id`` changes nothing."""
    check_signature(raw_body, signature, secret)
    data = parse_event(raw_body)
    authorization = ask_provider(provider, data["checkout_id"])
    earlier = session.exec(
        select(PaymentEvent).where(PaymentEvent.event_id == data["event_id"])
    ).first()
    if earlier is not None:
        return PaymentOutcome(200, _event_body(earlier, replayed=True))
    checkout = _lock_checkout(session, data["checkout_id"])
    if checkout is None:
        raise ValidationFailed.one("checkout_id", f"no checkout {data['checkout_id']!r}")
    event = PaymentEvent(
        id=new_id("pev"),
        event_id=data["event_id"],
        checkout_id=checkout.id,
        type=data["type"],
        amount_minor=data["amount_minor"],
        currency=data["currency"],
    )
    try:
        with session.begin_nested():
            session.add(event)
            session.flush()
    except sa.exc.IntegrityError:
        earlier = session.exec(
            select(PaymentEvent).where(PaymentEvent.event_id == data["event_id"])
        ).one()
        return PaymentOutcome(200, _event_body(earlier, replayed=True))

    if checkout.payment_status in ("authorized", "failed"):
        event.outcome, event.detail = "ignored", f"checkout already {checkout.payment_status}"
        return PaymentOutcome(200, _event_body(event))
    event_ok = event.type == "payment.authorized" and _event_matches(checkout, event)
    if not _event_matches(checkout, event):
        _flag_for_review(session, checkout, "payment")
        event.detail = (
            f"amount {format_minor(event.amount_minor, event.currency)} {event.currency} "
            f"does not match the checkout total "
            f"{format_minor(checkout.total_minor, checkout.currency)} {checkout.currency}"
        )
    if authorization is None:
        event.outcome, event.detail = "retrying", "the payment provider did not answer"
        schedule_verification(session, checkout)
        return PaymentOutcome(202, _event_body(event))
    result = verify(session, checkout=checkout, authorization=authorization, event_ok=event_ok)
    event.outcome = result
    if result == "retrying":
        schedule_verification(session, checkout)
    return PaymentOutcome(200, _event_body(event))


def ask_provider(provider: PaymentProvider, checkout_id: str) -> Authorization | None:
    """The provider's view of a checkout's payment; None if it does not answer.

    Asked before the caller's transaction touches the database, so no lock is
    held while waiting on the network (the sandbox provider may be served by
    this very app, reading the same database).
    """
    try:
        return provider.fetch_authorization(checkout_id)
    except ProviderUnavailable as exc:
        log.warning("payment provider unavailable for %s: %s", checkout_id, exc)
        return None


def verify(
    session: Session,
    *,
    checkout: Checkout,
    authorization: Authorization,
    event_ok: bool = True,
) -> str:
    """Act on the provider's answer: verified, needs_action or retrying.

    The provider's authorization must match the checkout total, and so must
    the event being handled (``event_ok``).
    """
    if authorization.status == "requires_action":
        _needs_action(session, checkout)
        return "needs_action"
    if (
        event_ok
        and authorization.status == "authorized"
        and _authorization_matches(checkout, authorization)
    ):
        mark_paid(session, checkout)
        return "verified"
    return "retrying"


def retry_verification(session: Session, *, checkout_id: str, provider: PaymentProvider) -> str:
    """One retry by the worker: verified, needs_action, retrying (try again) or failed."""
    authorization = ask_provider(provider, checkout_id)
    checkout = _lock_checkout(session, checkout_id)
    if checkout is None or checkout.payment_status in ("authorized", "failed"):
        return "done"
    checkout.payment_attempts += 1
    result = "retrying"
    if authorization is not None:
        result = verify(session, checkout=checkout, authorization=authorization)
    if result == "retrying" and checkout.payment_attempts >= RETRIES:
        mark_payment_failed(
            session, checkout, reason=f"payment not verified after {RETRIES} retries"
        )
        return "failed"
    return result


def schedule_verification(session: Session, checkout: Checkout) -> None:
    add_message(
        session,
        kind="payment.verify",
        dedupe_key=f"payment-verify:{checkout.id}:{checkout.payment_attempts}",
        payload={"checkout_id": checkout.id},
    )


def mark_paid(session: Session, checkout: Checkout) -> None:
    now = utcnow()
    checkout.status, checkout.payment_status, checkout.paid_at = "paid", "authorized", now
    session.add(checkout)
    for order in _orders(session, checkout):
        order.paid_at = now
        order.stock_status = "confirmed"
        if order.review_reason:
            record_event(
                session,
                order,
                "payment.authorized",
                by=PAYMENT_PROVIDER,
                note=f"paid; held for review ({order.review_reason})",
            )
            continue
        move_order(
            session,
            order,
            OrderStatus.PROCESSING,
            "payment.authorized",
            by=PAYMENT_PROVIDER,
            note="payment verified with the provider",
        )
        add_message(
            session,
            kind="seller.new_order",
            dedupe_key=f"new-order:{order.id}",
            payload={"order_id": order.id},
        )
    add_message(
        session,
        kind="customer.order_confirmation",
        dedupe_key=f"order-confirmation:{checkout.id}",
        payload={"checkout_id": checkout.id},
    )


def mark_payment_failed(session: Session, checkout: Checkout, *, reason: str) -> None:
    checkout.status, checkout.payment_status = "payment_failed", "failed"
    session.add(checkout)
    held: dict[str, int] = {}
    for order in _orders(session, checkout):
        if order.status != OrderStatus.PENDING_PAYMENT:
            continue
        if order.stock_status == "held":
            for sku, quantity in _line_quantities(session, order):
                held[sku] = held.get(sku, 0) + quantity
            order.stock_status = "released"
        move_order(
            session,
            order,
            OrderStatus.PAYMENT_FAILED,
            "payment.failed",
            by=PAYMENT_PROVIDER,
            note=f"{reason}; stock released",
        )
    stock.release(session, held)
    add_message(
        session,
        kind="customer.payment_failed",
        dedupe_key=f"payment-failed:{checkout.id}:{checkout.created_at.isoformat()}:{checkout.payment_attempts}",
        payload={"checkout_id": checkout.id},
    )


def expire_unpaid_holds(session: Session) -> int:
    """Release the stock of checkouts still unpaid when their hold expires."""
    expired = session.exec(
        select(Checkout.id).where(
            Checkout.payment_status.in_(("pending", "needs_action")),
            Checkout.hold_expires_at < utcnow(),
        )
    ).all()
    minutes = get_policy(session).payment_hold_minutes
    for checkout_id in expired:
        checkout = _lock_checkout(session, checkout_id)
        if checkout and checkout.payment_status in ("pending", "needs_action"):
            mark_payment_failed(session, checkout, reason=f"no payment within {minutes} minutes")
    return len(expired)


def _flag_for_review(session: Session, checkout: Checkout, reason: str) -> None:
    for order in _orders(session, checkout):
        if order.review_reason is None:
            order.review_reason = reason
            session.add(order)
            record_event(session, order, "order.flagged", by=OMS, note=f"held for review: {reason}")


def _needs_action(session: Session, checkout: Checkout) -> None:
    if checkout.payment_status == "needs_action":
        return
    checkout.payment_status = "needs_action"
    session.add(checkout)
    for order in _orders(session, checkout):
        record_event(
            session,
            order,
            "payment.action_required",
            by=PAYMENT_PROVIDER,
            note="the bank asks the customer for extra verification",
        )
    add_message(
        session,
        kind="customer.payment_action_required",
        dedupe_key=f"payment-action:{checkout.id}",
        payload={"checkout_id": checkout.id},
    )


def _authorization_matches(checkout: Checkout, authorization: Authorization) -> bool:
    try:
        amount = to_minor(parse_amount(authorization.amount, checkout.currency), checkout.currency)
    except MoneyError:
        return False
    return authorization.currency == checkout.currency and amount == checkout.total_minor


def _event_matches(checkout: Checkout, event: PaymentEvent) -> bool:
    return event.currency == checkout.currency and event.amount_minor == checkout.total_minor


def _lock_checkout(session: Session, checkout_id: str) -> Checkout | None:
    return session.exec(
        select(Checkout)
        .where(Checkout.id == checkout_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def _orders(session: Session, checkout: Checkout) -> list[Order]:
    return list(
        session.exec(
            select(Order)
            .where(Order.checkout_id == checkout.id)
            .order_by(Order.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
    )


def _line_quantities(session: Session, order: Order) -> list[tuple[str, int]]:
    return list(
        session.exec(
            select(OrderLine.sku, OrderLine.quantity).where(OrderLine.order_id == order.id)
        ).all()
    )


def _event_body(event: PaymentEvent, *, replayed: bool = False) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "checkout_id": event.checkout_id,
        "outcome": event.outcome,
        "detail": event.detail,
        "replayed": replayed,
    }


def retry_payment(session: Session, *, actor: Actor, order_id: str) -> Checkout:
    """The customer tries again after payment_failed: the cart was kept, so hold its
    stock again and wait for a new payment. Refused if the stock is gone meanwhile."""
    actor.require(Role.CUSTOMER)
    order = session.exec(
        select(Order).where(Order.id == order_id, Order.customer_id == (actor.customer_id or "-"))
    ).first()
    if order is None:
        raise NotFound(f"no order {order_id!r}")
    checkout = _lock_checkout(session, order.checkout_id)
    if checkout.payment_status != "failed":
        raise Conflict(
            "this order's payment has not failed",
            type="invalid-transition",
            from_status=order.status,
            to_status=OrderStatus.PENDING_PAYMENT,
        )
    orders = [o for o in _orders(session, checkout) if o.status == OrderStatus.PAYMENT_FAILED]
    wanted: dict[str, int] = {}
    for failed in orders:
        for sku, quantity in _line_quantities(session, failed):
            wanted[sku] = wanted.get(sku, 0) + quantity
    for sku in sorted(wanted):
        if not stock.reserve(session, sku, wanted[sku]):
            raise Conflict(
                f"{sku} is no longer available in the quantity ordered",
                type="insufficient-inventory",
                sku=sku,
                requested=wanted[sku],
            )
    now = utcnow()
    checkout.status, checkout.payment_status, checkout.payment_attempts = (
        "pending_payment",
        "pending",
        0,
    )
    checkout.hold_expires_at = now + timedelta(minutes=get_policy(session).payment_hold_minutes)
    session.add(checkout)
    for failed in orders:
        failed.stock_status = "held"
        move_order(
            session,
            failed,
            OrderStatus.PENDING_PAYMENT,
            "payment.retry",
            by=By.person(actor),
            note="the customer retries payment; stock held again",
        )
    stock.note_stock_levels(session, wanted)
    return checkout
