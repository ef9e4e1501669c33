"""What a product's kind tells the rules: a digital line delivered by its download, an
order that renews, and when a digital line may be downloaded."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from oms_dashboard.domain.errors import Refused
from oms_dashboard.domain.fulfillment import check_no_cancellation_request
from oms_dashboard.domain.product_kinds import (
    LineFacts,
    ProductKind,
    check_downloadable,
    digital_delivered,
    renews,
)

AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
BOX, FILE, GOT, PLAN = (
    LineFacts("physical"),
    LineFacts("digital"),
    LineFacts("digital", AT),
    LineFacts("subscription"),
)

FACTS = [
    # (id, lines, digital delivered, renews)
    ("physical-only", [BOX], False, False),
    ("digital-not-downloaded", [BOX, FILE], False, False),
    ("digital-downloaded", [BOX, GOT], True, False),
    ("a-physical-line-with-a-date-is-not-a-download", [LineFacts("physical", AT)], False, False),
    ("subscription", [PLAN], False, True),
    ("subscription-and-download", [PLAN, GOT], True, True),
    ("no-lines", [], False, False),
]


@pytest.mark.parametrize(
    "lines,delivered,renewing", [c[1:] for c in FACTS], ids=[c[0] for c in FACTS]
)
def test_what_the_lines_say(lines, delivered, renewing):
    assert (digital_delivered(lines), renews(lines)) == (delivered, renewing)


DOWNLOADS = [
    # (id, kind, order status, refusing rule or None)
    ("paid-digital", "digital", "processing", None),
    ("delivered-digital", "digital", "delivered", None),
    ("unpaid", "digital", "pending_payment", "download-not-paid"),
    ("payment-failed", "digital", "payment_failed", "download-not-paid"),
    ("cancelled", "digital", "cancelled", "download-order-cancelled"),
    ("physical", "physical", "processing", "not-digital"),
    ("subscription", "subscription", "processing", "not-digital"),
]


@pytest.mark.parametrize(
    "kind,status,rule", [c[1:] for c in DOWNLOADS], ids=[c[0] for c in DOWNLOADS]
)
def test_when_a_line_is_downloaded(kind, status, rule):
    if rule is None:
        check_downloadable(kind, status)
        return
    with pytest.raises(Refused) as refused:
        check_downloadable(kind, status)
    assert refused.value.rule == rule and str(refused.value)


def test_only_digital_goods_do_not_ship():
    assert [k.value for k in ProductKind if k.ships] == ["physical", "subscription"]


def test_no_label_while_a_cancellation_request_waits():
    check_no_cancellation_request(False)
    with pytest.raises(Refused) as refused:
        check_no_cancellation_request(True)
    assert refused.value.rule == "cancellation-request-pending"
    assert "answer the cancellation request first" in str(refused.value)
