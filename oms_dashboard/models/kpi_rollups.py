"""The KPI dashboard's daily rollups: its facts summed per day of placing, so a year
reads a few thousand rows instead of every order (services.kpi_rollups keeps them).

Every row is keyed by the UTC day the orders were placed, their seller, destination
country and ``carriers``: a bit mask of the carriers their outbound shipments went
with (``services.kpi_queries.CARRIER_BITS``), so the page's carrier filter is one
``carriers & bit`` on these rows. Only facts that no longer move with the clock are
kept: orders still waiting to ship or be delivered, and unresolved tickets, are
counted live by the report.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from oms_dashboard.models.base import time_field


def _count() -> int:
    return Field(default=0, sa_type=sa.BigInteger)


def _hours() -> float:
    return Field(default=0.0, sa_type=sa.Float)


class KpiDailyFacts(SQLModel, table=True):
    """The summed facts of ``services.kpis.SUMMED`` for one (day, seller, currency,
    country, carriers); ratings carry no money and sit on rows of currency ""."""

    __tablename__ = "kpi_daily_facts"

    day: date = Field(primary_key=True)
    seller_id: str = Field(primary_key=True, max_length=40)
    currency: str = Field(primary_key=True, max_length=3)
    country: str = Field(primary_key=True, max_length=2)
    carriers: int = Field(primary_key=True)
    placed: int = _count()
    paid: int = _count()
    gross_minor: int = _count()
    shipped: int = _count()
    delivered: int = _count()
    cancelled: int = _count()
    fulfilled: int = _count()
    fulfillable: int = _count()
    processing_hours: float = _hours()
    processed: int = _count()
    late_shipped: int = _count()
    on_time: int = _count()
    delivery_due: int = _count()
    accurate: int = _count()
    refunds: int = _count()
    refunds_paid: int = _count()
    refunded_minor: int = _count()
    refund_hours: float = _hours()
    rating_sum: int = _count()
    ratings: int = _count()


class KpiDailyCarriers(SQLModel, table=True):
    """Outbound shipments of one day's orders by the carrier that took each."""

    __tablename__ = "kpi_daily_carriers"

    day: date = Field(primary_key=True)
    seller_id: str = Field(primary_key=True, max_length=40)
    country: str = Field(primary_key=True, max_length=2)
    carriers: int = Field(primary_key=True)
    carrier: str = Field(primary_key=True, max_length=16)
    shipments: int = _count()
    delivered: int = _count()
    transit_hours: float = _hours()
    exceptions: int = _count()


class KpiDailyTickets(SQLModel, table=True):
    """Resolved tickets about one day's orders by priority, and how many missed their SLA."""

    __tablename__ = "kpi_daily_tickets"

    day: date = Field(primary_key=True)
    seller_id: str = Field(primary_key=True, max_length=40)
    country: str = Field(primary_key=True, max_length=2)
    carriers: int = Field(primary_key=True)
    priority: str = Field(primary_key=True, max_length=16)
    priority_rank: int = Field(primary_key=True)
    tickets: int = _count()
    breached: int = _count()


class KpiDailyRefundReasons(SQLModel, table=True):
    """Refunds of one day's orders by why (a return's reason, else the rule) and status."""

    __tablename__ = "kpi_daily_refund_reasons"

    day: date = Field(primary_key=True)
    seller_id: str = Field(primary_key=True, max_length=40)
    country: str = Field(primary_key=True, max_length=2)
    carriers: int = Field(primary_key=True)
    reason: str = Field(primary_key=True, max_length=120)
    status: str = Field(primary_key=True, max_length=24)
    refunds: int = _count()


class KpiRollupDay(SQLModel, table=True):
    """A day whose rollup rows are written, and when they were last recomputed."""

    __tablename__ = "kpi_rollup_days"

    day: date = Field(primary_key=True)
    rolled_at: datetime = time_field(default_now=True)


class KpiStaleDay(SQLModel, table=True):
    """A rolled day whose orders changed since it was rolled (``services.kpi_stale``
    marks it): the next ``roll_up_recent`` recomputes it and deletes the mark.

    ``version`` goes up each time the day is marked again, so the job deletes only the
    mark it read before recomputing: one made meanwhile stays for the next run."""

    __tablename__ = "kpi_stale_days"

    day: date = Field(primary_key=True)
    version: int = Field(default=1)
    marked_at: datetime = time_field(default_now=True)
