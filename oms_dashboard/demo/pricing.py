"""A demo order priced the way checkout prices one: ``services.pricing.price_shipment``.

The seeder builds plain rows; this turns them into the models and the address
checkout hands to the pricing service, so a demo order's shipping cost and
estimated delivery are exactly what the customer would have been charged and
promised. It also knows which products a shopper could not have checked out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from oms_dashboard.domain.shipping import ServiceLevel
from oms_dashboard.models import Product, Seller
from oms_dashboard.services.addresses import Address
from oms_dashboard.services.pricing import ShipmentPrice, price_shipment

Row = dict[str, Any]
_ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country")


def price_demo_order(
    *,
    seller: Row,
    lines: list[tuple[Row, int]],
    address: Row,
    service_level: ServiceLevel,
    placed_at: datetime,
) -> ShipmentPrice:
    """Subtotal, shipping and estimated delivery of one seller's part of a checkout."""
    return price_shipment(
        seller=Seller(**seller),
        lines=[(i, Product(**product), quantity) for i, (product, quantity) in enumerate(lines)],
        destination=Address(**{f: address[f] for f in _ADDRESS_FIELDS}),
        service_level=service_level,
        placed_at=placed_at,
    )


def can_check_out(product: Row, *, international: bool, express: bool) -> bool:
    """Checkout refuses restricted goods abroad or by air, and anything without an HS
    code at a border (domain.shipping). A demo basket holds only what it accepts."""
    if product["digital"]:
        return True
    if product["restricted"] and (international or express):
        return False
    return not international or bool(product["hs_code"])
