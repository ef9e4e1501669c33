"""The audit chain's pure rules: what changed, which order, where a chain breaks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from oms_dashboard.domain.audit_chain import GENESIS, changed_fields, order_of, row_hash, walk

AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (None, {"a": 1}, (None, {"a": 1})),
        ({"a": 1}, None, ({"a": 1}, None)),
        ({"a": 1, "b": 2}, {"a": 1, "b": 3}, ({"b": 2}, {"b": 3})),
        ({"a": 1}, {"a": 1, "reason": "x"}, ({}, {"reason": "x"})),
        ({"a": 1, "gone": 2}, {"a": 1}, ({"gone": 2}, {})),
        ({"a": None}, {"a": 0}, ({"a": None}, {"a": 0})),
        ({"a": 1, "updated_at": "t1"}, {"a": 2, "updated_at": "t2"}, ({"a": 1}, {"a": 2})),
        ({"a": [1, 2]}, {"a": [1, 2]}, ({}, {})),
    ],
)
def test_only_the_changed_fields_are_kept(before, after, expected):
    assert changed_fields(before, after) == expected


@pytest.mark.parametrize(
    ("entity_type", "entity_id", "before", "after", "expected"),
    [
        ("order", "ord_1", None, {"status": "x"}, "ord_1"),
        ("refund", "ref_1", {"order_id": "ord_2"}, {"order_id": "ord_2"}, "ord_2"),
        ("return", "ret_1", None, {"order_id": "ord_3"}, "ord_3"),
        ("policy", "1", {"x": 1}, {"x": 2}, None),
        ("inventory", "SKU", {"order_id": None}, None, None),
    ],
)
def test_the_order_an_action_concerns(entity_type, entity_id, before, after, expected):
    assert order_of(entity_type, entity_id, before, after) == expected


def _chain(n: int) -> list[dict]:
    rows, prev = [], GENESIS
    for seq in range(1, n + 1):
        row = {
            "id": f"aud_{seq}",
            "seq": seq,
            "at": AT,
            "actor_id": "usr_1",
            "actor_role": "admin",
            "action": "policy.update",
            "entity_type": "policy",
            "entity_id": "1",
            "order_id": None,
            "before": {"n": seq},
            "after": {"n": seq + 1},
            "prev_hash": prev,
        }
        row["hash"] = prev = row_hash(row)
        rows.append(row)
    return rows


def test_an_untouched_chain_is_intact():
    rows = _chain(4)
    report = walk(rows, 4, rows[-1]["hash"])
    assert report.intact and report.describe() == "audit chain intact: 4 rows"
    assert walk([], 0, GENESIS).intact


def _edited(rows):
    rows[1] = {**rows[1], "after": {"n": 99}}
    return rows


def _dropped(rows):
    del rows[1]
    return rows


def _relinked(rows):
    rows[2] = {**rows[2], "prev_hash": "a" * 64}
    return rows


@pytest.mark.parametrize(
    ("damage", "kind", "seq", "row_id", "head_seq"),
    [
        (_edited, "content edited", 2, "aud_2", 4),
        (_dropped, "row missing", 2, None, 4),
        (_relinked, "prev_hash mismatch", 3, "aud_3", 4),
        (lambda rows: rows[:3], "row missing", 4, None, 4),
        (lambda rows: rows, "row missing", 5, None, 5),
    ],
)
def test_the_first_break_is_named(damage, kind, seq, row_id, head_seq):
    rows = _chain(4)
    head_hash = rows[-1]["hash"]
    report = walk(damage(rows), head_seq, head_hash)
    assert (report.broken.kind, report.broken.seq, report.broken.row_id) == (kind, seq, row_id)


def test_a_timezone_less_time_is_refused():
    row = _chain(1)[0] | {"at": datetime(2026, 12, 1)}
    with pytest.raises(ValueError):
        row_hash(row)
