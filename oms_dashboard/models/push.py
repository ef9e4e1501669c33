"""Web push: the browsers that asked for delivery updates, and the pushes sent to them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from oms_dashboard.models.base import time_field


class PushSubscription(SQLModel, table=True):
    """One browser (one profile on one device) that accepted push notifications.

    ``endpoint`` is the push service's URL for that browser, and a capability: who
    knows it (with the keys) can push to it, so it is never shown back in full.
    """

    __tablename__ = "push_subscriptions"

    id: str = Field(primary_key=True, max_length=40)
    user_id: str = Field(foreign_key="users.id", index=True, max_length=40)
    endpoint: str = Field(max_length=1000, unique=True)
    p256dh: str = Field(max_length=100)
    """The browser's P-256 public key (base64url), what the payload is encrypted to."""
    auth: str = Field(max_length=50)
    """The browser's 16-byte authentication secret (base64url)."""
    created_at: datetime = time_field(default_now=True)
    last_success_at: datetime | None = time_field(nullable=True)
    failures: int = Field(default=0)
    """Failed sends since the last success (a 404 or 410 removes the row instead)."""


class PushMessage(SQLModel, table=True):
    """A push sent to a user's browsers, one row per dedupe key: a handler that runs
    twice pushes once (like ``EmailMessage`` for email)."""

    __tablename__ = "push_messages"

    id: str = Field(primary_key=True, max_length=40)
    dedupe_key: str = Field(max_length=200, unique=True)
    user_id: str = Field(foreign_key="users.id", index=True, max_length=40)
    title: str = Field(max_length=200)
    body: str = Field(max_length=2000)
    url: str = Field(max_length=500)
    tag: str = Field(max_length=200)
    attempted: int
    """Subscriptions it was sent to."""
    delivered: int
    """Of those, how many the push services accepted."""
    created_at: datetime = time_field(default_now=True)
