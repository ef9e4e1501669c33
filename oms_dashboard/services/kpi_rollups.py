"""The KPI dashboard's daily rollups: writing them (a periodic job) and reading them.

``roll_up`` recomputes whole days: for the orders placed on those days it stores
what ``kpi_queries`` counts, split by (day, seller, currency, country, carrier
mask), in the ``kpi_daily_*`` tables, and marks each day rolled (``rolled_at``).
Only what no longer moves with the clock goes in: the orders still
``kpi_queries.undecided`` at that moment (not delivered before their promised date,
or paid and within their handling time) and unresolved tickets are left out, and
the report counts them live, so a rolled day gives the very numbers the live query
gives as long as its orders' data have not changed since.

Changes to an order reach the rollup when its day is recomputed: ``roll_up_recent``
(every few minutes) redoes the last ``RECENT_DAYS`` days, and every older day marked
stale (``kpi_stale_days``: the transaction that changed one of its orders marked it,
``services.kpi_stale``); ``roll_up_all`` (nightly) redoes every day. Whatever
recomputes a day deletes the marks it read first, and only those. The report always
counts today and yesterday live, and any day not rolled yet.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from oms_dashboard.models import (
    KpiDailyCarriers,
    KpiDailyFacts,
    KpiDailyRefundReasons,
    KpiDailyTickets,
    KpiRollupDay,
    KpiStaleDay,
    Order,
)
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import kpi_queries as q
from oms_dashboard.services.unit_of_work import run_in_transaction

SUMMED = [
    "placed", "paid", "gross_minor", "shipped", "delivered", "cancelled", "fulfilled",
    "fulfillable", "processing_hours", "processed", "late_shipped", "on_time", "delivery_due",
    "accurate", "refunds", "refunds_paid", "refunded_minor", "refund_hours", "rating_sum",
    "ratings",
]  # fmt: skip
"""The same list as ``services.kpis.SUMMED``: the columns of ``kpi_daily_facts``."""

KEYS = ["day", "seller_id", "currency", "country", "carriers"]
LIVE_DAYS = 2
"""Today and yesterday are always counted live."""
RECENT_DAYS = 14
"""What ``roll_up_recent`` redoes: the days whose orders still ship, arrive, get
reviewed and refunded the most (over the million orders: ~25k orders, a few seconds)."""
MARK_AHEAD_DAYS = 2
"""Changes to the orders of the recent window's oldest days are marked too: a change
made just before midnight to the window's oldest day still reaches the rollup when
the next run no longer redoes that day (as long as the job runs once in two days;
the scheduler runs every job at once when it starts again)."""
CHUNK_DAYS = 31
"""``roll_up_all`` works a month per transaction."""
TABLES = (KpiDailyFacts, KpiDailyCarriers, KpiDailyTickets, KpiDailyRefundReasons, KpiRollupDay)


def _bounds(first: date, last: date) -> q.Scope:
    return q.Scope(
        start=datetime.combine(first, time(), UTC),
        end=datetime.combine(last + timedelta(days=1), time(), UTC),
    )


def _dated(frame: pd.DataFrame) -> pd.DataFrame:
    if not frame.empty:
        frame["day"] = pd.to_datetime(frame["day"]).dt.date
    return frame


def _numbers(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    frame[columns] = frame[columns].apply(pd.to_numeric, errors="coerce").fillna(0)
    return frame


# -- writing ------------------------------------------------------------------------------


def roll_up(session: Session, first: date, last: date, now: datetime | None = None) -> int:
    """Recompute the rollups of the days ``first``..``last`` (both included); returns
    the rows written. Call inside a transaction: the days change all at once."""
    now = now or utcnow()
    # The marks first, before any fact is read: a day marked again from here on keeps
    # its new mark (see ``_clear_marks``).
    marks = stale_marks(session, first, last)
    scope = _bounds(first, last)
    frames = [
        q.order_facts(session, scope, now, orders="settled", rollup=True),
        q.refund_facts(session, scope, rollup=True),
        q.rating_facts(session, scope, rollup=True).assign(currency=""),
    ]
    frames = [f for f in frames if not f.empty]
    facts = (
        pd.concat(frames, ignore_index=True).reindex(columns=[*KEYS, *SUMMED])
        if frames
        else pd.DataFrame(columns=[*KEYS, *SUMMED])
    )
    facts = _dated(_numbers(facts, SUMMED)).groupby(KEYS, as_index=False)[SUMMED].sum()
    carriers = _dated(q.carrier_facts(session, scope, rollup=True))
    tickets = _dated(q.ticket_facts(session, scope, now, tickets="resolved", rollup=True))
    reasons = _dated(q.refund_reasons(session, scope, rollup=True))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    conn = session.connection()
    for table in TABLES:
        conn.execute(sa.delete(table).where(table.day >= first, table.day <= last))
    written = 0
    for table, frame in (
        (KpiDailyFacts, facts),
        (KpiDailyCarriers, carriers),
        (KpiDailyTickets, tickets.rename(columns={"rank": "priority_rank"})),
        (KpiDailyRefundReasons, reasons),
    ):
        if not frame.empty:
            records = frame.to_dict("records")
            conn.execute(sa.insert(table), records)
            written += len(records)
    conn.execute(sa.insert(KpiRollupDay), [{"day": d, "rolled_at": now} for d in days])
    _clear_marks(session, marks)
    return written


def roll_up_days(engine: sa.Engine, first: date, last: date, now: datetime | None = None) -> int:
    """``roll_up`` a month per transaction, oldest first; returns the rows written."""
    written = 0
    while first <= last:
        chunk_end = min(last, first + timedelta(days=CHUNK_DAYS - 1))
        written += run_in_transaction(engine, lambda s, a=first, b=chunk_end: roll_up(s, a, b, now))
        first = chunk_end + timedelta(days=1)
    return written


def _last_rolled_day(now: datetime) -> date:
    return now.date() - timedelta(days=LIVE_DAYS)


def roll_up_recent(engine: sa.Engine, now: datetime | None = None) -> int:
    """The periodic job: redo the last ``RECENT_DAYS`` days before the live ones, every
    day since the first one never rolled (a first run rolls everything), and every
    older day marked stale."""
    now = now or utcnow()
    last = _last_rolled_day(now)
    with Session(engine) as session:
        oldest = _first_order_day(session)
        if oldest is None:
            return 0
        unrolled = first_unrolled(session, oldest, last)
    # A month per transaction: a first run cut short goes on from where it stopped.
    first = max(oldest, min(unrolled, last - timedelta(days=RECENT_DAYS - 1)))
    written = roll_up_days(engine, first, last, now)
    with Session(engine) as session:
        stale = [day for day, _ in stale_marks(session, oldest, first - timedelta(days=1))]
    for run_first, run_last in _runs(stale):
        written += roll_up_days(engine, run_first, run_last, now)
    return written


def roll_up_all(engine: sa.Engine, now: datetime | None = None) -> int:
    """The nightly job: redo every day that has orders (changes to old orders land)."""
    now = now or utcnow()
    with Session(engine) as session:
        oldest = _first_order_day(session)
    if oldest is None:
        return 0
    return roll_up_days(engine, oldest, _last_rolled_day(now), now)


def first_unmarked_day(now: datetime) -> date:
    """Changes to the orders of the days before this one mark their day stale; every
    ``roll_up_recent`` redoes the later days anyway (or the report counts them live)."""
    return _last_rolled_day(now) - timedelta(days=RECENT_DAYS - 1 - MARK_AHEAD_DAYS)


def stale_marks(session: Session, first: date, last: date) -> list[tuple[date, int]]:
    """The (day, version) of the days of ``first``..``last`` marked stale."""
    rows = session.connection().execute(
        sa.select(KpiStaleDay.day, KpiStaleDay.version)
        .where(KpiStaleDay.day >= first, KpiStaleDay.day <= last)
        .order_by(KpiStaleDay.day)
    )
    return [(_as_date(day), version) for day, version in rows]


def _clear_marks(session: Session, marks: list[tuple[date, int]]) -> None:
    """Delete the marks read before recomputing, each only at the version read.

    A transaction that marks a day while the recomputation runs bumps its version
    (or, the mark gone, inserts it afresh), so its mark survives this and the next
    run redoes the day. On PostgreSQL the DELETE waits for such a transaction still
    open (it holds the mark's row lock) and then sees the new version."""
    if not marks:
        return
    t = KpiStaleDay
    session.connection().execute(
        sa.delete(t).where(sa.or_(*(sa.and_(t.day == d, t.version == v) for d, v in marks)))
    )


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs, oldest first."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(a, b) for a, b in runs]


def _first_order_day(session: Session) -> date | None:
    first = session.connection().execute(sa.select(sa.func.min(Order.placed_at))).scalar()
    if first is None:
        return None
    if isinstance(first, str):  # SQLite hands min() back as text
        first = datetime.fromisoformat(first)
    return first.date()


# -- reading ------------------------------------------------------------------------------


def first_unrolled(session: Session, first: date, last: date) -> date:
    """The first day of ``first``..``last`` without rollups (``last`` + 1 if none)."""
    rows = session.connection().execute(
        sa.select(KpiRollupDay.day).where(KpiRollupDay.day >= first, KpiRollupDay.day <= last)
    )
    rolled = {_as_date(day) for (day,) in rows}
    day = first
    while day <= last and day in rolled:
        day += timedelta(days=1)
    return day


def rolled_until(session: Session, first: date, last: date, now: datetime) -> date:
    """Where the live count starts for the days ``first``..``last``: the rollups serve
    every day before it (none when it is ``first``)."""
    last = min(last, _last_rolled_day(now))
    oldest = _first_order_day(session)  # the days before it have nothing to count
    if last < first or oldest is None:
        return first
    return first_unrolled(session, max(first, oldest), last)


def rolled_since(session: Session, first: date, last: date) -> datetime | None:
    """When the longest-unrolled of the days ``first``..``last`` was rolled."""
    return (
        session.connection()
        .execute(
            sa.select(sa.func.min(KpiRollupDay.rolled_at)).where(
                KpiRollupDay.day >= first, KpiRollupDay.day <= last
            )
        )
        .scalar()
    )


def _as_date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _where(table, scope: q.Scope, first: date, last: date) -> list:
    where = [table.day >= first, table.day <= last]
    if scope.seller_id:
        where.append(table.seller_id == scope.seller_id)
    if scope.country:
        where.append(table.country == scope.country)
    if scope.carrier:
        where.append(table.carriers.op("&")(q.CARRIER_BITS[scope.carrier]) != 0)
    return where


def _read(session: Session, query, columns: list[str]) -> pd.DataFrame:
    rows = session.connection().execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def facts(session: Session, scope: q.Scope, first: date, last: date) -> pd.DataFrame:
    """The rolled facts per (day, seller, currency) of the days ``first``..``last``."""
    t = KpiDailyFacts
    keys = [t.day, t.seller_id, t.currency]
    query = (
        sa.select(*keys, *(sa.func.sum(getattr(t, c)) for c in SUMMED))
        .where(*_where(t, scope, first, last))
        .group_by(*keys)
    )
    return _dated(_read(session, query, ["day", "seller_id", "currency", *SUMMED]))


def carriers(session: Session, scope: q.Scope, first: date, last: date) -> pd.DataFrame:
    t = KpiDailyCarriers
    columns = ["shipments", "delivered", "transit_hours", "exceptions"]
    query = (
        sa.select(t.carrier, *(sa.func.sum(getattr(t, c)) for c in columns))
        .where(*_where(t, scope, first, last))
        .group_by(t.carrier)
    )
    return _read(session, query, ["carrier", *columns])


def tickets(session: Session, scope: q.Scope, first: date, last: date) -> pd.DataFrame:
    t = KpiDailyTickets
    query = (
        sa.select(t.priority, t.priority_rank, sa.func.sum(t.tickets), sa.func.sum(t.breached))
        .where(*_where(t, scope, first, last))
        .group_by(t.priority, t.priority_rank)
    )
    return _read(session, query, ["priority", "rank", "tickets", "breached"])


def refund_reasons(session: Session, scope: q.Scope, first: date, last: date) -> pd.DataFrame:
    t = KpiDailyRefundReasons
    query = (
        sa.select(t.reason, t.status, sa.func.sum(t.refunds))
        .where(*_where(t, scope, first, last))
        .group_by(t.reason, t.status)
    )
    return _read(session, query, ["reason", "status", "refunds"])
