"""No input, however odd, makes an endpoint answer 500 (property test)."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.api_helpers import api_fixture, product_body, world_fixture  # noqa: F401

FIELDS = [
    "email", "password", "name", "role", "seller_id", "country", "postal_code", "city",
    "handling_hours", "currency", "sku", "title", "price", "weight_grams", "length_mm",
    "digital", "hs_code", "origin_country", "on_hand", "cancellation_window_minutes",
]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=80),
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner)
)
bodies = st.dictionaries(st.sampled_from(FIELDS), values, max_size=8)
list_params = st.dictionaries(
    st.sampled_from(["status", "seller_id", "q", "placed_from", "placed_to", "limit", "cursor"]),
    st.text(max_size=40),
    max_size=4,
)
WRITES = [
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/users"),
    ("POST", "/api/v1/sellers"),
    ("POST", "/api/v1/products"),
    ("PUT", "/api/v1/inventory/{sku}"),
    ("PUT", "/api/v1/policies"),
]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    write=st.sampled_from(WRITES),
    body=bodies,
    near_valid=st.booleans(),
    params=list_params,
    path_part=st.text(max_size=20),
)
def test_odd_input_never_answers_500(world, write, body, near_valid, params, path_part):
    headers = world.headers("admin")
    method, path = write
    if near_valid and path == "/api/v1/products":
        body = {**product_body(world.shop_a), **body}  # one odd field among good ones
    answers = [
        world.api.request(method, path.format(sku=world.product_a.sku), json=body, headers=headers),
        world.api.get("/api/v1/orders", params=params, headers=headers),
        world.api.get(f"/api/v1/orders/{quote(path_part, safe='')}", headers=headers),
        world.api.get(f"/api/v1/inventory/{quote(path_part, safe='')}", headers=headers),
    ]
    for answer in answers:
        assert answer.status_code < 500, (answer.request.url, body, answer.text)
        assert answer.headers["content-type"].startswith("application/")
