"""UPS Track Alert pushes read into tracking updates, by the same rules as the Track API.

Follows UPS's OpenAPI ``UPSTrackAlert.yaml`` (github.com/UPS-API/api-documentation),
``webhooks.TrackingEvent``: after a subscription (``POST /api/track/v1/subscription/
standard/package``) UPS POSTs one JSON object per event to the subscriber's URL, with the
``credential`` header the subscription gave. The object names the package
(``trackingNumber``), the place (``activityLocation``), the event (``activityStatus``: type,
code, description, descriptionCode), its local and GMT date and time, and the
``scheduledDeliveryDate``; ``actualDeliveryDate`` stays blank until delivery.

Track Alert's status types are the Track API's with one difference UPS's own examples show:
its ``D`` covers "loaded on delivery vehicle, out for delivery, delivered", and its out for
delivery event is typed ``I`` with ``descriptionCode`` 021. Both are read as the Track API's
``O`` (Out for Delivery), except a ``D`` that carries its actual delivery date, so every
event goes through ``ups_parse.STATUSES`` like a tracked scan. ``U`` (an update, normally of
the scheduled date) says nothing about where the package is.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from oms_dashboard.carriers.base import CarrierError, Scan, ScanLocation, TrackingUpdate, aware
from oms_dashboard.carriers.ups_parse import CARRIER, _date, _datetime, _text, status_of

OUT_FOR_DELIVERY = "021"
"""Track Alert's descriptionCode for "Out for Delivery" (the spec's example 6)."""


def parse_webhook(payload: Any) -> list[TrackingUpdate]:
    """The one update a Track Alert event stands for: its package, its scan, the scheduled
    delivery day (none once delivered: the delivery scan says when)."""
    if not isinstance(payload, Mapping):
        raise CarrierError(CARRIER, "a Track Alert event is a JSON object")
    number = _text(payload.get("trackingNumber")).upper()
    if not number:
        raise CarrierError(CARRIER, "the Track Alert event has no trackingNumber")
    event = payload.get("activityStatus")
    event = event if isinstance(event, Mapping) else {}
    location = _location(payload.get("activityLocation"))
    at = _event_time(payload, location)
    if at is None:
        raise CarrierError(CARRIER, f"the Track Alert event for {number} has no readable time")
    delivered_on = _date(payload.get("actualDeliveryDate"))
    scheduled = None if delivered_on else _date(payload.get("scheduledDeliveryDate"))
    code = track_status_type(event, delivered=delivered_on is not None)
    scan = Scan(at=at, code=code, description=_text(event.get("description")), location=location)
    return [
        TrackingUpdate(
            tracking_number=number,
            status=status_of(code),
            scans=[scan],
            estimated_delivery=scheduled,
        )
    ]


def track_status_type(event: Mapping[str, Any], *, delivered: bool) -> str:
    """The Track API status type a Track Alert ``activityStatus`` stands for."""
    kind = _text(event.get("type")).upper()
    if kind == "D" and not delivered:
        return "O"
    if kind == "I" and _text(event.get("descriptionCode")) == OUT_FOR_DELIVERY:
        return "O"
    return kind


def _event_time(payload: Mapping[str, Any], location: ScanLocation | None) -> datetime | None:
    gmt = _datetime(payload.get("gmtActivityDate"), payload.get("gmtActivityTime"))
    if gmt is not None:
        return gmt.replace(tzinfo=UTC)
    local = _datetime(payload.get("localActivityDate"), payload.get("localActivityTime"))
    return aware(local, location) if local is not None else None


def _location(value: Any) -> ScanLocation | None:
    if not isinstance(value, Mapping):
        return None
    place = ScanLocation(
        city=_text(value.get("city")) or None,
        region=_text(value.get("stateProvince")) or None,
        postal_code=_text(value.get("postalCode")) or None,
        country=_text(value.get("country")).upper() or None,
    )
    return place if any((place.city, place.region, place.postal_code, place.country)) else None
