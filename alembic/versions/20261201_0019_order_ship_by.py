"""order ship-by deadline

Adds ``orders.ship_by`` (nullable; set when an order is paid) and the index
``ix_orders_seller_ship_by`` (seller_id, ship_by), and backfills every paid order
from its seller's handling hours, time zone, cut-off hour and public holidays (the
``holidays`` package, by the seller's country and region, as
``services.delivery_calendar`` reads it).

The rule is copied here, frozen, from ``oms_dashboard.domain.delivery.ship_by`` as it
was when this was written: handling starts on the local day of payment, or the next
business day when paid at or after the cut-off or on a day off; the deadline is
23:59:59 local on the ``ceil(hours / 24)``-th business day after that (0 h: the
start day itself).

The backfill walks the paid orders by id in batches of ``BATCH`` and writes each
batch with one ``UPDATE ... FROM (VALUES ...)`` on PostgreSQL (an executemany on
SQLite), so a million orders take one pass.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 18:40:00
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

BATCH = 5000
END_OF_DAY = time(23, 59, 59)


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ship_by", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_orders_seller_ship_by", ["seller_id", "ship_by"], unique=False)
    _backfill(op.get_bind())


def downgrade() -> None:
    # Not batch mode: on SQLite that copies the table, and dropping the old one fails
    # its foreign keys once orders have lines; SQLite >= 3.35 drops a column in place.
    op.drop_index("ix_orders_seller_ship_by", table_name="orders")
    op.drop_column("orders", "ship_by")


# -- the backfill ------------------------------------------------------------------


def _backfill(bind: sa.Connection) -> None:
    sellers = {
        row.id: _SellerRule(row)
        for row in bind.execute(
            sa.text(
                "SELECT id, handling_hours, timezone, cutoff_hour, country, region FROM sellers"
            )
        )
    }
    orders = sa.table(
        "orders",
        sa.column("id", sa.String),
        sa.column("seller_id", sa.String),
        sa.column("paid_at", sa.DateTime(timezone=True)),
        sa.column("ship_by", sa.DateTime(timezone=True)),
    )
    after = ""
    while True:
        rows = bind.execute(
            sa.select(orders.c.id, orders.c.seller_id, orders.c.paid_at)
            .where(orders.c.id > after, orders.c.paid_at.is_not(None))
            .order_by(orders.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        after = rows[-1].id
        values = [
            (order_id, _stored(bind, sellers[seller_id].ship_by(_aware(paid_at))))
            for order_id, seller_id, paid_at in rows
            if seller_id in sellers
        ]
        if values:
            _write(bind, orders, values)


def _write(bind: sa.Connection, orders: sa.TableClause, values: list[tuple]) -> None:
    if bind.dialect.name == "postgresql":
        batch = sa.values(
            sa.column("id", sa.String),
            sa.column("ship_by", sa.DateTime(timezone=True)),
            name="v",
        ).data(values)
        bind.execute(
            sa.update(orders).where(orders.c.id == batch.c.id).values(ship_by=batch.c.ship_by)
        )
    else:
        bind.execute(
            sa.update(orders)
            .where(orders.c.id == sa.bindparam("b_id"))
            .values(ship_by=sa.bindparam("b_ship_by")),
            [{"b_id": order_id, "b_ship_by": at} for order_id, at in values],
        )


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite through a plain text query
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _stored(bind: sa.Connection, at: datetime) -> datetime:
    """UTC; naive on SQLite, as ``models.base.UTCDateTime`` stores it."""
    at = at.astimezone(UTC)
    return at.replace(tzinfo=None) if bind.dialect.name == "sqlite" else at


class _SellerRule:
    """One seller's deadline rule (frozen ``domain.delivery.ship_by``)."""

    def __init__(self, row) -> None:
        try:
            self.zone: tzinfo = ZoneInfo(row.timezone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            self.zone = UTC
        self.days = -(-max(int(row.handling_hours), 0) // 24)
        self.cutoff = 14 if row.cutoff_hour is None else int(row.cutoff_hour)
        self.is_holiday = _holiday_checker(row.country or "", row.region)

    def _business(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def _next(self, day: date) -> date:
        for _ in range(366):
            day += timedelta(days=1)
            if self._business(day):
                return day
        return day

    def ship_by(self, paid_at: datetime) -> datetime:
        local = paid_at.astimezone(self.zone)
        day = local.date()
        if local.hour >= self.cutoff or not self._business(day):
            day = self._next(day)
        for _ in range(self.days):
            day = self._next(day)
        return datetime.combine(day, END_OF_DAY, self.zone)


def _holiday_checker(country: str, region: str | None) -> Callable[[date], bool]:
    country = country.strip().upper()
    try:
        import holidays
    except ImportError:  # no calendar: business days are Monday to Friday
        return lambda _day: False
    supported = holidays.list_supported_countries()
    if country not in supported:
        return lambda _day: False
    subdiv = (region or "").strip().upper() or None
    if subdiv not in supported[country]:
        subdiv = None

    @lru_cache(maxsize=64)
    def year(y: int) -> frozenset[date]:
        return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=y))

    return lambda day: day in year(day.year)
