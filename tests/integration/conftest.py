"""Fixtures for the integration tests: a real SMTP server (aiosmtpd) for the tests
that send email (``smtp``, ``smtp_down``), and the local mailbox (``mailbox``)."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage as Mime

import pytest
from aiosmtpd.controller import Controller

from oms_dashboard.settings import get_settings


@dataclass
class SmtpSink:
    """An aiosmtpd handler that keeps what it receives; refuses addresses in ``refuse``."""

    received: list[tuple[list[str], Mime]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[Mime]:
        return [message for _, message in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_smtp_url(monkeypatch: pytest.MonkeyPatch, url: str | None) -> None:
    if url is None:
        monkeypatch.delenv("OMS_SMTP_URL", raising=False)
    else:
        monkeypatch.setenv("OMS_SMTP_URL", url)
    get_settings.cache_clear()


@pytest.fixture
def mailbox(monkeypatch):
    """No SMTP configured: emails are kept in the local mailbox only."""
    use_smtp_url(monkeypatch, None)
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server on a free local port, with OMS_SMTP_URL pointing at it."""
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    use_smtp_url(monkeypatch, f"smtp://127.0.0.1:{controller.port}")
    yield sink
    controller.stop()
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def smtp_down(monkeypatch):
    """OMS_SMTP_URL points at a local port where nothing listens."""
    use_smtp_url(monkeypatch, f"smtp://127.0.0.1:{free_port()}")
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
