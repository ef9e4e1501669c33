"""Shipping cost: packages, dimensional weight, zones, rate tables and refusals."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oms_dashboard.domain.shipping import (
    INTERNATIONAL,
    MAX_LENGTH_PLUS_GIRTH_MM,
    MAX_LONGEST_SIDE_MM,
    MAX_PACKAGE_GRAMS,
    NEIGHBOUR,
    InvalidRateTable,
    Place,
    RateTable,
    ShipItem,
    ShippingRefused,
    UnknownServiceLevel,
    default_rate_table,
    dimensional_grams,
    in_europe_group,
    quote_shipment,
    shipping_zone,
)

NEW_YORK = Place("US", "10001", "NY")
NEWARK = Place("US", "07102", "NJ")
LOS_ANGELES = Place("US", "90012", "CA")
CHICAGO = Place("US", "60601", "IL")
BERLIN = Place("DE", "10117")
USD = default_rate_table("USD")


def item(sku="SKU-1", line_index=0, quantity=1, weight=500, dims=(200, 150, 100), **kw):
    length, width, height = dims
    return ShipItem(
        line_index=line_index,
        sku=sku,
        quantity=quantity,
        weight_grams=weight,
        length_mm=length,
        width_mm=width,
        height_mm=height,
        **kw,
    )


def quote(items, origin=NEW_YORK, destination=LOS_ANGELES, level="standard", rates=USD, sub=0):
    return quote_shipment(
        items,
        origin=origin,
        destination=destination,
        service_level=level,
        rates=rates,
        subtotal_minor=sub,
    )


def test_dimensional_weight_is_cubic_cm_over_5000_in_kg():
    assert dimensional_grams(400, 300, 200) == 4800  # 24,000 cm³ / 5000 = 4.8 kg
    assert dimensional_grams(1, 1, 1) == 1  # rounded up, never free


def test_phone_case_to_the_next_state_pays_the_zone_base():
    case = item("CASE-1", weight=90, dims=(180, 95, 25))
    q = quote([case], origin=NEWARK, destination=NEW_YORK, sub=1999)
    assert q.zone == "3"  # ZIP3 071 -> 100
    assert q.cost_minor == 679  # base covers the first kg
    (package,) = q.packages
    assert package.items == ((0, "CASE-1", 1),)
    assert (package.actual_grams, package.billable_grams) == (90, 90)


def test_skillet_across_the_country_pays_per_started_kg():
    skillet = item("SKILLET-12", weight=3600, dims=(510, 320, 70))
    q = quote([skillet], sub=4599)
    assert q.zone == "8"
    # 3.6 kg -> 4 started kg: the base's first kg + 3 × $2.00 in zone 8
    assert q.cost_minor == 1099 + 3 * 200


def test_bulky_light_item_is_billed_by_dimensional_weight():
    lampshade = item("SHADE", weight=800, dims=(600, 400, 400))
    q = quote([lampshade], destination=CHICAGO)
    (package,) = q.packages
    assert package.billable_grams == 19_200  # 96,000 cm³ / 5000
    assert q.zone == "7"
    assert q.cost_minor == 979 + 19 * 175


def test_free_standard_shipping_from_the_threshold_to_the_cent():
    mug = item("MUG", weight=400)
    at = quote([mug], sub=5000)
    below = quote([mug], sub=4999)
    assert (at.cost_minor, at.free_shipping_applied) == (0, True)
    assert (below.cost_minor, below.free_shipping_applied) == (1099, False)
    assert at.packages == below.packages  # a free parcel still needs its label


def test_express_costs_more_and_is_never_free():
    mug = item("MUG", weight=400)
    express = quote([mug], level="express", sub=10_000)
    assert express.cost_minor == 4499 and not express.free_shipping_applied
    assert express.cost_minor > quote([mug]).cost_minor


def test_international_line_without_hs_code_is_refused_naming_the_line():
    lines = [item("TEE", line_index=0, hs_code="610910", unit_value_minor=1500),
             item("LAMP", line_index=1, unit_value_minor=4000)]  # fmt: skip
    with pytest.raises(ShippingRefused) as refused:
        quote(lines, destination=BERLIN)
    message = "LAMP needs an HS code (6 to 10 digits) to cross the border"
    assert refused.value.errors() == [{"field": "lines[1].sku", "message": message}]


def test_international_line_needs_a_declared_value_and_then_ships():
    tee = item("TEE", hs_code="6109.10", unit_value_minor=None)
    with pytest.raises(ShippingRefused, match="TEE needs a declared customs value"):
        quote([tee], destination=BERLIN)
    ok = quote([item("TEE", hs_code="6109.10", unit_value_minor=1500)], destination=BERLIN)
    assert ok.zone == INTERNATIONAL and ok.cost_minor == 2999


def test_restricted_item_ships_domestic_ground_only():
    battery = item("POWERBANK", restricted=True, hs_code="850760", unit_value_minor=3000)
    assert quote([battery]).cost_minor > 0
    with pytest.raises(ShippingRefused) as by_air:
        quote([battery], level="express")
    message = "POWERBANK is a restricted item and cannot fly: choose standard"
    assert by_air.value.errors() == [{"field": "lines[0].sku", "message": message}]
    with pytest.raises(ShippingRefused, match="cannot be shipped abroad"):
        quote([battery], destination=Place("CA", "M5V 2T6", "ON"))


@pytest.mark.parametrize(
    ("weight", "dims", "reason"),
    [
        (31_000, (500, 400, 300), "31 kg is over the 30 kg limit"),
        (5_000, (1_300, 100, 100), "its 1300 mm side is over the 1200 mm limit"),
        (5_000, (1_000, 600, 500), "length + girth is over 3000 mm"),
    ],
)
def test_item_over_carrier_limits_is_refused_with_its_sku(weight, dims, reason):
    with pytest.raises(ShippingRefused) as refused:
        quote([item("OK"), item("SOFA", line_index=3, weight=weight, dims=dims)])
    assert refused.value.errors() == [
        {"field": "lines[3].sku", "message": f"SOFA is too big for a parcel carrier: {reason}"}
    ]


def test_every_refusal_is_reported_at_once():
    lines = [item("A", line_index=0, restricted=True), item("B", line_index=1, weight=40_000)]
    with pytest.raises(ShippingRefused) as refused:
        quote(lines, level="express")
    assert [e["field"] for e in refused.value.errors()] == ["lines[0].sku", "lines[1].sku"]


def test_digital_only_order_ships_free_with_no_package():
    ebook = item("EBOOK", weight=0, dims=(0, 0, 0), digital=True)
    q = quote([ebook], destination=BERLIN)  # no customs for a download either
    assert (q.cost_minor, q.packages, q.free_shipping_applied) == (0, (), False)


def test_digital_lines_stay_out_of_the_parcel():
    q = quote([item("EBOOK", line_index=0, digital=True), item("MUG", line_index=1)])
    assert [p.items for p in q.packages] == [((1, "MUG", 1),)]


def test_heavy_items_split_into_as_few_packages_as_the_weight_limit_allows():
    q = quote([item("DUMBBELL", quantity=4, weight=9_000, dims=(300, 300, 100))])
    assert [p.items for p in q.packages] == [((0, "DUMBBELL", 3),), ((0, "DUMBBELL", 1),)]
    assert q.packages[0].dims_mm == (300, 300, 300)  # stacked on their smallest side
    assert q.cost_minor == (1099 + 26 * 200) + (1099 + 8 * 200)


@pytest.mark.parametrize(
    ("origin", "destination", "zone"),
    [
        (NEW_YORK, Place("US", "10018"), "1"),
        (NEW_YORK, Place("US", "10701"), "2"),
        (NEW_YORK, LOS_ANGELES, "8"),
        (NEW_YORK, Place("US", "99501", "AK"), "8"),  # Alaska is far whatever the digits say
        (Place("US", "96813"), Place("US", "96814"), "1"),
        (NEW_YORK, Place("CA", "M5V 2T6", "ON"), NEIGHBOUR),
        (BERLIN, Place("FR", "75001"), NEIGHBOUR),
        (Place("GB", "SW1A 1AA"), BERLIN, NEIGHBOUR),
        (NEW_YORK, Place("GB", "SW1A 1AA"), INTERNATIONAL),
        (Place("AU", "2000"), Place("AU", "2010"), "2"),
        (Place("AU", "2000"), Place("AU", "6000"), "4"),
        (Place("GB", "SW1A 1AA"), Place("GB", "SW19 5AE"), "2"),
        (Place("GB", "SW1A 1AA"), Place("GB", "SE1 9SG"), "4"),
    ],
)
def test_zones(origin, destination, zone):
    assert shipping_zone(origin, destination) == zone


def test_europe_group_is_the_eu_and_the_uk():
    assert in_europe_group("gb") and in_europe_group("DE")
    assert not in_europe_group("CH") and not in_europe_group("US")


def test_rate_table_round_trips_through_json():
    table = default_rate_table("EUR")
    assert RateTable.from_dict(json.loads(json.dumps(table.to_dict()))) == table
    assert table.services["standard"].base_minor["1"] == 569  # 5.99 × 0.95, half-up


def test_default_table_in_a_currency_without_cents():
    assert default_rate_table("JPY").services["standard"].base_minor["1"] == 899  # 898.5 up


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d["services"]["express"]["base_minor"].pop("5"),
        lambda d: d["services"]["standard"]["per_kg_minor"].update({"1": -1}),
        lambda d: d["services"]["standard"]["per_kg_minor"].update({"1": 1.5}),
        lambda d: d.update(currency="XYZ"),
        lambda d: d.update(free_shipping_threshold_minor="50"),
        lambda d: d["services"].pop("express"),
    ],
)
def test_a_broken_stored_rate_table_is_refused(breakage):
    data = USD.to_dict()
    breakage(data)
    with pytest.raises(InvalidRateTable):
        RateTable.from_dict(data)


def test_unknown_service_level_is_refused():
    with pytest.raises(UnknownServiceLevel, match="standard or express"):
        quote([item()], level="overnight")


# --- properties -----------------------------------------------------------------------

NO_FREE_SHIPPING = RateTable(USD.currency, USD.services, None)


@st.composite
def orders(draw, max_lines=6, max_grams=MAX_PACKAGE_GRAMS, max_side=600):
    n = draw(st.integers(min_value=0, max_value=max_lines))
    side = st.integers(min_value=0, max_value=max_side)  # 600: any three fit the limits
    return [
        ShipItem(
            line_index=i,
            sku=f"SKU-{i}",
            quantity=draw(st.integers(min_value=1, max_value=4)),
            weight_grams=draw(st.integers(min_value=0, max_value=max_grams)),
            length_mm=draw(side),
            width_mm=draw(side),
            height_mm=draw(side),
            digital=draw(st.booleans()) if i % 3 == 2 else False,
        )
        for i in range(n)
    ]


zips = st.sampled_from(["10001", "07102", "60601", "90012", "99501", "33101", "98101"])


@given(orders(), zips, zips, st.sampled_from(["standard", "express"]), st.integers(0, 20_000))
@settings(max_examples=150, deadline=None)
def test_packing_invariants(items, src, dst, level, subtotal):
    q = quote(items, Place("US", src), Place("US", dst), level, USD, subtotal)
    assert q.cost_minor >= 0
    packed: dict[int, int] = {}
    for package in q.packages:
        length, width, height = package.dims_mm
        assert package.actual_grams <= MAX_PACKAGE_GRAMS
        assert length >= width >= height and length <= MAX_LONGEST_SIDE_MM
        assert length + 2 * (width + height) <= MAX_LENGTH_PLUS_GIRTH_MM
        assert package.billable_grams >= package.actual_grams
        assert package.billable_grams >= dimensional_grams(length, width, height)
        for line, _, qty in package.items:
            packed[line] = packed.get(line, 0) + qty
    assert packed == {i.line_index: i.quantity for i in items if not i.digital}
    total = sum(i.weight_grams * i.quantity for i in items if not i.digital)
    assert len(q.packages) >= math.ceil(total / MAX_PACKAGE_GRAMS)
    assert sum(p.actual_grams for p in q.packages) == total


@given(orders(), st.randoms(use_true_random=False))
@settings(max_examples=100, deadline=None)
def test_quote_is_deterministic_whatever_the_line_order(items, rnd):
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert quote(items) == quote(items) == quote(shuffled)


@given(orders(), zips)
@settings(max_examples=100, deadline=None)
def test_express_never_cheaper_and_free_shipping_never_dearer(items, dst):
    to = Place("US", dst)
    standard = quote(items, destination=to, rates=NO_FREE_SHIPPING).cost_minor
    assert quote(items, destination=to, level="express", rates=NO_FREE_SHIPPING).cost_minor >= (
        standard
    )
    assert quote(items, destination=to, sub=10**6).cost_minor <= standard


@given(orders(3, 4_000, 250), orders(1, 4_000, 250))
@settings(max_examples=150, deadline=None)
def test_without_free_shipping_one_more_unit_in_a_single_parcel_never_costs_less(items, extra):
    """Adding to a single-package order: the parcel only grows, so the price cannot drop.
    (Over several packages first-fit can regroup, so no such promise is made there.)"""
    before = quote(items, rates=NO_FREE_SHIPPING)
    added = [*items, *(ShipItem(**{**vars(e), "line_index": 99}) for e in extra)]
    after = quote(added, rates=NO_FREE_SHIPPING)
    if len(before.packages) <= 1 and len(after.packages) <= 1:
        assert after.cost_minor >= before.cost_minor
