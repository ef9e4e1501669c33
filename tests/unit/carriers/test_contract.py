"""One contract for every carrier adapter, run over each carrier's recorded answers:
the same shapes come out whichever carrier spoke."""

from __future__ import annotations

import importlib
import inspect
import json
from decimal import Decimal
from pathlib import Path

import pytest

from oms_dashboard.carriers.base import (
    Carrier,
    CarrierError,
    RateQuote,
    ShipmentStatus,
    TrackingUpdate,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "carriers"
ADAPTERS = {
    "fedex": "FedExCarrier",
    "ups": "UpsCarrier",
    "dhl": "DhlCarrier",
    "usps": "UspsCarrier",
}


def recorded(carrier: str, kind: str) -> list[tuple[str, dict]]:
    """The carrier's recorded good answers of one kind (tracking or rates)."""
    prefix = {"tracking": ("track",), "rates": ("rate",)}[kind]
    found = []
    for path in sorted((FIXTURES / carrier).glob("*.json")):
        name = path.stem
        if not name.startswith(prefix) or any(w in name for w in ("error", "not_found", "request")):
            continue
        found.append((name, json.loads(path.read_text())))
    return found


@pytest.mark.parametrize("carrier", sorted(ADAPTERS))
def test_the_adapter_has_every_method_of_the_protocol(carrier):
    module = importlib.import_module(f"oms_dashboard.carriers.{carrier}")
    adapter = getattr(module, ADAPTERS[carrier])
    for name, _ in inspect.getmembers(Carrier, inspect.isfunction):
        assert callable(getattr(adapter, name, None)), f"{carrier} lacks {name}"
    assert all(
        row.status is None or isinstance(row.status, ShipmentStatus)
        for row in module.STATUSES.values()
    )
    assert {row.status for row in module.STATUSES.values()} >= {
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.DELIVERED,
        ShipmentStatus.DELIVERY_EXCEPTION,
    }


@pytest.mark.parametrize("carrier", sorted(ADAPTERS))
def test_tracking_answers_become_updates_with_aware_times_newest_first(carrier):
    module = importlib.import_module(f"oms_dashboard.carriers.{carrier}")
    answers = recorded(carrier, "tracking")
    assert answers, f"no recorded tracking answers for {carrier}"
    statuses = set()
    for name, payload in answers:
        updates = module.parse_tracking(payload)
        assert updates, name
        for update in updates:
            assert isinstance(update, TrackingUpdate) and update.tracking_number, name
            statuses.add(update.status)
            times = [scan.at for scan in update.scans]
            assert all(t.tzinfo is not None for t in times), name
            assert times == sorted(times, reverse=True), f"{name}: scans not newest first"
    assert ShipmentStatus.DELIVERED in statuses, f"{carrier}: no delivered package recorded"


@pytest.mark.parametrize("carrier", sorted(ADAPTERS))
def test_rate_answers_become_quotes_in_decimal(carrier):
    module = importlib.import_module(f"oms_dashboard.carriers.{carrier}")
    answers = recorded(carrier, "rates")
    assert answers, f"no recorded rate answers for {carrier}"
    for name, payload in answers:
        quotes = module.parse_rates(payload)
        assert quotes, name
        for quote in quotes:
            assert isinstance(quote, RateQuote) and quote.service, name
            assert isinstance(quote.amount, Decimal) and quote.amount > 0, name
            assert len(quote.currency) == 3, name


@pytest.mark.parametrize("carrier", sorted(ADAPTERS))
def test_error_answers_raise_the_carriers_own_words(carrier):
    module = importlib.import_module(f"oms_dashboard.carriers.{carrier}")
    errors = [p for p in sorted((FIXTURES / carrier).glob("*error*.json"))]
    assert errors, f"no recorded error answers for {carrier}"
    for path in errors:
        payload = json.loads(path.read_text())
        parse = module.parse_rates if "rate" in path.stem else module.parse_tracking
        if "oauth" in path.stem or "token" in path.stem:
            continue
        with pytest.raises(CarrierError) as raised:
            parse(payload)
        assert raised.value.carrier == carrier and raised.value.message, path.name
