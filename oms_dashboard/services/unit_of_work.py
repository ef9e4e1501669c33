"""A service's unit of work: the one transaction it opens, commits or rolls back.

Pages, routes and jobs call one service per action and never hold a
transaction of their own around it. Two transactions that collide (a
deadlock, a serialization failure, or locks that no longer cover what a
service found) are rolled back and run once more from the start: the work
function reads fresh state, so the second run decides on what is true now.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlmodel import Session

from oms_dashboard.services.errors import ServiceError

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRYABLE_SQLSTATES = {"40P01": "deadlock", "40001": "serialization failure"}
LOCKS_CHANGED_RETRIES = 4
"""New rows can keep appearing while checkouts pour in: a few more tries, spaced out."""


class LocksChanged(Exception):
    """What a service locked no longer covers what it must change: run it again."""


class Collided(ServiceError):
    """Still colliding after the retry: nothing was saved; the caller may try again."""

    status, type, title = 503, "retry-later", "Busy, try again"


def run_in_transaction(engine: Engine, work: Callable[[Session], T]) -> T:
    """``work(session)`` in one transaction, committed if it returns.

    A deadlock or serialization failure is run again once; locks that no longer
    cover the rows (``LocksChanged``) a few times, after a short random pause. A
    connection found dead before the commit (the database restarted since it was
    pooled) is run again once on a fresh one: nothing of it was saved. One lost
    during the commit is not, since the commit may have landed.
    """
    attempt = 0
    while True:
        attempt += 1
        committing = False
        with Session(engine, expire_on_commit=False) as session:
            try:
                result = work(session)
                committing = True
                session.commit()
                return result
            except (sa_exc.OperationalError, LocksChanged) as exc:
                session.rollback()
                why = collision(exc) or (None if committing else lost_connection(exc))
                if why is None:
                    raise
                changed = isinstance(exc, LocksChanged)
                if attempt > (LOCKS_CHANGED_RETRIES if changed else 1):
                    raise Collided(f"the change was not saved ({why}); retry") from exc
                log.info("transaction retried after a %s", why)
                if changed:
                    time.sleep(random.uniform(0.005, 0.05))
            except BaseException:
                session.rollback()
                raise


def transactional(service: Callable[..., T]) -> Callable[..., T]:
    """For a service whose whole work is one transaction: written as
    ``service(session, **kwargs)``, called as ``service(engine, **kwargs)``.

    The caller never holds the transaction, so it cannot compose two services
    into one by hand.
    """

    @functools.wraps(service)
    def in_its_own_transaction(engine: Engine, /, **kwargs: Any) -> T:
        return run_in_transaction(engine, lambda session: service(session, **kwargs))

    return in_its_own_transaction


def lost_connection(exc: BaseException) -> str | None:
    """ "lost connection" if ``exc`` says the pooled connection was dead (SQLAlchemy then
    discards the pool's older connections too), else None."""
    return "lost connection" if getattr(exc, "connection_invalidated", False) else None


def collision(exc: BaseException) -> str | None:
    """Why two transactions collided, or None if ``exc`` is some other failure."""
    if isinstance(exc, LocksChanged):
        return "change to the rows it had locked"
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return RETRYABLE_SQLSTATES.get(sqlstate or "")
