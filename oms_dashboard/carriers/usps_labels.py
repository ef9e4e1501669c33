"""USPS Labels v3 and Payments v3: the bodies ``UspsCarrier`` sends and pure readers of
USPS's answers.

Follows the Labels OpenAPI 3.9.4 (developers.usps.com/domesticlabelsv3) and USPS's own
examples in https://github.com/USPS/api-examples (README "Domestic Label",
``domesticlabel-v3-request.json``/``-response.json``):

- ``POST /payments/v3/payment-authorization`` ``{"roles": [PAYER, LABEL_OWNER]}`` answers
  ``{"paymentAuthorizationToken", "roles"}``; every Labels call carries that token in
  ``X-Payment-Authorization-Token``.
- ``POST /labels/v3/label`` and ``POST /labels/v3/return-label`` take JSON and answer, by
  default, ``multipart/form-data``: a JSON metadata part (``labelMetadata`` /
  ``returnLabelMetadata``) and the label image part, "always Base64 encoded" whatever
  its Content-Encoding and Content-Transfer-Encoding headers say. USPS's own recorded
  answer names no part (``Content-type: application/json``, then ``File Name:
  label.pdf``), so parts are also known by their place: "Extract the first part ... as
  application/json ... the second part ... Base64 decode it". With ``Accept:
  application/vnd.usps.labels+json`` the same comes as one JSON object; both are read.
- ``DELETE /labels/v3/label/{trackingNumber}`` answers ``{"trackingNumber", "status":
  "CANCELED" | "DISPUTED", "disputeId"?}``: cancelled before USPS's Shipping Services File
  exists, else a refund request for the unused label.

We ask for a 4x6 in PDF (``imageType`` PDF, ``labelType`` 4X6LABEL, ``receiptOption``
NONE: the default SAME_PAGE would print a receipt beside the label). USPS's answer does
not name the mail class (only its pricing SKU), so the caller says which it bought.
The charge is ``postage`` (which "does not include insurance or other extra service
fees") plus every ``fees[]`` and ``extraServices[]`` price, in US dollars;
``commitment.scheduleDeliveryDate`` is the estimated delivery ("1 Days" the transit).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from .base import CarrierError, Label, Parcel, Party, RateQuote
from .usps_package import TERRITORIES, check_domestic, package_size, processing_category
from .usps_parse import CARRIER, _raise_for_error

PAYMENT_PATH = "/payments/v3/payment-authorization"
LABEL_PATH = "/labels/v3/label"
RETURN_LABEL_PATH = "/labels/v3/return-label"
CANCEL_PATH = "/labels/v3/label/{number}"
PAYMENT_HEADER = "X-Payment-Authorization-Token"

LABEL_MAIL_CLASSES = (
    "PARCEL_SELECT", "USPS_CONNECT_LOCAL", "USPS_CONNECT_REGIONAL", "USPS_CONNECT_MAIL",
    "USPS_GROUND_ADVANTAGE", "PRIORITY_MAIL_EXPRESS", "PRIORITY_MAIL", "LIBRARY_MAIL",
    "MEDIA_MAIL", "BOUND_PRINTED_MATTER",
)  # fmt: skip
"""``packageDescription.mailClass`` of ``POST /label`` (deprecated aliases left out)."""
RETURN_MAIL_CLASSES = {
    "USPS_GROUND_ADVANTAGE": "USPS_GROUND_ADVANTAGE_RETURN_SERVICE",
    "PRIORITY_MAIL": "PRIORITY_MAIL_RETURN_SERVICE",
    "PRIORITY_MAIL_EXPRESS": "PRIORITY_MAIL_EXPRESS_RETURN_SERVICE",
}
"""Outbound mail class -> the return service USPS pairs with it (``imageInfo.returnLabel``)."""
IMAGE_INFO = {"imageType": "PDF", "labelType": "4X6LABEL", "receiptOption": "NONE"}
_TRACKING_NUMBER = re.compile(r"^[A-Za-z0-9]{4,34}$")
_PHONE = re.compile(r"^\+?[1-9][0-9]{7,14}$")
_DAYS = re.compile(r"^\s*(\d+)")
# maxLength of DomesticLabelAddress fields.
_LIMITS = {"streetAddress": 50, "secondaryAddress": 50, "city": 28, "firm": 50}


# -- requests -------------------------------------------------------------------------------


def payment_request(
    *,
    account_number: str | None,
    account_type: str = "EPS",
    crid: str | None = None,
    mid: str | None = None,
    manifest_mid: str | None = None,
) -> dict[str, Any]:
    """Payments 3.0: the same account pays for the labels (PAYER) and owns them."""
    if not account_number:
        raise ValueError("account_number: USPS labels are paid from an EPS or permit account")
    role = {
        "CRID": crid, "MID": mid, "manifestMID": manifest_mid,
        "accountType": account_type, "accountNumber": account_number,
    }  # fmt: skip
    role = {key: value for key, value in role.items() if value}
    return {"roles": [{"roleName": name} | role for name in ("PAYER", "LABEL_OWNER")]}


def label_request(
    shipper: Party,
    recipient: Party,
    parcel: Parcel,
    *,
    mail_class: str,
    mailing_date: date | None = None,
) -> dict[str, Any]:
    """A ``LabelRequest``: single piece, the shipper's own packaging, mailed today."""
    if mail_class not in LABEL_MAIL_CLASSES:
        raise ValueError(f"service: {mail_class!r} is not a USPS label mail class")
    return {
        "imageInfo": dict(IMAGE_INFO),
        "toAddress": label_address("recipient", recipient),
        "fromAddress": label_address("shipper", shipper),
        "packageDescription": _package(parcel, mail_class)
        | {
            "mailingDate": (mailing_date or date.today()).isoformat(),
            "extraServices": [],
            "destinationEntryFacilityType": "NONE",
        },
    }


def return_label_request(
    shipper: Party, recipient: Party, parcel: Parcel, *, mail_class: str
) -> dict[str, Any]:
    """A ``ReturnLabelRequest`` for an outbound shipment's parties: the package goes from
    ``recipient`` (``fromAddress``) back to ``shipper`` (``toAddress``), with the return
    service of the outbound ``mail_class``."""
    service = RETURN_MAIL_CLASSES.get(mail_class)
    if service is None:
        known = ", ".join(RETURN_MAIL_CLASSES)
        raise ValueError(f"service: USPS has return labels for {known} only, not {mail_class!r}")
    return {
        "imageInfo": dict(IMAGE_INFO),
        "toAddress": label_address("shipper", shipper),
        "fromAddress": label_address("recipient", recipient),
        "packageDescription": _package(parcel, service) | {"extraServices": []},
    }


def cancel_path(tracking_number: str) -> str:
    number = str(tracking_number).strip()
    if not _TRACKING_NUMBER.match(number):
        raise ValueError(f"tracking_number: {number!r} is not a USPS tracking number")
    return CANCEL_PATH.format(number=number)


def _package(parcel: Parcel, mail_class: str) -> dict[str, Any]:
    pounds, length, width, height = package_size(parcel)
    if pounds > 70:
        raise ValueError("parcel.weight_grams: USPS takes packages up to 70 lb (31.75 kg)")
    return {
        "mailClass": mail_class,
        # "PA - Priority Mail Express Single Piece", "SP - Single Piece".
        "rateIndicator": "PA" if mail_class.startswith("PRIORITY_MAIL_EXPRESS") else "SP",
        "weightUOM": "lb",
        "weight": pounds,
        "dimensionsUOM": "in",
        "length": length,
        "width": width,
        "height": height,
        "processingCategory": processing_category(length, width, height, pounds),
    }


def label_address(field: str, party: Party) -> dict[str, Any]:
    """A ``DomesticLabelAddress`` (domestic labels' both ends, international labels' sender)."""
    zip_code, plus4 = check_domestic(field, party)
    country = party.country.upper()
    state = (party.region or (country if country in TERRITORIES else "")).strip().upper()
    if len(state) != 2:
        raise ValueError(f"{field}.region: USPS labels need the two-letter state")
    if not party.line1.strip() or not party.city.strip():
        raise ValueError(f"{field}: USPS labels need a street address and a city")
    # "First and Last Name or Firm Name are always required"; the label prints them
    # together, so "Ann Lee" reads the same either way.
    first, _, last = party.name.strip().rpartition(" ")
    address: dict[str, Any] = (
        {"firstName": first.strip(), "lastName": last} if first else {"firm": last}
    )
    address |= {"streetAddress": party.line1.strip(), "city": party.city.strip()}
    if party.line2 and party.line2.strip():
        address["secondaryAddress"] = party.line2.strip()
    address |= {"state": state, "ZIPCode": zip_code}
    if plus4:
        address["ZIPPlus4"] = plus4
    phone = re.sub(r"[^\d+]", "", party.phone or "")
    if _PHONE.match(phone):
        address["phone"] = phone
    for key, limit in _LIMITS.items():
        if len(str(address.get(key, ""))) > limit:
            raise ValueError(f"{field}: USPS takes at most {limit} characters for {key}")
    return address


# -- answers --------------------------------------------------------------------------------


def read_multipart(body: bytes, content_type: str | None = None) -> dict[str, Any]:
    """A Labels multipart answer as ``{part name: value}``: JSON parts parsed, the others
    as their (base64) text. Unnamed parts are named by their place: the first JSON part
    ``labelMetadata``, the first other part ``labelImage``, the next ``receiptImage``."""
    text = body.decode("utf-8", errors="replace").replace("\r\n", "\n")
    match = re.search(r'boundary="?([^";]+)"?', content_type or "")
    boundary = (
        match[1]
        if match
        else next((line[2:].strip() for line in text.split("\n") if line.startswith("--")), "")
    )
    if not boundary:
        raise CarrierError(CARRIER, "USPS's multipart answer names no boundary")
    parts: dict[str, Any] = {}
    unnamed = iter(("labelImage", "receiptImage", "labelBrokerQR"))
    for chunk in text.split(f"--{boundary}")[1:]:
        if chunk.startswith("--"):
            break
        head, _, content = chunk.strip("\n").partition("\n\n")
        headers = {
            key.strip().lower(): value.strip()
            for key, _, value in (line.partition(":") for line in head.split("\n"))
        }
        named = re.search(r'\bname="([^"]+)"', headers.get("content-disposition", ""))
        if "json" in headers.get("content-type", ""):
            name = named[1] if named else "labelMetadata"
            try:
                parts[name] = json.loads(content)
            except ValueError as exc:
                raise CarrierError(CARRIER, f"USPS's {name} part is not JSON") from exc
        else:
            parts[named[1] if named else next(unnamed, f"part{len(parts)}")] = content.strip()
    return parts


def parse_label(payload: Any, *, service: str) -> Label:
    """The ``Label`` in a Labels or International Labels answer: the multipart parts
    (``read_multipart``) or the ``application/vnd.usps.labels+json`` object, outbound or
    return."""
    _raise_for_error(payload)
    metadata = payload.get("labelMetadata") or payload.get("returnLabelMetadata") or payload
    image = payload.get("labelImage") or payload.get("returnLabelImage")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    # International Labels name it ``internationalTrackingNumber``.
    number = metadata.get("trackingNumber") or metadata.get("internationalTrackingNumber")
    if not number:
        raise CarrierError(CARRIER, "USPS's label answer names no trackingNumber")
    if not image:
        raise CarrierError(CARRIER, f"USPS's answer for label {number} has no label image")
    try:
        pdf = base64.b64decode(re.sub(r"\s", "", str(image)))
    except (binascii.Error, ValueError) as exc:
        raise CarrierError(CARRIER, f"USPS's label image for {number} is not base64") from exc
    if not pdf.startswith(b"%PDF"):
        raise CarrierError(CARRIER, f"USPS's label image for {number} is not a PDF")
    commitment = metadata.get("commitment")
    if isinstance(commitment, list):  # the label-edit answer lists it
        commitment = commitment[0] if commitment else None
    commitment = commitment if isinstance(commitment, Mapping) else {}
    return Label(
        tracking_number=str(number),
        service=service,
        label_pdf=pdf,
        charge=_charge(metadata, service, _transit_days(commitment.get("name"))),
        estimated_delivery=_date(commitment.get("scheduleDeliveryDate")),
    )


def parse_cancel(payload: Any) -> tuple[str, str | None]:
    """(``status``, ``disputeId``) of a cancel answer: CANCELED, or DISPUTED when USPS
    took a refund request instead."""
    _raise_for_error(payload)
    status = str(payload.get("status") or "").upper()
    if status not in ("CANCELED", "DISPUTED"):
        raise CarrierError(CARRIER, f"USPS answered the cancellation with status {status!r}")
    dispute = payload.get("disputeId")
    return status, str(dispute) if dispute else None


def parse_payment(payload: Any) -> str:
    """The ``paymentAuthorizationToken`` of a Payments 3.0 answer."""
    _raise_for_error(payload)
    token = payload.get("paymentAuthorizationToken")
    if not token:
        raise CarrierError(CARRIER, "USPS's payment authorization answer has no token")
    return str(token)


def _charge(metadata: Mapping[str, Any], service: str, days: int | None) -> RateQuote | None:
    if metadata.get("postage") is None:
        return None
    amount = _money(metadata["postage"])
    for key in ("fees", "extraServices"):
        for item in metadata.get(key) or []:
            if isinstance(item, Mapping) and item.get("price") is not None:
                amount += _money(item["price"])
    return RateQuote(service=service, amount=amount, currency="USD", transit_days=days)


def _transit_days(name: Any) -> int | None:
    match = _DAYS.match(str(name or ""))
    return int(match[1]) if match else None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))
