"""USPS adapter over the USPS APIs v3 (developers.usps.com).

Follows:
- OAuth 2.0 v3, ``POST /oauth2/v3/token`` (OpenAPI 3.0.6), client-credentials grant.
  USPS documents JSON and form bodies alike; we send JSON, as every USPS example does.
  Access tokens live eight hours (``expires_in`` 28799); we renew 5 minutes early and
  on any 401.
- Package Tracking and Notification v3, ``GET /tracking/v3/tracking/{trackingNumber}
  ?expand=DETAIL`` (OpenAPI 3.2.4): one package per call.
- Domestic Prices v3 (3.4.22), ``POST /prices/v3/base-rates/search``, once per mail
  class (single-piece, no destination entry): ``/total-rates/search`` lists every
  flat-rate box, cubic tier and drop-off variant of a class, which a seller shipping
  its own box cannot use. ``parse_rates`` reads both answers.

Docs: https://developers.usps.com/Oauth, https://developers.usps.com/trackingv3,
https://developers.usps.com/domesticpricesv3 and USPS's examples in
https://github.com/USPS/api-examples (README.md). The pure readers of USPS's answers
live in ``usps_parse`` and the code tables (Pub 199 Appendix G-4) in ``usps_codes``;
both are re-exported here.

USPS event times are the local wall time of the event's place. Each event carries the
offset in ``GMTOffset`` when USPS has it; otherwise the time is read in the zone of the
event's ZIP/state (``base.aware``), or of the package's origin when the event names no
place (label and pre-shipment events). A trailing ``Z`` on ``eventTimestamp`` is not
UTC: USPS's own example says "7:31 am ... in RICHMOND, VA" for ``07:31:00Z``.

A package USPS cannot report on (400/404 for that number, e.g. "A status update is not
yet available") is skipped by ``track``, its message kept in ``UspsCarrier.skipped``;
the others are still returned. An error body given to ``parse_tracking`` raises.

Labels (``usps_labels`` documents the calls and their answers):
- Payments v3, ``POST /payments/v3/payment-authorization``: one token for the EPS or
  permit account (``account_number``, with ``crid``/``mid``/``manifest_mid`` when USPS
  needs them), sent as ``X-Payment-Authorization-Token``. USPS publishes no lifetime for
  it: we keep it an hour and fetch a new one, with a new access token, on any 401.
- Labels v3 (OpenAPI 3.9.4), ``POST /labels/v3/label`` and ``POST /labels/v3/return-label``
  (a 4x6 in PDF, multipart answer), ``DELETE /labels/v3/label/{trackingNumber}``: USPS
  cancels by tracking number alone. A cancelled label is CANCELED; one already in
  USPS's Shipping Services File becomes a refund request (DISPUTED), which is still the
  end of the label for us; one USPS will not refund (used) is USPS's 400 refusal.
  A return label is for the outbound shipment's parties: it goes recipient -> shipper.
- Abroad: International Prices 3.0 and International Labels 3.0, the same mail classes
  for both (``usps_international``). What our builders know USPS refuses (no customs data,
  goods over the AES exemption, ...) is a final ``CarrierError`` before anything is sent.
- Subscriptions - Tracking v3r2 (3.2.2): USPS POSTs ``{"subscriptionId",
  "subscriptionType", "timestamp", "payload"}`` to the listener URL, the payload a JSON
  string of the package's tracking details; ``parse_webhook`` reads it with the tracking
  rules. When the subscription has a secret, USPS signs with ``X-HMAC``: base64
  HMAC-SHA256 of ``timestamp + payload`` (checking it is the events endpoint's job).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any

import httpx

from . import usps_international as abroad
from .adapter import HttpAdapter, Retrying
from .base import CarrierError, Customs, Label, Parcel, Party, RateQuote, TrackingUpdate
from .oauth import TokenCache
from .usps_codes import STATUS_CATEGORIES, STATUSES
from .usps_labels import (
    LABEL_PATH,
    PAYMENT_HEADER,
    PAYMENT_PATH,
    RETURN_LABEL_PATH,
    cancel_path,
    label_address,
    label_request,
    parse_cancel,
    parse_label,
    parse_payment,
    payment_request,
    read_multipart,
    return_label_request,
)
from .usps_package import check_domestic, package_size, processing_category
from .usps_parse import CARRIER, parse_error, parse_rates, parse_tracking, parse_webhook

__all__ = [
    "STATUSES",
    "STATUS_CATEGORIES",
    "UspsCarrier",
    "label_request",
    "parse_cancel",
    "parse_error",
    "parse_label",
    "parse_rates",
    "parse_tracking",
    "parse_webhook",
    "payment_request",
    "rate_request",
    "read_multipart",
    "return_label_request",
    "token_request",
    "tracking_request",
]

log = logging.getLogger(__name__)

TOKEN_PATH = "/oauth2/v3/token"
TRACKING_PATH = "/tracking/v3/tracking/{number}"
BASE_RATES_PATH = "/prices/v3/base-rates/search"
QUOTED_MAIL_CLASSES = ("USPS_GROUND_ADVANTAGE", "PRIORITY_MAIL", "PRIORITY_MAIL_EXPRESS")
WRITES = ("/labels/v3/", "/international-labels/v3/")
"""Labels and their cancellation: never repeated once sent (see ``adapter.Retrying``)."""
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
TOKEN_MARGIN_S = 300.0
PAYMENT_TOKEN_LIFETIME_S = 3600.0
_TRACKING_NUMBER = re.compile(r"^[A-Za-z0-9]{4,34}$")


# -- requests -------------------------------------------------------------------------------


def token_request(client_id: str, client_secret: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": client_secret,
    }


def tracking_request(numbers: Iterable[str]) -> list[tuple[str, dict[str, str]]]:
    """The ``(path, query)`` of each Tracking 3.0 call: one GET per number."""
    requests = []
    for number in numbers:
        number = str(number).strip()
        if not _TRACKING_NUMBER.match(number):
            raise ValueError(
                f"tracking_number: {number!r} is not a USPS tracking number "
                "(4 to 34 letters and digits)"
            )
        requests.append((TRACKING_PATH.format(number=number), {"expand": "DETAIL"}))
    return requests


def rate_request(
    shipper: Party,
    recipient: Party,
    parcel: Parcel,
    *,
    mail_class: str = QUOTED_MAIL_CLASSES[0],
    price_type: str = "COMMERCIAL",
    mailing_date: date | None = None,
    account_number: str | None = None,
) -> dict[str, Any]:
    """A Domestic Prices ``BaseRatesQuery``: single piece, entered at the origin."""
    origin, _ = check_domestic("shipper", shipper)
    destination, _ = check_domestic("recipient", recipient)
    pounds, length, width, height = package_size(parcel)
    body: dict[str, Any] = {
        "originZIPCode": origin,
        "destinationZIPCode": destination,
        "weight": pounds,
        "length": length,
        "width": width,
        "height": height,
        "mailClass": mail_class,
        "processingCategory": processing_category(length, width, height, pounds),
        "rateIndicator": "SP",
        "destinationEntryFacilityType": "NONE",
        "priceType": price_type,
        "mailingDate": (mailing_date or date.today()).isoformat(),
    }
    if account_number:
        body |= {"accountType": "EPS", "accountNumber": account_number}
    return body


# -- the adapter ----------------------------------------------------------------------------


class UspsCarrier(HttpAdapter):
    """The ``Carrier`` for USPS over httpx; pass ``transport`` to serve it in-process."""

    name = CARRIER

    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        account_number: str | None = None,
        crid: str | None = None,
        mid: str | None = None,
        manifest_mid: str | None = None,
        account_type: str = "EPS",
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        mail_classes: Iterable[str] = QUOTED_MAIL_CLASSES,
        price_type: str = "COMMERCIAL",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client_id, self._client_secret = client_id, client_secret
        self.account_number = account_number
        self._payer = {"crid": crid, "mid": mid, "manifest_mid": manifest_mid}
        self.account_type = account_type
        self.mail_classes = tuple(mail_classes)
        self.price_type = price_type
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            transport=Retrying(transport, writes=WRITES),
            timeout=timeout,
            headers={"Accept": "application/json"},
        )
        self._tokens = TokenCache(self._fetch_token, margin_seconds=TOKEN_MARGIN_S, clock=clock)
        self._payments = TokenCache(self._fetch_payment_token, margin_seconds=0.0, clock=clock)
        self.skipped: dict[str, str] = {}
        """Numbers the last ``track`` call got no answer for, with USPS's message."""

    # -- Carrier ---------------------------------------------------------------------------

    def track(self, tracking_numbers: list[str]) -> list[TrackingUpdate]:
        self.skipped = {}
        updates: list[TrackingUpdate] = []
        for path, query in tracking_request(tracking_numbers):
            response = self._send("GET", path, params=query)
            payload = _json(response)
            if response.status_code in (400, 404):
                number = path.rsplit("/", 1)[-1]
                error = parse_error(payload) or _http_error(response)
                self.skipped[number] = error.message
                log.warning("usps has no tracking for %s: %s", number, error.message)
                continue
            _raise_for_status(response, payload)
            updates.extend(parse_tracking(payload))
        return updates

    def quote(self, *, shipper: Party, recipient: Party, parcel: Parcel) -> list[RateQuote]:
        quotes: list[RateQuote] = []
        refused: list[CarrierError] = []
        international = abroad.is_abroad(recipient)
        path = abroad.PRICES_PATH if international else BASE_RATES_PATH
        build = abroad.rate_request if international else rate_request
        for mail_class in abroad.MAIL_CLASSES if international else self.mail_classes:
            with _refused():
                body = build(
                    shipper, recipient, parcel, mail_class=mail_class,
                    price_type=self.price_type, account_number=self.account_number,
                )  # fmt: skip
            response = self._send("POST", path, json=body)
            payload = _json(response)
            if response.status_code in (400, 404):
                # This class is not offered for this parcel (too heavy, too big, ...).
                refused.append(parse_error(payload) or _http_error(response))
                continue
            _raise_for_status(response, payload)
            quotes.extend(parse_rates(payload, mail_class=mail_class))
        if not quotes and refused:
            raise refused[0]
        return sorted(quotes, key=lambda quote: quote.amount)

    def create_label(
        self,
        *,
        shipper: Party,
        recipient: Party,
        parcel: Parcel,
        service: str,
        customs: Customs | None = None,
    ) -> Label:
        if not abroad.is_abroad(recipient):
            with _refused():
                body = label_request(shipper, recipient, parcel, mail_class=service)
            return self._buy(LABEL_PATH, body, service)
        with _refused():
            body = abroad.label_request(
                shipper, recipient, parcel, mail_class=service, customs=customs,
                from_address=label_address("shipper", shipper),
            )  # fmt: skip
        return self._buy(abroad.LABEL_PATH, body, service)

    def create_return_label(
        self,
        *,
        shipper: Party,
        recipient: Party,
        parcel: Parcel,
        service: str,
        customs: Customs | None = None,
    ) -> Label:
        """Domestic only: USPS publishes no international return label."""
        with _refused():
            if abroad.is_abroad(recipient):
                raise ValueError("recipient.country: USPS has no return labels from abroad")
            body = return_label_request(shipper, recipient, parcel, mail_class=service)
        return self._buy(RETURN_LABEL_PATH, body, service)

    def cancel_label(self, tracking_number: str) -> None:
        if abroad.is_international_number(tracking_number):
            path = abroad.CANCEL_PATH.format(number=tracking_number.strip().upper())
        else:
            path = cancel_path(tracking_number)
        response = self._send("DELETE", path, payment=True)
        payload = _json(response)
        _raise_for_status(response, payload)
        status, dispute = parse_cancel(payload)
        if status == "DISPUTED":
            log.info("usps refund request for label %s: dispute %s", tracking_number, dispute)

    def parse_webhook(self, body: dict[str, Any]) -> list[TrackingUpdate]:
        return parse_webhook(body)

    def _buy(self, path: str, body: dict[str, Any], service: str) -> Label:
        response = self._send("POST", path, json=body, payment=True)
        content_type = response.headers.get("content-type", "")
        if response.status_code < 300 and content_type.startswith("multipart/"):
            return parse_label(read_multipart(response.content, content_type), service=service)
        payload = _json(response)
        _raise_for_status(response, payload)
        if payload is None:
            raise CarrierError(CARRIER, f"USPS answered {path} with neither multipart nor JSON")
        return parse_label(payload, service=service)

    # -- HTTP ------------------------------------------------------------------------------

    def _send(
        self, method: str, path: str, *, payment: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """One call with a bearer token (and, for Labels, the payment token); a 401 gets
        fresh tokens and one retry."""
        response = None
        for _ in range(2):
            token = self._tokens.get()
            headers = {"Authorization": f"Bearer {token}"}
            paid = self._payments.get() if payment else None
            if paid is not None:
                headers[PAYMENT_HEADER] = paid
            response = self._request(method, path, headers=headers, **kwargs)
            if response.status_code != 401:
                return response
            self._tokens.forget(token)
            if paid is not None:
                self._payments.forget(paid)
        assert response is not None
        raise parse_error(_json(response)) or _http_error(response)

    def _fetch_payment_token(self) -> tuple[str, float]:
        try:
            body = payment_request(
                account_number=self.account_number, account_type=self.account_type,
                **self._payer,
            )  # fmt: skip
        except ValueError as exc:
            raise CarrierError(CARRIER, str(exc), code="no_account") from exc
        response = self._send("POST", PAYMENT_PATH, json=body)
        payload = _json(response)
        _raise_for_status(response, payload)
        return parse_payment(payload), PAYMENT_TOKEN_LIFETIME_S

    def _fetch_token(self) -> tuple[str, float]:
        body = token_request(self._client_id, self._client_secret)
        response = self._request("POST", TOKEN_PATH, json=body)
        payload = _json(response)
        if response.status_code != 200 or not (
            isinstance(payload, Mapping) and payload.get("access_token")
        ):
            raise parse_error(payload) or _http_error(response)
        return str(payload["access_token"]), _seconds(payload.get("expires_in"))

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise CarrierError(
                CARRIER, f"USPS did not answer {path} in time", code="timeout", transient=True
            ) from exc
        except httpx.TransportError as exc:
            raise CarrierError(
                CARRIER, f"USPS could not be reached: {exc}", code="unreachable", transient=True
            ) from exc


@contextmanager
def _refused() -> Iterator[None]:
    """What our builders know USPS would refuse, as USPS's final refusal."""
    try:
        yield
    except ValueError as exc:
        raise CarrierError(CARRIER, str(exc), code="invalid_request") from exc


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _http_error(response: httpx.Response) -> CarrierError:
    status = response.status_code
    return CarrierError(CARRIER, f"USPS answered HTTP {status}", code=str(status))


def _raise_for_status(response: httpx.Response, payload: Any) -> None:
    if response.status_code >= 300:
        error = parse_error(payload) or _http_error(response)
        error.transient = response.status_code >= 500 or response.status_code == 429
        raise error


def _seconds(value: Any) -> float:
    # USPS's README shows expires_in as a string, its OpenAPI as an integer.
    try:
        return max(float(value), 0.0)
    except (TypeError, ValueError):
        return 3600.0
