"""The adapter to use for a carrier right now: its sandbox inside this process, or the
carrier's live API with the credentials an admin stored (``carrier_accounts``)."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine
from sqlmodel import Session

from oms_dashboard.bootstrap import SANDBOX_BASE
from oms_dashboard.carriers.base import Carrier
from oms_dashboard.carriers.dhl import DhlCarrier
from oms_dashboard.carriers.fedex import FedExCarrier
from oms_dashboard.carriers.ups import UpsCarrier
from oms_dashboard.carriers.usps import UspsCarrier
from oms_dashboard.domain.tracking import CarrierMode, CarrierName
from oms_dashboard.services.carrier_accounts import account, credentials, usable
from oms_dashboard.services.carrier_health import CarrierUnavailable, check_breaker

ADAPTERS = {
    CarrierName.FEDEX: FedExCarrier,
    CarrierName.UPS: UpsCarrier,
    CarrierName.DHL: DhlCarrier,
    CarrierName.USPS: UspsCarrier,
}
SANDBOX_CREDENTIALS = {
    "client_id": "oms-sandbox",
    "client_secret": "oms-sandbox",
    "account_number": "SANDBOX01",
}
"""What the sandbox expects: any non-empty credentials, the same for every carrier."""


def carrier_for(
    session: Session, carrier: str, *, sandbox_transport: httpx.BaseTransport | None
) -> Carrier:
    """An adapter for ``carrier``; ``CarrierUnavailable`` (409) when it may not be used."""
    row = account(session, carrier)
    ok, why = usable(row)
    if not ok:
        raise CarrierUnavailable(row.carrier, why or "unavailable")
    adapter = ADAPTERS[CarrierName(row.carrier)]
    if row.mode == CarrierMode.SANDBOX:
        if sandbox_transport is None:
            raise CarrierUnavailable(row.carrier, "no sandbox in this process")
        return adapter(
            base_url=f"{SANDBOX_BASE}/sandbox/carriers/{row.carrier}",
            transport=sandbox_transport,
            **_accepted(adapter, SANDBOX_CREDENTIALS),
        )
    return adapter(base_url=row.base_url, **_accepted(adapter, credentials(row)))


def _accepted(adapter: type, given: dict[str, str]) -> dict[str, str]:
    """The credentials this adapter's constructor takes (USPS has no account number)."""
    import inspect

    names = inspect.signature(adapter.__init__).parameters
    return {key: value for key, value in given.items() if key in names}


def open_adapter(
    engine: Engine, carrier: str, *, sandbox_transport: httpx.BaseTransport | None
) -> Carrier:
    """``carrier_for`` in a read of its own, refused while the carrier's breaker is open."""
    with Session(engine) as session:
        check_breaker(session, carrier)
        return carrier_for(session, carrier, sandbox_transport=sandbox_transport)
