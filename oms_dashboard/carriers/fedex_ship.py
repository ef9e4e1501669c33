"""FedEx Ship API v1: the request JSON for labels, return labels and cancellation, and
FedEx's answers read into our shapes. Pure functions, no I/O; ``fedex.py`` sends them.

- Create Shipment, ``POST /ship/v1/shipments``: ``labelResponseOptions: "LABEL"`` so the
  label comes back inside the answer (``encodedLabel``, base64), drawn as a PDF on 4 x 6 in
  stock (``labelSpecification: {imageType: PDF, labelStockType: STOCK_4X6}``).
- A return label is the same call with ``shipmentSpecialServices.specialServiceTypes``
  ``RETURN_SHIPMENT`` and ``returnShipmentDetail.returnType: PRINT_RETURN_LABEL`` (FedEx's
  ``US_Domestic_Print_Return_Label_Shipment`` example). FedEx's shipper is then whoever
  sends the package back, so the return request swaps our two parties.
- Goods crossing a border are declared in ``requestedShipment.customsClearanceDetail``
  (FedEx's ``International_Shipment`` and ``International_Print_Return_Shipment``
  examples): ``commodities[]`` with description, ``countryOfManufacture``,
  ``harmonizedCode``, ``quantity`` in ``PCS``, ``unitPrice`` and ``customsValue`` (the
  line's value), ``weight`` in kilograms; ``totalCustomsValue``; the commercial invoice's
  ``shipmentPurpose`` (``SOLD``, or ``REPAIR_AND_RETURN``, the purpose FedEx lists for
  goods coming back) and its ``INVOICE_NUMBER`` reference (FedEx: "The INVOICE_NUMBER
  value that is printed on the FedEx-supplied invoice must be specified in
  customerReferences under commercialInvoice"). Duties are the receiver's: the
  recipient's on a sale (delivered at place, as DHL's labels say), the account holder's
  (``SENDER``) on a return, since the seller receives it.
- Cancel Shipment, ``PUT /ship/v1/shipments/cancel``: ``accountNumber`` and
  ``trackingNumber`` are all FedEx asks for (its ``Cancel_Shipment`` example), so the
  tracking number is the only key we keep. FedEx cancels only "shipments that have not
  already been tendered to FedEx".

Read from FedEx's Ship API OpenAPI file (ShipStream/fedex-rest-php-sdk,
``resources/models/.raw/ship/v1/Shipment-Resource.json``); see
``tests/fixtures/carriers/fedex/SOURCES.md``.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from oms_dashboard.carriers.base import (
    CarrierError,
    Customs,
    CustomsPurpose,
    Label,
    Parcel,
    Party,
    RateQuote,
)
from oms_dashboard.carriers.fedex_parse import CARRIER, output_of, transit_days

LABEL_SPECIFICATION = {"imageType": "PDF", "labelStockType": "STOCK_4X6"}
RETURN_SERVICES = {
    "specialServiceTypes": ["RETURN_SHIPMENT"],
    "returnShipmentDetail": {"returnType": "PRINT_RETURN_LABEL"},
}
SHIPMENT_PURPOSES = {CustomsPurpose.SALE: "SOLD", CustomsPurpose.RETURN: "REPAIR_AND_RETURN"}
DUTIES_PAYERS = {CustomsPurpose.SALE: "RECIPIENT", CustomsPurpose.RETURN: "SENDER"}
# Which document of an answer is the label: FedEx marks it LABEL; its published example
# carries its only PDF under another content type, so any PDF is taken after those.
_LABEL_TYPES = ("LABEL", "MERGED_LABELS_ONLY", "MERGED_LABEL_DOCUMENTS")


# -- request builders ------------------------------------------------------------------


def address(party: Party) -> dict[str, Any]:
    """A party's address as FedEx writes one (``streetLines`` without empty lines)."""
    found: dict[str, Any] = {
        "streetLines": [line for line in (party.line1, party.line2) if line],
        "city": party.city,
        "postalCode": party.postal_code,
        "countryCode": party.country,
    }
    if party.region:
        found["stateOrProvinceCode"] = party.region
    return found


def _party(party: Party) -> dict[str, Any]:
    contact = {"personName": party.name}
    if party.phone:
        contact["phoneNumber"] = party.phone
    return {"contact": contact, "address": address(party)}


def kilograms(grams: int) -> dict[str, Any]:
    """A FedEx weight: kilograms rounded up to 10 g, never declared lighter than it is."""
    value = (Decimal(grams) / 1000).quantize(Decimal("0.01"), rounding=ROUND_CEILING)
    return {"units": "KG", "value": float(max(value, Decimal("0.01")))}


def package_line_item(parcel: Parcel) -> dict[str, Any]:
    """One package: its weight (``kilograms``), whole centimetres rounded up (FedEx takes
    no decimals for sides), so a parcel is never declared smaller than it is."""
    return {
        "weight": kilograms(parcel.weight_grams),
        "dimensions": {
            "length": math.ceil(parcel.length_mm / 10),
            "width": math.ceil(parcel.width_mm / 10),
            "height": math.ceil(parcel.height_mm / 10),
            "units": "CM",
        },
    }


def ship_request(
    shipper: Party,
    recipient: Party,
    parcel: Parcel,
    *,
    service: str,
    account_number: str,
    ship_date: date | None = None,
    customs: Customs | None = None,
) -> dict[str, Any]:
    """The Create Shipment body for one package from ``shipper`` to ``recipient``, paid
    by the shipper's account, dropped off at FedEx, its label returned as a 4x6 PDF,
    its goods declared when ``customs`` are given."""
    if not service:
        raise ValueError("service: give the FedEx serviceType, e.g. FEDEX_GROUND")
    body = {
        "labelResponseOptions": "LABEL",
        "accountNumber": {"value": account_number},
        "requestedShipment": {
            "shipper": _party(shipper),
            "recipients": [_party(recipient)],
            "shipDatestamp": (ship_date or date.today()).isoformat(),
            "serviceType": service,
            "packagingType": "YOUR_PACKAGING",
            "pickupType": "DROPOFF_AT_FEDEX_LOCATION",
            "blockInsightVisibility": False,
            "shippingChargesPayment": {"paymentType": "SENDER"},
            "rateRequestType": ["ACCOUNT", "LIST"],
            "labelSpecification": dict(LABEL_SPECIFICATION),
            "requestedPackageLineItems": [package_line_item(parcel)],
        },
    }
    if customs is not None:
        body["requestedShipment"]["customsClearanceDetail"] = customs_clearance_detail(customs)
    return body


def customs_clearance_detail(customs: Customs) -> dict[str, Any]:
    """The goods as FedEx declares them to customs (module docstring)."""
    currency = customs.currency
    money = lambda amount: {"amount": float(amount), "currency": currency}  # noqa: E731
    commodities = []
    for item in customs.commodities:
        commodity = {
            "description": item.description[:450],
            "countryOfManufacture": item.origin_country,
            "quantity": item.quantity,
            "quantityUnits": "PCS",
            "numberOfPieces": 1,
            "unitPrice": money(item.unit_value),
            "customsValue": money(item.value),
            "weight": kilograms(item.weight_grams),
        }
        if item.hs_code:
            commodity["harmonizedCode"] = item.hs_code
        if item.sku:
            commodity["partNumber"] = item.sku
        commodities.append(commodity)
    return {
        "dutiesPayment": {"paymentType": DUTIES_PAYERS[customs.purpose]},
        "isDocumentOnly": False,
        "commercialInvoice": {
            "shipmentPurpose": SHIPMENT_PURPOSES[customs.purpose],
            # FedEx takes 30 characters of an invoice number.
            "customerReferences": [
                {"customerReferenceType": "INVOICE_NUMBER", "value": customs.invoice_number[:30]}
            ],
        },
        "totalCustomsValue": money(customs.total_value),
        "commodities": commodities,
    }


def return_request(
    shipper: Party,
    recipient: Party,
    parcel: Parcel,
    *,
    service: str,
    account_number: str,
    ship_date: date | None = None,
    customs: Customs | None = None,
) -> dict[str, Any]:
    """A print-return label for a package that went from ``shipper`` to ``recipient``:
    FedEx's shipper is our recipient sending it back, its recipient our shipper, and
    the shipper's account pays (``SENDER`` is the account in ``accountNumber``); the
    outbound ``customs`` are declared as returned goods."""
    body = ship_request(
        recipient,
        shipper,
        parcel,
        service=service,
        account_number=account_number,
        ship_date=ship_date,
        customs=customs.returned() if customs is not None else None,
    )
    body["requestedShipment"]["shipmentSpecialServices"] = {
        "specialServiceTypes": list(RETURN_SERVICES["specialServiceTypes"]),
        "returnShipmentDetail": dict(RETURN_SERVICES["returnShipmentDetail"]),
    }
    return body


def cancel_request(tracking_number: str, *, account_number: str) -> dict[str, Any]:
    """The Cancel Shipment body: every package of the shipment the number belongs to."""
    if not tracking_number:
        raise ValueError("tracking_number: give the number of the label to cancel")
    return {
        "accountNumber": {"value": account_number},
        "deletionControl": "DELETE_ALL_PACKAGES",
        "trackingNumber": tracking_number,
    }


# -- answers ---------------------------------------------------------------------------


def _objects(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def parse_label(payload: Mapping[str, Any]) -> Label:
    """FedEx's Create Shipment answer as a Label: the master tracking number, the PDF
    decoded, what FedEx charged and the delivery date it gives.

    An error body raises CarrierError with FedEx's words, and so does an answer without
    a PDF label in it (one asked with ``URL_ONLY``, or FedEx's example, whose documents
    hold the text "encoded label").
    """
    shipments = _objects(output_of(payload, "Ship").get("transactionShipments"))
    if not shipments:
        raise CarrierError(CARRIER, "FedEx's Ship answer has no transactionShipments")
    shipment = shipments[0]
    pieces = _objects(shipment.get("pieceResponses"))
    detail = shipment.get("completedShipmentDetail") or {}
    number = (
        shipment.get("masterTrackingNumber")
        or next((p.get("trackingNumber") for p in pieces if p.get("trackingNumber")), None)
        or (detail.get("masterTrackingId") or {}).get("trackingNumber")
    )
    if not number:
        raise CarrierError(CARRIER, "FedEx's Ship answer names no tracking number")
    service = str(
        shipment.get("serviceType") or (detail.get("serviceDescription") or {}).get("serviceType")
    )
    operational = detail.get("operationalDetail") or {}
    return Label(
        tracking_number=str(number),
        service=service,
        label_pdf=_label_pdf(shipment, pieces),
        charge=_charge(detail, service, transit_days(operational.get("transitTime"))),
        estimated_delivery=_delivery_date(operational, pieces),
    )


def _label_pdf(shipment: Mapping[str, Any], pieces: list[Mapping[str, Any]]) -> bytes:
    documents = [d for p in pieces for d in _objects(p.get("packageDocuments"))]
    documents += _objects(shipment.get("shipmentDocuments"))
    labels_first = sorted(documents, key=lambda d: d.get("contentType") not in _LABEL_TYPES)
    for document in labels_first:
        pdf = _decoded_pdf(document.get("encodedLabel"))
        if pdf is not None:
            return pdf
    if any(d.get("url") for d in documents):
        raise CarrierError(CARRIER, "FedEx sent the label as a link only, not in the answer")
    raise CarrierError(CARRIER, "FedEx's Ship answer carries no PDF label")


def _decoded_pdf(encoded: Any) -> bytes | None:
    if not isinstance(encoded, str) or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None  # FedEx's example puts the words "encoded label" here
    return decoded if decoded.startswith(b"%PDF") else None


def _charge(detail: Mapping[str, Any], service: str, days: int | None) -> RateQuote | None:
    """What the shipment costs: the shipment rate FedEx calls actual, else its first
    priced rate, else the package's."""
    rating = detail.get("shipmentRating") or {}
    rates = _objects(rating.get("shipmentRateDetails"))
    actual = [r for r in rates if r.get("rateType") == rating.get("actualRateType")]
    package_rates = [
        rate
        for package in _objects(detail.get("completedPackageDetails"))
        for rate in _objects((package.get("packageRating") or {}).get("packageRateDetails"))
    ]
    candidates = [(r, "totalNetCharge") for r in actual + rates]
    candidates += [(r, "netCharge") for r in package_rates]
    for rate, field in candidates:
        try:
            amount = Decimal(str(rate[field]))
        except (KeyError, InvalidOperation):
            continue
        if rate.get("currency"):
            return RateQuote(
                service=service,
                amount=amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                currency=str(rate["currency"]),
                transit_days=days,
            )
    return None


def _delivery_date(
    operational: Mapping[str, Any], pieces: Iterable[Mapping[str, Any]]
) -> date | None:
    values = [operational.get("deliveryDate")]
    values += [p.get("deliveryTimestamp") for p in pieces]
    values.append(operational.get("commitDate"))
    for value in values:
        if value:
            try:
                return datetime.fromisoformat(str(value)).date()
            except ValueError:
                continue
    return None


def parse_cancel(payload: Mapping[str, Any]) -> None:
    """FedEx's Cancel Shipment answer: nothing when FedEx cancelled, else CarrierError
    with FedEx's message (an error body, or ``cancelledShipment`` false)."""
    output = output_of(payload, "Cancel")
    if output.get("cancelledShipment") is True:
        return
    alerts = "; ".join(str(a.get("message")) for a in _objects(output.get("alerts")))
    message = output.get("message") or output.get("successMessage") or alerts
    raise CarrierError(CARRIER, str(message or "FedEx did not cancel the shipment"))
