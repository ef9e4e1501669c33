"""DHL Express: tracking through the DHL Shipment Tracking - Unified API (and its push
version for webhooks), rates and labels through the DHL Express MyDHL API.

API versions followed:

* Shipment Tracking - Unified API, OpenAPI 1.5.x, ``GET /track/shipments?trackingNumber=
  ...&service=express`` with the app's key in the ``DHL-API-Key`` header, one tracking
  number per request. https://developer.dhl.com/api-reference/shipment-tracking
* Shipment Tracking - Unified - Push 1.2.5: the webhook DHL posts to a subscribed hook
  (``dhl_webhook``). https://developer.dhl.com/api-reference/shipment-tracking-unified-push
* MyDHL API 2.12.0 (2024-10-30), ``POST /rates`` and ``POST /shipments`` (labels and
  return labels, ``dhl_labels``) with HTTP Basic authentication (the MyDHL API key as
  user name, its secret as password) on every call and the shipper's DHL Express
  account number in the body. https://developer.dhl.com/api-reference/dhl-express-mydhl-api

**No cancellation.** MyDHL publishes no call to cancel a shipment or void its label
(2.12.0, and 3.2.2 likewise: its shipment calls are create, proof of delivery, images,
invoice data and add-piece; the one cancellation is ``DELETE
/pickups/{dispatchConfirmationNumber}``, for a booked courier pickup, which these labels
never book). ``cancel_label`` therefore raises a final ``CarrierError`` saying so; an
unused DHL label is simply not handed to DHL.

Neither API has an OAuth token: the credentials travel with each request, so there is
nothing to cache or refresh, and a 401 means the credentials are wrong (CarrierError),
not that a token expired.

Live hosts: MyDHL ``https://express.api.dhl.com/mydhlapi`` (test:
``.../mydhlapi/test``), Unified Tracking ``https://api-eu.dhl.com``. The carrier sandbox
serves both under one ``base_url``, which is why ``tracking_base_url`` defaults to it.

The JSON in and out lives in ``dhl_parse``, ``dhl_labels`` and ``dhl_webhook`` (pure
functions); this module re-exports it.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

import httpx

from oms_dashboard.carriers.adapter import HttpAdapter, Retrying
from oms_dashboard.carriers.base import (
    CarrierError,
    Customs,
    Label,
    Parcel,
    Party,
    RateQuote,
    TrackingUpdate,
)
from oms_dashboard.carriers.dhl_labels import parse_label, return_request, ship_request
from oms_dashboard.carriers.dhl_parse import (
    CARRIER,
    STATUSES,
    dhl_datetime,
    parse_error,
    parse_rates,
    parse_tracking,
    rate_request,
    status_for,
    tracking_request,
)
from oms_dashboard.carriers.dhl_webhook import parse_webhook

__all__ = [
    "STATUSES",
    "DhlCarrier",
    "dhl_datetime",
    "parse_error",
    "parse_label",
    "parse_rates",
    "parse_tracking",
    "parse_webhook",
    "rate_request",
    "return_request",
    "ship_request",
    "status_for",
    "tracking_request",
]

log = logging.getLogger(__name__)

WRITES = ("/shipments",)
"""MyDHL label creation (a POST): never repeated once sent (tracking is a GET)."""
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)

NO_CANCELLATION = (
    "DHL Express MyDHL API has no call to cancel a shipment or void its label (its only "
    "cancellation, DELETE /pickups/{dispatchConfirmationNumber}, is for a booked courier "
    "pickup): an unused DHL label is simply not handed to DHL"
)


class DhlCarrier(HttpAdapter):
    """The ``Carrier`` protocol over DHL's APIs, synchronous httpx.

    ``client_id``/``client_secret`` are the MyDHL API key and secret (HTTP Basic);
    the Unified Tracking key is ``tracking_api_key``, the same app key unless DHL
    issued a separate one."""

    name = CARRIER

    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        account_number: str,
        tracking_base_url: str | None = None,
        tracking_api_key: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self._mydhl = base_url.rstrip("/")
        self._tracking = (tracking_base_url or base_url).rstrip("/")
        self._auth = httpx.BasicAuth(client_id, client_secret)
        self._tracking_key = tracking_api_key or client_id
        self._account_number = account_number
        self._http = httpx.Client(transport=Retrying(transport, writes=WRITES), timeout=timeout)
        self.not_found: dict[str, str] = {}
        """Tracking numbers DHL did not know in the last ``track`` call, with DHL's words."""

    # -- the protocol ----------------------------------------------------------------

    def track(self, tracking_numbers: list[str]) -> list[TrackingUpdate]:
        """Updates for the numbers DHL knows. A number DHL answers 404 for is skipped
        (its message kept in ``not_found`` and logged): one unknown number, e.g. a label
        not yet scanned, must not hide the others. Every other error raises."""
        self.not_found = {}
        updates: list[TrackingUpdate] = []
        for params in tracking_request(tracking_numbers):
            try:
                body = self._send(
                    "GET",
                    f"{self._tracking}/track/shipments",
                    params=params,
                    headers={"DHL-API-Key": self._tracking_key},
                )
            except CarrierError as error:
                if error.code != "404":
                    raise
                number = params["trackingNumber"]
                self.not_found[number] = error.message
                log.warning("DHL does not know tracking number %s: %s", number, error.message)
                continue
            updates.extend(parse_tracking(body))
        return updates

    def quote(self, *, shipper: Party, recipient: Party, parcel: Parcel) -> list[RateQuote]:
        body = self._send(
            "POST",
            f"{self._mydhl}/rates",
            json=rate_request(shipper, recipient, parcel, account_number=self._account_number),
            auth=self._auth,
        )
        return parse_rates(body)

    def create_label(
        self,
        *,
        shipper: Party,
        recipient: Party,
        parcel: Parcel,
        service: str,
        customs: Customs | None = None,
    ) -> Label:
        """A label from ``shipper`` to ``recipient`` as DHL product ``service``."""
        body = ship_request(
            shipper,
            recipient,
            parcel,
            service=service,
            account_number=self._account_number,
            customs=customs,
        )
        return parse_label(self._ship(body), service=service)

    def create_return_label(
        self,
        *,
        shipper: Party,
        recipient: Party,
        parcel: Parcel,
        service: str,
        customs: Customs | None = None,
    ) -> Label:
        """The return label for a shipment that went from ``shipper`` to ``recipient``
        (the same parties as its outbound label): the recipient sends it back, the
        shipper receives it and its account pays."""
        body = return_request(
            shipper,
            recipient,
            parcel,
            service=service,
            account_number=self._account_number,
            customs=customs,
        )
        return parse_label(self._ship(body), service=service)

    def cancel_label(self, tracking_number: str) -> None:
        """Always refused: MyDHL has no cancellation for a shipment (module docstring)."""
        raise CarrierError(CARRIER, NO_CANCELLATION, code="not-supported")

    def parse_webhook(self, body: dict[str, Any]) -> list[TrackingUpdate]:
        return parse_webhook(body)

    def _ship(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._send("POST", f"{self._mydhl}/shipments", json=body, auth=self._auth)

    # -- HTTP ------------------------------------------------------------------------

    def _send(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """DHL's parsed JSON, or CarrierError: DHL's own message for an error body,
        else what went wrong on the wire."""
        headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
        try:
            response = self._http.request(method, url, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            message = f"DHL did not answer in time ({exc!r})"
            raise CarrierError(CARRIER, message, code="timeout", transient=True) from exc
        except httpx.TransportError as exc:
            message = f"DHL could not be reached ({exc!r})"
            raise CarrierError(CARRIER, message, code="unreachable", transient=True) from exc
        body = _json(response)
        if response.is_success and isinstance(body, dict):
            return body
        passing = response.status_code >= 500 or response.status_code == 429
        error = parse_error(body)
        if error is not None:
            # DHL's words, with the HTTP status when the body names no code of its own.
            code = error.code or str(response.status_code)
            raise CarrierError(CARRIER, error.message, code=code, transient=passing)
        status = f"HTTP {response.status_code} {response.reason_phrase}".strip()
        if response.is_success:
            raise CarrierError(CARRIER, f"{status} with a body that is not a JSON object")
        raise CarrierError(CARRIER, status, code=str(response.status_code), transient=passing)


def _json(response: httpx.Response) -> Any:
    try:
        # Decimal, not float: prices must reach RateQuote exactly as DHL wrote them.
        return json.loads(response.content, parse_float=Decimal)
    except ValueError:
        return None
