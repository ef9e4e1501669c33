"""When each periodic job last ran, and how it ended: what the health page shows."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

from oms_dashboard.ids import new_id
from oms_dashboard.models import CronRun
from oms_dashboard.models.base import utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")

KEEP_RUNS = timedelta(days=2)
"""Older runs of a job are deleted as it finishes: the table stays small."""


def recorded_run(engine: Engine, job: str, work: Callable[[], T]) -> T:
    """Run ``work`` with a row saying it started, then how it ended (errors re-raised).

    Each write is a short transaction of its own, never the job's: a job that rolls
    back still leaves its run on record.
    """
    run_id = new_id("cron")
    try:
        with Session(engine) as session:
            session.add(CronRun(id=run_id, job=job))
            session.commit()
    except sa.exc.SQLAlchemyError:
        log.exception("could not record the start of %s", job)
    try:
        result = work()
    except BaseException as exc:
        _finish(engine, job, run_id, "error", f"{type(exc).__name__}: {exc}"[:2000])
        raise
    _finish(engine, job, run_id, "ok", None)
    return result


def _finish(engine: Engine, job: str, run_id: str, outcome: str, error: str | None) -> None:
    try:
        with Session(engine) as session:
            session.execute(
                sa.update(CronRun)
                .where(CronRun.id == run_id)
                .values(finished_at=utcnow(), outcome=outcome, error=error)
            )
            session.execute(
                sa.delete(CronRun).where(
                    CronRun.job == job, CronRun.started_at < utcnow() - KEEP_RUNS
                )
            )
            session.commit()
    except sa.exc.SQLAlchemyError:
        log.exception("could not record the end of cron run %s", run_id)


@dataclass(frozen=True)
class CronStatus:
    job: str
    interval_seconds: int
    last_started: datetime | None
    last_finished: datetime | None
    outcome: str | None
    """running, ok or error; None when it never ran."""
    error: str | None
    overdue: bool
    """No run started within two intervals (plus a minute): the cron or the workers stopped."""


def cron_status(
    session: Session, schedule: Iterable[tuple[str, int]], *, now: datetime | None = None
) -> list[CronStatus]:
    """The last run of each ``(job, seconds between runs)``; one query."""
    now = now or utcnow()
    jobs = dict(schedule)
    latest = (
        select(CronRun.job, sa.func.max(CronRun.started_at).label("started"))
        .where(CronRun.job.in_(jobs))
        .group_by(CronRun.job)
        .subquery()
    )
    rows = session.exec(
        select(CronRun).join(
            latest, sa.and_(CronRun.job == latest.c.job, CronRun.started_at == latest.c.started)
        )
    ).all()
    last = {row.job: row for row in rows}
    statuses = []
    for job, seconds in jobs.items():
        run = last.get(job)
        due_by = timedelta(seconds=2 * seconds + 60)
        statuses.append(
            CronStatus(
                job=job,
                interval_seconds=seconds,
                last_started=run.started_at if run else None,
                last_finished=run.finished_at if run else None,
                outcome=run.outcome if run else None,
                error=run.error if run else None,
                overdue=run is None or now - run.started_at > due_by,
            )
        )
    return statuses
