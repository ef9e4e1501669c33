"""A seller sets a sku's on-hand count (the service behind the page and PUT /inventory):
validated, audited, and the low-stock alert re-armed once stock is back."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import select

from oms_dashboard.db import session_scope
from oms_dashboard.models import AuditEntry, Inventory, OutboxMessage
from oms_dashboard.services import stock
from oms_dashboard.services.catalog import set_on_hand
from oms_dashboard.services.errors import Forbidden, ValidationFailed
from tests.factories import make_actor, make_product, make_seller


@pytest.fixture
def shelf(session):
    """A seller alerting under 5 units; a product with 6 on hand, 3 of them reserved."""
    seller = make_seller(session, low_stock_threshold=5)
    product = make_product(session, seller, sku="MUG-1", title="Blue mug", on_hand=6)
    with session_scope(session.get_bind()) as s:
        assert stock.reserve(s, product.sku, 3)
        stock.note_stock_levels(s, [product.sku])
    return {"actor": make_actor(session, "seller", seller=seller), "sku": product.sku}


def _restock(engine, actor, sku, on_hand):
    return set_on_hand(engine, actor=actor, sku=sku, on_hand=on_hand)


def _inventory(session, sku) -> Inventory:
    session.rollback()  # see what the service's own transaction committed
    session.expire_all()
    return session.get(Inventory, sku)


def _alerts(session) -> int:
    kind = OutboxMessage.kind == "seller.low_stock"
    return session.exec(select(sa.func.count()).select_from(OutboxMessage).where(kind)).one()


def _audit(session) -> list[AuditEntry]:
    return session.exec(select(AuditEntry).where(AuditEntry.action == "inventory.set")).all()


def test_restock_to_the_threshold_rearms_the_alert_for_the_next_fall(engine, session, shelf):
    assert _inventory(session, shelf["sku"]).low_stock_alerted
    assert _alerts(session) == 1

    _restock(engine, shelf["actor"], shelf["sku"], 8)  # 5 available: no longer low

    row = _inventory(session, shelf["sku"])
    assert (row.on_hand, row.reserved, row.low_stock_alerted) == (8, 3, False)
    [entry] = _audit(session)
    assert entry.actor_id == shelf["actor"].user_id and entry.entity_id == shelf["sku"]
    assert (entry.before["on_hand"], entry.after["on_hand"]) == (6, 8)

    # Sold down under the threshold again: a second alert, not silence.
    with session_scope(engine) as s:
        assert stock.reserve(s, shelf["sku"], 1)
        stock.note_stock_levels(s, [shelf["sku"]])
    assert _inventory(session, shelf["sku"]).low_stock_alerted
    assert _alerts(session) == 2


def test_restock_still_under_the_threshold_alerts_no_more(engine, session, shelf):
    _restock(engine, shelf["actor"], shelf["sku"], 7)  # 4 available: still low

    row = _inventory(session, shelf["sku"])
    assert (row.on_hand, row.low_stock_alerted) == (7, True)
    assert _alerts(session) == 1


def test_fewer_than_reserved_is_refused_naming_the_field_and_writes_nothing(engine, session, shelf):
    with pytest.raises(ValidationFailed) as refused:
        _restock(engine, shelf["actor"], shelf["sku"], 2)

    assert refused.value.errors == [
        {"field": "on_hand", "message": "must be at least 3, the units reserved for open orders"}
    ]
    row = _inventory(session, shelf["sku"])
    assert (row.on_hand, row.reserved, row.low_stock_alerted) == (6, 3, True)
    assert _audit(session) == []


@pytest.mark.parametrize(
    "on_hand, message",
    [
        (-1, "must be a whole number, 0 or more"),
        (2.5, "must be a whole number, 0 or more"),
        ("10", "must be a whole number, 0 or more"),
        (True, "must be a whole number, 0 or more"),
        (10**12, "must be at most 1,000,000,000"),
    ],
)
def test_a_count_that_is_not_a_whole_number_in_range_is_refused(
    engine, session, shelf, on_hand, message
):
    with pytest.raises(ValidationFailed) as refused:
        _restock(engine, shelf["actor"], shelf["sku"], on_hand)

    assert refused.value.errors == [{"field": "on_hand", "message": message}]
    assert _inventory(session, shelf["sku"]).on_hand == 6
    assert _audit(session) == []


def test_another_seller_cannot_restock_it(engine, session, shelf):
    stranger = make_actor(session, "seller", seller=make_seller(session))

    with pytest.raises(Forbidden):
        _restock(engine, stranger, shelf["sku"], 50)

    assert _inventory(session, shelf["sku"]).on_hand == 6
    assert _audit(session) == []
