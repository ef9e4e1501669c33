"""Order search over HTTP: each field, filters combined, minimum length, keyset pages
without gaps or repeats while orders arrive, exports read back, and scoping."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from oms_dashboard.ids import new_id
from oms_dashboard.models import Customer, Product, Shipment
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.auth import actor_for_user
from tests.factories import make_order, make_product
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    assert_problem,
    error_fields,
    world_fixture,
)


def ids(world, who="admin", **params) -> list[str]:
    response = world.api.get("/api/v1/orders", params=params, headers=world.headers(who))
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def paged(world, between=lambda: None, **params) -> list[str]:
    """Every page of the list in turn, by its cursors; ``between`` runs after each page."""
    seen, cursor = [], None
    while True:
        more = {"cursor": cursor} if cursor else {}
        response = world.api.get(
            "/api/v1/orders", params={**params, **more}, headers=world.headers("admin")
        )
        body = response.json()
        seen += [item["id"] for item in body["items"]]
        between()
        if not (cursor := body["next_cursor"]):
            return seen


@pytest.fixture
def searchable(world, session):
    """bob's shop-B order gets a titled product and a flagged DHL parcel to Canada."""
    kettle = make_product(session, world.shop_b, sku="KTL-STEEL-9", title="Whistling Kettle")
    bob = actor_for_user(session, world.users["bob"])
    order = make_order(
        session,
        customer=bob,
        seller=world.shop_b,
        products=[kettle],
        placed_at=utcnow() - timedelta(hours=5),
        status="in_transit",
    )
    order.ship_country = "CA"
    order.ship_name = "Roberta Quill"
    session.add(order)
    session.add(
        Shipment(
            id=new_id("shp"),
            order_id=order.id,
            seller_id=order.seller_id,
            carrier="dhl",
            service="express",
            tracking_number="JD014600006281230",
            status="in_transit",
            flag="stuck",
        )
    )
    session.commit()
    world.orders["kettle"] = order
    return order


@pytest.mark.parametrize(
    ("search_in", "text"),
    [
        ("any", "whistling"),
        ("title", "LING KETT"),
        ("sku", "steel-9"),
        ("sku", "KTL-STEEL-9"),
        ("tracking", "0000628123"),
        ("any", "JD014600006281230"),
        ("name", "roberta"),
        ("name", "quill"),
    ],
)
def test_each_field_finds_the_order(world, searchable, search_in, text):
    assert ids(world, q=text, search_in=search_in) == [searchable.id]


def test_id_number_and_email(world, searchable):
    assert ids(world, q=searchable.id, search_in="id") == [searchable.id]
    assert ids(world, q=searchable.number) == [searchable.id]
    assert ids(world, q=searchable.number.lower(), search_in="number") == [searchable.id]
    email = world.users["bob"].email
    by_email = ids(world, q=email.split("@")[0].upper(), search_in="email")
    assert set(by_email) == {world.orders[n].id for n in ("bob_a", "bob_b", "kettle")}


def test_a_field_search_looks_only_there(world, searchable):
    assert ids(world, q="whistling", search_in="sku") == []
    assert ids(world, q="KTL-STEEL", search_in="title") == []


def test_like_wildcards_are_taken_literally(world, searchable):
    assert ids(world, q="%%%") == []
    assert ids(world, q="___") == []


def test_filters_combine(world, searchable):
    assert ids(world, carrier="dhl") == [searchable.id]
    assert ids(world, country="ca") == [searchable.id]
    assert ids(world, flagged="true") == [searchable.id]
    assert searchable.id not in ids(world, flagged="false")
    assert ids(world, q="kettle", carrier="dhl", country="CA", status="in_transit") == [
        searchable.id
    ]
    assert ids(world, q="kettle", carrier="ups") == []
    assert ids(world, q="kettle", seller_id=world.shop_a.id) == []
    placed = searchable.placed_at
    window = dict(
        placed_from=(placed - timedelta(minutes=1)).isoformat(),
        placed_to=(placed + timedelta(minutes=1)).isoformat(),
    )
    assert ids(world, **window) == [searchable.id]
    assert ids(world, q="kettle", placed_to=(placed - timedelta(hours=1)).isoformat()) == []


def test_short_text_only_finds_an_exact_id_or_number(world, searchable):
    assert ids(world, q="ke") == []
    response = world.api.get(
        "/api/v1/orders", params={"q": "ke", "search_in": "title"}, headers=world.headers("admin")
    )
    assert_problem(response, 422, "validation-error")
    assert error_fields(response) == ["q"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"search_in": "everything"}, "search_in"),
        ({"country": "Canada"}, "country"),
        ({"flagged": "maybe"}, "flagged"),
        ({"status": "lost"}, "status"),
    ],
)
def test_bad_filters_are_422_naming_the_field(world, params, field):
    response = world.api.get("/api/v1/orders", params=params, headers=world.headers("admin"))
    assert_problem(response, 422, "validation-error")
    assert error_fields(response) == [field]
    export = world.api.get("/api/v1/orders/export", params=params, headers=world.headers("admin"))
    assert export.status_code == 422


def test_sellers_search_only_their_orders(world, searchable):
    assert ids(world, "seller_a", q="kettle") == []
    assert ids(world, "seller_b", q="kettle") == [searchable.id]
    assert ids(world, "alice", q="kettle") == []
    assert ids(world, "support", q="kettle") == [searchable.id]


def test_pages_have_no_gaps_or_repeats_while_orders_arrive(world, session):
    bob = actor_for_user(session, world.users["bob"])
    product = make_product(session, world.shop_a, title="Paging Lamp")
    start = utcnow() - timedelta(hours=10)
    made = [
        make_order(
            session,
            customer=bob,
            seller=world.shop_a,
            products=[product],
            placed_at=start - timedelta(minutes=i // 2),  # pairs share a placed_at
        ).id
        for i in range(23)
    ]
    # A new order arrives between pages: it is newer than every cursor, never shown.
    seen = paged(
        world,
        lambda: make_order(session, customer=bob, seller=world.shop_a, products=[product]),
        q="paging lamp",
        limit=5,
    )
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == set(made)


def _export(world, fmt, who="admin", **params):
    response = world.api.get(
        "/api/v1/orders/export", params={"format": fmt, **params}, headers=world.headers(who)
    )
    assert response.status_code == 200, response.text
    return response


def _listed(world, who="admin", **params) -> list[str]:
    return ids(world, who, limit=100, **params)


@pytest.mark.parametrize("params", [{}, {"q": "kettle"}, {"status": "in_transit,delivered"}])
def test_exports_read_back_equal_the_list(world, searchable, params):
    expected = _listed(world, **params)
    text = _export(world, "csv", **params).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == expected
    if rows:
        assert int(rows[0]["total_minor"]) > 0

    response = _export(world, "xlsx", **params)
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = list(book["Orders"].iter_rows(values_only=True))
    assert sheet[0][0] == "id"
    assert [r[0] for r in sheet[1:]] == expected

    response = _export(world, "parquet", **params)
    table = pq.read_table(io.BytesIO(response.content))
    assert table.column("id").to_pylist() == expected
    assert "attachment" in response.headers["content-disposition"]


def test_export_streams_in_pages_as_row_groups(world, searchable, monkeypatch):
    import oms_dashboard.documents.order_export as export

    monkeypatch.setattr(export, "BATCH", 2)
    content = _export(world, "parquet").content
    parquet = pq.ParquetFile(io.BytesIO(content))
    assert parquet.metadata.num_rows == 4
    assert parquet.metadata.num_row_groups == 2
    assert [r["id"] for r in csv.DictReader(io.StringIO(_export(world, "csv").text))] == (
        _listed(world)
    )


def test_exports_are_scoped_like_the_list(world, searchable):
    rows = list(csv.DictReader(io.StringIO(_export(world, "csv", "seller_a").text)))
    assert {r["id"] for r in rows} == {world.orders[n].id for n in ("alice_a", "bob_a")}
    assert {r["seller_id"] for r in rows} == {world.shop_a.id}
    rows = list(csv.DictReader(io.StringIO(_export(world, "csv", "alice").text)))
    assert [r["id"] for r in rows] == [world.orders["alice_a"].id]


def test_export_needs_a_known_format_and_a_caller(world):
    response = world.api.get(
        "/api/v1/orders/export", params={"format": "pdf"}, headers=world.headers("admin")
    )
    assert_problem(response, 422, "validation-error")
    assert error_fields(response) == ["format"]
    assert world.api.get("/api/v1/orders/export").status_code == 401


def test_a_common_text_walks_newest_first_with_the_same_answer(world, searchable, monkeypatch):
    """On PostgreSQL a place with more candidates than CANDIDATES falls back to the
    semi-join walk; both plans must give the same pages."""
    import oms_dashboard.services.order_search as search

    email = world.users["bob"].email.split("@")[0]
    by_ids = ids(world, q=email, search_in="email", limit=2)
    everything = ids(world, q=email, limit=100)
    monkeypatch.setattr(search, "CANDIDATES", 1)
    assert ids(world, q=email, search_in="email", limit=2) == by_ids
    assert ids(world, q=email, limit=100) == everything
    assert ids(world, q="kettle") == [searchable.id]


def test_a_sku_search_finds_every_product_with_that_part(world, searchable, session, monkeypatch):
    """A sku search looks the catalogue's skus up first (every line's sku is a product's):
    the same orders, pages and order as matching the lines themselves, by either plan."""
    import oms_dashboard.services.order_search as search

    lid = make_product(session, world.shop_b, sku="KTL-LID-9", title="Kettle lid")
    bob = actor_for_user(session, world.users["bob"])
    older = make_order(
        session,
        customer=bob,
        seller=world.shop_b,
        products=[lid],
        placed_at=utcnow() - timedelta(days=2),
    )
    newest = make_order(
        session,
        customer=bob,
        seller=world.shop_b,
        products=[lid],
        placed_at=utcnow() - timedelta(hours=1),
    )
    expected = [newest.id, searchable.id, older.id]
    assert ids(world, q="ktl-", search_in="sku") == expected
    first = world.api.get(
        "/api/v1/orders",
        params={"q": "KTL-", "search_in": "sku", "limit": 2},
        headers=world.headers("admin"),
    ).json()
    rest = ids(world, q="KTL-", search_in="sku", limit=2, cursor=first["next_cursor"])
    assert [item["id"] for item in first["items"]] + rest == expected
    assert ids(world, q="KTL-LID", search_in="sku") == [newest.id, older.id]
    assert ids(world, q="no-such-sku", search_in="sku") == []
    assert searchable.id in ids(world, q="KTL-STEEL")  # any field includes skus
    monkeypatch.setattr(search, "CANDIDATES", 1)  # PostgreSQL: the newest-first walk
    assert ids(world, q="ktl-", search_in="sku") == expected


def test_few_matches_are_walked_newest_first_through_the_other_filters(world, session):
    """PostgreSQL walks a search's few candidates newest first and reads each order
    only for the other filters: matches the filters skip, an order matched by two of
    its lines and by its own fields, and pages across ties give the plain answer."""
    bob = actor_for_user(session, world.users["bob"])
    pot = make_product(session, world.shop_a, sku="WLK-POT-1", title="Walking Pot")
    pan = make_product(session, world.shop_a, sku="WLK-PAN-1", title="Walking Pan")
    start = utcnow() - timedelta(hours=3)
    made = [
        make_order(
            session,
            customer=bob,
            seller=world.shop_a,
            products=[pot, pan] if i % 3 == 0 else [pot],
            status="shipped" if i % 2 else "processing",
            placed_at=start - timedelta(minutes=i // 2),  # pairs share a placed_at
        )
        for i in range(9)
    ]
    made[4].ship_name = "Walking Pot Collector"
    session.add(made[4])
    session.commit()
    newest_first = sorted(made, key=lambda o: (o.placed_at, o.id), reverse=True)
    shipped = [o.id for o in newest_first if o.status == "shipped"]

    assert paged(world, limit=2, q="wlk-", search_in="sku") == [o.id for o in newest_first]
    assert paged(world, limit=2, q="wlk-", search_in="sku", status="shipped") == shipped
    assert paged(world, limit=2, q="walking", status="shipped") == shipped
    assert paged(world, limit=2, q="walking pot", status="processing") == [
        o.id for o in newest_first if o.status == "processing"
    ]
    assert ids(world, "seller_b", q="walking") == []


def test_a_search_statement_has_a_time_limit(session):
    """PostgreSQL: a search's statements are capped (search_timeout_ms), so a search
    gone wrong frees its connection; SQLite has no such setting and needs none."""
    from oms_dashboard.services.order_search import custom_plans
    from oms_dashboard.settings import get_settings

    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")
    custom_plans(session)
    shown = session.exec(sa.text("SHOW statement_timeout")).one()[0]
    assert shown == f"{get_settings().search_timeout_ms // 1000}s"
    # ... and planned without parallel workers (one search among many at once)
    assert session.exec(sa.text("SHOW max_parallel_workers_per_gather")).one()[0] == "0"
    session.rollback()
    assert session.exec(sa.text("SHOW statement_timeout")).one()[0] != shown
    assert session.exec(sa.text("SHOW max_parallel_workers_per_gather")).one()[0] != "0"


def test_a_title_search_reads_the_titles_sold_not_the_catalogue(
    world, searchable, session, monkeypatch
):
    """A line's title is a snapshot of the product's: once a product is renamed, its
    earlier orders are found by the old title and later ones by the new, and a sku
    sold under both matches a title only on the lines that carry it. PostgreSQL looks
    the (sku, title) pairs sold up first; either plan gives the plain rule's answer."""
    import oms_dashboard.services.order_search as search

    kettle = session.exec(sa.select(Product).where(Product.sku == "KTL-STEEL-9")).scalar_one()
    kettle.title = "Singing Kettle"
    session.add(kettle)
    session.commit()
    bob = actor_for_user(session, world.users["bob"])
    renamed = make_order(
        session,
        customer=bob,
        seller=world.shop_b,
        products=[kettle],
        placed_at=utcnow() - timedelta(hours=1),
    )
    answers = {
        ("whistling", "title"): [searchable.id],
        ("singing", "title"): [renamed.id],
        ("g kettle", "title"): [renamed.id, searchable.id],
        ("ktl-steel", "sku"): [renamed.id, searchable.id],
        ("whistling", "any"): [searchable.id],
        ("singing", "any"): [renamed.id],
        ("no such title", "title"): [],
    }
    for (text, where), expected in answers.items():
        assert ids(world, q=text, search_in=where) == expected, (text, where)
    monkeypatch.setattr(search, "CANDIDATES", 0)  # PostgreSQL: every place walks
    for (text, where), expected in answers.items():
        assert ids(world, q=text, search_in=where) == expected, (text, where)


def test_a_name_is_the_delivery_name_or_the_customers_profile_name(
    world, searchable, session, monkeypatch
):
    """PostgreSQL asks the customers first (a name common among them is known to be
    common before any order is read); the delivery name on the order counts too."""
    import oms_dashboard.services.order_search as search

    profile = session.exec(
        sa.select(Customer).where(Customer.user_id == world.users["bob"].id)
    ).scalar_one()
    profile.name = "Bartholomew Zed"
    session.add(profile)
    session.commit()
    bobs = [world.orders[name].id for name in ("kettle", "bob_b", "bob_a")]
    answers = {
        "bartholomew": bobs,  # the profile name only: the orders were shipped to another
        "roberta quill": [searchable.id],  # the delivery name only
        "zed": bobs,
        "nobody-named-so": [],
    }
    for text, expected in answers.items():
        assert ids(world, q=text, search_in="name") == expected, text
        assert ids(world, q=text) == expected, text
    for candidates in (0, 1):  # the customers' orders are common; the delivery name is
        monkeypatch.setattr(search, "CANDIDATES", candidates)
        for text, expected in answers.items():
            assert ids(world, q=text, search_in="name") == expected, (text, candidates)


def test_a_list_item_is_the_order_as_its_detail_shows_it(world, searchable):
    """The list reads plain rows of a few columns (not ORM objects): each item must
    still say what the order's own page says."""
    items = world.api.get("/api/v1/orders", headers=world.headers("admin")).json()["items"]
    assert {item["id"] for item in items} == {o.id for o in world.orders.values()}
    for item in items:
        detail = world.api.get(f"/api/v1/orders/{item['id']}", headers=world.headers("admin"))
        assert item == {key: detail.json()[key] for key in item}
    assert items[0]["seller_name"] == "Shop B"
    assert items[0]["shipping_address"]["name"] == "Roberta Quill"
