"""The product spec's success metrics: what each one counts, its target, and the
arithmetic that turns counted facts into a value, a trend and a verdict.

Every KPI is one ratio of two facts that add up (counts, or sums of hours or of
ratings), so the same definition gives the whole mall, one seller, one day, or a
period assembled from daily rows: nothing here needs the orders themselves.

Choices made here, written on the KPI page too:
- Every KPI is about the orders *placed* in the period (a cohort), whatever
  happened to them since: the trend then compares like with like, and the period
  filter reads one indexed column. The latest days of a period are still
  unfolding (not all delivered, rated or refunded yet).
- A rate with nothing to count, or an average of nothing, is ``None`` (shown as
  "—"), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Unit(StrEnum):
    FRACTION = "fraction"
    """0–1, shown as a percentage."""
    HOURS = "hours"
    SCORE = "score"
    """Out of 5."""


class Goal(StrEnum):
    ABOVE = "above"
    BELOW = "below"
    AT_LEAST = "at_least"


class KpiKey(StrEnum):
    FULFILLMENT_RATE = "fulfillment_rate"
    AVG_PROCESSING_HOURS = "avg_processing_hours"
    ON_TIME_DELIVERY_RATE = "on_time_delivery_rate"
    SATISFACTION = "satisfaction"
    ACCURACY_RATE = "accuracy_rate"
    AVG_REFUND_HOURS = "avg_refund_hours"


ACCURACY_RETURN_REASONS = ("wrong_item", "missing_item", "damaged")
"""Return reasons that mean the order was not what was bought."""
ACCURACY_REPORTED_PROBLEMS = ("wrong_item", "damaged")
"""Delivery problems a customer reports (and support gets a ticket for) that do."""


@dataclass(frozen=True)
class KpiDefinition:
    key: KpiKey
    title: str
    target: float
    goal: Goal
    unit: Unit
    numerator: str
    """The fact summed on top (a column of the daily facts)."""
    denominator: str
    """The fact summed below: what is counted; 0 means nothing to count."""
    definition: str
    """Exactly what is counted, in the words the page shows."""

    @property
    def target_label(self) -> str:
        sign = {Goal.ABOVE: ">", Goal.BELOW: "<", Goal.AT_LEAST: "≥"}[self.goal]
        return f"{sign} {format_value(self.target, self.unit)}"

    @property
    def higher_is_better(self) -> bool:
        return self.goal is not Goal.BELOW


K = KpiKey
DEFINITIONS: tuple[KpiDefinition, ...] = (
    KpiDefinition(
        K.FULFILLMENT_RATE,
        "Order fulfillment rate",
        0.98,
        Goal.ABOVE,
        Unit.FRACTION,
        "fulfilled",
        "fulfillable",
        "Of the paid orders placed in the period, the share that shipped. An order "
        "cancelled after payment, or still unshipped past its ship-by time (the end of the "
        "seller's last business day of handling), counts as not fulfilled; one still "
        "within it is not counted yet.",
    ),
    KpiDefinition(
        K.AVG_PROCESSING_HOURS,
        "Average processing time",
        2.0,
        Goal.BELOW,
        Unit.HOURS,
        "processing_hours",
        "processed",
        "Hours from payment verified to shipped (label bought and handed over), averaged "
        "over the orders placed in the period that have shipped.",
    ),
    KpiDefinition(
        K.ON_TIME_DELIVERY_RATE,
        "On-time delivery rate",
        0.95,
        Goal.ABOVE,
        Unit.FRACTION,
        "on_time",
        "delivery_due",
        "Of the orders placed in the period that were delivered, or whose promised date "
        "(the estimate given at checkout) has passed without delivery, the share "
        "delivered on or before the promised date (UTC). Cancelled orders are left out.",
    ),
    KpiDefinition(
        K.SATISFACTION,
        "Customer satisfaction",
        4.5,
        Goal.ABOVE,
        Unit.SCORE,
        "rating_sum",
        "ratings",
        "The average of every 1–5 rating given about the orders placed in the period: "
        "product reviews and customers' ratings of their support tickets, one vote each.",
    ),
    KpiDefinition(
        K.ACCURACY_RATE,
        "Order accuracy rate",
        0.999,
        Goal.AT_LEAST,
        Unit.FRACTION,
        "accurate",
        "delivered",
        "Of the orders placed in the period that were delivered, the share with no return "
        "for a wrong, missing or damaged item and no delivery problem reported "
        "(which opens a support ticket) for a wrong or damaged item.",
    ),
    KpiDefinition(
        K.AVG_REFUND_HOURS,
        "Refund processing time",
        48.0,
        Goal.BELOW,
        Unit.HOURS,
        "refund_hours",
        "refunds_paid",
        "Hours from a refund being asked for to the money being sent back (paid by the "
        "payment provider), averaged over the paid refunds of orders placed in the period.",
    ),
)
BY_KEY = {d.key: d for d in DEFINITIONS}


@dataclass(frozen=True)
class Trend:
    change: float | None
    """Current minus previous, in the KPI's unit; None when either is missing."""
    improved: bool | None
    """True when the change goes the target's way; None when there is no change."""


@dataclass(frozen=True)
class KpiValue:
    definition: KpiDefinition
    value: float | None
    counted: int
    """How many orders, ratings or refunds the value is over."""
    previous: float | None
    met: bool | None
    trend: Trend


def ratio(numerator: float, denominator: float) -> float | None:
    """A rate or an average; None when there is nothing to count."""
    if not denominator:
        return None
    return numerator / denominator


def target_met(definition: KpiDefinition, value: float | None) -> bool | None:
    if value is None:
        return None
    if definition.goal is Goal.ABOVE:
        return value > definition.target
    if definition.goal is Goal.BELOW:
        return value < definition.target
    return value >= definition.target


def trend(definition: KpiDefinition, current: float | None, previous: float | None) -> Trend:
    if current is None or previous is None:
        return Trend(None, None)
    change = current - previous
    if abs(change) < 1e-9:
        return Trend(0.0, None)
    return Trend(change, (change > 0) == definition.higher_is_better)


def evaluate(
    definition: KpiDefinition, current: dict[str, float], previous: dict[str, float]
) -> KpiValue:
    """The KPI from the period's summed facts and the previous period's."""
    value = ratio(current.get(definition.numerator, 0), current.get(definition.denominator, 0))
    before = ratio(previous.get(definition.numerator, 0), previous.get(definition.denominator, 0))
    return KpiValue(
        definition=definition,
        value=value,
        counted=int(current.get(definition.denominator, 0)),
        previous=before,
        met=target_met(definition, value),
        trend=trend(definition, value, before),
    )


# -- periods ---------------------------------------------------------------------------

DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 1096
"""Three years: the KPI page covers business periods, not the whole archive."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    """Both included."""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


def default_period(today: date) -> Period:
    """The last 30 days, today included."""
    return Period(today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), today)


# -- how values read ---------------------------------------------------------------------


def format_value(value: float | None, unit: Unit) -> str:
    if value is None:
        return "—"
    if unit is Unit.FRACTION:
        percent = value * 100
        return f"{percent:.1f} %" if percent < 99.5 or percent == 100 else f"{percent:.2f} %"
    if unit is Unit.HOURS:
        return f"{value:.1f} h"
    return f"{value:.2f} / 5"


def format_change(change: float | None, unit: Unit) -> str:
    if change is None:
        return "no earlier figure"
    if unit is Unit.FRACTION:
        return f"{change * 100:+.1f} pts"
    if unit is Unit.HOURS:
        return f"{change:+.1f} h"
    return f"{change:+.2f}"
