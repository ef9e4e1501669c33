"""Labels print at 4 x 6 in and their barcode reads back as the tracking number."""

import io
from datetime import date

import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from oms_dashboard.carriers.base import Parcel, Party
from oms_dashboard.documents.labels import label_image, pdf_from_image, render_label

SHIPPER = Party(
    name="Northwind Goods",
    line1="100 Main St",
    city="Portland",
    region="OR",
    postal_code="97201",
    country="US",
)
RECIPIENT = Party(
    name="Ada Lovelace",
    line1="1 Infinite Loop",
    line2="Apt 4",
    city="Cupertino",
    region="CA",
    postal_code="95014",
    country="US",
)
PARCEL = Parcel(weight_grams=1200, length_mm=300, width_mm=200, height_mm=100)


def _label(number: str, **extra) -> bytes:
    return render_label(
        carrier="fedex",
        service="FEDEX_GROUND",
        tracking_number=number,
        shipper=SHIPPER,
        recipient=RECIPIENT,
        parcel=PARCEL,
        ship_date=date(2026, 12, 1),
        **extra,
    )


def _scan(pdf: bytes) -> list[str]:
    page = pypdfium2.PdfDocument(pdf)[0]
    width, height = page.get_size()
    assert (round(width / 72, 2), round(height / 72, 2)) == (4.0, 6.0)
    image = page.render(scale=203 / 72).to_pil()
    return [found.text for found in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize(
    "number",
    [
        "794644790138",
        "1ZA8F1290393757520",
        "9400111899223100001234",
        "4937810930",
        "9982653040",  # a leading 99 (python-barcode's encoder drops it)
        "99999",  # odd digits: the last one in code set B
    ],
)
def test_the_barcode_scans_as_the_tracking_number(number):
    pdf = _label(number)
    assert pdf.startswith(b"%PDF")
    assert _scan(pdf) == [number]


def test_a_return_label_still_scans():
    assert _scan(_label("794644790138", is_return=True, reference="ORD-1001")) == ["794644790138"]


def test_an_image_label_becomes_a_portrait_4x6_pdf():
    gif = label_image(
        carrier="ups",
        service="03",
        tracking_number="1ZA8F1290393757520",
        shipper=SHIPPER,
        recipient=RECIPIENT,
        parcel=PARCEL,
        ship_date=date(2026, 12, 1),
    )
    assert gif.startswith(b"GIF8")
    landscape = Image.open(io.BytesIO(gif)).rotate(90, expand=True)
    buffer = io.BytesIO()
    landscape.save(buffer, format="GIF")
    assert _scan(pdf_from_image(buffer.getvalue())) == ["1ZA8F1290393757520"]
