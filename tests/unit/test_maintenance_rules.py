"""Announcing maintenance: a day's notice, an end after the start, a bounded length."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from oms_dashboard.domain.maintenance import (
    MaintenanceRefused,
    banner_text,
    check_cancellable,
    check_window,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    "starts, ends, message, rule",
    [
        (NOW + 23 * H, NOW + 25 * H, "", "too-short-notice"),
        (NOW - H, NOW + H, "", "too-short-notice"),
        (NOW + 30 * H, NOW + 30 * H, "", "ends-before-start"),
        (NOW + 30 * H, NOW + 29 * H, "", "ends-before-start"),
        (NOW + 30 * H, NOW + 43 * H, "", "too-long"),
        (NOW + 30 * H, NOW + 31 * H, "x" * 501, "message-too-long"),
        (datetime(2026, 12, 5, 1, 0), datetime(2026, 12, 5, 2, 0), "", "times-need-zone"),
    ],
)
def test_refused_windows_name_their_rule(starts, ends, message, rule):
    with pytest.raises(MaintenanceRefused) as refused:
        check_window(starts, ends, message, now=NOW)
    assert refused.value.rule == rule


@pytest.mark.parametrize(
    "starts, ends",
    [
        (NOW + 24 * H, NOW + 25 * H),  # exactly a day ahead
        (NOW + 48 * H, NOW + 60 * H),  # the longest window
        (NOW + 24 * H + timedelta(minutes=1), NOW + 24 * H + timedelta(minutes=16)),
    ],
)
def test_accepted_windows(starts, ends):
    check_window(starts, ends, "Checkout may be unavailable.", now=NOW)


@pytest.mark.parametrize(
    "ends, cancelled, rule",
    [
        (NOW - H, None, "already-over"),
        (NOW + H, NOW - H, "already-cancelled"),
    ],
)
def test_cancelling_refusals(ends, cancelled, rule):
    with pytest.raises(MaintenanceRefused) as refused:
        check_cancellable(ends, cancelled, now=NOW)
    assert refused.value.rule == rule


def test_an_upcoming_window_gives_its_date_and_utc_times():
    text = banner_text(
        datetime(2026, 12, 3, 2, 0, tzinfo=UTC),
        datetime(2026, 12, 3, 4, 30, tzinfo=UTC),
        "Checkout may be unavailable.",
        now=NOW,
    )
    assert text == (
        "Scheduled maintenance on Thu 03 Dec 2026 from 02:00 to 04:30 (UTC). "
        "Checkout may be unavailable."
    )


def test_a_window_over_midnight_names_the_end_day_and_one_under_way_says_so():
    starts, ends = datetime(2026, 12, 3, 22, 0, tzinfo=UTC), datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    assert "from 22:00 to Fri 04 Dec 02:00 (UTC)" in banner_text(starts, ends, "", now=NOW)
    during = banner_text(starts, ends, "", now=starts + H)
    assert during == "Maintenance under way until 02:00 (UTC): some actions may be unavailable."
