"""The KPI dashboard: the spec's metrics for a period, per seller and per day, with the
previous period of the same length as the trend, and the facts behind the charts.

Aggregated in SQL (``kpi_queries``), shaped here with pandas: the order, refund and
rating facts come per (day, seller, currency) for the period and the one before,
and every figure of the page (the KPIs, the per-seller table, the daily series,
the trend) is a sum over those rows. Past days come from the daily rollups
(``kpi_rollups``, kept by a periodic job) plus a live count of their few orders
still undecided when rolled, and unresolved tickets; today, yesterday and any day not rolled yet are
counted live. Either way the rows are the same, and so are the numbers.

The page and ``GET /api/v1/kpis`` both call ``kpi_report``: one definition, one
number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
from sqlmodel import Session

from oms_dashboard.domain import kpis as rules
from oms_dashboard.domain.tracking import CarrierName
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import kpi_queries as q
from oms_dashboard.services import kpi_rollups as rollups
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import Forbidden, ValidationFailed

SUMMED = [
    "placed", "paid", "gross_minor", "shipped", "delivered", "cancelled", "fulfilled",
    "fulfillable", "processing_hours", "processed", "late_shipped", "on_time", "delivery_due",
    "accurate", "refunds", "refunds_paid", "refunded_minor", "refund_hours", "rating_sum",
    "ratings",
]  # fmt: skip
"""The facts that add up across days and sellers (money columns only within a currency)."""


@dataclass(frozen=True)
class KpiFilters:
    period: rules.Period
    seller_id: str | None = None
    carrier: str | None = None
    country: str | None = None


def kpi_filters(
    *,
    actor: Actor,
    start: date | None = None,
    end: date | None = None,
    seller_id: str | None = None,
    carrier: str | None = None,
    country: str | None = None,
    today: date | None = None,
) -> KpiFilters:
    """Check and complete what was asked for: default period, the seller's own scope.

    Admins see any seller; a seller only their own (asking for another is a 403)."""
    actor.require(Role.ADMIN, Role.SELLER)
    if actor.role is Role.SELLER:
        if seller_id and seller_id != actor.seller_id:
            raise Forbidden("a seller sees only their own numbers")
        seller_id = actor.seller_id or "-"
    today = today or utcnow().date()
    default = rules.default_period(today)
    if start is None and end is not None:
        start = end - timedelta(days=rules.DEFAULT_PERIOD_DAYS - 1)
    start, end = start or default.start, end or default.end
    errors: dict[str, str] = {}
    if end < start:
        errors["to"] = "must be on or after from"
    elif (end - start).days + 1 > rules.MAX_PERIOD_DAYS:
        errors["to"] = f"the period may be at most {rules.MAX_PERIOD_DAYS} days"
    carriers = {c.value for c in CarrierName}
    if carrier and carrier not in carriers:
        errors["carrier"] = f"must be one of {', '.join(sorted(carriers))}"
    if country and not (len(country) == 2 and country.isalpha()):
        errors["country"] = "must be an ISO 3166-1 alpha-2 code, like US"
    if errors:
        raise ValidationFailed([{"field": f, "message": m} for f, m in errors.items()])
    return KpiFilters(
        rules.Period(start, end),
        seller_id=seller_id or None,
        carrier=carrier or None,
        country=country.upper() if country else None,
    )


@dataclass
class KpiReport:
    filters: KpiFilters
    kpis: list[rules.KpiValue]
    orders: int
    """Paid orders placed in the period."""
    revenue_minor: dict[str, int]
    """Per currency: those orders' totals less the refunds paid on them."""
    previous_orders: int
    daily: pd.DataFrame
    """One row per day of the period, every day present: the facts summed, each KPI."""
    daily_revenue: pd.DataFrame
    """One row per (day, currency): paid orders, gross, refunded and net minor units."""
    sellers: pd.DataFrame
    """One row per seller with orders in the period: the facts and each KPI's value."""
    carriers: pd.DataFrame
    tickets: pd.DataFrame
    refund_reasons: pd.DataFrame
    seller_names: dict[str, str] = field(default_factory=dict)

    @property
    def currencies(self) -> list[str]:
        return sorted(self.revenue_minor)

    def value(self, key: rules.KpiKey | str) -> float | None:
        return next(k.value for k in self.kpis if k.definition.key == key)


def kpi_report(
    session: Session,
    *,
    actor: Actor,
    filters: KpiFilters,
    now: datetime | None = None,
    rollups_used: bool = True,
) -> KpiReport:
    """The report for ``filters``; ``rollups_used=False`` counts every day live (the
    rollups' tests and benchmark compare the two)."""
    now = now or utcnow()
    if actor.role is Role.SELLER and filters.seller_id != actor.seller_id:
        raise Forbidden("a seller sees only their own numbers")
    actor.require(Role.ADMIN, Role.SELLER)
    period, previous = filters.period, filters.period.previous()
    live_from = (
        rollups.rolled_until(session, previous.start, period.end, now)
        if rollups_used
        else previous.start
    )
    facts = _facts(session, filters, previous.start, period.end, live_from, now)
    in_period = facts["day"] >= period.start
    current, before = facts[in_period], facts[~in_period]
    totals, totals_before = _sums(current), _sums(before)
    money = current[current["currency"] != ""]  # ratings rows carry no money
    revenue = money.groupby("currency")[["gross_minor", "refunded_minor"]].sum()
    return KpiReport(
        filters=filters,
        kpis=[rules.evaluate(d, totals, totals_before) for d in rules.DEFINITIONS],
        orders=int(totals.get("paid", 0)),
        revenue_minor={
            str(cur): int(row.gross_minor - row.refunded_minor) for cur, row in revenue.iterrows()
        },
        previous_orders=int(totals_before.get("paid", 0)),
        daily=_daily(current, period),
        daily_revenue=_daily_revenue(current, period),
        sellers=_per_seller(current),
        carriers=_carriers(session, filters, period, live_from),
        tickets=_tickets(session, filters, period, live_from, now),
        refund_reasons=_refund_reasons(session, filters, period, live_from),
        seller_names=q.seller_names(session),
    )


def _scope(filters: KpiFilters, start: date, end: date) -> q.Scope:
    return q.Scope(
        start=datetime.combine(start, time(), UTC),
        end=datetime.combine(end + timedelta(days=1), time(), UTC),
        seller_id=filters.seller_id,
        country=filters.country,
        carrier=filters.carrier,
    )


def _split(
    filters: KpiFilters, first: date, last: date, live_from: date
) -> tuple[q.Scope | None, q.Scope | None]:
    """The scopes of ``first``..``last`` read from the rollups and counted live."""
    rolled = _scope(filters, first, live_from - timedelta(days=1)) if live_from > first else None
    live = _scope(filters, max(first, live_from), last) if live_from <= last else None
    return rolled, live


def _days(scope: q.Scope) -> tuple[date, date]:
    return scope.start.date(), scope.end.date() - timedelta(days=1)


def _facts(
    session: Session, filters: KpiFilters, first: date, last: date, live_from: date, now: datetime
) -> pd.DataFrame:
    """Every summed fact per (day, seller_id, currency); ratings carry no currency and
    sit on rows of their own (currency ""). Days before ``live_from`` come from the
    rollups and the live count of the orders left out of them."""
    keys = ["day", "seller_id", "currency"]
    rolled, live = _split(filters, first, last, live_from)
    frames = []
    if rolled:
        frames.append(rollups.facts(session, rolled, *_days(rolled)))
        since = rollups.rolled_since(session, *_days(rolled))
        frames.append(q.order_facts(session, rolled, now, orders="undecided", rolled_since=since))
    if live:
        frames.append(q.order_facts(session, live, now))
        frames.append(q.refund_facts(session, live))
        frames.append(q.rating_facts(session, live).assign(currency=""))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=[*keys, *SUMMED])
    facts = pd.concat(frames, ignore_index=True).reindex(columns=[*keys, *SUMMED])
    facts[SUMMED] = facts[SUMMED].apply(pd.to_numeric, errors="coerce").fillna(0.0)
    facts["day"] = pd.to_datetime(facts["day"]).dt.date
    return facts.groupby(keys, as_index=False)[SUMMED].sum()


def _summed(frames: list[pd.DataFrame], keys: list[str], columns: list[str]) -> pd.DataFrame:
    """The rolled and live rows of a chart's table added up by ``keys``."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=[*keys, *columns])
    table = pd.concat(frames, ignore_index=True)
    table[columns] = table[columns].apply(pd.to_numeric, errors="coerce").fillna(0)
    return table.groupby(keys, as_index=False)[columns].sum()


def _carriers(
    session: Session, filters: KpiFilters, period: rules.Period, live_from: date
) -> pd.DataFrame:
    rolled, live = _split(filters, period.start, period.end, live_from)
    frames = [rollups.carriers(session, rolled, *_days(rolled))] if rolled else []
    frames += [q.carrier_facts(session, live)] if live else []
    columns = ["shipments", "delivered", "transit_hours", "exceptions"]
    table = _summed(frames, ["carrier"], columns).sort_values("carrier", ignore_index=True)
    return table.astype({"shipments": int, "delivered": int, "exceptions": int})


def _tickets(
    session: Session, filters: KpiFilters, period: rules.Period, live_from: date, now: datetime
) -> pd.DataFrame:
    rolled, live = _split(filters, period.start, period.end, live_from)
    frames = []
    if rolled:
        frames.append(rollups.tickets(session, rolled, *_days(rolled)))
        frames.append(q.ticket_facts(session, rolled, now, tickets="unresolved"))
    if live:
        frames.append(q.ticket_facts(session, live, now))
    table = _summed(frames, ["priority", "rank"], ["tickets", "breached"])
    table = table.sort_values(["rank", "priority"], ignore_index=True)
    return table.astype({"rank": int, "tickets": int, "breached": int})


def _refund_reasons(
    session: Session, filters: KpiFilters, period: rules.Period, live_from: date
) -> pd.DataFrame:
    rolled, live = _split(filters, period.start, period.end, live_from)
    frames = [rollups.refund_reasons(session, rolled, *_days(rolled))] if rolled else []
    frames += [q.refund_reasons(session, live)] if live else []
    table = _summed(frames, ["reason", "status"], ["refunds"])
    return table.sort_values(["reason", "status"], ignore_index=True).astype({"refunds": int})


def _sums(facts: pd.DataFrame) -> dict[str, float]:
    if facts.empty:
        return {}
    return {column: float(value) for column, value in facts[SUMMED].sum().items()}


def _with_values(frame: pd.DataFrame) -> pd.DataFrame:
    for definition in rules.DEFINITIONS:
        den = frame[definition.denominator]
        frame[definition.key.value] = (frame[definition.numerator] / den).where(den > 0)
    return frame


def _daily(facts: pd.DataFrame, period: rules.Period) -> pd.DataFrame:
    """One row per day of the period (zeros where nothing happened): counts and KPIs."""
    days = pd.DataFrame({"day": [period.start + timedelta(days=i) for i in range(period.days)]})
    by_day = (
        facts.groupby("day", as_index=False)[SUMMED].sum()
        if not facts.empty
        else pd.DataFrame(columns=["day", *SUMMED])
    )
    daily = days.merge(by_day, on="day", how="left")
    daily[SUMMED] = daily[SUMMED].astype(float).fillna(0.0)
    return _with_values(daily)


def _daily_revenue(facts: pd.DataFrame, period: rules.Period) -> pd.DataFrame:
    """One row per (day, currency) for the currencies sold in: paid orders and money."""
    money = facts[facts["currency"] != ""] if not facts.empty else facts
    currencies = sorted(set(money["currency"])) if not money.empty else []
    days = pd.DataFrame({"day": [period.start + timedelta(days=i) for i in range(period.days)]})
    grid = days.merge(pd.DataFrame({"currency": currencies}, dtype=object), how="cross")
    columns = ["paid", "gross_minor", "refunded_minor"]
    by_day = (
        money.groupby(["day", "currency"], as_index=False)[columns].sum()
        if not money.empty
        else pd.DataFrame(columns=["day", "currency", *columns])
    )
    daily = grid.merge(by_day, on=["day", "currency"], how="left")
    daily[columns] = daily[columns].astype(float).fillna(0.0)
    daily["net_minor"] = daily["gross_minor"] - daily["refunded_minor"]
    return daily


def _per_seller(facts: pd.DataFrame) -> pd.DataFrame:
    if facts.empty:
        return _with_values(pd.DataFrame(columns=["seller_id", *SUMMED]))
    sellers = facts.groupby("seller_id", as_index=False)[SUMMED].sum()
    return _with_values(sellers[sellers["placed"] > 0].reset_index(drop=True))
