"""Request and response bodies of the seller standing and statement routes."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field, StrictInt

from oms_dashboard.api.schemas import MoneyOut, RequestBody, Text, Time
from oms_dashboard.domain.money import format_minor
from oms_dashboard.services.seller_standing import SellerStanding
from oms_dashboard.services.settlement import SellerStatement


class SuspensionRequest(RequestBody):
    reason: Text = Field(max_length=1000, description="Why; the seller reads it")
    confirm: Any = Field(default=None, description="Must be `true`")


class CommissionUpdate(RequestBody):
    commission_bps: StrictInt | None = Field(description="Basis points; null = the policy's")


class MeasureOut(BaseModel):
    metric: str
    label: str
    standing: str
    rule: str
    reason: str
    value: float | None
    shown: str
    basis: str
    warning_threshold: str
    suspension_threshold: str
    judged: bool


class SuspensionOut(BaseModel):
    suspended_at: Time
    suspended_by: str | None
    reason: str | None


class StandingOut(BaseModel):
    seller_id: str
    seller_name: str
    standing: str
    """good, warning, or suspend (a suspension is recommended; an admin decides)."""
    standing_label: str
    rule: str
    reason: str
    window_days: int
    since: Time
    until: Time
    orders: int
    measures: list[MeasureOut]
    suspended: bool
    suspension: SuspensionOut | None


def standing_out(found: SellerStanding) -> StandingOut:
    d, s = found.decision, found.seller
    return StandingOut(
        seller_id=s.id,
        seller_name=s.name,
        standing=d.standing.value,
        standing_label=d.standing.label,
        rule=d.rule,
        reason=d.reason,
        window_days=d.window_days,
        since=found.since,
        until=found.until,
        orders=found.metrics.orders,
        measures=[
            MeasureOut(
                metric=v.metric.value,
                label=v.metric.label,
                standing=v.standing.value,
                rule=v.rule,
                reason=v.reason,
                value=v.value,
                shown=v.shown,
                basis=v.basis,
                warning_threshold=v.warning,
                suspension_threshold=v.suspend,
                judged=v.judged,
            )
            for v in d.verdicts
        ],
        suspended=found.suspended,
        suspension=SuspensionOut(
            suspended_at=s.suspended_at, suspended_by=s.suspended_by, reason=s.suspension_reason
        )
        if s.suspended_at
        else None,
    )


class SaleOut(BaseModel):
    order_id: str
    order_number: str
    delivered_at: Time
    currency: str
    total: MoneyOut
    commission: MoneyOut
    net: MoneyOut


class RefundOut(BaseModel):
    refund_id: str
    order_id: str
    order_number: str
    paid_at: Time
    currency: str
    amount: MoneyOut


class TotalsOut(BaseModel):
    currency: str
    orders: int
    sales: MoneyOut
    commission: MoneyOut
    refunds: int
    refunded: MoneyOut
    amount_due: MoneyOut


class StatementOut(BaseModel):
    seller_id: str
    seller_name: str
    period_from: date
    period_to: date
    commission_bps: int
    commission_source: str
    """seller (its own rate) or policy."""
    totals: list[TotalsOut]
    orders: list[SaleOut]
    refunds: list[RefundOut]


def statement_out(found: SellerStatement) -> StatementOut:
    st = found.statement
    return StatementOut(
        seller_id=found.seller.id,
        seller_name=found.seller.name,
        period_from=found.period.start,
        period_to=found.period.end,
        commission_bps=st.commission_bps,
        commission_source=found.commission_source,
        totals=[
            TotalsOut(
                currency=t.currency,
                orders=t.orders,
                sales=format_minor(t.sales_minor, t.currency),
                commission=format_minor(t.commission_minor, t.currency),
                refunds=t.refunds,
                refunded=format_minor(t.refunds_minor, t.currency),
                amount_due=format_minor(t.due_minor, t.currency),
            )
            for t in st.totals
        ],
        orders=[
            SaleOut(
                order_id=x.order_id,
                order_number=x.order_number,
                delivered_at=x.delivered_at,
                currency=x.currency,
                total=format_minor(x.total_minor, x.currency),
                commission=format_minor(x.commission_minor, x.currency),
                net=format_minor(x.net_minor, x.currency),
            )
            for x in st.sales
        ],
        refunds=[
            RefundOut(
                refund_id=r.refund_id,
                order_id=r.order_id,
                order_number=r.order_number,
                paid_at=r.paid_at,
                currency=r.currency,
                amount=format_minor(r.amount_minor, r.currency),
            )
            for r in st.refunds
        ],
    )
