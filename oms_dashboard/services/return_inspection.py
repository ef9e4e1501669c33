"""A return back at the seller: the return shipment delivered (``received``, from the
carrier's news), then the seller's inspection (``domain.returns.inspect``): sellable
items restocked, then the refund due, the replacement shipped, or a person deciding.

If the carrier cannot sell the replacement's label at inspection, the return stays
``inspected`` with rule ``inspected-sellable`` or ``damage-as-reported``: "exchange to
ship", which ``return_labels.ship_exchange`` (``POST /returns/{id}/ship-exchange``)
retries."""

from __future__ import annotations

import logging

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select

from oms_dashboard.domain import returns as rules
from oms_dashboard.domain.returns import RETURN, Condition, Resolution, ReturnRule, ReturnStatus
from oms_dashboard.domain.tracking import ShipmentStatus, carrier_title
from oms_dashboard.models import Order, Return, Shipment
from oms_dashboard.models.base import utcnow
from oms_dashboard.notifications.inapp import notify
from oms_dashboard.services import stock
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import snapshot
from oms_dashboard.services.carrier_health import CarrierRefused, CarrierUnavailable
from oms_dashboard.services.errors import Conflict, ValidationFailed
from oms_dashboard.services.return_labels import ship_exchange
from oms_dashboard.services.return_records import (
    ReturnStep,
    audit,
    locked,
    move,
    quantities,
    reload,
    return_lines,
    tell,
)
from oms_dashboard.services.returns import _refund_for_return
from oms_dashboard.services.timeline import By, record_event
from oms_dashboard.services.unit_of_work import run_in_transaction

log = logging.getLogger(__name__)

S = ReturnStatus
EXCHANGE_TO_SHIP = frozenset({ReturnRule.INSPECTED_SELLABLE, ReturnRule.DAMAGE_AS_REPORTED})


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
    return reload(engine, ret.id)


def _inspect(session: Session, actor: Actor, return_id: str, condition: str) -> Return:
    ret, order = locked(session, actor, return_id)
    before = snapshot(ret)
    now = utcnow()
    if ret.status != S.RECEIVED:
        RETURN.check(ret.status, S.RECEIVED)  # seen by the seller before the last scan
        ret.received_at = now
        move(ret, S.RECEIVED)
    inspection = rules.inspect(ret.reason, condition)
    if inspection.restock:
        stock.restock(session, quantities(return_lines(session, ret.id)))
    ret.condition = condition
    ret.rule, ret.rule_reason = inspection.rule.value, inspection.reason[:300]
    move(ret, S.INSPECTED)
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
        move(ret, S.REFUND_DUE)
        _refund_for_return(session, ret)
    tell(session, ret, ReturnStep.RECEIVED)
    audit(session, actor, "return.receive", ret, before)
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
    move(ret, target)
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
