"""What a route needs before it runs: a database session and the caller."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

import anyio.to_thread
import psycopg
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from oms_dashboard.payments.provider import PaymentProvider
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.auth import authenticate
from oms_dashboard.services.errors import AuthenticationFailed

# Dependencies that do no I/O are ``async def``: FastAPI runs a sync one in a worker
# thread, and each such hop costs more than the work.


async def get_db_engine(request: Request) -> Engine:
    """The engine this app was wired with (``bootstrap``)."""
    return request.app.state.engine


EngineDep = Annotated[Engine, Depends(get_db_engine)]
"""For routes that call a service owning its transaction: the route holds none."""


async def get_payment_provider(request: Request) -> PaymentProvider:
    return request.app.state.payment_provider


ProviderDep = Annotated[PaymentProvider, Depends(get_payment_provider)]


async def get_session(engine: EngineDep) -> AsyncIterator[Session]:
    """One session per request: committed if the route succeeds, else rolled back,
    so a failing request writes nothing.

    Async on purpose: the route's queries run in a worker thread, but the commit
    runs here, on the event loop, without waiting for a free thread. Under a
    burst every thread can be busy waiting for a row lock held by a transaction
    that only needs to commit; committing on the loop lets it, instead of the
    burst deadlocking until timeouts.
    """
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# "function" scope: the commit runs before the answer is sent, so a commit that
# fails becomes an error answer instead of a success the database never saw.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = HTTPBearer(
    auto_error=False,
    description="A token from `POST /api/v1/auth/token`.",
)


_AUTH_THREADS = anyio.CapacityLimiter(4)
"""Token lookups get threads of their own. Sharing the routes' threads, a burst's
lookups queue ahead of the work of requests already signed in (the queue is FIFO), so
every request of the burst finished near its end."""


async def current_actor(
    request: Request,
    engine: EngineDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """Looked up in a short read of its own, never inside the route's transaction: on
    the event loop where the server opened a connection for it (``token_reader``), else
    in a thread."""
    if credentials is None:
        raise AuthenticationFailed("send 'Authorization: Bearer <token>' from POST /auth/token")
    reader = request.app.state.token_reader
    if reader.serves_here():
        with contextlib.suppress(psycopg.OperationalError):
            return await reader.actor(credentials.credentials)
    return await anyio.to_thread.run_sync(
        authenticate, engine, credentials.credentials, limiter=_AUTH_THREADS
    )


ActorDep = Annotated[Actor, Depends(current_actor)]


def require_role(*roles: Role):
    """A dependency that admits only ``roles``, checked before the body is looked at,
    so a caller who may not act learns nothing from validation messages."""

    async def check(actor: ActorDep) -> Actor:
        actor.require(*roles)
        return actor

    return Depends(check)
