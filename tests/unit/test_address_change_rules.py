"""Changing an order's address: until it ships and the label is bought, within its
country; the shipping difference charged or refunded."""

from __future__ import annotations

import pytest

from oms_dashboard.domain.address_change import (
    AddressChangeRefused,
    AddressChangeRule,
    Settlement,
    check_address_change,
    decide_address_change,
)
from oms_dashboard.domain.statuses import OrderStatus

S, R = OrderStatus, AddressChangeRule


@pytest.mark.parametrize(
    "status,paid,label_bought,new_country,refused_by",
    [
        pytest.param(S.PENDING_PAYMENT, False, False, "US", R.NOT_PAID, id="pending-payment"),
        pytest.param(S.PAYMENT_FAILED, False, False, "US", R.NOT_PAID, id="payment-failed"),
        pytest.param(S.PROCESSING, True, False, "US", None, id="processing"),
        pytest.param(S.PROCESSING, True, True, "US", R.LABEL_BOUGHT, id="label-bought"),
        pytest.param(S.PROCESSING, True, False, "CA", R.OTHER_COUNTRY, id="other-country"),
        pytest.param(S.PROCESSING, True, False, "us", None, id="country-case-ignored"),
        *[
            pytest.param(status, True, False, "US", R.ALREADY_SHIPPED, id=f"{status}")
            for status in (
                S.SHIPPED,
                S.IN_TRANSIT,
                S.OUT_FOR_DELIVERY,
                S.DELIVERY_EXCEPTION,
                S.DELIVERED,
            )
        ],
        pytest.param(S.CANCELLED, True, False, "US", R.CANCELLED, id="cancelled-paid"),
        pytest.param(S.CANCELLED, False, False, "US", R.CANCELLED, id="cancelled-unpaid"),
    ],
)
def test_when_an_address_may_change(status, paid, label_bought, new_country, refused_by):
    def check():
        check_address_change(
            status,
            paid=paid,
            label_bought=label_bought,
            old_country="US",
            new_country=new_country,
        )

    if refused_by is None:
        check()
        return
    with pytest.raises(AddressChangeRefused) as refused:
        check()
    assert refused.value.rule == refused_by
    assert refused.value.code == "address-not-changeable"
    assert str(refused.value).endswith(".")


@pytest.mark.parametrize(
    "old,new,settlement,words",
    [
        (899, 1299, Settlement.CHARGE, "costs 4.00 USD more"),
        (1299, 899, Settlement.REFUND, "costs 4.00 USD less"),
        (899, 899, Settlement.NONE, "costs the same"),
        (0, 1, Settlement.CHARGE, "costs 0.01 USD more"),
    ],
)
def test_the_difference_is_charged_or_refunded(old, new, settlement, words):
    decision = decide_address_change(old_shipping_minor=old, new_shipping_minor=new, currency="USD")
    assert decision.rule is R.CHANGED
    assert decision.settlement is settlement
    assert decision.difference_minor == new - old
    assert words in decision.reason


def test_amounts_in_a_currency_without_minor_units():
    decision = decide_address_change(old_shipping_minor=500, new_shipping_minor=800, currency="JPY")
    assert "costs 300 JPY more" in decision.reason
