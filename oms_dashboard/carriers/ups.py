"""UPS: Track API v1, Rating API v2409, Shipping API v2409, Track Alert and OAuth client
credentials, over httpx.

Follows UPS's published OpenAPI specs (github.com/UPS-API/api-documentation: ``Tracking.yaml``,
``Rating.yaml``, ``OAuthClientCredentials.yaml``) and the developer portal pages they link:

- OAuth: ``POST /security/v1/oauth/token``, HTTP Basic ``client_id:client_secret``, form
  ``grant_type=client_credentials``, header ``x-merchant-id`` (the account number); answers
  ``access_token`` and ``expires_in`` (seconds, a string).
  https://developer.ups.com/api/reference/oauth/client-credentials
- Track API v1: ``GET /api/track/v1/details/{inquiryNumber}`` with the ``transId`` and
  ``transactionSrc`` headers, one inquiry number per call.
  https://developer.ups.com/api/reference/tracking/business-rules ,
  https://developer.ups.com/api/reference/tracking/appendix (status types),
  https://developer.ups.com/api/reference/trackingapi/errors
- Rating API, version ``v2409``: ``POST /api/rating/v2409/Shop`` (every service), or
  ``.../Shoptimeintransit`` for a domestic parcel, so UPS Ground comes with its transit days
  too (international Time in Transit needs a declared invoice value we do not have).
  https://developer.ups.com/api/reference/rating/business-rules ,
  https://developer.ups.com/api/reference/rating/error-codes

- Shipping API, version ``v2409``: labels, print-return labels (``ReturnService`` 9) and
  voids; the requests and the reading of the answers are in ``ups_labels.py``, which names
  the documents it follows. UPS answers a GIF; the label kept is that GIF on a 4 x 6 in PDF.
- Track Alert (``UPSTrackAlert.yaml``): the events UPS pushes, read in ``ups_webhook.py``.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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
from oms_dashboard.carriers.oauth import TokenCache
from oms_dashboard.carriers.ups_labels import (
    SHIP_PATH,
    imperial,
    length_text,
    parse_label,
    parse_void,
    party_block,
    return_request,
    ship_request,
    void_path,
    weight_text,
)
from oms_dashboard.carriers.ups_parse import (
    CARRIER,
    STATUSES,
    parse_error,
    parse_rates,
    parse_tracking,
    status_of,
)
from oms_dashboard.carriers.ups_webhook import parse_webhook

__all__ = [
    "CARRIER",
    "STATUSES",
    "TrackRequest",
    "UpsCarrier",
    "parse_error",
    "parse_label",
    "parse_rates",
    "parse_tracking",
    "parse_void",
    "parse_webhook",
    "rate_path",
    "rate_request",
    "return_request",
    "ship_request",
    "status_of",
    "tracking_request",
    "void_path",
]

log = logging.getLogger(__name__)

TOKEN_PATH = "/security/v1/oauth/token"
TRACK_PATH = "/api/track/v1/details/{}"
RATE_VERSION = "v2409"
WRITES = ("/api/shipments/",)
"""Shipping API: labels and voids, never repeated once sent (see ``adapter.Retrying``)."""
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# Fetch a new token this long before UPS's expiry, so no call goes out on a dying one.
TOKEN_MARGIN_SECONDS = 60.0
# UPS: "Each inquiry number must be between 7 and 34 characters in length". Letters and
# digits only, so a number can never rewrite the path it is put in.
_INQUIRY = re.compile(r"^[A-Za-z0-9]{7,34}$")


# -- requests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackRequest:
    inquiry_number: str
    path: str
    params: dict[str, str] = field(default_factory=dict)


def tracking_request(numbers: Iterable[str]) -> list[TrackRequest]:
    """The Track API calls for these numbers: one GET each, duplicates asked once."""
    requests = []
    for number in dict.fromkeys(n.strip() for n in numbers):
        if not _INQUIRY.match(number):
            raise ValueError(
                f"tracking_numbers: {number!r} is not a UPS inquiry number "
                "(7 to 34 letters and digits)"
            )
        requests.append(
            TrackRequest(
                inquiry_number=number,
                path=TRACK_PATH.format(number),
                params={"locale": "en_US", "returnSignature": "false"},
            )
        )
    return requests


def rate_path(*, time_in_transit: bool) -> str:
    return f"/api/rating/{RATE_VERSION}/{'Shoptimeintransit' if time_in_transit else 'Shop'}"


def rate_request(
    shipper: Party,
    recipient: Party,
    parcel: Parcel,
    *,
    account_number: str | None = None,
    time_in_transit: bool = False,
) -> dict[str, Any]:
    """The Rating API's ``RATERequestWrapper`` for one parcel, shopping every service.

    With an account number the shipper is billed (``BillShipper``) and negotiated rates are
    asked for; without one UPS rates its published prices.
    """
    pounds = imperial(shipper.country)
    weight_unit, length_unit = ("LBS", "IN") if pounds else ("KGS", "CM")
    weight = weight_text(parcel.weight_grams, pounds)
    shipper_block = party_block(shipper)
    if account_number:
        shipper_block["ShipperNumber"] = account_number
    shipment: dict[str, Any] = {
        "Shipper": shipper_block,
        "ShipTo": party_block(recipient),
        "ShipFrom": party_block(shipper),
        "Package": {
            # 02 = Customer Supplied Package
            "PackagingType": {"Code": "02", "Description": "Package"},
            "Dimensions": {
                "UnitOfMeasurement": {"Code": length_unit},
                "Length": length_text(parcel.length_mm, pounds),
                "Width": length_text(parcel.width_mm, pounds),
                "Height": length_text(parcel.height_mm, pounds),
            },
            "PackageWeight": {"UnitOfMeasurement": {"Code": weight_unit}, "Weight": weight},
        },
    }
    if account_number:
        shipment["PaymentDetails"] = {
            # 01 = Transportation charges, billed to the shipper's account
            "ShipmentCharge": [{"Type": "01", "BillShipper": {"AccountNumber": account_number}}]
        }
        shipment["ShipmentRatingOptions"] = {"NegotiatedRatesIndicator": "Y"}
    if time_in_transit:
        # 03 = Non-Document
        shipment["DeliveryTimeInformation"] = {"PackageBillType": "03"}
        shipment["ShipmentTotalWeight"] = {
            "UnitOfMeasurement": {"Code": weight_unit},
            "Weight": weight,
        }
    option = "Shoptimeintransit" if time_in_transit else "Shop"
    return {"RateRequest": {"Request": {"RequestOption": option}, "Shipment": shipment}}


# -- the adapter -------------------------------------------------------------------------


class UpsCarrier(HttpAdapter):
    """The ``Carrier`` for UPS. One instance per configured account; thread-safe."""

    name = CARRIER

    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        account_number: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transaction_src: str = "oms-dashboard",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            transport=Retrying(transport, writes=WRITES),
            timeout=timeout,
            headers={"Accept": "application/json"},
        )
        self._credentials = (client_id, client_secret)
        self._account_number = account_number
        self._transaction_src = transaction_src
        self._tokens = TokenCache(
            self._fetch_token, margin_seconds=TOKEN_MARGIN_SECONDS, clock=clock
        )

    # -- the Carrier protocol

    def track(self, tracking_numbers: list[str]) -> list[TrackingUpdate]:
        updates: list[TrackingUpdate] = []
        for request in tracking_request(tracking_numbers):
            response = self._call("GET", request.path, params=request.params, not_found_ok=True)
            if response.status_code == 404:
                # UPS does not know the number (yet): nothing to report, and the rest of the
                # batch goes on; the no-scan rule flags a number that stays unknown. A 404
                # without UPS's error body is a wrong base URL, not an unknown number.
                error = _ups_error(response)
                if error is None:
                    raise _failure(response)
                log.warning("UPS has no tracking for %s: %s", request.inquiry_number, error.message)
                continue
            updates.extend(parse_tracking(_json(response)))
        return updates

    def quote(self, *, shipper: Party, recipient: Party, parcel: Parcel) -> list[RateQuote]:
        domestic = shipper.country.upper() == recipient.country.upper()
        body = rate_request(
            shipper,
            recipient,
            parcel,
            account_number=self._account_number,
            time_in_transit=domestic,
        )
        response = self._call("POST", rate_path(time_in_transit=domestic), json=body)
        return parse_rates(_json(response))

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
            account_number=self._shipper_number(),
            customs=customs,
        )
        return parse_label(_json(self._call("POST", SHIP_PATH, json=body)), service=service)

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
            account_number=self._shipper_number(),
            customs=customs,
        )
        return parse_label(_json(self._call("POST", SHIP_PATH, json=body)), service=service)

    def cancel_label(self, tracking_number: str) -> None:
        # A one-package shipment's identification number is its tracking number.
        parse_void(_json(self._call("DELETE", void_path(tracking_number))))

    def parse_webhook(self, body: dict[str, Any]) -> list[TrackingUpdate]:
        return parse_webhook(body)

    def _shipper_number(self) -> str:
        if not self._account_number:
            # UPS bills every label to a shipper account; without one it is refused anyway.
            raise CarrierError(CARRIER, "UPS labels need the account's shipper number")
        return self._account_number

    # -- HTTP

    def _call(
        self, method: str, path: str, *, not_found_ok: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """One UPS API call with a bearer token; a 401 gets a new token and one retry."""
        for attempt in range(2):
            token = self._tokens.get()
            headers = {
                "Authorization": f"Bearer {token}",
                "transId": uuid.uuid4().hex,
                "transactionSrc": self._transaction_src,
            }
            response = self._send(method, path, headers=headers, **kwargs)
            if response.status_code != 401 or attempt == 1:
                break
            self._tokens.forget(token)
        if response.is_success or (not_found_ok and response.status_code == 404):
            return response
        raise _failure(response)

    def _fetch_token(self) -> tuple[str, float]:
        headers = {"x-merchant-id": self._account_number} if self._account_number else {}
        response = self._send(
            "POST",
            TOKEN_PATH,
            auth=self._credentials,
            data={"grant_type": "client_credentials"},
            headers=headers,
        )
        if not response.is_success:
            raise _failure(response)
        body = _json(response)
        token = str(body.get("access_token") or "") if isinstance(body, dict) else ""
        if not token:
            raise CarrierError(CARRIER, "UPS's token answer has no access_token")
        expires_in = str(body.get("expires_in") or "0").strip()
        return token, float(expires_in) if expires_in.isdigit() else 0.0

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise CarrierError(
                CARRIER, f"UPS did not answer in time ({method} {path})", transient=True
            ) from exc
        except httpx.HTTPError as exc:
            raise CarrierError(CARRIER, f"UPS could not be reached: {exc}", transient=True) from exc


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise CarrierError(
            CARRIER, f"UPS answered HTTP {response.status_code} with a body that is not JSON"
        ) from None


def _ups_error(response: httpx.Response) -> CarrierError | None:
    try:
        return parse_error(response.json())
    except ValueError:
        return None


def _failure(response: httpx.Response) -> CarrierError:
    """UPS's own error for a failed call; its HTTP status when the body has none."""
    error = _ups_error(response) or CarrierError(
        CARRIER, f"UPS answered HTTP {response.status_code}", code=str(response.status_code)
    )
    error.transient = response.status_code >= 500 or response.status_code == 429
    return error
