"""Running the platform (admins): maintenance windows, system health, failed jobs."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Response

from oms_dashboard.api.deps import EngineDep, SessionDep, require_role
from oms_dashboard.api.operations_schemas import (
    MaintenanceWindowIn,
    MaintenanceWindowOut,
    SystemHealthOut,
)
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import Text
from oms_dashboard.jobs.connection import QUEUES, redis_url
from oms_dashboard.jobs.schedule import intervals
from oms_dashboard.services import maintenance, system_health
from oms_dashboard.services.actor import Actor, Role

router = APIRouter(tags=["system"])
IdPath = Annotated[Text, Path(max_length=64)]


def _window(window) -> MaintenanceWindowOut:
    return MaintenanceWindowOut.model_validate(window, from_attributes=True)


@router.get(
    "/api/v1/maintenance-windows",
    response_model=list[MaintenanceWindowOut],
    responses=responses(401, 403),
)
def list_windows(
    session: SessionDep, actor: Actor = require_role(Role.ADMIN)
) -> list[MaintenanceWindowOut]:
    """Windows not yet over (soonest first), then the last ten that ended."""
    return [_window(w) for w in maintenance.list_maintenance(session, actor=actor)]


@router.post(
    "/api/v1/maintenance-windows",
    response_model=MaintenanceWindowOut,
    status_code=201,
    responses=responses(401, 403, 409, 422),
)
def announce_window(
    body: MaintenanceWindowIn, engine: EngineDep, actor: Actor = require_role(Role.ADMIN)
) -> MaintenanceWindowOut:
    """Announce maintenance at least 24 h ahead (409 ``too-short-notice`` otherwise);
    every signed-in user sees the banner from now on. Audited."""
    window = maintenance.announce_maintenance(
        engine,
        actor=actor,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        message=body.message,
    )
    return _window(window)


@router.delete(
    "/api/v1/maintenance-windows/{window_id}",
    response_model=MaintenanceWindowOut,
    responses=responses(401, 403, 404, 409),
)
def cancel_window(
    window_id: IdPath, engine: EngineDep, actor: Actor = require_role(Role.ADMIN)
) -> MaintenanceWindowOut:
    """Cancel an announced window (the banner goes); audited. The row is kept."""
    return _window(maintenance.cancel_maintenance(engine, actor=actor, window_id=window_id))


@router.get("/api/v1/system-health", response_model=SystemHealthOut, responses=responses(401, 403))
def read_system_health(
    engine: EngineDep, actor: Actor = require_role(Role.ADMIN)
) -> SystemHealthOut:
    """What the admin's health page shows; answers within about 2 s whatever is down."""
    health = system_health.system_health(
        actor=actor,
        engine=engine,
        redis_url=redis_url(),
        queue_names=QUEUES,
        schedule=intervals(),
    )
    return SystemHealthOut(
        **asdict(health), degraded=health.degraded, workers_state=health.workers_state
    )


@router.post(
    "/api/v1/failed-jobs/{queue}/{job_id}/retry",
    status_code=204,
    responses=responses(401, 403, 404),
)
def retry_job(
    queue: IdPath, job_id: IdPath, engine: EngineDep, actor: Actor = require_role(Role.ADMIN)
) -> Response:
    """Put a failed job back on its queue; audited."""
    system_health.retry_failed_job(
        actor=actor, engine=engine, redis_url=redis_url(), queue_name=queue, job_id=job_id
    )
    return Response(status_code=204)


@router.delete(
    "/api/v1/failed-jobs/{queue}/{job_id}",
    status_code=204,
    responses=responses(401, 403, 404),
)
def delete_job(
    queue: IdPath, job_id: IdPath, engine: EngineDep, actor: Actor = require_role(Role.ADMIN)
) -> Response:
    """Delete a failed job for good; audited."""
    system_health.delete_failed_job(
        actor=actor, engine=engine, redis_url=redis_url(), queue_name=queue, job_id=job_id
    )
    return Response(status_code=204)
