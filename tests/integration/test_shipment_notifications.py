"""What a customer is told about a package, end to end through the outbox: the email
(a real SMTP server, aiosmtpd), the bell (notifications rows) and a web push (a local
push service that checks the VAPID signature and decrypts the payload like a browser).

Shipments are inserted as the tracking service leaves them, and each update is
written the way it writes them: one ``customer.shipment_update`` outbox message with
the contract's payload and dedupe key.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlmodel import Session, select

from oms_dashboard.bootstrap import outbox_handlers
from oms_dashboard.domain.tracking import ShipmentNotice
from oms_dashboard.ids import new_id
from oms_dashboard.models import (
    Customer,
    EmailMessage,
    Notification,
    Order,
    OutboxMessage,
    PushMessage,
    PushSubscription,
    Shipment,
    ShipmentScan,
)
from oms_dashboard.notifications import push as push_module
from oms_dashboard.notifications.shipments import shipment_update
from oms_dashboard.notifications.vapid import public_key_b64
from oms_dashboard.services import outbox, push_subscriptions
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.outbox import MessageKind
from oms_dashboard.settings import get_settings
from tests.factories import make_actor, make_order, make_product, make_seller
from tests.integration.api_helpers import count
from tests.integration.conftest import free_port
from tests.integration.push_service import Browser, PushService

ETA = date(2026, 12, 4)
LATER = date(2026, 12, 8)
_numbers = itertools.count(1)


@pytest.fixture
def push_service():
    with PushService(push_subscriptions.application_server_key()) as service:
        yield service


def customer_order(session: Session, *, guest: bool = False) -> tuple[Actor, Order]:
    seller = make_seller(session, name="Bright Lamps & Co")
    product = make_product(session, seller, title="Desk lamp")
    if guest:
        row = Customer(id=new_id("cus"), user_id=None, name="Gus Guest", email="gus@example.com")
        session.add(row)
        session.commit()
        customer = Actor(
            user_id=None,
            role=Role.CUSTOMER,
            name=row.name,
            email=row.email,
            customer_id=row.id,
        )
    else:
        customer = make_actor(session, "customer")
    order = make_order(session, customer=customer, seller=seller, products=[product])
    return customer, order


def make_shipment(session: Session, order: Order, **overrides) -> Shipment:
    shipment = Shipment(
        id=new_id("shp"),
        order_id=order.id,
        seller_id=order.seller_id,
        carrier=overrides.pop("carrier", "ups"),
        service=overrides.pop("service", "Ground"),
        tracking_number=overrides.pop("tracking_number", f"1Z999AA1{next(_numbers):010d}"),
        status=overrides.pop("status", "shipped"),
        estimated_delivery=overrides.pop("estimated_delivery", ETA),
        **overrides,
    )
    session.add(shipment)
    session.commit()
    return shipment


def add_scan(session: Session, shipment: Shipment, description: str, at: datetime) -> None:
    session.add(
        ShipmentScan(
            id=new_id("scn"),
            shipment_id=shipment.id,
            at=at,
            code=f"C{next(_numbers)}",
            description=description,
            city="Memphis",
            region="TN",
            country="US",
        )
    )
    session.commit()


def announce(
    session: Session,
    shipment: Shipment,
    notice: str,
    *,
    estimate: date | None = None,
    previous: date | None = None,
) -> OutboxMessage | None:
    """What the tracking service writes, in the transaction of the change."""
    key = f"shipment:{shipment.id}:{notice}"
    if notice == ShipmentNotice.DELAYED:
        key += f":{estimate}"
    message = outbox.add_message(
        session,
        kind=MessageKind.SHIPMENT_UPDATE,
        dedupe_key=key,
        payload={
            "shipment_id": shipment.id,
            "notice": str(notice),
            "estimated_delivery": estimate.isoformat() if estimate else None,
            "previous_estimate": previous.isoformat() if previous else None,
        },
    )
    session.commit()
    return message


def deliver_due(engine) -> dict[str, int]:
    return outbox.dispatch_pending(handlers=outbox_handlers(engine), engine=engine)


def subscribe(engine, customer: Actor, service: PushService, name: str) -> Browser:
    browser = Browser(service, name)
    push_subscriptions.save_subscription(
        engine, actor=customer, endpoint=browser.endpoint, p256dh=browser.p256dh, auth=browser.auth
    )
    return browser


def rows(session: Session, model):
    session.rollback()  # a fresh transaction sees what the handler committed
    session.expire_all()
    return list(session.exec(select(model)))


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def order_link(order: Order) -> str:
    return f"http://localhost:{get_settings().port}/orders/{order.id}"


# notice -> (subject, a phrase of the email's text, the push body)
EXPECTED = {
    ShipmentNotice.SHIPPED: (
        "Order {number} has shipped",
        "Bright Lamps & Co has handed your order {number} to UPS",
        "UPS {tracking} is on its way to you. Estimated delivery: Fri 04 Dec 2026.",
    ),
    ShipmentNotice.OUT_FOR_DELIVERY: (
        "Order {number} is out for delivery",
        "is out for delivery with UPS and should arrive today",
        "UPS {tracking} should arrive today.",
    ),
    ShipmentNotice.DELIVERED: (
        "Order {number} was delivered",
        "Confirm receipt or report a problem: {link}",
        "UPS {tracking} was delivered. Please confirm you received it, or report a problem, "
        "from the order page.",
    ),
    ShipmentNotice.DELIVERY_EXCEPTION: (
        "A problem with the delivery of order {number}",
        'What the carrier says: "Arrival scan"',
        "UPS {tracking} could not be delivered as planned. UPS says: “Arrival scan”. Our "
        "support team has been told and will follow up.",
    ),
    ShipmentNotice.DELAYED: (
        "Order {number} is delayed",
        "New delivery date: Tue 08 Dec 2026 (it was Fri 04 Dec 2026).",
        "UPS {tracking} should now arrive on Tue 08 Dec 2026 (it was Fri 04 Dec 2026).",
    ),
    ShipmentNotice.SIGNATURE_REQUIRED: (
        "Order {number} needs a signature on delivery",
        "Someone must be at the delivery address to sign for it on Fri 04 Dec 2026.",
        "Someone must be there to sign for UPS {tracking} when it arrives on Fri 04 Dec 2026.",
    ),
}


@pytest.mark.parametrize("notice", list(ShipmentNotice))
def test_each_notice_is_one_email_one_bell_entry_and_one_push(
    notice, session, engine, smtp, push_service
):
    customer, order = customer_order(session)
    shipment = make_shipment(session, order)
    add_scan(session, shipment, "Arrival scan", datetime(2026, 12, 2, 9, 30, tzinfo=UTC))
    phone = subscribe(engine, customer, push_service, "phone")
    delayed = notice == ShipmentNotice.DELAYED
    new_date, old_date = (LATER, ETA) if delayed else (None, None)
    announce(session, shipment, notice, estimate=new_date, previous=old_date)

    assert deliver_due(engine) == {"sent": 1, "retry": 0, "failed": 0}

    facts = dict(number=order.number, tracking=shipment.tracking_number, link=order_link(order))
    subject, phrase, push_body = (part.format(**facts) for part in EXPECTED[notice])
    (message,) = smtp.messages
    assert message["To"] == customer.email
    assert message["Subject"] == subject
    text = text_of(message)
    assert phrase in text
    assert "Carrier: UPS (Ground)" in text
    assert f"Tracking number: {shipment.tracking_number}" in text
    assert "Latest scan: Arrival scan, Memphis, TN, US (02 Dec 2026, 09:30 UTC)" in text
    assert order_link(order) in text
    assert f'href="{order_link(order)}"' in message.get_body(("html",)).get_content()
    (note,) = rows(session, Notification)
    assert (note.user_id, note.order_id) == (customer.user_id, order.id)
    assert note.kind == f"shipment_{notice}"
    assert note.title == subject and note.body == push_body
    assert push_service.refused == []
    (push,) = push_service.received
    assert push.browser == "phone"
    assert push.payload == {
        "title": subject,
        "body": push_body,
        "url": f"/orders/{order.id}",
        "tag": f"shipment:{shipment.id}",
    }
    assert push.claims["sub"] == "mailto:ops@oms.example"
    assert push.ttl == 24 * 3600
    (subscription,) = rows(session, PushSubscription)
    assert subscription.endpoint == phone.endpoint and subscription.last_success_at is not None

    # Delivered again, and written again by a tracking sync that saw the same scan.
    assert announce(session, shipment, notice, estimate=new_date) is None
    assert deliver_due(engine) == {"sent": 0, "retry": 0, "failed": 0}
    (written,) = rows(session, OutboxMessage)
    shipment_update(written.payload, engine=engine)
    assert len(smtp.messages) == 1
    assert count(engine, Notification) == 1 and count(engine, EmailMessage) == 1
    assert len(push_service.received) == 1 and count(engine, PushMessage) == 1


def test_the_exception_quotes_the_carriers_newest_scan(session, engine, smtp):
    _, order = customer_order(session)
    shipment = make_shipment(session, order, status="delivery_exception")
    add_scan(session, shipment, "Departed facility", datetime(2026, 12, 2, 6, 0, tzinfo=UTC))
    add_scan(session, shipment, "Address incomplete", datetime(2026, 12, 3, 14, 5, tzinfo=UTC))

    announce(session, shipment, ShipmentNotice.DELIVERY_EXCEPTION)
    deliver_due(engine)

    text = text_of(smtp.messages[0])
    assert 'What the carrier says: "Address incomplete"' in text
    assert "Departed facility" not in text
    assert "support team has been told" in text
    html = smtp.messages[0].get_body(("html",)).get_content()
    assert "“Address incomplete”" in html


def test_each_new_delay_is_news_and_the_same_one_is_not(session, engine, mailbox):
    _, order = customer_order(session)
    shipment = make_shipment(session, order)

    announce(session, shipment, "delayed", estimate=LATER, previous=ETA)
    announce(session, shipment, "delayed", estimate=LATER, previous=ETA)
    announce(session, shipment, "delayed", estimate=date(2026, 12, 10), previous=LATER)
    assert deliver_due(engine)["sent"] == 2

    emails = sorted(rows(session, EmailMessage), key=lambda e: e.dedupe_key)
    assert [e.dedupe_key for e in emails] == [
        f"email:shipment:{shipment.id}:delayed:2026-12-08",
        f"email:shipment:{shipment.id}:delayed:2026-12-10",
    ]
    assert "New delivery date: Thu 10 Dec 2026 (it was Tue 08 Dec 2026)." in emails[1].text_body
    notes = rows(session, Notification)
    assert sorted(n.dedupe_key for n in notes) == [
        f"inapp:shipment:{shipment.id}:delayed:2026-12-08",
        f"inapp:shipment:{shipment.id}:delayed:2026-12-10",
    ]


def test_a_return_is_told_as_a_return(session, engine, smtp, push_service):
    customer, order = customer_order(session)
    shipment = make_shipment(session, order, direction="return")
    subscribe(engine, customer, push_service, "laptop")

    for notice in ("shipped", "delivered"):
        announce(session, shipment, notice)
    deliver_due(engine)

    subjects = [m["Subject"] for m in smtp.messages]
    assert subjects == [
        f"Your return for order {order.number} is on its way",
        f"The seller has received your return for order {order.number}",
    ]
    shipped, delivered = (text_of(m) for m in smtp.messages)
    assert "is on its way back to Bright Lamps & Co" in shipped
    assert "Reaches the seller: Fri 04 Dec 2026" in shipped
    assert "Confirm receipt" not in delivered  # the seller received it, not the customer
    assert "to Bright Lamps & Co" in delivered
    assert [p["title"] for p in push_service.payloads()] == subjects
    assert "back to the seller" in push_service.payloads()[0]["body"]


def test_a_guest_gets_the_email_only(session, engine, smtp, push_service):
    customer, order = customer_order(session, guest=True)
    shipment = make_shipment(session, order)

    announce(session, shipment, "shipped")
    assert deliver_due(engine)["sent"] == 1

    (message,) = smtp.messages
    assert message["To"] == "gus@example.com"
    assert message["Subject"] == f"Order {order.number} has shipped"
    assert "Hello Gus Guest" in text_of(message)
    assert count(engine, Notification) == 0
    assert push_service.received == [] and count(engine, PushMessage) == 0


def test_a_browser_that_unsubscribed_is_dropped_and_the_email_still_goes(
    session, engine, smtp, push_service
):
    customer, order = customer_order(session)
    shipment = make_shipment(session, order)
    subscribe(engine, customer, push_service, "old-phone")
    subscribe(engine, customer, push_service, "laptop")
    subscribe(engine, customer, push_service, "tablet")
    push_service.answers["old-phone"] = 410  # Gone: the push service forgot it
    push_service.answers["tablet"] = 503  # a passing failure: kept, counted

    announce(session, shipment, "shipped")
    assert deliver_due(engine) == {"sent": 1, "retry": 0, "failed": 0}

    assert len(smtp.messages) == 1
    assert [p.browser for p in push_service.received] == ["laptop"]
    left = {s.endpoint.rsplit("/", 1)[-1]: s for s in rows(session, PushSubscription)}
    assert sorted(left) == ["laptop", "tablet"]
    assert left["tablet"].failures == 1 and left["tablet"].last_success_at is None
    assert left["laptop"].failures == 0 and left["laptop"].last_success_at is not None
    (pushed,) = rows(session, PushMessage)
    assert (pushed.attempted, pushed.delivered) == (3, 1)


def test_a_push_service_that_is_down_or_slow_never_holds_the_email(
    session, engine, smtp, push_service, monkeypatch
):
    customer, order = customer_order(session)
    shipment = make_shipment(session, order)
    subscribe(engine, customer, push_service, "slow")
    nowhere = Browser(push_service, "nowhere")
    push_subscriptions.save_subscription(
        engine,
        actor=customer,
        endpoint=f"http://127.0.0.1:{free_port()}/push/nowhere",  # nothing listens there
        p256dh=nowhere.p256dh,
        auth=nowhere.auth,
    )
    push_service.delay = 1.5
    monkeypatch.setattr(push_module, "TIMEOUT_SECONDS", 0.5)

    announce(session, shipment, "out_for_delivery")
    assert deliver_due(engine) == {"sent": 1, "retry": 0, "failed": 0}

    assert [m["Subject"] for m in smtp.messages] == [f"Order {order.number} is out for delivery"]
    assert sorted(s.failures for s in rows(session, PushSubscription)) == [1, 1]
    assert count(engine, Notification) == 1


def test_two_lifecycles_on_two_packages_tell_everything_once(session, engine, smtp, push_service):
    customer, order = customer_order(session)
    first, second = make_shipment(session, order), make_shipment(session, order)
    subscribe(engine, customer, push_service, "phone")
    lifecycle = ("shipped", "out_for_delivery", "delivered")

    for _ in range(2):  # the second round is every message replayed
        for shipment in (first, second):
            for notice in lifecycle:
                announce(session, shipment, notice)
                deliver_due(engine)
                shipment_update({"shipment_id": shipment.id, "notice": notice}, engine=engine)

    told = [(m["Subject"], text_of(m)) for m in smtp.messages]
    assert len(told) == 6
    for shipment in (first, second):
        mine = [subject for subject, text in told if shipment.tracking_number in text]
        assert mine == [
            f"Order {order.number} has shipped",
            f"Order {order.number} is out for delivery",
            f"Order {order.number} was delivered",
        ]
    assert count(engine, Notification) == 6 and count(engine, PushMessage) == 6
    pushes = push_service.payloads()
    assert len(pushes) == 6
    tags = [f"shipment:{first.id}"] * 3 + [f"shipment:{second.id}"] * 3
    assert [p["tag"] for p in pushes] == tags
    assert count(engine, OutboxMessage) == 6


def test_the_push_service_refuses_a_push_signed_with_another_key(session, engine, push_service):
    """The checks of the test push service are real: a push signed with a key the browser
    did not subscribe with is refused, and nothing counts as delivered."""
    customer, order = customer_order(session)
    shipment = make_shipment(session, order)
    subscribe(engine, customer, push_service, "phone")
    push_service.application_server_key = public_key_b64(ec.generate_private_key(ec.SECP256R1()))

    announce(session, shipment, "shipped")
    assert deliver_due(engine)["sent"] == 1  # push failing never fails the message

    assert push_service.received == []
    assert len(push_service.refused) == 1 and "another key" in push_service.refused[0]
    (pushed,) = rows(session, PushMessage)
    assert pushed.delivered == 0
    (subscription,) = rows(session, PushSubscription)
    assert subscription.failures == 1


def test_an_unknown_shipment_fails_with_a_clear_reason(engine, mailbox):
    with pytest.raises(LookupError, match="shipment shp_missing does not exist"):
        shipment_update({"shipment_id": "shp_missing", "notice": "shipped"}, engine=engine)


def test_the_newest_scan_wins_however_it_was_recorded(session, engine, mailbox):
    _, order = customer_order(session)
    shipment = make_shipment(session, order)
    now = datetime.now(UTC)
    add_scan(session, shipment, "Out for delivery", now)
    add_scan(session, shipment, "Arrival scan", now - timedelta(hours=5))  # reported late

    announce(session, shipment, "out_for_delivery")
    deliver_due(engine)

    (email,) = rows(session, EmailMessage)
    assert "Latest scan: Out for delivery, Memphis" in email.text_body
