"""Invoices: one order on A4 or US Letter, from the seller to the customer, its
totals exactly the order's.

Amounts arrive formatted (``formatting.money``); this module lays them out and
adds nothing up, so the PDF cannot disagree with the order by a cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from oms_dashboard.documents.packing_slip import NEXT_LINE
from oms_dashboard.documents.packing_slip import _text as _latin_text

ENCODING = "windows-1252"
"""Latin-1 plus the euro sign and typographic dashes, still a core PDF font."""
LETTER_COUNTRIES = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "VE", "GT", "CR"})
"""Where paper is US Letter; A4 everywhere else."""


@dataclass(frozen=True)
class InvoiceLine:
    sku: str
    title: str
    quantity: int
    unit_price: str
    line_total: str


@dataclass(frozen=True)
class InvoiceRefund:
    label: str
    amount: str
    """Already negative: ``-USD 12.50``."""


@dataclass(frozen=True)
class Invoice:
    number: str
    order_number: str
    issued_at: datetime
    placed_at: datetime
    seller_name: str
    seller_lines: Sequence[str]
    bill_to: Sequence[str]
    ship_to: Sequence[str]
    lines: Sequence[InvoiceLine]
    subtotal: str
    shipping: str
    tax_lines: Sequence[tuple[str, str]]
    """(label, amount); empty when no tax was charged (the order model has none)."""
    total: str
    refunds: Sequence[InvoiceRefund] = ()
    net_paid: str | None = None
    """What the customer paid net of the refunds, when there are any."""
    paid_at: datetime | None = None
    delivered_at: datetime | None = None
    paper_country: str = "US"
    charges: Sequence[tuple[str, str]] = ()
    """(label, amount) charged after checkout (the dearer shipping of an address
    change), listed under Shipping; ``total`` includes them."""


def _text(value: str) -> str:
    return _latin_text(value, ENCODING)


def paper_for(country: str) -> str:
    return "Letter" if country.upper() in LETTER_COUNTRIES else "A4"


def render_invoice(invoice: Invoice) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format=paper_for(invoice.paper_country))
    pdf.core_fonts_encoding = ENCODING
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, "Invoice", **NEXT_LINE)
    pdf.set_font("Helvetica", "", 10)
    facts = [
        f"Invoice {invoice.number}",
        f"Order {invoice.order_number}",
        f"Issued {invoice.issued_at:%d %b %Y}",
        f"Order placed {invoice.placed_at:%d %b %Y}",
    ]
    if invoice.paid_at:
        facts.append(f"Paid {invoice.paid_at:%d %b %Y}")
    if invoice.delivered_at:
        facts.append(f"Delivered {invoice.delivered_at:%d %b %Y}")
    for fact in facts:
        pdf.cell(0, 5, _text(fact), **NEXT_LINE)
    pdf.ln(4)
    top = pdf.get_y()
    column = width / 3
    bottom = top
    for index, (heading, lines) in enumerate(
        (
            ("From", [invoice.seller_name, *invoice.seller_lines]),
            ("Bill to", list(invoice.bill_to)),
            ("Ship to", list(invoice.ship_to)),
        )
    ):
        pdf.set_xy(pdf.l_margin + index * column, top)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(column - 4, 6, heading, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", "", 10)
        for line in lines:
            pdf.multi_cell(column - 4, 5, _text(line), new_x=XPos.LEFT, new_y=YPos.NEXT)
        bottom = max(bottom, pdf.get_y())
    pdf.set_xy(pdf.l_margin, bottom + 6)
    widths = (0.16, 0.42, 0.1, 0.16, 0.16)
    with pdf.table(
        col_widths=tuple(w * width for w in widths),
        text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
        line_height=6,
    ) as table:
        table.row(["SKU", "Item", "Qty", "Unit price", "Line total"])
        for line in invoice.lines:
            table.row(
                [
                    _text(line.sku),
                    _text(line.title),
                    str(line.quantity),
                    _text(line.unit_price),
                    _text(line.line_total),
                ]
            )
    pdf.ln(4)
    rows: list[tuple[str, str, bool]] = [
        ("Subtotal", invoice.subtotal, False),
        ("Shipping", invoice.shipping, False),
    ]
    rows += [(label, amount, False) for label, amount in invoice.charges]
    rows += [(label, amount, False) for label, amount in invoice.tax_lines]
    if not invoice.tax_lines:
        rows.append(("Tax", "No tax charged", False))
    rows.append(("Total", invoice.total, True))
    rows += [(refund.label, refund.amount, False) for refund in invoice.refunds]
    if invoice.net_paid is not None:
        rows.append(("Paid after refunds", invoice.net_paid, True))
    label_width, amount_width = width * 0.5, width * 0.22
    for label, amount, strong in rows:
        pdf.set_font("Helvetica", "B" if strong else "", 10)
        pdf.set_x(pdf.l_margin + width - label_width - amount_width)
        pdf.cell(label_width, 6, _text(label), align="R")
        pdf.cell(amount_width, 6, _text(amount), align="R", **NEXT_LINE)
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(
        0,
        4,
        _text(f"Sold by {invoice.seller_name}. Amounts in the order's currency."),
        **NEXT_LINE,
    )
    return bytes(pdf.output())
