"""What a route needs before it runs: a database session and the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from oms_dashboard.db import get_engine
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.auth import actor_for_token
from oms_dashboard.services.errors import AuthenticationFailed


def get_db_engine() -> Engine:
    """The process's engine; tests override this to point at their database."""
    return get_engine()


async def get_session(engine: Annotated[Engine, Depends(get_db_engine)]) -> AsyncIterator[Session]:
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


def current_actor(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None:
        raise AuthenticationFailed("send 'Authorization: Bearer <token>' from POST /auth/token")
    return actor_for_token(session, credentials.credentials)


ActorDep = Annotated[Actor, Depends(current_actor)]


def require_role(*roles: Role):
    """A dependency that admits only ``roles``, checked before the body is looked at,
    so a caller who may not act learns nothing from validation messages."""

    def check(actor: ActorDep) -> Actor:
        actor.require(*roles)
        return actor

    return Depends(check)
