"""Changing an unshipped order's delivery address over the API: priced as at checkout,
the difference charged through the payment sandbox (declined: nothing changes) or
refunded through it, refused with the rule's reason, scoped by role, the seller told,
and the money right after several changes (the order, its refunds, its charges and its
invoice agree)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from oms_dashboard.ids import new_id
from oms_dashboard.models import (
    Order,
    OrderCharge,
    OutboxMessage,
    SandboxCharge,
    Shipment,
)
from oms_dashboard.services import address_change, refunds
from oms_dashboard.services.actor import Role
from oms_dashboard.services.auth import actor_for_user
from oms_dashboard.services.errors import ServiceError
from tests.fakes import FakeProvider
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    assert_problem,
    audit_rows,
    error_fields,
)
from tests.integration.desk_helpers import desk_fixture  # noqa: F401

# From Shop A in Austin, one unit of 25.00 (under the free-shipping threshold), standard:
AUSTIN = {"line1": "1 Congress Ave", "city": "Austin", "region": "TX", "postal_code": "78701"}
"""5.99, as the order was charged."""
DALLAS = {"line1": "2 Elm St", "city": "Dallas", "region": "TX", "postal_code": "75201"}
"""6.79"""
NEW_YORK = {"line1": "5 Broadway", "city": "New York", "region": "NY", "postal_code": "10001"}
"""10.99"""


def where(place: dict, **more) -> dict:
    return {"shipping_address": {"name": "Alice Moved", "country": "US", **place, **more}}


def change(desk, order_id, place, who="alice", preview=False):
    return desk.api.post(
        f"/api/v1/orders/{order_id}/address" + ("?preview=true" if preview else ""),
        json=where(place) if isinstance(place, dict) and "line1" in place else place,
        headers=desk.h(who),
    )


def fresh(desk, order_id) -> Order:
    return desk.read(select(Order).where(Order.id == order_id))[0]


def charges(desk, order_id) -> list[OrderCharge]:
    return desk.read(select(OrderCharge).where(OrderCharge.order_id == order_id))


def sandbox_charges(desk, order) -> list[SandboxCharge]:
    return desk.read(select(SandboxCharge).where(SandboxCharge.checkout_id == order.checkout_id))


def left_to_refund(desk, order_id) -> int:
    with Session(desk.engine) as session:
        return refunds.refundable_left(session, session.get(Order, order_id))


def one_unit(desk, **kwargs) -> Order:
    return desk.order(quantity=1, **kwargs)


def test_same_cost_moves_the_order_and_tells_the_seller(desk):
    order = one_unit(desk)
    response = change(desk, order.id, AUSTIN)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["settlement"], body["difference"], body["applied"]) == ("none", "0.00", True)
    assert body["charge"] is None and body["refund"] is None
    assert body["shipping_address"]["line1"] == "1 Congress Ave"
    after = fresh(desk, order.id)
    assert (after.ship_name, after.ship_line1) == ("Alice Moved", "1 Congress Ave")
    assert (after.shipping_minor, after.total_minor) == (599, 3099)
    assert after.estimated_delivery.isoformat() == body["estimated_delivery"]
    assert "order.address_changed" in desk.events(order.id)
    (audit,) = [a for a in audit_rows(desk.engine, "order.address_change")]
    assert audit.entity_id == order.id and "1 Congress" not in str(audit.after)
    desk.drain()
    assert f"Order {order.number}: new delivery address" in desk.bell("seller_a")
    emails = desk.emails(desk.users["seller_a"].email)
    assert emails == [f"Order {order.number}: new delivery address"]
    assert not desk.bell("seller_b")


def test_preview_answers_the_price_and_changes_nothing(desk):
    order = one_unit(desk)
    for url in (
        f"/api/v1/orders/{order.id}/address?preview=true",
        f"/api/v1/orders/{order.id}/address/preview",
    ):
        response = desk.api.post(url, json=where(NEW_YORK), headers=desk.h("alice"))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["applied"] is False
        assert (body["shipping_before"], body["shipping_after"], body["difference"]) == (
            "5.99",
            "10.99",
            "5.00",
        )
        assert body["settlement"] == "charge" and "5.00 USD more" in body["message"]
        nearby = change(desk, order.id, AUSTIN, preview=True).json()
        assert body["estimated_delivery"] > nearby["estimated_delivery"]  # further: later
    assert fresh(desk, order.id).ship_city == "Austin"
    assert "order.address_changed" not in desk.events(order.id)
    assert not sandbox_charges(desk, order)
    assert not desk.read(select(OutboxMessage))


def test_dearer_then_cheaper_then_dearer_keeps_the_money_right(desk):
    """Charged 5.00, refunded 4.20, charged 4.20: the order, the sandbox, what is left
    to refund and the invoice agree each time."""
    order = one_unit(desk)
    # 5.99 -> 10.99: 5.00 charged first, the order's shipping and total include it.
    body = change(desk, order.id, NEW_YORK).json()
    assert (body["settlement"], body["difference"]) == ("charge", "5.00")
    assert body["charge"]["amount"] == "5.00" and body["charge"]["provider_charge_id"]
    assert (body["shipping_cost"], body["total"]) == ("10.99", "35.99")
    assert [c.amount_minor for c in sandbox_charges(desk, order)] == [500]
    assert [c.amount_minor for c in charges(desk, order.id)] == [500]
    assert left_to_refund(desk, order.id) == 3599

    # 10.99 -> 6.79: 4.20 back as an automatic refund, paid through the sandbox.
    body = change(desk, order.id, DALLAS).json()
    assert (body["settlement"], body["difference"]) == ("refund", "-4.20")
    assert body["refund"]["amount"] == "4.20" and body["refund"]["status"] == "approved"
    assert (body["shipping_cost"], body["total"]) == ("10.99", "35.99")  # what was charged
    desk.drain()
    (refund,) = desk.refunds(order.id)
    assert (refund.status, refund.rule, refund.shipping_minor) == (
        "paid",
        "address-change-difference",
        420,
    )
    assert [r.amount_minor for r in desk.sandbox_refunds(order)] == [420]
    assert left_to_refund(desk, order.id) == 3599 - 420

    # 6.79 -> 10.99 again: the difference is against the 6.79 the customer pays now.
    body = change(desk, order.id, NEW_YORK).json()
    assert (body["shipping_before"], body["difference"]) == ("6.79", "4.20")
    assert (body["shipping_cost"], body["total"]) == ("15.19", "40.19")
    assert [c.amount_minor for c in sandbox_charges(desk, order)] == [500, 420]
    assert left_to_refund(desk, order.id) == 4019 - 420 == 2500 + 1099
    after = fresh(desk, order.id)
    assert after.total_minor == after.subtotal_minor + after.shipping_minor
    assert desk.events(order.id).count("order.address_changed") == 3

    text = invoice_text(desk, order.id)
    assert "Shipping USD 5.99" in text
    assert text.count("Extra shipping to the new delivery address") == 2
    assert "USD 5.00" in text and "USD 4.20" in text
    assert "Total USD 40.19" in text and "Paid after refunds USD 35.99" in text


def test_cheaper_is_refunded_and_the_invoice_counts_it_once(desk):
    order = one_unit(desk)
    with Session(desk.engine) as session:  # charged for New York at checkout
        row = session.get(Order, order.id)
        row.ship_city, row.ship_region, row.ship_postal_code = "New York", "NY", "10001"
        row.shipping_minor, row.total_minor = 1099, 3599
        session.add(row)
        session.commit()
    body = change(desk, order.id, AUSTIN).json()
    assert (body["settlement"], body["refund"]["amount"]) == ("refund", "5.00")
    desk.drain()
    assert [r.amount_minor for r in desk.sandbox_refunds(order)] == [500]
    assert left_to_refund(desk, order.id) == 3099
    text = invoice_text(desk, order.id)
    assert "Shipping USD 10.99" in text and "Total USD 35.99" in text
    assert "Paid after refunds USD 30.99" in text
    # The same place again costs nothing more and refunds nothing more.
    again = change(desk, order.id, AUSTIN).json()
    assert (again["shipping_before"], again["settlement"]) == ("5.99", "none")
    assert len(desk.refunds(order.id)) == 1


def test_a_declined_charge_changes_nothing_and_says_why(desk):
    order = one_unit(desk)
    outcome = desk.api.put(
        f"/sandbox/payments/authorizations/{order.checkout_id}/charge-outcome",
        json={"outcome": "declined"},
    )
    assert outcome.status_code == 200, outcome.text
    response = change(desk, order.id, NEW_YORK)
    body = assert_problem(response, 402, "charge-declined")
    assert body["reason"] == "charge-declined" and "declined" in body["detail"]
    assert "5.00" in body["detail"] and "unchanged" in body["detail"]
    after = fresh(desk, order.id)
    assert (after.ship_city, after.shipping_minor, after.total_minor) == ("Austin", 599, 3099)
    assert not charges(desk, order.id) and not sandbox_charges(desk, order)
    assert "order.address_changed" not in desk.events(order.id)
    assert not audit_rows(desk.engine, "order.address_change")
    # The card works again: the same change goes through, charged once.
    desk.api.put(
        f"/sandbox/payments/authorizations/{order.checkout_id}/charge-outcome",
        json={"outcome": "succeeded"},
    ).raise_for_status()
    assert change(desk, order.id, NEW_YORK).status_code == 200
    assert [c.amount_minor for c in sandbox_charges(desk, order)] == [500]


def _label(desk, order):
    with Session(desk.engine) as session:
        session.add(
            Shipment(
                id=new_id("shp"),
                order_id=order.id,
                seller_id=order.seller_id,
                carrier="fedex",
                service="FEDEX_GROUND",
                tracking_number=new_id("trk"),
                status="shipped",
            )
        )
        session.commit()


@pytest.mark.parametrize(
    "status,paid,labelled,place,reason",
    [
        ("processing", True, True, AUSTIN, "label-already-bought"),
        ("shipped", True, True, AUSTIN, "already-shipped"),
        ("delivered", True, True, AUSTIN, "already-shipped"),
        ("cancelled", True, False, AUSTIN, "order-cancelled"),
        ("pending_payment", False, False, AUSTIN, "payment-not-taken"),
        (
            "processing",
            True,
            False,
            {"line1": "1 Yonge St", "city": "Toronto", "region": "ON", "postal_code": "M5E 1E5",
             "country": "CA"},
            "other-country",
        ),
    ],
    ids=["label", "shipped", "delivered", "cancelled", "unpaid", "other-country"],
)  # fmt: skip
def test_refusals_name_the_rule_and_change_nothing(desk, status, paid, labelled, place, reason):
    order = one_unit(desk, status=status, paid=paid)
    if labelled:
        _label(desk, order)
    response = desk.api.post(
        f"/api/v1/orders/{order.id}/address",
        json={"shipping_address": {"name": "Alice", "country": "US", **place}},
        headers=desk.h("alice"),
    )
    body = assert_problem(response, 409, "address-not-changeable")
    assert body["reason"] == reason and body["detail"].endswith(".")
    assert fresh(desk, order.id).ship_line1 == "1 Main St"
    detail = desk.api.get(f"/api/v1/orders/{order.id}", headers=desk.h("alice")).json()
    # Another country is refused for the address typed; the order itself may still move.
    assert ("change_address" in detail["allowed_actions"]) is (reason == "other-country")


@pytest.mark.parametrize(
    "place,fields",
    [
        ({**AUSTIN, "postal_code": "1234"}, ["shipping_address.postal_code"]),
        ({**AUSTIN, "postal_code": "10001"}, ["shipping_address.postal_code"]),
        ({**AUSTIN, "line1": "", "city": ""}, ["shipping_address.line1", "shipping_address.city"]),
    ],
    ids=["bad-zip", "zip-of-another-state", "two-missing"],
)
def test_a_bad_address_is_a_422_per_field(desk, place, fields):
    order = one_unit(desk)
    for preview in (True, False):
        response = change(desk, order.id, where(place), preview=preview)
        assert_problem(response, 422, "validation-error")
        assert sorted(error_fields(response)) == sorted(fields)
    assert fresh(desk, order.id).ship_line1 == "1 Main St"
    missing = change(desk, order.id, {"shipping_address": {"name": "A", "country": "US"}})
    assert missing.status_code == 422
    assert "shipping_address.line1" in error_fields(missing)


@pytest.mark.parametrize(
    "who,status",
    [("alice", 200), ("support", 200), ("admin", 200), ("bob", 404), ("seller_a", 403),
     ("seller_b", 403), (None, 401)],
)  # fmt: skip
def test_who_may_change_it(desk, who, status):
    order = one_unit(desk)
    for preview in (True, False):
        response = change(desk, order.id, DALLAS, who=who, preview=preview)
        assert response.status_code == status, response.text
    assert (fresh(desk, order.id).ship_city == "DALLAS") is (status == 200)  # as normalized
    unknown = change(desk, "ord_nope", DALLAS, who="support")
    assert_problem(unknown, 404, "not-found")


def test_staff_change_is_audited_under_their_name(desk):
    order = one_unit(desk)
    assert change(desk, order.id, DALLAS, who="support").status_code == 200
    (audit,) = audit_rows(desk.engine, "order.address_change")
    assert audit.actor_role == "support" and audit.after["place"].startswith("DALLAS")
    assert audit.before["shipping_minor"] == 599 and audit.after["shipping_minor"] == 679


class LabelDuringCharge(FakeProvider):
    """Takes the charge, and meanwhile the seller buys the label."""

    def __init__(self, desk, order):
        super().__init__()
        self.desk, self.order = desk, order

    def charge(self, *args, **kwargs):
        taken = super().charge(*args, **kwargs)
        _label(self.desk, self.order)
        return taken


def test_a_label_bought_while_charging_gives_the_charge_back(desk):
    order = one_unit(desk)
    with Session(desk.engine) as session:
        actor = actor_for_user(session, desk.users["alice"])
    with pytest.raises(ServiceError) as refused:
        address_change.apply_address_change(
            desk.engine,
            actor=actor,
            order_id=order.id,
            shipping_address=where(NEW_YORK)["shipping_address"],
            provider=LabelDuringCharge(desk, order),
        )
    assert refused.value.status == 409 and refused.value.type == "address-change-stale"
    after = fresh(desk, order.id)
    assert after.ship_city == "Austin" and after.total_minor == 3599  # charged 5.00 ...
    (refund,) = desk.refunds(order.id)
    assert (refund.amount_minor, refund.status) == (500, "approved")  # ... and given back
    assert left_to_refund(desk, order.id) == 3099
    assert actor.role is Role.CUSTOMER


class SameChangeMeanwhile(FakeProvider):
    """While the charge is taken, the same change is asked again and made (a double
    click): the provider answers both with the one charge (same idempotency key)."""

    def __init__(self, desk, order, actor):
        super().__init__()
        self.desk, self.order, self.actor, self.inside = desk, order, actor, False

    def charge(self, *args, **kwargs):
        taken = super().charge(*args, **kwargs)
        if not self.inside:
            self.inside = True
            apply(self.desk, self.order, self.actor, self)
        return taken


def apply(desk, order, actor, provider):
    return address_change.apply_address_change(
        desk.engine,
        actor=actor,
        order_id=order.id,
        shipping_address=where(NEW_YORK)["shipping_address"],
        provider=provider,
    )


def test_the_same_change_twice_at_once_is_charged_once_and_not_refunded(desk):
    order = one_unit(desk)
    with Session(desk.engine) as session:
        actor = actor_for_user(session, desk.users["alice"])
    provider = SameChangeMeanwhile(desk, order, actor)
    with pytest.raises(ServiceError) as second:
        apply(desk, order, actor, provider)
    assert second.value.status == 409
    assert len(provider.charges) == 1
    after = fresh(desk, order.id)
    assert (after.ship_city, after.shipping_minor, after.total_minor) == ("NEW YORK", 1099, 3599)
    assert [c.amount_minor for c in charges(desk, order.id)] == [500]
    assert desk.refunds(order.id) == []
    assert desk.events(order.id).count("order.address_changed") == 1


def invoice_text(desk, order_id) -> str:
    response = desk.api.get(f"/api/v1/orders/{order_id}/invoice.pdf", headers=desk.h("alice"))
    assert response.status_code == 200, response.text
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    return " ".join(text.replace("\N{NO-BREAK SPACE}", " ").split())


def test_the_change_is_in_the_timeline_for_the_seller(desk):
    order = one_unit(desk, placed_ago=timedelta(hours=3))
    change(desk, order.id, DALLAS)
    detail = desk.api.get(f"/api/v1/orders/{order.id}", headers=desk.h("seller_a")).json()
    (event,) = [e for e in detail["events"] if e["type"] == "order.address_changed"]
    assert detail["shipping_address"]["city"] == "DALLAS"
    assert "from Austin TX 78701 US to DALLAS TX 75201 US" in event["note"]
    assert "5.99 → 6.79 USD" in event["note"] and "2 Elm St" not in event["note"]
    assert event["actor_type"] == "user"
