"""A seller's statement for a period: what the mall owes it.

The rules, written down once:
- **Sales** are the orders *delivered* in the period (``delivered_at`` in it), at their
  total as charged (lines + shipping), in their own currency; a statement never mixes
  currencies, it has one set of totals per currency.
- **Commission** is the platform's rate (the policy's ``commission_bps``, or the
  seller's own ``commission_bps`` when set) on each order's total, **rounded half-up
  to the currency's minor unit per order**, then summed. Per order, so every line of
  the statement adds up to its totals exactly and an order's commission never changes
  with what else was delivered that month.
- **Refunds** are the refunds *paid* in the period (``paid_at`` in it), whatever
  period their order was delivered in (a return on last month's order is deducted
  this month). They are deducted in full; the commission already charged on the order
  is not given back.
- **Amount due** = sales − commission − refunds, per currency. It may be negative:
  the seller owes the difference (carried to the next statement).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

MAX_BPS = 10_000


def commission_minor(total_minor: int, bps: int) -> int:
    """``total × bps / 10000`` rounded half-up to the minor unit (integers only)."""
    if total_minor < 0 or not 0 <= bps <= MAX_BPS:
        raise ValueError("a commission is a share of a non-negative total")
    return (total_minor * bps + 5_000) // 10_000


@dataclass(frozen=True)
class SaleLine:
    order_id: str
    order_number: str
    delivered_at: datetime
    currency: str
    total_minor: int
    commission_minor: int

    @property
    def net_minor(self) -> int:
        return self.total_minor - self.commission_minor


@dataclass(frozen=True)
class RefundLine:
    refund_id: str
    order_id: str
    order_number: str
    paid_at: datetime
    currency: str
    amount_minor: int


@dataclass
class CurrencyTotals:
    currency: str
    orders: int = 0
    sales_minor: int = 0
    commission_minor: int = 0
    refunds: int = 0
    refunds_minor: int = 0

    @property
    def due_minor(self) -> int:
        return self.sales_minor - self.commission_minor - self.refunds_minor


@dataclass(frozen=True)
class Statement:
    commission_bps: int
    sales: list[SaleLine]
    refunds: list[RefundLine]
    totals: list[CurrencyTotals] = field(default_factory=list)


def build_statement(
    *,
    commission_bps: int,
    delivered: list[tuple[str, str, datetime, str, int]],
    refunds: list[tuple[str, str, str, datetime, str, int]],
) -> Statement:
    """``delivered``: (order id, number, delivered at, currency, total minor);
    ``refunds``: (refund id, order id, order number, paid at, currency, amount minor)."""
    sales = [
        SaleLine(oid, number, at, cur, total, commission_minor(total, commission_bps))
        for oid, number, at, cur, total in sorted(delivered, key=lambda d: (d[2], d[0]))
    ]
    paid = [RefundLine(*r) for r in sorted(refunds, key=lambda r: (r[3], r[0]))]
    totals: dict[str, CurrencyTotals] = defaultdict(lambda: CurrencyTotals(""))
    for sale in sales:
        t = totals[sale.currency]
        t.currency = sale.currency
        t.orders += 1
        t.sales_minor += sale.total_minor
        t.commission_minor += sale.commission_minor
    for refund in paid:
        t = totals[refund.currency]
        t.currency = refund.currency
        t.refunds += 1
        t.refunds_minor += refund.amount_minor
    return Statement(commission_bps, sales, paid, [totals[c] for c in sorted(totals)])
