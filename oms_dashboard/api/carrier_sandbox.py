"""The carrier sandbox's harness (API.md, "Sandbox contracts"): a test harness makes a
sandbox carrier record a scan; the OMS learns it the way it learns from the carrier.

Each carrier's own API shapes are served by ``oms_dashboard.carriers.sandbox.<carrier>``.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from oms_dashboard.api.deps import SessionDep
from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import ScanLocation
from oms_dashboard.domain.tracking import CarrierName

router = APIRouter(tags=["sandbox"], include_in_schema=False)


class LocationIn(BaseModel):
    city: str = Field(min_length=1, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    country: str = Field(min_length=2, max_length=2)
    postal_code: str | None = Field(default=None, max_length=20)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class ScanIn(BaseModel):
    status: Literal["in_transit", "out_for_delivery", "delivered", "exception"]
    location: LocationIn | None = None
    reason: str | None = Field(default=None, max_length=300)


@router.post("/sandbox/carriers/{carrier}/shipments/{tracking_number}/scans", status_code=201)
def post_scan(carrier: CarrierName, tracking_number: str, body: ScanIn, session: SessionDep):
    """Record a scan of a sandbox package; 404 for a package this carrier does not have."""
    location = ScanLocation(**body.location.model_dump()) if body.location else None
    sandbox.record_scan(
        session,
        carrier=carrier.value,
        tracking_number=tracking_number,
        status=sandbox.HARNESS_STATUSES[body.status],
        location=location,
        reason=body.reason,
    )
    package = sandbox.packages(session, carrier.value, [tracking_number])[tracking_number]
    return {
        "tracking_number": tracking_number,
        "status": package.status.value,
        "scans": len(package.events),
    }
