"""DHL Express labels as pure functions: the MyDHL ``POST /shipments`` request for a
label or a return label, and the answer read into a ``Label``. ``dhl.py`` sends them.

Follows the DHL Express MyDHL API 2.12.0 (``exp-api-shipments``, request schema
``supermodelIoLogisticsExpressCreateShipmentRequest``, answer
``supermodelIoLogisticsExpressCreateShipmentResponse``); the recorded examples are in
``tests/fixtures/carriers/dhl/`` (``SOURCES.md``).

* The label is asked for as PDF (``outputImageProperties.encodingFormat``) on DHL's
  ``ECOM26_A6_002`` transport-label template, A6 (105 x 148 mm), DHL's size nearest a
  4 x 6 in label; the waybill document is not asked for.
* ``getRateEstimates`` asks DHL for the charge (``shipmentCharges``), and
  ``estimatedDeliveryDate`` / ``getAdditionalInformation: pickupDetails`` for the day
  it promises and the transit days.
* A return has no product or service of its own in MyDHL: it is a shipment whose
  shipper is the party sending the goods back and whose receiver is the party that
  sent them (DHL's own wording for its returns invoice template ``RET_COM_INVOICE_A4_01``).
  The seller's account is billed as ``payer`` as well as ``shipper``: the party
  receiving the goods pays. Returns from another country need an import account from
  DHL (Import Express) under that number.

Goods crossing a customs border (``isCustomsDeclarable``; not between EU countries) are
declared as MyDHL asks ("If the shipment is dutiable, exportDeclaration element must be
provided"): ``content.declaredValue`` and ``declaredValueCurrency``, and
``content.exportDeclaration`` with one ``lineItems[]`` entry per commodity (``number``,
``description``, unit ``price``, ``quantity`` in PCS, ``commodityCodes`` of type
``outbound``, ``manufacturerCountry``, ``weight`` net and gross in kilograms), the
``invoice`` (number and date), ``exportReasonType`` (``commercial_purpose_or_sale``, or
``return`` for goods sent back) and ``shipmentType`` commercial; the content's
description is then the goods'. ``incoterm`` DAP: the receiver pays import duties.

A phone number for shipper and receiver is required (``contactInformation.phone``): a
``Party`` without one is sent without it, and DHL refuses the label naming the field.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import date, datetime
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
from oms_dashboard.carriers.dhl_parse import (
    CARRIER,
    billed_price,
    centimetres,
    crosses_customs,
    dhl_datetime,
    next_full_hour,
    postal_address,
    raise_for_error,
    unreadable,
)

LABEL_TEMPLATE = "ECOM26_A6_002"
"""DHL's A6 transport label, the template nearest 4 x 6 in (its default is 8 x 4 in)."""
EXPORT_REASONS = {
    CustomsPurpose.SALE: "commercial_purpose_or_sale",
    CustomsPurpose.RETURN: "return",
}
_DESCRIPTION = 70  # MyDHL's longest content.description


def ship_request(
    shipper: Party,
    recipient: Party,
    parcel: Parcel,
    *,
    service: str,
    account_number: str,
    planned_at: datetime | None = None,
    customs: Customs | None = None,
) -> dict[str, Any]:
    """The MyDHL ``POST /shipments`` body for one package from ``shipper`` to
    ``recipient``, as DHL product ``service`` (a global product code from ``/rates``),
    its goods declared when ``customs`` are given and the parcel crosses customs.

    ``planned_at`` is when the package is handed to DHL (DHL wants the shipper's local
    time); it defaults to the next full hour where the shipper is."""
    return _shipment(
        sender=shipper,
        receiver=recipient,
        parcel=parcel,
        service=service,
        accounts=[{"typeCode": "shipper", "number": account_number}],
        description="Goods",
        planned_at=planned_at,
        customs=customs,
    )


def return_request(
    shipper: Party,
    recipient: Party,
    parcel: Parcel,
    *,
    service: str,
    account_number: str,
    planned_at: datetime | None = None,
    customs: Customs | None = None,
) -> dict[str, Any]:
    """The ``POST /shipments`` body for the return of a shipment that went from
    ``shipper`` to ``recipient``: the same parties as the outbound label, travelling the
    other way (the recipient sends, the shipper receives and pays); the outbound
    ``customs`` are declared as returned goods."""
    return _shipment(
        sender=recipient,
        receiver=shipper,
        parcel=parcel,
        service=service,
        accounts=[
            {"typeCode": "shipper", "number": account_number},
            {"typeCode": "payer", "number": account_number},
        ],
        description="Returned goods",
        planned_at=planned_at,
        customs=customs.returned() if customs is not None else None,
    )


def _shipment(
    *,
    sender: Party,
    receiver: Party,
    parcel: Parcel,
    service: str,
    accounts: list[dict[str, str]],
    description: str,
    planned_at: datetime | None,
    customs: Customs | None,
) -> dict[str, Any]:
    declarable = crosses_customs(sender.country, receiver.country)
    content: dict[str, Any] = {
        "packages": [
            {
                "weight": round(parcel.weight_grams / 1000, 3),
                "dimensions": {
                    "length": centimetres(parcel.length_mm),
                    "width": centimetres(parcel.width_mm),
                    "height": centimetres(parcel.height_mm),
                },
            }
        ],
        "isCustomsDeclarable": declarable,
        "description": description,
        "incoterm": "DAP",
        "unitOfMeasurement": "metric",
    }
    if customs is not None and declarable:
        content |= {
            "description": ", ".join(c.description for c in customs.commodities)[:_DESCRIPTION],
            "declaredValue": float(customs.total_value),
            "declaredValueCurrency": customs.currency,
            "exportDeclaration": export_declaration(customs),
        }
    return {
        "plannedShippingDateAndTime": dhl_datetime(planned_at or next_full_hour(sender)),
        "pickup": {"isRequested": False},
        "productCode": service,
        "getRateEstimates": True,
        "accounts": accounts,
        "outputImageProperties": {
            "encodingFormat": "pdf",
            "imageOptions": [
                {"typeCode": "label", "templateName": LABEL_TEMPLATE},
                {"typeCode": "waybillDoc", "isRequested": False},
            ],
        },
        "customerDetails": {
            "shipperDetails": _details(sender),
            "receiverDetails": _details(receiver),
        },
        "content": content,
        "estimatedDeliveryDate": {"isRequested": True, "typeCode": "QDDC"},
        "getAdditionalInformation": [{"typeCode": "pickupDetails", "isRequested": True}],
    }


def export_declaration(customs: Customs) -> dict[str, Any]:
    """The goods as MyDHL declares them (module docstring)."""
    items = []
    for number, item in enumerate(customs.commodities, start=1):
        kilograms = round(item.weight_grams / 1000, 3)
        line: dict[str, Any] = {
            "number": number,
            "description": item.description[:512],
            "price": float(item.unit_value),
            "quantity": {"value": item.quantity, "unitOfMeasurement": "PCS"},
            "exportReasonType": EXPORT_REASONS[customs.purpose],
            "manufacturerCountry": item.origin_country,
            "weight": {"netValue": kilograms, "grossValue": kilograms},
        }
        if item.hs_code:
            line["commodityCodes"] = [{"typeCode": "outbound", "value": item.hs_code}]
        items.append(line)
    return {
        "lineItems": items,
        "invoice": {"number": customs.invoice_number, "date": customs.invoice_date.isoformat()},
        "exportReasonType": EXPORT_REASONS[customs.purpose],
        "shipmentType": "commercial",
    }


def _details(party: Party) -> dict[str, Any]:
    # MyDHL requires phone, companyName and fullName; a party without a phone is sent
    # without one so that DHL's own refusal names the field.
    contact = {"companyName": party.name, "fullName": party.name}
    if party.phone:
        contact["phone"] = party.phone
    return {"postalAddress": postal_address(party), "contactInformation": contact}


# -- the answer ------------------------------------------------------------------------


def parse_label(payload: Mapping[str, Any], *, service: str) -> Label:
    """The ``Label`` in a MyDHL ``/shipments`` answer.

    MyDHL's answer does not repeat the product code, so ``service`` is the one the
    request asked for. The label is the first document of type ``label``; the charge is
    the billed price (``shipmentCharges``, present when rate estimates were asked for)
    and the day is DHL's estimated delivery date as written."""
    raise_for_error(payload)
    try:
        number = str(payload["shipmentTrackingNumber"])
        label_pdf = _label_pdf(payload.get("documents") or [])
        charge = _charge(payload, service)
        estimated = _estimated_delivery(payload.get("estimatedDeliveryDate") or {})
    except (KeyError, TypeError, ValueError) as exc:
        raise unreadable("shipment", exc) from exc
    return Label(
        tracking_number=number,
        service=service,
        label_pdf=label_pdf,
        charge=charge,
        estimated_delivery=estimated,
    )


def _label_pdf(documents: list[Mapping[str, Any]]) -> bytes:
    label = next((d for d in documents if d.get("typeCode") == "label"), None)
    if label is None:
        raise CarrierError(CARRIER, "DHL's answer has no label document", code="bad-response")
    image_format = str(label.get("imageFormat") or "")
    if image_format.upper() != "PDF":
        message = f"DHL sent the label as {image_format or 'an unnamed format'}, not PDF"
        raise CarrierError(CARRIER, message, code="bad-response")
    try:
        content = base64.b64decode(label["content"], validate=True)
    except (binascii.Error, TypeError) as exc:
        raise CarrierError(CARRIER, "DHL's label is not base64", code="bad-response") from exc
    if not content.startswith(b"%PDF"):
        raise CarrierError(CARRIER, "DHL's label is not a PDF", code="bad-response")
    return content


def _charge(payload: Mapping[str, Any], service: str) -> RateQuote | None:
    price = billed_price(payload.get("shipmentCharges") or [])
    if price is None:
        return None
    transit = None
    for details in payload.get("shipmentDetails") or []:
        days = (details.get("pickupDetails") or {}).get("totalTransitDays")
        if days not in (None, ""):
            transit = int(days)
            break
    return RateQuote(service=service, amount=price[0], currency=price[1], transit_days=transit)


def _estimated_delivery(estimate: Mapping[str, Any]) -> date | None:
    # The day as DHL writes it ("2022-12-28T23:59:00Z"): moving it to another zone
    # would move the promised day.
    value = estimate.get("estimatedDeliveryDate")
    return date.fromisoformat(str(value)[:10]) if value else None
