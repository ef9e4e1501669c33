"""A seller's standing and statement page (``/seller/standing``): the seller's own, or
any seller's for an admin (``?seller=<id>``, linked from ``/admin/sellers``).

The numbers come from the same services as ``GET /api/v1/sellers/{id}/standing`` and
``/statement``; the CSV is the API's CSV.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

import reflex as rx

from oms_dashboard.db import session_scope
from oms_dashboard.formatting.money import format_money
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import seller_standing, settlement
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import NotFound, ServiceError
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.guard import FORBIDDEN, NOT_FOUND, OK, GuardedState

MONTHS_SHOWN = 12


@dataclass
class MeasureRow:
    label: str
    shown: str
    basis: str
    warning: str
    suspend: str
    standing: str
    standing_label: str
    reason: str


@dataclass
class TotalRow:
    currency: str
    orders: int
    sales: str
    commission: str
    refunds: int
    refunded: str
    due: str


@dataclass
class LineRow:
    kind: str
    day: str
    order_number: str
    order_href: str
    amount: str
    commission: str
    net: str


def recent_months(today: date, n: int = MONTHS_SHOWN) -> list[str]:
    """``2026-12``, ``2026-11``, ...: this month first."""
    months, first = [], today.replace(day=1)
    for _ in range(n):
        months.append(first.strftime("%Y-%m"))
        first = (first - timedelta(days=1)).replace(day=1)
    return months


def measure_rows(decision) -> list[MeasureRow]:
    return [
        MeasureRow(
            label=v.metric.label,
            shown=v.shown,
            basis=v.basis,
            warning=v.warning,
            suspend=v.suspend,
            standing=v.standing.value if v.judged else "unjudged",
            standing_label=v.standing.label if v.judged else "Not judged",
            reason=v.reason,
        )
        for v in decision.verdicts
    ]


def suspension_text(found: seller_standing.SellerStanding) -> str:
    s = found.seller
    if s.suspended_at is None:
        return ""
    return (
        f"Suspended from new orders since {fmt.exact_time(s.suspended_at)}: customers cannot "
        f"check out this seller's products. Reason: {s.suspension_reason}"
    )


class SellerStandingState(GuardedState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.SELLER, Role.ADMIN})
    seller_id: str = ""
    seller_name: str = ""
    standing: str = ""
    standing_label: str = ""
    rule: str = ""
    reason: str = ""
    window_text: str = ""
    suspended: str = ""
    measures: list[MeasureRow] = []
    month: str = ""
    months: list[str] = []
    period_text: str = ""
    commission_text: str = ""
    totals: list[TotalRow] = []
    lines: list[LineRow] = []

    def _clear_view(self) -> None:
        self.measures, self.totals, self.lines, self.seller_id = [], [], [], ""

    def _seller_for(self, actor: Actor) -> str:
        if actor.role is Role.SELLER:
            return actor.seller_id or ""
        params: Any = self.router.url.query_parameters
        return str(params.get("seller", "") or "")

    @rx.event
    def load(self):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            try:
                found = seller_standing.seller_standing(
                    session, actor=gate, seller_id=self._seller_for(gate)
                )
            except NotFound:
                self._clear_view()
                self.access = NOT_FOUND
                return None
            except ServiceError:
                self._clear_view()
                self.access = FORBIDDEN
                return None
            self._show_standing(found)
            today = utcnow().date()
            self.months = recent_months(today)
            if self.month not in self.months:
                self.month = self.months[0]
            self._show_statement(session, gate)
        self.access = OK
        return None

    def _show_standing(self, found: seller_standing.SellerStanding) -> None:
        d = found.decision
        self.seller_id, self.seller_name = found.seller.id, found.seller.name
        self.standing, self.standing_label = d.standing.value, d.standing.label
        self.rule, self.reason = d.rule, d.reason
        self.window_text = (
            f"Over the last {d.window_days} days ({fmt.day(found.since.date())} to "
            f"{fmt.day(found.until.date())}), {found.metrics.orders} paid orders."
        )
        self.suspended = suspension_text(found)
        self.measures = measure_rows(d)

    def _period(self) -> settlement.Period:
        year, month = (int(x) for x in self.month.split("-"))
        whole = settlement.month_of(date(year, month, 1))
        return settlement.Period(whole.start, min(whole.end, max(utcnow().date(), whole.start)))

    def _statement(self, session, actor: Actor) -> settlement.SellerStatement:
        return settlement.seller_statement(
            session, actor=actor, seller_id=self.seller_id, period=self._period()
        )

    def _show_statement(self, session, actor: Actor) -> None:
        found = self._statement(session, actor)
        st = found.statement
        self.period_text = f"{fmt.day(found.period.start)} to {fmt.day(found.period.end)}"
        source = "this seller's own rate" if found.commission_source == "seller" else "the policy"
        self.commission_text = (
            f"Commission {st.commission_bps / 100:.2f} % ({source}) of each delivered "
            "order's total, rounded half-up to the cent per order. Refunds paid in the "
            "month are deducted in full, whatever month their order was delivered."
        )
        self.totals = [
            TotalRow(
                currency=t.currency,
                orders=t.orders,
                sales=format_money(t.sales_minor, t.currency),
                commission=format_money(-t.commission_minor, t.currency),
                refunds=t.refunds,
                refunded=format_money(-t.refunds_minor, t.currency),
                due=format_money(t.due_minor, t.currency),
            )
            for t in st.totals
        ]
        lines = [
            LineRow(
                kind="Delivered",
                day=fmt.day(s.delivered_at.date()),
                order_number=s.order_number,
                order_href=f"/orders/{s.order_id}",
                amount=format_money(s.total_minor, s.currency),
                commission=format_money(-s.commission_minor, s.currency),
                net=format_money(s.net_minor, s.currency),
            )
            for s in st.sales
        ]
        lines += [
            LineRow(
                kind="Refund paid",
                day=fmt.day(r.paid_at.date()),
                order_number=r.order_number,
                order_href=f"/orders/{r.order_id}",
                amount=format_money(-r.amount_minor, r.currency),
                commission="—",
                net=format_money(-r.amount_minor, r.currency),
            )
            for r in st.refunds
        ]
        self.lines = lines

    @rx.event
    def choose_month(self, value: str):
        if value not in self.months:
            return None
        self.month = value
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            self._show_statement(session, gate)
        return None

    @rx.event
    def download_csv(self):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            try:
                found = self._statement(session, gate)
            except ServiceError as exc:
                return rx.toast.error(f"The statement was not exported: {exc.detail}")
        return rx.download(
            data=settlement.statement_csv(found),
            filename=settlement.csv_filename(found),
            mime_type="text/csv",
        )
