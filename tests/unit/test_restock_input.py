"""What a seller may type as a count on the low-stock card, and the words of a refusal."""

from __future__ import annotations

import pytest

from oms_dashboard.services.errors import ValidationFailed
from oms_dashboard.ui.states.low_stock import field_error, parse_count


@pytest.mark.parametrize("text, count", [("0", 0), ("12", 12), (" 7 ", 7), ("007", 7)])
def test_a_whole_number_is_a_count(text: str, count: int) -> None:
    assert parse_count(text) == count


@pytest.mark.parametrize("text", ["", " ", "2.5", "-1", "+3", "1e3", "3_000", "ten", "١٢"])
def test_anything_else_is_not_a_count(text: str) -> None:
    assert parse_count(text) is None


def test_a_refusal_names_the_field_as_the_page_labels_it() -> None:
    refused = ValidationFailed.one("on_hand", "must be at least 3, the units reserved")
    assert field_error(refused) == "On hand must be at least 3, the units reserved."
