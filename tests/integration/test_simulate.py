"""The demo simulator places and pays checkouts through the real API over HTTP."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlmodel import Session, select

from oms_dashboard.demo.seed import seed_demo
from oms_dashboard.demo.simulate import Simulator
from oms_dashboard.models import Checkout, PaymentEvent
from tests.integration.live_server import LiveServer


@pytest.fixture
def live_demo(engine, session):
    seed_demo(session)
    session.commit()
    with LiveServer(engine) as server:
        yield server


def test_simulated_checkouts_are_placed_and_paid(engine, live_demo):
    with Session(engine) as s:
        before = len(s.exec(select(Checkout.id)).all())
    Simulator(live_demo.url, seed=7, engine=engine).run(interval=0, count=12)
    with Session(engine) as s:
        new = s.exec(select(Checkout).order_by(Checkout.created_at.desc())).all()[
            : len(s.exec(select(Checkout.id)).all()) - before
        ]
        outcomes = Counter(e.outcome for e in s.exec(select(PaymentEvent)).all())
    assert len(new) >= 8  # a few may be refused for stock
    assert sum(outcomes.values()) == len(new)
    assert outcomes["verified"] >= 1
    assert any(c.payment_status == "authorized" for c in new)


def test_the_sellers_ship_paid_orders_buying_labels_through_the_api(engine, live_demo):
    from oms_dashboard.models import Order, Shipment, ShipmentLabel

    simulator = Simulator(live_demo.url, seed=3, engine=engine)
    simulator.load_world()
    with Session(engine) as s:
        waiting = len(s.exec(select(Order.id).where(Order.status == "processing")).all())
    assert waiting, "the demo has paid orders waiting to ship"
    shipped = sum(simulator.ship_some(older_than_seconds=0) for _ in range(4))
    assert shipped >= 1
    with Session(engine) as s:
        labelled = s.exec(
            select(Shipment, Order)
            .join(Order, Order.id == Shipment.order_id)
            .join(ShipmentLabel, ShipmentLabel.shipment_id == Shipment.id)
        ).all()
        assert len(labelled) == shipped
        assert all(order.status == "shipped" for _, order in labelled)
