"""Searching and filtering orders at scale: the all-orders list, the API and exports.

A search ``q`` is matched, case-insensitively, against one field (``search_in``)
or every field at once (``any``):

- ``id``: the order id, exactly;
- ``number``: the order number (exactly, or a part of it of 3+ characters);
- ``email``: the customer's email as on the order, any part of it;
- ``name``: the delivery name on the order or the customer's profile name, any part;
- ``sku`` / ``title``: a sku or product title on one of the order's lines, any part;
- ``tracking``: a tracking number of one of the order's shipments, any part.

A part-of-a-word search needs at least ``MIN_QUERY`` characters, so a one-letter
search cannot scan every order; shorter text only finds an exact order id or number.
Pages are keyset-paged by (placed_at desc, id desc) with an opaque cursor, at most
``MAX_PAGE`` rows each; ``count_orders_capped`` stops counting at ``COUNT_CAP``.

On PostgreSQL each part-of search is an ILIKE served by a pg_trgm GIN index
(migration 0015); on SQLite the same ILIKE runs as ``lower(x) LIKE lower(y)``,
with the same results. A search transaction on PostgreSQL sets
``plan_cache_mode = force_custom_plan``: psycopg prepares a statement after a few
executions and PostgreSQL then may switch to a generic plan that cannot see the
pattern (and so guesses its selectivity), which turns a rare-term trigram lookup
into a walk of the whole placed_at index. It also sets ``statement_timeout``
(``search_timeout_ms``), so a search gone wrong frees its connection (a 503).

A page is found in two steps: the ids of the page (index-only where the filters
allow: ``orders (placed_at, id)`` for the newest-first walk, ``orders (id,
placed_at)`` for candidate ids), then only those rows. A sku search looks the
matching skus up in the catalogue first (every line's sku is a product's, a
foreign key), then the orders with those skus in ``order_lines (sku, order_id)``.
See docs/PERFORMANCE.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, func, or_, select

from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.models import Customer, Order, OrderLine, Product, Shipment
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.errors import ValidationFailed
from oms_dashboard.services.orders import (
    MAX_PAGE,
    OrderFilter,
    OrderPage,
    decode_cursor,
    encode_cursor,
    scoped_orders,
    seller_names,
)
from oms_dashboard.settings import get_settings

MIN_QUERY = 3
COUNT_CAP = 10_000
CANDIDATES = 10_000
SEARCH_FIELDS = ("any", "id", "number", "email", "name", "sku", "title", "tracking")
Candidates = Callable[[], "sa.Select | None"]
"""The distinct ids of the orders a place searched matches (None: certainly none)."""
FLAGGED_VALUES = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def apply_filters(
    query: sa.Select, filters: OrderFilter, session: Session | None = None
) -> sa.Select:
    """Every filter of the list, ANDed; unknown values are a 422 naming the field.
    With a ``session``, a search may look its candidates up first (``matches``)."""
    if (filters.search_in or "any") not in SEARCH_FIELDS:
        raise ValidationFailed.one("search_in", f"must be one of {', '.join(SEARCH_FIELDS)}")
    if filters.statuses:
        unknown = [s for s in filters.statuses if s not in OrderStatus.__members__.values()]
        if unknown:
            raise ValidationFailed.one(
                "status", f"unknown status {unknown[0]!r}; use one of {', '.join(OrderStatus)}"
            )
        query = query.where(Order.status.in_(filters.statuses))
    if filters.seller_id:
        query = query.where(Order.seller_id == filters.seller_id)
    if filters.placed_from:
        query = query.where(Order.placed_at >= filters.placed_from)
    if filters.placed_to:
        query = query.where(Order.placed_at < filters.placed_to)
    if filters.country:
        country = filters.country.strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise ValidationFailed.one("country", "must be a two-letter country code")
        query = query.where(Order.ship_country == country)
    if filters.carrier:
        carrier = filters.carrier.strip().lower()
        query = query.where(
            sa.exists().where(Shipment.order_id == Order.id, Shipment.carrier == carrier)
        )
    if filters.flagged is not None:
        flagged = sa.exists().where(Shipment.order_id == Order.id, Shipment.flag.is_not(None))
        query = query.where(flagged if filters.flagged else ~flagged)
    if filters.q and filters.q.strip():
        query = query.where(matches(filters.q.strip(), filters.search_in or "any", session))
    return query


def matches(
    q: str, search_in: str = "any", session: Session | None = None
) -> sa.ColumnElement[bool]:
    """The condition an order meets when ``q`` is found in ``search_in``.

    With a PostgreSQL ``session``, each place looked in (the order's own columns,
    customers, lines, shipments) first gives the ids it matches from its trigram
    index, at most ``CANDIDATES`` of them; when every place gave few, the orders
    are fetched by those ids (fast however the planner misjudges a pattern). A
    place with more matches than that holds a common text, and then the plain
    semi-join is the fast plan: the newest-first walk meets matches at once.
    """
    if search_in not in SEARCH_FIELDS:
        raise ValidationFailed.one("search_in", f"must be one of {', '.join(SEARCH_FIELDS)}")
    exact = or_(Order.id == q, func.upper(Order.number) == q.upper())
    if len(q) < MIN_QUERY:
        if search_in in ("any", "id", "number"):
            return Order.id == q if search_in == "id" else exact
        raise ValidationFailed.one(
            "q", f"must be at least {MIN_QUERY} characters to search {search_in}"
        )
    if search_in == "id":
        return Order.id == q
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

    def contains(column) -> sa.ColumnElement[bool]:
        return column.ilike(pattern, escape="\\")

    def own(condition) -> tuple[sa.ColumnElement[bool], Candidates]:
        return condition, lambda: select(Order.id).where(condition)

    def related(column, condition) -> tuple[sa.ColumnElement[bool], Candidates]:
        return Order.id.in_(
            select(column).where(condition)
        ), lambda: select(column).where(condition).distinct()

    def by_sku() -> tuple[sa.ColumnElement[bool], Candidates]:
        def ids() -> sa.Select | None:
            skus = session.exec(select(Product.sku).where(contains(Product.sku))).all()
            if not skus:
                return None
            return select(OrderLine.order_id).where(OrderLine.sku.in_(skus)).distinct()

        return Order.id.in_(select(OrderLine.order_id).where(contains(OrderLine.sku))), ids

    by_customer = Order.customer_id.in_(select(Customer.id).where(contains(Customer.name)))
    sides = {
        "number": [own(or_(func.upper(Order.number) == q.upper(), contains(Order.number)))],
        "email": [own(contains(Order.customer_email))],
        "name": [own(contains(Order.ship_name)), own(by_customer)],
        "sku": [by_sku()],
        "title": [related(OrderLine.order_id, contains(OrderLine.title))],
        "tracking": [related(Shipment.order_id, contains(Shipment.tracking_number))],
        "any": [
            own(
                or_(
                    Order.id == q,
                    contains(Order.number),
                    contains(Order.customer_email),
                    contains(Order.ship_name),
                )
            ),
            own(by_customer),
            by_sku(),
            related(OrderLine.order_id, contains(OrderLine.title)),
            related(Shipment.order_id, contains(Shipment.tracking_number)),
        ],
    }[search_in]
    conditions = [condition for condition, _ in sides]
    if session is None or session.get_bind().dialect.name != "postgresql":
        return or_(*conditions)
    found: set[str] = set()
    for _, candidates in sides:
        ids = candidates()
        if ids is None:
            continue
        batch = session.exec(ids.limit(CANDIDATES + 1)).all()
        if len(batch) > CANDIDATES:
            return or_(*conditions)  # a common text: walk newest first
        found.update(batch)
    if not found:
        return sa.false()
    # One array parameter, not thousands: planned (custom plan) as fast either way.
    return Order.id == sa.any_(sa.literal(sorted(found), type_=postgresql.ARRAY(sa.String)))


def custom_plans(session: Session) -> None:
    """On PostgreSQL, plan this transaction's statements for their actual parameters,
    and give each of them at most ``search_timeout_ms``."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(  # both at once, one round trip (set_config(..., true) is SET LOCAL)
            sa.text(
                "SELECT set_config('plan_cache_mode', 'force_custom_plan', true),"
                " set_config('statement_timeout', :timeout, true)"
            ),
            {"timeout": str(int(get_settings().search_timeout_ms))},
        )


def _keyset(query: sa.Select, cursor: str | None) -> sa.Select:
    if cursor:
        placed_at, order_id = decode_cursor(cursor)
        query = query.where(
            or_(
                Order.placed_at < placed_at,
                sa.and_(Order.placed_at == placed_at, Order.id < order_id),
            )
        )
    return query.order_by(Order.placed_at.desc(), Order.id.desc())


def search_orders(
    session: Session,
    *,
    actor: Actor,
    filters: OrderFilter = OrderFilter(),
    limit: int = 50,
    cursor: str | None = None,
) -> OrderPage:
    """One page of the orders the actor may see that meet every filter, newest first."""
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed.one("limit", f"must be between 1 and {MAX_PAGE}")
    custom_plans(session)
    query = _keyset(apply_filters(scoped_orders(actor), filters, session), cursor).limit(limit + 1)
    rows = _late_rows(session, query)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1]) if more else None
    names = seller_names(session, [o.seller_id for o in rows])
    return OrderPage(items=rows, next_cursor=next_cursor, seller_names=names)


def _late_rows(session: Session, query: sa.Select) -> list[Order]:
    """The rows of an ordered, limited ``select(Order)``: its ids first, then those rows
    (the same rows in the same order, without reading every row the search passed)."""
    ids = list(session.exec(query.with_only_columns(Order.id)).all())
    if not ids:
        return []
    rows = session.exec(
        select(Order).where(Order.id.in_(ids)).order_by(Order.placed_at.desc(), Order.id.desc())
    ).all()
    return list(rows)


def count_orders_capped(
    session: Session, *, actor: Actor, filters: OrderFilter = OrderFilter(), cap: int = COUNT_CAP
) -> tuple[int, bool]:
    """(how many orders match, up to ``cap``; whether there are more than ``cap``)."""
    custom_plans(session)
    query = (
        apply_filters(scoped_orders(actor), filters, session)
        .with_only_columns(Order.id)
        .limit(cap + 1)
    )
    n = session.exec(select(func.count()).select_from(query.subquery())).one()
    return min(n, cap), n > cap


def iter_orders(
    session: Session, *, actor: Actor, filters: OrderFilter = OrderFilter(), batch: int = 1000
) -> Iterator[list[Order]]:
    """Every matching order, newest first, a keyset page at a time (never all in memory)."""
    custom_plans(session)
    base = apply_filters(scoped_orders(actor), filters, session)
    cursor: str | None = None
    while True:
        rows = _late_rows(session, _keyset(base, cursor).limit(batch))
        if not rows:
            return
        yield rows
        if len(rows) < batch:
            return
        cursor = encode_cursor(rows[-1])
        session.expunge_all()


def parse_flagged(value: str | None) -> bool | None:
    if value is None or value.strip() == "":
        return None
    flagged = FLAGGED_VALUES.get(value.strip().lower())
    if flagged is None:
        raise ValidationFailed.one("flagged", "must be true or false")
    return flagged
