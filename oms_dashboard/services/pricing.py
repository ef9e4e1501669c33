"""Prices one seller's share of a checkout: goods, shipping and delivery date.

Loads nothing itself: the caller hands over the seller and products, and this
turns them into the pure rules' inputs (domain.shipping, domain.delivery).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from oms_dashboard.domain.delivery import estimate_delivery
from oms_dashboard.domain.shipping import (
    Place,
    RateTable,
    ShipItem,
    ShippingRefused,
    default_rate_table,
    quote_shipment,
)
from oms_dashboard.models import Product, Seller
from oms_dashboard.services.addresses import Address
from oms_dashboard.services.delivery_calendar import holiday_checker
from oms_dashboard.services.errors import ValidationFailed


@dataclass(frozen=True)
class ShipmentPrice:
    subtotal_minor: int
    shipping_minor: int
    zone: str
    packages: int
    free_shipping: bool
    estimated_delivery: date

    @property
    def total_minor(self) -> int:
        return self.subtotal_minor + self.shipping_minor


def rate_table_of(seller: Seller) -> RateTable:
    if seller.shipping_rates:
        return RateTable.from_dict(seller.shipping_rates)
    return default_rate_table(seller.currency)


def price_shipment(
    *,
    seller: Seller,
    lines: list[tuple[int, Product, int]],
    destination: Address,
    service_level: str,
    placed_at: datetime,
) -> ShipmentPrice:
    """``lines`` are (index in the request, product, quantity). Refusals become a 422."""
    subtotal = sum(product.price_minor * quantity for _, product, quantity in lines)
    items = [
        ShipItem(
            line_index=index,
            sku=product.sku,
            quantity=quantity,
            weight_grams=product.weight_grams,
            length_mm=product.length_mm,
            width_mm=product.width_mm,
            height_mm=product.height_mm,
            digital=product.digital,
            restricted=product.restricted,
            hs_code=product.hs_code,
            unit_value_minor=product.price_minor,
        )
        for index, product, quantity in lines
    ]
    to = Place(destination.country, destination.postal_code, destination.region)
    try:
        quote = quote_shipment(
            items,
            origin=Place(seller.country, seller.postal_code, seller.region),
            destination=to,
            service_level=service_level,
            rates=rate_table_of(seller),
            subtotal_minor=subtotal,
        )
    except ShippingRefused as exc:
        raise ValidationFailed(exc.errors()) from None
    estimated = estimate_delivery(
        placed_at=placed_at,
        handling_hours=seller.handling_hours,
        zone=quote.zone,
        service_level=service_level,
        is_holiday=holiday_checker(destination.country, destination.region),
        origin_is_holiday=holiday_checker(seller.country, seller.region),
        seller_timezone=seller.timezone,
        cutoff_hour=seller.cutoff_hour,
    )
    return ShipmentPrice(
        subtotal_minor=subtotal,
        shipping_minor=quote.cost_minor,
        zone=quote.zone,
        packages=len(quote.packages),
        free_shipping=quote.free_shipping_applied,
        estimated_delivery=estimated,
    )
