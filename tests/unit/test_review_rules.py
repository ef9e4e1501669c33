"""Product reviews and order messages: who may, and what a review or message must hold."""

from __future__ import annotations

import pytest

from oms_dashboard.domain import order_messages as msg
from oms_dashboard.domain.errors import NotReviewable
from oms_dashboard.domain.product_reviews import (
    ReviewRule,
    average_rating,
    decide_review,
    review_errors,
)

SKUS = ("MUG", "LAMP")

DECISIONS = [
    # (order status, sku, already reviewed, rule)
    ("delivered", "MUG", (), ReviewRule.ALLOWED),
    ("delivered", "LAMP", ("MUG",), ReviewRule.ALLOWED),
    ("delivered", "MUG", ("MUG",), ReviewRule.ALREADY_REVIEWED),
    ("out_for_delivery", "MUG", (), ReviewRule.NOT_DELIVERED),
    ("shipped", "MUG", (), ReviewRule.NOT_DELIVERED),
    ("processing", "MUG", ("MUG",), ReviewRule.NOT_DELIVERED),
    ("cancelled", "MUG", (), ReviewRule.NOT_DELIVERED),
    ("delivery_exception", "MUG", (), ReviewRule.NOT_DELIVERED),
]


@pytest.mark.parametrize(("status", "sku", "reviewed", "rule"), DECISIONS)
def test_who_may_review(status, sku, reviewed, rule):
    decision = decide_review(order_status=status, sku=sku, reviewed_skus=reviewed)
    assert decision.rule is rule
    assert decision.allowed is (rule is ReviewRule.ALLOWED)
    if decision.allowed:
        assert decision.check() is decision
    else:
        with pytest.raises(NotReviewable) as refused:
            decision.check()
        assert refused.value.rule == rule.value and refused.value.code == rule.value


INPUT = [
    # (rating, sku, body, fields in error)
    (1, "MUG", None, []),
    (5, "LAMP", "Lovely", []),
    (0, "MUG", None, ["rating"]),
    (6, "MUG", None, ["rating"]),
    (-3, "MUG", None, ["rating"]),
    (True, "MUG", None, ["rating"]),
    ("5", "MUG", None, ["rating"]),
    (3, "CHAIR", None, ["sku"]),
    (9, "CHAIR", "x" * 5001, ["rating", "sku", "body"]),
    (4, "MUG", "x" * 5000, []),
]


@pytest.mark.parametrize(("rating", "sku", "body", "fields"), INPUT)
def test_what_a_review_must_hold(rating, sku, body, fields):
    errors = review_errors(rating=rating, sku=sku, order_skus=SKUS, body=body)
    assert [e["field"] for e in errors] == fields


@pytest.mark.parametrize(
    ("total", "count", "average"),
    [(0, 0, None), (5, 1, "5.0"), (9, 2, "4.5"), (13, 3, "4.3"), (14, 3, "4.7"), (3, 2, "1.5")],
)
def test_average_rating(total, count, average):
    assert average_rating(total, count) == average


@pytest.mark.parametrize(
    ("role", "writes", "reads"),
    [
        ("customer", True, True),
        ("seller", True, True),
        ("support", False, True),
        ("admin", False, True),
    ],
)
def test_who_writes_and_reads_messages(role, writes, reads):
    assert msg.may_write(role) is writes
    assert msg.may_read(role) is reads


@pytest.mark.parametrize(
    ("reader", "author", "read"),
    [
        ("customer", "seller", True),
        ("seller", "customer", True),
        ("customer", "customer", False),
        ("seller", "seller", False),
        ("support", "customer", False),
        ("admin", "seller", False),
    ],
)
def test_listing_reads_only_the_other_partys_messages(reader, author, read):
    assert msg.marks_read(reader, author) is read


def test_the_other_party_is_told():
    assert msg.recipient("customer") is msg.Party.SELLER
    assert msg.recipient("seller") is msg.Party.CUSTOMER


@pytest.mark.parametrize(
    ("raw", "body", "error"),
    [
        ("  Where is my parcel?\n", "Where is my parcel?", None),
        ("", "", "empty"),
        (" \n\t ", "", "empty"),
        ("x" * 5000, "x" * 5000, None),
        ("  " + "x" * 5000 + "  ", "x" * 5000, None),
        ("x" * 5001, "x" * 5001, "at most 5000 characters; this one has 5001"),
    ],
)
def test_message_body_is_trimmed_and_bounded(raw, body, error):
    cleaned, errors = msg.clean_body(raw)
    assert cleaned == body
    if error is None:
        assert errors == []
    else:
        assert [e["field"] for e in errors] == ["body"] and error in errors[0]["message"]
