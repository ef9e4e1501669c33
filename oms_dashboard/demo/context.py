"""What every demo builder shares: the clock, the random source, ids and the rows."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

HISTORY_DAYS = 548
"""Eighteen months of orders before "now"."""


class DemoIds:
    """UUIDv7 ids stamped with the row's own creation time.

    ``ids.new_id`` stamps the wall clock; a demo row placed a year ago gets a
    year-old id instead, so ids still sort like ``placed_at`` for keyset
    paging, and the same seed gives the same ids.
    """

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"oms-demo-ids-{seed}")

    def new(self, prefix: str, at: datetime) -> str:
        millis = int(at.timestamp() * 1000)
        rand = self._rng.getrandbits(74)
        value = (
            (millis << 80)
            | (0x7 << 76)  # version 7
            | ((rand >> 62) << 64)
            | (0b10 << 62)  # RFC 4122 variant
            | (rand & ((1 << 62) - 1))
        )
        return f"{prefix}_{uuid.UUID(int=value).hex}"


@dataclass
class DemoContext:
    now: datetime
    seed: int
    rng: random.Random
    ids: DemoIds
    password_hash: str
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    @property
    def history_start(self) -> datetime:
        return self.now - timedelta(days=HISTORY_DAYS)

    def add(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        self.rows[table].append(row)
        return row

    def days_ago(self, low: float, high: float) -> datetime:
        return self.now - timedelta(days=self.rng.uniform(low, high))
