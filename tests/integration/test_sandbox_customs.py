"""Customs at the sandbox carriers: each refuses a label to another country without customs
data, or with a commodity lacking its HS code, in its own error body, which the adapter
reads into a ``CarrierError`` with the carrier's words; a complete declaration gets a label.
USPS abroad goes through International Prices and International Labels."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from oms_dashboard.api.factory import create_sandbox_app
from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import CarrierError, Parcel, Party, ShipmentStatus
from oms_dashboard.carriers.dhl import DhlCarrier
from oms_dashboard.carriers.fedex import FedExCarrier
from oms_dashboard.carriers.sandbox.usps_api import new_token
from oms_dashboard.carriers.ups import UpsCarrier
from oms_dashboard.carriers.usps import UspsCarrier
from oms_dashboard.carriers.usps_international import LABEL_PATH, is_international_number
from oms_dashboard.inprocess import InProcessTransport
from tests.factories import make_commodity, make_customs

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "carriers"
BASE = "http://oms.sandbox/sandbox/carriers"
SELLER = Party(name="Harbor Goods", line1="2600 Democrat Rd", city="Memphis", region="TN",
               postal_code="38118", country="US", phone="+19015550100")  # fmt: skip
TORONTO = Party(name="Bo Chen", line1="2 King St W", city="Toronto", region="ON",
                postal_code="M5H 2N2", country="CA", phone="+14165550100")  # fmt: skip
BOX = Parcel(weight_grams=1500, length_mm=300, width_mm=200, height_mm=100)
UNCODED = make_customs(make_commodity(hs_code=None))

ADAPTERS = {
    "fedex": lambda t: FedExCarrier(base_url=f"{BASE}/fedex", client_id="x", client_secret="y",
                                    account_number="740561073", transport=t),
    "ups": lambda t: UpsCarrier(base_url=f"{BASE}/ups", client_id="x", client_secret="y",
                                account_number="SANDBOX01", transport=t),
    "dhl": lambda t: DhlCarrier(base_url=f"{BASE}/dhl", client_id="x", client_secret="y",
                                account_number="123456789", transport=t),
    "usps": lambda t: UspsCarrier(base_url=f"{BASE}/usps", client_id="x", client_secret="y",
                                  account_number="SANDBOX01", transport=t),
}  # fmt: skip
SERVICES = {"fedex": "FEDEX_2_DAY", "ups": "02", "dhl": "P", "usps": "PRIORITY_MAIL_INTERNATIONAL"}
WITHOUT_CODE = {
    "fedex": "Commodity 1 - harmonized code is invalid.",
    "ups": "Missing Required field, Product CommodityCode.",
    "dhl": "#/content/exportDeclaration/lineItems/0: required key [commodityCodes] not found",
    "usps": "OASValidation OpenAPI-Spec-Validation-International-Labels with resource "
    "oas://international-labels-v3.yaml: failed with reason: [ERROR - Object has missing "
    "required properties ([HSTariffNumber]): [/customsForm/contents/0]]",
}
WITHOUT_CUSTOMS = {
    "fedex": "Customs clearance detail cannot be null.",
    "ups": "Missing Required field, InternationalForms.",
    "dhl": "#/content: required key [exportDeclaration] not found",
    # USPS's International Labels API requires the form: the adapter refuses before asking.
    "usps": "customs: USPS international labels need the goods' customs data",
}


@pytest.fixture
def transport(engine):
    return InProcessTransport(create_sandbox_app(engine))


@pytest.mark.parametrize("carrier", list(ADAPTERS))
def test_abroad_each_carrier_refuses_missing_customs_in_its_words_and_labels_a_declaration(
    carrier, transport, session
):
    label = {"shipper": SELLER, "recipient": TORONTO, "parcel": BOX, "service": SERVICES[carrier]}
    with ADAPTERS[carrier](transport) as adapter:
        with pytest.raises(CarrierError) as bare:
            adapter.create_label(**label)
        with pytest.raises(CarrierError) as uncoded:
            adapter.create_label(**label, customs=UNCODED)
        declared = adapter.create_label(**label, customs=make_customs())
        (update,) = adapter.track([declared.tracking_number])
    assert bare.value.message == WITHOUT_CUSTOMS[carrier]
    assert uncoded.value.message == WITHOUT_CODE[carrier]
    assert not bare.value.transient and not uncoded.value.transient
    assert declared.label_pdf.startswith(b"%PDF")
    assert update.status is ShipmentStatus.SHIPPED
    number = declared.tracking_number
    package = sandbox.packages(session, carrier, [number])[number]
    assert (package.origin.country, package.destination.country) == ("US", "CA")


def test_usps_international_labels_answer_a_schema_refusal_as_recorded_and_cancel(transport):
    """The sandbox's 400 is USPS's recorded one, word for word (USPS/api-examples #83)."""
    access, _ = new_token("x", kind="access")
    payment, _ = new_token("SANDBOX01", kind="payment")
    headers = {"Authorization": f"Bearer {access}", "X-Payment-Authorization-Token": payment}
    body = json.loads((FIXTURES / "usps" / "international_label_request_built.json").read_text())
    del body["packageDescription"]
    with httpx.Client(base_url=f"{BASE}/usps", transport=transport) as client:
        refused = client.post(LABEL_PATH, json=body, headers=headers)
    recorded = json.loads((FIXTURES / "usps" / "label_error_missing_property.json").read_text())
    assert (refused.status_code, refused.json()) == (400, recorded)
    with ADAPTERS["usps"](transport) as adapter:
        label = adapter.create_label(
            shipper=SELLER,
            recipient=TORONTO,
            parcel=BOX,
            service="PRIORITY_MAIL_INTERNATIONAL",
            customs=make_customs(),
        )
        adapter.cancel_label(label.tracking_number)
        with pytest.raises(CarrierError, match="Order not found"):
            adapter.cancel_label(label.tracking_number)  # fmt: skip
    assert is_international_number(label.tracking_number)


def test_usps_quotes_abroad_the_international_classes_its_labels_are_bought_with(transport):
    with ADAPTERS["usps"](transport) as adapter:
        quotes = adapter.quote(shipper=SELLER, recipient=TORONTO, parcel=BOX)
        with pytest.raises(CarrierError, match="no return labels from abroad"):
            adapter.create_return_label(shipper=SELLER, recipient=TORONTO, parcel=BOX,
                                        service="PRIORITY_MAIL_INTERNATIONAL")  # fmt: skip
    assert {q.service for q in quotes} == {
        "PRIORITY_MAIL_INTERNATIONAL",
        "PRIORITY_MAIL_EXPRESS_INTERNATIONAL",
    }
    assert {q.currency for q in quotes} == {"USD"}
    assert all(q.amount > 15 for q in quotes)  # the sandbox's abroad surcharge is in
