"""Builds N orders (default 1,000,000) with lines, shipments and events in PostgreSQL.

    .venv/bin/python -m tests.perf.million [--orders N] [--url URL]

The database (default ``oms_bench_search``) is made afresh: migrated to head, the
demo mall seeded (its sellers, products and customers), more customers added, then
every order written with COPY (psycopg), a chunk of orders at a time, in the order
the foreign keys need (checkouts, orders, lines, shipments, events). The search
indexes are dropped for the load and built afterwards, then the tables analysed.
Rows meet every model constraint: totals add up, statuses are the enums' values,
lines are the order's seller's products, shipped orders have a shipment.
Prints the time of each step.
"""

from __future__ import annotations

import argparse
import io
import random
import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import psycopg
import sqlalchemy as sa
from sqlmodel import Session

from oms_dashboard.db import get_engine
from oms_dashboard.demo.seed import seed_demo
from oms_dashboard.domain.delivery import ship_by
from oms_dashboard.migrations import upgrade_to_head
from oms_dashboard.models import Checkout, Order, OrderEvent, OrderLine, Shipment

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/oms_bench_search"
CHUNK = 20_000
EXTRA_CUSTOMERS = 20_000
FIRST = [
    "Ava",
    "Ben",
    "Cleo",
    "Dan",
    "Eve",
    "Finn",
    "Gia",
    "Hal",
    "Ivy",
    "Jon",
    "Kai",
    "Lea",
    "Max",
    "Noa",
    "Oli",
    "Pia",
    "Quinn",
    "Ray",
    "Sam",
    "Tess",
    "Uma",
    "Vic",
    "Wes",
    "Xan",
    "Yara",
    "Zoe",
    "Jordan",
    "Morgan",
    "Riley",
    "Casey",
]
LAST = [
    "Adams",
    "Baker",
    "Chen",
    "Diaz",
    "Ellis",
    "Fox",
    "Garcia",
    "Hughes",
    "Ito",
    "Jones",
    "Khan",
    "Lopez",
    "Miller",
    "Novak",
    "Ortiz",
    "Patel",
    "Quinn",
    "Rossi",
    "Smith",
    "Tanaka",
    "Ueda",
    "Vargas",
    "Walker",
    "Xu",
    "Young",
    "Zimmer",
]
CITIES = (
    ("New York", "NY", "10001", "US"),
    ("Austin", "TX", "78701", "US"),
    ("Denver", "CO", "80202", "US"),
    ("Toronto", "ON", "M5H 2N2", "CA"),
    ("London", None, "SW1A 1AA", "GB"),
    ("Berlin", None, "10115", "DE"),
)
CARRIERS = ("ups", "fedex", "usps", "dhl")
DAY = timedelta(days=1)


@lru_cache(maxsize=4096)
def _ship_by_hour(hour: datetime) -> datetime:
    """24 h handling in business days, read in UTC (cut-off and day are by the hour)."""
    return ship_by(hour, 24, UTC)


def _ship_by(paid_at: datetime | None) -> datetime | None:
    if paid_at is None:
        return None
    return _ship_by_hour(paid_at.replace(minute=0, second=0, microsecond=0))


SEARCH_INDEXES = (
    ("ix_orders_number_trgm", "orders", "gin (number gin_trgm_ops)"),
    ("ix_orders_customer_email_trgm", "orders", "gin (customer_email gin_trgm_ops)"),
    ("ix_orders_ship_name_trgm", "orders", "gin (ship_name gin_trgm_ops)"),
    ("ix_shipments_tracking_number_trgm", "shipments", "gin (tracking_number gin_trgm_ops)"),
    ("ix_orders_placed_id", "orders", "(placed_at, id)"),
    ("ix_orders_country_placed", "orders", "(ship_country, placed_at)"),
    ("ix_orders_seller_placed", "orders", "(seller_id, placed_at)"),
    ("ix_orders_customer_placed", "orders", "(customer_id, placed_at)"),
    ("ix_orders_status_placed", "orders", "(status, placed_at)"),
    ("ix_order_lines_order_id", "order_lines", "(order_id)"),
    ("ix_order_lines_sku_placed", "order_lines", "(sku, placed_at, order_id)"),
    ("ix_order_lines_sku_title", "order_lines", "(sku, title)"),
    ("ix_orders_id_placed", "orders", "(id, placed_at)"),
    ("ix_order_events_order_at", "order_events", "(order_id, at)"),
    ("ix_order_events_seller_id", "order_events", "(seller_id)"),
    ("ix_shipments_order_id", "shipments", "(order_id)"),
    ("ix_shipments_seller_id", "shipments", "(seller_id)"),
    ("ix_shipments_flagged_order", "shipments", "(order_id) WHERE flag IS NOT NULL"),
)
_READABLE = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def fresh_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = sa.create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _id(prefix: str, at: datetime, i: int) -> str:
    """A UUIDv7-shaped id: the time in ms, then a counter (unique per table)."""
    ms = int(at.timestamp() * 1000)
    high, mid, low = i >> 48 & 0xFFF, 0x8000 | (i >> 36 & 0xFFF), i & 0xFFFFFFFFF
    return f"{prefix}_{ms:012x}7{high:03x}{mid:04x}{low:012x}"


def _number(i: int, prefix: str = "BN") -> str:
    digits = []
    n = i * 7919 + 104729  # spread, still one-to-one
    for _ in range(8):
        n, r = divmod(n, 32)
        digits.append(_READABLE[r])
    raw = "".join(digits)
    return f"{prefix}{raw[:4]}-{raw[4:]}"


def _tsv(values) -> str:
    out = []
    for v in values:
        if v is None:
            out.append("\\N")
        elif isinstance(v, datetime):
            out.append(v.isoformat())
        elif isinstance(v, bool):
            out.append("t" if v else "f")
        else:
            s = str(v)
            if "\t" in s or "\\" in s or "\n" in s:
                s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            out.append(s)
    return "\t".join(out) + "\n"


def _columns(model) -> list[str]:
    return [c.name for c in model.__table__.columns]


def _status_for(age_days: float, rng: random.Random) -> str:
    if age_days < 1:
        return rng.choice(("pending_payment", "processing", "processing", "shipped"))
    if age_days < 5:
        return rng.choice(("processing", "shipped", "in_transit", "out_for_delivery", "delivered"))
    r = rng.random()
    if r < 0.90:
        return "delivered"
    if r < 0.95:
        return "cancelled"
    if r < 0.98:
        return "delivery_exception"
    return "payment_failed"


SHIPPED = {"shipped", "in_transit", "out_for_delivery", "delivered", "delivery_exception"}


def load(url: str, orders: int, *, seed: int = 14, days: int = 365) -> dict[str, float]:
    timings: dict[str, float] = {}
    began = time.perf_counter()
    fresh_database(url)
    upgrade_to_head(url)
    engine = get_engine(url)
    with Session(engine) as session:
        seed_demo(session)
        session.commit()
    timings["migrate_and_seed_s"] = time.perf_counter() - began

    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    pg = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(pg) as conn:
        products = conn.execute(
            "SELECT sku, title, seller_id, price_minor, currency FROM products WHERE active"
        ).fetchall()
        by_seller: dict[str, list[tuple]] = {}
        for sku, title, seller_id, price, currency in products:
            by_seller.setdefault(seller_id, []).append((sku, title, price, currency))
        sellers = sorted(by_seller)
        started = time.perf_counter()
        customers = [tuple(row) for row in conn.execute("SELECT id, name, email FROM customers")]
        with conn.cursor().copy("COPY customers (id, name, email, created_at) FROM STDIN") as copy:
            for i in range(EXTRA_CUSTOMERS):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                row = (
                    _id("cus", now, i),
                    f"{first} {last}",
                    f"{first.lower()}.{last.lower()}{i}@example.com",
                )
                customers.append(row)
                copy.write(_tsv((*row, now)))
        for name, _, _ in SEARCH_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
        conn.commit()
        timings["customers_s"] = time.perf_counter() - started

        started = time.perf_counter()
        cols = {m: _columns(m) for m in (Checkout, Order, OrderLine, Shipment, OrderEvent)}
        counts = dict.fromkeys(
            ("checkouts", "orders", "order_lines", "shipments", "order_events"), 0
        )
        line_no = ship_no = event_no = 0
        for chunk_start in range(0, orders, CHUNK):
            bufs = {m: io.StringIO() for m in cols}
            for i in range(chunk_start, min(orders, chunk_start + CHUNK)):
                placed = now - timedelta(seconds=rng.randrange(days * 86400))
                age = (now - placed) / DAY
                status = _status_for(age, rng)
                seller = sellers[rng.randrange(len(sellers))]
                cus_id, cus_name, cus_email = customers[rng.randrange(len(customers))]
                city, region, postal, country = CITIES[rng.randrange(len(CITIES))]
                catalog = by_seller[seller]
                currency = catalog[0][3]
                order_id, checkout_id = _id("ord", placed, i), _id("chk", placed, i)
                lines, subtotal = [], 0
                for _ in range(rng.choice((1, 1, 2, 2, 3))):
                    sku, title, price, _cur = catalog[rng.randrange(len(catalog))]
                    qty = rng.choice((1, 1, 1, 2, 3))
                    lines.append((sku, title, qty, price))
                    subtotal += qty * price
                shipping = rng.choice((0, 599, 899, 1299))
                total = subtotal + shipping
                paid = status not in ("pending_payment", "payment_failed")
                paid_at = placed + timedelta(minutes=2) if paid else None
                shipped_at = (
                    placed + timedelta(hours=rng.randrange(2, 40)) if status in SHIPPED else None
                )
                delivered_at = (
                    shipped_at + timedelta(days=rng.randrange(1, 5))
                    if status == "delivered"
                    else None
                )
                cancelled_at = placed + timedelta(hours=1) if status == "cancelled" else None
                stock = {
                    "pending_payment": "held",
                    "payment_failed": "released",
                    "cancelled": "released",
                    "processing": "confirmed",
                }.get(status, "fulfilled")
                ship_to = dict(
                    ship_name=cus_name,
                    ship_line1=f"{rng.randrange(1, 999)} Main St",
                    ship_line2=None,
                    ship_city=city,
                    ship_region=region,
                    ship_postal_code=postal,
                    ship_country=country,
                )
                checkout = dict(
                    id=checkout_id,
                    customer_id=cus_id,
                    idempotency_key=f"bench-{i}",
                    request_hash="0" * 64,
                    status="paid"
                    if paid
                    else ("payment_failed" if status == "payment_failed" else "pending_payment"),
                    currency=currency,
                    total_minor=total,
                    service_level="standard",
                    payment_status="authorized"
                    if paid
                    else ("failed" if status == "payment_failed" else "pending"),
                    payment_round=1,
                    payment_attempts=0,
                    response=None,
                    created_at=placed,
                    hold_expires_at=None,
                    paid_at=paid_at,
                    **ship_to,
                )
                order = dict(
                    id=order_id,
                    number=_number(i),
                    checkout_id=checkout_id,
                    seller_id=seller,
                    customer_id=cus_id,
                    customer_email=cus_email,
                    status=status,
                    currency=currency,
                    subtotal_minor=subtotal,
                    shipping_minor=shipping,
                    total_minor=total,
                    service_level="standard",
                    estimated_delivery=(placed + 5 * DAY).date(),
                    review_reason=None,
                    stock_status=stock,
                    placed_at=placed,
                    updated_at=delivered_at or shipped_at or cancelled_at or paid_at or placed,
                    paid_at=paid_at,
                    ship_by=_ship_by(paid_at),
                    shipped_at=shipped_at,
                    delivered_at=delivered_at,
                    receipt_confirmed_at=None,
                    cancelled_at=cancelled_at,
                    **ship_to,
                )
                bufs[Checkout].write(_tsv(checkout.get(c) for c in cols[Checkout]))
                bufs[Order].write(_tsv(order.get(c) for c in cols[Order]))
                for sku, title, qty, price in lines:
                    line = dict(
                        id=_id("oln", placed, line_no),
                        order_id=order_id,
                        seller_id=seller,
                        sku=sku,
                        title=title,
                        quantity=qty,
                        unit_price_minor=price,
                        line_total_minor=qty * price,
                        kind="physical",
                        placed_at=placed,
                    )
                    bufs[OrderLine].write(_tsv(line.get(c) for c in cols[OrderLine]))
                    line_no += 1
                events = [("order.placed", placed, None, "pending_payment")]
                if paid:
                    events.append(("payment.authorized", paid_at, "pending_payment", "processing"))
                if status == "cancelled":
                    events.append(("order.cancelled", cancelled_at, "processing", "cancelled"))
                if shipped_at:
                    carrier = CARRIERS[rng.randrange(4)]
                    flag = (
                        "stuck" if status == "delivery_exception" or rng.random() < 0.005 else None
                    )
                    ship_status = status if status in SHIPPED else "shipped"
                    shipment = dict(
                        id=_id("shp", shipped_at, ship_no),
                        order_id=order_id,
                        seller_id=seller,
                        direction="outbound",
                        carrier=carrier,
                        service="ground",
                        tracking_number=f"{carrier[:2].upper()}{ship_no:012d}",
                        status=ship_status,
                        signature_required=False,
                        created_at=shipped_at,
                        last_scan_at=delivered_at or shipped_at,
                        delivered_at=delivered_at,
                        estimated_delivery=(placed + 5 * DAY).date(),
                        flag=flag,
                        flagged_reason="No scan for 72 hours" if flag else None,
                        flagged_at=shipped_at + 3 * DAY if flag else None,
                    )
                    bufs[Shipment].write(_tsv(shipment.get(c) for c in cols[Shipment]))
                    ship_no += 1
                    events.append(("order.shipped", shipped_at, "processing", "shipped"))
                    if delivered_at:
                        events.append(("order.delivered", delivered_at, "shipped", "delivered"))
                for kind, at, before, after in events:
                    event = dict(
                        id=_id("evt", at, event_no),
                        order_id=order_id,
                        seller_id=seller,
                        type=kind,
                        at=at,
                        actor_type="system",
                        actor_label="OMS",
                        from_status=before,
                        to_status=after,
                    )
                    bufs[OrderEvent].write(_tsv(event.get(c) for c in cols[OrderEvent]))
                    event_no += 1
            with conn.cursor() as cur:
                for model, buf in bufs.items():
                    table = model.__tablename__
                    with cur.copy(f"COPY {table} ({', '.join(cols[model])}) FROM STDIN") as copy:
                        copy.write(buf.getvalue())
                    counts[table] += buf.getvalue().count("\n")
            conn.commit()
        timings["copy_s"] = time.perf_counter() - started

        started = time.perf_counter()
        conn.autocommit = True
        conn.execute("SET maintenance_work_mem = '512MB'")
        for name, table, how in SEARCH_INDEXES:
            conn.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING {how}"
                if how.startswith("gin")
                else f"CREATE INDEX IF NOT EXISTS {name} ON {table} {how}"
            )
        timings["indexes_s"] = time.perf_counter() - started
        started = time.perf_counter()
        # VACUUM as well: it sets the visibility map, without which an index-only
        # scan still reads every row it finds (autovacuum may be off, as here).
        conn.execute("VACUUM (ANALYZE)")
        timings["analyze_s"] = time.perf_counter() - started
    timings["total_s"] = time.perf_counter() - began
    return {**timings, **{f"rows_{k}": v for k, v in counts.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args()
    result = load(args.url, args.orders)
    for key, value in result.items():
        print(f"{key:24} {value:,.1f}" if isinstance(value, float) else f"{key:24} {value:,}")


if __name__ == "__main__":
    main()
