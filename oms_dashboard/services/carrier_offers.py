"""Carrier offers for an order's parcel: every usable carrier asked at once (over HTTP
only, in threads), each offer's arrival in the destination's calendar, the cheapest
arriving by the promised date preselected, and why each other carrier offers nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import httpx
from sqlalchemy import Engine
from sqlmodel import Session

from oms_dashboard.carriers.base import CarrierError, RateQuote
from oms_dashboard.domain import fulfillment as rules
from oms_dashboard.domain.delivery import add_business_days
from oms_dashboard.domain.money import to_minor
from oms_dashboard.domain.tracking import CarrierName, parcel_refusals
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.carrier_accounts import account, usable
from oms_dashboard.services.carrier_health import breaker_open, record_failure, record_success
from oms_dashboard.services.carrier_registry import carrier_for
from oms_dashboard.services.delivery_calendar import holiday_checker
from oms_dashboard.services.ship_context import ShipContext, dims, parcel_of, ship_context


@dataclass(frozen=True)
class LabelOptions:
    order_id: str
    parcel: rules.ParcelSize | None
    """None when nothing physical ships (digital goods only)."""
    promised: date | None
    offers: list[rules.Offer]
    """Cheapest first."""
    preselected: rules.Offer | None
    unavailable: dict[str, str]
    """Carrier -> why it offers nothing now (disabled, refuses the parcel, not answering)."""


def label_options(
    engine: Engine,
    *,
    actor: Actor,
    order_id: str,
    parcel: rules.ParcelSize | None = None,
    sandbox_transport: httpx.BaseTransport | None,
) -> LabelOptions:
    """What every usable carrier offers for this order's parcel (the one proposed from
    its items, or ``parcel`` as the seller measured it), asked all at once."""
    unavailable: dict[str, str] = {}
    adapters = {}
    with Session(engine, expire_on_commit=False) as session:
        context = ship_context(session, actor, order_id, parcel)
        for name in CarrierName:
            row = account(session, name.value)
            ok, why = usable(row)
            refusals = (
                parcel_refusals(row.carrier, **dims(context.parcel)) if context.parcel else []
            )
            if not ok:
                unavailable[row.carrier] = why or "unavailable"
            elif breaker_open(row):
                unavailable[row.carrier] = "not answering; calls paused for a while"
            elif refusals:
                unavailable[row.carrier] = "; ".join(r["message"] for r in refusals)
            else:
                adapters[row.carrier] = carrier_for(
                    session, row.carrier, sandbox_transport=sandbox_transport
                )
        session.commit()  # a carrier's row made on first use stays
    askable = list(adapters)
    offers: list[rules.Offer] = []
    with ThreadPoolExecutor(max_workers=max(1, len(askable))) as pool:
        answers = pool.map(lambda name: _ask(adapters[name], context), askable)
        for name, answer in zip(askable, answers, strict=True):
            if isinstance(answer, CarrierError):
                record_failure(engine, name, answer)
                unavailable[name] = answer.message
                continue
            record_success(engine, name)
            offers += offers_from(name, answer, context)
    offers.sort(key=lambda o: (o.amount_minor, o.arrives or date.max, o.carrier))
    promised = context.order.estimated_delivery
    return LabelOptions(
        order_id=order_id,
        parcel=context.parcel,
        promised=promised,
        offers=offers,
        preselected=rules.preselect(offers, promised),
        unavailable=unavailable,
    )


def offers_from(carrier: str, quotes: list[RateQuote], context: ShipContext) -> list[rules.Offer]:
    """A carrier's quotes as offers, each arriving its transit days from today in the
    destination's calendar (weekends and its public holidays)."""
    is_holiday = holiday_checker(context.order.ship_country, context.order.ship_region)
    today = utcnow().date()
    return [
        rules.Offer(
            carrier=carrier,
            service=quote.service,
            amount_minor=to_minor(quote.amount, quote.currency),
            currency=quote.currency,
            transit_days=quote.transit_days,
            arrives=add_business_days(today, quote.transit_days, is_holiday)
            if quote.transit_days is not None
            else None,
        )
        for quote in quotes
    ]


def _ask(adapter, context: ShipContext):
    """The carrier's quotes, or the error it gave. Runs in a thread of its own over
    HTTP only (the caller records the carrier's health afterwards)."""
    try:
        with adapter:
            return adapter.quote(
                shipper=context.shipper,
                recipient=context.recipient,
                parcel=parcel_of(context.parcel),
            )
    except CarrierError as error:
        return error
