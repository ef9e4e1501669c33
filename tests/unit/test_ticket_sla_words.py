"""How the service desk words a ticket's SLA: due, breached (red), paused while
waiting on the customer, resolved in time or late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from oms_dashboard.models import Ticket
from oms_dashboard.ui.states.ticket_queue import sla_words

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


def _ticket(due, waiting_since=None, resolved_at=None) -> Ticket:
    return Ticket(
        id="tkt_1",
        number="TKT-1",
        source="customer",
        subject="s",
        severity="normal",
        priority="normal",
        priority_rank=2,
        priority_reason="r",
        status="open",
        sla_due_at=due,
        waiting_since=waiting_since,
        resolved_at=resolved_at,
    )


@pytest.mark.parametrize(
    ("ticket", "words", "breached"),
    [
        (_ticket(NOW + 3 * H), "Due in 3 hours", False),
        (_ticket(NOW - 2 * H), "SLA breached 2 hours ago", True),
        # Waiting on the customer for 5 hours: the 1 hour left is still left.
        (
            _ticket(NOW - 4 * H, waiting_since=NOW - 5 * H),
            "SLA paused: waiting on the customer",
            False,
        ),
        (_ticket(NOW + H, resolved_at=NOW - 2 * H), "Resolved 2 hours ago", False),
        (
            _ticket(NOW - 3 * H, resolved_at=NOW - 2 * H),
            "Resolved 2 hours ago, after the SLA",
            True,
        ),
    ],
)
def test_the_sla_in_words(ticket, words, breached):
    assert sla_words(ticket, NOW) == (words, breached)
