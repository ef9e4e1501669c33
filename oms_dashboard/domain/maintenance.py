"""When maintenance may be announced, and what people are told about it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from oms_dashboard.domain.errors import Refused

NOTICE = timedelta(hours=24)
"""Users are told at least a day ahead."""
LONGEST = timedelta(hours=12)
"""A longer outage is not maintenance: it needs a plan of its own."""
MESSAGE_LIMIT = 500


class MaintenanceRefused(Refused):
    code = "maintenance-refused"


def check_window(starts_at: datetime, ends_at: datetime, message: str, *, now: datetime) -> None:
    """Raise ``MaintenanceRefused`` naming the first rule the announcement breaks."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise MaintenanceRefused("times-need-zone", "give the times with their time zone (UTC)")
    if ends_at <= starts_at:
        raise MaintenanceRefused("ends-before-start", "the window must end after it starts")
    if starts_at - now < NOTICE:
        raise MaintenanceRefused(
            "too-short-notice",
            "maintenance is announced at least 24 hours ahead, so users can plan around it",
        )
    if ends_at - starts_at > LONGEST:
        raise MaintenanceRefused(
            "too-long", f"a maintenance window lasts at most {LONGEST.seconds // 3600} hours"
        )
    if len(message) > MESSAGE_LIMIT:
        raise MaintenanceRefused(
            "message-too-long", f"the message is at most {MESSAGE_LIMIT} characters"
        )


def check_cancellable(ends_at: datetime, cancelled_at: datetime | None, *, now: datetime) -> None:
    if cancelled_at is not None:
        raise MaintenanceRefused("already-cancelled", "this maintenance window was cancelled")
    if ends_at <= now:
        raise MaintenanceRefused("already-over", "this maintenance window is over")


def banner_text(starts_at: datetime, ends_at: datetime, message: str, *, now: datetime) -> str:
    """The sentence every signed-in user reads while a window is announced or under way."""
    start, end = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    span = f"from {start:%H:%M} to {end:%H:%M} (UTC)"
    if start.date() != end.date():
        span = f"from {start:%H:%M} to {end:%a %d %b %H:%M} (UTC)"
    if starts_at <= now < ends_at:
        text = f"Maintenance under way until {end:%H:%M} (UTC): some actions may be unavailable."
    else:
        text = f"Scheduled maintenance on {start:%a %d %b %Y} {span}."
    return f"{text} {message}".strip() if message else text
