"""Concurrent refund requests on one order never refund more than was paid.

Each request locks the order's row (``services.locks``) before it counts what is
refunded and pending. On PostgreSQL (CI) it is that row lock that decides: the
requests queue on it and each one counts the ones committed before it. On
SQLite, here, the database takes its write lock when a transaction begins (the
product's default, ``OMS_SQLITE_IMMEDIATE``), so writers run one at a time; the
test's engine does the same. Either way, the sum must never pass what was paid.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event
from sqlmodel import Session, select

from oms_dashboard import db
from oms_dashboard.domain.errors import RefundExceedsPaid
from oms_dashboard.domain.money import format_minor
from oms_dashboard.domain.refunds import LineRequest
from oms_dashboard.models import RefundLine
from oms_dashboard.services import refunds
from oms_dashboard.services.auth import actor_for_user
from tests.integration.api_helpers import api_fixture  # noqa: F401
from tests.integration.desk_helpers import desk_fixture  # noqa: F401


@pytest.fixture
def racing(engine):
    """An engine whose transactions race as the product's would."""
    if engine.dialect.name == "postgresql":
        yield engine
        return
    racing = sa.create_engine(engine.url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(racing, "connect", db._sqlite_pragmas)
    event.listen(racing, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    yield racing
    racing.dispose()


REQUEST = st.one_of(
    st.tuples(st.just("amount"), st.integers(1, 3000)),
    st.tuples(st.just("lines"), st.integers(1, 2)),
    st.tuples(st.just("full"), st.just(0)),
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(requests=st.lists(REQUEST, min_size=2, max_size=8))
def test_concurrent_requests_never_refund_more_than_paid(desk, racing, requests):
    order = desk.order(status="delivered")  # 2 x 25.00 + 5.99 shipping = 55.99 paid
    sku = desk.products["a"].sku
    with Session(desk.engine) as s:
        people = [actor_for_user(s, desk.users[name]) for name in ("alice", "support", "admin")]

    def one(index_and_request):
        index, (shape, value) = index_and_request
        kwargs = {}
        if shape == "amount":
            kwargs["amount"] = format_minor(value, order.currency)
        elif shape == "lines":
            kwargs["lines"] = [LineRequest(sku, value)]
        try:
            found = refunds.request_refund(
                racing,
                actor=people[index % len(people)],
                order_id=order.id,
                reason=f"race {index}",
                **kwargs,
            )
        except RefundExceedsPaid:
            return None
        return found.refund.amount_minor

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        granted = [a for a in pool.map(one, enumerate(requests)) if a is not None]
    stored = desk.refunds(order.id)
    assert sorted(r.amount_minor for r in stored) == sorted(granted)
    assert sum(granted) <= order.total_minor
    assert granted, "the first request to take the lock always fits"
    lines_refunded = sum(
        line.quantity
        for line in desk.read(
            select(RefundLine).where(RefundLine.refund_id.in_([r.id for r in stored]))
        )
    )
    assert lines_refunded <= 2
