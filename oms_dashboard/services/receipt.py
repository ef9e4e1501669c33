"""After "delivered": the customer confirms the parcel arrived, or says it did not
(or came damaged, or with the wrong item), which puts the shipment in front of
support and tells the seller."""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Session, select

from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.domain.tracking import ShipmentDirection, ShipmentFlag
from oms_dashboard.models import Order, Shipment
from oms_dashboard.models.base import utcnow
from oms_dashboard.notifications.inapp import notify
from oms_dashboard.services import locks
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import Conflict, ValidationFailed
from oms_dashboard.services.orders import delivery_settled, get_order
from oms_dashboard.services.timeline import By, record_event
from oms_dashboard.services.tracking import flag_shipment
from oms_dashboard.services.unit_of_work import transactional


class DeliveryProblem(StrEnum):
    NOT_ARRIVED = "not_arrived"
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"

    @property
    def label(self) -> str:
        return {
            "not_arrived": "The parcel did not arrive",
            "damaged": "The parcel arrived damaged",
            "wrong_item": "The parcel had the wrong item",
        }[self.value]


def _delivered_order(session: Session, actor: Actor, order_id: str) -> Order:
    actor.require(Role.CUSTOMER)
    get_order(session, actor=actor, order_id=order_id)  # scoped: 404 if not theirs
    (order,) = locks.lock_orders(session, ids=[order_id])
    if order.status != OrderStatus.DELIVERED:
        raise Conflict(
            f"only a delivered order can be confirmed or reported; this one is {order.status}",
            type="not-delivered",
        )
    if delivery_settled(session, order):
        raise Conflict("you already answered for this delivery", type="already-answered")
    return order


@transactional
def confirm_receipt(session: Session, *, actor: Actor, order_id: str) -> Order:
    order = _delivered_order(session, actor, order_id)
    order.receipt_confirmed_at = utcnow()
    session.add(order)
    record_event(
        session,
        order,
        "order.receipt_confirmed",
        by=By.person(actor),
        note="The customer confirmed the parcel arrived",
    )
    return order


@transactional
def report_delivery_problem(
    session: Session, *, actor: Actor, order_id: str, problem: str, note: str = ""
) -> Shipment:
    try:
        kind = DeliveryProblem(problem)
    except ValueError:
        known = ", ".join(p.value for p in DeliveryProblem)
        raise ValidationFailed.one("problem", f"must be one of {known}") from None
    if len(note) > 1000:
        raise ValidationFailed.one("note", "at most 1000 characters")
    order = _delivered_order(session, actor, order_id)
    shipment = session.exec(
        select(Shipment)
        .where(Shipment.order_id == order.id, Shipment.direction == ShipmentDirection.OUTBOUND)
        .order_by(Shipment.created_at.desc())
    ).first()
    if shipment is None:
        raise Conflict("this order has no shipment to report on", type="no-shipment")
    words = kind.label + (f": {note.strip()}" if note.strip() else "")
    flag_shipment(session, shipment, order, ShipmentFlag.REPORTED, words, utcnow())
    session.add(shipment)
    record_event(
        session,
        order,
        "order.delivery_problem",
        by=By.person(actor),
        note=words,
        data={"problem": kind.value, "shipment_id": shipment.id},
    )
    notify(
        session,
        dedupe_key=f"inapp:delivery-problem:{shipment.id}",
        kind="delivery_problem",
        title=f"Delivery problem on order {order.number}",
        body=f"{words}. Support is looking into it; you may be asked to reship or refund.",
        seller_id=order.seller_id,
        order_id=order.id,
    )
    return shipment
