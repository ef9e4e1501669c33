"""The admin's system health page: queues, workers, failed jobs, outbox, carriers,
periodic jobs, database and Redis; and the maintenance windows announced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import reflex as rx

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.domain.errors import DomainError
from oms_dashboard.jobs.connection import QUEUES, redis_url
from oms_dashboard.jobs.schedule import intervals
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import maintenance, system_health
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import ServiceError
from oms_dashboard.services.system_health import DEGRADED, DOWN, Health, Probe
from oms_dashboard.services.system_health import OK as HEALTHY
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.banner import BannerState
from oms_dashboard.ui.states.guard import OK, GuardedState

UNKNOWN = "unknown"


@dataclass
class StoreView:
    name: str = ""
    state: str = UNKNOWN
    detail: str = ""


@dataclass
class QueueRow:
    name: str
    waiting: str
    failed: str
    workers: str


@dataclass
class WorkerRow:
    name: str
    state: str
    queues: str
    heartbeat_relative: str
    heartbeat_exact: str
    job: str


@dataclass
class FailedRow:
    id: str
    queue: str
    function: str
    error: str
    ended_relative: str
    ended_exact: str


@dataclass
class CarrierRow:
    carrier: str
    state: str
    detail: str
    queued: str


@dataclass
class CronRow:
    job: str
    every: str
    last_relative: str
    last_exact: str
    outcome: str
    state: str
    note: str
    error: str


def cron_note(outcome: str | None, overdue: bool) -> str:
    if outcome is None:
        return "never ran"
    if outcome == "error":
        return "failed"
    if overdue:
        return "overdue"
    return "running" if outcome == "running" else ""


@dataclass
class WindowRow:
    id: str
    when: str
    message: str
    status: str
    cancellable: bool


def every(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"every {seconds // 3600} h"
    if seconds % 60 == 0:
        return f"every {seconds // 60} min"
    return f"every {seconds} s"


def age(seconds: float | None) -> str:
    if seconds is None:
        return "none waiting"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def store_view(name: str, probe: Probe) -> StoreView:
    if probe.state == DOWN:
        return StoreView(name, DOWN, f"Not answering: {probe.error}")
    slow = " (slow)" if probe.state == DEGRADED else ""
    return StoreView(name, probe.state, f"Answered in {probe.latency_ms:.1f} ms{slow}")


def worst(*states: str) -> str:
    for state in (DOWN, DEGRADED, UNKNOWN):
        if state in states:
            return state
    return HEALTHY


def parse_utc(value: Any) -> datetime | None:
    """A ``datetime-local`` field's value, read as UTC (the form says so)."""
    try:
        return datetime.fromisoformat(str(value).strip()).replace(tzinfo=UTC)
    except ValueError:
        return None


class HealthState(GuardedState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ADMIN})
    checked: str = ""
    degraded: list[str] = []
    database: StoreView = StoreView()
    redis: StoreView = StoreView()
    workers_state: str = UNKNOWN
    queues: list[QueueRow] = []
    workers: list[WorkerRow] = []
    failed: list[FailedRow] = []
    outbox_state: str = UNKNOWN
    outbox_pending: str = ""
    outbox_oldest: str = ""
    outbox_failed: str = ""
    carriers_state: str = UNKNOWN
    carriers: list[CarrierRow] = []
    cron_state: str = UNKNOWN
    cron: list[CronRow] = []
    windows: list[WindowRow] = []
    window_error: str = ""
    window_form_key: int = 0
    deleting: str = ""
    """``queue/job id`` of the failed job whose deletion waits for confirmation."""

    def _clear_view(self) -> None:
        self.queues, self.workers, self.failed, self.carriers, self.cron = [], [], [], [], []
        self.windows, self.degraded = [], []

    def _gate(self) -> Actor | Any:
        with session_scope() as session:
            return self._guard(session)

    @rx.event
    def load(self):
        gate = self._gate()
        if not isinstance(gate, Actor):
            return gate
        self._refresh(gate)
        self.access = OK
        return None

    def _refresh(self, gate: Actor) -> None:
        health = system_health.system_health(
            actor=gate,
            engine=current().engine,
            redis_url=redis_url(),
            queue_names=QUEUES,
            schedule=intervals(),
        )
        self._show(health)
        with session_scope() as session:
            self._show_windows(maintenance.list_maintenance(session, actor=gate))

    def _show(self, health: Health) -> None:
        now = health.checked_at
        self.checked = f"Checked {fmt.exact_time(now)}; every probe gives up within a second."
        self.degraded = health.degraded
        self.database = store_view("Database", health.database)
        self.redis = store_view("Redis", health.redis)
        self.workers_state = health.workers_state
        self.queues = [
            QueueRow(
                q.name,
                "?" if q.length is None else str(q.length),
                "?" if q.failed is None else str(q.failed),
                str(q.workers),
            )
            for q in health.queues
        ]
        self.workers = [
            WorkerRow(
                w.name,
                w.state,
                ", ".join(w.queues),
                fmt.relative_time(w.last_heartbeat, now),
                fmt.exact_time(w.last_heartbeat),
                w.current_job or "",
            )
            for w in health.workers
        ]
        self.failed = [
            FailedRow(
                j.id,
                j.queue,
                j.function.rsplit(".", 1)[-1],
                j.error,
                fmt.relative_time(j.ended_at, now),
                fmt.exact_time(j.ended_at),
            )
            for j in health.failed_jobs
        ]
        outbox = health.outbox
        self.outbox_state = outbox.state if outbox else UNKNOWN
        self.outbox_pending = str(outbox.pending) if outbox else "?"
        self.outbox_oldest = age(outbox.oldest_pending_seconds) if outbox else "?"
        self.outbox_failed = str(outbox.failed) if outbox else "?"
        self.carriers = [
            CarrierRow(c.carrier.upper(), c.state, c.detail, str(c.queued_updates))
            for c in health.carriers
        ]
        self.carriers_state = worst(*(c.state for c in health.carriers if c.enabled))
        self.cron = [
            CronRow(
                job=c.job.replace("_", " "),
                every=every(c.interval_seconds),
                last_relative=fmt.relative_time(c.last_started, now) if c.last_started else "never",
                last_exact=fmt.exact_time(c.last_started),
                outcome=c.outcome or "never ran",
                state=DEGRADED if c.overdue or c.outcome == "error" else HEALTHY,
                note=cron_note(c.outcome, c.overdue),
                error=c.error or "",
            )
            for c in health.cron
        ]
        if not health.cron:
            self.cron_state = UNKNOWN
        else:
            self.cron_state = worst(*(row.state for row in self.cron))

    def _show_windows(self, windows) -> None:
        now = utcnow()
        rows = []
        for w in windows:
            if w.cancelled_at is not None:
                status = "cancelled"
            elif w.ends_at <= now:
                status = "over"
            elif w.starts_at <= now:
                status = "under way"
            else:
                status = "announced"
            rows.append(
                WindowRow(
                    id=w.id,
                    when=f"{w.starts_at.astimezone(UTC):%a %d %b %Y %H:%M} to "
                    f"{w.ends_at.astimezone(UTC):%H:%M} UTC",
                    message=w.message,
                    status=status,
                    cancellable=status in ("announced", "under way"),
                )
            )
        self.windows = rows

    @rx.event
    def retry_job(self, queue: str, job_id: str):
        return self._job_action(queue, job_id, system_health.retry_failed_job, "queued again")

    @rx.event
    def ask_delete(self, queue: str, job_id: str):
        self.deleting = f"{queue}/{job_id}"

    @rx.event
    def cancel_delete(self):
        self.deleting = ""

    @rx.event
    def confirm_delete(self):
        queue, _, job_id = self.deleting.partition("/")
        self.deleting = ""
        return self._job_action(queue, job_id, system_health.delete_failed_job, "deleted")

    def _job_action(self, queue: str, job_id: str, action, done: str):
        gate = self._gate()
        if not isinstance(gate, Actor):
            return gate
        try:
            action(
                actor=gate,
                engine=current().engine,
                redis_url=redis_url(),
                queue_name=queue,
                job_id=job_id,
            )
        except ServiceError as exc:
            self._refresh(gate)
            return rx.toast.error(f"Nothing changed: {exc.detail}")
        self._refresh(gate)
        return rx.toast.success(f"Job {job_id[:12]}… {done}.")

    @rx.event
    def announce(self, form: dict[str, Any]):
        gate = self._gate()
        if not isinstance(gate, Actor):
            return gate
        starts, ends = parse_utc(form.get("starts_at")), parse_utc(form.get("ends_at"))
        if starts is None or ends is None:
            self.window_error = "Give both the start and the end (date and time, UTC)."
            return None
        try:
            window = maintenance.announce_maintenance(
                current().engine,
                actor=gate,
                starts_at=starts,
                ends_at=ends,
                message=str(form.get("message", "")),
            )
        except ServiceError as exc:
            self.window_error = f"Not announced: {exc.detail}."
            return None
        except DomainError as exc:
            self.window_error = f"Not announced: {exc}."
            return None
        self.window_error = ""
        self.window_form_key += 1
        self._refresh(gate)
        return [
            BannerState.load,
            rx.toast.success(
                f"Maintenance announced for {window.starts_at.astimezone(UTC):%a %d %b %H:%M} UTC: "
                "every signed-in user sees the banner."
            ),
        ]

    @rx.event
    def cancel_window(self, window_id: str):
        gate = self._gate()
        if not isinstance(gate, Actor):
            return gate
        try:
            maintenance.cancel_maintenance(current().engine, actor=gate, window_id=window_id)
        except ServiceError as exc:
            return rx.toast.error(f"Not cancelled: {exc.detail}")
        except DomainError as exc:
            return rx.toast.error(f"Not cancelled: {exc}")
        self._refresh(gate)
        return [BannerState.load, rx.toast.success("Maintenance cancelled: the banner is gone.")]
