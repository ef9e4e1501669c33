"""Payment verification: a signed event from the payment system, checked with the provider.

The event says what the payment system believes; the OMS then asks the
provider itself and compares amount and currency with the checkout total.
Only a match moves the orders to processing. Anything else leaves them in
pending_payment and is verified again by the worker (``VERIFICATION_RETRIES``
times) before payment_failed, which releases the stock but keeps the checkout
so the customer can retry: a new round, with keys of its own.

The provider is asked before any transaction starts, so no lock is held while
waiting on the network (the sandbox provider reads this very database).
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from oms_dashboard.domain.money import MoneyError, format_minor, parse_amount, to_minor
from oms_dashboard.domain.payment import (
    CHECKOUT_STATUS,
    OPEN,
    PAYMENT,
    VERIFICATION,
    VERIFICATION_RETRIES,
    PaymentStatus,
    VerificationOutcome,
    retries_exhausted,
)
from oms_dashboard.domain.review import ReviewReason, should_flag
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.domain.stock import STOCK_HOLD, StockStatus
from oms_dashboard.ids import new_id
from oms_dashboard.models import Checkout, Order, OrderLine, OutboxMessage, PaymentEvent, Seller
from oms_dashboard.models.base import utcnow
from oms_dashboard.payments.provider import Authorization, PaymentProvider, ProviderUnavailable
from oms_dashboard.payments.signing import sign
from oms_dashboard.services import locks, stock
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import AuthenticationFailed, Conflict, NotFound, ValidationFailed
from oms_dashboard.services.outbox import MessageKind, add_message
from oms_dashboard.services.policies import get_policy
from oms_dashboard.services.ship_by import stamp_ship_by
from oms_dashboard.services.timeline import OMS, PAYMENT_PROVIDER, By, move_order, record_event
from oms_dashboard.services.unit_of_work import run_in_transaction

log = logging.getLogger(__name__)

EVENT_TYPES = ("payment.authorized", "payment.failed", "payment.requires_action")
P, V = PaymentStatus, VerificationOutcome


@dataclass(frozen=True)
class PaymentEventResult:
    outcome: VerificationOutcome
    provider_answered: bool
    """False when the provider could not be asked: the worker verifies later."""
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
    engine: Engine,
    *,
    raw_body: bytes,
    signature: str | None,
    secret: str,
    provider: PaymentProvider,
) -> PaymentEventResult:
    """Handle one signed event; a replayed ``event_id`` changes nothing."""
    check_signature(raw_body, signature, secret)
    data = parse_event(raw_body)
    authorization = ask_provider(provider, data["checkout_id"])
    return run_in_transaction(engine, lambda session: _receive(session, data, authorization))


def _receive(
    session: Session, data: dict[str, Any], authorization: Authorization | None
) -> PaymentEventResult:
    answered = authorization is not None
    earlier = _event(session, data["event_id"])
    if earlier is not None:
        return _result(earlier, answered, replayed=True)
    checkout = locks.lock_checkout(session, data["checkout_id"])
    if checkout is None:
        raise ValidationFailed.one("checkout_id", f"no checkout {data['checkout_id']!r}")
    event = PaymentEvent(
        id=new_id("pev"),
        event_id=data["event_id"],
        checkout_id=checkout.id,
        type=data["type"],
        amount_minor=data["amount_minor"],
        currency=data["currency"],
        outcome=V.RECEIVED,
    )
    try:
        with session.begin_nested():
            session.add(event)
            session.flush()
    except sa.exc.IntegrityError:
        return _result(_event(session, data["event_id"]), answered, replayed=True)

    if checkout.payment_status not in OPEN:
        _conclude(event, V.IGNORED, f"checkout already {checkout.payment_status}")
        return _result(event, answered)
    orders = locks.lock_orders(session, checkout_id=checkout.id)
    event_matches = _matches(checkout, event.amount_minor, event.currency)
    if not event_matches:
        _flag_for_review(session, orders, ReviewReason.PAYMENT)
        event.detail = (
            f"amount {format_minor(event.amount_minor, event.currency)} {event.currency} "
            f"does not match the checkout total "
            f"{format_minor(checkout.total_minor, checkout.currency)} {checkout.currency}"
        )
    if authorization is None:
        _conclude(event, V.RETRYING, "the payment provider did not answer")
    else:
        event_ok = event.type == "payment.authorized" and event_matches
        _conclude(event, _verify(session, checkout, orders, authorization, event_ok=event_ok))
    if event.outcome == V.RETRYING:
        schedule_verification(session, checkout)
    return _result(event, answered)


def ask_provider(provider: PaymentProvider, checkout_id: str) -> Authorization | None:
    """The provider's view of a checkout's payment; None if it does not answer."""
    try:
        return provider.fetch_authorization(checkout_id)
    except ProviderUnavailable as exc:
        log.warning("payment provider unavailable for %s: %s", checkout_id, exc)
        return None


def verify_again(
    engine: Engine, *, checkout_id: str, payment_round: int, provider: PaymentProvider
) -> VerificationOutcome:
    """One re-verification by the worker, within one round.

    IGNORED when there is nothing left to do (paid, failed, or the round is
    over); FAILED once the round's retries are spent.
    """
    authorization = ask_provider(provider, checkout_id)

    def work(session: Session) -> VerificationOutcome:
        checkout = locks.lock_checkout(session, checkout_id)
        if (
            checkout is None
            or checkout.payment_round != payment_round
            or checkout.payment_status not in OPEN
        ):
            return V.IGNORED
        orders = locks.lock_orders(session, checkout_id=checkout.id)
        checkout.payment_attempts += 1
        outcome = V.RETRYING
        if authorization is not None:
            outcome = _verify(session, checkout, orders, authorization)
        if outcome == V.RETRYING and retries_exhausted(checkout.payment_attempts):
            _fail(session, checkout, orders, reason="payment not verified after retries")
            return V.FAILED
        return outcome

    return run_in_transaction(engine, work)


def _verify(
    session: Session,
    checkout: Checkout,
    orders: list[Order],
    authorization: Authorization,
    *,
    event_ok: bool = True,
) -> VerificationOutcome:
    """Act on the provider's answer. The authorization must match the checkout total,
    and so must the event being handled (``event_ok``)."""
    if authorization.status == "requires_action":
        _needs_action(session, checkout, orders)
        return V.NEEDS_ACTION
    if (
        event_ok
        and authorization.status == "authorized"
        and _matches(checkout, _amount_minor(authorization, checkout), authorization.currency)
    ):
        _paid(session, checkout, orders)
        return V.VERIFIED
    return V.RETRYING


def schedule_verification(session: Session, checkout: Checkout) -> None:
    """The worker verifies this round again later; once per round, whatever the events."""
    add_message(
        session,
        kind=MessageKind.PAYMENT_VERIFY,
        dedupe_key=f"payment-verify:{checkout.id}:r{checkout.payment_round}",
        payload={"checkout_id": checkout.id, "round": checkout.payment_round},
    )


def rounds_awaiting_verification(engine: Engine) -> list[tuple[str, int]]:
    """(checkout id, round) of open rounds whose re-verification was handed to the
    worker (their ``payment.verify`` message went out) and that have retries left:
    the rounds whose verification job must exist. RQ keeps scheduled jobs only in
    Redis; the job layer re-queues the ones a lost Redis forgot."""
    with Session(engine) as session:
        rows = session.exec(
            select(Checkout.id, Checkout.payment_round).where(
                Checkout.payment_status.in_(sorted(OPEN)),
                Checkout.payment_attempts < VERIFICATION_RETRIES,
            )
        ).all()
        keys = {f"payment-verify:{checkout_id}:r{n}": (checkout_id, n) for checkout_id, n in rows}
        sent = session.exec(
            select(OutboxMessage.dedupe_key).where(
                OutboxMessage.dedupe_key.in_(list(keys)), OutboxMessage.status == "sent"
            )
        ).all()
    return sorted(keys[key] for key in sent)


def _set_payment(checkout: Checkout, target: PaymentStatus) -> None:
    checkout.payment_status = PAYMENT.check(checkout.payment_status, target)
    checkout.status = CHECKOUT_STATUS[target]


def _paid(session: Session, checkout: Checkout, orders: list[Order]) -> None:
    now = utcnow()
    _set_payment(checkout, P.AUTHORIZED)
    checkout.paid_at = now
    session.add(checkout)
    sellers = {
        seller.id: seller
        for seller in session.exec(
            select(Seller).where(Seller.id.in_({order.seller_id for order in orders}))
        )
    }
    for order in orders:
        order.paid_at = now
        stamp_ship_by(order, sellers[order.seller_id])
        if order.stock_status == StockStatus.HELD:
            order.stock_status = STOCK_HOLD.check(order.stock_status, StockStatus.CONFIRMED)
        if order.review_reason:
            record_event(
                session,
                order,
                "payment.authorized",
                by=PAYMENT_PROVIDER,
                note=f"paid; held for review ({ReviewReason(order.review_reason).label})",
            )
            session.add(order)
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
            kind=MessageKind.NEW_ORDER,
            dedupe_key=f"new-order:{order.id}",
            payload={"order_id": order.id},
        )
    add_message(
        session,
        kind=MessageKind.ORDER_CONFIRMATION,
        dedupe_key=f"order-confirmation:{checkout.id}",
        payload={"checkout_id": checkout.id},
    )


def _fail(session: Session, checkout: Checkout, orders: list[Order], *, reason: str) -> None:
    _set_payment(checkout, P.FAILED)
    session.add(checkout)
    held: dict[str, int] = {}
    for order in orders:
        if order.status != OrderStatus.PENDING_PAYMENT:
            continue
        if order.stock_status == StockStatus.HELD:
            for sku, quantity in _line_quantities(session, order):
                held[sku] = held.get(sku, 0) + quantity
            order.stock_status = STOCK_HOLD.check(order.stock_status, StockStatus.RELEASED)
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
        kind=MessageKind.PAYMENT_FAILED,
        dedupe_key=f"payment-failed:{checkout.id}:r{checkout.payment_round}",
        payload={"checkout_id": checkout.id, "round": checkout.payment_round},
    )


def expire_unpaid_holds(engine: Engine) -> int:
    """Release the stock of checkouts still unpaid when their hold expires, one
    transaction per checkout (each takes its locks in the one order)."""
    with Session(engine) as session:
        expired = session.exec(
            select(Checkout.id).where(
                Checkout.payment_status.in_(sorted(OPEN)), Checkout.hold_expires_at < utcnow()
            )
        ).all()

    def expire(checkout_id: str):
        def work(session: Session) -> bool:
            checkout = locks.lock_checkout(session, checkout_id)
            if checkout is None or checkout.payment_status not in OPEN:
                return False
            minutes = get_policy(session).payment_hold_minutes
            orders = locks.lock_orders(session, checkout_id=checkout_id)
            _fail(session, checkout, orders, reason=f"no payment within {minutes} minutes")
            return True

        return run_in_transaction(engine, work)

    return sum(expire(checkout_id) for checkout_id in expired)


def _flag_for_review(session: Session, orders: list[Order], reason: ReviewReason) -> None:
    for order in orders:
        if should_flag(order.review_reason):
            order.review_reason = reason
            session.add(order)
            record_event(
                session, order, "order.flagged", by=OMS, note=f"held for review: {reason.label}"
            )


def _needs_action(session: Session, checkout: Checkout, orders: list[Order]) -> None:
    if checkout.payment_status == P.NEEDS_ACTION:
        return
    _set_payment(checkout, P.NEEDS_ACTION)
    session.add(checkout)
    for order in orders:
        record_event(
            session,
            order,
            "payment.action_required",
            by=PAYMENT_PROVIDER,
            note="the bank asks the customer for extra verification",
        )
    add_message(
        session,
        kind=MessageKind.PAYMENT_ACTION_REQUIRED,
        dedupe_key=f"payment-action:{checkout.id}:r{checkout.payment_round}",
        payload={"checkout_id": checkout.id, "round": checkout.payment_round},
    )


def _amount_minor(authorization: Authorization, checkout: Checkout) -> int | None:
    try:
        return to_minor(parse_amount(authorization.amount, checkout.currency), checkout.currency)
    except MoneyError:
        return None


def _matches(checkout: Checkout, amount_minor: int | None, currency: str) -> bool:
    return currency == checkout.currency and amount_minor == checkout.total_minor


def _conclude(event: PaymentEvent, outcome: VerificationOutcome, detail: str | None = None):
    event.outcome = VERIFICATION.check(event.outcome, outcome)
    if detail:
        event.detail = detail


def _event(session: Session, event_id: str) -> PaymentEvent | None:
    return session.exec(select(PaymentEvent).where(PaymentEvent.event_id == event_id)).first()


def _line_quantities(session: Session, order: Order) -> list[tuple[str, int]]:
    return list(
        session.exec(
            select(OrderLine.sku, OrderLine.quantity).where(OrderLine.order_id == order.id)
        ).all()
    )


def _result(event: PaymentEvent, answered: bool, *, replayed: bool = False) -> PaymentEventResult:
    return PaymentEventResult(
        outcome=VerificationOutcome(event.outcome),
        provider_answered=answered,
        body={
            "event_id": event.event_id,
            "checkout_id": event.checkout_id,
            "outcome": event.outcome,
            "detail": event.detail,
            "replayed": replayed,
        },
    )


def retry_payment(engine: Engine, *, actor: Actor, order_id: str) -> Checkout:
    """The customer tries again after payment_failed: the cart was kept, so hold its
    stock again and open a new verification round. Refused if the stock is gone."""
    actor.require(Role.CUSTOMER)
    return run_in_transaction(engine, lambda session: _retry(session, actor, order_id))


def _retry(session: Session, actor: Actor, order_id: str) -> Checkout:
    order = session.exec(
        select(Order).where(Order.id == order_id, Order.customer_id == (actor.customer_id or "-"))
    ).first()
    if order is None:
        raise NotFound(f"no order {order_id!r}")
    checkout = locks.lock_checkout(session, order.checkout_id)
    if checkout.payment_status != P.FAILED:
        raise Conflict(
            "this order's payment has not failed",
            type="invalid-transition",
            from_status=order.status,
            to_status=OrderStatus.PENDING_PAYMENT,
        )
    orders = [
        o
        for o in locks.lock_orders(session, checkout_id=checkout.id)
        if o.status == OrderStatus.PAYMENT_FAILED
    ]
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
    _set_payment(checkout, P.PENDING)
    checkout.payment_round += 1
    checkout.payment_attempts = 0
    checkout.hold_expires_at = utcnow() + timedelta(
        minutes=get_policy(session).payment_hold_minutes
    )
    session.add(checkout)
    for failed in orders:
        failed.stock_status = STOCK_HOLD.check(failed.stock_status, StockStatus.HELD)
        move_order(
            session,
            failed,
            OrderStatus.PENDING_PAYMENT,
            "payment.retry",
            by=By.person(actor),
            note=f"the customer retries payment (round {checkout.payment_round}); stock held again",
        )
    stock.note_stock_levels(session, wanted)
    return checkout
