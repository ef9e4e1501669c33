"""The UPS sandbox's Shipping API v2409: a ``ShipmentRequest`` read and checked as UPS checks
it, the package registered and its label drawn, UPS's ``ShipmentResponse`` written back; and
the void. The routes are in ``ups.py``; this module holds what they do.

- ``POST /api/shipments/v2409/ship`` takes UPS's request (the shapes of the fixtures
  ``ship_request_standard.json`` and ``return_request_print_return_label.json``): one
  package from ``ShipFrom`` to ``ShipTo``, billed to ``Shipper.ShipperNumber``, a sandbox
  UPS service, a GIF or PNG label (the sandbox draws no printer languages, so ZPL, EPL and
  SPL are refused). ``ReturnService`` code 9 (Print Return Label) draws a return label; the
  package goes ``ShipFrom`` to ``ShipTo`` either way, which for a return is customer to
  merchant. The answer is UPS's: charges priced by ``sandbox.sandbox_quote`` (published and,
  when asked, negotiated alike, in USD), the package's number as shipment identification and
  tracking number, the label as a base64 image turned landscape as UPS sends it. UPS's ship
  answer has no delivery date; the estimate (``sandbox.delivery_date``) shows in tracking.
- ``DELETE /api/shipments/v2409/void/cancel/{number}`` voids the package
  (``sandbox.void_package``). An unknown number gets UPS's recorded ``190102``; one already
  scanned past the label gets ``190101`` "Time for voiding has expired." from UPS's Shipping
  error codes (https://developer.ups.com/api/reference/shipping/errors), both with HTTP 400.

Refusals use UPS's own: ``120202`` for a ship-to without street (recorded from UPS's CIE),
else UPS's common codes ``20007`` "Missing Required field, ..." and ``20008`` "The field,
..., contains invalid data, ...", as the rating sandbox does.

A package to another country must carry ``ShipmentServiceOptions.InternationalForms``: an
Invoice (01) with its number, date, reason and currency, or on a return the Partial Invoice
(05, "For shipment with return service, 05 or 10 are the only valid values"), and at least
one ``Product`` with its ``CommodityCode`` (which UPS itself leaves optional on an invoice:
the sandbox asks for it, as the OMS always sends one); US to Canada or Puerto Rico needs
``InvoiceLineTotal`` ("Required for forward shipments whose origin is the US and
destination is Puerto Rico or Canada"). Each refusal names the field, in ``20007``/``20008``.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from PIL import Image
from sqlmodel import Session

from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import Parcel, Party
from oms_dashboard.carriers.ups_labels import PRINT_RETURN_LABEL
from oms_dashboard.documents.labels import label_image
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.errors import NotFound

CARRIER = "ups"
SERVICE_NAMES = {"01": "UPS Next Day Air", "02": "UPS 2nd Day Air", "03": "UPS Ground"}
"""UPS's names of the sandbox services."""

_POUND_GRAMS = Decimal("453.59237")
_INCH_MM = Decimal("25.4")
_IMAGE_FORMATS = {"GIF", "PNG"}

Refusal = tuple[int, str, str]
"""(HTTP status, UPS error code, UPS's message)."""


class WeightInvalid(ValueError):
    pass


def grams_of(weight: dict[str, Any]) -> int:
    unit = _text(weight["UnitOfMeasurement"]["Code"]).upper()
    try:
        value = Decimal(_text(weight["Weight"]))
    except InvalidOperation:
        raise WeightInvalid(_text(weight["Weight"])) from None
    if unit not in ("LBS", "KGS") or not value.is_finite() or value <= 0:
        raise WeightInvalid(f"{value} {unit}")
    return int((value * (_POUND_GRAMS if unit == "LBS" else 1000)).to_integral_value())


@dataclass(frozen=True)
class Order:
    origin: Party
    destination: Party
    parcel: Parcel
    service: sandbox.SandboxService
    is_return: bool
    negotiated: bool
    image_format: str
    weight: dict[str, Any]


def read_order(body: Any) -> Order | Refusal:
    """The request as UPS reads it, or UPS's refusal."""
    try:
        request = body["ShipmentRequest"]
        shipment = request["Shipment"]
        if not _text(shipment["Shipper"]["ShipperNumber"]):
            return _missing("ShipperNumber")
        payer = shipment["PaymentInformation"]["ShipmentCharge"]
        payer = payer[0] if isinstance(payer, list) else payer
        if not _text(payer["BillShipper"]["AccountNumber"]):
            return _missing("AccountNumber")
        ship_to = shipment["ShipTo"]
        if not [line for line in _lines(ship_to["Address"]) if line]:
            return 400, "120202", "Missing or invalid ship to address line 1"
        package = shipment["Package"]
        package = package[0] if isinstance(package, list) else package
        weight = package["PackageWeight"]
        grams = grams_of(weight)
        code = _text(shipment["Service"]["Code"])
        image_format = _text(request["LabelSpecification"]["LabelImageFormat"]["Code"]).upper()
        returned = shipment.get("ReturnService")
        # UPS: ShipFrom may be left out when it is the shipper's own address.
        origin = _party(shipment.get("ShipFrom") or shipment["Shipper"])
        destination = _party(ship_to)
    except KeyError as missing:
        return _missing(missing.args[0])
    except WeightInvalid as exc:
        return _invalid("Weight", str(exc))
    except (TypeError, AttributeError, IndexError):
        return 400, "10001", "The request is not well formed."
    service = next((s for s in sandbox.SERVICES[CARRIER] if s.code == code), None)
    if service is None:
        return _invalid("Service Code", code)
    if image_format not in _IMAGE_FORMATS:
        return _invalid("LabelImageFormat Code", image_format)
    is_return = returned is not None
    if is_return:
        return_code = _text(returned.get("Code")) if isinstance(returned, dict) else ""
        if return_code != PRINT_RETURN_LABEL:
            return _invalid("ReturnService Code", return_code)
        if not _text(package.get("Description")):
            return _missing("Package Description")
    if origin.country.upper() != destination.country.upper():
        refused = customs_refusal(shipment, origin, destination, is_return=is_return)
        if refused is not None:
            return refused
    options = shipment.get("ShipmentRatingOptions")
    return Order(
        origin=origin,
        destination=destination,
        parcel=Parcel(grams, *_sides(package.get("Dimensions"))),
        service=service,
        is_return=is_return,
        negotiated=isinstance(options, dict) and "NegotiatedRatesIndicator" in options,
        image_format=image_format,
        weight=weight,
    )


_INVOICE_FIELDS = ("InvoiceNumber", "InvoiceDate", "ReasonForExport", "CurrencyCode")
_LINE_TOTAL_LANES = {("US", "CA"), ("US", "PR")}


def customs_refusal(
    shipment: dict[str, Any], origin: Party, destination: Party, *, is_return: bool
) -> Refusal | None:
    """UPS's refusal of a cross-border shipment's forms (module docstring), or None."""
    options = shipment.get("ShipmentServiceOptions")
    forms = options.get("InternationalForms") if isinstance(options, dict) else None
    if not isinstance(forms, dict):
        return _missing("InternationalForms")
    kind = forms.get("FormType")
    kind = _text(kind[0] if isinstance(kind, list) and kind else kind)
    if kind != ("05" if is_return else "01"):
        return _invalid("FormType", kind)
    required = ("ReasonForExport", "CurrencyCode") if is_return else _INVOICE_FIELDS
    missing = next((name for name in required if not _text(forms.get(name))), None)
    if missing:
        return _missing(missing)
    products = forms.get("Product")
    products = products if isinstance(products, list) else [products] if products else []
    if not products:
        return _missing("Product")
    for product in products:
        if not isinstance(product, dict) or not _text(product.get("CommodityCode")):
            return _missing("Product CommodityCode")
    lane = (origin.country.upper(), destination.country.upper())
    if not is_return and lane in _LINE_TOTAL_LANES and not shipment.get("InvoiceLineTotal"):
        return _missing("InvoiceLineTotal")
    return None


def ship(session: Session, order: Order) -> dict[str, Any]:
    """Register the package and answer as UPS does, label and charges included."""
    international = order.origin.country.upper() != order.destination.country.upper()
    cents, days = sandbox.sandbox_quote(
        CARRIER, order.service, grams=order.parcel.weight_grams, international=international
    )
    package = sandbox.register_package(
        session,
        carrier=CARRIER,
        service=order.service.code,
        origin=sandbox.place_of(order.origin),
        destination=sandbox.place_of(order.destination),
        estimated_delivery=sandbox.delivery_date(days),
    )
    number = package.tracking_number
    charge = {"CurrencyCode": "USD", "MonetaryValue": f"{Decimal(cents) / 100:.2f}"}
    nothing = {"CurrencyCode": "USD", "MonetaryValue": "0.00"}
    results: dict[str, Any] = {
        "ShipmentCharges": {
            "TransportationCharges": charge,
            "ServiceOptionsCharges": nothing,
            "TotalCharges": charge,
        },
        "BillingWeight": {
            "UnitOfMeasurement": {"Code": _text(order.weight["UnitOfMeasurement"]["Code"])},
            "Weight": _text(order.weight["Weight"]),
        },
        "ShipmentIdentificationNumber": number,
        "PackageResults": [
            {
                "TrackingNumber": number,
                "BaseServiceCharge": charge,
                "ServiceOptionsCharges": nothing,
                "ShippingLabel": {
                    "ImageFormat": {"Code": order.image_format, "Description": order.image_format},
                    "GraphicImage": _label(order, number),
                },
            }
        ],
    }
    if order.negotiated:
        results["NegotiatedRateCharges"] = {"TotalCharge": charge}
    return {
        "ShipmentResponse": {
            "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
            "ShipmentResults": results,
        }
    }


def void(session: Session, number: str) -> dict[str, Any] | Refusal:
    try:
        sandbox.void_package(session, carrier=CARRIER, tracking_number=number)
    except NotFound:
        return 400, "190102", "No shipment found within the allowed void period"
    except sandbox.AlreadyMoving:
        return 400, "190101", "Time for voiding has expired."
    return {
        "VoidShipmentResponse": {
            "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
            "SummaryResult": {"Status": {"Code": "1", "Description": "Voided"}},
        }
    }


def _label(order: Order, number: str) -> str:
    drawn = label_image(
        carrier=CARRIER,
        service=SERVICE_NAMES.get(order.service.code, order.service.code),
        tracking_number=number,
        shipper=order.origin,
        recipient=order.destination,
        parcel=order.parcel,
        ship_date=utcnow().date(),
        is_return=order.is_return,
        image_format=order.image_format,
    )
    # UPS sends its 4 x 6 label landscape; the adapter turns it back.
    out = io.BytesIO()
    Image.open(io.BytesIO(drawn)).rotate(90, expand=True).save(out, format=order.image_format)
    return base64.b64encode(out.getvalue()).decode()


def _party(block: dict[str, Any]) -> Party:
    address = block["Address"]
    lines = [line for line in _lines(address) if line]
    return Party(
        name=_text(block.get("Name")),
        line1=lines[0] if lines else "",
        line2=lines[1] if len(lines) > 1 else None,
        city=_text(address.get("City")),
        region=_text(address.get("StateProvinceCode")) or None,
        postal_code=_text(address.get("PostalCode")),
        country=_text(address["CountryCode"]).upper(),
    )


def _lines(address: dict[str, Any]) -> list[str]:
    lines = address.get("AddressLine")
    return [_text(line) for line in (lines if isinstance(lines, list) else [lines])]


def _sides(dimensions: Any) -> tuple[int, int, int]:
    if not isinstance(dimensions, dict):
        return 0, 0, 0
    unit = _text((dimensions.get("UnitOfMeasurement") or {}).get("Code")).upper()
    per = _INCH_MM if unit == "IN" else Decimal(10)
    try:
        sides = [Decimal(_text(dimensions.get(k))) * per for k in ("Length", "Width", "Height")]
    except InvalidOperation:
        return 0, 0, 0
    return tuple(int(s.to_integral_value()) for s in sides)  # type: ignore[return-value]


def _missing(field: str) -> Refusal:
    return 400, "20007", f"Missing Required field, {field}."


def _invalid(field: str, value: str) -> Refusal:
    return 400, "20008", f"The field, {field}, contains invalid data, {value}."


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""
