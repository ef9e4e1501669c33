"""Fixtures for the integration tests: a real SMTP server (aiosmtpd) for the tests
that send email (``smtp``, ``smtp_down``), the local mailbox (``mailbox``), and an
app engine whose PostgreSQL connections a test can cut (``cuttable``)."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage as Mime

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from oms_dashboard.db import make_engine
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


@dataclass
class Cuttable:
    """The app's engine under its own application_name, and ``cut``: what an
    operator's pg_terminate_backend does to that engine's connections (in this test
    worker's database only)."""

    engine: sa.Engine
    app: str

    def cut(self, via: sa.Engine | None = None) -> int:
        """How many connections were terminated; ``via``: the engine to say it from
        (default the app's own, whose other connections are then cut)."""
        with (via or self.engine).connect() as conn:
            return len(
                conn.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE application_name = :app AND datname = current_database()"
                        " AND pid <> pg_backend_pid()"
                    ),
                    {"app": self.app},
                ).all()
            )


@pytest.fixture
def cuttable(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    app = "oms-cut-in-test"
    named = make_engine(engine.url.render_as_string(hide_password=False), application_name=app)
    yield Cuttable(named, app)
    named.dispose()
