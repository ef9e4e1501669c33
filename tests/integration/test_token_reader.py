"""Token lookups on the server's event loop (api/token_reader): the same answers as the
thread path, revocation at once, and a lost connection costs one fallback, not a failure."""

from __future__ import annotations

import asyncio

import httpx
import psycopg
import pytest

from oms_dashboard.api.token_reader import TokenReader, serving
from oms_dashboard.services.auth import sign_in, sign_out
from oms_dashboard.services.errors import AuthenticationFailed
from tests.factories import PASSWORD, make_user
from tests.integration.live_server import LiveServer


def _token(engine, session, role: str = "customer") -> tuple[str, str]:
    user = make_user(session, role)
    token, _ = sign_in(engine, email=user.email, password=PASSWORD, channel="api")
    return token, user.id


def test_on_sqlite_the_reader_never_serves(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")

    async def opened() -> bool:
        reader = TokenReader(engine)
        async with serving(reader):
            return reader.serves_here()

    assert asyncio.run(opened()) is False


def test_lookups_answer_as_the_thread_does_and_revocation_is_immediate(cuttable, session):
    token, user_id = _token(cuttable.engine, session)

    async def lookups() -> None:
        reader = TokenReader(cuttable.engine)
        assert not reader.serves_here()  # not opened: the thread path
        async with serving(reader):
            assert reader.serves_here()
            actor = await reader.actor(token)
            assert actor.user_id == user_id and actor.customer_id is not None
            actors = await asyncio.gather(*(reader.actor(token) for _ in range(20)))
            assert {a.user_id for a in actors} == {user_id}
            with pytest.raises(AuthenticationFailed):
                await reader.actor("not-a-token")
            sign_out(cuttable.engine, token=token)
            with pytest.raises(AuthenticationFailed):
                await reader.actor(token)
        assert not reader.serves_here()

    asyncio.run(lookups())


def test_a_cut_connection_fails_one_lookup_then_reconnects(cuttable, session):
    token, user_id = _token(cuttable.engine, session)

    async def through_a_cut() -> None:
        reader = TokenReader(cuttable.engine)
        async with serving(reader):
            assert (await reader.actor(token)).user_id == user_id
            assert await asyncio.to_thread(cuttable.cut) >= 1
            with pytest.raises(psycopg.OperationalError):
                await reader.actor(token)
            assert (await reader.actor(token)).user_id == user_id

    asyncio.run(through_a_cut())


def test_a_served_app_signs_in_on_its_loop_and_survives_a_cut(cuttable, session):
    """Through uvicorn (lifespan on): every request authenticated, twice round a cut."""
    users = [make_user(session, "customer") for _ in range(3)]
    app = cuttable.engine
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        for round in range(2):
            for user in users:
                signed = http.post(
                    "/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}
                )
                token = signed.json()["access_token"]
                headers = {"Authorization": f"Bearer {token}"}
                assert http.get("/api/v1/orders", headers=headers).status_code == 200
                assert server.app.state.token_reader.connected  # looked up on the loop
                cuttable.cut()
                assert http.get("/api/v1/orders", headers=headers).status_code in (200, 503)
                assert http.get("/api/v1/orders", headers=headers).status_code == 200
                sign_out(cuttable.engine, token=token)  # signing out on the web ends it here too
                assert http.get("/api/v1/orders", headers=headers).status_code == 401, round
