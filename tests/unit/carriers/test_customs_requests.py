"""Customs data on labels that cross a border, per carrier: nothing changes at home; abroad
each request carries its carrier's published customs part (checked against the carriers'
examples in tests/fixtures/carriers, SOURCES.md), in the carrier's units and formats."""

from __future__ import annotations

import base64
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from oms_dashboard.carriers import dhl_labels, fedex_ship, ups_labels, usps_international
from oms_dashboard.carriers.base import CustomsPurpose, Parcel, Party
from oms_dashboard.carriers.usps_labels import label_address, parse_label
from oms_dashboard.carriers.usps_parse import parse_rates
from oms_dashboard.documents.labels import render_label
from tests.factories import make_commodity, make_customs

FIXTURES = Path(__file__).parents[2] / "fixtures" / "carriers"
SELLER = Party(name="Harbor Goods", line1="2600 Democrat Rd", city="Memphis", region="TN",
               postal_code="38118", country="US", phone="+19015550100")  # fmt: skip
AT_HOME = Party(name="Ann Lee", line1="350 5th Ave", city="New York", region="NY",
                postal_code="10118", country="US", phone="+12125550199")  # fmt: skip
TORONTO = Party(name="Bo Chen", line1="2 King St W", city="Toronto", region="ON",
                postal_code="M5H 2N2", country="CA", phone="+14165550100")  # fmt: skip
LONDON = Party(name="Cy Ray", line1="1 Strand", city="London", postal_code="WC2N 5HR",
               country="GB", phone="+442071234567")  # fmt: skip
BOX = Parcel(weight_grams=1500, length_mm=300, width_mm=200, height_mm=100)
MUGS = make_customs()  # two mugs at 12.50 USD, 700 g, HS 691200, invoice OMS-7K3F-9QX2


def fixture(carrier: str, name: str) -> dict:
    return json.loads((FIXTURES / carrier / name).read_text())


# -- the declaration ---------------------------------------------------------------------


def test_a_declaration_totals_its_lines_in_one_currency_and_turns_into_a_return():
    teapot = make_commodity(description="Teapot", quantity=1, unit_value=Decimal("30.00"))
    customs = make_customs(make_commodity(), teapot)
    assert (customs.total_value, customs.currency, customs.weight_grams) == (
        Decimal("55.00"),
        "USD",
        1400,
    )
    back = customs.returned()
    assert back.purpose is CustomsPurpose.RETURN and back.commodities == customs.commodities
    with pytest.raises(ValueError, match="one currency"):
        make_customs(make_commodity(), make_commodity(currency="EUR"))
    with pytest.raises(ValueError, match="at least one commodity"):
        make_customs(commodities=())


# -- FedEx Ship API: customsClearanceDetail ------------------------------------------------


def fedex(recipient: Party, customs=MUGS, *, returned: bool = False) -> dict:
    build = fedex_ship.return_request if returned else fedex_ship.ship_request
    body = build(SELLER, recipient, BOX, service="INTERNATIONAL_PRIORITY",
                 account_number="740561073", customs=customs)  # fmt: skip
    return body["requestedShipment"]


def test_fedex_declares_nothing_at_home_and_every_published_commodity_field_abroad():
    assert "customsClearanceDetail" not in fedex(AT_HOME, customs=None)
    detail = fedex(TORONTO)["customsClearanceDetail"]
    published = fixture("fedex", "ship_request_international_customs.json")
    example = published["International_Shipment"]["customsClearanceDetail"]
    (commodity,) = detail["commodities"]
    assert set(example["commodities"][0]) <= set(commodity)
    assert set(example) <= set(detail)
    assert commodity == {
        "description": "Enamel mug",
        "countryOfManufacture": "US",
        "harmonizedCode": "691200",
        "quantity": 2,
        "quantityUnits": "PCS",
        "numberOfPieces": 1,
        "unitPrice": {"amount": 12.5, "currency": "USD"},
        "customsValue": {"amount": 25.0, "currency": "USD"},
        "weight": {"units": "KG", "value": 0.7},
        "partNumber": "MUG-1",
    }
    assert detail["totalCustomsValue"] == {"amount": 25.0, "currency": "USD"}
    assert detail["dutiesPayment"] == {"paymentType": "RECIPIENT"}  # delivered, duties unpaid
    assert detail["isDocumentOnly"] is False
    assert detail["commercialInvoice"] == {
        "shipmentPurpose": "SOLD",
        "customerReferences": [
            {"customerReferenceType": "INVOICE_NUMBER", "value": "OMS-7K3F-9QX2"}
        ],
    }


def test_a_fedex_return_declares_the_goods_coming_back_with_the_seller_paying_duties():
    shipment = fedex(TORONTO, returned=True)
    example = fixture("fedex", "ship_request_international_customs.json")
    assert shipment["shipper"]["address"]["countryCode"] == "CA"  # the customer sends it
    detail = shipment["customsClearanceDetail"]
    returned = example["International_Print_Return_Shipment"]["customsClearanceDetail"]
    assert set(returned["commodities"][0]) <= set(detail["commodities"][0])
    assert detail["commercialInvoice"]["shipmentPurpose"] == "REPAIR_AND_RETURN"
    assert detail["dutiesPayment"] == returned["dutiesPayment"] == {"paymentType": "SENDER"}


def test_fedex_never_declares_goods_lighter_than_they_are():
    light = make_customs(make_commodity(weight_grams=1))
    heavy = make_customs(make_commodity(weight_grams=1234))
    assert (
        fedex(TORONTO, light)["customsClearanceDetail"]["commodities"][0]["weight"]["value"] == 0.01
    )
    assert (
        fedex(TORONTO, heavy)["customsClearanceDetail"]["commodities"][0]["weight"]["value"] == 1.24
    )


# -- UPS Shipping API: InternationalForms ----------------------------------------------------


def ups(recipient: Party, customs=MUGS, *, returned: bool = False) -> dict:
    build = ups_labels.return_request if returned else ups_labels.ship_request
    body = build(SELLER, recipient, BOX, service="11", account_number="SANDBOX01", customs=customs)
    return body["ShipmentRequest"]["Shipment"]


def test_ups_sends_no_forms_at_home_and_an_invoice_abroad():
    home = ups(AT_HOME, customs=None)
    assert "ShipmentServiceOptions" not in home and "InvoiceLineTotal" not in home
    shipment = ups(TORONTO)
    forms = shipment["ShipmentServiceOptions"]["InternationalForms"]
    recorded = fixture("ups", "ship_request_international_forms_recorded.json")["Shipment"]
    recorded_forms = recorded["ShipmentServiceOptions"]["InternationalForms"]
    assert set(recorded_forms) - {"TermsOfShipment"} <= set(forms)
    assert set(recorded_forms["Product"][0]) <= set(forms["Product"][0])
    assert {
        k: forms[k] for k in ("FormType", "InvoiceNumber", "InvoiceDate", "ReasonForExport")
    } == {
        "FormType": "01",
        "InvoiceNumber": "OMS-7K3F-9QX2",
        "InvoiceDate": "20250314",
        "ReasonForExport": "SALE",
    }
    assert forms["CurrencyCode"] == "USD"
    assert forms["Product"] == [
        {
            "Description": "Enamel mug",
            "Unit": {"Number": "2", "UnitOfMeasurement": {"Code": "PCS"}, "Value": "12.50"},
            "OriginCountryCode": "US",
            "CommodityCode": "691200",
            "PartNumber": "MUG-1",
        }
    ]
    assert shipment["Description"] == "Enamel mug"  # UPS wants the goods named abroad


def test_ups_asks_for_the_invoice_line_total_only_from_the_us_to_canada_and_puerto_rico():
    odd = make_customs(make_commodity(quantity=1, unit_value=Decimal("25.01")))
    assert ups(TORONTO)["InvoiceLineTotal"] == {"CurrencyCode": "USD", "MonetaryValue": "25"}
    assert ups(TORONTO, odd)["InvoiceLineTotal"]["MonetaryValue"] == "26"  # whole, rounded up
    assert "InvoiceLineTotal" not in ups(LONDON)


def test_a_ups_return_carries_a_partial_invoice_for_returned_goods():
    shipment = ups(TORONTO, returned=True)
    forms = shipment["ShipmentServiceOptions"]["InternationalForms"]
    assert (forms["FormType"], forms["ReasonForExport"]) == ("05", "RETURN")
    assert "InvoiceDate" not in forms  # UPS ignores it on returns
    assert "InvoiceLineTotal" not in shipment
    assert shipment["ReturnService"] == {"Code": "9"}


# -- DHL MyDHL API: exportDeclaration --------------------------------------------------------


def dhl(shipper: Party, recipient: Party, customs=MUGS, *, returned: bool = False) -> dict:
    build = dhl_labels.return_request if returned else dhl_labels.ship_request
    return build(shipper, recipient, BOX, service="P", account_number="123456789",
                 customs=customs)["content"]  # fmt: skip


def test_dhl_declares_dutiable_goods_as_its_example_does_and_nothing_else():
    home = dhl(SELLER, AT_HOME, customs=None)
    assert home["isCustomsDeclarable"] is False and "exportDeclaration" not in home
    content = dhl(SELLER, TORONTO)
    example = fixture("dhl", "shipment_request_dutiable_content_built.json")
    assert set(example) <= set(content)
    assert set(example["exportDeclaration"]) <= set(content["exportDeclaration"])
    (line,) = content["exportDeclaration"]["lineItems"]
    assert set(example["exportDeclaration"]["lineItems"][0]) <= set(line)
    assert (content["declaredValue"], content["declaredValueCurrency"]) == (25.0, "USD")
    assert line == {
        "number": 1,
        "description": "Enamel mug",
        "price": 12.5,
        "quantity": {"value": 2, "unitOfMeasurement": "PCS"},
        "exportReasonType": "commercial_purpose_or_sale",
        "manufacturerCountry": "US",
        "weight": {"netValue": 0.7, "grossValue": 0.7},
        "commodityCodes": [{"typeCode": "outbound", "value": "691200"}],
    }
    assert content["exportDeclaration"]["invoice"] == {
        "number": "OMS-7K3F-9QX2",
        "date": "2025-03-14",
    }
    assert content["description"] == "Enamel mug"


def test_dhl_declares_nothing_between_eu_countries_and_a_return_as_returned_goods():
    berlin = Party(name="Laden", line1="Hauptstr. 1", city="Berlin", postal_code="10115",
                   country="DE", phone="+493000000")  # fmt: skip
    paris = Party(name="Luc", line1="9 Rue Simart", city="Paris", postal_code="75018",
                  country="FR", phone="+33140000000")  # fmt: skip
    europe = dhl(berlin, paris)
    assert europe["isCustomsDeclarable"] is False and "exportDeclaration" not in europe
    back = dhl(SELLER, TORONTO, returned=True)["exportDeclaration"]
    assert back["exportReasonType"] == "return"
    assert back["lineItems"][0]["exportReasonType"] == "return"


# -- USPS International Labels and International Prices ------------------------------------


def usps_label(recipient: Party = TORONTO, customs=MUGS, **options) -> dict:
    return usps_international.label_request(
        SELLER, recipient, BOX, mail_class=options.pop("mail_class", "PRIORITY_MAIL_INTERNATIONAL"),
        customs=customs, from_address=label_address("shipper", SELLER),
        mailing_date=date(2025, 3, 14),
    )  # fmt: skip


def test_a_usps_international_label_has_the_shape_of_the_international_labels_api():
    body = usps_label()
    built = fixture("usps", "international_label_request_built.json")
    assert set(body) == set(built)
    for part in ("toAddress", "packageDescription", "customsForm"):
        assert set(built[part]) <= set(body[part]), part
    (content,) = body["customsForm"]["contents"]
    assert set(content) == set(built["customsForm"]["contents"][0])
    assert content == {
        "itemDescription": "Enamel mug",
        "itemQuantity": 2,
        "itemTotalValue": 25.0,
        "weightUOM": "lb",
        "itemTotalWeight": 1.55,  # 700 g is 1.5432 lb, rounded up
        "countryofOrigin": "US",
        "HSTariffNumber": "691200",
    }
    assert body["customsForm"]["AESITN"] == "NO EEI 30.37(a)"
    assert body["toAddress"]["country"] == "Canada"
    assert body["toAddress"]["countryISOAlpha2Code"] == "CA"
    assert body["toAddress"]["province"] == "ON"
    assert "receiptOption" not in body["imageInfo"]  # not in the international ImageInfo


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"customs": None}, "customs: USPS international labels need"),
        ({"mail_class": "PRIORITY_MAIL"}, "service: USPS international labels are"),
        ({"customs": make_customs(make_commodity(currency="EUR"))}, "customs.currency"),
        (
            {"customs": make_customs(make_commodity(quantity=1, unit_value=Decimal("2500.01")))},
            "need an AES ITN",
        ),
    ],
)
def test_usps_international_labels_refuse_what_usps_cannot_clear(changes, field):
    with pytest.raises(ValueError, match=field):
        usps_label(**changes)


def test_usps_international_offers_are_asked_of_international_prices_for_label_classes():
    query = usps_international.rate_request(
        SELLER, TORONTO, BOX, mail_class="PRIORITY_MAIL_EXPRESS_INTERNATIONAL",
        mailing_date=date(2025, 3, 14), account_number="1000000000",
    )  # fmt: skip
    assert query["foreignPostalCode"] == "M5H 2N2" and query["destinationCountryCode"] == "CA"
    assert "destinationZIPCode" not in query
    assert query["rateIndicator"] == "PA"  # Priority Mail Express International single piece
    assert set(usps_international.MAIL_CLASSES) == {
        "PRIORITY_MAIL_INTERNATIONAL",
        "PRIORITY_MAIL_EXPRESS_INTERNATIONAL",
    }
    (quote,) = parse_rates(fixture("usps", "international_rates_base.json"))
    assert (quote.service, quote.amount) == (
        "FIRST-CLASS_PACKAGE_INTERNATIONAL_SERVICE",
        Decimal("14.96"),
    )


def test_the_international_label_answer_reads_as_a_label():
    answer = fixture("usps", "international_label_response_vendor.json")
    # The spec's example image is a placeholder PNG: a real PDF stands in for it.
    pdf = render_label(carrier="usps", service="Priority Mail Express International",
                       tracking_number="EZ000012162US", shipper=SELLER, recipient=TORONTO,
                       parcel=BOX, ship_date=date(2025, 3, 14))  # fmt: skip
    answer["labelImage"] = base64.b64encode(pdf).decode()
    label = parse_label(answer, service="PRIORITY_MAIL_EXPRESS_INTERNATIONAL")
    assert label.tracking_number == "EZ000012162US"
    assert (label.charge.amount, label.charge.currency) == (Decimal("286.03"), "USD")
    assert label.estimated_delivery is None
    assert usps_international.is_international_number(label.tracking_number)
    assert not usps_international.is_international_number("9405511899223197428490")
