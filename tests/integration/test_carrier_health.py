"""The circuit breaker: opens after five transient failures in a row, refuses calls
while open, and a burst of in-flight failures does not lengthen its pause."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from oms_dashboard.carriers.base import CarrierError
from oms_dashboard.models import CarrierAccount
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.carrier_health import (
    CarrierUnavailable,
    call_carrier,
    record_failure,
    record_success,
)


def fail():
    raise CarrierError("ups", "UPS could not be reached", transient=True)


@pytest.fixture(autouse=True)
def closed(engine):
    record_success(engine, "ups")
    yield
    record_success(engine, "ups")


def test_five_failures_open_it_and_calls_are_refused_until_it_closes(engine):
    for _ in range(5):
        with pytest.raises(CarrierError):
            call_carrier(engine, "ups", fail)
    with Session(engine) as s:
        row = s.get(CarrierAccount, "ups")
        assert row.consecutive_failures == 5 and row.circuit_open_until > utcnow()
        pause = row.circuit_open_until
    with pytest.raises(CarrierUnavailable, match="failed 5 times in a row"):
        call_carrier(engine, "ups", lambda: "not called")
    for _ in range(6):  # calls that were already in flight fail afterwards
        record_failure(engine, "ups", CarrierError("ups", "late failure", transient=True))
    with Session(engine) as s:
        row = s.get(CarrierAccount, "ups")
        assert (row.consecutive_failures, row.circuit_open_until) == (5, pause)


def test_a_final_error_says_nothing_about_health(engine):
    for _ in range(7):
        with pytest.raises(CarrierError):
            call_carrier(
                engine, "ups", lambda: (_ for _ in ()).throw(CarrierError("ups", "bad zip"))
            )
    with Session(engine) as s:
        assert s.get(CarrierAccount, "ups").consecutive_failures == 0
    assert call_carrier(engine, "ups", lambda: "answered") == "answered"
