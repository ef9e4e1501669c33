"""Customer emails through a real SMTP server (aiosmtpd) and the local mailbox.

Handlers are called the way the outbox calls them, on the test database of
each backend; the last tests go through ``add_message`` and ``dispatch_pending``.
"""

from __future__ import annotations

from datetime import date

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlmodel import Session, func, select

from oms_dashboard.bootstrap import outbox_handlers
from oms_dashboard.ids import new_id, new_order_number
from oms_dashboard.models import (
    Checkout,
    EmailMessage,
    Notification,
    Order,
    OrderLine,
    OutboxMessage,
    Shipment,
)
from oms_dashboard.notifications import handlers
from oms_dashboard.services import outbox, stock
from oms_dashboard.services.actor import Actor
from oms_dashboard.settings import get_settings
from tests.factories import make_actor, make_product, make_seller
from tests.integration.conftest import SmtpSink, free_port, use_smtp_url


def deliver_due(engine) -> dict[str, int]:
    return outbox.dispatch_pending(handlers=outbox_handlers(engine), engine=engine)


def usd(amount: str) -> str:
    """A US dollar amount as the default (en_US) reader sees it: "$" alone could be any dollar."""
    return f"USD\N{NO-BREAK SPACE}{amount}"


def make_checkout(
    session: Session,
    customer: Actor,
    parts: list[tuple[object, list[tuple[object, int]], int, date | None]],
) -> tuple[Checkout, list[Order]]:
    """A checkout split into one order per seller: parts are (seller, [(product, qty)],
    shipping_minor, estimated_delivery)."""
    ship_to = dict(
        ship_name=customer.name,
        ship_line1="12 Elm Street",
        ship_line2="Apt 4",
        ship_city="Austin",
        ship_region="TX",
        ship_postal_code="78701",
        ship_country="US",
    )
    totals = [sum(p.price_minor * q for p, q in lines) + ship for _, lines, ship, _ in parts]
    checkout = Checkout(
        id=new_id("chk"),
        customer_id=customer.customer_id,
        idempotency_key=new_id("key"),
        request_hash="0" * 64,
        currency="USD",
        total_minor=sum(totals),
        status="paid",
        payment_status="authorized",
        **ship_to,
    )
    session.add(checkout)
    session.flush()
    orders = []
    for seller, lines, shipping, eta in parts:
        subtotal = sum(p.price_minor * q for p, q in lines)
        order = Order(
            id=new_id("ord"),
            number=new_order_number(),
            checkout_id=checkout.id,
            seller_id=seller.id,
            customer_id=customer.customer_id,
            customer_email=customer.email,
            status="processing",
            currency="USD",
            subtotal_minor=subtotal,
            shipping_minor=shipping,
            total_minor=subtotal + shipping,
            estimated_delivery=eta,
            placed_at=checkout.created_at,
            **ship_to,
        )
        session.add(order)
        session.flush()
        for product, quantity in lines:
            session.add(
                OrderLine(
                    id=new_id("oln"),
                    order_id=order.id,
                    seller_id=seller.id,
                    sku=product.sku,
                    title=product.title,
                    quantity=quantity,
                    unit_price_minor=product.price_minor,
                    line_total_minor=product.price_minor * quantity,
                    placed_at=order.placed_at,
                )
            )
        orders.append(order)
    session.commit()
    return checkout, orders


def two_seller_checkout(session: Session, **title):
    customer = make_actor(session, "customer")
    lamps = make_seller(session, name="Bright Lamps & Co")
    books = make_seller(session, name="Paper Trail Books")
    lamp = make_product(
        session, lamps, sku="LAMP-1", title=title.get("title", "Desk lamp"), price_minor=1999
    )
    bulb = make_product(session, lamps, sku="BULB-9", title="LED bulb", price_minor=1250)
    atlas = make_product(session, books, sku="ATLAS-2", title="World atlas", price_minor=100050)
    checkout, orders = make_checkout(
        session,
        customer,
        [
            (lamps, [(lamp, 3), (bulb, 1)], 599, date(2025, 3, 20)),
            (books, [(atlas, 1)], 0, None),
        ],
    )
    return customer, checkout, orders


def email_rows(session: Session) -> list[EmailMessage]:
    session.rollback()  # a fresh transaction sees what other sessions committed
    session.expire_all()
    return list(session.exec(select(EmailMessage).order_by(EmailMessage.id)))


def test_confirmation_email_summarises_every_sellers_order(session, engine, smtp):
    customer, checkout, (lamp_order, book_order) = two_seller_checkout(session)

    handlers.order_confirmation({"checkout_id": checkout.id}, engine=engine)

    assert len(smtp.received) == 1
    recipients, message = smtp.received[0]
    assert recipients == [customer.email]
    assert message["To"] == customer.email
    assert message["From"] == "OMS Dashboard <orders@oms.demo>"
    assert message["Subject"] == "Your order of 5 items from 2 sellers is confirmed"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert lamp_order.number in body and book_order.number in body
        assert "Paper Trail Books" in body
        assert "LAMP-1" in body and "BULB-9" in body and "ATLAS-2" in body
        assert usd("19.99") in body and usd("59.97") in body  # 3 x 19.99, to the cent
        assert usd("72.47") in body and usd("5.99") in body and usd("78.46") in body
        assert usd("1,000.50") in body and usd("0.00") in body
        assert usd("1,078.96") in body  # the checkout total
        assert "Thu 20 Mar 2025" in body
        assert "tracking numbers follow when the seller ships" in body
        assert "12 Elm Street" in body and "AUSTIN, TX 78701" in body
    assert "Bright Lamps & Co" in text
    assert "Bright Lamps &amp; Co" in html
    assert f"/orders/{lamp_order.id}" in html
    (row,) = email_rows(session)
    assert row.transport == "smtp"
    assert row.to_address == customer.email
    assert row.dedupe_key == f"email:order-confirmation:{checkout.id}"
    assert row.order_id == lamp_order.id


def test_single_order_subject_names_the_order_and_shows_tracking(session, engine, smtp):
    customer = make_actor(session, "customer")
    seller = make_seller(session)
    product = make_product(session, seller, price_minor=2500)
    checkout, (order,) = make_checkout(session, customer, [(seller, [(product, 2)], 499, None)])
    session.add(
        Shipment(
            id=new_id("shp"),
            order_id=order.id,
            seller_id=seller.id,
            carrier="ups",
            service="ground",
            tracking_number="1Z999AA10123456784",
            status="shipped",
        )
    )
    session.commit()

    handlers.order_confirmation({"checkout_id": checkout.id}, engine=engine)

    (message,) = smtp.messages
    assert message["Subject"] == f"Your order {order.number} is confirmed"
    text = message.get_body(("plain",)).get_content()
    assert "UPS 1Z999AA10123456784" in text
    assert "tracking numbers follow" not in text
    assert usd("54.99") in text  # 2 x 25.00 + 4.99


def test_running_the_handler_twice_sends_once(session, engine, smtp):
    _, checkout, _ = two_seller_checkout(session)

    handlers.order_confirmation({"checkout_id": checkout.id}, engine=engine)
    handlers.order_confirmation({"checkout_id": checkout.id}, engine=engine)

    assert len(smtp.messages) == 1
    assert len(email_rows(session)) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_login_uses_the_credentials_in_the_url(session, engine, monkeypatch):
    logins = []

    def authenticator(server, smtp_session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret!")

    sink = SmtpSink()
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    try:
        use_smtp_url(monkeypatch, f"smtp://oms%40demo:s3cret%21@127.0.0.1:{controller.port}")
        _, checkout, _ = two_seller_checkout(session)
        handlers.order_confirmation({"checkout_id": checkout.id}, engine=engine)
    finally:
        controller.stop()
        monkeypatch.undo()
        get_settings.cache_clear()
    assert logins == [(b"oms@demo", b"s3cret!")]
    assert len(sink.messages) == 1


def test_without_smtp_the_email_lands_in_the_mailbox(session, engine, mailbox):
    customer, checkout, _ = two_seller_checkout(session)

    handlers.order_confirmation({"checkout_id": checkout.id}, engine=engine)

    (row,) = email_rows(session)
    assert row.transport == "mailbox"
    assert row.to_address == customer.email
    assert row.subject == "Your order of 5 items from 2 sellers is confirmed"
    assert usd("1,078.96") in row.text_body and usd("1,078.96") in row.html_body


def test_smtp_down_raises_and_records_nothing(session, engine, smtp_down):
    _, checkout, _ = two_seller_checkout(session)

    with pytest.raises(OSError):
        handlers.order_confirmation({"checkout_id": checkout.id}, engine=engine)

    assert email_rows(session) == []


def test_html_escapes_product_titles_and_text_keeps_them(session, engine, mailbox):
    title = '<script>alert("x")</script> Lamp'
    _, checkout, _ = two_seller_checkout(session, title=title)

    handlers.order_confirmation({"checkout_id": checkout.id}, engine=engine)

    (row,) = email_rows(session)
    assert "<script>" not in row.html_body
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Lamp" in row.html_body
    assert title in row.text_body


def test_payment_failed_email_links_to_the_first_order(session, engine, smtp):
    customer, checkout, (first, _) = two_seller_checkout(session)

    handlers.payment_failed({"checkout_id": checkout.id}, engine=engine)
    handlers.payment_failed({"checkout_id": checkout.id}, engine=engine)

    (message,) = smtp.messages
    assert message["To"] == customer.email
    assert "could not verify the payment" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert usd("1,078.96") in text
    assert "released" in text and "cart is kept" in text
    assert f"Retry payment: http://localhost:{get_settings().port}/orders/{first.id}" in text
    assert "Retry payment</a>" in message.get_body(("html",)).get_content()
    (row,) = email_rows(session)
    assert row.dedupe_key == f"email:payment-failed:{checkout.id}:r1"


def test_each_payment_round_that_fails_gets_its_own_email(session, engine, smtp):
    customer, checkout, _ = two_seller_checkout(session)
    for payment_round in (1, 2, 2):
        handlers.payment_failed({"checkout_id": checkout.id, "round": payment_round}, engine=engine)
    assert len(smtp.messages) == 2
    assert sorted(r.dedupe_key[-2:] for r in email_rows(session)) == ["r1", "r2"]


def test_action_required_emails_and_notifies_the_customer(session, engine, mailbox):
    customer, checkout, (first, _) = two_seller_checkout(session)

    handlers.payment_action_required({"checkout_id": checkout.id}, engine=engine)
    handlers.payment_action_required({"checkout_id": checkout.id}, engine=engine)

    (row,) = email_rows(session)
    assert row.dedupe_key == f"email:payment-action:{checkout.id}:r1"
    assert "extra verification" in row.text_body
    (note,) = session.exec(select(Notification)).all()
    assert note.user_id == customer.user_id and note.seller_id is None
    assert note.order_id == first.id
    assert first.number in note.body


def test_stock_lost_offers_alternatives_by_email_and_in_app(session, engine, smtp):
    customer, _, (lamp_order, _) = two_seller_checkout(session)
    payload = {
        "order_id": lamp_order.id,
        "sku": "LAMP-1",
        "alternatives": [{"sku": "LAMP-7", "title": "Clip-on <b>lamp</b>", "price": "17.50"}],
    }

    handlers.stock_lost(payload, engine=engine)
    handlers.stock_lost(payload, engine=engine)

    (message,) = smtp.messages
    assert message["Subject"] == f"An item of your order {lamp_order.number} is no longer available"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Desk lamp (SKU LAMP-1), quantity 3," in text
    assert f"Clip-on <b>lamp</b> (SKU LAMP-7), {usd('17.50')}" in text
    assert "Clip-on &lt;b&gt;lamp&lt;/b&gt;" in html
    (note,) = session.exec(select(Notification)).all()
    assert note.user_id == customer.user_id
    assert "LAMP-1" in note.body and "1 alternative" in note.body


def test_an_unknown_checkout_fails_with_a_clear_reason(session, engine, mailbox):
    with pytest.raises(LookupError, match="checkout chk_missing does not exist"):
        handlers.order_confirmation({"checkout_id": "chk_missing"}, engine=engine)


def test_outbox_delivers_a_confirmation(session, engine, smtp):
    _, checkout, _ = two_seller_checkout(session)
    outbox.add_message(
        session,
        kind="customer.order_confirmation",
        dedupe_key=f"order-confirmation:{checkout.id}",
        payload={"checkout_id": checkout.id},
    )
    session.commit()

    assert deliver_due(engine) == {"sent": 1, "retry": 0, "failed": 0}
    assert deliver_due(engine) == {"sent": 0, "retry": 0, "failed": 0}
    assert len(smtp.messages) == 1
    assert len(email_rows(session)) == 1


def test_outbox_retries_while_smtp_is_down(session, engine, smtp_down):
    _, checkout, _ = two_seller_checkout(session)
    message = outbox.add_message(
        session,
        kind="customer.payment_failed",
        dedupe_key=f"payment-failed:{checkout.id}",
        payload={"checkout_id": checkout.id},
    )
    session.commit()

    assert deliver_due(engine) == {"sent": 0, "retry": 1, "failed": 0}
    session.rollback()  # a fresh transaction sees what other sessions committed
    session.expire_all()
    row = session.get(OutboxMessage, message.id)
    assert row.status == "pending" and row.attempts == 1
    assert "Connection" in row.last_error or "refused" in row.last_error
    assert session.exec(select(func.count()).select_from(EmailMessage)).one() == 0


def test_low_stock_from_the_stock_service_reaches_the_seller(session, engine, mailbox):
    seller = make_seller(session, low_stock_threshold=5)
    make_actor(session, "seller", seller=seller)
    product = make_product(session, seller, sku="MUG-1", title="Blue mug", on_hand=6)
    assert stock.reserve(session, product.sku, 3)
    stock.note_stock_levels(session, [product.sku])
    session.commit()

    assert deliver_due(engine)["sent"] == 1

    (note,) = session.exec(select(Notification)).all()
    assert note.seller_id == seller.id
    assert note.title == "Low stock: Blue mug (MUG-1) — 3 left"
    (row,) = email_rows(session)
    assert row.subject == "Low stock: Blue mug (MUG-1) — 3 left"
