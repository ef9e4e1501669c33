"""The KPI page: the filters, and the cards, table and figures of one ``kpi_report``.

The report is computed when the page loads and when a filter changes, never on
another event; the figures are built then and kept in the state (the revenue
figure, which also depends on the chosen currency, is a cached var over rows kept
on the server). Admins and sellers share the view; a seller's is scoped to their
own orders by the service itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

import reflex as rx

from oms_dashboard.analytics import kpi_figures as figures
from oms_dashboard.db import session_scope
from oms_dashboard.domain import kpis as rules
from oms_dashboard.domain.tracking import CarrierName
from oms_dashboard.formatting.money import format_money
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import kpis
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import ServiceError, ValidationFailed
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.guard import OK, GuardedState

ALL = "all"
PRESETS = ((7, "7 days"), (30, "30 days"), (90, "90 days"), (365, "12 months"))
CARRIERS = [(ALL, "All carriers")] + [(c.value, c.value.upper()) for c in CarrierName]


@dataclass
class KpiCard:
    key: str
    title: str
    value: str
    raw: float | None
    target: str
    verdict: str
    """met, missed, or none (nothing to count)."""
    trend: str
    trend_color: str
    definition: str
    counted: str


@dataclass
class SellerRow:
    seller: str
    orders: str
    fulfillment_rate: str
    avg_processing_hours: str
    on_time_delivery_rate: str
    satisfaction: str
    accuracy_rate: str
    avg_refund_hours: str
    late: str


def kpi_cards(report: kpis.KpiReport) -> list[KpiCard]:
    """One card per KPI: the value, the target and the verdict, the trend, the words."""
    cards = []
    for k in report.kpis:
        d = k.definition
        verdict = "none" if k.met is None else ("met" if k.met else "missed")
        if k.trend.change is None:
            trend = "No figure for the previous period"
        else:
            previous = rules.format_value(k.previous, d.unit)
            trend = f"{rules.format_change(k.trend.change, d.unit)} vs {previous} before"
        color = {True: "green", False: "red"}.get(k.trend.improved, "gray")
        cards.append(
            KpiCard(
                key=d.key.value,
                title=d.title,
                value=rules.format_value(k.value, d.unit),
                raw=k.value,
                target=f"Target {d.target_label}",
                verdict=verdict,
                trend=trend,
                trend_color=color,
                definition=d.definition,
                counted=f"over {k.counted:,}",
            )
        )
    return cards


def seller_rows(report: kpis.KpiReport) -> list[SellerRow]:
    frame = report.sellers.sort_values("paid", ascending=False)
    units = {d.key.value: d.unit for d in rules.DEFINITIONS}

    def shown(row: Any, key: str) -> str:
        value = row[key]
        return rules.format_value(None if value != value else float(value), units[key])

    return [
        SellerRow(
            seller=report.seller_names.get(row["seller_id"], row["seller_id"]),
            orders=f"{int(row['paid']):,}",
            late=f"{int(row['late_shipped']):,} of {int(row['processed']):,}",
            **{key: shown(row, key) for key in units},
        )
        for _, row in frame.iterrows()
    ]


class KpiView(GuardedState, mixin=True):
    """Mix in before ``AuthState``. ``is_admin`` decides whether the seller filter and
    the per-seller table show."""

    start: str = ""
    end: str = ""
    seller_filter: str = ALL
    carrier_filter: str = ALL
    country_filter: str = ""
    currency: str = ""
    error: str = ""
    period_label: str = ""
    orders_text: str = ""
    orders_trend: str = ""
    revenue_lines: list[list[str]] = []
    """[currency, amount] per currency sold in."""
    has_shipped: bool = False
    has_carriers: bool = False
    has_refunds: bool = False
    has_tickets: bool = False
    currencies: list[str] = []
    seller_options: list[list[str]] = []
    cards: list[KpiCard] = []
    sellers: list[SellerRow] = []
    fig_orders: dict[str, Any] = {}
    fig_funnel: dict[str, Any] = {}
    fig_late: dict[str, Any] = {}
    fig_carriers: dict[str, Any] = {}
    fig_refunds: dict[str, Any] = {}
    fig_tickets: dict[str, Any] = {}
    _revenue_rows: list[dict[str, Any]] = []
    is_admin: ClassVar[bool] = True

    def _clear_view(self) -> None:
        self.cards, self.sellers, self.revenue_lines, self._revenue_rows = [], [], [], []

    @rx.var(cache=True)
    def fig_revenue(self) -> dict[str, Any]:
        import pandas as pd

        rows = pd.DataFrame(self._revenue_rows)
        if rows.empty or not self.currency:
            return figures.revenue_per_day(
                pd.DataFrame(columns=["currency"]), self.currency or "USD"
            )
        rows["day"] = pd.to_datetime(rows["day"]).dt.date
        return figures.revenue_per_day(rows, self.currency)

    @rx.event
    def load(self):
        return self._refresh()

    @rx.event
    def set_preset(self, days: int):
        today = utcnow().date()
        self.start, self.end = (
            (today - timedelta(days=int(days) - 1)).isoformat(),
            today.isoformat(),
        )
        return self._refresh()

    @rx.event
    def set_start(self, value: str):
        self.start = value
        return self._refresh()

    @rx.event
    def set_end(self, value: str):
        self.end = value
        return self._refresh()

    @rx.event
    def set_seller_filter(self, value: str):
        self.seller_filter = value or ALL
        return self._refresh()

    @rx.event
    def set_carrier_filter(self, value: str):
        self.carrier_filter = value or ALL
        return self._refresh()

    @rx.event
    def set_country_filter(self, value: str):
        self.country_filter = value.strip().upper()
        return self._refresh()

    @rx.event
    def set_currency(self, value: str):
        if value in self.currencies:
            self.currency = value

    def _dates(self) -> tuple[date | None, date | None]:
        try:
            start = date.fromisoformat(self.start) if self.start else None
            end = date.fromisoformat(self.end) if self.end else None
        except ValueError:
            raise ValidationFailed.one("from", "must be a date like 2026-06-01") from None
        return start, end

    def _refresh(self):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            try:
                start, end = self._dates()
                filters = kpis.kpi_filters(
                    actor=gate,
                    start=start,
                    end=end,
                    seller_id=None if self.seller_filter == ALL else self.seller_filter,
                    carrier=None if self.carrier_filter == ALL else self.carrier_filter,
                    country=self.country_filter or None,
                )
                report = kpis.kpi_report(session, actor=gate, filters=filters)
            except ServiceError as refused:
                self.error = str(refused)
                self.access = OK
                return None
            self._show(report, is_admin=gate.role is Role.ADMIN)
            self.access = OK
        return None

    def _show(self, report: kpis.KpiReport, *, is_admin: bool) -> None:
        period = report.filters.period
        self.error = ""
        self.start, self.end = period.start.isoformat(), period.end.isoformat()
        self.period_label = (
            f"Orders placed {period.label} ({period.days} days, UTC), "
            f"compared with the {period.days} days before"
        )
        self.orders_text = f"{report.orders:,}"
        self.orders_trend = f"{report.previous_orders:,} in the previous period"
        self.revenue_lines = [
            [cur, format_money(minor, cur)] for cur, minor in sorted(report.revenue_minor.items())
        ] or [["", "—"]]
        self.currencies = report.currencies
        if self.currency not in self.currencies:
            self.currency = self.currencies[0] if self.currencies else ""
        self.seller_options = [[ALL, "All sellers"]] + [
            [sid, name] for sid, name in report.seller_names.items()
        ]
        self.cards = kpi_cards(report)
        self.sellers = seller_rows(report) if is_admin else []
        totals = report.daily[kpis.SUMMED].sum().to_dict()
        self.has_shipped = bool(totals.get("processed", 0))
        self.has_carriers = not report.carriers.empty
        self.has_refunds = not report.refund_reasons.empty
        self.has_tickets = not report.tickets.empty
        self.fig_orders = figures.orders_per_day(report.daily)
        self.fig_funnel = figures.status_funnel(totals)
        self.fig_late = figures.late_shipments(report.sellers, report.seller_names)
        self.fig_carriers = figures.carrier_performance(report.carriers)
        self.fig_refunds = figures.refunds_by_reason(report.refund_reasons)
        self.fig_tickets = figures.tickets_by_priority(report.tickets)
        revenue = report.daily_revenue.assign(day=report.daily_revenue["day"].map(str))
        self._revenue_rows = revenue[["day", "currency", "net_minor"]].to_dict("records")


class AdminKpiState(KpiView, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ADMIN})


class SellerKpiState(KpiView, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.SELLER})
    is_admin: ClassVar[bool] = False
