"""USPS Labels v3, Payments v3 and tracking notifications: USPS's recorded answers read
to what a seller sees (the PDF, the number, the charge, the delivery date), the request
bodies against USPS's examples, and the adapter over HTTP (payment token, errors)."""

from __future__ import annotations

import base64
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import respx

from oms_dashboard.carriers.base import CarrierError, Parcel, Party, RateQuote
from oms_dashboard.carriers.usps import (
    UspsCarrier,
    label_request,
    parse_cancel,
    parse_label,
    payment_request,
    read_multipart,
    return_label_request,
)
from oms_dashboard.carriers.usps_labels import cancel_path, parse_payment

FIXTURES = Path(__file__).parents[2] / "fixtures" / "carriers" / "usps"
BASE = "https://apis-tem.usps.example"
BOUNDARY = "726UYUDSQB6JWJXFDY"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def recorded_multipart() -> bytes:
    return (FIXTURES / "label_response_multipart.txt").read_bytes()


def recorded_pdf() -> bytes:
    return parse_label(read_multipart(recorded_multipart()), service="PRIORITY_MAIL").label_pdf


# The parties of USPS's "USPS Ground Advantage request" example.
NICK = Party(name="Nick Fury", line1="2700 S Jefferson Ave", line2="STE 150", city="St. Louis",
             postal_code="63104-2351", country="US", region="MO")  # fmt: skip
SAM = Party(name="Sam Wilson", line1="45 L St SW", city="Washington", postal_code="20024",
            country="US", region="DC")  # fmt: skip
BOX = Parcel(weight_grams=2000, length_mm=100, width_mm=300, height_mm=200)


# -- USPS's label answers ------------------------------------------------------------------


def test_uspss_recorded_label_answer_gives_the_pdf_number_charge_and_delivery_date():
    parts = read_multipart(recorded_multipart())
    assert set(parts) == {"labelMetadata", "labelImage"}  # USPS named neither part

    label = parse_label(parts, service="PRIORITY_MAIL")
    assert label.tracking_number == "9205590109769900012613"
    assert label.service == "PRIORITY_MAIL"
    assert label.label_pdf.startswith(b"%PDF-1.4") and label.label_pdf.endswith(b"%%EOF\n")
    assert len(label.label_pdf) == 14307
    assert label.charge == RateQuote("PRIORITY_MAIL", Decimal("7.64"), "USD", transit_days=1)
    assert label.estimated_delivery == date(2023, 5, 27)
    assert label.carrier_reference is None  # USPS cancels by tracking number


def test_named_parts_in_any_order_and_crlf_lines_read_the_same():
    """USPS's current multipart (as in its README's indicia answer) names its parts."""
    metadata, image = recorded_multipart().decode().split(f"--{BOUNDARY}")[1:3]
    metadata_json = metadata.split("\n\n", 1)[1]
    image_b64 = image.split("\n\n", 1)[1]
    body = (
        f"--{BOUNDARY}\nContent-Type: application/pdf\n"
        f'Content-Disposition: form-data; filename="labelImage.pdf"; name="labelImage"\n\n'
        f"{image_b64}--{BOUNDARY}\nContent-Type: application/json\n"
        f'Content-Disposition: form-data; name="labelMetadata"\n\n{metadata_json}'
        f"--{BOUNDARY}--\n"
    ).replace("\n", "\r\n")
    parts = read_multipart(body.encode(), f"multipart/form-data; boundary={BOUNDARY}")
    label = parse_label(parts, service="PRIORITY_MAIL")
    assert label.tracking_number == "9205590109769900012613"
    assert label.label_pdf == recorded_pdf()


def test_the_json_label_answer_reads_its_metadata_and_refuses_a_label_that_is_no_pdf():
    answer = fixture("label_response_vendor")
    # USPS's example carries a placeholder PNG, not the PDF we ask for.
    with pytest.raises(CarrierError, match="label image for 123456789012 is not a PDF"):
        parse_label(answer, service="PRIORITY_MAIL")

    pdf = recorded_pdf()
    label = parse_label(answer | {"labelImage": base64.b64encode(pdf).decode()}, service="X")
    assert label.tracking_number == "123456789012"  # the outbound one, not returnLabel's
    assert label.label_pdf == pdf
    # postage 10.99 + fee 1.23 + Certified Mail 3.99 + Insurance 2.99
    assert label.charge == RateQuote("X", Decimal("19.20"), "USD", transit_days=1)
    assert label.estimated_delivery == date(2024, 9, 9)


def test_a_return_label_answer_has_its_charge_but_no_commitment():
    answer = fixture("return_label_response_vendor")
    with pytest.raises(CarrierError, match="not a PDF"):
        parse_label(answer, service="USPS_GROUND_ADVANTAGE")
    pdf = base64.b64encode(recorded_pdf()).decode()
    label = parse_label(answer | {"returnLabelImage": pdf}, service="USPS_GROUND_ADVANTAGE")
    assert label.tracking_number == "9405509898644824249889"
    # postage 8.75 + Return Receipt fee 2.75 + Certified Mail 3.50
    assert label.charge.amount == Decimal("15.00") and label.charge.transit_days is None
    assert label.estimated_delivery is None


@pytest.mark.parametrize(
    "name,message,code",
    [
        ("cancel_error_not_found", "Order not found", "00000XX"),
        ("cancel_error_refund_not_submitted", "A refund request for this order cannot be "
         "submitted", "00000XX"),
        ("cancel_error_refund_same_day", "A refund request for this order has already been "
         "submitted today", "00000XX"),
        ("label_error_missing_property", "OASValidation OpenAPI-Spec-Validation-International-"
         "Labels with resource oas://international-labels-v3.yaml: failed with reason: [ERROR -"
         " Object has missing required properties ([packageDescription]): []]", "400"),
    ],
)  # fmt: skip
def test_usps_error_bodies_raise_with_uspss_own_words_not_bad_request(name, message, code):
    for parse in (lambda p: parse_label(p, service="PRIORITY_MAIL"), parse_cancel):
        with pytest.raises(CarrierError) as caught:
            parse(fixture(name))
        assert (caught.value.message, caught.value.code) == (message, code)
        assert caught.value.transient is False


def test_a_cancellation_is_canceled_or_a_refund_request():
    assert parse_cancel(fixture("cancel_response_canceled")) == ("CANCELED", None)
    assert parse_cancel(fixture("cancel_response_disputed")) == ("DISPUTED", "103789")
    with pytest.raises(CarrierError, match="status 'PENDING'"):
        parse_cancel({"trackingNumber": "9262593519935271903671", "status": "PENDING"})


def test_the_payment_answer_gives_its_token():
    assert parse_payment(fixture("payment_response")) == "XXXXXXXXXXXXXXXXXXXXXX"
    with pytest.raises(CarrierError, match="no token"):
        parse_payment({"roles": []})


# -- requests ------------------------------------------------------------------------------


def test_the_payment_request_is_uspss_payer_and_label_owner_roles():
    body = payment_request(
        account_number="XXXXXXXXXX", crid="XXXXXXXX", mid="XXXXXXXXX", manifest_mid="XXXXXXXXX"
    )
    assert body == fixture("payment_request")
    bare = payment_request(account_number="1000123456")
    assert bare["roles"][0] == {"roleName": "PAYER", "accountType": "EPS",
                                "accountNumber": "1000123456"}  # fmt: skip
    with pytest.raises(ValueError, match="account_number"):
        payment_request(account_number=None)


def test_the_label_request_has_uspss_example_addresses_and_shape():
    example = fixture("label_request_ground_advantage")
    body = label_request(SAM, NICK, BOX, mail_class="USPS_GROUND_ADVANTAGE",
                         mailing_date=date(2024, 10, 5))  # fmt: skip

    assert body["toAddress"] == example["toAddress"]
    assert body["fromAddress"] == example["fromAddress"]
    package = body["packageDescription"]
    assert set(package) == set(example["packageDescription"])
    assert package == {
        "mailClass": "USPS_GROUND_ADVANTAGE",
        "rateIndicator": "SP",
        "weightUOM": "lb",
        "weight": 4.41,  # 2000 g, rounded up
        "dimensionsUOM": "in",
        "length": 11.82,  # the longest side, whatever order it came in
        "width": 7.88,
        "height": 3.94,
        "processingCategory": "MACHINABLE",
        "mailingDate": "2024-10-05",
        "extraServices": [],
        "destinationEntryFacilityType": "NONE",
    }
    # A 4x6 PDF and no receipt, as in USPS's own request example.
    recorded_image_info = fixture("label_request_priority_mail")["imageInfo"]
    assert body["imageInfo"].items() <= recorded_image_info.items()
    assert body["imageInfo"] == {"imageType": "PDF", "labelType": "4X6LABEL",
                                 "receiptOption": "NONE"}  # fmt: skip


def test_priority_mail_express_is_priced_as_its_single_piece():
    body = label_request(SAM, NICK, BOX, mail_class="PRIORITY_MAIL_EXPRESS")
    assert body["packageDescription"]["rateIndicator"] == "PA"


def test_the_return_label_goes_from_the_customer_back_to_the_shipper():
    example = fixture("return_label_request")
    body = return_label_request(SAM, NICK, BOX, mail_class="PRIORITY_MAIL")

    outbound = label_request(SAM, NICK, BOX, mail_class="PRIORITY_MAIL")
    assert body["toAddress"] == outbound["fromAddress"]  # back to the shipper (Sam)
    assert body["fromAddress"] == outbound["toAddress"]  # from the customer (Nick)
    assert set(body["toAddress"]) <= set(example["toAddress"]) | {"ZIPPlus4", "phone"}
    package = body["packageDescription"]
    assert package["mailClass"] == "PRIORITY_MAIL_RETURN_SERVICE"
    assert set(package) <= set(example["packageDescription"])
    assert "mailingDate" not in package and "destinationEntryFacilityType" not in package
    assert set(body) <= set(example)
    with pytest.raises(ValueError, match="service: USPS has return labels for"):
        return_label_request(SAM, NICK, BOX, mail_class="MEDIA_MAIL")


def test_a_one_word_name_is_a_firm_and_a_territory_is_its_own_state():
    shop = Party(name="Acme", line1="1 Calle Luna", city="San Juan", postal_code="00901",
                 country="PR", phone="+1 (787) 555-0100")  # fmt: skip
    address = label_request(shop, NICK, BOX, mail_class="PRIORITY_MAIL")["fromAddress"]
    assert address == {"firm": "Acme", "streetAddress": "1 Calle Luna", "city": "San Juan",
                       "state": "PR", "ZIPCode": "00901", "phone": "+17875550100"}  # fmt: skip


@pytest.mark.parametrize(
    "shipper,recipient,parcel,service,field",
    [
        (SAM, Party("Bo", "3 Rue", "Paris", "75001", "FR"), BOX, "PRIORITY_MAIL",
         "recipient.country"),
        (SAM, Party("Bo Li", "3 Main", "Reno", "89501", "US"), BOX, "PRIORITY_MAIL",
         "recipient.region"),
        (SAM, NICK, Parcel(32_000, 300, 200, 100), "PRIORITY_MAIL", "parcel.weight_grams"),
        (SAM, NICK, BOX, "FEDEX_GROUND", "service"),
    ],
)  # fmt: skip
def test_a_label_usps_would_refuse_is_refused_before_calling(
    shipper, recipient, parcel, service, field
):
    with pytest.raises(ValueError, match=field):
        label_request(shipper, recipient, parcel, mail_class=service)


def test_cancelling_names_the_label_by_its_tracking_number():
    assert cancel_path(" 9205590109769900012613 ") == "/labels/v3/label/9205590109769900012613"
    with pytest.raises(ValueError, match="tracking_number"):
        cancel_path("92/../x")


# -- the adapter over HTTP -----------------------------------------------------------------


def make_carrier(**kwargs) -> UspsCarrier:
    return UspsCarrier(base_url=BASE, client_id="id", client_secret="secret",
                       account_number="1000123456", **kwargs)  # fmt: skip


def multipart_answer() -> httpx.Response:
    return httpx.Response(
        200,
        content=recorded_multipart(),
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
    )


@pytest.fixture
def usps():
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.post("/oauth2/v3/token", name="token").mock(side_effect=[
            httpx.Response(200, json=fixture("oauth_token") | {"access_token": f"T{n}"})
            for n in range(1, 4)
        ])  # fmt: skip
        router.post("/payments/v3/payment-authorization", name="payment").mock(side_effect=[
            httpx.Response(200, json=fixture("payment_response")
                           | {"paymentAuthorizationToken": f"P{n}"})
            for n in range(1, 4)
        ])  # fmt: skip
        yield router


def test_two_labels_share_one_payment_token_sent_with_each(usps):
    label = usps.post("/labels/v3/label").mock(side_effect=[multipart_answer()] * 2)
    carrier = make_carrier(crid="56982563", mid="902743022")
    first = carrier.create_label(shipper=SAM, recipient=NICK, parcel=BOX, service="PRIORITY_MAIL")
    carrier.create_label(shipper=SAM, recipient=NICK, parcel=BOX, service="PRIORITY_MAIL")

    assert first.tracking_number == "9205590109769900012613"
    assert first.label_pdf.startswith(b"%PDF")
    assert usps["payment"].call_count == 1 and usps["token"].call_count == 1
    sent = json.loads(usps["payment"].calls[0].request.content)
    assert sent == payment_request(account_number="1000123456", crid="56982563", mid="902743022")
    for call in label.calls:
        assert call.request.headers["X-Payment-Authorization-Token"] == "P1"
        assert call.request.headers["Authorization"] == "Bearer T1"
    body = json.loads(label.calls[0].request.content)
    assert body == label_request(SAM, NICK, BOX, mail_class="PRIORITY_MAIL")


def test_a_401_on_a_label_renews_both_tokens_once(usps):
    label = usps.post("/labels/v3/label").mock(
        side_effect=[httpx.Response(401, json=fixture("oauth_error")), multipart_answer()]
    )
    make_carrier().create_label(shipper=SAM, recipient=NICK, parcel=BOX, service="PRIORITY_MAIL")
    headers = [c.request.headers for c in label.calls]
    assert [(h["Authorization"], h["X-Payment-Authorization-Token"]) for h in headers] == [
        ("Bearer T1", "P1"),
        ("Bearer T2", "P2"),
    ]


def test_the_json_label_answer_is_read_too(usps):
    pdf = base64.b64encode(recorded_pdf()).decode()
    answer = fixture("return_label_response_vendor") | {"returnLabelImage": pdf}
    usps.post("/labels/v3/return-label").mock(return_value=httpx.Response(
        200, json=answer, headers={"content-type": "application/vnd.usps.labels+json"}
    ))  # fmt: skip
    label = make_carrier().create_return_label(
        shipper=SAM, recipient=NICK, parcel=BOX, service="USPS_GROUND_ADVANTAGE"
    )
    assert label.tracking_number == "9405509898644824249889"


@pytest.mark.parametrize(
    "answer,message,transient",
    [
        (httpx.Response(400, json=fixture("label_error_missing_property")), "OASValidation", False),
        (httpx.Response(503), "USPS answered HTTP 503", True),
        (httpx.Response(429, json=fixture("cancel_error_not_found")), "Order not found", True),
    ],
)
def test_a_refused_label_is_uspss_words_and_only_outages_are_transient(
    usps, answer, message, transient
):
    usps.post("/labels/v3/label").mock(return_value=answer)
    with pytest.raises(CarrierError, match=message) as caught:
        make_carrier().create_label(
            shipper=SAM, recipient=NICK, parcel=BOX, service="PRIORITY_MAIL"
        )
    assert caught.value.transient is transient


def test_no_account_number_means_no_label_and_no_call(usps):
    label = usps.post("/labels/v3/label")
    carrier = UspsCarrier(base_url=BASE, client_id="id", client_secret="secret")
    with pytest.raises(CarrierError, match="EPS or permit account") as caught:
        carrier.create_label(shipper=SAM, recipient=NICK, parcel=BOX, service="PRIORITY_MAIL")
    assert caught.value.code == "no_account" and not caught.value.transient
    assert label.call_count == 0 and usps["payment"].call_count == 0


@pytest.mark.parametrize("answer", ["cancel_response_canceled", "cancel_response_disputed"])
def test_cancelling_deletes_the_label_by_number_with_the_payment_token(usps, answer):
    number = "9262593519935271903671"
    cancel = usps.delete(f"/labels/v3/label/{number}").mock(
        return_value=httpx.Response(200, json=fixture(answer))
    )
    assert make_carrier().cancel_label(number) is None
    assert cancel.calls[0].request.headers["X-Payment-Authorization-Token"] == "P1"


def test_cancelling_a_label_usps_will_not_refund_is_uspss_refusal(usps):
    usps.delete(url__regex=r"/labels/v3/label/\w+").mock(
        return_value=httpx.Response(400, json=fixture("cancel_error_refund_not_submitted"))
    )
    with pytest.raises(CarrierError) as caught:
        make_carrier().cancel_label("9262593519935271903671")
    assert caught.value.message == "A refund request for this order cannot be submitted"
    assert caught.value.transient is False


# -- the contract, over every recorded answer ----------------------------------------------


def recorded(prefixes: tuple[str, ...]) -> list[tuple[str, dict]]:
    paths = sorted(FIXTURES.glob("*.json"))
    return [(p.stem, json.loads(p.read_text())) for p in paths if p.stem.startswith(prefixes)]


def test_every_recorded_label_answer_is_a_label_with_a_pdf_and_a_charge_in_dollars():
    pdf = base64.b64encode(recorded_pdf()).decode()
    answers = recorded(("label_response", "return_label_response"))
    answers.append(("multipart", read_multipart(recorded_multipart())))
    assert len(answers) == 3
    for name, answer in answers:
        # USPS's JSON examples carry placeholder images; ours is USPS's recorded PDF.
        images = {k: pdf for k in ("labelImage", "returnLabelImage") if k in answer}
        label = parse_label(answer | images, service="PRIORITY_MAIL")
        assert label.tracking_number and label.label_pdf.startswith(b"%PDF"), name
        assert label.charge.currency == "USD" and label.charge.amount > 0, name
