"""Returns and exchanges: the customer asks, a rule or the seller approves, the original
carrier's return label goes out, the parcel comes back tracked like any other, the seller
inspects it, then the refund is due or the replacement ships.

The rules are ``domain.returns``; these modules only keep the records straight:
asking and answering here, the parcels in ``return_labels``, the trip back and the
inspection in ``return_inspection``, reading in ``return_views``, photos in
``return_photos``, what they share in ``return_records``.

- Every change to a return locks its order first (``services.locks``): the order's lock
  is what keeps two changes to the same return (or two returns of one order) apart.
- An exchange holds its replacement (``exchange_sku``, else the same sku) from approval
  until it ships; rejecting or closing the return gives the units back.
- A refund is not made here: the return moves to ``refund_due`` and
  ``_refund_for_return`` is the one place that hands it to the refunds service.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select

from oms_dashboard.domain import returns as rules
from oms_dashboard.domain.errors import InvalidTransition
from oms_dashboard.domain.refunds import LineRequest, RefundCause
from oms_dashboard.domain.returns import (
    RETURN,
    Resolution,
    ReturnOutcome,
    ReturnReason,
    ReturnRule,
    ReturnStatus,
)
from oms_dashboard.ids import new_id
from oms_dashboard.models import Order, OrderLine, Product, Return, ReturnLine, Seller, Shipment
from oms_dashboard.models.base import utcnow
from oms_dashboard.notifications.inapp import notify
from oms_dashboard.services import locks, stock
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import snapshot
from oms_dashboard.services.carrier_health import CarrierRefused, CarrierUnavailable
from oms_dashboard.services.errors import Conflict, ValidationFailed
from oms_dashboard.services.orders import get_order
from oms_dashboard.services.policies import get_policy
from oms_dashboard.services.refunds import start_refund
from oms_dashboard.services.return_labels import buy_return_label
from oms_dashboard.services.return_records import (
    ReturnStep,
    audit,
    locked,
    move,
    release_replacement,
    reload,
    replacements,
    return_lines,
    tell,
)
from oms_dashboard.services.timeline import OMS, By, record_event
from oms_dashboard.services.unit_of_work import run_in_transaction

log = logging.getLogger(__name__)

S = ReturnStatus
UNSENT = frozenset({S.REQUESTED, S.APPROVED, S.LABEL_CREATED})
"""Where a customer may still withdraw the return: nothing is on its way back."""


@dataclass(frozen=True)
class Asked:
    """One line of a return request: ``quantity`` units of ``sku``."""

    sku: str
    quantity: int


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
            buy_return_label(engine, ret.id, sandbox_transport)
        except (CarrierRefused, CarrierUnavailable, Conflict) as error:
            # Approved all the same; the seller gets the label with "approve" again.
            log.warning("no return label for %s yet: %s", ret.id, error)
    return reload(engine, ret.id)


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
        ret, order = locked(session, actor, return_id)
        if ret.status == S.APPROVED and rules.needs_label(ret.reason) and not ret.shipment_id:
            return ret  # only the label is missing
        before = snapshot(ret)
        _approve(session, ret, order, by=By.person(actor), actor=actor)
        audit(session, actor, "return.approve", ret, before)
        return ret

    ret = run_in_transaction(engine, work)
    if ret.status == S.APPROVED and rules.needs_label(ret.reason) and not ret.shipment_id:
        try:
            buy_return_label(engine, ret.id, sandbox_transport, actor=actor)
        except (CarrierRefused, CarrierUnavailable, Conflict) as error:
            error.detail = (
                f"The return is approved, but its label could not be bought: {error.detail}. "
                "Approve it again to retry the label."
            )
            raise
    return reload(engine, ret.id)


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
        move(ret, S.REFUND_DUE)
        _refund_for_return(session, ret)
    tell(session, ret, ReturnStep.APPROVED)


def reject_return(engine: Engine, *, actor: Actor, return_id: str, reason: str) -> Return:
    """Refuse a requested return, saying why (422 without a reason)."""
    actor.require(Role.SELLER, Role.ADMIN)
    errors = rules.answer_errors(approve=False, reason=reason)
    if errors:
        raise ValidationFailed(errors)

    def work(session: Session) -> Return:
        ret, order = locked(session, actor, return_id)
        before = snapshot(ret)
        held = rules.holds_replacement(ret.resolution, ret.status)
        RETURN.check(ret.status, S.REJECTED)
        if held:
            release_replacement(session, ret)
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
        tell(session, ret, ReturnStep.REJECTED)
        audit(session, actor, "return.reject", ret, before)
        return ret

    run_in_transaction(engine, work)
    return reload(engine, return_id)


def close_return(
    engine: Engine, *, actor: Actor, return_id: str, note: str | None = None
) -> Return:
    """Close a return: the customer withdraws one not yet sent back; the seller or an
    admin closes one never sent, or decides against an inspected one. A held
    replacement goes back to stock."""
    actor.require(Role.CUSTOMER, Role.SELLER, Role.ADMIN)

    def work(session: Session) -> Return:
        ret, order = locked(session, actor, return_id)
        if actor.role is Role.CUSTOMER and ret.status not in UNSENT:
            raise InvalidTransition(
                ret.status, S.CLOSED, "it is on its way back or settled", subject="a return"
            )
        before = snapshot(ret)
        held = rules.holds_replacement(ret.resolution, ret.status)
        RETURN.check(ret.status, S.CLOSED)
        if held:
            release_replacement(session, ret)
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
        audit(session, actor, "return.close", ret, before)
        return ret

    run_in_transaction(engine, work)
    return reload(engine, return_id)


def _refund_for_return(session: Session, ret: Return) -> None:
    """THE hand-over to refunds: the returned lines and quantities are refunded (cause
    ``return``: the refunds rules send it to the seller's review) and the return is
    ``refunded``, keeping the refund's id; the customer follows the refund itself.
    The caller holds the order's lock, as ``refunds.start_refund`` needs."""
    order = session.get(Order, ret.order_id)
    refund = start_refund(
        session,
        order,
        cause=RefundCause.RETURN,
        reason=f"Return {ret.id}: {ret.rule_reason}",
        lines=[
            LineRequest(sku=line.sku, quantity=line.quantity)
            for line in return_lines(session, ret.id)
        ],
    )
    ret.refund_id = refund.id
    move(ret, S.REFUNDED)
