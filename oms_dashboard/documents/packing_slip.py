"""Packing slips: what goes in the box, one page per order, to print beside the label."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

NEXT_LINE = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


@dataclass(frozen=True)
class SlipLine:
    sku: str
    title: str
    quantity: int


@dataclass(frozen=True)
class Slip:
    order_number: str
    placed_at: datetime
    seller_name: str
    seller_lines: Sequence[str]
    ship_to: Sequence[str]
    lines: Sequence[SlipLine]
    carrier: str | None = None
    tracking_number: str | None = None


def _text(value: str, encoding: str = "latin-1") -> str:
    """fpdf2's core fonts speak one 8-bit encoding (Latin-1 unless the document says
    otherwise): anything else is shown as '?' rather than lost."""
    return value.encode(encoding, "replace").decode(encoding)


def render_packing_slips(slips: Sequence[Slip]) -> bytes:
    """One US Letter page per order: who it is from and to, and every line to pack."""
    pdf = FPDF(orientation="P", unit="mm", format="Letter")
    pdf.set_auto_page_break(True, margin=15)
    for slip in slips:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 18)
        pdf.cell(0, 10, "Packing slip", **NEXT_LINE)
        pdf.set_font("Helvetica", "", 11)
        pdf.cell(
            0,
            6,
            _text(f"Order {slip.order_number}  -  placed {slip.placed_at:%d %b %Y}"),
            **NEXT_LINE,
        )
        if slip.tracking_number:
            pdf.cell(0, 6, _text(f"{slip.carrier}  tracking {slip.tracking_number}"), **NEXT_LINE)
        pdf.ln(4)
        top = pdf.get_y()
        for x, heading, lines in (
            (pdf.l_margin, "From", [slip.seller_name, *slip.seller_lines]),
            (pdf.l_margin + 95, "Ship to", list(slip.ship_to)),
        ):
            pdf.set_xy(x, top)
            pdf.set_font("Helvetica", "B", 11)
            pdf.cell(90, 6, heading, new_x=XPos.LEFT, new_y=YPos.NEXT)
            pdf.set_font("Helvetica", "", 11)
            for line in lines:
                pdf.cell(90, 5.5, _text(line), new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_y(top + 45)
        with pdf.table(col_widths=(30, 130, 25), text_align=("LEFT", "LEFT", "RIGHT")) as table:
            table.row(["SKU", "Item", "Quantity"])
            for line in slip.lines:
                table.row([_text(line.sku), _text(line.title), str(line.quantity)])
        units = sum(line.quantity for line in slip.lines)
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 6, f"{units} unit{'s' if units != 1 else ''} in this parcel", **NEXT_LINE)
    return bytes(pdf.output())
