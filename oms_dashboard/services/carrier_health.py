"""How each carrier has been answering, and the circuit breaker built on it.

Every call to a carrier goes through ``calling``: while its breaker is open the call
is not made (``CarrierUnavailable``, the work waits for the next sync); a transient
failure counts towards opening it; a success closes it. The record is one row per
carrier (``carrier_accounts``), so every process shares it, written in a short
transaction of its own, never inside the caller's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session

from oms_dashboard.carriers.base import CarrierError
from oms_dashboard.domain.tracking import breaker_opens_until
from oms_dashboard.models import CarrierAccount
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.carrier_accounts import account
from oms_dashboard.services.errors import Conflict, ServiceError

T = TypeVar("T")


class CarrierUnavailable(Conflict):
    def __init__(self, carrier: str, why: str) -> None:
        super().__init__(f"{carrier} cannot be used now: {why}", type="carrier-unavailable")
        self.carrier = carrier


class CarrierRefused(ServiceError):
    """The carrier answered no (a bad address, a missing phone): its own words, 422.
    A carrier that did not answer at all is a 503 the caller may retry."""

    def __init__(self, error: CarrierError) -> None:
        if error.transient:
            self.status, self.type, self.title = 503, "carrier-unavailable", "Carrier unavailable"
        else:
            self.status, self.type, self.title = 422, "carrier-refused", "Refused by the carrier"
        super().__init__(str(error), carrier=error.carrier, carrier_code=error.code)


def breaker_open(row: CarrierAccount, now: datetime | None = None) -> bool:
    return row.circuit_open_until is not None and row.circuit_open_until > (now or utcnow())


def check_breaker(session: Session, carrier: str) -> None:
    row = account(session, carrier)
    if breaker_open(row):
        raise CarrierUnavailable(
            carrier,
            f"it failed {row.consecutive_failures} times in a row "
            f"({row.last_error or 'no answer'}); calls resume after "
            f"{row.circuit_open_until:%H:%M:%S} UTC",
        )


def record_success(engine: Engine, carrier: str) -> None:
    now = utcnow()
    with Session(engine) as session:
        account(session, carrier)
        session.execute(
            sa.update(CarrierAccount)
            .where(CarrierAccount.carrier == carrier)
            .values(last_success_at=now, consecutive_failures=0, circuit_open_until=None)
        )
        session.commit()


def record_failure(engine: Engine, carrier: str, error: CarrierError) -> None:
    """Count a transient failure (and open the breaker at the threshold); a final one
    (a bad address, an unknown number) says nothing about the carrier's health."""
    if not error.transient:
        return
    now = utcnow()
    with Session(engine) as session:
        row = account(session, carrier)
        session.refresh(row, with_for_update=True)
        row.last_failure_at = now
        row.last_error = error.message[:1000]
        if not breaker_open(row, now):
            # Calls already in flight when the breaker opened fail too: they do not
            # lengthen the pause, only a failed trial call after it does.
            row.consecutive_failures += 1
            row.circuit_open_until = breaker_opens_until(row.consecutive_failures, now)
        session.commit()


@contextmanager
def calling(engine: Engine, carrier: str) -> Iterator[None]:
    """Wrap one call to ``carrier``: refused while its breaker is open, its outcome
    recorded either way."""
    with Session(engine) as session:
        check_breaker(session, carrier)
    try:
        yield
    except CarrierError as error:
        record_failure(engine, carrier, error)
        raise
    record_success(engine, carrier)


def call_carrier(engine: Engine, carrier: str, call: Callable[[], T]) -> T:
    with calling(engine, carrier):
        return call()
