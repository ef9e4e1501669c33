"""A seller's statement for a period (``domain.settlement`` has the rules): orders
delivered, commission, refunds paid, amount due; and the same as CSV.

A period is whole UTC days, ``start`` to ``end`` included; by default the current
calendar month up to today.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from oms_dashboard.domain.money import format_minor
from oms_dashboard.domain.policies import SPECS_BY_NAME
from oms_dashboard.domain.refunds import RefundStatus
from oms_dashboard.domain.settlement import Statement, build_statement
from oms_dashboard.models import Order, Refund, Seller
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import record_audit
from oms_dashboard.services.errors import NotFound, ValidationFailed
from oms_dashboard.services.policies import get_policy
from oms_dashboard.services.seller_standing import visible_seller
from oms_dashboard.services.unit_of_work import transactional

MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    """Included."""

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def ends_before(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


def month_of(day: date) -> Period:
    """The calendar month holding ``day``, whole."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following - timedelta(days=1))


def parse_period(start: str | None, end: str | None, *, today: date | None = None) -> Period:
    """ISO dates; missing ``from``: the 1st of ``to``'s month (or this month); missing
    ``to``: today, or the end of ``from``'s month when that month is over."""
    today = today or utcnow().date()
    errors: list[dict[str, str]] = []
    parsed: dict[str, date | None] = {}
    for name, text in (("from", start), ("to", end)):
        parsed[name] = None
        if text:
            try:
                parsed[name] = date.fromisoformat(text)
            except ValueError:
                errors.append({"field": name, "message": "must be a date like 2026-11-01"})
    if errors:
        raise ValidationFailed(errors)
    first, last = parsed["from"], parsed["to"]
    if first is None:
        first = (last or today).replace(day=1)
    if last is None:
        last = min(month_of(first).end, max(today, first))
    if first > last:
        raise ValidationFailed.one("to", "must be on or after from")
    if (last - first).days >= MAX_DAYS:
        raise ValidationFailed.one("to", f"a statement covers at most {MAX_DAYS} days")
    return Period(first, last)


@dataclass(frozen=True)
class SellerStatement:
    seller: Seller
    period: Period
    statement: Statement
    commission_source: str
    """``seller`` when the seller has its own rate, else ``policy``."""


def seller_statement(
    session: Session, *, actor: Actor, seller_id: str, period: Period
) -> SellerStatement:
    seller = visible_seller(session, actor, seller_id)
    own = seller.commission_bps is not None
    bps = seller.commission_bps if own else get_policy(session).commission_bps
    delivered = session.exec(
        select(Order.id, Order.number, Order.delivered_at, Order.currency, Order.total_minor).where(
            Order.seller_id == seller.id,
            Order.delivered_at >= period.starts_at,
            Order.delivered_at < period.ends_before,
        )
    ).all()
    refunds = session.exec(
        select(
            Refund.id,
            Refund.order_id,
            Order.number,
            Refund.paid_at,
            Refund.currency,
            Refund.amount_minor,
        )
        .join(Order, Order.id == Refund.order_id)
        .where(
            Refund.seller_id == seller.id,
            Refund.status == RefundStatus.PAID,
            Refund.paid_at >= period.starts_at,
            Refund.paid_at < period.ends_before,
        )
    ).all()
    statement = build_statement(
        commission_bps=bps,
        delivered=[tuple(row) for row in delivered],
        refunds=[tuple(row) for row in refunds],
    )
    return SellerStatement(seller, period, statement, "seller" if own else "policy")


CSV_COLUMNS = [
    "line",
    "date",
    "order_number",
    "order_id",
    "refund_id",
    "currency",
    "amount",
    "commission",
    "net",
]


def statement_csv(found: SellerStatement) -> str:
    """One row per delivered order and per refund, then one total row per currency.
    Amounts are decimal strings; a refund's amount and net are negative."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    st = found.statement
    for sale in st.sales:
        cur = sale.currency
        writer.writerow(
            [
                "order",
                sale.delivered_at.date().isoformat(),
                sale.order_number,
                sale.order_id,
                "",
                cur,
                format_minor(sale.total_minor, cur),
                format_minor(sale.commission_minor, cur),
                format_minor(sale.net_minor, cur),
            ]
        )
    for refund in st.refunds:
        cur = refund.currency
        writer.writerow(
            [
                "refund",
                refund.paid_at.date().isoformat(),
                refund.order_number,
                refund.order_id,
                refund.refund_id,
                cur,
                format_minor(-refund.amount_minor, cur),
                format_minor(0, cur),
                format_minor(-refund.amount_minor, cur),
            ]
        )
    for total in st.totals:
        cur = total.currency
        writer.writerow(
            [
                "amount_due",
                found.period.end.isoformat(),
                "",
                "",
                "",
                cur,
                format_minor(total.sales_minor - total.refunds_minor, cur),
                format_minor(total.commission_minor, cur),
                format_minor(total.due_minor, cur),
            ]
        )
    return out.getvalue()


def csv_filename(found: SellerStatement) -> str:
    return f"statement-{found.seller.id}-{found.period.start}-{found.period.end}.csv"


@transactional
def set_commission(
    session: Session, *, actor: Actor, seller_id: str, commission_bps: int | None
) -> Seller:
    """The seller's own commission rate (None: back to the policy's); admins, audited."""
    actor.require(Role.ADMIN)
    seller = session.get(Seller, seller_id)
    if seller is None:
        raise NotFound(f"no seller {seller_id!r}")
    spec = SPECS_BY_NAME["commission_bps"]
    low, high = spec.minimum, spec.maximum
    if commission_bps is not None and (
        isinstance(commission_bps, bool)
        or not isinstance(commission_bps, int)
        or not low <= commission_bps <= high
    ):
        raise ValidationFailed.one(
            "commission_bps", f"must be a whole number from {low} to {high}, or null"
        )
    before = {"commission_bps": seller.commission_bps}
    seller.commission_bps = commission_bps
    session.add(seller)
    record_audit(
        session,
        actor=actor,
        action="seller.commission",
        entity_type="seller",
        entity_id=seller.id,
        before=before,
        after={"commission_bps": commission_bps},
    )
    return seller
