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

On PostgreSQL each part-of search is an ILIKE, served by a pg_trgm GIN index where
it reads a big table (orders' number, email and delivery name, customers' names,
tracking numbers; migration 0015); on SQLite the same ILIKE runs as
``lower(x) LIKE lower(y)``, with the same results. A search transaction on
PostgreSQL sets ``plan_cache_mode = force_custom_plan``: psycopg prepares a
statement after a few executions and PostgreSQL then may switch to a generic plan
that cannot see the pattern (and so guesses its selectivity), which turns a
rare-term trigram lookup into a walk of the whole placed_at index. It also sets
``statement_timeout`` (``search_timeout_ms``), so a search gone wrong frees its
connection (a 503).

Lines are not searched through their own text: a sku search finds the matching
skus in the catalogue (every line's sku is a product's, a foreign key), a title
search the skus sold under a matching title (``titles_sold``: the (sku, title)
pairs sold, a skip scan of ``order_lines (sku, title)``, migration 0024), and then
both find the lines by sku in ``order_lines (sku, placed_at, order_id)``, index-only.

A page is one statement: the ids of the page (index-only where the filters
allow: ``orders (placed_at, id)`` for the newest-first walk), then only those
orders' ``PAGE_COLUMNS``, with the seller's name, as plain rows. A search with few
matches (``Candidates``) walks them instead, newest first by the (placed_at, id)
each place gives (a line carries its order's, ``order_lines (sku, placed_at,
order_id)``, migration 0025), and reads an order only to check the other filters,
stopping at the page's end.
See docs/PERFORMANCE.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlmodel import Session, and_, func, or_, select

from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.models import Customer, Order, OrderLine, Product, Seller, Shipment
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.errors import ValidationFailed
from oms_dashboard.services.orders import (
    MAX_PAGE,
    OrderFilter,
    OrderPage,
    decode_cursor,
    encode_cursor,
    scoped_orders,
)
from oms_dashboard.settings import get_settings

MIN_QUERY = 3
COUNT_CAP = 10_000
CANDIDATES = 10_000
SEARCH_FIELDS = ("any", "id", "number", "email", "name", "sku", "title", "tracking")
Place = tuple[sa.ColumnElement[bool], sa.Select]
"""Where a search looks: the condition an order meets when the text is there, and
(PostgreSQL) a select of those orders' (order_id, placed_at), repeats allowed."""
PAGE_COLUMNS = (
    Order.id,
    Order.number,
    Order.checkout_id,
    Order.seller_id,
    Seller.name.label("seller_name"),
    Order.customer_id,
    Order.customer_email,
    Order.status,
    Order.currency,
    Order.subtotal_minor,
    Order.shipping_minor,
    Order.total_minor,
    Order.service_level,
    Order.estimated_delivery,
    Order.placed_at,
    Order.updated_at,
    Order.ship_name,
    Order.ship_line1,
    Order.ship_line2,
    Order.ship_city,
    Order.ship_region,
    Order.ship_postal_code,
    Order.ship_country,
)
"""What a list shows of an order (the API's ``OrderOut``, the pages' rows, exports)."""
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
        found = search(filters.q.strip(), filters.search_in or "any", session)
        query = query.where(found.condition() if isinstance(found, Candidates) else found)
    return query


@dataclass(frozen=True)
class Candidates:
    """A search's few matches (PostgreSQL): each place's select of their (order_id,
    placed_at), gathered in the database (never shipped here and back as thousands
    of parameters)."""

    places: list[sa.Select]

    def condition(self) -> sa.ColumnElement[bool]:
        """An order is one of them: looked up by id (an InitPlan, then the ids)."""
        found = (sa.union_all(*self.places) if len(self.places) > 1 else self.places[0]).subquery()
        return Order.id == sa.any_(func.array(select(found.c.order_id).scalar_subquery()))

    def newest_first(self) -> sa.Subquery:
        """Each of them once, newest first (index-only where a place's index allows)."""
        distinct = sa.union(*self.places) if len(self.places) > 1 else self.places[0].distinct()
        return distinct.order_by(sa.desc("placed_at"), sa.desc("order_id")).subquery("walk")


def search(
    q: str, search_in: str = "any", session: Session | None = None
) -> sa.ColumnElement[bool] | Candidates:
    """Where ``q`` is found in ``search_in``: the condition an order meets, or
    (PostgreSQL, few matches) the ``Candidates`` themselves.

    With a PostgreSQL ``session``, each place looked in (``Text``'s methods) is
    first counted, up to ``CANDIDATES``; when every place has few matches, the
    orders are those candidates (fast however the planner misjudges a pattern). A
    place with more matches than that holds a common text, and then the plain
    semi-join is the fast plan: the newest-first walk meets matches at once.
    Places are counted cheapest first, so a name common among the customers is
    known to be common before any order is read.
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
    text = Text(q)
    looks = {
        "number": [text.number],
        "email": [text.email],
        "name": [text.customer_name, text.ship_name],
        "sku": [text.line_sku],
        "title": [text.line_title],
        "tracking": [text.tracking],
        "any": [
            text.customer_name,
            text.line_sku,
            text.line_title,
            text.order_fields,
            text.tracking,
        ],
    }[search_in]
    postgres = session is not None and session.get_bind().dialect.name == "postgresql"
    places = [place for look in looks if (place := look(session if postgres else None))]
    conditions = [condition for condition, _ in places]
    if not postgres or not places or _common(session, places):
        return or_(*conditions) if places else sa.false()  # common: walk newest first
    return Candidates([rows for _, rows in places])


def _common(session: Session, places: list[Place]) -> bool:
    """Whether a place matches more than ``CANDIDATES`` rows. One statement: the
    places are counted in turn (each count index-only where an index allows), and
    no further once one has that many (an InitPlan runs only when it is needed)."""
    over = [
        select(func.count()).select_from(rows.limit(CANDIDATES + 1).subquery()).scalar_subquery()
        > CANDIDATES
        for _, rows in places
    ]
    return session.execute(select(or_(*over))).scalar_one()


class Text:
    """A search text and the places it is looked for in: each method gives a ``Place``
    (None: certainly not there). ``session`` is PostgreSQL's, for places that look
    something up first; None elsewhere (SQLite runs the plain conditions)."""

    def __init__(self, q: str) -> None:
        self.q = q
        self.pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

    def contains(self, column) -> sa.ColumnElement[bool]:
        """``column`` holds the text, any part, case-insensitively (ILIKE, wildcards escaped)."""
        return column.ilike(self.pattern, escape="\\")

    def number(self, session: Session | None) -> Place:
        return _own(or_(func.upper(Order.number) == self.q.upper(), self.contains(Order.number)))

    def email(self, session: Session | None) -> Place:
        return _own(self.contains(Order.customer_email))

    def ship_name(self, session: Session | None) -> Place:
        return _own(self.contains(Order.ship_name))

    def order_fields(self, session: Session | None) -> Place:
        """The order's own id (exactly), number, email and delivery name."""
        return _own(
            or_(
                Order.id == self.q,
                self.contains(Order.number),
                self.contains(Order.customer_email),
                self.contains(Order.ship_name),
            )
        )

    def customer_name(self, session: Session | None) -> Place:
        """The customer's profile name: the customers so named (their trigram index),
        then their orders through ``orders (customer_id, placed_at)``."""
        named = select(Customer.id).where(self.contains(Customer.name))
        # ARRAY(...): the customers first, then an index scan of their orders (an IN
        # here may be planned as a hash join over every order).
        customers = func.array(named.scalar_subquery())
        return Order.customer_id.in_(named), _rows(Order.id, Order.placed_at).where(
            Order.customer_id == sa.any_(customers)
        )

    def line_sku(self, session: Session | None) -> Place | None:
        """A sku on one of the order's lines. On PostgreSQL the catalogue's matching
        skus come first (every line's sku is a product's, a foreign key), then their
        lines in ``order_lines (sku, placed_at, order_id)``, index-only."""
        if session is None:
            return _has_line(self.contains(OrderLine.sku))
        skus = session.exec(select(Product.sku).where(self.contains(Product.sku))).all()
        return _has_line(_sku_in(skus)) if skus else None

    def line_title(self, session: Session | None) -> Place | None:
        """A title on one of the order's lines. A line's title is a snapshot of the
        product's at the sale, so on PostgreSQL the titles are read from the lines
        themselves: the skus sold under a matching title (``titles_sold``). A sku
        whose every title sold matches is then found as for a sku search; a sku
        sold under several titles, only some of them matching, also needs the title.
        """
        if session is None:
            return _has_line(self.contains(OrderLine.title))
        sold = titles_sold(session, self.contains)
        if not sold:
            return None
        every = [sku for sku, every_title, _ in sold if every_title]
        some = [
            and_(OrderLine.sku == sku, OrderLine.title.in_(titles))
            for sku, every_title, titles in sold
            if not every_title
        ]
        return _has_line(or_(*([_sku_in(every)] if every else []), *some))

    def tracking(self, session: Session | None) -> Place:
        """A tracking number of one of the order's shipments."""
        found = self.contains(Shipment.tracking_number)
        return Order.id.in_(select(Shipment.order_id).where(found)), _rows(
            Shipment.order_id, Order.placed_at
        ).join(Order, Order.id == Shipment.order_id).where(found)


def _own(condition: sa.ColumnElement[bool]) -> Place:
    return condition, _rows(Order.id, Order.placed_at).where(condition)


def _has_line(lines: sa.ColumnElement[bool]) -> Place:
    return Order.id.in_(select(OrderLine.order_id).where(lines)), _rows(
        OrderLine.order_id, OrderLine.placed_at
    ).where(lines)


def _rows(order_id, placed_at) -> sa.Select:
    """A place's orders as ``Candidates`` are made of."""
    return select(order_id.label("order_id"), placed_at.label("placed_at"))


def _sku_in(skus) -> sa.ColumnElement[bool]:
    """One array parameter, planned from the skus' own statistics."""
    return OrderLine.sku == sa.any_(sa.literal(sorted(skus), type_=postgresql.ARRAY(sa.String)))


# Every distinct (sku, title) of order_lines, one index probe each in
# ``order_lines (sku, title)``: a skip scan, as many steps as pairs sold (not lines).
SOLD = sa.text(
    """
    WITH RECURSIVE sold (sku, title) AS (
        (SELECT sku, title FROM order_lines ORDER BY sku, title LIMIT 1)
        UNION ALL
        SELECT next.sku, next.title
        FROM sold, LATERAL (
            SELECT sku, title FROM order_lines
            WHERE (sku, title) > (sold.sku, sold.title)
            ORDER BY sku, title LIMIT 1
        ) AS next
    )
    SELECT sku, title FROM sold
    """
).columns(sku=sa.String, title=sa.String)


def titles_sold(session: Session, contains) -> list[tuple[str, bool, list[str]]]:
    """(sku, whether every title it was sold under matches, the titles that do) for
    each sku sold under a title that ``contains`` the text (PostgreSQL: ``SOLD``)."""
    sold = SOLD.subquery("sold")
    hit = contains(sold.c.title)
    rows = session.execute(
        select(
            sold.c.sku,
            func.bool_and(hit),
            func.array_agg(aggregate_order_by(sold.c.title, sold.c.title)).filter(hit),
        )
        .group_by(sold.c.sku)
        .having(func.bool_or(hit))
        .order_by(sold.c.sku)
    ).all()
    return [tuple(row) for row in rows]


def custom_plans(session: Session) -> None:
    """On PostgreSQL, plan this transaction's statements for their actual parameters,
    without parallel workers (a search is one of many at once: a worker only adds a
    process competing for the same cores, and a walk that stops at a page's end
    gains nothing from it), and give each of them at most ``search_timeout_ms``."""
    if session.get_bind().dialect.name == "postgresql":
        # All at once, one round trip (set_config(..., true) is SET LOCAL), on psycopg's
        # own cursor in the session's transaction: through SQLAlchemy this one statement
        # cost ~1.1 ms of CPU per search, on the cursor ~0.15 ms (docs/PERFORMANCE.md).
        session.connection().connection.driver_connection.execute(
            "SELECT set_config('plan_cache_mode', 'force_custom_plan', true),"
            " set_config('max_parallel_workers_per_gather', '0', true),"
            " set_config('statement_timeout', %s, true)",
            (str(int(get_settings().search_timeout_ms)),),
        )


@dataclass(frozen=True)
class Listing:
    """The orders a list holds: ``ids`` selects their ids, each with the
    (``placed_at``, ``id``) it is ordered and keyset-paged by."""

    ids: sa.Select
    placed_at: sa.ColumnElement
    id: sa.ColumnElement

    def page(self, cursor: str | None, limit: int) -> sa.Select:
        """The ids of the ``limit`` newest after ``cursor``."""
        query = self.ids
        if cursor:
            placed_at, order_id = decode_cursor(cursor)
            query = query.where(
                or_(
                    self.placed_at < placed_at,
                    and_(self.placed_at == placed_at, self.id < order_id),
                )
            )
        return query.order_by(self.placed_at.desc(), self.id.desc()).limit(limit)


def listing(session: Session, actor: Actor, filters: OrderFilter) -> Listing:
    """The orders the actor may see that meet every filter. A search with few matches
    walks its ``Candidates`` newest first, each order read (LATERAL, so in that order,
    and OFFSET 0, so never joined any other way) only to check the other filters."""
    others = apply_filters(scoped_orders(actor), replace(filters, q=None))
    q = (filters.q or "").strip()
    found = search(q, filters.search_in or "any", session) if q else sa.true()
    if not isinstance(found, Candidates):
        return Listing(others.where(found).with_only_columns(Order.id), Order.placed_at, Order.id)
    walk = found.newest_first()
    listed = (
        others.with_only_columns(Order.id)
        .where(Order.id == walk.c.order_id)
        .offset(0)
        .lateral("listed")
    )
    ids = select(listed.c.id).select_from(walk).join(listed, sa.true())
    return Listing(ids, walk.c.placed_at, walk.c.order_id)


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
    rows = page_rows(session, listing(session, actor, filters).page(cursor, limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return OrderPage(items=rows, next_cursor=encode_cursor(rows[-1]) if more else None)


def page_rows(session: Session, page_ids: sa.Select) -> list[sa.Row]:
    """The ``PAGE_COLUMNS`` of the orders a ``Listing.page`` gives, newest first, in
    one statement: the page's ids first (index-only where the filters allow), then
    only those orders' rows, with their seller's name. Plain rows, not ORM objects:
    a page is read, never changed."""
    page = page_ids.subquery("page")
    return list(
        session.execute(
            select(*PAGE_COLUMNS)
            .select_from(page)
            .join(Order, Order.id == page.c.id)
            .join(Seller, Seller.id == Order.seller_id)
            .order_by(Order.placed_at.desc(), Order.id.desc())
        ).all()
    )


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


def count_list(
    session: Session,
    *,
    actor: Actor,
    filters: OrderFilter,
    page: OrderPage,
    first: bool,
    cap: int = COUNT_CAP,
) -> tuple[int, bool]:
    """``count_orders_capped`` for a list whose ``page`` was just read: a ``first``
    page with no next one holds every match, so only a longer list is counted."""
    if first and page.next_cursor is None:
        return len(page.items), False
    return count_orders_capped(session, actor=actor, filters=filters, cap=cap)


def iter_orders(
    session: Session, *, actor: Actor, filters: OrderFilter = OrderFilter(), batch: int = 1000
) -> Iterator[list[sa.Row]]:
    """Every matching order, newest first, a keyset page at a time (never all in memory)."""
    custom_plans(session)
    orders = listing(session, actor, filters)
    cursor: str | None = None
    while True:
        rows = page_rows(session, orders.page(cursor, batch))
        if not rows:
            return
        yield rows
        if len(rows) < batch:
            return
        cursor = encode_cursor(rows[-1])


def parse_flagged(value: str | None) -> bool | None:
    if value is None or value.strip() == "":
        return None
    flagged = FLAGGED_VALUES.get(value.strip().lower())
    if flagged is None:
        raise ValidationFailed.one("flagged", "must be true or false")
    return flagged
