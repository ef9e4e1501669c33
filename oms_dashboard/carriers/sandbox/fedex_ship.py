"""The FedEx sandbox's Ship API v1: a Create Shipment request read and checked as FedEx
checks it, the package registered and its label drawn, FedEx's answer written back; and
Cancel Shipment. The routes are in ``fedex.py``; this module holds what they do.

- ``POST /ship/v1/shipments`` takes FedEx's request (the ``ship_request.json`` and
  ``ship_return_request.json`` examples) for one package paid by the account in
  ``accountNumber``, ``labelResponseOptions: LABEL`` with a PDF ``labelSpecification``
  (the sandbox keeps no documents to link to, so ``URL_ONLY`` is refused), and a
  sandbox FedEx ``serviceType``. ``RETURN_SHIPMENT`` with ``PRINT_RETURN_LABEL`` draws a
  return label; FedEx's shipper is the one sending, so the package goes shipper to
  recipient either way. The answer is FedEx's ``transactionShipments`` with the label
  in ``pieceResponses[].packageDocuments[]`` (``contentType: LABEL``, base64 PDF), the
  price and transit of ``sandbox.sandbox_quote`` in ``shipmentRating`` and
  ``operationalDetail``.
- A package to another country must carry ``customsClearanceDetail`` with at least one
  commodity, each with its ``harmonizedCode``. Without the detail the answer is the words
  FedEx's REST API answered a rate asked without one ("Customs clearance detail cannot be
  null.", recorded in karrioapi/karrio issue 549, code ``RATE.CUSTOMCLEARANCEDETAIL.INVALID``
  there, the Ship API's own code not found); a commodity without its code is refused in
  the pattern FedEx uses for a commodity's value ("Commodity 1 - customs value is
  invalid.", karrio issue 557), the words the sandbox's.
- ``PUT /ship/v1/shipments/cancel`` voids the package (``sandbox.void_package``). An
  unknown number gets FedEx's 404 example; one already scanned past pick-up is answered
  ``cancelledShipment: false``: FedEx cancels only "shipments that have not already been
  tendered to FedEx" but publishes no body for that case, so the message is ours.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import Any

from sqlmodel import Session

from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import Parcel, Party
from oms_dashboard.carriers.sandbox.fedex_track import CARRIER, DAY_WORDS, SERVICE_NAMES
from oms_dashboard.documents.labels import render_label
from oms_dashboard.domain.tracking import CarrierName
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.errors import NotFound

Error = tuple[int, tuple[str, str]]
"""An HTTP status and FedEx's (code, message)."""

# FedEx's own words, from the Ship API OpenAPI examples (fixtures/carriers/fedex/SOURCES.md).
ACCOUNT_REQUIRED = (
    "ACCOUNTNUMBER.REGISTRATION.REQUIRED",
    "Please enter a valid 9-digit FedEx account number or register for a new FedEx account number.",
)
BAD_INPUT = ("INVALID.INPUT.EXCEPTION", "Invalid field value in the input")
BAD_NUMBER = (
    "TRACKINGNUMBER.ENTERED.INVALID",
    "Error with entered Tracking Number. Please verify the entered Tracking Number.",
)
GONE = (
    "NOT.FOUND.ERROR",
    "The resource you requested is no longer available. Please modify your request and try again.",
)
NO_CUSTOMS = ("CUSTOMCLEARANCEDETAIL.INVALID", "Customs clearance detail cannot be null.")
CANCELLED = "Shipment is successfully cancelled"
TENDERED = "Shipment has already been tendered to FedEx and can no longer be cancelled."

GRAMS_PER = {"KG": 1000, "LB": Decimal("453.59237")}
_MM_PER = {"CM": 10, "IN": Decimal("25.4")}
_SIGNATURES = {"ADULT", "DIRECT", "INDIRECT"}
_SERVICES = {s.code: s for s in sandbox.SERVICES[CarrierName.FEDEX]}


@dataclass(frozen=True)
class Order:
    """One Create Shipment request, as the sandbox needs it."""

    service: sandbox.SandboxService
    shipper: Party
    recipient: Party
    parcel: Parcel
    ship_date: date
    currency: str
    is_return: bool
    signature_required: bool


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else the client sent there."""
    return value if isinstance(value, dict) else {}


def grams_of(items: Any) -> int | None:
    """The weight of FedEx's ``requestedPackageLineItems``, in whole grams rounded up."""
    if not isinstance(items, list) or not items:
        return None
    total = Decimal(0)
    for item in items:
        weight = as_dict(as_dict(item).get("weight"))
        per = GRAMS_PER.get(str(weight.get("units") or "").upper())
        try:
            value = Decimal(str(weight["value"]))
        except (KeyError, ArithmeticError):
            return None
        if per is None or value <= 0:
            return None
        total += value * per
    return int(total.to_integral_value(rounding=ROUND_CEILING))


# -- Create Shipment -------------------------------------------------------------------


def read_order(body: Any) -> Order | Error:
    """The request, or the error FedEx answers it with (400, nothing registered)."""
    body = as_dict(body)
    if not str(as_dict(body.get("accountNumber")).get("value") or "").strip():
        return 400, ACCOUNT_REQUIRED
    shipment = as_dict(body.get("requestedShipment"))
    service = _SERVICES.get(str(shipment.get("serviceType") or ""))
    shipper = _party(shipment.get("shipper"))
    recipients = shipment.get("recipients")
    recipient = _party(_merged(recipients if isinstance(recipients, list) else []))
    grams = grams_of(shipment.get("requestedPackageLineItems"))
    label = as_dict(shipment.get("labelSpecification"))
    special = as_dict(shipment.get("shipmentSpecialServices"))
    is_return = "RETURN_SHIPMENT" in (special.get("specialServiceTypes") or [])
    return_type = as_dict(special.get("returnShipmentDetail")).get("returnType")
    ship_date = _date(shipment.get("shipDatestamp"))
    if (
        service is None
        or shipper is None
        or recipient is None
        or grams is None
        or ship_date is None
        or body.get("labelResponseOptions") != "LABEL"
        or label.get("imageType") != "PDF"
        or (is_return and return_type != "PRINT_RETURN_LABEL")
    ):
        return 400, BAD_INPUT
    if shipper.country != recipient.country:
        refused = customs_refusal(shipment.get("customsClearanceDetail"))
        if refused is not None:
            return 400, refused
    items = shipment["requestedPackageLineItems"]
    return Order(
        service=service,
        shipper=shipper,
        recipient=recipient,
        parcel=Parcel(grams, *_sides(as_dict(items[0]).get("dimensions"))),
        ship_date=ship_date,
        currency=str(shipment.get("preferredCurrency") or "USD"),
        is_return=is_return,
        signature_required=any(_signature(item) for item in items),
    )


def customs_refusal(detail: Any) -> tuple[str, str] | None:
    """FedEx's (code, message) for a declaration it cannot clear, None for a good one."""
    commodities = as_dict(detail).get("commodities")
    if not isinstance(commodities, list) or not commodities:
        return NO_CUSTOMS
    for number, commodity in enumerate(commodities, start=1):
        if not str(as_dict(commodity).get("harmonizedCode") or "").strip():
            return "HARMONIZEDCODE.INVALID", f"Commodity {number} - harmonized code is invalid."
    return None


def _merged(recipients: list[Any]) -> dict[str, Any]:
    # FedEx's own minimum example sends the recipient's contact and address as two
    # entries of ``recipients``; read the first of each.
    entries = [as_dict(r) for r in recipients]
    contact = next((e["contact"] for e in entries if isinstance(e.get("contact"), dict)), {})
    found = next((e["address"] for e in entries if isinstance(e.get("address"), dict)), {})
    return {"contact": contact, "address": found}


def _party(value: Any) -> Party | None:
    """A FedEx party with what a label needs (a name, a street, a city, a country)."""
    party = as_dict(value)
    contact, found = as_dict(party.get("contact")), as_dict(party.get("address"))
    lines = [str(line) for line in found.get("streetLines") or [] if str(line).strip()]
    name = contact.get("personName") or contact.get("companyName")
    if not (name and lines and found.get("city") and found.get("countryCode")):
        return None
    return Party(
        name=str(name),
        line1=lines[0],
        line2=lines[1] if len(lines) > 1 else None,
        city=str(found["city"]),
        postal_code=str(found.get("postalCode") or ""),
        country=str(found["countryCode"]).upper(),
        region=str(found["stateOrProvinceCode"]) if found.get("stateOrProvinceCode") else None,
        phone=str(contact["phoneNumber"]) if contact.get("phoneNumber") else None,
    )


def _sides(dimensions: Any) -> tuple[int, int, int]:
    """Length, width and height in millimetres (FedEx: anything but CM is inches)."""
    sides = as_dict(dimensions)
    per = _MM_PER["CM"] if str(sides.get("units") or "").upper() == "CM" else _MM_PER["IN"]
    try:
        length, width, height = (
            int(Decimal(str(sides.get(k) or 0)) * per) for k in ("length", "width", "height")
        )
    except ArithmeticError:
        return 0, 0, 0
    return length, width, height


def _signature(item: Any) -> bool:
    services = as_dict(as_dict(item).get("packageSpecialServices"))
    return services.get("signatureOptionType") in _SIGNATURES


def _date(value: Any) -> date | None:
    # FedEx: "Default value is current date in case the date is not provided or a past
    # date is provided."
    today = utcnow().date()
    if value in (None, ""):
        return today
    try:
        return max(date.fromisoformat(str(value)), today)
    except ValueError:
        return None


def ship(session: Session, order: Order) -> dict[str, Any]:
    """Register the package and answer as FedEx does, label and charge included."""
    international = order.shipper.country != order.recipient.country
    cents, days = sandbox.sandbox_quote(
        CARRIER, order.service, grams=order.parcel.weight_grams, international=international
    )
    estimate = sandbox.delivery_date(days, start=order.ship_date)
    package = sandbox.register_package(
        session,
        carrier=CARRIER,
        service=order.service.code,
        origin=sandbox.place_of(order.shipper),
        destination=sandbox.place_of(order.recipient),
        estimated_delivery=estimate,
        signature_required=order.signature_required,
    )
    number, code = package.tracking_number, order.service.code
    pdf = render_label(
        carrier=CARRIER,
        service=SERVICE_NAMES.get(code, code),
        tracking_number=number,
        shipper=order.shipper,
        recipient=order.recipient,
        parcel=order.parcel,
        ship_date=order.ship_date,
        is_return=order.is_return,
    )
    amount = float(Decimal(cents) / 100)
    ground = code == "FEDEX_GROUND"
    rate = {
        "rateType": "PAYOR_LIST_SHIPMENT",
        "ratedWeightMethod": "ACTUAL",
        "totalBaseCharge": amount,
        "totalNetFedExCharge": amount,
        "totalNetCharge": amount,
        "currency": order.currency,
    }
    piece = {
        "netChargeAmount": amount,
        "packageDocuments": [
            {
                "contentType": "LABEL",
                "copiesToPrint": 1,
                "trackingNumber": number,
                "docType": "PDF",
                "encodedLabel": base64.b64encode(pdf).decode(),
            }
        ],
        "serviceCategory": "GROUND" if ground else "EXPRESS",
        "deliveryTimestamp": estimate.isoformat(),
        "trackingIdType": "FEDEX",
        "packageSequenceNumber": 1,
        "masterTrackingNumber": number,
        "trackingNumber": number,
    }
    detail = {
        "completedPackageDetails": [
            {
                "sequenceNumber": 1,
                "trackingIds": [{"trackingIdType": "FEDEX", "trackingNumber": number}],
            }
        ],
        "operationalDetail": {
            "deliveryDate": estimate.isoformat(),
            "deliveryDay": estimate.strftime("%a").upper(),
            "transitTime": f"{DAY_WORDS[days - 1]}_DAY{'S' if days > 1 else ''}",
        },
        "carrierCode": "FDXG" if ground else "FDXE",
        "packagingDescription": "Customer Packaging",
        "masterTrackingId": {"trackingIdType": "FEDEX", "trackingNumber": number},
        "serviceDescription": {
            "serviceType": code,
            "description": SERVICE_NAMES.get(code, code),
        },
        "usDomestic": order.shipper.country == order.recipient.country == "US",
        "shipmentRating": {"actualRateType": "PAYOR_LIST_SHIPMENT", "shipmentRateDetails": [rate]},
    }
    return {
        "transactionShipments": [
            {
                "serviceType": code,
                "shipDatestamp": order.ship_date.isoformat(),
                "serviceCategory": piece["serviceCategory"],
                "pieceResponses": [piece],
                "serviceName": SERVICE_NAMES.get(code, code),
                "completedShipmentDetail": detail,
                "masterTrackingNumber": number,
            }
        ]
    }


# -- Cancel Shipment -------------------------------------------------------------------


def cancel(session: Session, body: Any) -> dict[str, Any] | Error:
    """Void the package the request names: FedEx's ``output``, or its error."""
    body = as_dict(body)
    if not str(as_dict(body.get("accountNumber")).get("value") or "").strip():
        return 400, ACCOUNT_REQUIRED
    number = str(body.get("trackingNumber") or "").strip()
    if not number:
        return 400, BAD_NUMBER
    try:
        sandbox.void_package(session, carrier=CARRIER, tracking_number=number)
    except NotFound:
        return 404, GONE
    except sandbox.AlreadyMoving:
        return {"cancelledShipment": False, "cancelledHistory": False, "message": TENDERED}
    return {"cancelledShipment": True, "cancelledHistory": True, "message": CANCELLED}
