"""What shipping an order needs to know: who sends it (the seller's pick-up address
and phone), who receives it, the parcel (as measured, or one box for all its items),
what customs are told when it crosses a border; and whether the order may ship at all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session, select

from oms_dashboard.carriers.base import Commodity, Customs, CustomsPurpose, Parcel, Party
from oms_dashboard.domain import fulfillment as rules
from oms_dashboard.domain.money import from_minor
from oms_dashboard.domain.shipping import ShipItem
from oms_dashboard.domain.statuses import OrderStatus, check_transition
from oms_dashboard.models import Address, Customer, Order, OrderLine, Product, Seller
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.errors import Conflict, ValidationFailed
from oms_dashboard.services.orders import get_order


@dataclass(frozen=True)
class ShipContext:
    order: Order
    seller: Seller
    shipper: Party
    recipient: Party
    parcel: rules.ParcelSize | None
    customs: Customs | None
    """The goods declared, when the seller ships to another country; None at home."""


def check_shippable(order: Order) -> None:
    check_transition(order.status, OrderStatus.SHIPPED)
    if order.review_reason:
        # domain.review: nothing ships until an admin releases or cancels a held order.
        raise Conflict(
            "this order is held for review: nothing ships until an admin releases it",
            type="held-for-review",
        )


def ship_context(
    session: Session,
    actor: Actor,
    order_id: str,
    parcel: rules.ParcelSize | None,
    *,
    goods: Mapping[str, int] | None = None,
    purpose: CustomsPurpose = CustomsPurpose.SALE,
) -> ShipContext:
    """The order's shipping facts. The customs declare the order's physical lines, or
    only ``goods`` (sku: quantity) when given: a return's lines on their way back
    (``purpose`` RETURN), an exchange's replacement on its way out."""
    order = get_order(session, actor=actor, order_id=order_id)
    seller = session.get(Seller, order.seller_id)
    if not seller.address_line1:
        raise Conflict(
            "the seller has no pick-up address: add the street in the seller's settings",
            type="pickup-address-missing",
        )
    rows = _lines(session, order)
    if parcel is not None:
        _check_size(parcel)
    else:
        parcel = rules.one_box(_items(rows))
    abroad = seller.country.upper() != order.ship_country.upper()
    return ShipContext(
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
        customs=_customs(session, order, rows, goods, purpose) if abroad else None,
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


def _lines(session: Session, order: Order) -> list[tuple[OrderLine, Product]]:
    return list(
        session.exec(
            select(OrderLine, Product)
            .join(Product, Product.sku == OrderLine.sku)
            .where(OrderLine.order_id == order.id)
            .order_by(OrderLine.id)
        ).all()
    )


def _customs(
    session: Session,
    order: Order,
    rows: list[tuple[OrderLine, Product]],
    goods: Mapping[str, int] | None,
    purpose: CustomsPurpose,
) -> Customs | None:
    """The goods as customs see them: what was sold (the line's title and price, in the
    order's currency; a replacement not on the order at its catalogue price), its tariff
    code and origin, what it weighs. The order number is the commercial invoice's, dated
    the day the label is bought."""
    if goods is None:
        declared = [(line.title, line.quantity, line.unit_price_minor, p) for line, p in rows]
    else:
        sold = {product.sku: line for line, product in rows}
        others = [sku for sku in goods if sku not in sold]
        products = {p.sku: p for _, p in rows} | {
            p.sku: p for p in session.exec(select(Product).where(Product.sku.in_(others))).all()
        }
        declared = [
            (
                sold[sku].title if sku in sold else products[sku].title,
                quantity,
                sold[sku].unit_price_minor if sku in sold else products[sku].price_minor,
                products[sku],
            )
            for sku, quantity in sorted(goods.items())
            if quantity > 0
        ]
    commodities = tuple(
        Commodity(
            description=title,
            hs_code=product.hs_code,
            origin_country=product.origin_country,
            quantity=quantity,
            unit_value=from_minor(unit_price_minor, order.currency),
            currency=order.currency,
            weight_grams=product.weight_grams * quantity,
            sku=product.sku,
        )
        for title, quantity, unit_price_minor, product in declared
        if not product.digital
    )
    if not commodities:
        return None  # digital goods only: nothing crosses the border
    return Customs(
        commodities=commodities,
        purpose=purpose,
        invoice_number=order.number,
        invoice_date=utcnow().date(),
    )


def _items(rows: list[tuple[OrderLine, Product]]) -> list[ShipItem]:
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
        for field, value in dims(parcel).items()
        if not isinstance(value, int) or value <= 0
    ]
    if errors:
        raise ValidationFailed(errors)


def dims(parcel: rules.ParcelSize) -> dict[str, int]:
    return {
        "weight_grams": parcel.weight_grams,
        "length_mm": parcel.length_mm,
        "width_mm": parcel.width_mm,
        "height_mm": parcel.height_mm,
    }


def parcel_of(size: rules.ParcelSize) -> Parcel:
    return Parcel(**dims(size))
