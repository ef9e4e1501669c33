"""Signing in, bearer tokens, and the answers every endpoint shares:
health, the OpenAPI document, unknown routes, unexpected errors, rollback."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlmodel import create_engine

from oms_dashboard.api import create_app
from oms_dashboard.api.deps import SessionDep
from oms_dashboard.bootstrap import bootstrap
from oms_dashboard.domain.statuses import check_transition
from oms_dashboard.models import Seller, User, UserSession
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.errors import ValidationFailed
from tests.factories import PASSWORD, make_user
from tests.integration.api_helpers import api_fixture, assert_problem, count  # noqa: F401


def test_good_password_gets_a_bearer_token_that_works(api, session):
    user = make_user(session, "support", email="Sam@Example.com")
    response = api.post(
        "/api/v1/auth/token", json={"email": "  sam@example.COM ", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["user_id"] == user.id and body["role"] == "support"
    assert body["expires_in"] > 0
    orders = api.get("/api/v1/orders", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert orders.status_code == 200


@pytest.mark.parametrize(
    "email, password",
    [("carol@example.com", "wrong password"), ("nobody@example.com", PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_bad_credentials_are_401_and_do_not_say_which_part_was_wrong(
    api, session, engine, email, password
):
    make_user(session, "customer", email="carol@example.com")
    response = api.post("/api/v1/auth/token", json={"email": email, "password": password})
    body = assert_problem(response, 401, "unauthorized")
    assert body["detail"] == "wrong email or password"
    assert response.headers["www-authenticate"] == "Bearer"
    assert count(engine, UserSession) == 0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "not even a scheme"},
    ],
    ids=["missing", "garbage", "empty", "basic-scheme", "no-scheme"],
)
def test_missing_or_bad_token_is_401_with_a_bearer_challenge(api, headers):
    response = api.get("/api/v1/orders", headers=headers)
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def test_expired_token_is_401(api, session, engine):
    user = make_user(session, "admin")
    token = api.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}).json()[
        "access_token"
    ]
    with engine.begin() as conn:
        conn.execute(
            sa.update(UserSession.__table__).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    response = api.get("/api/v1/policies", headers={"Authorization": f"Bearer {token}"})
    body = assert_problem(response, 401, "unauthorized")
    assert "expired" in body["detail"]


def test_disabled_account_cannot_sign_in_or_use_its_token(api, session, engine):
    user = make_user(session, "admin")
    token = api.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}).json()[
        "access_token"
    ]
    with engine.begin() as conn:
        conn.execute(sa.update(User.__table__).values(is_active=False))
    assert_problem(
        api.get("/api/v1/policies", headers={"Authorization": f"Bearer {token}"}),
        401,
        "unauthorized",
    )
    assert_problem(
        api.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}),
        401,
        "unauthorized",
    )


def test_health_answers_ok_after_asking_the_database(api):
    response = api.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["wiring"]["entry"] == "test"


def test_openapi_document_lists_every_route_and_the_problem_shape(api):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert set(doc["paths"]) >= {
        "/api/v1/auth/token",
        "/api/v1/users",
        "/api/v1/sellers",
        "/api/v1/products",
        "/api/v1/inventory/{sku}",
        "/api/v1/orders",
        "/api/v1/orders/{order_id}",
        "/api/v1/policies",
        "/api/v1/health",
    }
    assert set(doc["paths"]["/api/v1/inventory/{sku}"]) == {"get", "put"}
    schemas = doc["components"]["schemas"]
    assert {"OrderDetailOut", "ProductCreate", "Problem", "ValidationProblem"} <= set(schemas)
    assert schemas["ProductCreate"]["properties"]["price"]["type"] == "string"
    refused = doc["paths"]["/api/v1/products"]["post"]["responses"]["422"]["content"]
    assert refused["application/problem+json"]["schema"]["$ref"].endswith("/ValidationProblem")
    assert api.get("/api/v1/docs").status_code == 200


def test_unknown_route_and_wrong_method_are_problems(api):
    assert_problem(api.get("/api/v1/no-such-thing"), 404, "not-found")
    response = api.delete("/api/v1/policies")
    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "GET, PUT"


# A throwaway app with routes that misbehave on purpose, so the real app stays as shipped.
@pytest.fixture
def rigged(engine, session, caplog):
    router = APIRouter()

    @router.post("/api/v1/test/deadlock")
    def deadlock() -> None:
        class Orig(Exception):
            sqlstate = "40P01"

        raise sa.exc.OperationalError("UPDATE inventory ...", {}, Orig("deadlock detected"))

    @router.post("/api/v1/test/explode")
    def explode() -> None:
        raise RuntimeError("secret connection string postgres://admin:hunter2@db")

    @router.post("/api/v1/test/write-then-refuse")
    def write_then_refuse(session: SessionDep) -> None:
        session.add(Seller(id="sel_half_done", name="Half", country="US", postal_code="1"))
        session.flush()
        raise ValidationFailed.one("name", "refused after writing")

    @router.post("/api/v1/test/duplicate-seller", status_code=201)
    def duplicate_seller(session: SessionDep) -> dict:
        # The clash only shows when the transaction commits, after this returns.
        session.add(Seller(id="sel_taken", name="Again", country="US", postal_code="1"))
        return {"created": True}

    @router.post("/api/v1/test/ship-twice")
    def ship_twice() -> None:
        check_transition("shipped", "shipped")

    @router.post("/api/v1/test/cancel-delivered")
    def cancel_delivered() -> None:
        check_transition("delivered", "cancelled")

    rigged_app = create_app(bootstrap("test", engine=engine), routers=[router])
    caplog.set_level(logging.ERROR, logger="oms_dashboard.api")
    return TestClient(rigged_app)


def test_unexpected_error_is_a_logged_500_problem_without_the_trace(rigged, caplog):
    response = rigged.post("/api/v1/test/explode", headers={"X-Request-ID": "req-42"})
    body = assert_problem(response, 500, "internal-error")
    assert body["request_id"] == "req-42" == response.headers["x-request-id"]
    assert "hunter2" not in response.text and "Traceback" not in response.text
    logged = [r for r in caplog.records if "req-42" in r.getMessage()]
    assert logged and logged[0].exc_info is not None


def test_a_failing_request_writes_nothing(rigged, engine):
    response = rigged.post("/api/v1/test/write-then-refuse")
    assert_problem(response, 422, "validation-error")
    assert count(engine, Seller) == 0


def test_a_commit_that_fails_is_answered_as_a_failure_not_a_success(rigged, session, engine):
    session.add(Seller(id="sel_taken", name="First", country="US", postal_code="1"))
    session.commit()
    response = rigged.post("/api/v1/test/duplicate-seller")
    assert_problem(response, 409, "conflict")
    assert count(engine, Seller) == 1


def test_health_is_503_when_the_database_does_not_answer(tmp_path):
    unreachable = create_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'oms.db'}")
    api = TestClient(create_app(bootstrap("test", engine=unreachable)))
    response = api.get("/api/v1/health")
    assert_problem(response, 503, "service-unavailable")
    assert response.headers["retry-after"] == "5"


def test_a_deadlock_is_a_retry_later_not_a_database_outage(rigged):
    response = rigged.post("/api/v1/test/deadlock")
    body = assert_problem(response, 503, "retry-later")
    assert "deadlock" in body["detail"] and "not answering" not in body["detail"]
    assert response.headers["retry-after"] == "1"


def test_a_status_change_the_table_forbids_is_409_naming_both_statuses(rigged):
    body = assert_problem(rigged.post("/api/v1/test/ship-twice"), 409, "invalid-transition")
    assert (body["from_status"], body["to_status"]) == ("shipped", "shipped")
    body = assert_problem(rigged.post("/api/v1/test/cancel-delivered"), 409, "not-cancellable")
    assert (body["from_status"], body["to_status"]) == ("delivered", "cancelled")
    assert "already delivered" in body["detail"]
