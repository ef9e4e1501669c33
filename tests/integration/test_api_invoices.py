"""Invoices: the PDF's totals are the order's to the cent, refunds included, and only
those who may see the order get it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from oms_dashboard.formatting.money import format_money
from oms_dashboard.ids import new_id
from oms_dashboard.models import Refund
from oms_dashboard.models.base import utcnow
from tests.factories import make_actor, make_order, make_product, make_seller
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    assert_problem,
    login,
    world_fixture,
)


def pdf_text(response) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\N{NO-BREAK SPACE}", " ").split())


def money(minor: int, currency: str = "USD") -> str:
    return " ".join(format_money(minor, currency).replace("\N{NO-BREAK SPACE}", " ").split())


def add_refund(session, order, amount_minor: int, *, status: str = "paid", reason="Dented lid"):
    refund = Refund(
        id=new_id("rfd"),
        order_id=order.id,
        seller_id=order.seller_id,
        status=status,
        amount_minor=amount_minor,
        currency=order.currency,
        reason=reason,
        rule="discretionary",
        rule_reason="A person decided",
        requested_role="customer",
        paid_at=utcnow() - timedelta(hours=1) if status == "paid" else None,
    )
    session.add(refund)
    session.commit()
    return refund


def invoice(world, who: str, order_id: str):
    return world.api.get(f"/api/v1/orders/{order_id}/invoice.pdf", headers=world.headers(who))


def test_a_single_line_invoice_shows_the_orders_totals(world):
    order = world.orders["alice_a"]
    text = pdf_text(invoice(world, "alice", order.id))

    assert "Invoice" in text and f"INV-{order.number}" in text and order.number in text
    assert "Shop A" in text and "100 Congress Ave" in text and "UNITED STATES" in text
    assert world.product_a.sku in text and world.product_a.title in text
    assert f"Subtotal {money(order.subtotal_minor)}" in text
    assert f"Shipping {money(order.shipping_minor)}" in text
    assert "Tax No tax charged" in text
    assert f"Total {money(order.total_minor)}" in text
    assert "Refund" not in text and "Paid after refunds" not in text
    assert order.customer_email in text and "1 Main St" in text


def test_several_lines_and_a_paid_refund_add_up_to_the_cent(world, session):
    seller = make_seller(
        session,
        name="Lamp Works",
        country="DE",
        city="Berlin",
        region=None,
        postal_code="10115",
        currency="EUR",
        address_line1="Unter den Linden 1",
    )
    products = [
        make_product(session, seller, price_minor=1999, currency="EUR", title="Desk lamp"),
        make_product(session, seller, price_minor=333, currency="EUR", title="Bulb"),
    ]
    customer = make_actor(session, "customer")
    order = make_order(
        session, customer=customer, seller=seller, products=products, quantity=3, status="delivered"
    )
    add_refund(session, order, 1234)
    add_refund(session, order, 500, reason="Late delivery")
    add_refund(session, order, 777, status="pending_review")  # not paid: not on the invoice
    assert order.total_minor == 3 * 1999 + 3 * 333 + 599

    user = session.get(type(world.users["alice"]), customer.user_id)
    text = pdf_text(
        world.api.get(f"/api/v1/orders/{order.id}/invoice.pdf", headers=login(world.api, user))
    )

    assert "Desk lamp" in text and "Bulb" in text
    assert money(1999, "EUR") in text and money(3 * 1999, "EUR") in text
    assert money(3 * 333, "EUR") in text
    assert f"Subtotal {money(order.subtotal_minor, 'EUR')}" in text
    assert f"Total {money(order.total_minor, 'EUR')}" in text
    assert "€" in text  # the euro sign survives the core font
    assert f"(Dented lid) -{money(1234, 'EUR')}" in text
    assert f"(Late delivery) -{money(500, 'EUR')}" in text
    assert money(777, "EUR") not in text
    net = order.total_minor - 1234 - 500
    assert f"Paid after refunds {money(net, 'EUR')}" in text


@pytest.mark.parametrize("shipping_minor", [0, 1])
def test_free_and_odd_cent_shipping(world, session, shipping_minor):
    order = world.orders["bob_b"]
    order.shipping_minor = shipping_minor
    order.total_minor = order.subtotal_minor + shipping_minor
    session.add(order)
    session.commit()

    text = pdf_text(invoice(world, "admin", order.id))

    assert f"Shipping {money(shipping_minor)}" in text
    assert f"Total {money(order.total_minor)}" in text


@pytest.mark.parametrize(
    ("who", "order", "status"),
    [
        ("alice", "alice_a", 200),
        ("bob", "alice_a", 404),
        ("seller_a", "alice_a", 200),
        ("seller_b", "alice_a", 404),
        ("support", "alice_a", 200),
        ("admin", "bob_b", 200),
        ("bob", "bob_b", 200),
        ("seller_a", "bob_b", 404),
        (None, "alice_a", 401),
    ],
)
def test_who_gets_the_invoice(world, who, order, status):
    response = invoice(world, who, world.orders[order].id)
    if status == 200:
        assert world.orders[order].number in pdf_text(response)
    else:
        assert_problem(response, status, {401: "unauthorized", 404: "not-found"}[status])


def test_an_unknown_order_has_no_invoice(world):
    assert_problem(invoice(world, "admin", "ord_nope"), 404, "not-found")


def test_invoices_print_on_letter_in_the_us_and_a4_elsewhere():
    from oms_dashboard.documents.invoice import paper_for

    assert paper_for("US") == "Letter" and paper_for("ca") == "Letter"
    assert paper_for("DE") == "A4" and paper_for("GB") == "A4"
