"""A seller's standing: its quality over a rolling window turned into good, warning or
"suspension recommended" by the policy's thresholds.

Every decision names the rule that made it and the numbers behind it, so the seller
and the admins read the same sentence. A suspension is never decided here: the rule
only recommends it; an admin suspends (``services.seller_standing.suspend_seller``),
with a reason, audited, and the seller is told.

What each measure counts (``services.seller_standing`` computes them in SQL):
- the window: the last ``standing_window_days`` days; the orders are those placed in
  it whose payment was taken (``paid_at`` set);
- late-shipment rate: orders shipped after their ship-by time (``orders.ship_by``:
  the end of the seller's last business day of handling, ``delivery.ship_by``), or
  not shipped and past it (still open, or cancelled only after it), over the orders
  due so far (shipped, or past their ship-by time);
- seller-caused cancellation rate: cancelled orders the seller caused, over the orders.
  Sellers cannot cancel an order themselves (``domain.cancellation``), so the records
  say who caused it: an order whose stock the seller lost after it was reserved (a
  ``stock.lost`` event), or one cancelled after its ship-by time passed unshipped.
  A customer's cancellation (in the window, or a request the seller approved), an
  unpaid order and an admin's review of a duplicate or a payment are not the seller's;
- ticket rate: support tickets about those orders, over the orders; tickets the
  seller opened itself are not counted (asking for help must not cost standing);
- average time to ship: hours from payment to shipping, over the orders shipped;
- response time: for each customer message on the seller's orders written in the
  window, the hours until the seller's next message on that order (still unanswered:
  until now), averaged.

A rate is judged only with at least ``standing_min_orders`` orders (a handful of
orders says little); the averages are judged whenever there is something to average.
A suspension is recommended only with at least ``standing_min_orders_suspend`` paid
orders (a larger sample: 3 late of 21 is one unlucky week, not a pattern); with
fewer, a measure above its suspension threshold reads "warning", and its sentence
says the suspension waits for more orders, with the numbers. A value above a
threshold breaches it; a value equal to it does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from oms_dashboard.domain.errors import Refused


class Standing(StrEnum):
    GOOD = "good"
    WARNING = "warning"
    SUSPEND = "suspend"
    """Suspension from new orders is recommended; an admin decides."""

    @property
    def label(self) -> str:
        return _STANDING_LABELS[self]


_STANDING_LABELS = {
    Standing.GOOD: "Good",
    Standing.WARNING: "Warning",
    Standing.SUSPEND: "Suspension recommended",
}
_SEVERITY = {Standing.GOOD: 0, Standing.WARNING: 1, Standing.SUSPEND: 2}


class Metric(StrEnum):
    LATE_SHIPMENT = "late-shipment-rate"
    SELLER_CANCELLATION = "seller-cancellation-rate"
    TICKETS = "ticket-rate"
    TIME_TO_SHIP = "time-to-ship"
    RESPONSE_TIME = "response-time"

    @property
    def label(self) -> str:
        return _METRIC_LABELS[self]

    @property
    def is_rate(self) -> bool:
        return self in RATES


_METRIC_LABELS = {
    Metric.LATE_SHIPMENT: "Late shipments",
    Metric.SELLER_CANCELLATION: "Seller-caused cancellations",
    Metric.TICKETS: "Tickets per order",
    Metric.TIME_TO_SHIP: "Average time to ship",
    Metric.RESPONSE_TIME: "Average reply to customer messages",
}
RATES = frozenset({Metric.LATE_SHIPMENT, Metric.SELLER_CANCELLATION, Metric.TICKETS})

WITHIN_THRESHOLDS = "within-thresholds"
TOO_FEW_ORDERS = "too-few-orders"
TOO_FEW_TO_SUSPEND = "too-few-orders-to-suspend"
NOTHING_TO_MEASURE = "nothing-to-measure"


@dataclass(frozen=True)
class SellerMetrics:
    """What happened in the window (counts and averages; None: nothing to average)."""

    window_days: int
    orders: int = 0
    due_orders: int = 0
    late_shipments: int = 0
    seller_cancellations: int = 0
    tickets: int = 0
    shipped: int = 0
    avg_hours_to_ship: float | None = None
    customer_messages: int = 0
    avg_response_hours: float | None = None

    def rate(self, metric: Metric) -> tuple[int, int]:
        """(events, out of) for a rate."""
        return {
            Metric.LATE_SHIPMENT: (self.late_shipments, self.due_orders),
            Metric.SELLER_CANCELLATION: (self.seller_cancellations, self.orders),
            Metric.TICKETS: (self.tickets, self.orders),
        }[metric]

    def average(self, metric: Metric) -> tuple[float | None, int]:
        """(average hours, over how many)."""
        if metric is Metric.TIME_TO_SHIP:
            return self.avg_hours_to_ship, self.shipped
        return self.avg_response_hours, self.customer_messages


@dataclass(frozen=True)
class Thresholds:
    """The policy's numbers: rates in basis points, times in hours."""

    window_days: int
    min_orders: int
    """Fewer paid orders than this: the rates are not judged."""
    min_orders_suspend: int
    """Fewer paid orders than this: a rate reads at worst "warning"."""
    warning: dict[Metric, int]
    suspend: dict[Metric, int]

    @classmethod
    def from_policy(cls, policy: Any) -> Thresholds:
        """From anything with the policy's fields (``models.OrderPolicy``)."""
        names = {
            Metric.LATE_SHIPMENT: "late_shipment",
            Metric.SELLER_CANCELLATION: "seller_cancel",
            Metric.TICKETS: "ticket_rate",
            Metric.TIME_TO_SHIP: "ship_time",
            Metric.RESPONSE_TIME: "response_time",
        }
        unit = {m: "bps" if m.is_rate else "hours" for m in Metric}
        return cls(
            window_days=policy.standing_window_days,
            min_orders=policy.standing_min_orders,
            min_orders_suspend=policy.standing_min_orders_suspend,
            warning={m: getattr(policy, f"{n}_warning_{unit[m]}") for m, n in names.items()},
            suspend={m: getattr(policy, f"{n}_suspend_{unit[m]}") for m, n in names.items()},
        )


@dataclass(frozen=True)
class MetricVerdict:
    metric: Metric
    standing: Standing
    rule: str
    reason: str
    """The sentence people read: the number, what it counts, the threshold it met."""
    value: float | None
    """A rate as a fraction 0–1, an average in hours; None when not measured."""
    shown: str
    """The value as people read it: "12.0 %", "30.5 h", "—"."""
    basis: str
    """What it counts: "6 of 50 orders due to ship"."""
    warning: str
    suspend: str
    judged: bool


@dataclass(frozen=True)
class StandingDecision:
    standing: Standing
    rule: str
    reason: str
    verdicts: tuple[MetricVerdict, ...]
    window_days: int


def show_bps(bps: int) -> str:
    return f"{bps / 100:.1f} %"


def show_rate(events: int, out_of: int) -> str:
    return f"{events * 100 / out_of:.1f} %" if out_of else "—"


def show_hours(hours: float | None) -> str:
    return "—" if hours is None else f"{hours:.1f} h"


def _level(breaches_suspend: bool, breaches_warning: bool) -> Standing:
    if breaches_suspend:
        return Standing.SUSPEND
    return Standing.WARNING if breaches_warning else Standing.GOOD


def _rule(metric: Metric, level: Standing) -> str:
    if level is Standing.SUSPEND:
        return f"{metric.value}-above-suspension-threshold"
    if level is Standing.WARNING:
        return f"{metric.value}-above-warning-threshold"
    return WITHIN_THRESHOLDS


_BASIS = {
    Metric.LATE_SHIPMENT: "orders due to ship",
    Metric.SELLER_CANCELLATION: "paid orders",
    Metric.TICKETS: "paid orders",
    Metric.TIME_TO_SHIP: "orders shipped",
    Metric.RESPONSE_TIME: "customer messages",
}


def judge_rate(metric: Metric, metrics: SellerMetrics, t: Thresholds) -> MetricVerdict:
    events, out_of = metrics.rate(metric)
    warn, stop = t.warning[metric], t.suspend[metric]
    noun = "ticket" if metric is Metric.TICKETS else "order"
    basis = f"{events} of {out_of} {_BASIS[metric]}"
    if metric is Metric.TICKETS:
        basis = f"{events} {noun}{'' if events == 1 else 's'} on {out_of} {_BASIS[metric]}"
    common = dict(
        metric=metric,
        value=events / out_of if out_of else None,
        shown=show_rate(events, out_of),
        basis=basis,
        warning=show_bps(warn),
        suspend=show_bps(stop),
    )
    if metrics.orders < t.min_orders:
        return MetricVerdict(
            **common,
            standing=Standing.GOOD,
            rule=TOO_FEW_ORDERS,
            reason=f"{metric.label}: not judged, {metrics.orders} paid orders in the last "
            f"{t.window_days} days is fewer than the {t.min_orders} the policy needs.",
            judged=False,
        )
    if out_of == 0:
        return MetricVerdict(
            **common,
            standing=Standing.GOOD,
            rule=NOTHING_TO_MEASURE,
            reason=f"{metric.label}: nothing to measure yet.",
            judged=False,
        )
    # Integers only: events / out_of > bps / 10000, without rounding a fraction.
    level = _level(events * 10_000 > stop * out_of, events * 10_000 > warn * out_of)
    return _judged(metric, common, basis, level, metrics, t)


def judge_average(metric: Metric, metrics: SellerMetrics, t: Thresholds) -> MetricVerdict:
    hours, over = metrics.average(metric)
    warn, stop = t.warning[metric], t.suspend[metric]
    common = dict(
        metric=metric,
        value=hours,
        shown=show_hours(hours),
        basis=f"over {over} {_BASIS[metric]}",
        warning=f"{warn} h",
        suspend=f"{stop} h",
    )
    if hours is None or over == 0:
        return MetricVerdict(
            **common,
            standing=Standing.GOOD,
            rule=NOTHING_TO_MEASURE,
            reason=f"{metric.label}: nothing to measure yet.",
            judged=False,
        )
    level = _level(hours > stop, hours > warn)
    return _judged(metric, common, common["basis"], level, metrics, t)


def _judged(
    metric: Metric,
    common: dict[str, Any],
    basis: str,
    level: Standing,
    metrics: SellerMetrics,
    t: Thresholds,
) -> MetricVerdict:
    if level is Standing.SUSPEND and metrics.orders < t.min_orders_suspend:
        return MetricVerdict(
            **common,
            standing=Standing.WARNING,
            rule=f"{metric.value}-above-suspension-threshold-{TOO_FEW_TO_SUSPEND}",
            reason=f"{metric.label} {common['shown']} ({basis}) is above the suspension "
            f"threshold of {common['suspend']}, but {metrics.orders} paid orders in the last "
            f"{t.window_days} days are fewer than the {t.min_orders_suspend} a suspension "
            "recommendation needs: a warning.",
            judged=True,
        )
    return MetricVerdict(
        **common,
        standing=level,
        rule=_rule(metric, level),
        reason=_sentence(
            metric, common["shown"], basis, level, warn=common["warning"], stop=common["suspend"]
        ),
        judged=True,
    )


def _sentence(metric: Metric, shown: str, basis: str, level: Standing, *, warn, stop) -> str:
    said = f"{metric.label} {shown} ({basis})"
    if level is Standing.SUSPEND:
        return f"{said} is above the suspension threshold of {stop}."
    if level is Standing.WARNING:
        return f"{said} is above the warning threshold of {warn} (suspension above {stop})."
    return f"{said} is within the warning threshold of {warn}."


def decide_standing(metrics: SellerMetrics, thresholds: Thresholds) -> StandingDecision:
    """The worst verdict decides; among equally bad ones, the first in ``Metric`` order."""
    verdicts = tuple(
        judge_rate(m, metrics, thresholds) if m.is_rate else judge_average(m, metrics, thresholds)
        for m in Metric
    )
    worst = max(verdicts, key=lambda v: _SEVERITY[v.standing])
    if worst.standing is Standing.GOOD:
        return StandingDecision(
            Standing.GOOD,
            WITHIN_THRESHOLDS,
            f"Every measure judged over the last {thresholds.window_days} days is within "
            "the policy's thresholds.",
            verdicts,
            thresholds.window_days,
        )
    return StandingDecision(
        worst.standing, worst.rule, worst.reason, verdicts, thresholds.window_days
    )


# -- suspension ----------------------------------------------------------------------


class SellerSuspended(Refused):
    """Checkout of a suspended seller's product (409 ``seller-suspended``)."""

    code = "seller-suspended"

    def __init__(self, *, sku: str, title: str, seller_name: str) -> None:
        super().__init__(
            "seller-suspended",
            f"{title} ({sku}) cannot be ordered now: its seller, {seller_name}, is "
            "suspended from new orders. Remove it from the cart to check out the rest.",
        )
        self.fields = {"sku": sku}


class SuspensionRefused(Refused):
    code = "suspension-refused"


ALREADY_SUSPENDED = "already-suspended"
NOT_SUSPENDED = "not-suspended"
MAX_REASON = 1000


def suspension_errors(*, reason: str | None, confirm: object) -> list[dict[str, str]]:
    """A suspension (or reinstatement) needs a reason people read, and an explicit
    confirmation: it is never a side effect of a click."""
    errors = []
    text = (reason or "").strip()
    if not text:
        errors.append({"field": "reason", "message": "say why; the seller reads it"})
    elif len(text) > MAX_REASON:
        errors.append({"field": "reason", "message": f"must be at most {MAX_REASON} characters"})
    if confirm is not True:
        errors.append({"field": "confirm", "message": "must be true to confirm the change"})
    return errors


def check_can_suspend(suspended: bool) -> None:
    if suspended:
        raise SuspensionRefused(ALREADY_SUSPENDED, "this seller is already suspended")


def check_can_reinstate(suspended: bool) -> None:
    if not suspended:
        raise SuspensionRefused(NOT_SUSPENDED, "this seller is not suspended")
