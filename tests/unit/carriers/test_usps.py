"""USPS APIs v3: recorded answers parsed to what a customer and seller see, the status
table row by row, and the adapter over HTTP (OAuth token reuse, 401 retry, errors)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import respx

from oms_dashboard.carriers.base import (
    CarrierError,
    Parcel,
    Party,
    RateQuote,
    ShipmentStatus,
)
from oms_dashboard.carriers.usps import (
    STATUS_CATEGORIES,
    STATUSES,
    UspsCarrier,
    parse_error,
    parse_rates,
    parse_tracking,
    rate_request,
    token_request,
    tracking_request,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "carriers" / "usps"
BASE = "https://apis-tem.usps.example"
S = ShipmentStatus


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def tz(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


def make_party(zip_code: str = "10038", country: str = "US") -> Party:
    return Party(name="Mall Seller", line1="1 Main St", city="New York", postal_code=zip_code,
                 country=country, region="NY")  # fmt: skip


def make_parcel(grams: int = 2000, dims: tuple[int, int, int] = (100, 300, 200)) -> Parcel:
    return Parcel(weight_grams=grams, length_mm=dims[0], width_mm=dims[1], height_mm=dims[2])


# -- tracking ------------------------------------------------------------------------------


def test_a_delivered_package_shows_every_scan_newest_first_in_local_time():
    [update] = parse_tracking(fixture("tracking_delivered"))

    assert update.tracking_number == "9261290289104185136058"
    assert update.status is S.DELIVERED
    assert update.estimated_delivery is None
    assert update.signature_required is False
    assert len(update.scans) == 15
    delivered = update.scans[0]
    assert (delivered.code, delivered.description) == ("01", "Delivered, In/At Mailbox")
    assert delivered.at == datetime(2024, 11, 23, 13, 10, tzinfo=tz(-6))
    assert delivered.at.utcoffset() == timedelta(hours=-6)
    assert delivered.location.label == "MILWAUKEE, WI, US"
    assert delivered.location.postal_code == "53207"
    assert [s.code for s in update.scans[:3]] == ["01", "OF", "07"]
    assert all(a.at >= b.at for a, b in zip(update.scans, update.scans[1:], strict=False))
    # A hub scan names only its facility; USPS's offset is kept as given.
    hub = update.scans[6]
    assert hub.location.city == "OAK CREEK WI DISTRIBUTION CENTER"
    assert hub.location.region is None
    niagara = update.scans[-2]
    assert niagara.at == datetime(2024, 11, 19, 16, 24, tzinfo=tz(-5))
    assert niagara.location.label == "NIAGARA FALLS, NY, US"


def test_a_scan_with_no_place_and_no_offset_is_read_in_the_origin_zone():
    [update] = parse_tracking(fixture("tracking_delivered"))

    label = update.scans[-1]
    assert label.code == "GX"
    assert label.location is None
    # Origin OAK CREEK, WI 53154 is Central time: CST in November.
    assert label.at.isoformat() == "2024-11-19T09:27:00-06:00"


def test_a_package_in_transit_has_its_expected_delivery_date():
    [update] = parse_tracking(fixture("tracking_in_transit"))

    assert update.status is S.IN_TRANSIT
    assert update.estimated_delivery == date(2024, 11, 29)
    newest = update.scans[0]
    assert (newest.code, newest.description) == ("10", "Arrived at USPS Regional Facility")
    assert newest.at == datetime(2024, 11, 26, 7, 44, tzinfo=UTC)
    assert [s.description for s in update.scans[1:]] == [
        "Departed Post Office",
        "USPS in possession of item",
        "Pre-Shipment, USPS Awaiting Item",
    ]
    assert update.scans[-1].at.isoformat() == "2024-11-23T00:00:00-06:00"


def test_usps_local_time_marked_z_is_read_in_the_place_not_as_utc():
    # USPS's own example: "7:31 am on August 2, 2023 in RICHMOND, VA" for 07:31:00Z.
    [update] = parse_tracking(fixture("tracking_accepted"))

    assert update.status is S.SHIPPED
    [scan] = update.scans
    assert scan.at.isoformat() == "2023-08-02T07:31:00-04:00"
    assert scan.location.label == "RICHMOND, VA, US"


def test_a_failed_delivery_attempt_is_a_delivery_exception():
    [update] = parse_tracking(fixture("tracking_delivery_attempt"))

    assert update.status is S.DELIVERY_EXCEPTION
    attempt = update.scans[0]
    assert attempt.code == "55"
    assert attempt.description == "Notice Left (No Secure Location Available)"
    assert attempt.at == datetime(2021, 11, 30, 13, 0, tzinfo=tz(-6))
    assert attempt.location.label == "BIRMINGHAM, AL, US"


@pytest.mark.parametrize(
    "services,required",
    [
        (["USPS Tracking<SUP>&#174;</SUP>", "Up to $100 insurance included"], False),
        (["USPS Tracking<SUP>&#174;</SUP>", "Signature Confirmation<SUP>&#8482;</SUP>"], True),
        ("Adult Signature Required", True),
        (["921"], True),
        (["Certified Mail<SUP>&#174;</SUP>"], True),
        (["Tracking Plus Signature 3 Years"], False),
        (None, False),
    ],
)
def test_signature_required_comes_from_the_services_on_the_package(services, required):
    payload = fixture("tracking_in_transit") | {"services": services}
    assert parse_tracking(payload)[0].signature_required is required


def test_a_code_that_says_nothing_falls_back_to_the_status_category():
    payload = fixture("tracking_in_transit")
    newest = copy.deepcopy(payload["trackingEvents"][0]) | {
        "eventCode": "DX",
        "eventType": "Delivery Status Not Updated",
        "eventTimestamp": "2024-11-27T10:00:00",
    }
    payload["trackingEvents"].insert(0, newest)

    [update] = parse_tracking(payload)
    assert update.scans[0].code == "DX"
    assert update.status is S.IN_TRANSIT  # "Moving Through Network"


def test_an_unknown_code_and_category_give_no_status_without_crashing():
    payload = fixture("tracking_in_transit") | {"statusCategory": "Something New"}
    payload["trackingEvents"][0]["eventCode"] = "Q9"

    [update] = parse_tracking(payload)
    assert update.status is None
    assert update.scans[0].code == "Q9"


# -- the status tables, row by row ---------------------------------------------------------

EXPECTED_CODES = {
    "MA": (S.SHIPPED, "Manifest Acknowledgement (Pre-Shipment Info Sent to USPS)"),
    "GX": (S.SHIPPED, "Shipping Label Created, USPS Awaiting Item"),
    "89": (S.SHIPPED, "Merchant Order Receipt Notification, USPS Awaiting Item"),
    "80": (S.SHIPPED, "Picked Up by Shipping Partner, USPS Awaiting Item"),
    "83": (S.SHIPPED, "Tendered to Postal Service"),
    "03": (S.SHIPPED, "Accept or Pickup (USPS in possession of item)"),
    "OA": (S.SHIPPED, "Origin Acceptance"),
    "UA": (S.SHIPPED, "Accepted at USPS Facility"),
    "AD": (S.SHIPPED, "Acceptance at Destination"),
    "TM": (S.SHIPPED, "Shipment Received, Package Acceptance Pending"),
    "PA": (S.SHIPPED, "Passive Acceptance (Shipment Acceptance)"),
    "81": (S.IN_TRANSIT, "Arrived Shipping Partner Facility, USPS Awaiting Item"),
    "82": (S.IN_TRANSIT, "Departed Shipping Partner Facility, USPS Awaiting Item"),
    "42": (S.IN_TRANSIT, "USPS Handoff to Shipping Partner"),
    "10": (S.IN_TRANSIT, "Processed (Arrived at USPS Regional Facility)"),
    "A1": (S.IN_TRANSIT, "Arrived at USPS Facility"),
    "T1": (S.IN_TRANSIT, "Departed USPS Facility"),
    "TL": (S.IN_TRANSIT, "In Transit to Next Facility"),
    "EF": (S.IN_TRANSIT, "Departed Sort Facility"),
    "SF": (S.IN_TRANSIT, "Departed Post Office"),
    "19": (S.IN_TRANSIT, "DC eVS Arrive"),
    "41": (S.IN_TRANSIT, "Received at Opening Unit"),
    "06": (S.IN_TRANSIT, "Forwarded"),
    "07": (S.IN_TRANSIT, "Arrival at Unit (Arrived at Post Office)"),
    "08": (S.IN_TRANSIT, "Missent"),
    "15": (S.IN_TRANSIT, "Mis-shipped"),
    "PC": (S.IN_TRANSIT, "Sorting / Processing Complete"),
    "71": (S.IN_TRANSIT, "Rescheduled to Next Delivery Day"),
    "OF": (S.OUT_FOR_DELIVERY, "Out for Delivery"),
    "01": (S.DELIVERED, "Delivered"),
    "17": (S.DELIVERED, "Picked Up By Agent"),
    "43": (S.DELIVERED, "Picked Up"),
    "02": (S.DELIVERY_EXCEPTION, "Attempted / Notice Left"),
    "51": (S.DELIVERY_EXCEPTION, "Business Closed"),
    "52": (S.DELIVERY_EXCEPTION, "Notice Left"),
    "53": (S.DELIVERY_EXCEPTION, "Receptacle Blocked"),
    "54": (S.DELIVERY_EXCEPTION, "Receptacle Full / Item Oversized"),
    "55": (S.DELIVERY_EXCEPTION, "No Secure Location Available"),
    "56": (S.DELIVERY_EXCEPTION, "No Authorized Recipient Available"),
    "30": (S.DELIVERY_EXCEPTION, "Delivery Attempted - No Access to Delivery Location"),
    "04": (S.DELIVERY_EXCEPTION, "Refused"),
    "05": (S.DELIVERY_EXCEPTION, "Undeliverable as Addressed"),
    "09": (S.DELIVERY_EXCEPTION, "Return to Sender"),
    "21": (S.DELIVERY_EXCEPTION, "No Such Number"),
    "22": (S.DELIVERY_EXCEPTION, "Insufficient Address"),
    "23": (S.DELIVERY_EXCEPTION, "Moved, Left No Address"),
    "24": (S.DELIVERY_EXCEPTION, "Forward Expired"),
    "25": (S.DELIVERY_EXCEPTION, "Addressee Unknown"),
    "26": (S.DELIVERY_EXCEPTION, "Vacant"),
    "27": (S.DELIVERY_EXCEPTION, "Unclaimed"),
    "28": (S.DELIVERY_EXCEPTION, "Deceased"),
    "29": (S.DELIVERY_EXCEPTION, "Other"),
    "31": (S.DELIVERY_EXCEPTION, "Not Picked Up"),
    "11": (S.DELIVERY_EXCEPTION, "Dead Letter"),
    "44": (S.DELIVERY_EXCEPTION, "Customer Recall"),
    "14": (S.DELIVERY_EXCEPTION, "Arrival at Pickup Point"),
    "16": (S.DELIVERY_EXCEPTION, "Available for Pickup"),
    "DX": (None, "Delivery Status Not Updated"),
    "GC": (None, "Return Receipt Associated"),
}

EXPECTED_CATEGORIES = {
    "Pre-Shipment": S.SHIPPED,
    "Accepted": S.SHIPPED,
    "In Transit": S.IN_TRANSIT,
    "Moving Through Network": S.IN_TRANSIT,
    "Out for Delivery": S.OUT_FOR_DELIVERY,
    "Delivered": S.DELIVERED,
    "Delivery Attempt": S.DELIVERY_EXCEPTION,
    "Available for Pickup": S.DELIVERY_EXCEPTION,
    "Alert": S.DELIVERY_EXCEPTION,
}


def test_the_tables_hold_exactly_the_listed_codes():
    assert set(STATUSES) == set(EXPECTED_CODES)
    assert set(STATUS_CATEGORIES) == set(EXPECTED_CATEGORIES)


def _package_whose_newest_scan_is(code: str, category: str | None) -> dict:
    payload = fixture("tracking_in_transit") | {"statusCategory": category}
    payload["trackingEvents"][0]["eventCode"] = code
    return payload


@pytest.mark.parametrize("code", sorted(EXPECTED_CODES))
def test_each_event_code_maps_to_its_status_and_keeps_usps_meaning(code):
    status, meaning = EXPECTED_CODES[code]
    assert STATUSES[code].status is status
    assert STATUSES[code].meaning == meaning
    # What the order would show with that scan on top, USPS's category left out.
    [update] = parse_tracking(_package_whose_newest_scan_is(code, None))
    assert update.status is status


@pytest.mark.parametrize("category", sorted(EXPECTED_CATEGORIES))
def test_each_status_category_maps_to_its_status(category):
    assert STATUS_CATEGORIES[category].status is EXPECTED_CATEGORIES[category]
    [update] = parse_tracking(_package_whose_newest_scan_is("DX", category))
    assert update.status is EXPECTED_CATEGORIES[category]


# -- rates ---------------------------------------------------------------------------------


def test_a_base_rates_answer_is_one_quote_to_the_cent():
    assert parse_rates(fixture("rates_base")) == [
        RateQuote(service="PARCEL_SELECT", amount=Decimal("8.02"), currency="USD")
    ]


def test_a_total_rates_answer_gives_each_option_its_postage_without_extra_services():
    quotes = parse_rates(fixture("rates_total"))
    assert [q.service for q in quotes] == ["PARCEL_SELECT"] * 4
    # totalBasePrice, not totalPrice (which adds the Label Delivery service asked for).
    assert [q.amount for q in quotes] == [Decimal(x) for x in ("4.59", "7.86", "6.79", "5.74")]
    assert {q.currency for q in quotes} == {"USD"}
    assert {q.transit_days for q in quotes} == {None}


def test_several_mail_classes_are_quoted_with_their_fees():
    quotes = parse_rates(fixture("rates_several_classes"))
    assert [(q.service, q.amount) for q in quotes] == [
        ("PRIORITY_MAIL", Decimal("84.45")),
        ("PRIORITY_MAIL_EXPRESS", Decimal("233.50")),
        ("USPS_GROUND_ADVANTAGE", Decimal("65.46")),
    ]


# -- errors --------------------------------------------------------------------------------


def test_a_tracking_error_body_raises_with_usps_own_message():
    with pytest.raises(CarrierError) as caught:
        parse_tracking(fixture("tracking_not_found"))
    assert caught.value.carrier == "usps"
    assert caught.value.message.startswith("12: A status update is not yet available")
    assert caught.value.message.endswith("packages addressed to you.")
    assert caught.value.code == "150001"


def test_a_prices_error_body_raises_too():
    # Every v3 API answers errors in the same ErrorMessage shape.
    with pytest.raises(CarrierError, match="status update is not yet available"):
        parse_rates(fixture("tracking_not_found"))


def test_an_oauth_error_body_is_read():
    error = parse_error(fixture("oauth_error"))
    assert (error.carrier, error.message, error.code) == (
        "usps",
        "Client authentication failed.",
        "invalid_client",
    )
    assert parse_error(fixture("tracking_delivered")) is None
    assert parse_error(fixture("oauth_token")) is None


# -- requests ------------------------------------------------------------------------------


def test_the_token_request_is_the_client_credentials_grant():
    assert token_request("id", "secret") == {
        "grant_type": "client_credentials",
        "client_id": "id",
        "client_secret": "secret",
    }


def test_tracking_asks_one_package_per_call_with_its_details():
    assert tracking_request(["9261290289104185136058", " EA123456785US "]) == [
        ("/tracking/v3/tracking/9261290289104185136058", {"expand": "DETAIL"}),
        ("/tracking/v3/tracking/EA123456785US", {"expand": "DETAIL"}),
    ]
    with pytest.raises(ValueError, match="tracking_number"):
        tracking_request(["9261 2902/../x"])


def test_the_rate_request_is_a_single_piece_base_rates_query_in_pounds_and_inches():
    body = rate_request(
        make_party("10038"), make_party("10017"), make_parcel(),
        mail_class="PRIORITY_MAIL", mailing_date=date(2024, 11, 27),
    )  # fmt: skip
    assert body == {
        "originZIPCode": "10038",
        "destinationZIPCode": "10017",
        "weight": 4.41,  # 2000 g, rounded up
        "length": 11.82,  # the longest side, whatever order it came in
        "width": 7.88,
        "height": 3.94,
        "mailClass": "PRIORITY_MAIL",
        "processingCategory": "MACHINABLE",
        "rateIndicator": "SP",
        "destinationEntryFacilityType": "NONE",
        "priceType": "COMMERCIAL",
        "mailingDate": "2024-11-27",
    }
    with_account = rate_request(make_party(), make_party(), make_parcel(), account_number="123")
    assert (with_account["accountType"], with_account["accountNumber"]) == ("EPS", "123")


def test_a_large_parcel_is_quoted_as_nonstandard():
    body = rate_request(make_party(), make_party(), make_parcel(dims=(660, 660, 660)))
    assert body["processingCategory"] == "NONSTANDARD"


@pytest.mark.parametrize(
    "shipper,recipient,parcel,field",
    [
        (make_party(), make_party("10115", "DE"), make_parcel(), "recipient.country"),
        (make_party("ABC"), make_party(), make_parcel(), "shipper.postal_code"),
        (make_party(), make_party(), make_parcel(grams=0), "parcel"),
    ],
)
def test_a_rate_request_refuses_what_usps_cannot_quote(shipper, recipient, parcel, field):
    with pytest.raises(ValueError, match=field):
        rate_request(shipper, recipient, parcel)


# -- the adapter over HTTP -----------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_carrier(clock: Clock | None = None, **kwargs) -> UspsCarrier:
    return UspsCarrier(
        base_url=BASE + "/", client_id="id", client_secret="secret",
        clock=clock or Clock(), **kwargs,
    )  # fmt: skip


def token_answer(token: str = "T1") -> httpx.Response:
    return httpx.Response(200, json=fixture("oauth_token") | {"access_token": token})


@pytest.fixture
def usps():
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.post("/oauth2/v3/token", name="token").mock(return_value=token_answer())
        yield router


def bearer(call) -> str:
    return call.request.headers["Authorization"]


def test_the_token_is_fetched_once_and_reused(usps):
    track = usps.get("/tracking/v3/tracking/9261290289104185136058", name="track").mock(
        return_value=httpx.Response(200, json=fixture("tracking_delivered"))
    )
    with make_carrier() as carrier:
        first = carrier.track(["9261290289104185136058"])
        carrier.track(["9261290289104185136058"])

    assert first[0].status is S.DELIVERED
    assert usps["token"].call_count == 1
    token_call = usps["token"].calls[0].request
    assert token_call.headers["Content-Type"] == "application/json"
    assert json.loads(token_call.content) == token_request("id", "secret")
    assert track.call_count == 2
    assert [bearer(c) for c in track.calls] == ["Bearer T1", "Bearer T1"]
    assert track.calls[0].request.url.params["expand"] == "DETAIL"


def test_a_token_is_renewed_shortly_before_it_expires(usps):
    usps["token"].side_effect = [token_answer("T1"), token_answer("T2")]
    track = usps.get(url__regex=r"/tracking/v3/tracking/\w+").mock(
        return_value=httpx.Response(200, json=fixture("tracking_in_transit"))
    )
    clock = Clock()
    carrier = make_carrier(clock)
    carrier.track(["9202290317456200135409"])
    clock.now += 28799 - 301  # still good
    carrier.track(["9202290317456200135409"])
    clock.now += 2  # within 5 minutes of the 8-hour expiry
    carrier.track(["9202290317456200135409"])

    assert [bearer(c) for c in track.calls] == ["Bearer T1", "Bearer T1", "Bearer T2"]


def test_a_401_gets_a_new_token_and_one_retry(usps):
    usps["token"].side_effect = [token_answer("T1"), token_answer("T2")]
    track = usps.get(url__regex=r"/tracking/v3/tracking/\w+").mock(
        side_effect=[
            httpx.Response(401, json=fixture("oauth_error")),
            httpx.Response(200, json=fixture("tracking_in_transit")),
        ]
    )
    [update] = make_carrier().track(["9202290317456200135409"])

    assert update.status is S.IN_TRANSIT
    assert [bearer(c) for c in track.calls] == ["Bearer T1", "Bearer T2"]


def test_a_second_401_is_an_error_not_a_loop(usps):
    track = usps.get(url__regex=r"/tracking/v3/tracking/\w+").mock(
        return_value=httpx.Response(401, json=fixture("oauth_error"))
    )
    with pytest.raises(CarrierError, match="Client authentication failed"):
        make_carrier().track(["9202290317456200135409"])
    assert track.call_count == 2


def test_refused_credentials_say_so(usps):
    usps["token"].mock(return_value=httpx.Response(401, json=fixture("oauth_error")))
    with pytest.raises(CarrierError) as caught:
        make_carrier().track(["9202290317456200135409"])
    assert (caught.value.message, caught.value.code) == (
        "Client authentication failed.",
        "invalid_client",
    )


def test_a_package_usps_cannot_report_on_is_skipped_with_its_message(usps):
    usps.get("/tracking/v3/tracking/9202290317456200135409").mock(
        return_value=httpx.Response(200, json=fixture("tracking_in_transit"))
    )
    usps.get("/tracking/v3/tracking/9400100000000000000000").mock(
        return_value=httpx.Response(400, json=fixture("tracking_not_found"))
    )
    carrier = make_carrier()
    updates = carrier.track(["9400100000000000000000", "9202290317456200135409"])

    assert [u.tracking_number for u in updates] == ["9202290317456200135409"]
    assert carrier.skipped["9400100000000000000000"].startswith("12: A status update")


@pytest.mark.parametrize(
    "answer,code",
    [
        (httpx.Response(503), "503"),
        (httpx.Response(502, text="<html>Bad Gateway</html>"), "502"),
        (httpx.ReadTimeout("slow"), "timeout"),
        (httpx.ConnectError("refused"), "unreachable"),
    ],
)
def test_usps_down_is_a_carrier_error_naming_usps(usps, answer, code):
    route = usps.get(url__regex=r"/tracking/v3/tracking/\w+").mock(side_effect=[answer] * 3)
    with pytest.raises(CarrierError) as caught:
        make_carrier().track(["9202290317456200135409"])
    assert route.call_count == 3  # tried again twice before giving up
    assert caught.value.carrier == "usps"
    assert caught.value.code == code
    assert str(caught.value).startswith("usps: ")


def _base_rates_for(request: httpx.Request) -> httpx.Response:
    """USPS's recorded options, each answered as base-rates/search answers one class."""
    mail_class = json.loads(request.content)["mailClass"]
    for option in fixture("rates_several_classes")["rateOptions"]:
        if option["rates"][0]["mailClass"] == mail_class:
            return httpx.Response(200, json=option)
    return httpx.Response(400, json=fixture("tracking_not_found"))


def test_a_quote_asks_each_mail_class_and_returns_them_cheapest_first(usps):
    rates = usps.post("/prices/v3/base-rates/search").mock(side_effect=_base_rates_for)
    quotes = make_carrier(account_number="1234567890").quote(
        shipper=make_party("10038"), recipient=make_party("10017"),
        parcel=make_parcel(grams=31751, dims=(533, 533, 533)),
    )  # fmt: skip

    assert [(q.service, q.amount) for q in quotes] == [
        ("USPS_GROUND_ADVANTAGE", Decimal("65.46")),
        ("PRIORITY_MAIL", Decimal("84.45")),
        ("PRIORITY_MAIL_EXPRESS", Decimal("233.50")),
    ]
    sent = [json.loads(c.request.content) for c in rates.calls]
    assert [b["mailClass"] for b in sent] == [
        "USPS_GROUND_ADVANTAGE",
        "PRIORITY_MAIL",
        "PRIORITY_MAIL_EXPRESS",
    ]
    assert sent[0] | {"mailingDate": "-"} == rate_request(
        make_party("10038"), make_party("10017"),
        make_parcel(grams=31751, dims=(533, 533, 533)), account_number="1234567890",
    ) | {"mailingDate": "-"}  # fmt: skip
    assert sent[0]["processingCategory"] == "NONSTANDARD"  # 21 in, 70 lb
    assert all(bearer(c) == "Bearer T1" for c in rates.calls)


def test_a_class_usps_refuses_is_left_out_and_all_refused_is_an_error(usps):
    rates = usps.post("/prices/v3/base-rates/search")
    rates.side_effect = _base_rates_for
    only_ground = make_carrier(mail_classes=["USPS_GROUND_ADVANTAGE", "MEDIA_MAIL"])
    assert [q.service for q in only_ground.quote(
        shipper=make_party(), recipient=make_party(), parcel=make_parcel()
    )] == ["USPS_GROUND_ADVANTAGE"]  # fmt: skip

    with pytest.raises(CarrierError, match="status update is not yet available"):
        make_carrier(mail_classes=["MEDIA_MAIL"]).quote(
            shipper=make_party(), recipient=make_party(), parcel=make_parcel()
        )
