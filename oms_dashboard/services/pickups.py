"""Parcels labelled and waiting for the carrier: what a seller prints labels and
packing slips for after buying them, until the carrier's first scan takes them away."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from oms_dashboard.domain.tracking import ShipmentDirection, ShipmentStatus
from oms_dashboard.models import Order, Shipment, ShipmentLabel
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.orders import scoped_orders

MAX_WAITING = 100


@dataclass(frozen=True)
class AwaitingPickup:
    order: Order
    shipment: Shipment


def awaiting_pickup(
    session: Session, *, actor: Actor, limit: int = MAX_WAITING
) -> list[AwaitingPickup]:
    """Outbound parcels with a label bought here that the carrier has not moved yet,
    newest label first."""
    actor.require(Role.SELLER, Role.ADMIN)
    visible = scoped_orders(actor).with_only_columns(Order.id).scalar_subquery()
    rows = session.exec(
        select(Shipment, Order)
        .join(Order, Order.id == Shipment.order_id)
        # Only labels this OMS holds the PDF of can be printed again.
        .join(ShipmentLabel, ShipmentLabel.shipment_id == Shipment.id)
        .where(
            Shipment.order_id.in_(visible),
            Shipment.direction == ShipmentDirection.OUTBOUND,
            # The carrier's label-created scan keeps it "shipped"; moving ends the wait.
            Shipment.status == ShipmentStatus.SHIPPED,
        )
        .order_by(Shipment.created_at.desc(), Shipment.id)
        .limit(limit)
    ).all()
    return [AwaitingPickup(order=order, shipment=shipment) for shipment, order in rows]
