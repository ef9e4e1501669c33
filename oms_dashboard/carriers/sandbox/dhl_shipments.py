"""The DHL Express sandbox's ``POST /shipments`` (MyDHL API 2.12.0): reading a create-
shipment request the way MyDHL validates it, and booking it, answered in MyDHL's shapes
(the recorded examples in ``tests/fixtures/carriers/dhl/``). ``dhl.py`` serves it.

A dutiable shipment (``isCustomsDeclarable`` true) must carry ``content.exportDeclaration``
(MyDHL: "If the shipment is dutiable, exportDeclaration element must be provided") with
its ``invoice`` and at least one line item, each with its commodity code (optional in
MyDHL's schema; the sandbox asks for it, as the OMS always sends one).

A request that bills a ``payer`` account besides the shipper is read as a return (the
receiving seller pays, as ``carriers.dhl_labels.return_request`` asks); its label says
RETURN. MyDHL has no call to cancel a shipment, so neither has this sandbox.

Problems are worded as MyDHL's schema validation words them (``#/path: required key
[name] not found``); a malformed planned time gets MyDHL's own 400 (code 998). A product
the sandbox does not offer is refused in the same schema wording, the sandbox's own
sentence: DHL refuses it with a business error this sandbox has no recorded example of.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import Parcel, Party
from oms_dashboard.documents.labels import render_label
from oms_dashboard.domain.tracking import CarrierName

CARRIER = CarrierName.DHL.value

PRODUCTS = {"N": "EXPRESS DOMESTIC", "P": "EXPRESS WORLDWIDE NONDOC"}
"""DHL's names of the products the sandbox offers."""

BAD_DATE = (
    "998: ShipTimeStamp is not well formatted.(Expected Sample Format : "
    "'2010-02-11T17:10:09 GMT+01:00')"
)
"""MyDHL's own 400 for a planned time it cannot read (its documented example)."""

_PLANNED = re.compile(r"^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}:\d{2} ?GMT[+-]\d{2}:\d{2}$")
_ADDRESS_KEYS = ("cityName", "countryCode", "addressLine1")
_CONTACT_KEYS = ("phone", "companyName", "fullName")
_CONTENT_KEYS = ("packages", "isCustomsDeclarable", "description", "incoterm", "unitOfMeasurement")


@dataclass(frozen=True)
class ShipmentAsk:
    """What a valid create-shipment request asks the sandbox for."""

    service: sandbox.SandboxService
    planned: date
    sender: Party
    receiver: Party
    parcel: Parcel
    currency: str
    is_return: bool
    wants_charge: bool
    wants_estimate: bool
    wants_transit: bool


@dataclass(frozen=True)
class Refusal:
    status: int
    problems: list[str]


def read_shipment_request(body: Any) -> ShipmentAsk | Refusal:
    """The request read, or MyDHL's refusal: schema problems (422, all at once) first,
    then the planned time's format (400)."""
    body = body if isinstance(body, dict) else {}
    problems = _missing(body, "#", ("plannedShippingDateAndTime", "pickup", "productCode"))
    products = {s.code: s for s in sandbox.SERVICES[CarrierName.DHL]}
    code = body.get("productCode")
    if code and code not in products:
        problems.append(f"#/productCode: {code} is not a valid enum value")
    accounts = [a for a in body.get("accounts") or [] if isinstance(a, dict)]
    if not accounts:
        problems.append("#/accounts: expected minimum item count: 1, found: 0")
    customer = body.get("customerDetails")
    if not isinstance(customer, dict):
        problems.append("#: required key [customerDetails] not found")
        customer = {}
    for side in ("shipperDetails", "receiverDetails"):
        problems += _party_problems(customer.get(side), f"#/customerDetails/{side}")
    content = body.get("content")
    if not isinstance(content, dict):
        problems.append("#: required key [content] not found")
        content = {}
    else:
        problems += _missing(content, "#/content", _CONTENT_KEYS)
    packages = content.get("packages")
    for index, package in enumerate(packages if isinstance(packages, list) else []):
        problems += _package_problems(package, f"#/content/packages/{index}")
    if content.get("isCustomsDeclarable") is True:
        problems += declaration_problems(content.get("exportDeclaration"))
    if problems:
        return Refusal(422, problems)
    planned = _PLANNED.match(str(body["plannedShippingDateAndTime"]))
    if planned is None:
        return Refusal(400, [BAD_DATE])
    wanted = body.get("estimatedDeliveryDate") or {}
    extra = body.get("getAdditionalInformation") or []
    return ShipmentAsk(
        service=products[code],
        planned=date.fromisoformat(planned.group(1)),
        sender=_party(customer["shipperDetails"]),
        receiver=_party(customer["receiverDetails"]),
        parcel=_parcel(packages),
        currency=content.get("declaredValueCurrency") or "USD",
        is_return=any(a.get("typeCode") == "payer" for a in accounts),
        wants_charge=bool(body.get("getRateEstimates")),
        wants_estimate=bool(wanted.get("isRequested")),
        wants_transit=any(
            e.get("typeCode") == "pickupDetails" and e.get("isRequested")
            for e in extra
            if isinstance(e, dict)
        ),
    )


_LINE_KEYS = ("number", "description", "price", "quantity", "manufacturerCountry", "weight")


def declaration_problems(declaration: Any) -> list[str]:
    """MyDHL's schema problems with a dutiable shipment's ``exportDeclaration``."""
    path = "#/content/exportDeclaration"
    if not isinstance(declaration, dict):
        return ["#/content: required key [exportDeclaration] not found"]
    problems = _missing(declaration, path, ("invoice",))
    invoice = declaration.get("invoice")
    if isinstance(invoice, dict):
        problems += _missing(invoice, f"{path}/invoice", ("number", "date"))
    lines = declaration.get("lineItems")
    lines = lines if isinstance(lines, list) else []
    if not lines:
        problems.append(f"{path}/lineItems: expected minimum item count: 1, found: 0")
    for index, line in enumerate(lines):
        at = f"{path}/lineItems/{index}"
        if not isinstance(line, dict):
            problems.append(f"{at}: expected type: JSONObject")
            continue
        problems += _missing(line, at, _LINE_KEYS + ("commodityCodes",))
        codes = [c for c in line.get("commodityCodes") or [] if isinstance(c, dict)]
        if codes and not all(str(c.get("value") or "").strip() for c in codes):
            problems.append(f"{at}/commodityCodes/0: required key [value] not found")
    return problems


def _missing(section: dict[str, Any], path: str, keys: tuple[str, ...]) -> list[str]:
    return [
        f"{path}: required key [{key}] not found"
        for key in keys
        if section.get(key) in (None, "", [])
    ]


def _party_problems(details: Any, path: str) -> list[str]:
    if not isinstance(details, dict):
        return [f"{path.rsplit('/', 1)[0]}: required key [{path.rsplit('/', 1)[1]}] not found"]
    problems = []
    for name, keys in (("postalAddress", _ADDRESS_KEYS), ("contactInformation", _CONTACT_KEYS)):
        part = details.get(name)
        if not isinstance(part, dict):
            problems.append(f"{path}: required key [{name}] not found")
            continue
        problems += _missing(part, f"{path}/{name}", keys)
    country = (details.get("postalAddress") or {}).get("countryCode")
    if isinstance(country, str) and len(country) > 2:
        problems.append(
            f"{path}/postalAddress/countryCode: expected maxLength: 2, actual: {len(country)}"
        )
    return problems


def _package_problems(package: Any, path: str) -> list[str]:
    if not isinstance(package, dict):
        return [f"{path}: expected type: JSONObject"]
    problems = _missing(package, path, ("weight", "dimensions"))
    weight = package.get("weight")
    if weight not in (None, "") and not _number_at_least(weight, Decimal("0.001")):
        problems.append(f"{path}/weight: {weight} is not greater or equal to 0.001")
    dimensions = package.get("dimensions")
    if isinstance(dimensions, dict):
        problems += _missing(dimensions, f"{path}/dimensions", ("length", "width", "height"))
        for side in ("length", "width", "height"):
            value = dimensions.get(side)
            if value not in (None, "") and not _number_at_least(value, Decimal(1)):
                problems.append(f"{path}/dimensions/{side}: {value} is not greater or equal to 1")
    return problems


def _number_at_least(value: Any, minimum: Decimal) -> bool:
    return (
        isinstance(value, int | float | Decimal)
        and not isinstance(value, bool)
        and (Decimal(str(value)) >= minimum)
    )


def _party(details: dict[str, Any]) -> Party:
    address, contact = details["postalAddress"], details["contactInformation"]
    return Party(
        name=contact["fullName"],
        line1=address["addressLine1"],
        line2=address.get("addressLine2"),
        city=address["cityName"],
        postal_code=address.get("postalCode") or "",
        region=address.get("provinceCode"),
        country=address["countryCode"].upper(),
        phone=contact["phone"],
    )


def _parcel(packages: list[dict[str, Any]]) -> Parcel:
    """All packages' weight; the first one's size (the adapter sends one package)."""
    size = packages[0]["dimensions"]
    return Parcel(
        weight_grams=round(sum(Decimal(str(p["weight"])) for p in packages) * 1000),
        length_mm=round(Decimal(str(size["length"])) * 10),
        width_mm=round(Decimal(str(size["width"])) * 10),
        height_mm=round(Decimal(str(size["height"])) * 10),
    )


def book(session: Session, ask: ShipmentAsk, *, tracking_url: str) -> dict[str, Any]:
    """Register the package (shipped from the sender's place to the receiver's) and
    answer as MyDHL does: the number, the piece, the label and what was asked for.
    ``tracking_url`` is the URL of ``/shipments`` the request was sent to."""
    code = ask.service.code
    international = ask.sender.country != ask.receiver.country
    cents, days = sandbox.sandbox_quote(
        CARRIER, ask.service, grams=ask.parcel.weight_grams, international=international
    )
    arrives = sandbox.delivery_date(days, start=ask.planned)
    package = sandbox.register_package(
        session,
        carrier=CARRIER,
        service=code,
        origin=sandbox.place_of(ask.sender),
        destination=sandbox.place_of(ask.receiver),
        estimated_delivery=arrives,
    )
    number = package.tracking_number
    label = render_label(
        carrier=CARRIER,
        service=PRODUCTS.get(code, code),
        tracking_number=number,
        shipper=ask.sender,
        recipient=ask.receiver,
        parcel=ask.parcel,
        ship_date=ask.planned,
        is_return=ask.is_return,
    )
    piece = f"JD014600{int(number):012d}"  # a DHL Express piece id (licence plate)
    url = f"{tracking_url}/{number}/tracking"
    answer: dict[str, Any] = {
        "shipmentTrackingNumber": number,
        "trackingUrl": url,
        "packages": [
            {
                "referenceNumber": 1,
                "trackingNumber": piece,
                "trackingUrl": f"{url}?pieceTrackingNumber={piece}",
            }
        ],
        "documents": [
            {
                "imageFormat": "PDF",
                "content": base64.b64encode(label).decode("ascii"),
                "typeCode": "label",
            }
        ],
    }
    if ask.wants_transit:
        answer["shipmentDetails"] = [{"pickupDetails": {"totalTransitDays": str(days)}}]
    if ask.wants_charge:
        price = float(Decimal(cents) / 100)
        answer["shipmentCharges"] = [
            {
                "currencyType": "BILLC",
                "priceCurrency": ask.currency,
                "price": price,
                "serviceBreakdown": [{"name": PRODUCTS.get(code, code), "price": price}],
            }
        ]
    if ask.wants_estimate:
        answer["estimatedDeliveryDate"] = {
            "estimatedDeliveryDate": f"{arrives.isoformat()}T23:59:00Z",
            "estimatedDeliveryType": "QDDC",
        }
    return answer
