"""Shipping labels as the carrier sandbox prints them: 4 x 6 in, 203 dpi like a thermal
printer, the tracking number as a Code 128 barcode any scanner reads.

Real carriers send their own labels; the sandbox draws this one in their place and
says so on it. ``pdf_from_image`` also serves carriers that answer with an image
(UPS sends GIF): every label the OMS keeps and prints is a 4 x 6 in PDF.
"""

from __future__ import annotations

import io
from datetime import date

from barcode.charsets import code128
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from oms_dashboard.carriers.base import Parcel, Party
from oms_dashboard.domain.tracking import carrier_title

DPI = 203
WIDTH_IN, HEIGHT_IN = 4, 6
WIDTH, HEIGHT = WIDTH_IN * DPI, HEIGHT_IN * DPI
MARGIN = 24
MODULE = 3
"""Pixels per barcode module: 0.375 mm, inside Code 128's scanning tolerances."""
BAR_HEIGHT = 220
START_B, START_C, CODE_B = 104, 105, 100


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _party_lines(party: Party) -> list[str]:
    place = " ".join(p for p in (party.city, party.region, party.postal_code) if p)
    lines = [party.name, party.line1, party.line2, place, party.country]
    return [line.upper() for line in lines if line]


def code128_modules(data: str) -> str:
    """``data`` as Code 128 bars and spaces ("1" a dark module): code set C for pairs of
    digits, B for the rest (a trailing odd digit included), with its checksum.

    Written here rather than taken from python-barcode, whose encoder drops a
    leading "99" (it mistakes the pair for a code-set switch)."""
    if not data or any(not 32 <= ord(ch) < 127 for ch in data):
        raise ValueError(f"Code 128 B/C cannot encode {data!r}")
    digits = len(data) - len(data) % 2 if data.isdigit() else 0
    if digits:
        values = [START_C] + [int(data[i : i + 2]) for i in range(0, digits, 2)]
        if digits < len(data):
            values += [CODE_B, ord(data[-1]) - 32]
    else:
        values = [START_B] + [ord(ch) - 32 for ch in data]
    checksum = (values[0] + sum(i * v for i, v in enumerate(values) if i)) % 103
    return "".join(code128.CODES[v] for v in [*values, checksum]) + code128.STOP + "11"


def _barcode(draw: ImageDraw.ImageDraw, data: str, top: int) -> int:
    """Draw ``data`` as Code 128, centred, quiet zones included; returns the bottom."""
    modules = code128_modules(data)
    width = len(modules) * MODULE
    left = max(MARGIN, (WIDTH - width) // 2)
    for index, bit in enumerate(modules):
        if bit == "1":
            x = left + index * MODULE
            draw.rectangle([x, top, x + MODULE - 1, top + BAR_HEIGHT], fill=0)
    return top + BAR_HEIGHT


def _spaced(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def label_image(
    *,
    carrier: str,
    service: str,
    tracking_number: str,
    shipper: Party,
    recipient: Party,
    parcel: Parcel,
    ship_date: date,
    is_return: bool = False,
    reference: str | None = None,
    image_format: str = "GIF",
) -> bytes:
    """The label as a black-and-white image in ``image_format`` (GIF or PNG)."""
    image = Image.new("1", (WIDTH, HEIGHT), 1)
    draw = ImageDraw.Draw(image)
    y = MARGIN
    draw.text((MARGIN, y), carrier_title(carrier), font=_font(64), fill=0)
    draw.text((WIDTH - MARGIN, y + 8), service, font=_font(30), fill=0, anchor="ra")
    y += 84
    facts = f"SHIP DATE {ship_date.isoformat()}   WT {parcel.weight_grams / 1000:.2f} KG"
    draw.text((MARGIN, y), facts, font=_font(24), fill=0)
    y += 40
    draw.line([MARGIN, y, WIDTH - MARGIN, y], fill=0, width=3)
    y += 14
    draw.text((MARGIN, y), "FROM", font=_font(22), fill=0)
    for line in _party_lines(shipper):
        draw.text((MARGIN + 90, y), line, font=_font(24), fill=0)
        y += 30
    y += 10
    draw.line([MARGIN, y, WIDTH - MARGIN, y], fill=0, width=3)
    y += 16
    draw.text((MARGIN, y), "SHIP TO", font=_font(26), fill=0)
    y += 38
    for line in _party_lines(recipient):
        draw.text((MARGIN + 20, y), line, font=_font(40), fill=0)
        y += 50
    y += 14
    draw.rectangle([0, y, WIDTH, y + 6], fill=0)
    y += 24
    if is_return:
        draw.rectangle([MARGIN, y, WIDTH - MARGIN, y + 56], fill=0)
        draw.text((WIDTH // 2, y + 6), "RETURN", font=_font(44), fill=1, anchor="ma")
        y += 72
    draw.text((MARGIN, y), "TRACKING #", font=_font(24), fill=0)
    draw.text((MARGIN + 170, y - 6), _spaced(tracking_number), font=_font(36), fill=0)
    y = _barcode(draw, tracking_number, y + 50) + 20
    if reference:
        draw.text((MARGIN, y), f"REF {reference}", font=_font(26), fill=0)
    draw.text(
        (WIDTH // 2, HEIGHT - MARGIN),
        "SANDBOX LABEL - NOT VALID FOR SHIPPING",
        font=_font(22),
        fill=0,
        anchor="md",
    )
    out = io.BytesIO()
    image.save(out, format=image_format, dpi=(DPI, DPI))
    return out.getvalue()


def pdf_from_image(image: bytes) -> bytes:
    """An image label (any format Pillow reads) on one 4 x 6 in PDF page."""
    picture = Image.open(io.BytesIO(image))
    if picture.height < picture.width:  # carriers send landscape images of portrait labels
        picture = picture.rotate(90, expand=True)
    pdf = FPDF(orientation="P", unit="in", format=(WIDTH_IN, HEIGHT_IN))
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.add_page()
    pdf.image(picture.convert("L"), x=0, y=0, w=WIDTH_IN, h=HEIGHT_IN)
    return bytes(pdf.output())


def render_label(
    *,
    carrier: str,
    service: str,
    tracking_number: str,
    shipper: Party,
    recipient: Party,
    parcel: Parcel,
    ship_date: date,
    is_return: bool = False,
    reference: str | None = None,
) -> bytes:
    """The label as a 4 x 6 in PDF."""
    return pdf_from_image(
        label_image(
            carrier=carrier,
            service=service,
            tracking_number=tracking_number,
            shipper=shipper,
            recipient=recipient,
            parcel=parcel,
            ship_date=ship_date,
            is_return=is_return,
            reference=reference,
            image_format="PNG",
        )
    )
