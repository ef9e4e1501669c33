"""Bodies of the maintenance-window and system-health endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field

from oms_dashboard.api.schemas import RequestBody, Text, Time


class MaintenanceWindowIn(RequestBody):
    starts_at: AwareDatetime = Field(description="at least 24 hours from now, with its zone")
    ends_at: AwareDatetime = Field(description="after starts_at, at most 12 hours later")
    message: Annotated[Text, Field(max_length=500)] = ""


class MaintenanceWindowOut(BaseModel):
    id: str
    starts_at: Time
    ends_at: Time
    message: str
    created_by: str
    created_at: Time
    cancelled_at: Time | None
    cancelled_by: str | None


class ProbeOut(BaseModel):
    state: str = Field(description="ok, degraded or down")
    latency_ms: float | None
    error: str | None


class QueueOut(BaseModel):
    name: str
    length: int | None = Field(description="null when Redis does not answer")
    failed: int | None
    workers: int


class WorkerOut(BaseModel):
    name: str
    state: str
    queues: list[str]
    last_heartbeat: Time | None
    current_job: str | None


class FailedJobOut(BaseModel):
    id: str
    queue: str
    function: str
    error: str
    ended_at: Time | None


class OutboxOut(BaseModel):
    state: str
    pending: int
    oldest_pending_at: Time | None
    oldest_pending_seconds: float | None
    failed: int


class CarrierHealthOut(BaseModel):
    carrier: str
    enabled: bool
    state: str
    detail: str
    queued_updates: int


class CronRunOut(BaseModel):
    job: str
    interval_seconds: int
    last_started: Time | None
    last_finished: Time | None
    outcome: str | None
    error: str | None
    overdue: bool


class SystemHealthOut(BaseModel):
    checked_at: datetime
    degraded: list[str] = Field(description="what is not working, in words; empty when all is")
    database: ProbeOut
    redis: ProbeOut
    workers_state: str
    queues: list[QueueOut]
    workers: list[WorkerOut]
    failed_jobs: list[FailedJobOut]
    outbox: OutboxOut | None
    carriers: list[CarrierHealthOut]
    cron: list[CronRunOut]
