"""Bearer tokens looked up on the server's event loop, without a thread hop.

Every authenticated request looks its token up before anything else. In a worker
thread that lookup cost more in the hop than in itself: on the 2-core machine a
route behind ``current_actor`` spent 1.6 ms of CPU against 1.1 ms with the same
lookup done on the loop (the lookup alone ~0.2 ms; docs/PERFORMANCE.md). Here it
runs on the loop through one autocommit async psycopg connection per server
process, opened by the server's lifespan and re-opened when lost; many requests'
lookups share it in turn, each one round trip.

Where there is no such connection (SQLite; a test client without a lifespan; a
moment when PostgreSQL cannot be reached) the lookup runs in a worker thread as
before (``services.auth.authenticate``), and says what is wrong the same way.
The query and the checks on its row are the same code either way.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import psycopg
import sqlalchemy as sa
from psycopg.rows import namedtuple_row

from oms_dashboard.services import auth
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.errors import AuthenticationFailed


class TokenReader:
    """Token lookups on one event loop's own connection (PostgreSQL only)."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connection: psycopg.AsyncConnection | None = None
        self._opening = asyncio.Lock()

    def serves_here(self) -> bool:
        """Opened by this loop's lifespan: a request here may use ``actor``."""
        if self._loop is None:
            return False
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    @property
    def connected(self) -> bool:
        """Holds an open connection (it has looked a token up since it last lost one)."""
        return self._connection is not None and not self._connection.closed

    async def open(self) -> None:
        if self._engine.dialect.name == "postgresql":
            self._loop = asyncio.get_running_loop()
            self._opening = asyncio.Lock()

    async def close(self) -> None:
        self._loop = None
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()

    async def actor(self, token: str) -> Actor:
        """The signed-in actor; ``psycopg.OperationalError`` if the database cannot be
        asked (the caller falls back to a thread), after which it reconnects."""
        if not token:
            raise AuthenticationFailed("sign in first")
        sql, constants = auth.SIGNED_IN.postgresql_sql(self._engine.dialect)
        connection = await self._connected()
        try:
            cursor = await connection.execute(sql, {**constants, **auth.token_lookup(token)})
            row = await cursor.fetchone()
        except psycopg.OperationalError:
            await self._discard(connection)
            raise
        return auth.signed_in_actor(row)

    async def _connected(self) -> psycopg.AsyncConnection:
        if self.connected:
            return self._connection
        async with self._opening:
            if not self.connected:
                # The engine's URL, with its application_name (``db.make_engine``).
                url = self._engine.url.set(drivername="postgresql")
                self._connection = await psycopg.AsyncConnection.connect(
                    url.render_as_string(hide_password=False),
                    autocommit=True,
                    row_factory=namedtuple_row,
                    connect_timeout=5,
                )
            return self._connection

    async def _discard(self, connection: psycopg.AsyncConnection) -> None:
        if self._connection is connection:
            self._connection = None
        with contextlib.suppress(psycopg.Error):
            await connection.close()


@contextlib.asynccontextmanager
async def serving(reader: TokenReader) -> AsyncIterator[None]:
    """The lifespan of a server process: lookups on its loop while it serves."""
    await reader.open()
    try:
        yield
    finally:
        await reader.close()
