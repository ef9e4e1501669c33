"""Getting an order out of the door: the seller's queue, carrier offers, buying a label.

Buying a label calls the carrier, which may take seconds, so it is never done while
holding a row lock: the order is checked, the label bought, then one transaction
locks the order, checks again that it is still ``processing`` and records the
shipment. If the order moved meanwhile (another click, a cancellation), the label
just bought is cancelled with the carrier and the caller gets the 409.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select

from oms_dashboard.carriers.base import CarrierError, Label, Parcel, Party
from oms_dashboard.domain import fulfillment as rules
from oms_dashboard.domain.delivery import add_business_days
from oms_dashboard.domain.money import to_minor
from oms_dashboard.domain.shipping import ShipItem
from oms_dashboard.domain.statuses import OrderStatus, check_transition
from oms_dashboard.domain.stock import STOCK_HOLD, StockStatus
from oms_dashboard.domain.tracking import (
    CarrierName,
    ShipmentNotice,
    ShipmentStatus,
    carrier_title,
    parcel_refusals,
    ship_by,
)
from oms_dashboard.ids import new_id
from oms_dashboard.models import (
    Address,
    Customer,
    Order,
    OrderLine,
    Product,
    Seller,
    Shipment,
    ShipmentLabel,
)
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import locks, stock
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.carrier_accounts import account, usable
from oms_dashboard.services.carrier_health import (
    CarrierRefused,
    CarrierUnavailable,
    breaker_open,
    call_carrier,
    record_failure,
    record_success,
)
from oms_dashboard.services.carrier_registry import carrier_for
from oms_dashboard.services.delivery_calendar import holiday_checker
from oms_dashboard.services.errors import Conflict, ValidationFailed
from oms_dashboard.services.orders import get_order, scoped_orders
from oms_dashboard.services.outbox import MessageKind, add_message
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


def fulfillment_queue(
    session: Session, *, actor: Actor, now: datetime | None = None
) -> list[QueueRow]:
    """The seller's orders waiting to ship, the most urgent first."""
    actor.require(Role.SELLER, Role.ADMIN)
    now = now or utcnow()
    orders = session.exec(scoped_orders(actor).where(Order.status == OrderStatus.PROCESSING)).all()
    if not orders:
        return []
    seller_ids = {order.seller_id for order in orders}
    handling = dict(
        session.exec(
            select(Seller.id, Seller.handling_hours).where(Seller.id.in_(seller_ids))
        ).all()
    )
    units: dict[str, int] = {}
    for order_id, quantity in session.exec(
        select(OrderLine.order_id, OrderLine.quantity).where(
            OrderLine.order_id.in_([o.id for o in orders])
        )
    ):
        units[order_id] = units.get(order_id, 0) + quantity
    rows = []
    for order in orders:
        deadline = ship_by(order.paid_at or order.placed_at, handling[order.seller_id])
        rows.append(
            QueueRow(
                order=order,
                ship_by=deadline,
                urgency=rules.urgency(deadline, now),
                time_left=rules.time_left(deadline, now),
                units=units.get(order.id, 0),
            )
        )
    return sorted(rows, key=lambda row: (row.ship_by, row.order.id))


# -- offers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelOptions:
    order_id: str
    parcel: rules.ParcelSize | None
    """None when nothing physical ships (digital goods only)."""
    promised: date | None
    offers: list[rules.Offer]
    """Cheapest first."""
    preselected: rules.Offer | None
    unavailable: dict[str, str]
    """Carrier -> why it offers nothing now (disabled, refuses the parcel, not answering)."""


@dataclass(frozen=True)
class _ShipContext:
    order: Order
    seller: Seller
    shipper: Party
    recipient: Party
    parcel: rules.ParcelSize | None


def label_options(
    engine: Engine,
    *,
    actor: Actor,
    order_id: str,
    parcel: rules.ParcelSize | None = None,
    sandbox_transport: httpx.BaseTransport | None,
) -> LabelOptions:
    """What every usable carrier offers for this order's parcel (the one proposed from
    its items, or ``parcel`` as the seller measured it), asked all at once."""
    unavailable: dict[str, str] = {}
    adapters = {}
    with Session(engine, expire_on_commit=False) as session:
        context = _context(session, actor, order_id, parcel)
        for name in CarrierName:
            row = account(session, name.value)
            ok, why = usable(row)
            refusals = (
                parcel_refusals(row.carrier, **_dims(context.parcel)) if context.parcel else []
            )
            if not ok:
                unavailable[row.carrier] = why or "unavailable"
            elif breaker_open(row):
                unavailable[row.carrier] = "not answering; calls paused for a while"
            elif refusals:
                unavailable[row.carrier] = "; ".join(r["message"] for r in refusals)
            else:
                adapters[row.carrier] = carrier_for(
                    session, row.carrier, sandbox_transport=sandbox_transport
                )
        session.commit()  # a carrier's row made on first use stays
    askable = list(adapters)
    is_holiday = holiday_checker(context.order.ship_country, context.order.ship_region)
    today = utcnow().date()
    offers: list[rules.Offer] = []
    with ThreadPoolExecutor(max_workers=max(1, len(askable))) as pool:
        answers = pool.map(lambda name: _ask(adapters[name], context), askable)
        for name, answer in zip(askable, answers, strict=True):
            if isinstance(answer, CarrierError):
                record_failure(engine, name, answer)
                unavailable[name] = answer.message
                continue
            record_success(engine, name)
            for quote in answer:
                offers.append(
                    rules.Offer(
                        carrier=name,
                        service=quote.service,
                        amount_minor=to_minor(quote.amount, quote.currency),
                        currency=quote.currency,
                        transit_days=quote.transit_days,
                        arrives=add_business_days(today, quote.transit_days, is_holiday)
                        if quote.transit_days is not None
                        else None,
                    )
                )
    offers.sort(key=lambda o: (o.amount_minor, o.arrives or date.max, o.carrier))
    promised = context.order.estimated_delivery
    return LabelOptions(
        order_id=order_id,
        parcel=context.parcel,
        promised=promised,
        offers=offers,
        preselected=rules.preselect(offers, promised),
        unavailable=unavailable,
    )


def _ask(adapter, context: _ShipContext):
    """The carrier's quotes, or the error it gave. Runs in a thread of its own over
    HTTP only (the caller records the carrier's health afterwards)."""
    try:
        with adapter:
            return adapter.quote(
                shipper=context.shipper,
                recipient=context.recipient,
                parcel=_parcel(context.parcel),
            )
    except CarrierError as error:
        return error


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
        context = _context(session, actor, order_id, parcel)
        _check_shippable(context.order)
        if context.parcel is None:
            raise Conflict(
                "this order has only digital goods: there is nothing to ship",
                type="nothing-to-ship",
            )
        refusals = parcel_refusals(name.value, **_dims(context.parcel))
        if refusals:
            raise ValidationFailed(refusals)
        adapter = carrier_for(session, name.value, sandbox_transport=sandbox_transport)
    with adapter:
        if service is None:
            options = label_options(
                engine,
                actor=actor,
                order_id=order_id,
                parcel=context.parcel,
                sandbox_transport=sandbox_transport,
            )
            mine = [offer for offer in options.offers if offer.carrier == name.value]
            best = rules.preselect(mine, options.promised)
            if best is None:
                why = options.unavailable.get(name.value, "it offered no service")
                raise CarrierUnavailable(name.value, why)
            service = best.service
        try:
            label = call_carrier(
                engine,
                name.value,
                lambda: adapter.create_label(
                    shipper=context.shipper,
                    recipient=context.recipient,
                    parcel=_parcel(context.parcel),
                    service=service,
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
            _void(adapter, label)
            raise


def _record_shipment(
    session: Session, actor: Actor, context: _ShipContext, carrier: str, label: Label
) -> Shipment:
    (order,) = locks.lock_orders(session, ids=[context.order.id])
    _check_shippable(order)
    now = utcnow()
    size = context.parcel
    shipment = Shipment(
        id=new_id("shp"),
        order_id=order.id,
        seller_id=order.seller_id,
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
    session.flush()
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


def _void(adapter, label: Label) -> None:
    """Cancel a label bought for an order that moved on meanwhile; if the carrier
    refuses, the unused label is only logged (carriers do not bill unscanned labels)."""
    try:
        adapter.cancel_label(label.tracking_number)
    except (CarrierError, NotImplementedError) as error:
        log.warning("could not cancel unused label %s: %s", label.tracking_number, error)


# -- shared ------------------------------------------------------------------------------


def _check_shippable(order: Order) -> None:
    check_transition(order.status, OrderStatus.SHIPPED)
    if order.review_reason:
        # domain.review: nothing ships until an admin releases or cancels a held order.
        raise Conflict(
            "this order is held for review: nothing ships until an admin releases it",
            type="held-for-review",
        )


def _context(
    session: Session, actor: Actor, order_id: str, parcel: rules.ParcelSize | None
) -> _ShipContext:
    order = get_order(session, actor=actor, order_id=order_id)
    seller = session.get(Seller, order.seller_id)
    if not seller.address_line1:
        raise Conflict(
            "the seller has no pick-up address: add the street in the seller's settings",
            type="pickup-address-missing",
        )
    if parcel is not None:
        _check_size(parcel)
    else:
        parcel = rules.one_box(_items(session, order))
    return _ShipContext(
        order=order,
        seller=seller,
        shipper=Party(
            name=seller.name,
            line1=seller.address_line1,
            city=seller.city or "",
            region=seller.region,
            postal_code=seller.postal_code,
            country=seller.country,
            phone=seller.phone,
        ),
        recipient=Party(
            phone=_customer_phone(session, order),
            name=order.ship_name,
            line1=order.ship_line1,
            line2=order.ship_line2,
            city=order.ship_city,
            region=order.ship_region,
            postal_code=order.ship_postal_code,
            country=order.ship_country,
        ),
        parcel=parcel,
    )


def _customer_phone(session: Session, order: Order) -> str | None:
    """The number a courier calls: the customer's, or their default address's."""
    customer = session.get(Customer, order.customer_id)
    if customer and customer.phone:
        return customer.phone
    return session.exec(
        select(Address.phone)
        .where(Address.customer_id == order.customer_id, Address.phone.is_not(None))
        .order_by(Address.is_default.desc())
    ).first()


def _items(session: Session, order: Order) -> list[ShipItem]:
    rows = session.exec(
        select(OrderLine, Product)
        .join(Product, Product.sku == OrderLine.sku)
        .where(OrderLine.order_id == order.id)
        .order_by(OrderLine.id)
    ).all()
    return [
        ShipItem(
            line_index=index,
            sku=product.sku,
            quantity=line.quantity,
            weight_grams=product.weight_grams,
            length_mm=product.length_mm,
            width_mm=product.width_mm,
            height_mm=product.height_mm,
            digital=product.digital,
        )
        for index, (line, product) in enumerate(rows)
    ]


def _check_size(parcel: rules.ParcelSize) -> None:
    errors = [
        {"field": field, "message": "must be a whole number above 0"}
        for field, value in _dims(parcel).items()
        if not isinstance(value, int) or value <= 0
    ]
    if errors:
        raise ValidationFailed(errors)


def _dims(parcel: rules.ParcelSize) -> dict[str, int]:
    return {
        "weight_grams": parcel.weight_grams,
        "length_mm": parcel.length_mm,
        "width_mm": parcel.width_mm,
        "height_mm": parcel.height_mm,
    }


def _parcel(size: rules.ParcelSize) -> Parcel:
    return Parcel(**_dims(size))


def _quantities(lines: Sequence[OrderLine]) -> dict[str, int]:
    quantities: dict[str, int] = {}
    for line in lines:
        quantities[line.sku] = quantities.get(line.sku, 0) + line.quantity
    return quantities


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
