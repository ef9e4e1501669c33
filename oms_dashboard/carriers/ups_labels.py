"""UPS Shipping API (version ``v2409``): the requests for a label, a print-return label and a
void, and pure readers of UPS's answers. ``ups.py`` sends them and re-exports what is public.

Follows UPS's OpenAPI ``Shipping.yaml`` (github.com/UPS-API/api-documentation) and the
developer portal pages it links (https://developer.ups.com/api/reference/shipping/business-rules,
.../shipping/errors):

- ``POST /api/shipments/v2409/ship`` with a ``ShipmentRequest`` (the spec's "Standard
  Example", fixture ``ship_request_standard.json``): the account pays (``BillShipper``), one
  customer-supplied package, ``LabelSpecification`` GIF on 4 x 6 in stock. UPS prints
  thermal-printer images (GIF, PNG, ZPL, EPL, SPL), never PDF: the GIF it answers with is put
  on a 4 x 6 in PDF page (``documents.labels.pdf_from_image``).
- A return label is the same call with ``ReturnService`` code ``9``, Print Return Label (as
  recorded from UPS's CIE, fixture ``return_request_print_return_label.json``): the account
  holder is ``Shipper`` and ``ShipTo``, the customer sending the package back ``ShipFrom``;
  UPS wants a description of the goods on returns.
- Goods crossing a border travel with ``ShipmentServiceOptions.InternationalForms``
  (``Shipping.yaml`` ``InternationalForms``): an Invoice (``FormType`` 01) with
  ``InvoiceNumber``, ``InvoiceDate`` (``yyyyMMdd``), ``ReasonForExport`` SALE,
  ``CurrencyCode`` and one ``Product`` per commodity (``Description``, ``Unit`` with
  ``Number``, ``Value`` and ``UnitOfMeasurement`` PCS, ``CommodityCode``, ``PartNumber``,
  ``OriginCountryCode``); a return label gets a Partial Invoice (05, "For shipment with
  return service, 05 or 10 are the only valid values") with ReasonForExport RETURN and no
  date (UPS ignores it on returns). ``Shipment.InvoiceLineTotal`` is sent only where UPS
  asks for it: "forward shipments whose origin is the US and destination is Puerto Rico
  or Canada. Not available for any other shipments", a whole amount of 1 to 99999999.
  The goods' description is the shipment's ``Description``, which UPS wants abroad.
- ``DELETE /api/shipments/v2409/void/cancel/{shipmentidentificationnumber}``. A label bought
  here is a one-package shipment, whose shipment identification number is its tracking
  number: that is what is passed, so cancelling needs the tracking number only.

The Ship answer carries the charges but no delivery date: a label's estimate comes with
tracking (``SDD``), not here.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

from oms_dashboard.carriers.base import (
    CarrierError,
    Commodity,
    Customs,
    CustomsPurpose,
    Label,
    Parcel,
    Party,
    RateQuote,
)
from oms_dashboard.carriers.ups_parse import CARRIER, _listify, _raise_on_error, _text
from oms_dashboard.documents.labels import pdf_from_image

SHIP_VERSION = "v2409"
SHIP_PATH = f"/api/shipments/{SHIP_VERSION}/ship"
VOID_PATH = f"/api/shipments/{SHIP_VERSION}/void/cancel/{{}}"
PRINT_RETURN_LABEL = "9"
RETURN_DESCRIPTION = "Returned merchandise"
# Images pdf_from_image can read; ZPL, EPL and SPL are printer languages, not pictures.
_IMAGE_FORMATS = {"GIF", "PNG"}
INVOICE, PARTIAL_INVOICE = "01", "05"
# UPS takes 35 characters of a product's description, 50 of a shipment's.
_PRODUCT_DESCRIPTION, _SHIPMENT_DESCRIPTION = 35, 50
_INVOICE_LINE_TOTAL_LANES = {("US", "CA"), ("US", "PR")}
# UPS wants pounds and inches from the US and Puerto Rico, kilograms and centimetres elsewhere.
_IMPERIAL = {"US", "PR"}


# -- blocks Rating and Shipping share -----------------------------------------------------


def party_block(party: Party, *, phone: bool = False) -> dict[str, Any]:
    """A ``Shipper``/``ShipTo``/``ShipFrom`` block; Shipping also takes the phone."""
    address: dict[str, Any] = {
        "AddressLine": [line for line in (party.line1, party.line2) if line],
        "City": party.city,
        "PostalCode": party.postal_code,
        "CountryCode": party.country.upper(),
    }
    if party.region:
        address["StateProvinceCode"] = party.region
    # UPS takes 35 characters of a name; the rest would be refused, not shipped.
    block: dict[str, Any] = {"Name": party.name[:35], "Address": address}
    if phone and party.phone:
        block["Phone"] = {"Number": party.phone}
    return block


def imperial(country: str) -> bool:
    return country.upper() in _IMPERIAL


def weight_text(grams: int, imperial: bool) -> str:
    value = Decimal(grams) / (Decimal("453.59237") if imperial else Decimal(1000))
    # Rounded up: a parcel declared lighter than it is gets re-billed by UPS.
    return str(max(value.quantize(Decimal("0.1"), rounding=ROUND_CEILING), Decimal("0.1")))


def length_text(mm: int, imperial: bool) -> str:
    value = Decimal(mm) / (Decimal("25.4") if imperial else Decimal(10))
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_CEILING))


def package_block(parcel: Parcel, *, imperial: bool) -> dict[str, Any]:
    weight_unit, length_unit = ("LBS", "IN") if imperial else ("KGS", "CM")
    return {
        # 02 = Customer Supplied Package
        "Packaging": {"Code": "02", "Description": "Package"},
        "Dimensions": {
            "UnitOfMeasurement": {"Code": length_unit},
            "Length": length_text(parcel.length_mm, imperial),
            "Width": length_text(parcel.width_mm, imperial),
            "Height": length_text(parcel.height_mm, imperial),
        },
        "PackageWeight": {
            "UnitOfMeasurement": {"Code": weight_unit},
            "Weight": weight_text(parcel.weight_grams, imperial),
        },
    }


# -- requests ----------------------------------------------------------------------------


def ship_request(
    shipper: Party,
    recipient: Party,
    parcel: Parcel,
    *,
    service: str,
    account_number: str,
    customs: Customs | None = None,
) -> dict[str, Any]:
    """The ``SHIPRequestWrapper`` for one package from ``shipper`` to ``recipient``, its
    goods declared on an invoice when ``customs`` are given."""
    body = _shipment(
        payer=shipper,
        origin=shipper,
        destination=recipient,
        parcel=parcel,
        service=service,
        account_number=account_number,
        units_of=shipper,
        description=_goods(customs) if customs is not None else None,
    )
    if customs is not None:
        shipment = body["ShipmentRequest"]["Shipment"]
        shipment["ShipmentServiceOptions"] = {"InternationalForms": international_forms(customs)}
        if (shipper.country.upper(), recipient.country.upper()) in _INVOICE_LINE_TOTAL_LANES:
            shipment["InvoiceLineTotal"] = invoice_line_total(customs)
    return body


def return_request(
    shipper: Party,
    recipient: Party,
    parcel: Parcel,
    *,
    service: str,
    account_number: str,
    customs: Customs | None = None,
) -> dict[str, Any]:
    """The Print Return Label request bringing back what went from ``shipper`` to
    ``recipient``: the package travels recipient to shipper, on the shipper's account;
    the outbound ``customs`` are declared as returned goods."""
    body = _shipment(
        payer=shipper,
        origin=recipient,
        destination=shipper,
        parcel=parcel,
        service=service,
        account_number=account_number,
        units_of=shipper,
        description=RETURN_DESCRIPTION,
    )
    shipment = body["ShipmentRequest"]["Shipment"]
    shipment["ReturnService"] = {"Code": PRINT_RETURN_LABEL}
    if customs is not None:
        forms = international_forms(customs.returned())
        shipment["ShipmentServiceOptions"] = {"InternationalForms": forms}
    return body


def international_forms(customs: Customs) -> dict[str, Any]:
    """The invoice UPS prints for the goods (module docstring)."""
    sale = customs.purpose is CustomsPurpose.SALE
    forms: dict[str, Any] = {
        "FormType": INVOICE if sale else PARTIAL_INVOICE,
        "InvoiceNumber": customs.invoice_number,
        "ReasonForExport": customs.purpose.value,
        "CurrencyCode": customs.currency,
        "Product": [_product(item) for item in customs.commodities],
    }
    if sale:
        forms["InvoiceDate"] = customs.invoice_date.strftime("%Y%m%d")
    return forms


def _product(item: Commodity) -> dict[str, Any]:
    product: dict[str, Any] = {
        "Description": item.description[:_PRODUCT_DESCRIPTION],
        "Unit": {
            "Number": str(item.quantity),
            "UnitOfMeasurement": {"Code": "PCS"},
            "Value": str(item.unit_value),
        },
        "OriginCountryCode": item.origin_country,
    }
    if item.hs_code:
        product["CommodityCode"] = item.hs_code
    if item.sku:
        product["PartNumber"] = item.sku
    return product


def invoice_line_total(customs: Customs) -> dict[str, str]:
    """The whole shipment's value: a whole amount (UPS: "from 1 to 99999999"), rounded up
    so the goods are never declared for less than they are worth."""
    whole = max(customs.total_value.to_integral_value(rounding=ROUND_CEILING), Decimal(1))
    return {"CurrencyCode": customs.currency, "MonetaryValue": str(whole)}


def _goods(customs: Customs) -> str:
    return ", ".join(c.description for c in customs.commodities)[:_SHIPMENT_DESCRIPTION]


def _shipment(
    *,
    payer: Party,
    origin: Party,
    destination: Party,
    parcel: Parcel,
    service: str,
    account_number: str,
    units_of: Party,
    description: str | None = None,
) -> dict[str, Any]:
    shipper_block = party_block(payer, phone=True) | {"ShipperNumber": account_number}
    package = package_block(parcel, imperial=imperial(units_of.country))
    shipment: dict[str, Any] = {
        "Shipper": shipper_block,
        "ShipTo": party_block(destination, phone=True),
        "ShipFrom": party_block(origin, phone=True),
        "PaymentInformation": {
            # 01 = Transportation charges, billed to the shipper's account
            "ShipmentCharge": [{"Type": "01", "BillShipper": {"AccountNumber": account_number}}]
        },
        "Service": {"Code": service},
        "Package": [package],
        "ShipmentRatingOptions": {"NegotiatedRatesIndicator": "Y"},
    }
    if description:
        shipment["Description"] = description
        package["Description"] = description
    return {
        "ShipmentRequest": {
            "Request": {"RequestOption": "nonvalidate"},
            "Shipment": shipment,
            "LabelSpecification": {
                "LabelImageFormat": {"Code": "GIF", "Description": "GIF"},
                # What UPS's own example sends for a GIF label.
                "HTTPUserAgent": "Mozilla/4.5",
                "LabelStockSize": {"Height": "6", "Width": "4"},
            },
        }
    }


def void_path(tracking_number: str) -> str:
    number = tracking_number.strip().upper()
    # UPS: "Alpha-numeric. Must pass 1Z rules. Must be upper case. Length 18". Letters
    # and digits only, so a number can never rewrite the path it is put in.
    if len(number) != 18 or not number.startswith("1Z") or not number.isalnum():
        raise ValueError(f"tracking_number: {tracking_number!r} is not a UPS 1Z number")
    return VOID_PATH.format(number)


# -- answers -----------------------------------------------------------------------------


def parse_label(payload: Any, *, service: str) -> Label:
    """The label in a Ship answer: UPS's image on a 4 x 6 in PDF, the number, the charge.

    UPS's answer does not repeat the service, so the caller says which it asked for. The
    charge is the account's negotiated total when UPS gives one, else the published total,
    as for rates.
    """
    _raise_on_error(payload)
    response = payload.get("ShipmentResponse") if isinstance(payload, Mapping) else None
    results = response.get("ShipmentResults") if isinstance(response, Mapping) else None
    if not isinstance(results, Mapping):
        raise CarrierError(CARRIER, "the ship answer has no ShipmentResults")
    packages = [p for p in _listify(results.get("PackageResults")) if isinstance(p, Mapping)]
    if not packages:
        raise CarrierError(CARRIER, "the ship answer has no PackageResults")
    package = packages[0]
    shipment_id = _text(results.get("ShipmentIdentificationNumber"))
    number = _text(package.get("TrackingNumber")) or shipment_id
    if not number:
        raise CarrierError(CARRIER, "the ship answer has no tracking number")
    return Label(
        tracking_number=number,
        service=service,
        label_pdf=_label_pdf(package.get("ShippingLabel"), number),
        carrier_reference=shipment_id or None,
        charge=_charge(results, service),
    )


def _label_pdf(label: Any, number: str) -> bytes:
    label = label if isinstance(label, Mapping) else {}
    kind = _text((label.get("ImageFormat") or {}).get("Code")).upper()
    if kind not in _IMAGE_FORMATS:
        raise CarrierError(CARRIER, f"the label of {number} is {kind or 'missing'}, not a GIF")
    try:
        image = base64.b64decode(_text(label.get("GraphicImage")), validate=True)
        return pdf_from_image(image)
    except (binascii.Error, OSError, ValueError):
        raise CarrierError(CARRIER, f"the label image of {number} cannot be read") from None


def _charge(results: Mapping[str, Any], service: str) -> RateQuote | None:
    negotiated = (results.get("NegotiatedRateCharges") or {}).get("TotalCharge")
    published = (results.get("ShipmentCharges") or {}).get("TotalCharges")
    charge = negotiated or published
    if not isinstance(charge, Mapping):
        return None
    try:
        amount = Decimal(_text(charge.get("MonetaryValue")))
    except InvalidOperation:
        raise CarrierError(CARRIER, "the ship answer's charge has no readable amount") from None
    return RateQuote(service=service, amount=amount, currency=_text(charge.get("CurrencyCode")))


def parse_void(payload: Any) -> None:
    """Nothing when UPS voided the shipment; its error (``190102`` "No shipment found within
    the allowed void period", ...) as ``CarrierError`` otherwise."""
    _raise_on_error(payload)
    response = payload.get("VoidShipmentResponse") if isinstance(payload, Mapping) else None
    if not isinstance(response, Mapping):
        raise CarrierError(CARRIER, "the void answer has no VoidShipmentResponse")
    status = (response.get("SummaryResult") or {}).get("Status") or {}
    # Status code 1 is "Voided" (or partially voided, which a one-package shipment is not).
    if _text(status.get("Code")) != "1":
        raise CarrierError(
            CARRIER, _text(status.get("Description")) or "UPS did not void the shipment"
        )
