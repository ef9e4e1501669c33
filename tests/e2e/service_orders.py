"""Orders the customer-service browser tests start from, made in the served app's
database as checkout and shipping would leave them, and the way to open one."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlmodel import select

from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import ScanLocation
from oms_dashboard.domain.stock import StockStatus
from oms_dashboard.formatting.money import format_money
from oms_dashboard.ids import new_id
from oms_dashboard.models import Checkout, Inventory, Order, Product, Review, Seller, Shipment
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.auth import actor_for_user
from tests.e2e.helpers import db, user
from tests.factories import make_order


def _paid(session, order: Order) -> None:
    """The payment taken, as the provider's event leaves the checkout."""
    checkout = session.get(Checkout, order.checkout_id)
    checkout.payment_status, checkout.status = "authorized", "paid"
    session.add_all([order, checkout])


def paid_order(database_url: str, *, placed_ago: timedelta) -> tuple[str, str]:
    """A paid, processing order of the demo customer from the demo seller, its stock
    reserved as checkout leaves it: (order id, its total as shown)."""
    with db(database_url) as session:
        customer = actor_for_user(session, user(session, "customer"))
        seller_id = user(session, "seller").seller_id
        product = session.exec(
            select(Product)
            .join(Inventory, Inventory.sku == Product.sku)
            .where(
                Product.seller_id == seller_id,
                Product.digital.is_(False),
                Inventory.on_hand - Inventory.reserved > 2,
            )
            # From the end of the list: other tests check out from its start, and an
            # order of the same items minutes apart would be held as a duplicate.
            .order_by(Product.sku.desc())
        ).first()
        seller = session.get(Seller, seller_id)
        order = make_order(
            session,
            customer=customer,
            seller=seller,
            products=[product],
            status="processing",
            placed_at=utcnow() - placed_ago,
        )
        order.stock_status = StockStatus.CONFIRMED
        _paid(session, order)
        session.execute(
            sa.update(Inventory)
            .where(Inventory.sku == product.sku)
            .values(reserved=Inventory.reserved + 1)
        )
        session.commit()
        return order.id, format_money(order.total_minor, order.currency)


def delivered_order(database_url: str) -> tuple[str, str]:
    """A delivered order of the demo customer from the demo seller, sent with FedEx's
    sandbox, of a product they have not reviewed: (order id, the product's title)."""
    with db(database_url) as session:
        customer = actor_for_user(session, user(session, "customer"))
        seller = session.get(Seller, user(session, "seller").seller_id)
        product = session.exec(
            select(Product)
            .join(Inventory, Inventory.sku == Product.sku)
            .where(
                Product.seller_id == seller.id,
                Product.digital.is_(False),
                Inventory.on_hand - Inventory.reserved > 3,
                # Each product is reviewed once by a customer: one they have not.
                Product.sku.not_in(
                    select(Review.sku).where(Review.customer_id == customer.customer_id)
                ),
            )
            # From the end of the list: other tests check out from its start, and an
            # order of the same items minutes apart would be held as a duplicate.
            .order_by(Product.sku.desc())
        ).first()
        order = make_order(
            session, customer=customer, seller=seller, products=[product], status="delivered"
        )
        order.stock_status = StockStatus.FULFILLED
        _paid(session, order)
        order.delivered_at = utcnow()
        place = ScanLocation(
            city=seller.city, region=seller.region, postal_code=seller.postal_code, country="US"
        )
        package = sandbox.register_package(
            session, carrier="fedex", service="FEDEX_GROUND", origin=place, destination=place
        )
        session.add(
            Shipment(
                id=new_id("shp"),
                order_id=order.id,
                seller_id=seller.id,
                carrier="fedex",
                service="FEDEX_GROUND",
                tracking_number=package.tracking_number,
                status="delivered",
                next_sync_at=None,
            )
        )
        session.commit()
        return order.id, product.title


def open_order(page: Page, order_id: str) -> None:
    page.goto(f"/orders/{order_id}")
    expect(page.get_by_test_id("order-summary")).to_be_visible()
