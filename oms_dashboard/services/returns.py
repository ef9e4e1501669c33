"""Returns and exchanges: the customer asks, a rule or the seller approves, the original
carrier's return label goes out, the parcel comes back tracked like any other, the seller
inspects it, then the refund is due or the replacement ships.

The rules are ``domain.returns``; this module only keeps the records straight.

- Every change to a return locks its order first (``services.locks``): the order's lock
  is what keeps two changes to the same return (or two returns of one order) apart.
- Labels are bought like ``fulfillment.buy_label`` buys them: the carrier is called
  outside any transaction, then one transaction records what it sold; if the return
  moved meanwhile the label is cancelled with the carrier and the caller gets the 409.
- The return label comes from the carrier (and service) of the order's first outbound
  shipment, and is stored as a ``Shipment`` with ``direction = return``: the tracking
  sync and carrier webhooks follow it, ``follow_return_shipment`` moves the return
  (never the order, which stays delivered).
- An exchange holds its replacement (``exchange_sku``, else the same sku) from approval
  until it ships; rejecting or closing the return gives the units back.
- After inspection an exchange's replacement ships on the same carrier as a new
  outbound shipment of the order. If the carrier cannot sell the label then, the
  return stays ``inspected`` with rule ``inspected-sellable`` or
  ``damage-as-reported``: "exchange to ship", which ``ship_exchange`` retries.
- A refund is not made here: the return moves to ``refund_due`` and
  ``_refund_for_return`` is the one place that hands it to the refunds service.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import httpx
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

from oms_dashboard.carriers.base import CarrierError, Label
from oms_dashboard.domain import fulfillment as parcels
from oms_dashboard.domain import returns as rules
from oms_dashboard.domain.errors import InvalidTransition
from oms_dashboard.domain.money import to_minor
from oms_dashboard.domain.returns import (
    RETURN,
    Condition,
    Resolution,
    ReturnOutcome,
    ReturnReason,
    ReturnRule,
    ReturnStatus,
)
from oms_dashboard.domain.shipping import ShipItem
from oms_dashboard.domain.tracking import ShipmentDirection, ShipmentStatus, carrier_title
from oms_dashboard.ids import new_id
from oms_dashboard.models import (
    Order,
    OrderLine,
    Product,
    Return,
    ReturnLine,
    ReturnPhoto,
    Seller,
    Shipment,
    ShipmentLabel,
)
from oms_dashboard.models.base import utcnow
from oms_dashboard.notifications.inapp import notify
from oms_dashboard.services import locks, stock
from oms_dashboard.services.actor import SYSTEM, Actor, Role
from oms_dashboard.services.audit import record_audit, snapshot
from oms_dashboard.services.carrier_health import CarrierRefused, CarrierUnavailable, call_carrier
from oms_dashboard.services.carrier_registry import open_adapter
from oms_dashboard.services.errors import Conflict, NotFound, ValidationFailed
from oms_dashboard.services.orders import get_order
from oms_dashboard.services.outbox import MessageKind, add_message
from oms_dashboard.services.policies import get_policy
from oms_dashboard.services.ship_context import ShipContext, parcel_of, ship_context
from oms_dashboard.services.timeline import OMS, By, record_event
from oms_dashboard.services.unit_of_work import run_in_transaction

log = logging.getLogger(__name__)

S = ReturnStatus
FIRST_SYNC_AFTER = timedelta(minutes=5)
PHOTO_TYPES = {"image/jpeg": (b"\xff\xd8\xff",), "image/png": (b"\x89PNG\r\n\x1a\n",)}
PHOTO_TYPES["image/webp"] = (b"RIFF",)
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 5
UNSENT = frozenset({S.REQUESTED, S.APPROVED, S.LABEL_CREATED})
"""Where a customer may still withdraw the return: nothing is on its way back."""
EXCHANGE_TO_SHIP = frozenset({ReturnRule.INSPECTED_SELLABLE, ReturnRule.DAMAGE_AS_REPORTED})


class ReturnStep(StrEnum):
    """What the customer is told about their return, once each."""

    APPROVED = "approved"
    REJECTED = "rejected"
    RECEIVED = "received"
    EXCHANGE_SHIPPED = "exchange_shipped"


@dataclass(frozen=True)
class Asked:
    """One line of a return request: ``quantity`` units of ``sku``."""

    sku: str
    quantity: int


@dataclass(frozen=True)
class ReturnView:
    ret: Return
    lines: list[ReturnLine]
    label: Shipment | None
    exchange: Shipment | None
    photo_ids: list[str]


# -- reading -----------------------------------------------------------------------------


def scoped_returns(actor: Actor) -> sa.Select:
    """Customers see their own returns, sellers their seller's, support and admins all."""
    query = select(Return)
    if actor.role is Role.CUSTOMER:
        return query.where(Return.customer_id == (actor.customer_id or "-"))
    if actor.role is Role.SELLER:
        return query.where(Return.seller_id == (actor.seller_id or "-"))
    return query


def get_return(session: Session, *, actor: Actor, return_id: str) -> Return:
    """The return if the actor may see it; otherwise 404, so existence does not leak."""
    ret = session.exec(scoped_returns(actor).where(Return.id == return_id)).first()
    if ret is None:
        raise NotFound(f"no return {return_id!r}")
    return ret


def return_view(session: Session, ret: Return) -> ReturnView:
    return views(session, [ret])[0]


def views(session: Session, rows: Sequence[Return]) -> list[ReturnView]:
    ids = [r.id for r in rows]
    lines: dict[str, list[ReturnLine]] = {i: [] for i in ids}
    photos: dict[str, list[str]] = {i: [] for i in ids}
    if ids:
        for line in session.exec(
            select(ReturnLine).where(ReturnLine.return_id.in_(ids)).order_by(ReturnLine.id)
        ):
            lines[line.return_id].append(line)
        for return_id, photo_id in session.exec(
            select(ReturnPhoto.return_id, ReturnPhoto.id)
            .where(ReturnPhoto.return_id.in_(ids))
            .order_by(ReturnPhoto.created_at, ReturnPhoto.id)
        ):
            photos[return_id].append(photo_id)
    shipment_ids = [i for r in rows for i in (r.shipment_id, r.exchange_shipment_id) if i]
    shipments = (
        {s.id: s for s in session.exec(select(Shipment).where(Shipment.id.in_(shipment_ids)))}
        if shipment_ids
        else {}
    )
    return [
        ReturnView(
            ret=r,
            lines=lines[r.id],
            label=shipments.get(r.shipment_id or ""),
            exchange=shipments.get(r.exchange_shipment_id or ""),
            photo_ids=photos[r.id],
        )
        for r in rows
    ]


def order_returns(session: Session, *, actor: Actor, order_id: str) -> list[ReturnView]:
    """The returns of an order the actor may see (404 for any other order)."""
    order = get_order(session, actor=actor, order_id=order_id)
    rows = session.exec(
        select(Return).where(Return.order_id == order.id).order_by(Return.created_at, Return.id)
    ).all()
    return views(session, rows)


def list_returns(
    session: Session, *, actor: Actor, statuses: Sequence[str] = (), limit: int = 100
) -> list[ReturnView]:
    """The seller's returns (or every one, for staff), newest first."""
    actor.require(Role.SELLER, Role.SUPPORT, Role.ADMIN)
    known = [s.value for s in S]
    wrong = [s for s in statuses if s not in known]
    if wrong:
        raise ValidationFailed.one("status", f"unknown {wrong[0]!r}: one of {', '.join(known)}")
    query = scoped_returns(actor)
    if statuses:
        query = query.where(Return.status.in_(list(statuses)))
    rows = session.exec(query.order_by(Return.created_at.desc(), Return.id.desc()).limit(limit))
    return views(session, rows.all())


# -- asking ------------------------------------------------------------------------------


def request_return(
    engine: Engine,
    *,
    actor: Actor,
    order_id: str,
    lines: Sequence[Asked],
    reason: str,
    resolution: str,
    exchange_sku: str | None = None,
    note: str | None = None,
    sandbox_transport: httpx.BaseTransport | None,
) -> Return:
    """The customer's request: refused (409 ``not-returnable`` naming the rule), or
    recorded for the seller to decide, or approved at once by rule with its label."""
    actor.require(Role.CUSTOMER)
    _check_request(lines, reason, resolution, exchange_sku)
    ret = run_in_transaction(
        engine,
        lambda session: _open(
            session, actor, order_id, lines, reason, resolution, exchange_sku, note
        ),
    )
    if ret.status == S.APPROVED and rules.needs_label(ret.reason):
        try:
            _buy_return_label(engine, ret.id, sandbox_transport)
        except (CarrierRefused, CarrierUnavailable, Conflict) as error:
            # Approved all the same; the seller gets the label with "approve" again.
            log.warning("no return label for %s yet: %s", ret.id, error)
    return _reload(engine, ret.id)


def _check_request(
    lines: Sequence[Asked], reason: str, resolution: str, exchange_sku: str | None
) -> None:
    errors = []
    if reason not in {r.value for r in ReturnReason}:
        known = ", ".join(r.value for r in ReturnReason)
        errors.append({"field": "reason", "message": f"must be one of {known}"})
    if resolution not in {r.value for r in Resolution}:
        errors.append({"field": "resolution", "message": "must be refund or exchange"})
    elif resolution == Resolution.REFUND and exchange_sku:
        errors.append({"field": "exchange_sku", "message": "only for an exchange"})
    if not lines:
        errors.append({"field": "lines", "message": "name at least one item to return"})
    for index, line in enumerate(lines):
        if line.quantity < 1:
            errors.append({"field": f"lines[{index}].quantity", "message": "must be 1 or more"})
    if errors:
        raise ValidationFailed(errors)


def _open(
    session: Session,
    actor: Actor,
    order_id: str,
    asked: Sequence[Asked],
    reason: str,
    resolution: str,
    exchange_sku: str | None,
    note: str | None,
) -> Return:
    order = get_order(session, actor=actor, order_id=order_id)
    (order,) = locks.lock_orders(session, ids=[order.id])
    order_lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
    ).all()
    bought: dict[str, int] = {}
    line_ids: dict[str, str] = {}
    for line in order_lines:
        bought[line.sku] = bought.get(line.sku, 0) + line.quantity
        line_ids.setdefault(line.sku, line.id)
    wrong = [
        {"field": f"lines[{i}].sku", "message": f"{a.sku!r} is not on this order"}
        for i, a in enumerate(asked)
        if a.sku not in bought
    ]
    if wrong:
        raise ValidationFailed(wrong)
    wanted: dict[str, int] = {}
    for a in asked:
        wanted[a.sku] = wanted.get(a.sku, 0) + a.quantity
    digital = dict(
        session.exec(
            select(Product.sku, Product.digital).where(Product.sku.in_(list(wanted)))
        ).all()
    )
    already = already_returned(session, order.id)
    seller = session.get(Seller, order.seller_id)
    facts = rules.ReturnFacts(
        order_status=order.status,
        delivered_at=order.delivered_at,
        now=utcnow(),
        lines=[
            rules.ReturnLine(
                sku, quantity, bought[sku], already.get(sku, 0), bool(digital.get(sku))
            )
            for sku, quantity in wanted.items()
        ],
        reason=reason,
        resolution=resolution,
        window_days=get_policy(session).return_window_days,
        seller_window_days=seller.return_window_days,
    )
    decision = rules.decide_return(facts)
    if decision.rule is ReturnRule.EXCEEDS_BOUGHT:
        index = next(
            i for i, a in enumerate(asked) if wanted[a.sku] > bought[a.sku] - already.get(a.sku, 0)
        )
        raise ValidationFailed.one(f"lines[{index}].quantity", decision.reason)
    decision.check()
    if resolution == Resolution.EXCHANGE and exchange_sku:
        _check_replacement(session, order, exchange_sku)
    now = utcnow()
    ret = Return(
        id=new_id("ret"),
        order_id=order.id,
        seller_id=order.seller_id,
        customer_id=order.customer_id,
        status=S.REQUESTED,
        reason=reason,
        note=note or None,
        resolution=resolution,
        exchange_sku=exchange_sku or None,
        rule=decision.rule.value,
        rule_reason=decision.reason[:300],
        created_at=now,
        updated_at=now,
    )
    session.add(ret)
    for sku, quantity in wanted.items():
        session.add(
            ReturnLine(
                id=new_id("rtl"),
                return_id=ret.id,
                order_line_id=line_ids[sku],
                sku=sku,
                quantity=quantity,
            )
        )
    session.flush()
    units = sum(wanted.values())
    record_event(
        session,
        order,
        "return.requested",
        by=By.person(actor),
        note=f"Return of {units} item{'s' if units != 1 else ''} asked "
        f"({ReturnReason(reason).label.lower()}, {resolution}): {decision.reason}",
        data={"return_id": ret.id, "rule": decision.rule.value},
    )
    if decision.outcome is ReturnOutcome.APPROVED:
        _approve(session, ret, order, by=OMS)
    else:
        notify(
            session,
            dedupe_key=f"inapp:return-requested:{ret.id}",
            kind="return_requested",
            title=f"Return asked for order {order.number}",
            body=f"{ReturnReason(reason).label}, {resolution}: approve or reject it.",
            seller_id=order.seller_id,
            order_id=order.id,
        )
    session.flush()
    return ret


def already_returned(session: Session, order_id: str) -> dict[str, int]:
    """Units of each sku that other returns of the order take back: every return but
    the rejected ones and those closed before anything was sent or settled."""
    rows = session.exec(
        select(ReturnLine.sku, ReturnLine.quantity, Return)
        .join(Return, Return.id == ReturnLine.return_id)
        .where(Return.order_id == order_id, Return.status != S.REJECTED)
    ).all()
    taken: dict[str, int] = {}
    for sku, quantity, ret in rows:
        if _withdrawn(ret):
            continue
        taken[sku] = taken.get(sku, 0) + quantity
    return taken


def _withdrawn(ret: Return) -> bool:
    """Closed with nothing sent either way: never approved, or approved and never sent
    back (a missing item's approved return is settled without coming back, so counts)."""
    return (
        ret.status == S.CLOSED
        and ret.received_at is None
        and ret.exchange_shipment_id is None
        and ret.refund_id is None
        and (ret.decided_at is None or rules.needs_label(ret.reason))
    )


def _check_replacement(session: Session, order: Order, sku: str) -> None:
    product = session.exec(select(Product).where(Product.sku == sku)).first()
    if product is None or product.seller_id != order.seller_id or not product.active:
        raise ValidationFailed.one("exchange_sku", f"{sku!r} is not a product of this seller")
    if product.digital:
        raise ValidationFailed.one("exchange_sku", "a digital product cannot be sent")


# -- the seller's answer -----------------------------------------------------------------


def approve_return(
    engine: Engine,
    *,
    actor: Actor,
    return_id: str,
    sandbox_transport: httpx.BaseTransport | None,
) -> Return:
    """Approve a requested return: the replacement held, the return label bought from
    the original carrier. Approving an approved return still without its label (the
    carrier failed before) tries the label again."""
    actor.require(Role.SELLER, Role.ADMIN)

    def work(session: Session) -> Return:
        ret, order = _locked(session, actor, return_id)
        if ret.status == S.APPROVED and rules.needs_label(ret.reason) and not ret.shipment_id:
            return ret  # only the label is missing
        before = snapshot(ret)
        _approve(session, ret, order, by=By.person(actor), actor=actor)
        _audit(session, actor, "return.approve", ret, before)
        return ret

    ret = run_in_transaction(engine, work)
    if ret.status == S.APPROVED and rules.needs_label(ret.reason) and not ret.shipment_id:
        try:
            _buy_return_label(engine, ret.id, sandbox_transport)
        except (CarrierRefused, CarrierUnavailable, Conflict) as error:
            error.detail = (
                f"The return is approved, but its label could not be bought: {error.detail}. "
                "Approve it again to retry the label."
            )
            raise
    return _reload(engine, ret.id)


def _approve(
    session: Session, ret: Return, order: Order, *, by: By, actor: Actor | None = None
) -> None:
    RETURN.check(ret.status, S.APPROVED)
    if ret.resolution == Resolution.EXCHANGE:
        for sku, quantity in sorted(replacements(session, ret).items()):
            if not stock.reserve(session, sku, quantity):
                raise Conflict(
                    f"not enough {sku} in stock for the replacement: choose a refund instead",
                    type="insufficient-inventory",
                    sku=sku,
                )
    now = utcnow()
    ret.status, ret.decided_at, ret.updated_at = S.APPROVED.value, now, now
    ret.decided_by = actor.user_id if actor else "rule"
    session.add(ret)
    record_event(
        session,
        order,
        "return.approved",
        by=by,
        note="Return approved" + ("" if actor else f" by rule: {ret.rule_reason}"),
        data={"return_id": ret.id},
    )
    if rules.needs_label(ret.reason):
        return  # told once the label is bought
    # Nothing comes back (a missing item): straight to the refund or the replacement.
    if ret.resolution == Resolution.REFUND:
        _move(ret, S.REFUND_DUE)
        _refund_for_return(session, ret)
    _tell(session, ret, ReturnStep.APPROVED)


def reject_return(engine: Engine, *, actor: Actor, return_id: str, reason: str) -> Return:
    """Refuse a requested return, saying why (422 without a reason)."""
    actor.require(Role.SELLER, Role.ADMIN)
    errors = rules.answer_errors(approve=False, reason=reason)
    if errors:
        raise ValidationFailed(errors)

    def work(session: Session) -> Return:
        ret, order = _locked(session, actor, return_id)
        before = snapshot(ret)
        held = rules.holds_replacement(ret.resolution, ret.status)
        RETURN.check(ret.status, S.REJECTED)
        if held:
            _release(session, ret)
        now = utcnow()
        ret.status, ret.decided_at, ret.updated_at = S.REJECTED.value, now, now
        ret.decided_by, ret.decision_note = actor.user_id, reason.strip()[:1000]
        session.add(ret)
        record_event(
            session,
            order,
            "return.rejected",
            by=By.person(actor),
            note=f"Return rejected: {ret.decision_note}",
            data={"return_id": ret.id},
        )
        _tell(session, ret, ReturnStep.REJECTED)
        _audit(session, actor, "return.reject", ret, before)
        return ret

    run_in_transaction(engine, work)
    return _reload(engine, return_id)


def close_return(
    engine: Engine, *, actor: Actor, return_id: str, note: str | None = None
) -> Return:
    """Close a return: the customer withdraws one not yet sent back; the seller or an
    admin closes one never sent, or decides against an inspected one. A held
    replacement goes back to stock."""
    actor.require(Role.CUSTOMER, Role.SELLER, Role.ADMIN)

    def work(session: Session) -> Return:
        ret, order = _locked(session, actor, return_id)
        if actor.role is Role.CUSTOMER and ret.status not in UNSENT:
            raise InvalidTransition(
                ret.status, S.CLOSED, "it is on its way back or settled", subject="a return"
            )
        before = snapshot(ret)
        held = rules.holds_replacement(ret.resolution, ret.status)
        RETURN.check(ret.status, S.CLOSED)
        if held:
            _release(session, ret)
        now = utcnow()
        ret.status, ret.closed_at, ret.updated_at = S.CLOSED.value, now, now
        if note:
            ret.decision_note = note.strip()[:1000]
        if ret.shipment_id and ret.received_at is None:
            label = session.get(Shipment, ret.shipment_id)
            label.next_sync_at = None  # never sent: nothing more to follow
            session.add(label)
        session.add(ret)
        record_event(
            session,
            order,
            "return.closed",
            by=By.person(actor),
            note="Return closed" + (f": {ret.decision_note}" if note else ""),
            data={"return_id": ret.id},
        )
        _audit(session, actor, "return.close", ret, before)
        return ret

    run_in_transaction(engine, work)
    return _reload(engine, return_id)


# -- back at the seller ------------------------------------------------------------------


def receive_return(
    engine: Engine,
    *,
    actor: Actor,
    return_id: str,
    condition: str,
    sandbox_transport: httpx.BaseTransport | None,
) -> Return:
    """The seller's inspection: sellable items go back on the shelf; then the refund is
    due, or the replacement ships, or (damage nobody reported) a person decides."""
    actor.require(Role.SELLER, Role.ADMIN)
    if condition not in {c.value for c in Condition}:
        raise ValidationFailed.one("condition", "must be sellable or damaged")
    ret = run_in_transaction(engine, lambda s: _inspect(s, actor, return_id, condition))
    if _exchange_to_ship(ret):
        try:
            ship_exchange(
                engine, actor=actor, return_id=ret.id, sandbox_transport=sandbox_transport
            )
        except (CarrierRefused, CarrierUnavailable, Conflict) as error:
            # Inspected all the same: "exchange to ship" until ship_exchange succeeds.
            log.warning("replacement for %s not shipped yet: %s", ret.id, error)
    return _reload(engine, ret.id)


def _inspect(session: Session, actor: Actor, return_id: str, condition: str) -> Return:
    ret, order = _locked(session, actor, return_id)
    before = snapshot(ret)
    now = utcnow()
    if ret.status != S.RECEIVED:
        RETURN.check(ret.status, S.RECEIVED)  # seen by the seller before the last scan
        ret.received_at = now
        _move(ret, S.RECEIVED)
    inspection = rules.inspect(ret.reason, condition)
    if inspection.restock:
        stock.restock(session, _quantities(_lines(session, ret.id)))
    ret.condition = condition
    ret.rule, ret.rule_reason = inspection.rule.value, inspection.reason[:300]
    _move(ret, S.INSPECTED)
    following = rules.after_inspection(ret.resolution, inspection)
    record_event(
        session,
        order,
        "return.received",
        by=By.person(actor),
        note=f"Return received, {condition}: {inspection.reason}",
        data={"return_id": ret.id, "condition": condition, "rule": inspection.rule.value},
    )
    if following is S.REFUND_DUE:
        _move(ret, S.REFUND_DUE)
        _refund_for_return(session, ret)
    _tell(session, ret, ReturnStep.RECEIVED)
    _audit(session, actor, "return.receive", ret, before)
    session.add(ret)
    return ret


def _exchange_to_ship(ret: Return) -> bool:
    """An exchange whose replacement may ship now: inspected and settled, or a missing
    item approved (nothing comes back)."""
    if ret.resolution != Resolution.EXCHANGE:
        return False
    if ret.status == S.INSPECTED:
        return ret.rule in EXCHANGE_TO_SHIP
    return ret.status == S.APPROVED and not rules.needs_label(ret.reason)


def _refund_for_return(session: Session, ret: Return) -> None:
    """THE hand-over to refunds: the return is ``refund_due``; for now an order timeline
    note says so. When ``services.refunds`` lands, this starts the return's refund
    (lines and quantities of ``ret``, reason "return") and keeps its id in
    ``ret.refund_id``."""
    order = session.get(Order, ret.order_id)
    units = sum(line.quantity for line in _lines(session, ret.id))
    record_event(
        session,
        order,
        "return.refund_due",
        by=OMS,
        note=f"Refund due for return {ret.id} ({units} item{'s' if units != 1 else ''}): "
        f"{ret.rule_reason}",
        data={"return_id": ret.id, "rule": ret.rule},
    )


def ship_exchange(
    engine: Engine,
    *,
    actor: Actor,
    return_id: str,
    sandbox_transport: httpx.BaseTransport | None,
) -> Return:
    """Send the replacement with the order's original carrier: a new outbound shipment
    of the same order, the held units leaving the shelf. From ``inspected`` this is
    also how a person decides for the exchange after damage nobody reported."""
    actor.require(Role.SELLER, Role.ADMIN)
    with Session(engine) as session:
        ret = get_return(session, actor=actor, return_id=return_id)
        _check_exchange(ret)
        original = _original_shipment(session, ret.order_id)
        quantities = replacements(session, ret)
        parcel = parcels.one_box(_items(session, quantities))
        context = ship_context(session, SYSTEM, ret.order_id, parcel)
    adapter = open_adapter(engine, original.carrier, sandbox_transport=sandbox_transport)
    with adapter:
        try:
            label = call_carrier(
                engine,
                original.carrier,
                lambda: adapter.create_label(
                    shipper=context.shipper,
                    recipient=context.recipient,
                    parcel=parcel_of(context.parcel),
                    service=original.service,
                ),
            )
        except CarrierError as error:
            raise CarrierRefused(error) from error
        try:
            run_in_transaction(
                engine,
                lambda s: _record_exchange(s, actor, ret.id, context, original.carrier, label),
            )
        except Conflict:
            _void(adapter, label)
            raise
    return _reload(engine, return_id)


def _check_exchange(ret: Return) -> None:
    if ret.resolution != Resolution.EXCHANGE:
        raise Conflict("this return is for a refund: there is nothing to ship", type="not-exchange")
    RETURN.check(ret.status, S.EXCHANGE_SHIPPED)
    if ret.status == S.APPROVED and rules.needs_label(ret.reason):
        raise InvalidTransition(
            ret.status, S.EXCHANGE_SHIPPED, "the item comes back first", subject="a return"
        )


def _record_exchange(
    session: Session, actor: Actor, return_id: str, context: ShipContext, carrier: str, label
) -> None:
    (order,) = locks.lock_orders(session, ids=[context.order.id])
    ret = _fresh(session, return_id)
    _check_exchange(ret)
    shipment = _shipment(order, carrier, label, context, ShipmentDirection.OUTBOUND)
    session.add(shipment)
    session.add(ShipmentLabel(shipment_id=shipment.id, pdf=label.label_pdf))
    session.flush()
    stock.fulfil(session, replacements(session, ret))
    ret.exchange_shipment_id = shipment.id
    _move(ret, S.EXCHANGE_SHIPPED)
    session.add(ret)
    record_event(
        session,
        order,
        "return.exchange_shipped",
        by=By.person(actor),
        note=f"Replacement shipped: {carrier_title(carrier)} {label.service}, "
        f"tracking {label.tracking_number}",
        data={"return_id": ret.id, "shipment_id": shipment.id},
    )
    _tell(session, ret, ReturnStep.EXCHANGE_SHIPPED)


# -- the return label and its trip -------------------------------------------------------


def _buy_return_label(
    engine: Engine, return_id: str, sandbox_transport: httpx.BaseTransport | None
) -> None:
    with Session(engine) as session:
        ret = session.get(Return, return_id)
        original = _original_shipment(session, ret.order_id)
        parcel = parcels.one_box(_items(session, _quantities(_lines(session, ret.id))))
        context = ship_context(session, SYSTEM, ret.order_id, parcel)
    adapter = open_adapter(engine, original.carrier, sandbox_transport=sandbox_transport)
    with adapter:
        try:
            label = call_carrier(
                engine,
                original.carrier,
                lambda: adapter.create_return_label(
                    shipper=context.shipper,
                    recipient=context.recipient,
                    parcel=parcel_of(context.parcel),
                    service=original.service,
                ),
            )
        except CarrierError as error:
            raise CarrierRefused(error) from error
        try:
            run_in_transaction(
                engine, lambda s: _record_return_label(s, return_id, context, original, label)
            )
        except Conflict:
            _void(adapter, label)
            raise


def _record_return_label(
    session: Session, return_id: str, context: ShipContext, original: Shipment, label: Label
) -> None:
    (order,) = locks.lock_orders(session, ids=[context.order.id])
    ret = _fresh(session, return_id)
    if ret.status != S.APPROVED or ret.shipment_id:
        raise Conflict("the return moved on while its label was bought", type="return-moved")
    shipment = _shipment(order, original.carrier, label, context, ShipmentDirection.RETURN)
    session.add(shipment)
    session.add(ShipmentLabel(shipment_id=shipment.id, pdf=label.label_pdf))
    session.flush()
    ret.shipment_id = shipment.id
    _move(ret, S.LABEL_CREATED)
    session.add(ret)
    record_event(
        session,
        order,
        "return.label_created",
        by=OMS,
        note=f"Return label: {carrier_title(original.carrier)} {label.service}, "
        f"tracking {label.tracking_number}",
        data={"return_id": ret.id, "shipment_id": shipment.id},
    )
    _tell(session, ret, ReturnStep.APPROVED)


def follow_return_shipment(session: Session, shipment: Shipment, order: Order, now) -> None:
    """What the carrier said about a return shipment, for its return: on the way back
    (``in_transit``), or delivered to the seller (``received``: the seller inspects it
    next). Called by ``services.tracking`` with the order locked; never moves the order."""
    ret = session.exec(
        select(Return)
        .where(Return.shipment_id == shipment.id)
        .execution_options(populate_existing=True)
    ).first()
    if ret is None:
        return
    if shipment.status == ShipmentStatus.DELIVERED:
        target = S.RECEIVED
    elif shipment.status in (ShipmentStatus.IN_TRANSIT, ShipmentStatus.OUT_FOR_DELIVERY):
        target = S.IN_TRANSIT
    else:
        return
    if ret.status == target or not RETURN.allows(ret.status, target):
        return
    _move(ret, target)
    if target is S.RECEIVED:
        ret.received_at = shipment.delivered_at or now
        notify(
            session,
            dedupe_key=f"inapp:return-arrived:{ret.id}",
            kind="return_arrived",
            title=f"Return for order {order.number} delivered to you",
            body="Inspect it: sellable items go back into stock.",
            seller_id=ret.seller_id,
            order_id=order.id,
        )
    session.add(ret)
    record_event(
        session,
        order,
        f"return.{target.value}",
        by=By("carrier", carrier_title(shipment.carrier)),
        note=f"Return {target.value.replace('_', ' ')}",
        data={"return_id": ret.id, "shipment_id": shipment.id},
    )


# -- photos ------------------------------------------------------------------------------


def add_photo(
    session: Session, *, actor: Actor, return_id: str, content_type: str | None, data: bytes
) -> ReturnPhoto:
    """A photo for the customer's own return: JPEG, PNG or WebP, at most 5 MB, 5 photos."""
    actor.require(Role.CUSTOMER)
    ret = get_return(session, actor=actor, return_id=return_id)
    if ret.status in (S.REJECTED, S.CLOSED):
        raise Conflict(f"this return is {ret.status}: no more photos", type="return-closed")
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in PHOTO_TYPES:
        raise ValidationFailed.one("photo", "must be a JPEG, PNG or WebP image")
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationFailed.one("photo", "must be at most 5 MB")
    if not data.startswith(PHOTO_TYPES[kind]) or (kind == "image/webp" and data[8:12] != b"WEBP"):
        raise ValidationFailed.one("photo", f"is not a {kind.split('/')[1].upper()} image")
    count = session.exec(
        select(sa.func.count()).select_from(ReturnPhoto).where(ReturnPhoto.return_id == ret.id)
    ).one()
    if count >= MAX_PHOTOS:
        raise ValidationFailed.one("photo", f"at most {MAX_PHOTOS} photos per return")
    photo = ReturnPhoto(id=new_id("rph"), return_id=ret.id, content_type=kind, data=data)
    session.add(photo)
    session.flush()
    return photo


def get_photo(session: Session, *, actor: Actor, return_id: str, photo_id: str) -> ReturnPhoto:
    ret = get_return(session, actor=actor, return_id=return_id)
    photo = session.get(ReturnPhoto, photo_id)
    if photo is None or photo.return_id != ret.id:
        raise NotFound(f"no photo {photo_id!r}")
    return photo


# -- helpers -----------------------------------------------------------------------------


def replacements(session: Session, ret: Return) -> dict[str, int]:
    """The units an exchange sends: ``exchange_sku`` for every returned unit, else the
    same skus."""
    quantities: dict[str, int] = {}
    for line in _lines(session, ret.id):
        sku = ret.exchange_sku or line.sku
        quantities[sku] = quantities.get(sku, 0) + line.quantity
    return quantities


def _release(session: Session, ret: Return) -> None:
    stock.release(session, replacements(session, ret))


def _locked(session: Session, actor: Actor, return_id: str) -> tuple[Return, Order]:
    """The return the actor may act on (404 otherwise), its order locked first."""
    seen = get_return(session, actor=actor, return_id=return_id)
    (order,) = locks.lock_orders(session, ids=[seen.order_id])
    return _fresh(session, return_id), order


def _fresh(session: Session, return_id: str) -> Return:
    return session.exec(
        select(Return).where(Return.id == return_id).execution_options(populate_existing=True)
    ).one()


def _move(ret: Return, target: ReturnStatus) -> None:
    RETURN.check(ret.status, target)
    ret.status, ret.updated_at = target.value, utcnow()


def _lines(session: Session, return_id: str) -> list[ReturnLine]:
    return list(
        session.exec(
            select(ReturnLine).where(ReturnLine.return_id == return_id).order_by(ReturnLine.id)
        )
    )


def _quantities(lines: Sequence[ReturnLine]) -> dict[str, int]:
    quantities: dict[str, int] = {}
    for line in lines:
        quantities[line.sku] = quantities.get(line.sku, 0) + line.quantity
    return quantities


def _items(session: Session, quantities: dict[str, int]) -> list[ShipItem]:
    products = session.exec(
        select(Product).where(Product.sku.in_(sorted(quantities))).order_by(Product.sku)
    ).all()
    return [
        ShipItem(
            line_index=index,
            sku=p.sku,
            quantity=quantities[p.sku],
            weight_grams=p.weight_grams,
            length_mm=p.length_mm,
            width_mm=p.width_mm,
            height_mm=p.height_mm,
            digital=p.digital,
        )
        for index, p in enumerate(products)
    ]


def _original_shipment(session: Session, order_id: str) -> Shipment:
    """The order's first outbound package: its carrier and service take the return."""
    shipment = session.exec(
        select(Shipment)
        .where(Shipment.order_id == order_id, Shipment.direction == ShipmentDirection.OUTBOUND)
        .order_by(Shipment.created_at, Shipment.id)
    ).first()
    if shipment is None:
        raise Conflict(
            "this order was never shipped with a carrier: there is no carrier to return with",
            type="no-original-carrier",
        )
    return shipment


def _shipment(
    order: Order, carrier: str, label: Label, context: ShipContext, direction
) -> Shipment:
    now = utcnow()
    size = context.parcel
    shipment = Shipment(
        id=new_id("shp"),
        order_id=order.id,
        seller_id=order.seller_id,
        direction=direction.value,
        carrier=carrier,
        service=label.service,
        tracking_number=label.tracking_number,
        carrier_reference=label.carrier_reference,
        status=ShipmentStatus.SHIPPED,
        rate_minor=to_minor(label.charge.amount, label.charge.currency) if label.charge else None,
        rate_currency=label.charge.currency if label.charge else None,
        weight_grams=size.weight_grams,
        length_mm=size.length_mm,
        width_mm=size.width_mm,
        height_mm=size.height_mm,
        estimated_delivery=label.estimated_delivery,
        created_at=now,
        next_sync_at=now + FIRST_SYNC_AFTER,
    )
    shipment.label_url = f"/api/v1/shipments/{shipment.id}/label.pdf"
    return shipment


def _void(adapter, label: Label) -> None:
    """Cancel a label bought for a return that moved on meanwhile (logged if refused:
    carriers do not bill unscanned labels)."""
    try:
        adapter.cancel_label(label.tracking_number)
    except (CarrierError, NotImplementedError) as error:
        log.warning("could not cancel unused label %s: %s", label.tracking_number, error)


def _tell(session: Session, ret: Return, step: ReturnStep) -> None:
    """The customer hears about each step once (email and in-app, via the outbox)."""
    add_message(
        session,
        kind=MessageKind.RETURN_UPDATE,
        dedupe_key=f"return:{ret.id}:{step.value}",
        payload={"return_id": ret.id, "step": step.value},
    )


def _audit(session: Session, actor: Actor, action: str, ret: Return, before) -> None:
    """Staff acting on a seller's return leave a trace (sellers' own acts are on the
    order's timeline)."""
    if actor.role is Role.ADMIN:
        record_audit(
            session,
            actor=actor,
            action=action,
            entity_type="return",
            entity_id=ret.id,
            before=before,
            after=snapshot(ret),
        )


def _reload(engine: Engine, return_id: str) -> Return:
    with Session(engine, expire_on_commit=False) as session:
        ret = session.get(Return, return_id)
        if ret is None:
            raise NotFound(f"no return {return_id!r}")
        session.expunge(ret)
        return ret
