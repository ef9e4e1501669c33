"""Getting an order out of the door: the seller's queue and buying a label (the offers
are ``carrier_offers``, what the parcel and parties are ``ship_context``).

Buying a label calls the carrier, which may take seconds, so it is never done while
holding a row lock: the order is checked, the label bought, then one transaction
locks the order, checks again that it is still ``processing`` and records the
shipment. If the order moved meanwhile (another click, a cancellation), the label
just bought is cancelled with the carrier and the caller gets the 409.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import httpx
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

from oms_dashboard.carriers.base import CarrierError, Label
from oms_dashboard.domain import fulfillment as rules
from oms_dashboard.domain.cancellation import OPEN_REQUEST
from oms_dashboard.domain.delivery import add_business_days
from oms_dashboard.domain.money import to_minor
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.domain.stock import STOCK_HOLD, StockStatus
from oms_dashboard.domain.tracking import (
    CarrierName,
    ShipmentDirection,
    ShipmentNotice,
    ShipmentStatus,
    carrier_title,
    parcel_refusals,
)
from oms_dashboard.ids import new_id
from oms_dashboard.models import (
    CancellationRequest,
    Order,
    OrderLine,
    Seller,
    Shipment,
    ShipmentLabel,
)
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import locks, stock
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import record_audit
from oms_dashboard.services.carrier_health import (
    CarrierRefused,
    CarrierUnavailable,
    call_carrier,
)
from oms_dashboard.services.carrier_offers import offers_from
from oms_dashboard.services.carrier_registry import carrier_for
from oms_dashboard.services.delivery_calendar import holiday_checker
from oms_dashboard.services.errors import Conflict, ValidationFailed
from oms_dashboard.services.orders import scoped_orders
from oms_dashboard.services.outbox import MessageKind, add_message
from oms_dashboard.services.ship_by import ship_by_of
from oms_dashboard.services.ship_context import (
    ShipContext,
    check_shippable,
    dims,
    parcel_of,
    ship_context,
)
from oms_dashboard.services.timeline import By, move_order
from oms_dashboard.services.unit_of_work import run_in_transaction

log = logging.getLogger(__name__)

FIRST_SYNC_AFTER = timedelta(minutes=5)


# -- the queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    order: Order
    ship_by: datetime
    urgency: rules.Urgency
    time_left: str
    units: int
    timezone: str
    """The seller's zone (IANA), where the deadline is read."""
    cancellation_requested_at: datetime | None = None
    """When the customer asked to cancel, while that request waits (pending, or escalated
    to support): the seller answers it before shipping; None: nothing asked."""
    cancellation_due_at: datetime | None = None
    """When the seller's answer to that request is due."""

    @property
    def cancellation_pending(self) -> bool:
        return self.cancellation_requested_at is not None


def fulfillment_queue(
    session: Session, *, actor: Actor, now: datetime | None = None
) -> list[QueueRow]:
    """The seller's orders waiting to ship, the most urgent first, each with its waiting
    cancellation request if any (read in the same query: at most one is open per order)."""
    actor.require(Role.SELLER, Role.ADMIN)
    now = now or utcnow()
    query = (
        scoped_orders(actor)
        .outerjoin(
            CancellationRequest,
            sa.and_(
                CancellationRequest.order_id == Order.id,
                CancellationRequest.status.in_([s.value for s in OPEN_REQUEST]),
            ),
        )
        .add_columns(CancellationRequest.requested_at, CancellationRequest.due_at)
        .where(Order.status == OrderStatus.PROCESSING)
    )
    found = session.execute(query).all()  # rows of (order, asked, due), not scalars
    if not found:
        return []
    orders = [order for order, _asked, _due in found]
    asked = {order.id: (asked_at, due_at) for order, asked_at, due_at in found}
    seller_ids = {order.seller_id for order in orders}
    sellers = {
        seller.id: seller
        for seller in session.exec(select(Seller).where(Seller.id.in_(seller_ids))).all()
    }
    units: dict[str, int] = {}
    for order_id, quantity in session.exec(
        select(OrderLine.order_id, OrderLine.quantity).where(
            OrderLine.order_id.in_([o.id for o in orders])
        )
    ):
        units[order_id] = units.get(order_id, 0) + quantity
    rows = []
    for order in orders:
        seller = sellers[order.seller_id]
        # Processing orders are paid: the deadline payment stored on the order.
        deadline = ship_by_of(order, seller) or order.placed_at
        rows.append(
            QueueRow(
                order=order,
                ship_by=deadline,
                urgency=rules.urgency(deadline, now),
                time_left=rules.time_left(deadline, now),
                units=units.get(order.id, 0),
                timezone=seller.timezone,
                cancellation_requested_at=asked[order.id][0],
                cancellation_due_at=asked[order.id][1],
            )
        )
    return sorted(rows, key=lambda row: (row.ship_by, row.order.id))


def pending_cancellations(session: Session, order_ids: Sequence[str]) -> set[str]:
    """Which of these orders have a cancellation request waiting for the seller."""
    if not order_ids:
        return set()
    return set(
        session.exec(
            select(CancellationRequest.order_id).where(
                CancellationRequest.order_id.in_(list(order_ids)),
                CancellationRequest.status.in_([s.value for s in OPEN_REQUEST]),
            )
        ).all()
    )


def check_ship_allowed(session: Session, order: Order) -> None:
    """``check_shippable``, and no cancellation request waiting for the seller."""
    check_shippable(order)
    rules.check_no_cancellation_request(bool(pending_cancellations(session, [order.id])))


# -- buying the label --------------------------------------------------------------------


def buy_label(
    engine: Engine,
    *,
    actor: Actor,
    order_id: str,
    carrier: str,
    service: str | None = None,
    parcel: rules.ParcelSize | None = None,
    sandbox_transport: httpx.BaseTransport | None,
) -> Shipment:
    """Buy ``carrier``'s label for the order (``service``, or the carrier's offer that
    best meets the promised date) and mark the order shipped."""
    actor.require(Role.SELLER)
    try:
        name = CarrierName(carrier)
    except ValueError:
        known = ", ".join(c.value for c in CarrierName)
        raise ValidationFailed.one("carrier", f"must be one of {known}") from None
    with Session(engine) as session:
        context = ship_context(session, actor, order_id, parcel)
        check_ship_allowed(session, context.order)
        if context.parcel is None:
            raise Conflict(
                "this order has only digital goods: there is nothing to ship",
                type="nothing-to-ship",
            )
        refusals = parcel_refusals(name.value, **dims(context.parcel))
        if refusals:
            raise ValidationFailed(refusals)
        adapter = carrier_for(session, name.value, sandbox_transport=sandbox_transport)
    with adapter:
        if service is None:  # this carrier's offer that best meets the promised date
            try:
                quotes = call_carrier(
                    engine,
                    name.value,
                    lambda: adapter.quote(
                        shipper=context.shipper,
                        recipient=context.recipient,
                        parcel=parcel_of(context.parcel),
                    ),
                )
            except CarrierError as error:
                raise CarrierRefused(error) from error
            offers = offers_from(name.value, quotes, context)
            best = rules.preselect(offers, context.order.estimated_delivery)
            if best is None:
                raise CarrierUnavailable(name.value, "it offered no service for this parcel")
            service = best.service
        try:
            label = call_carrier(
                engine,
                name.value,
                lambda: adapter.create_label(
                    shipper=context.shipper,
                    recipient=context.recipient,
                    parcel=parcel_of(context.parcel),
                    service=service,
                    customs=context.customs,
                ),
            )
        except CarrierError as error:
            raise CarrierRefused(error) from error
        try:
            return run_in_transaction(
                engine,
                lambda session: _record_shipment(session, actor, context, name.value, label),
            )
        except Conflict:
            voided = _void(adapter, label)
            run_in_transaction(
                engine,
                lambda session: audit_label_void(
                    session, actor, context.order.id, name.value, label, voided
                ),
            )
            raise


def audit_label_void(
    session: Session, actor: Actor, order_id: str, carrier: str, label: Label, voided: bool
) -> None:
    """A label bought for an order (or a return) that moved on meanwhile, cancelled at
    the carrier."""
    record_audit(
        session,
        actor=actor,
        action="shipment.label_void",
        entity_type="label",
        entity_id=label.tracking_number,
        before={"carrier": carrier, "tracking_number": label.tracking_number, "state": "bought"},
        after={"state": "voided" if voided else "void refused by the carrier"},
        order_id=order_id,
    )


def _record_shipment(
    session: Session, actor: Actor, context: ShipContext, carrier: str, label: Label
) -> Shipment:
    (order,) = locks.lock_orders(session, ids=[context.order.id])
    # A request made while the carrier was called is seen here, under the order's lock.
    check_ship_allowed(session, order)
    now = utcnow()
    shipment = new_shipment(order, carrier, label, context.parcel)
    session.add(shipment)
    session.add(ShipmentLabel(shipment_id=shipment.id, pdf=label.label_pdf))
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    stock.fulfil(session, _quantities(lines))
    STOCK_HOLD.check(order.stock_status, StockStatus.FULFILLED)
    order.stock_status = StockStatus.FULFILLED
    order.shipped_at = now
    move_order(
        session,
        order,
        OrderStatus.SHIPPED,
        "order.shipped",
        by=By.person(actor),
        note=f"Label bought: {carrier_title(carrier)} {label.service}, "
        f"tracking {label.tracking_number}",
    )
    add_message(
        session,
        kind=MessageKind.SHIPMENT_UPDATE,
        dedupe_key=f"shipment:{shipment.id}:{ShipmentNotice.SHIPPED}",
        payload={
            "shipment_id": shipment.id,
            "notice": ShipmentNotice.SHIPPED.value,
            "estimated_delivery": _iso(shipment.estimated_delivery or order.estimated_delivery),
            "previous_estimate": None,
        },
    )
    record_audit(
        session,
        actor=actor,
        action="shipment.label_buy",
        entity_type="shipment",
        entity_id=shipment.id,
        after={
            "order_id": order.id,
            "carrier": carrier,
            "service": label.service,
            "tracking_number": label.tracking_number,
            "rate_minor": shipment.rate_minor,
            "rate_currency": shipment.rate_currency,
        },
    )
    session.flush()
    return shipment


def new_shipment(
    order: Order,
    carrier: str,
    label: Label,
    size: rules.ParcelSize,
    direction: ShipmentDirection = ShipmentDirection.OUTBOUND,
) -> Shipment:
    """The shipment a bought label makes (not added to the session), its first sync a
    few minutes away; outbound, or a return's way back."""
    now = utcnow()
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
        estimated_delivery=_arrival(label, order),
        created_at=now,
        next_sync_at=now + FIRST_SYNC_AFTER,
    )
    shipment.label_url = f"/api/v1/shipments/{shipment.id}/label.pdf"
    return shipment


def _arrival(label: Label, order: Order) -> date | None:
    """The carrier's date; or, when it gives only transit days, those business days from
    today in the destination's calendar (weekends and its public holidays)."""
    if label.estimated_delivery is not None:
        return label.estimated_delivery
    if label.charge is None or label.charge.transit_days is None:
        return None
    is_holiday = holiday_checker(order.ship_country, order.ship_region)
    return add_business_days(utcnow().date(), label.charge.transit_days, is_holiday)


def _void(adapter, label: Label) -> bool:
    """Cancel a label bought for an order that moved on meanwhile; if the carrier
    refuses, the unused label is only logged (carriers do not bill unscanned labels)."""
    try:
        adapter.cancel_label(label.tracking_number)
    except (CarrierError, NotImplementedError) as error:
        log.warning("could not cancel unused label %s: %s", label.tracking_number, error)
        return False
    return True


def _quantities(lines: Sequence[OrderLine]) -> dict[str, int]:
    quantities: dict[str, int] = {}
    for line in lines:
        quantities[line.sku] = quantities.get(line.sku, 0) + line.quantity
    return quantities


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
