"""Many shipped orders, each with a sandbox package that has news, in bulk rows."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session

from oms_dashboard.carriers import sandbox
from oms_dashboard.db import get_engine
from oms_dashboard.ids import new_id, new_order_number
from oms_dashboard.models import (
    Checkout,
    Customer,
    Order,
    SandboxScan,
    SandboxShipment,
    Seller,
    Shipment,
)
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.carrier_registry import ADAPTERS, SANDBOX_CREDENTIALS, _accepted

CARRIERS = ("fedex", "ups", "dhl", "usps")
SHIP_TO = dict(
    ship_name="Bench Customer",
    ship_line1="350 5th Ave",
    ship_city="New York",
    ship_region="NY",
    ship_postal_code="10118",
    ship_country="US",
)


def build_shipments(url: str, count: int) -> list[tuple[str, str, str]]:
    """``count`` shipped orders spread over the four carriers, each with a sandbox
    package that was picked up and has since reached a hub (news to apply).
    Returns (carrier, tracking number, order id) of each."""
    engine = get_engine(url)
    now = utcnow()
    with Session(engine) as session:
        seller = Seller(
            id=new_id("sel"),
            name="Bench Shipping",
            country="US",
            region="TX",
            city="Austin",
            postal_code="78701",
            address_line1="600 Congress Ave",
        )
        customer = Customer(id=new_id("cus"), name="Bench Customer", email="b@example.com")
        checkout = Checkout(
            id=new_id("chk"),
            customer_id=customer.id,
            idempotency_key="bench",
            request_hash="0" * 64,
            currency="USD",
            total_minor=0,
            status="paid",
            payment_status="authorized",
            **SHIP_TO,
        )
        session.add_all([seller, customer])
        session.flush()
        session.add(checkout)
        session.flush()
        orders, shipments, packages, scans, made = [], [], [], [], []
        for i in range(count):
            carrier = CARRIERS[i % len(CARRIERS)]
            number = sandbox.new_tracking_number(carrier)
            order_id = new_id("ord")
            created = now - timedelta(hours=30)
            orders.append(
                dict(
                    id=order_id,
                    number=new_order_number(),
                    checkout_id=checkout.id,
                    seller_id=seller.id,
                    customer_id=customer.id,
                    customer_email="b@example.com",
                    status="shipped",
                    currency="USD",
                    subtotal_minor=1000,
                    shipping_minor=0,
                    total_minor=1000,
                    stock_status="fulfilled",
                    placed_at=created,
                    updated_at=created,
                    paid_at=created,
                    shipped_at=created,
                    **SHIP_TO,
                )
            )
            shipments.append(
                dict(
                    id=new_id("shp"),
                    order_id=order_id,
                    seller_id=seller.id,
                    direction="outbound",
                    carrier=carrier,
                    service=sandbox.SERVICES[carrier][0].code,
                    tracking_number=number,
                    status="shipped",
                    signature_required=False,
                    created_at=created,
                    next_sync_at=now - timedelta(minutes=1),
                )
            )
            packages.append(
                dict(
                    tracking_number=number,
                    carrier=carrier,
                    service=sandbox.SERVICES[carrier][0].code,
                    origin_city="Austin",
                    origin_region="TX",
                    origin_postal_code="78701",
                    origin_country="US",
                    destination_city="New York",
                    destination_region="NY",
                    destination_postal_code="10118",
                    destination_country="US",
                    estimated_delivery=(now + timedelta(days=3)).date(),
                    signature_required=False,
                    created_at=created,
                )
            )
            for status, hours, city, region, zip_code in (
                ("shipped", 30, "Austin", "TX", "78701"),
                ("in_transit", 10, "Memphis", "TN", "38118"),
            ):
                scans.append(
                    dict(
                        id=new_id("sbs"),
                        tracking_number=number,
                        at=now - timedelta(hours=hours),
                        status=status,
                        city=city,
                        region=region,
                        postal_code=zip_code,
                        country="US",
                    )
                )
            made.append((carrier, number, order_id))
        session.execute(sa.insert(Order), orders)
        session.execute(sa.insert(Shipment), shipments)
        session.execute(sa.insert(SandboxShipment), packages)
        session.execute(sa.insert(SandboxScan), scans)
        session.commit()
    return made


class Counting:
    """An httpx transport that counts the requests it sends into ``counts[carrier]``."""

    def __init__(self, inner, counts: dict[str, int], carrier: str):
        import threading

        self.inner, self.counts, self.carrier = inner, counts, carrier
        self._lock = threading.Lock()
        counts.setdefault(carrier, 0)

    def handle_request(self, request):
        with self._lock:
            self.counts[self.carrier] += 1
        return self.inner.handle_request(request)

    def close(self):
        self.inner.close()


def adapters_over_http(base: str):
    """adapter_for for ``sync_due``: the real adapters talking to the sandbox over HTTP
    (as to a live carrier at ``base``), and the requests each carrier was sent."""
    import httpx

    counts: dict[str, int] = {}

    def adapter_for(carrier: str):
        inner = httpx.HTTPTransport(limits=httpx.Limits(max_connections=16))
        cls = ADAPTERS[carrier]
        return cls(
            base_url=f"{base}/sandbox/carriers/{carrier}",
            transport=Counting(inner, counts, carrier),
            **_accepted(cls, SANDBOX_CREDENTIALS),
        )

    return adapter_for, counts
