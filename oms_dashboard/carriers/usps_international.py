"""USPS abroad: the International Prices 3.0 query and the International Labels 3.0
request, as pure functions. ``usps.UspsCarrier`` chooses them for a recipient outside
the places with ZIP Codes (``usps_package.DOMESTIC``).

Follows the International Labels OpenAPI 3.2.2 (developers.usps.com/internationallabelsv3)
and USPS's examples in https://github.com/USPS/api-examples (README "International
Prices - Base Rates Request (V3)"):

- ``POST /international-prices/v3/base-rates/search``: the domestic query's fields with
  ``foreignPostalCode`` and ``destinationCountryCode`` in place of the destination ZIP
  Code; the answer has the domestic shape (``{"rates", "totalBasePrice"}``), read by
  ``usps_parse.parse_rates``. Offers are asked for the mail classes labels can be bought
  for, so a quoted service is always one a label can be bought with.
- ``POST /international-labels/v3/international-label`` (``InternationalLabelRequest``:
  ``toAddress``, ``fromAddress``, ``packageDescription``, ``customsForm`` required), for
  ``PRIORITY_MAIL_INTERNATIONAL`` and ``PRIORITY_MAIL_EXPRESS_INTERNATIONAL``. The
  answer is the domestic one's shape with ``internationalTrackingNumber``.
  First-Class Package International is not offered: it takes goods worth at most $400
  and 4 lb, which a quote cannot know.
- ``customsForm``: ``customsContentType`` MERCHANDISE, ``invoiceNumber`` (15 characters
  at most), ``AESITN`` the exemption ``NO EEI 30.37(a)`` ("Shipments valued at $2,500 or
  less"; above that an ITN filed in AES is required, which we do not file, so such a label
  is refused before it is asked for), and up to 30 ``contents`` with ``itemDescription``
  (30 characters), ``itemQuantity``, ``itemTotalValue`` and ``itemTotalWeight`` in pounds
  (the spec deprecates ``itemValue``/``itemWeight`` in their favour), ``HSTariffNumber``
  and ``countryofOrigin``. Values are in US dollars: USPS takes no other currency.
- ``DELETE /international-labels/v3/international-label/{trackingNumber}`` cancels, with the
  domestic answer's shape. International numbers are UPU S10 (``EZ000012162US``), which is
  how a cancellation finds its API.

USPS publishes no international return label: the API creates labels mailed from a US
address only (``fromAddress`` is a ``DomesticLabelAddress``).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import Any

from babel import Locale

from .base import Customs, Parcel, Party
from .usps_package import (
    DOMESTIC,
    GRAMS_PER_POUND,
    check_domestic,
    package_size,
    processing_category,
)

PRICES_PATH = "/international-prices/v3/base-rates/search"
LABEL_PATH = "/international-labels/v3/international-label"
CANCEL_PATH = "/international-labels/v3/international-label/{number}"
MAIL_CLASSES = ("PRIORITY_MAIL_INTERNATIONAL", "PRIORITY_MAIL_EXPRESS_INTERNATIONAL")
IMAGE_INFO = {"imageType": "PDF", "labelType": "4X6LABEL"}
EXEMPTION = "NO EEI 30.37(a)"
EXEMPT_UP_TO = Decimal(2500)
_S10 = re.compile(r"^[A-Z]{2}\d{9}[A-Z]{2}$")
_PHONE = re.compile(r"^\+?[1-9][0-9]{7,14}$")
_LIMITS = {"streetAddress": 50, "secondaryAddress": 50, "city": 28, "postalCode": 11}


def is_abroad(party: Party) -> bool:
    """Outside the places with ZIP Codes, which USPS's domestic APIs take."""
    return party.country.upper() not in DOMESTIC


def is_international_number(tracking_number: str) -> bool:
    return bool(_S10.match(str(tracking_number).strip().upper()))


def rate_indicator(mail_class: str) -> str:
    # "PA - Priority Mail Express International Single Piece", "SP - Single Piece".
    return "PA" if mail_class == "PRIORITY_MAIL_EXPRESS_INTERNATIONAL" else "SP"


def rate_request(
    shipper: Party,
    recipient: Party,
    parcel: Parcel,
    *,
    mail_class: str,
    price_type: str = "COMMERCIAL",
    mailing_date: date | None = None,
    account_number: str | None = None,
) -> dict[str, Any]:
    """An International Prices ``BaseRatesQuery``: single piece, entered at the origin."""
    origin, _ = check_domestic("shipper", shipper)
    pounds, length, width, height = package_size(parcel)
    body: dict[str, Any] = {
        "originZIPCode": origin,
        "foreignPostalCode": recipient.postal_code.strip(),
        "destinationCountryCode": recipient.country.upper(),
        "weight": pounds,
        "length": length,
        "width": width,
        "height": height,
        "mailClass": mail_class,
        "processingCategory": processing_category(length, width, height, pounds),
        "rateIndicator": rate_indicator(mail_class),
        "destinationEntryFacilityType": "NONE",
        "priceType": price_type,
        "mailingDate": (mailing_date or date.today()).isoformat(),
    }
    if account_number:
        body |= {"accountType": "EPS", "accountNumber": account_number}
    return body


def label_request(
    shipper: Party,
    recipient: Party,
    parcel: Parcel,
    *,
    mail_class: str,
    customs: Customs | None,
    from_address: dict[str, Any],
    mailing_date: date | None = None,
) -> dict[str, Any]:
    """An ``InternationalLabelRequest`` from the US ``shipper`` (``from_address``, the
    domestic labels' address) to ``recipient`` abroad, its goods on the customs form."""
    if mail_class not in MAIL_CLASSES:
        known = ", ".join(MAIL_CLASSES)
        raise ValueError(f"service: USPS international labels are {known}, not {mail_class!r}")
    if customs is None:
        raise ValueError("customs: USPS international labels need the goods' customs data")
    pounds, length, width, height = package_size(parcel)
    if pounds > 70:
        raise ValueError("parcel.weight_grams: USPS takes packages up to 70 lb (31.75 kg)")
    return {
        "imageInfo": dict(IMAGE_INFO),
        "toAddress": _address(recipient),
        "fromAddress": from_address,
        "packageDescription": {
            "mailClass": mail_class,
            "rateIndicator": rate_indicator(mail_class),
            "weightUOM": "lb",
            "weight": pounds,
            "dimensionsUOM": "in",
            "length": length,
            "width": width,
            "height": height,
            "processingCategory": processing_category(length, width, height, pounds),
            "destinationEntryFacilityType": "NONE",
            "mailingDate": (mailing_date or date.today()).isoformat(),
        },
        "customsForm": customs_form(customs),
    }


def customs_form(customs: Customs) -> dict[str, Any]:
    """The goods on USPS's customs form (module docstring)."""
    if customs.currency != "USD":
        raise ValueError(
            f"customs.currency: USPS declares values in US dollars, not {customs.currency}"
        )
    if customs.total_value > EXEMPT_UP_TO:
        raise ValueError(
            f"customs: goods worth over ${EXEMPT_UP_TO} need an AES ITN, which is not filed "
            "here; ship them with another carrier"
        )
    if len(customs.commodities) > 30:
        raise ValueError("customs.commodities: USPS's customs form lists at most 30 items")
    contents = []
    for item in customs.commodities:
        content: dict[str, Any] = {
            "itemDescription": item.description[:30],
            "itemQuantity": item.quantity,
            "itemTotalValue": float(max(item.value, Decimal("0.01"))),
            "weightUOM": "lb",
            "itemTotalWeight": _pounds(item.weight_grams),
            "countryofOrigin": item.origin_country,
        }
        if item.hs_code:
            content["HSTariffNumber"] = item.hs_code
        contents.append(content)
    return {
        "customsContentType": "MERCHANDISE",
        "invoiceNumber": customs.invoice_number[:15],
        "AESITN": EXEMPTION,
        "contents": contents,
    }


def _pounds(grams: int) -> float:
    """Pounds rounded up to the hundredth: goods are never declared lighter than they are."""
    value = (Decimal(grams) / Decimal(str(GRAMS_PER_POUND))).quantize(
        Decimal("0.01"), rounding=ROUND_CEILING
    )
    return float(max(value, Decimal("0.01")))


def _address(party: Party) -> dict[str, Any]:
    """An ``InternationalLabelAddress``: the country by name and ISO code, the province."""
    if not party.line1.strip() or not party.city.strip():
        raise ValueError("recipient: USPS labels need a street address and a city")
    country = party.country.upper()
    first, _, last = party.name.strip().rpartition(" ")
    address: dict[str, Any] = (
        {"firstName": first.strip(), "lastName": last} if first else {"firm": last}
    )
    address |= {"streetAddress": party.line1.strip(), "city": party.city.strip()}
    if party.line2 and party.line2.strip():
        address["secondaryAddress"] = party.line2.strip()
    if party.postal_code.strip():
        address["postalCode"] = party.postal_code.strip()
    if party.region:
        address["province"] = party.region
    address |= {
        "country": Locale("en").territories.get(country, country),
        "countryISOAlpha2Code": country,
    }
    phone = re.sub(r"[^\d+]", "", party.phone or "")
    if _PHONE.match(phone):
        address["phone"] = phone
    for key, limit in _LIMITS.items():
        if len(str(address.get(key, ""))) > limit:
            raise ValueError(f"recipient: USPS takes at most {limit} characters for {key}")
    return address
