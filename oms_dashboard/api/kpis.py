"""The KPI numbers of the dashboard, for other systems: the same report the page shows."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from oms_dashboard.api.deps import SessionDep, require_role
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import MoneyOut, Text
from oms_dashboard.domain.money import format_minor
from oms_dashboard.services import kpis
from oms_dashboard.services.actor import Actor, Role

router = APIRouter(tags=["kpis"])


class PeriodOut(BaseModel):
    from_: date = Field(alias="from", serialization_alias="from")
    to: date
    days: int

    model_config = {"populate_by_name": True}


class KpiOut(BaseModel):
    key: str
    title: str
    value: float | None = Field(description="Rates are fractions 0–1; null when nothing to count")
    unit: str = Field(description="fraction, hours or score (out of 5)")
    target: float
    goal: str = Field(description="above, below or at_least the target")
    met: bool | None
    counted: int = Field(description="How many orders, ratings or refunds the value is over")
    previous: float | None = Field(description="The previous period of the same length")
    definition: str


class KpisOut(BaseModel):
    period: PeriodOut
    seller_id: str | None
    carrier: str | None
    country: str | None
    fulfillment_rate: float | None
    avg_processing_hours: float | None
    on_time_delivery_rate: float | None
    satisfaction: float | None
    accuracy_rate: float | None
    avg_refund_hours: float | None
    orders: int = Field(description="Orders placed in the period whose payment was verified")
    revenue: dict[str, MoneyOut] = Field(
        description="Per currency (never converted): those orders' totals less refunds paid"
    )
    kpis: list[KpiOut]


@router.get("/api/v1/kpis", response_model=KpisOut, responses=responses(401, 403, 422))
def get_kpis(
    session: SessionDep,
    from_: Annotated[date | None, Query(alias="from", description="ISO date, included")] = None,
    to: Annotated[date | None, Query(description="ISO date, included (default today)")] = None,
    seller_id: Annotated[Text | None, Query(max_length=40)] = None,
    carrier: Annotated[
        Text | None, Query(max_length=16, description="fedex, ups, dhl, usps")
    ] = None,
    country: Annotated[
        Text | None, Query(max_length=2, description="Destination, ISO 3166-1")
    ] = None,
    actor: Actor = require_role(Role.ADMIN, Role.SELLER),
) -> KpisOut:
    """The KPIs of the orders placed in the period (default: the last 30 days, today
    included), as the KPI page shows them; a seller sees their own numbers only (403
    for another seller)."""
    filters = kpis.kpi_filters(
        actor=actor, start=from_, end=to, seller_id=seller_id, carrier=carrier, country=country
    )
    report = kpis.kpi_report(session, actor=actor, filters=filters)
    period = filters.period
    values = {k.definition.key.value: k.value for k in report.kpis}
    return KpisOut(
        period=PeriodOut(from_=period.start, to=period.end, days=period.days),
        seller_id=filters.seller_id,
        carrier=filters.carrier,
        country=filters.country,
        orders=report.orders,
        revenue={cur: format_minor(minor, cur) for cur, minor in report.revenue_minor.items()},
        kpis=[
            KpiOut(
                key=k.definition.key.value,
                title=k.definition.title,
                value=k.value,
                unit=k.definition.unit.value,
                target=k.definition.target,
                goal=k.definition.goal.value,
                met=k.met,
                counted=k.counted,
                previous=k.previous,
                definition=k.definition.definition,
            )
            for k in report.kpis
        ],
        **values,
    )
