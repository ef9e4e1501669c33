"""Ids and the short numbers people read out."""

from __future__ import annotations

import re
from collections import Counter

from oms_dashboard.ids import _READABLE, new_id, new_order_number, new_ticket_number


def test_order_and_ticket_numbers_read_as_two_groups_of_four():
    assert re.fullmatch(r"OMS-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", new_order_number())
    assert re.fullmatch(r"TKT-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", new_ticket_number())


def test_every_readable_character_turns_up_in_every_position():
    numbers = [new_order_number().replace("OMS-", "").replace("-", "") for _ in range(4000)]
    for position in range(8):
        seen = Counter(number[position] for number in numbers)
        assert set(seen) == set(_READABLE)
        # 4,000 draws over 32 characters: 125 each on average, never near 0 or 250.
        assert min(seen.values()) > 60 and max(seen.values()) < 200


def test_numbers_do_not_repeat():
    assert len({new_order_number() for _ in range(5_000)}) == 5_000


def test_ids_sort_by_creation():
    ids = [new_id("ord") for _ in range(100)]
    assert ids == sorted(ids) and len(set(ids)) == 100
