"""Reading shipments: label PDFs (one or a bundle), packing slips, and the shipments
support should look at. Every read is scoped like the orders it belongs to."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from pypdf import PdfWriter
from sqlmodel import Session, select

from oms_dashboard.documents.packing_slip import Slip, SlipLine, render_packing_slips
from oms_dashboard.domain.tracking import carrier_title
from oms_dashboard.formatting.addresses import seller_address_lines, ship_to_lines
from oms_dashboard.models import Order, OrderLine, Seller, Shipment, ShipmentLabel
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import NotFound, ValidationFailed
from oms_dashboard.services.orders import scoped_orders

MAX_BUNDLE = 200
"""Orders in one bulk print: a sheet of labels a printer takes in one go."""


def _visible(actor: Actor):
    """The shipments of the orders ``actor`` may see."""
    return Shipment.order_id.in_(scoped_orders(actor).with_only_columns(Order.id))


def label_pdf(session: Session, *, actor: Actor, shipment_id: str) -> tuple[bytes, str]:
    """The label and a file name for it; 404 for a shipment the actor may not see."""
    row = session.execute(
        select(Shipment, ShipmentLabel.pdf)
        .join(ShipmentLabel, ShipmentLabel.shipment_id == Shipment.id)
        .where(_visible(actor), Shipment.id == shipment_id)
    ).first()
    if row is None:
        raise NotFound(f"no label for shipment {shipment_id!r}")
    shipment, pdf = row
    return pdf, f"label-{shipment.carrier}-{shipment.tracking_number}.pdf"


def _check_bundle(order_ids: Sequence[str]) -> list[str]:
    ids = list(dict.fromkeys(order_ids))
    if not ids:
        raise ValidationFailed.one("order_ids", "choose at least one order")
    if len(ids) > MAX_BUNDLE:
        raise ValidationFailed.one("order_ids", f"at most {MAX_BUNDLE} orders at a time")
    return ids


def labels_bundle(session: Session, *, actor: Actor, order_ids: Sequence[str]) -> bytes:
    """Every label of these orders in one PDF, in the order given (orders without a
    label are skipped; none at all is a 404)."""
    ids = _check_bundle(order_ids)
    rows = session.execute(
        select(Shipment, ShipmentLabel.pdf)
        .join(ShipmentLabel, ShipmentLabel.shipment_id == Shipment.id)
        .where(_visible(actor), Shipment.order_id.in_(ids))
    ).all()
    if not rows:
        raise NotFound("none of these orders has a label yet")
    position = {order_id: index for index, order_id in enumerate(ids)}
    writer = PdfWriter()
    for _shipment, pdf in sorted(rows, key=lambda r: (position[r[0].order_id], r[0].created_at)):
        writer.append(io.BytesIO(pdf))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def packing_slips(session: Session, *, actor: Actor, order_ids: Sequence[str]) -> bytes:
    """One packing slip page per order, in the order given."""
    actor.require(Role.SELLER, Role.ADMIN, Role.SUPPORT)
    ids = _check_bundle(order_ids)
    orders = {o.id: o for o in session.exec(scoped_orders(actor).where(Order.id.in_(ids)))}
    missing = [order_id for order_id in ids if order_id not in orders]
    if missing:
        raise NotFound(f"no order {missing[0]!r}")
    lines: dict[str, list[SlipLine]] = {}
    for line in session.exec(
        select(OrderLine).where(OrderLine.order_id.in_(ids)).order_by(OrderLine.id)
    ):
        lines.setdefault(line.order_id, []).append(SlipLine(line.sku, line.title, line.quantity))
    shipments = {
        s.order_id: s for s in session.exec(select(Shipment).where(Shipment.order_id.in_(ids)))
    }
    sellers = {
        s.id: s
        for s in session.exec(
            select(Seller).where(Seller.id.in_({o.seller_id for o in orders.values()}))
        )
    }
    slips = []
    for order_id in ids:
        order, seller = orders[order_id], sellers[orders[order_id].seller_id]
        shipment = shipments.get(order_id)
        slips.append(
            Slip(
                order_number=order.number,
                placed_at=order.placed_at,
                seller_name=seller.name,
                seller_lines=seller_address_lines(seller),
                ship_to=ship_to_lines(order),
                lines=lines.get(order_id, []),
                carrier=carrier_title(shipment.carrier) if shipment else None,
                tracking_number=shipment.tracking_number if shipment else None,
            )
        )
    return render_packing_slips(slips)


@dataclass(frozen=True)
class FlaggedShipment:
    shipment: Shipment
    order: Order


def flagged_shipments(session: Session, *, actor: Actor, limit: int = 200) -> list[FlaggedShipment]:
    """Shipments support should look at (stuck, or a delivery exception), oldest first."""
    actor.require(Role.SUPPORT, Role.ADMIN, Role.SELLER)
    rows = session.execute(
        select(Shipment, Order)
        .join(Order, Order.id == Shipment.order_id)
        .where(_visible(actor), Shipment.flag.is_not(None))
        .order_by(Shipment.flagged_at, Shipment.id)
        .limit(limit)
    ).all()
    return [FlaggedShipment(shipment, order) for shipment, order in rows]
