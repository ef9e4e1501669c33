"""Invoices: the order, its lines and its paid refunds as a PDF, for whoever may see
the order (the customer, the owning seller, support, admins)."""

from __future__ import annotations

from sqlmodel import Session, select

from oms_dashboard.documents.invoice import Invoice, InvoiceLine, InvoiceRefund, render_invoice
from oms_dashboard.domain.refunds import RefundStatus
from oms_dashboard.formatting.addresses import seller_address_lines, ship_to_lines
from oms_dashboard.formatting.money import format_money
from oms_dashboard.models import Customer, Order, OrderCharge, OrderLine, Refund, Seller
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.orders import get_order

REASON_SHOWN = 60
"""Characters of a refund's reason printed on its line."""


def invoice_number(order: Order) -> str:
    return f"INV-{order.number}"


def paid_refunds(session: Session, order_id: str) -> list[Refund]:
    return list(
        session.exec(
            select(Refund)
            .where(Refund.order_id == order_id, Refund.status == RefundStatus.PAID)
            .order_by(Refund.paid_at, Refund.created_at, Refund.id)
        )
    )


def order_charges(session: Session, order_id: str) -> list[OrderCharge]:
    return list(
        session.exec(
            select(OrderCharge)
            .where(OrderCharge.order_id == order_id)
            .order_by(OrderCharge.created_at, OrderCharge.id)
        )
    )


def build_invoice(session: Session, order: Order) -> Invoice:
    """The invoice's content; every amount is the stored one, formatted once. Issued
    when the order was paid (placed, until then), so every copy is the same."""
    money = order.currency

    def fmt(minor: int) -> str:
        return format_money(minor, money)

    seller = session.get(Seller, order.seller_id)
    customer = session.get(Customer, order.customer_id)
    lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
    ).all()
    refunds = paid_refunds(session, order.id)
    refunded = sum(refund.amount_minor for refund in refunds)
    # The order's shipping includes what was charged after checkout: each charge is a
    # line of its own, the checkout's shipping the rest.
    charges = order_charges(session, order.id)
    charged = sum(charge.amount_minor for charge in charges)
    return Invoice(
        number=invoice_number(order),
        order_number=order.number,
        issued_at=order.paid_at or order.placed_at,
        placed_at=order.placed_at,
        paid_at=order.paid_at,
        delivered_at=order.delivered_at,
        seller_name=seller.name,
        seller_lines=seller_address_lines(seller),
        bill_to=[customer.name if customer else order.ship_name, order.customer_email],
        ship_to=ship_to_lines(order),
        lines=[
            InvoiceLine(
                sku=line.sku,
                title=line.title,
                quantity=line.quantity,
                unit_price=fmt(line.unit_price_minor),
                line_total=fmt(line.line_total_minor),
            )
            for line in lines
        ],
        subtotal=fmt(order.subtotal_minor),
        shipping=fmt(order.shipping_minor - charged),
        tax_lines=(),
        total=fmt(order.total_minor),
        refunds=[_refund_row(refund, fmt) for refund in refunds],
        net_paid=fmt(order.total_minor - refunded) if refunds else None,
        paper_country=seller.country,
        charges=[
            (f"{charge.description} ({charge.created_at:%d %b %Y})", fmt(charge.amount_minor))
            for charge in charges
        ],
    )


def _refund_row(refund: Refund, fmt) -> InvoiceRefund:
    when = refund.paid_at or refund.created_at
    reason = refund.reason.strip().splitlines()[0] if refund.reason.strip() else ""
    if len(reason) > REASON_SHOWN:
        reason = reason[: REASON_SHOWN - 3] + "..."
    label = f"Refund {when:%d %b %Y}" + (f" ({reason})" if reason else "")
    return InvoiceRefund(label=label, amount="-" + fmt(refund.amount_minor))


def invoice_pdf(session: Session, *, actor: Actor, order_id: str) -> tuple[bytes, str]:
    """The PDF and a file name; 404 for an order the actor may not see."""
    order = get_order(session, actor=actor, order_id=order_id)
    return render_invoice(build_invoice(session, order)), f"invoice-{order.number}.pdf"
