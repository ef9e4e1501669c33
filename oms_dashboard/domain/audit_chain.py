"""The audit chain's rules: what a row's hash covers, what changed, where a chain breaks.

Pure functions over plain values, used by ``services.audit`` (writing rows) and
``audit verify`` (walking them). A row's hash is SHA-256 over a canonical JSON
of its content (every column except ``hash`` itself) including ``prev_hash``,
the hash of the row before it in ``seq`` order; the first row chains onto
``GENESIS``. Editing a row changes its hash; deleting one leaves a gap in
``seq`` and a ``prev_hash`` that points at nothing; recomputing an edited
row's hash breaks the next row's ``prev_hash``; deleting the newest rows
disagrees with the chain head (the last seq and hash, kept in its own row).

The canonical form is frozen: changing it (or the fields it covers) breaks
every existing chain, so a new form needs a new version prefix and a
migration that re-chains.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
"""What the first row's prev_hash is: there is no row before it."""

CONTENT_FIELDS = (
    "id",
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "action",
    "entity_type",
    "entity_id",
    "order_id",
    "before",
    "after",
    "prev_hash",
)
_VERSION = "oms-audit-v1\n"


def json_safe(value: Any) -> Any:
    """The value as it reads back from a JSON column (tuples become lists, dates strings)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str))


def canonical_at(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("an audit row's time must be timezone-aware")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(row: Mapping[str, Any]) -> str:
    content = {name: row.get(name) for name in CONTENT_FIELDS}
    content["at"] = canonical_at(row["at"])
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(row: Mapping[str, Any]) -> str:
    return hashlib.sha256((_VERSION + canonical(row)).encode()).hexdigest()


_ABSENT = object()
BOOKKEEPING = frozenset({"updated_at", "updated_by"})
"""Who changed a row and when is the audit row's own actor and time: not a change."""


def changed_fields(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Only what differs. A creation (no before) or a removal (no after) keeps the
    whole other side: every field of it is new (or gone). The bookkeeping of an
    update (updated_at, updated_by) is left out: the audit row has its own."""
    if before is None or after is None:
        return (dict(before) if before is not None else None), (
            dict(after) if after is not None else None
        )
    keys = [
        k
        for k in {**before, **after}
        if k not in BOOKKEEPING and before.get(k, _ABSENT) != after.get(k, _ABSENT)
    ]
    return (
        {k: before[k] for k in keys if k in before},
        {k: after[k] for k in keys if k in after},
    )


def order_of(
    entity_type: str,
    entity_id: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> str | None:
    """The order an audited action concerns: the order itself, or the order the
    target (refund, return, cancellation request, ticket, dispute) belongs to."""
    if entity_type == "order":
        return entity_id
    for side in (after, before):
        if side and isinstance(side.get("order_id"), str):
            return side["order_id"]
    return None


@dataclass(frozen=True)
class Break:
    """The first place the chain is broken."""

    kind: str  # "content edited" | "row missing" | "prev_hash mismatch" | "head mismatch"
    # | "checkpoint mismatch"
    seq: int
    row_id: str | None
    detail: str

    def describe(self) -> str:
        where = f"row {self.row_id} (seq {self.seq})" if self.row_id else f"seq {self.seq}"
        return f"audit chain broken at {where}: {self.kind} — {self.detail}"


@dataclass(frozen=True)
class ChainReport:
    rows: int
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None

    def describe(self) -> str:
        if self.broken is None:
            return f"audit chain intact: {self.rows} rows"
        return self.broken.describe()


def walk(
    rows: Iterable[Mapping[str, Any]],
    head_seq: int,
    head_hash: str | None,
    *,
    start_seq: int = 0,
    start_hash: str = GENESIS,
) -> ChainReport:
    """Check rows given in seq order (those with start_seq < seq <= head_seq) against
    each other and against the chain head; stop at the first break. From a
    checkpoint: the first row must chain onto ``start_hash`` (the hash of row
    ``start_seq``, already checked). ``head_hash`` None: the walk ends before the
    head (a bounded check), only the seqs are compared at the end."""
    expected_seq, prev, count = start_seq + 1, start_hash, 0
    for row in rows:
        seq, stored = row["seq"], row["hash"]
        if seq != expected_seq:
            missing = (
                f"seq {expected_seq}"
                if seq == expected_seq + 1
                else f"seq {expected_seq}–{seq - 1}"
            )
            return ChainReport(
                count,
                Break(
                    "row missing",
                    expected_seq,
                    None,
                    f"{missing} is gone; next row is {row['id']} (seq {seq})",
                ),
            )
        if row["prev_hash"] != prev:
            return ChainReport(
                count,
                Break(
                    "prev_hash mismatch",
                    seq,
                    row["id"],
                    f"prev_hash {row['prev_hash'][:12]}… but the row before hashes to {prev[:12]}…",
                ),
            )
        if row_hash(row) != stored:
            return ChainReport(
                count,
                Break("content edited", seq, row["id"], "its content no longer matches its hash"),
            )
        prev, expected_seq, count = stored, seq + 1, count + 1
    if expected_seq - 1 != head_seq:
        return ChainReport(
            count,
            Break(
                "row missing",
                expected_seq,
                None,
                f"the chain head says the last row is seq {head_seq}; seq {expected_seq}"
                f"{'' if expected_seq == head_seq else f'–{head_seq}'} is gone",
            ),
        )
    if head_hash is not None and prev != head_hash:
        return ChainReport(
            count,
            Break("head mismatch", head_seq, None, "the last row's hash is not the chain head's"),
        )
    return ChainReport(count, None)
