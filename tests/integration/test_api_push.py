"""The web push endpoints: the public key, and each person's own browser subscriptions."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlmodel import select

from oms_dashboard.models import PushSubscription
from oms_dashboard.notifications.vapid import load_private_key
from oms_dashboard.settings import get_settings
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    assert_problem,
    count,
    error_fields,
    fetch,
    world_fixture,
)
from tests.integration.push_service import b64url

SUBSCRIPTIONS = "/api/v1/push/subscriptions"


def browser_json(endpoint: str = "https://push.example.net/send/abc123") -> dict:
    """A browser's PushSubscription.toJSON(), keys made the way a browser makes them."""
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": b64url(point), "auth": b64url(b"sixteen byte key")},
    }


def test_the_public_key_is_the_servers_vapid_key_for_anyone(api):
    response = api.get("/api/v1/push/public-key")

    assert response.status_code == 200
    key = response.json()["public_key"]
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65 and raw[0] == 4
    ours = load_private_key(get_settings().vapid_private_key).public_key()
    assert raw == ours.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def test_a_signed_in_customer_subscribes_a_browser(world, engine):
    body = browser_json()
    response = world.api.post(SUBSCRIPTIONS, json=body, headers=world.headers("alice"))

    assert response.status_code == 201, response.text
    assert response.json()["endpoint"] == body["endpoint"]
    (row,) = fetch(engine, select(PushSubscription))
    assert row.user_id == world.users["alice"].id
    assert (row.p256dh, row.auth) == (body["keys"]["p256dh"], body["keys"]["auth"])
    assert row.failures == 0


def test_subscribing_the_same_browser_again_refreshes_its_keys(world, engine):
    first, again = browser_json(), browser_json()
    for body in (first, again):
        response = world.api.post(SUBSCRIPTIONS, json=body, headers=world.headers("alice"))
        assert response.status_code == 201, response.text

    (row,) = fetch(engine, select(PushSubscription))
    assert row.p256dh == again["keys"]["p256dh"]


def test_a_browser_belongs_to_whoever_subscribed_it_last(world, engine):
    body = browser_json()
    world.api.post(SUBSCRIPTIONS, json=body, headers=world.headers("alice"))
    response = world.api.post(SUBSCRIPTIONS, json=body, headers=world.headers("bob"))

    assert response.status_code == 201
    (row,) = fetch(engine, select(PushSubscription))
    assert row.user_id == world.users["bob"].id


def test_subscribing_needs_a_signed_in_person(world, engine):
    response = world.api.post(SUBSCRIPTIONS, json=browser_json())

    assert_problem(response, 401, "unauthorized")
    assert count(engine, PushSubscription) == 0


@pytest.mark.parametrize(
    "change, fields",
    [
        ({"endpoint": "ftp://push.example.net/x"}, ["endpoint"]),
        ({"endpoint": "http://push.example.net/x"}, ["endpoint"]),
        ({"endpoint": "https://"}, ["endpoint"]),
        ({"endpoint": "https://push.example.net/" + "x" * 1000}, ["endpoint"]),
        ({"keys": {"p256dh": "not base64!", "auth": "c2l4dGVlbiBieXRlIGtleQ"}}, ["keys.p256dh"]),
        ({"keys": {"p256dh": b64url(b"\x04" * 65), "auth": "AAAA"}}, ["keys.p256dh", "keys.auth"]),
        ({"keys": {"p256dh": "BBBB"}}, ["keys.auth"]),
        ({"keys": None}, ["keys"]),
        ({"endpoint": 42}, ["endpoint"]),
        ({"extra": "field"}, ["extra"]),
    ],
)
def test_a_bad_subscription_names_each_field_and_saves_nothing(world, engine, change, fields):
    body = {**browser_json(), **change}
    response = world.api.post(SUBSCRIPTIONS, json=body, headers=world.headers("alice"))

    problem = assert_problem(response, 422, "validation-error")
    assert error_fields(response) == fields, problem
    assert count(engine, PushSubscription) == 0


def test_a_localhost_push_service_is_for_development_only(world, engine, monkeypatch):
    local = browser_json("http://127.0.0.1:8090/push/dev")
    response = world.api.post(SUBSCRIPTIONS, json=local, headers=world.headers("alice"))
    assert response.status_code == 201

    monkeypatch.setattr(get_settings(), "env", "production")
    other = browser_json("http://localhost:8090/push/other")
    response = world.api.post(SUBSCRIPTIONS, json=other, headers=world.headers("alice"))
    assert_problem(response, 422, "validation-error")
    assert error_fields(response) == ["endpoint"]
    assert "http://" not in response.json()["errors"][0]["message"]
    assert count(engine, PushSubscription) == 1


def unsubscribe(world, endpoint: str, who: str | None):
    return world.api.request(
        "DELETE", SUBSCRIPTIONS, json={"endpoint": endpoint}, headers=world.headers(who)
    )


def test_people_unsubscribe_their_own_browsers_only(world, engine):
    alices = browser_json("https://push.example.net/a")
    bobs = browser_json("https://push.example.net/b")
    world.api.post(SUBSCRIPTIONS, json=alices, headers=world.headers("alice"))
    world.api.post(SUBSCRIPTIONS, json=bobs, headers=world.headers("bob"))

    assert_problem(unsubscribe(world, bobs["endpoint"], "alice"), 404, "not-found")
    assert_problem(unsubscribe(world, bobs["endpoint"], None), 401, "unauthorized")
    assert count(engine, PushSubscription) == 2

    own = unsubscribe(world, alices["endpoint"], "alice")
    assert own.status_code == 204 and own.content == b""
    (left,) = fetch(engine, select(PushSubscription))
    assert left.endpoint == bobs["endpoint"] and left.user_id == world.users["bob"].id
    assert_problem(unsubscribe(world, alices["endpoint"], "alice"), 404, "not-found")


def test_unsubscribing_without_an_endpoint_names_the_field(world):
    response = world.api.request("DELETE", SUBSCRIPTIONS, json={}, headers=world.headers("alice"))

    assert_problem(response, 422, "validation-error")
    assert error_fields(response) == ["endpoint"]


def test_staff_may_subscribe_their_browsers_too(world, engine):
    response = world.api.post(SUBSCRIPTIONS, json=browser_json(), headers=world.headers("seller_a"))

    assert response.status_code == 201
    (row,) = fetch(engine, select(PushSubscription))
    assert row.user_id == world.users["seller_a"].id


def test_a_person_keeps_at_most_ten_browsers_the_oldest_goes(world, engine):
    endpoints = [f"https://push.example.net/device-{n}" for n in range(11)]
    for endpoint in endpoints:
        response = world.api.post(
            SUBSCRIPTIONS, json=browser_json(endpoint), headers=world.headers("alice")
        )
        assert response.status_code == 201

    kept = {row.endpoint for row in fetch(engine, select(PushSubscription))}
    assert kept == set(endpoints[1:])
