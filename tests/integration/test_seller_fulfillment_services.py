"""The services behind the seller's fulfillment page: shipping settings (validated,
audited, the seller's own only), the queue (sorted by ship-by, held orders marked),
buying refused for a held order, and the parcels waiting for pick-up."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import event
from sqlmodel import select

from oms_dashboard.domain.tracking import ShipmentStatus
from oms_dashboard.ids import new_id
from oms_dashboard.models import (
    AuditEntry,
    CancellationRequest,
    Order,
    Seller,
    Shipment,
    ShipmentLabel,
)
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from oms_dashboard.services.fulfillment import buy_label, fulfillment_queue
from oms_dashboard.services.pickups import awaiting_pickup
from oms_dashboard.services.seller_settings import (
    get_shipping_settings,
    update_shipping_settings,
)
from oms_dashboard.services.shipments import flagged_shipments, label_pdf, labels_bundle
from tests.factories import make_actor, make_order, make_product, make_seller


@pytest.fixture
def shop(session):
    seller = make_seller(session, handling_hours=24, address_line1=None, phone=None)
    return {
        "seller": seller,
        "actor": make_actor(session, "seller", seller=seller),
        "customer": make_actor(session, "customer"),
        "product": make_product(session, seller),
    }


def _fresh(session, model, key):
    session.rollback()
    session.expire_all()
    return session.get(model, key)


def _audits(session) -> list[AuditEntry]:
    session.rollback()  # see what the services' own transactions committed
    return session.exec(
        select(AuditEntry)
        .where(AuditEntry.action == "seller.shipping_settings")
        .order_by(AuditEntry.at)
    ).all()


def test_settings_are_saved_and_audited_with_only_what_changed(engine, session, shop):
    saved = update_shipping_settings(
        engine,
        actor=shop["actor"],
        handling_hours=48,
        address_line1="  12 Dock Road ",
        phone="+1 512 555 0100",
    )
    assert (saved.handling_hours, saved.address_line1, saved.phone) == (
        48,
        "12 Dock Road",
        "+1 512 555 0100",
    )
    seller = _fresh(session, Seller, shop["seller"].id)
    assert (seller.handling_hours, seller.address_line1, seller.phone) == (
        48,
        "12 Dock Road",
        "+1 512 555 0100",
    )
    [entry] = _audits(session)
    assert entry.actor_id == shop["actor"].user_id and entry.entity_id == seller.id
    assert entry.before == {"handling_hours": 24, "address_line1": None, "phone": None}
    assert entry.after == {
        "handling_hours": 48,
        "address_line1": "12 Dock Road",
        "phone": "+1 512 555 0100",
    }

    # The same values again change nothing and write no second row; a blank phone clears it.
    update_shipping_settings(
        engine, actor=shop["actor"], handling_hours=48, address_line1="12 Dock Road", phone=""
    )
    entries = _audits(session)
    assert len(entries) == 2
    assert entries[-1].before == {"phone": "+1 512 555 0100"}
    assert entries[-1].after == {"phone": None}
    assert get_shipping_settings(session, actor=shop["actor"]).phone == ""


@pytest.mark.parametrize(
    ("hours", "street", "phone", "fields"),
    [
        (0, "1 Road", "", ["handling_hours"]),
        (241, "1 Road", "", ["handling_hours"]),
        ("24", "1 Road", "", ["handling_hours"]),
        (True, "1 Road", "", ["handling_hours"]),
        (24, "   ", "", ["address_line1"]),
        (24, "x" * 201, "", ["address_line1"]),
        (24, "1 Road", "call me", ["phone"]),
        (24, "1 Road", "123", ["phone"]),
        (-5, "", "+1 (512) 555-0100 ext", ["handling_hours", "address_line1", "phone"]),
    ],
)
def test_bad_settings_name_every_field_at_once_and_change_nothing(
    engine, session, shop, hours, street, phone, fields
):
    with pytest.raises(ValidationFailed) as refused:
        update_shipping_settings(
            engine, actor=shop["actor"], handling_hours=hours, address_line1=street, phone=phone
        )
    assert [e["field"] for e in refused.value.errors] == fields
    seller = _fresh(session, Seller, shop["seller"].id)
    assert (seller.handling_hours, seller.address_line1, seller.phone) == (24, None, None)
    assert _audits(session) == []


def test_only_the_sellers_own_staff_change_its_settings(engine, session, shop):
    for role in ("admin", "support", "customer"):
        with pytest.raises(Forbidden):
            update_shipping_settings(
                engine,
                actor=make_actor(session, role),
                handling_hours=24,
                address_line1="1 Road",
                phone="",
            )
    other = make_seller(session)
    update_shipping_settings(
        engine,
        actor=make_actor(session, "seller", seller=other),
        handling_hours=72,
        address_line1="9 Other St",
        phone="",
    )
    assert _fresh(session, Seller, shop["seller"].id).handling_hours == 24


def _paid(session, shop, hours_ago: float, **changes) -> Order:
    order = make_order(
        session, customer=shop["customer"], seller=shop["seller"], products=[shop["product"]]
    )
    order.paid_at = utcnow() - timedelta(hours=hours_ago)
    # The queue reads the deadline stored at payment; set 24 h on here so the test does
    # not depend on today's weekday (domain.delivery.ship_by is tested on its own).
    order.ship_by = order.paid_at + timedelta(hours=24)
    for name, value in changes.items():
        setattr(order, name, value)
    session.add(order)
    session.commit()
    return order


def test_the_queue_is_sorted_by_ship_by_and_marks_late_due_soon_and_held(session, shop):
    on_time = _paid(session, shop, hours_ago=1)
    late = _paid(session, shop, hours_ago=30)
    soon = _paid(session, shop, hours_ago=22)
    held = _paid(session, shop, hours_ago=2, review_reason="duplicate")
    make_order(
        session,
        customer=shop["customer"],
        seller=shop["seller"],
        products=[shop["product"]],
        status="pending_payment",
    )

    rows = fulfillment_queue(session, actor=shop["actor"])

    assert [r.order.id for r in rows] == [late.id, soon.id, held.id, on_time.id]
    assert [r.urgency.value for r in rows] == ["late", "due_soon", "on_time", "on_time"]
    assert rows[0].time_left.startswith("late by 6 h")
    assert rows[2].order.review_reason == "duplicate"
    stranger = make_actor(session, "seller", seller=make_seller(session))
    assert fulfillment_queue(session, actor=stranger) == []


def _asked(session, order: Order, status: str, hours_ago: float) -> CancellationRequest:
    at = utcnow() - timedelta(hours=hours_ago)
    request = CancellationRequest(
        id=new_id("creq"),
        order_id=order.id,
        seller_id=order.seller_id,
        status=status,
        reason="found it cheaper",
        requested_by="someone",
        requested_at=at,
        due_at=at + timedelta(hours=24),
    )
    session.add(request)
    session.commit()
    return request


def _queue_statements(session, actor) -> tuple[list, int]:
    said: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        said.append(statement)

    bind = session.get_bind()
    event.listen(bind, "before_cursor_execute", count)
    try:
        rows = fulfillment_queue(session, actor=actor)
    finally:
        event.remove(bind, "before_cursor_execute", count)
    return rows, len(said)


def test_the_queue_marks_orders_whose_cancellation_request_waits_in_one_query(session, shop):
    pending = _paid(session, shop, hours_ago=3)
    escalated = _paid(session, shop, hours_ago=30)
    answered = _paid(session, shop, hours_ago=2)
    plain = _paid(session, shop, hours_ago=1)
    waiting = _asked(session, pending, "pending", hours_ago=1)
    to_support = _asked(session, escalated, "escalated", hours_ago=26)
    _asked(session, answered, "rejected", hours_ago=1.5)  # the seller said no: ships

    rows, few = _queue_statements(session, shop["actor"])
    by_id = {r.order.id: r for r in rows}
    assert len(rows) == 4  # one row per order, whatever requests it had
    assert by_id[pending.id].cancellation_pending
    assert by_id[pending.id].cancellation_requested_at == waiting.requested_at
    assert by_id[pending.id].cancellation_due_at == waiting.due_at
    assert by_id[escalated.id].cancellation_requested_at == to_support.requested_at
    assert not by_id[answered.id].cancellation_pending
    assert by_id[answered.id].cancellation_requested_at is None
    assert not by_id[plain.id].cancellation_pending

    # Four more orders, each asked to cancel: no query more (no query per row).
    for n in range(4):
        _asked(session, _paid(session, shop, hours_ago=4 + n), "pending", hours_ago=1)
    session.expire_all()
    rows, more = _queue_statements(session, shop["actor"])
    assert len(rows) == 8 and sum(r.cancellation_pending for r in rows) == 6
    assert more == few


def test_a_held_order_cannot_get_a_label(engine, session, shop):
    update_shipping_settings(
        engine, actor=shop["actor"], handling_hours=24, address_line1="1 Road", phone=""
    )
    held = _paid(session, shop, hours_ago=2, review_reason="stock_lost")
    with pytest.raises(Conflict) as refused:
        buy_label(
            engine,
            actor=shop["actor"],
            order_id=held.id,
            carrier="fedex",
            service="FEDEX_GROUND",
            sandbox_transport=None,
        )
    assert refused.value.type == "held-for-review"
    assert _fresh(session, Order, held.id).status == "processing"


def _one_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=288, height=432)  # 4x6 in
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _labelled(session, shop, order: Order, *, status=ShipmentStatus.SHIPPED, pdf=True) -> Shipment:
    shipment = Shipment(
        id=new_id("shp"),
        order_id=order.id,
        seller_id=order.seller_id,
        carrier="ups",
        service="03",
        tracking_number=new_id("1Z")[:30],
        status=status,
        created_at=utcnow(),
    )
    session.add(shipment)
    session.flush()
    if pdf:
        session.add(ShipmentLabel(shipment_id=shipment.id, pdf=_one_page_pdf()))
    order.status = "shipped"
    session.add(order)
    session.commit()
    return shipment


def test_waiting_for_pick_up_lists_labels_held_here_until_the_carrier_moves_them(session, shop):
    waiting = _labelled(session, shop, _paid(session, shop, hours_ago=3))
    _labelled(session, shop, _paid(session, shop, hours_ago=3), status="in_transit")
    _labelled(session, shop, _paid(session, shop, hours_ago=3), pdf=False)  # bought elsewhere
    stranger = make_actor(session, "seller", seller=make_seller(session))

    [item] = awaiting_pickup(session, actor=shop["actor"])

    assert item.shipment.id == waiting.id and item.order.id == waiting.order_id
    assert awaiting_pickup(session, actor=stranger) == []
    with pytest.raises(Forbidden):
        awaiting_pickup(session, actor=shop["customer"])


def test_labels_print_one_by_one_and_together_for_their_seller_only(session, shop):
    first = _labelled(session, shop, _paid(session, shop, hours_ago=3))
    second = _labelled(session, shop, _paid(session, shop, hours_ago=3))
    unlabelled = _paid(session, shop, hours_ago=3)
    stranger = make_actor(session, "seller", seller=make_seller(session))

    pdf, name = label_pdf(session, actor=shop["actor"], shipment_id=first.id)
    assert pdf.startswith(b"%PDF") and name == f"label-ups-{first.tracking_number}.pdf"
    bundle = labels_bundle(
        session, actor=shop["actor"], order_ids=[second.order_id, unlabelled.id, first.order_id]
    )
    assert len(PdfReader(io.BytesIO(bundle)).pages) == 2

    with pytest.raises(NotFound):
        label_pdf(session, actor=stranger, shipment_id=first.id)
    with pytest.raises(NotFound):
        labels_bundle(session, actor=shop["actor"], order_ids=[unlabelled.id])


def test_flagged_shipments_come_with_their_orders(session, shop):
    stuck = _labelled(session, shop, _paid(session, shop, hours_ago=80))
    stuck.flag, stuck.flagged_at = "stuck", utcnow()
    session.add(stuck)
    session.commit()

    [flagged] = flagged_shipments(session, actor=shop["actor"])

    assert (flagged.shipment.id, flagged.order.id) == (stuck.id, stuck.order_id)
