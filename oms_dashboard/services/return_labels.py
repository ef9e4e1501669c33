"""The parcels of a return, bought like ``fulfillment.buy_label`` buys them: the
carrier is called outside any transaction, then one transaction records what it
sold; if the return moved meanwhile the label is cancelled with the carrier and the
caller gets the 409.

The return label comes from the carrier (and service) of the order's first outbound
shipment and is a ``Shipment`` with ``direction = return``: tracking sync and carrier
webhooks follow it like any other. An exchange's replacement ships with the same
carrier as a new outbound shipment of the order."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select

from oms_dashboard.carriers.base import Carrier, CarrierError, CustomsPurpose, Label
from oms_dashboard.domain import fulfillment as parcels
from oms_dashboard.domain import returns as rules
from oms_dashboard.domain.errors import InvalidTransition
from oms_dashboard.domain.returns import RETURN, Resolution, ReturnStatus
from oms_dashboard.domain.shipping import ShipItem
from oms_dashboard.domain.tracking import ShipmentDirection, carrier_title
from oms_dashboard.models import Product, Return, Shipment, ShipmentLabel
from oms_dashboard.services import locks, stock
from oms_dashboard.services.actor import SYSTEM, Actor, Role
from oms_dashboard.services.audit import record_audit, snapshot
from oms_dashboard.services.carrier_health import CarrierRefused, call_carrier
from oms_dashboard.services.carrier_registry import open_adapter
from oms_dashboard.services.errors import Conflict
from oms_dashboard.services.fulfillment import audit_label_void, new_shipment
from oms_dashboard.services.return_records import (
    ReturnStep,
    fresh,
    get_return,
    move,
    quantities,
    reload,
    replacements,
    return_lines,
    tell,
)
from oms_dashboard.services.ship_context import ShipContext, parcel_of, ship_context
from oms_dashboard.services.timeline import OMS, By, record_event
from oms_dashboard.services.unit_of_work import run_in_transaction

log = logging.getLogger(__name__)

S = ReturnStatus


def buy_return_label(
    engine: Engine,
    return_id: str,
    sandbox_transport: httpx.BaseTransport | None,
    *,
    actor: Actor = SYSTEM,
) -> None:
    """The approved return's label, audited as ``actor``'s purchase (the person who
    approved it, or the OMS when a rule did)."""
    with Session(engine) as session:
        ret = session.get(Return, return_id)
        original = original_shipment(session, ret.order_id)
        back = quantities(return_lines(session, ret.id))
        parcel = parcels.one_box(ship_items(session, back))
        # Abroad, customs are told what comes back: the return's lines, as returned goods.
        context = ship_context(
            session, SYSTEM, ret.order_id, parcel, goods=back, purpose=CustomsPurpose.RETURN
        )
    _buy_label(
        engine,
        original,
        context,
        sandbox_transport,
        actor=actor,
        buy=lambda adapter: adapter.create_return_label,
        record=lambda s, label: record_return_label(
            s, return_id, context, original, label, actor=actor
        ),
    )


def _buy_label(
    engine: Engine,
    original: Shipment,
    context: ShipContext,
    sandbox_transport: httpx.BaseTransport | None,
    *,
    actor: Actor,
    buy: Callable[[Carrier], Callable[..., Label]],
    record: Callable[[Session, Label], object],
) -> None:
    """Buy a label (``buy``: which of the adapter's methods) from the original
    shipment's carrier with its service, then ``record`` it in a transaction of its
    own; a label the record refuses (the return moved on meanwhile) is voided, audited."""
    adapter = open_adapter(engine, original.carrier, sandbox_transport=sandbox_transport)
    with adapter:
        try:
            label = call_carrier(
                engine,
                original.carrier,
                lambda: buy(adapter)(
                    shipper=context.shipper,
                    recipient=context.recipient,
                    parcel=parcel_of(context.parcel),
                    service=original.service,
                    customs=context.customs,
                ),
            )
        except CarrierError as error:
            raise CarrierRefused(error) from error
        try:
            run_in_transaction(engine, lambda s: record(s, label))
        except Conflict:
            _void_audited(engine, adapter, actor, context.order.id, original.carrier, label)
            raise


def record_return_label(
    session: Session,
    return_id: str,
    context: ShipContext,
    original: Shipment,
    label: Label,
    *,
    actor: Actor = SYSTEM,
) -> None:
    (order,) = locks.lock_orders(session, ids=[context.order.id])
    ret = fresh(session, return_id)
    if ret.status != S.APPROVED or ret.shipment_id:
        raise Conflict("the return moved on while its label was bought", type="return-moved")
    shipment = new_shipment(
        order, original.carrier, label, context.parcel, ShipmentDirection.RETURN
    )
    session.add(shipment)
    session.add(ShipmentLabel(shipment_id=shipment.id, pdf=label.label_pdf))
    session.flush()
    before = snapshot(ret)
    ret.shipment_id = shipment.id
    move(ret, S.LABEL_CREATED)
    session.add(ret)
    _audit_label(session, actor, "return.label_buy", ret, before, shipment)
    record_event(
        session,
        order,
        "return.label_created",
        by=OMS,
        note=f"Return label: {carrier_title(original.carrier)} {label.service}, "
        f"tracking {label.tracking_number}",
        data={"return_id": ret.id, "shipment_id": shipment.id},
    )
    tell(session, ret, ReturnStep.APPROVED)


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
        check_exchange(ret)
        original = original_shipment(session, ret.order_id)
        quantities = replacements(session, ret)
        parcel = parcels.one_box(ship_items(session, quantities))
        context = ship_context(session, SYSTEM, ret.order_id, parcel, goods=quantities)
    _buy_label(
        engine,
        original,
        context,
        sandbox_transport,
        actor=actor,
        buy=lambda adapter: adapter.create_label,
        record=lambda s, label: record_exchange(s, actor, ret.id, context, original.carrier, label),
    )
    return reload(engine, return_id)


def check_exchange(ret: Return) -> None:
    if ret.resolution != Resolution.EXCHANGE:
        raise Conflict("this return is for a refund: there is nothing to ship", type="not-exchange")
    RETURN.check(ret.status, S.EXCHANGE_SHIPPED)
    if ret.status == S.APPROVED and rules.needs_label(ret.reason):
        raise InvalidTransition(
            ret.status, S.EXCHANGE_SHIPPED, "the item comes back first", subject="a return"
        )


def record_exchange(
    session: Session, actor: Actor, return_id: str, context: ShipContext, carrier: str, label
) -> None:
    (order,) = locks.lock_orders(session, ids=[context.order.id])
    ret = fresh(session, return_id)
    check_exchange(ret)
    shipment = new_shipment(order, carrier, label, context.parcel)
    session.add(shipment)
    session.add(ShipmentLabel(shipment_id=shipment.id, pdf=label.label_pdf))
    session.flush()
    stock.fulfil(session, replacements(session, ret))
    before = snapshot(ret)
    ret.exchange_shipment_id = shipment.id
    move(ret, S.EXCHANGE_SHIPPED)
    session.add(ret)
    _audit_label(session, actor, "return.exchange_label_buy", ret, before, shipment)
    record_event(
        session,
        order,
        "return.exchange_shipped",
        by=By.person(actor),
        note=f"Replacement shipped: {carrier_title(carrier)} {label.service}, "
        f"tracking {label.tracking_number}",
        data={"return_id": ret.id, "shipment_id": shipment.id},
    )
    tell(session, ret, ReturnStep.EXCHANGE_SHIPPED)


def _audit_label(
    session: Session,
    actor: Actor,
    action: str,
    ret: Return,
    before: dict | None,
    shipment: Shipment,
) -> None:
    """A label bought for a return, audited as ``fulfillment`` audits an order's: the
    return before and after (its status, its shipment) and what the carrier sold."""
    record_audit(
        session,
        actor=actor,
        action=action,
        entity_type="return",
        entity_id=ret.id,
        before=before,
        after={
            **(snapshot(ret) or {}),
            "carrier": shipment.carrier,
            "service": shipment.service,
            "tracking_number": shipment.tracking_number,
            "direction": shipment.direction,
            "rate_minor": shipment.rate_minor,
            "rate_currency": shipment.rate_currency,
        },
        order_id=ret.order_id,
    )


def _void_audited(
    engine: Engine, adapter, actor: Actor, order_id: str, carrier: str, label: Label
) -> None:
    voided = void_label(adapter, label)
    run_in_transaction(
        engine,
        lambda s: audit_label_void(s, actor, order_id, carrier, label, voided),
    )


def ship_items(session: Session, quantities: dict[str, int]) -> list[ShipItem]:
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


def original_shipment(session: Session, order_id: str) -> Shipment:
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


def void_label(adapter, label: Label) -> bool:
    """Cancel a label bought for a return that moved on meanwhile (logged if refused:
    carriers do not bill unscanned labels). Whether the carrier cancelled it."""
    try:
        adapter.cancel_label(label.tracking_number)
    except (CarrierError, NotImplementedError) as error:
        log.warning("could not cancel unused label %s: %s", label.tracking_number, error)
        return False
    return True
