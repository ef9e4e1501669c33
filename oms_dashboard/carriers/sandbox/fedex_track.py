"""The FedEx sandbox's tracking answers: a sandbox package written as FedEx's Track API v1
``completeTrackResults`` entry (the shapes of ``tests/fixtures/carriers/fedex/``), and
the same entry as FedEx's Advanced Integrated Visibility webhook pushes it.

The push is FedEx's ``TestWebhookOutputVO``: ``transactionId`` and
``output.completeTrackResults``, every scan so far (AIV's full-history option). FedEx
also sends ``outputMetaData`` (the push's time and attempt number), whose fields its
published schema excerpt does not name; the sandbox leaves it out.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale

from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import ScanLocation, ShipmentStatus, local_zone
from oms_dashboard.domain.tracking import CarrierName

CARRIER = CarrierName.FEDEX.value
DAY_WORDS = ("ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN")
"""FedEx's ``transitTime`` words, one day to ten."""

# Our status -> the one FedEx code the sandbox writes for it (a row of STATUSES), with
# FedEx's wording, its derived code (as in recorded answers: OD derives IT) and the
# scan's locationType.
CODES: dict[ShipmentStatus, tuple[str, str, str, str, str]] = {
    ShipmentStatus.SHIPPED: ("PU", "Picked up", "PU", "Picked up", "PICKUP_LOCATION"),
    ShipmentStatus.IN_TRANSIT: ("IT", "In transit", "IT", "In transit", "FEDEX_FACILITY"),
    ShipmentStatus.OUT_FOR_DELIVERY: (
        "OD",
        "On FedEx vehicle for delivery",
        "IT",
        "In transit",
        "VEHICLE",
    ),
    ShipmentStatus.DELIVERED: ("DL", "Delivered", "DL", "Delivered", "DELIVERY_LOCATION"),
    ShipmentStatus.DELIVERY_EXCEPTION: (
        "DE",
        "Delivery exception",
        "DE",
        "Delivery exception",
        "DELIVERY_LOCATION",
    ),
}
NOT_FOUND = (
    "TRACKING.TRACKINGNUMBER.NOTFOUND",
    "Tracking number cannot be found. Please correct the tracking number and try again.",
)
"""FedEx's words for a number it does not know (fixtures/carriers/fedex/SOURCES.md)."""
SERVICE_NAMES = {
    "FEDEX_GROUND": "FedEx Ground",
    "FEDEX_2_DAY": "FedEx 2Day",
    "PRIORITY_OVERNIGHT": "FedEx Priority Overnight",
}


def complete_result(number: str, package: sandbox.SandboxPackage) -> dict[str, Any]:
    latest = package.events[0]
    code, description, *_ = CODES[latest.status]
    ground = package.service == "FEDEX_GROUND"
    result: dict[str, Any] = {
        "trackingNumberInfo": {
            "trackingNumber": number,
            "carrierCode": "FDXG" if ground else "FDXE",
            "trackingNumberUniqueId": f"12026~{number}~{'FDEG' if ground else 'FX'}",
        },
        "latestStatusDetail": {
            "code": code,
            "derivedCode": code,
            "statusByLocale": description,
            "description": latest.reason or description,
            "scanLocation": _address(latest.location),
        },
        "dateAndTimes": _dates_and_times(package),
        "specialHandlings": _special_handlings(package),
        "scanEvents": [_scan_event(e) for e in package.events],
        "originLocation": {"locationContactAndAddress": {"address": _address(package.origin)}},
        "lastUpdatedDestinationAddress": _address(package.destination),
        "serviceDetail": {
            "type": package.service,
            "description": SERVICE_NAMES.get(package.service, package.service),
        },
    }
    if latest.status is ShipmentStatus.DELIVERY_EXCEPTION and latest.reason:
        result["latestStatusDetail"]["ancillaryDetails"] = [
            {"reason": "", "reasonDescription": latest.reason}
        ]
    return {"trackingNumber": number, "trackResults": [result]}


def not_found_result(number: str) -> dict[str, Any]:
    code, message = NOT_FOUND
    return {
        "trackingNumber": number,
        "trackResults": [
            {
                "trackingNumberInfo": {
                    "trackingNumber": number,
                    "carrierCode": "",
                    "trackingNumberUniqueId": "",
                },
                "error": {"code": code, "message": message},
            }
        ],
    }


def _scan_event(event: sandbox.SandboxEvent) -> dict[str, Any]:
    code, description, derived, derived_text, location_type = CODES[event.status]
    return {
        "date": _local_time(event.at, event.location),
        "eventType": code,
        "eventDescription": description,
        "exceptionCode": "",
        "exceptionDescription": event.reason or "",
        "scanLocation": {"streetLines": [""], **_address(event.location)},
        "locationType": location_type,
        "derivedStatusCode": derived,
        "derivedStatus": derived_text,
    }


def _dates_and_times(package: sandbox.SandboxPackage) -> list[dict[str, str]]:
    shipped = _local_time(package.created_at, package.origin)
    times = [{"type": "ACTUAL_PICKUP", "dateTime": shipped}, {"type": "SHIP", "dateTime": shipped}]
    latest = package.events[0]
    if latest.status is ShipmentStatus.DELIVERED:
        delivered = _local_time(latest.at, latest.location)
        times.insert(0, {"type": "ACTUAL_DELIVERY", "dateTime": delivered})
    if package.estimated_delivery is not None:
        # FedEx writes a date as midnight where the package lands.
        zone = _zone(package.destination)
        midnight = datetime.combine(package.estimated_delivery, datetime.min.time(), zone)
        times.insert(0, {"type": "ESTIMATED_DELIVERY", "dateTime": midnight.isoformat()})
    return times


def _special_handlings(package: sandbox.SandboxPackage) -> list[dict[str, str]]:
    handlings = [
        {"type": "DELIVER_WEEKDAY", "description": "Deliver Weekday", "paymentType": "OTHER"}
    ]
    if package.signature_required:
        handlings.append(
            {
                "type": "DIRECT_SIGNATURE_REQUIRED",
                "description": "Direct Signature Required",
                "paymentType": "OTHER",
            }
        )
    return handlings


def _address(location: ScanLocation) -> dict[str, Any]:
    address: dict[str, Any] = {
        "city": (location.city or "").upper(),
        "stateOrProvinceCode": location.region or "",
        "postalCode": location.postal_code or "",
        "countryCode": location.country or "",
        "residential": False,
    }
    if location.country:
        address["countryName"] = Locale("en").territories.get(location.country, "")
    return {k: v for k, v in address.items() if v != ""}


def _zone(location: ScanLocation) -> ZoneInfo:
    return local_zone(location.country, location.region, location.postal_code)


def _local_time(at: datetime, location: ScanLocation) -> str:
    """As FedEx writes a scan's time: local to the scan's place, with its offset."""
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return at.astimezone(_zone(location)).isoformat(timespec="seconds")


def webhook_body(package: sandbox.SandboxPackage) -> dict[str, Any]:
    """What FedEx POSTs to a webhook project about ``package``: its whole track result,
    which ``fedex_parse.parse_webhook`` reads back."""
    return {
        "transactionId": str(uuid.uuid4()),
        "output": {"completeTrackResults": [complete_result(package.tracking_number, package)]},
    }
