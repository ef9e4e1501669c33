"""Small builders for test data: each makes one thing, with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session

from oms_dashboard.carriers.base import Commodity, Customs, CustomsPurpose
from oms_dashboard.ids import new_id, new_order_number
from oms_dashboard.models import (
    Checkout,
    Customer,
    Inventory,
    Order,
    OrderEvent,
    OrderLine,
    Product,
    Seller,
    User,
)
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.auth import actor_for_user, hash_password
from oms_dashboard.services.ship_by import stamp_ship_by

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)
_counter = itertools.count(1)


def make_seller(session: Session, **overrides) -> Seller:
    n = next(_counter)
    seller = Seller(
        id=new_id("sel"),
        name=overrides.pop("name", f"Seller {n}"),
        country=overrides.pop("country", "US"),
        city=overrides.pop("city", "Austin"),
        region=overrides.pop("region", "TX"),
        postal_code=overrides.pop("postal_code", "78701"),
        address_line1=overrides.pop("address_line1", "100 Congress Ave"),
        phone=overrides.pop("phone", "+1 512 555 0100"),
        **overrides,
    )
    session.add(seller)
    session.commit()
    return seller


def make_user(
    session: Session, role: str, *, seller: Seller | None = None, email: str | None = None
) -> User:
    n = next(_counter)
    email = email or f"{role}{n}@example.com"
    user = User(
        id=new_id("usr"),
        email=email,
        email_lookup=email.lower(),
        name=f"{role.title()} {n}",
        role=role,
        seller_id=seller.id if seller else None,
        password_hash=_PASSWORD_HASH,
    )
    session.add(user)
    session.flush()
    if role == "customer":
        session.add(Customer(id=new_id("cus"), user_id=user.id, name=user.name, email=user.email))
    session.commit()
    return user


def make_actor(session: Session, role: str, *, seller: Seller | None = None) -> Actor:
    return actor_for_user(session, make_user(session, role, seller=seller))


def make_product(session: Session, seller: Seller, *, on_hand: int = 10, **overrides) -> Product:
    n = next(_counter)
    kind = overrides.pop("kind", "digital" if overrides.get("digital") else "physical")
    overrides["digital"] = kind == "digital"
    product = Product(
        kind=kind,
        id=new_id("prd"),
        sku=overrides.pop("sku", f"SKU-{n:05d}"),
        seller_id=seller.id,
        title=overrides.pop("title", f"Product {n}"),
        price_minor=overrides.pop("price_minor", 1999),
        currency=overrides.pop("currency", "USD"),
        weight_grams=overrides.pop("weight_grams", 500),
        length_mm=overrides.pop("length_mm", 200),
        width_mm=overrides.pop("width_mm", 150),
        height_mm=overrides.pop("height_mm", 100),
        origin_country=overrides.pop("origin_country", seller.country),
        **overrides,
    )
    session.add(product)
    session.flush()
    session.add(Inventory(sku=product.sku, seller_id=seller.id, on_hand=on_hand, reserved=0))
    session.commit()
    return product


UNPAID_STATUSES = frozenset({"pending_payment", "payment_failed", "cancelled"})
"""A cancelled order may or may not have been paid: a test that needs it paid says so."""


def make_order(
    session: Session,
    *,
    customer: Actor,
    seller: Seller,
    products: list[Product],
    status: str = "processing",
    placed_at: datetime | None = None,
    quantity: int = 1,
) -> Order:
    """An order as checkout would leave it, with its lines and a 'placed' event."""
    placed_at = placed_at or utcnow() - timedelta(hours=2)
    ship_to = dict(
        ship_name=customer.name,
        ship_line1="1 Main St",
        ship_city="Austin",
        ship_region="TX",
        ship_postal_code="78701",
        ship_country="US",
    )
    subtotal = sum(p.price_minor * quantity for p in products)
    currency = seller.currency  # as checkout: an order is in its seller's currency
    checkout = Checkout(
        id=new_id("chk"),
        customer_id=customer.customer_id,
        idempotency_key=new_id("key"),
        request_hash="0" * 64,
        currency=currency,
        total_minor=subtotal + 599,
        created_at=placed_at,
        **ship_to,
    )
    session.add(checkout)
    session.flush()
    order = Order(
        id=new_id("ord"),
        number=new_order_number(),
        checkout_id=checkout.id,
        seller_id=seller.id,
        customer_id=customer.customer_id,
        customer_email=customer.email,
        status=status,
        currency=currency,
        subtotal_minor=subtotal,
        shipping_minor=599,
        total_minor=subtotal + 599,
        placed_at=placed_at,
        # Past payment, the payment was taken (what refunds count as paid).
        paid_at=None if status in UNPAID_STATUSES else placed_at + timedelta(minutes=1),
        **ship_to,
    )
    stamp_ship_by(order, seller)
    session.add(order)
    session.flush()
    for product in products:
        session.add(
            OrderLine(
                id=new_id("oln"),
                order_id=order.id,
                seller_id=seller.id,
                sku=product.sku,
                title=product.title,
                quantity=quantity,
                unit_price_minor=product.price_minor,
                line_total_minor=product.price_minor * quantity,
                kind=product.kind,
                placed_at=order.placed_at,
            )
        )
    session.add(
        OrderEvent(
            id=new_id("evt"),
            order_id=order.id,
            seller_id=seller.id,
            type="order.placed",
            at=placed_at,
            actor_type="user",
            actor_id=customer.user_id,
            actor_label=customer.label,
            to_status="pending_payment",
        )
    )
    session.commit()
    return order


def make_commodity(**overrides) -> Commodity:
    """Two enamel mugs made in the US, 12.50 USD each."""
    fields = dict(
        description="Enamel mug",
        hs_code="691200",
        origin_country="US",
        quantity=2,
        unit_value=Decimal("12.50"),
        currency="USD",
        weight_grams=700,
        sku="MUG-1",
    )
    return Commodity(**(fields | overrides))


def make_customs(*commodities: Commodity, **overrides) -> Customs:
    """A sale's declaration of ``commodities`` (two mugs when none is given)."""
    fields = dict(
        commodities=commodities or (make_commodity(),),
        purpose=CustomsPurpose.SALE,
        invoice_number="OMS-7K3F-9QX2",
        invoice_date=date(2025, 3, 14),
    )
    return Customs(**(fields | overrides))


def pay(order: Order, seller: Seller, at: datetime) -> Order:
    """Mark ``order`` paid at ``at`` with the ship-by deadline payment would store."""
    order.paid_at = at
    stamp_ship_by(order, seller)
    return order
