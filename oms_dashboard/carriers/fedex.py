"""FedEx adapter: FedEx Track API v1, Rate API v1, Ship API v1, the Advanced Integrated
Visibility tracking webhook and OAuth 2.0 client credentials.

Speaks FedEx's published REST JSON:

- OAuth: ``POST /oauth/token``, form-encoded ``grant_type=client_credentials`` with
  ``client_id``/``client_secret``; answer ``{access_token, token_type, expires_in,
  scope}``. Calls carry ``Authorization: Bearer <token>`` and ``X-locale``.
- Track API v1 (Basic Integrated Visibility): ``POST /track/v1/trackingnumbers``, at
  most 30 numbers a request.
- Rate API v1 (Rates and Transit Times): ``POST /rate/v1/rates/quotes``.
- Ship API v1: ``POST /ship/v1/shipments`` for labels (the PDF inside the answer,
  ``labelResponseOptions: LABEL``) and print-return labels (``RETURN_SHIPMENT``), and
  ``PUT /ship/v1/shipments/cancel``, which needs only the tracking number: FedEx keeps
  no other shipment id for it, so ``Label.carrier_reference`` stays empty. Builders and
  parsing in ``fedex_ship.py``.
- Advanced Integrated Visibility webhook: FedEx POSTs the Track API's
  ``output.completeTrackResults`` (its ``TestWebhookOutputVO``), signed in the
  ``fdx-signature`` header (``fedex_parse.webhook_signature``).
- Errors: ``{"transactionId", "errors": [{"code", "message"}]}`` on any status.

Documents used (FedEx's OpenAPI files as published on the developer portal, read in
the ShipStream/fedex-rest-php-sdk copy under ``resources/models/.raw/``):
https://developer.fedex.com/api/en-us/catalog/authorization/v1/docs.html,
https://developer.fedex.com/api/en-us/catalog/track/v1/docs.html,
https://developer.fedex.com/api/en-us/catalog/rate/v1/docs.html,
https://developer.fedex.com/api/en-us/catalog/ship/v1/docs.html; the webhook from
https://developer.fedex.com/api/en-us/catalog/shipment-visibility-webhook/docs.html and
FedEx's ``TestWebhookOutputVO`` schema; status codes from the FedEx Web Services Track
Service guide and the Track API change log
(https://developer.fedex.com/api/en-us/catalog/track.html). Sources of every recorded
body are in ``tests/fixtures/carriers/fedex/SOURCES.md``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
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
from oms_dashboard.carriers.fedex_parse import (
    CARRIER,
    SIGNATURE_HANDLINGS,
    STATUSES,
    parse_error,
    parse_rates,
    parse_tracking,
    parse_webhook,
    tracking_errors,
    transit_days,
    webhook_signature,
)
from oms_dashboard.carriers.fedex_ship import (
    address,
    cancel_request,
    customs_clearance_detail,
    package_line_item,
    parse_cancel,
    parse_label,
    return_request,
    ship_request,
)
from oms_dashboard.carriers.oauth import TokenCache

__all__ = [
    "STATUSES",
    "SIGNATURE_HANDLINGS",
    "FedExCarrier",
    "cancel_request",
    "customs_clearance_detail",
    "parse_cancel",
    "parse_error",
    "parse_label",
    "parse_rates",
    "parse_tracking",
    "parse_webhook",
    "rate_request",
    "return_request",
    "ship_request",
    "tracking_errors",
    "tracking_request",
    "transit_days",
    "webhook_signature",
]

log = logging.getLogger(__name__)

TRACK_PATH = "/track/v1/trackingnumbers"
RATE_PATH = "/rate/v1/rates/quotes"
SHIP_PATH = "/ship/v1/shipments"
CANCEL_PATH = "/ship/v1/shipments/cancel"
TOKEN_PATH = "/oauth/token"
MAX_NUMBERS_PER_REQUEST = 30  # FedEx: "Maximum limit is 30."
# Renew a little before FedEx's expiry so a token never dies in flight.
TOKEN_MARGIN_SECONDS = 60.0
WRITES = ("/ship/v1/shipments",)
"""Label purchase and cancellation: never repeated once sent (see ``adapter.Retrying``)."""
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


# -- request builders (FedEx's published request JSON) -----------------------------------


def tracking_request(numbers: Sequence[str]) -> dict[str, Any]:
    """The Track API v1 body for up to 30 tracking numbers, with every scan."""
    if not numbers:
        raise ValueError("tracking_numbers: give at least one tracking number")
    if len(numbers) > MAX_NUMBERS_PER_REQUEST:
        raise ValueError(
            f"tracking_numbers: FedEx takes at most {MAX_NUMBERS_PER_REQUEST} a request"
        )
    return {
        "includeDetailedScans": True,
        "trackingInfo": [{"trackingNumberInfo": {"trackingNumber": n}} for n in numbers],
    }


def rate_request(
    shipper: Party, recipient: Party, parcel: Parcel, *, account_number: str
) -> dict[str, Any]:
    """The Rate API v1 body: one package, account and list rates, with transit times,
    the package declared as the Ship API declares it (``fedex_ship.package_line_item``)."""
    return {
        "accountNumber": {"value": account_number},
        "rateRequestControlParameters": {"returnTransitTimes": True},
        "requestedShipment": {
            "shipper": {"address": address(shipper)},
            "recipient": {"address": address(recipient)},
            "pickupType": "DROPOFF_AT_FEDEX_LOCATION",
            "rateRequestType": ["ACCOUNT", "LIST"],
            "requestedPackageLineItems": [package_line_item(parcel)],
        },
    }


# -- the adapter -------------------------------------------------------------------------


class FedExCarrier(HttpAdapter):
    """FedEx over httpx: tracking, quotes, labels, return labels, cancellation, webhooks."""

    name = CARRIER

    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        account_number: str,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        locale: str = "en_US",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client_id, self._client_secret = client_id, client_secret
        self._account_number, self._locale, self._clock = account_number, locale, clock
        self._http = httpx.Client(
            base_url=base_url, transport=Retrying(transport, writes=WRITES), timeout=timeout
        )
        self._tokens = TokenCache(
            self._fetch_token, margin_seconds=TOKEN_MARGIN_SECONDS, clock=clock
        )

    # -- protocol ---------------------------------------------------------------------

    def track(self, tracking_numbers: list[str]) -> list[TrackingUpdate]:
        updates: list[TrackingUpdate] = []
        for start in range(0, len(tracking_numbers), MAX_NUMBERS_PER_REQUEST):
            batch = tracking_numbers[start : start + MAX_NUMBERS_PER_REQUEST]
            payload = self._post(TRACK_PATH, tracking_request(batch))
            for number, error in tracking_errors(payload).items():
                log.warning("fedex could not track %s: %s", number, error)
            updates.extend(parse_tracking(payload))
        return updates

    def quote(self, *, shipper: Party, recipient: Party, parcel: Parcel) -> list[RateQuote]:
        body = rate_request(shipper, recipient, parcel, account_number=self._account_number)
        return parse_rates(self._post(RATE_PATH, body))

    def create_label(
        self,
        *,
        shipper: Party,
        recipient: Party,
        parcel: Parcel,
        service: str,
        customs: Customs | None = None,
    ) -> Label:
        body = ship_request(
            shipper,
            recipient,
            parcel,
            service=service,
            account_number=self._account_number,
            customs=customs,
        )
        return parse_label(self._post(SHIP_PATH, body))

    def create_return_label(
        self,
        *,
        shipper: Party,
        recipient: Party,
        parcel: Parcel,
        service: str,
        customs: Customs | None = None,
    ) -> Label:
        """The label for sending back what went from ``shipper`` to ``recipient``."""
        body = return_request(
            shipper,
            recipient,
            parcel,
            service=service,
            account_number=self._account_number,
            customs=customs,
        )
        return parse_label(self._post(SHIP_PATH, body))

    def cancel_label(self, tracking_number: str) -> None:
        body = cancel_request(tracking_number, account_number=self._account_number)
        parse_cancel(self._call("PUT", CANCEL_PATH, body))

    def parse_webhook(self, body: dict[str, Any]) -> list[TrackingUpdate]:
        return parse_webhook(body)

    # -- HTTP -------------------------------------------------------------------------

    def _post(self, path: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
        return self._call("POST", path, body)

    def _call(self, method: str, path: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
        token = self._tokens.get()
        response = self._send(method, path, body, token)
        if response.status_code == 401:
            # FedEx may revoke a token before its time; fetch a new one and try once more.
            self._tokens.forget(token)
            response = self._send(method, path, body, self._tokens.get())
        return self._read(response, path)

    def _send(self, method: str, path: str, body: Mapping[str, Any], token: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", "X-locale": self._locale}
        return self._request(method, path, json=body, headers=headers)

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise CarrierError(
                CARRIER,
                f"FedEx did not answer {method} {path} in time",
                code="TIMEOUT",
                transient=True,
            ) from exc
        except httpx.TransportError as exc:
            message = f"FedEx could not be reached for {method} {path}: {exc}"
            raise CarrierError(CARRIER, message, code="UNREACHABLE", transient=True) from exc

    def _read(self, response: httpx.Response, path: str) -> Mapping[str, Any]:
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if response.is_success and isinstance(payload, Mapping):
            return payload
        passing = response.status_code >= 500 or response.status_code == 429
        if isinstance(payload, Mapping) and payload.get("errors"):
            error = parse_error(payload)
            error.transient = passing
            raise error
        raise CarrierError(
            CARRIER,
            f"FedEx answered {path} with HTTP {response.status_code} and no error body",
            code=f"HTTP_{response.status_code}",
            transient=passing,
        )

    def _fetch_token(self) -> tuple[str, float]:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        payload = self._read(self._request("POST", TOKEN_PATH, data=form), TOKEN_PATH)
        token = payload.get("access_token")
        if not token:
            raise CarrierError(CARRIER, "FedEx's OAuth answer has no access_token")
        return str(token), float(payload.get("expires_in") or 0)
