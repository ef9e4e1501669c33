"""Running the platform: when each periodic job last ran, and announced maintenance."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from oms_dashboard.models.base import time_field


class CronRun(SQLModel, table=True):
    """One run of a periodic job: written when it starts, finished when it ends."""

    __tablename__ = "cron_runs"
    __table_args__ = (
        sa.Index("ix_cron_runs_job_started", "job", "started_at"),
        sa.CheckConstraint("outcome IN ('running', 'ok', 'error')", name="ck_cron_runs_outcome"),
    )

    id: str = Field(primary_key=True, max_length=40)
    job: str = Field(max_length=80)
    started_at: datetime = time_field(default_now=True)
    finished_at: datetime | None = time_field(nullable=True)
    outcome: str = Field(default="running", max_length=16)
    error: str | None = Field(default=None, max_length=2000)


class MaintenanceWindow(SQLModel, table=True):
    """A time an admin announced the platform may be unavailable; every user sees it."""

    __tablename__ = "maintenance_windows"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ck_maintenance_windows_ends_after"),
    )

    id: str = Field(primary_key=True, max_length=40)
    starts_at: datetime = time_field(index=True)
    ends_at: datetime = time_field()
    message: str = Field(max_length=500)
    created_by: str = Field(max_length=40)
    created_at: datetime = time_field(default_now=True)
    cancelled_at: datetime | None = time_field(nullable=True)
    cancelled_by: str | None = Field(default=None, max_length=40)
