"""DHL's tracking push (webhook) read into tracking updates, as a pure function.

DHL pushes tracking through the *Shipment Tracking - Unified - Push* API (1.2.5,
https://developer.dhl.com/api-reference/shipment-tracking-unified-push), "the push
version of the Shipment Tracking Unified API": a subscription (``POST
/tracking/push/v1/subscription`` with ``hook.uri``, ``service``, ``events``) makes DHL
POST to the hook. Each message names what it is in ``scope``: the subscription's
hand-shake messages (``subscription.validate``, ``subscription.ready``, ...) carry no
tracking; ``subscription.push`` carries ``shipments``, each a Unified API shipment
(``id``, ``status``, ``events``, ``estimatedTimeOfDelivery``), read exactly as
``parse_tracking`` reads ``GET /track/shipments``.

The message envelope (``scope``, ``self``, ``shipments``) is taken from what public
consumers of the push API read (see ``tests/fixtures/carriers/dhl/SOURCES.md``): DHL's
push OpenAPI document itself was not available to check it against. A push that
carries only the shipment's ``status`` and no ``events`` is read as one scan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oms_dashboard.carriers.base import CarrierError, TrackingUpdate
from oms_dashboard.carriers.dhl_parse import CARRIER, parse_tracking

PUSH_SCOPE = "subscription.push"


def parse_webhook(payload: Any) -> list[TrackingUpdate]:
    """The updates a DHL push message carries: none for a subscription hand-shake, one
    per shipment for ``subscription.push``. Statuses through DHL's status table, times
    timezone-aware, scans newest first (as ``parse_tracking``)."""
    if not isinstance(payload, Mapping):
        raise CarrierError(CARRIER, "a DHL push message is a JSON object", code="bad-response")
    scope = payload.get("scope")
    if scope is not None and scope != PUSH_SCOPE:
        return []
    shipments = payload.get("shipments")
    if not isinstance(shipments, list):
        raise CarrierError(CARRIER, "a DHL push message without shipments", code="bad-response")
    return parse_tracking({"shipments": [_with_events(s) for s in shipments]})


def _with_events(shipment: Any) -> Mapping[str, Any]:
    if not isinstance(shipment, Mapping):
        raise CarrierError(CARRIER, "a DHL push shipment is a JSON object", code="bad-response")
    if shipment.get("events"):
        return shipment
    status = shipment.get("status")
    if isinstance(status, Mapping) and status.get("timestamp"):
        return {**shipment, "events": [status]}
    return shipment
