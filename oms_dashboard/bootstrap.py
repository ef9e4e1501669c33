"""Wiring, done once by each entry point: nothing registers itself on import.

The Reflex app, the API alone, the worker, the cron scheduler and the CLI
each call ``bootstrap(entry)`` before doing anything else. It checks the
settings for production, chooses the payment provider (the real one, or the
sandbox inside this process), binds every outbox handler to the engine,
installs the marking of changed KPI rollup days (``services.kpi_stale``) and,
where the process commits work for the background, installs the after-commit
enqueue. A message kind without a handler stops the process at start, not
after five failed deliveries.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from sqlalchemy.engine import Engine

from oms_dashboard.db import get_engine
from oms_dashboard.payments.provider import HttpPaymentProvider, PaymentProvider
from oms_dashboard.services import addresses, kpi_stale, outbox
from oms_dashboard.settings import get_settings

Entry = Literal["reflex", "api", "worker", "cron", "cli", "test"]
SANDBOX_BASE = "http://oms.sandbox"
"""Where in-process sandbox requests pretend to go; no socket is ever opened."""


@dataclass(frozen=True)
class Wiring:
    entry: Entry
    engine: Engine
    payment_provider: PaymentProvider
    handlers: Mapping[str, outbox.Handler]
    enqueues_after_commit: bool
    sandbox_transport: httpx.BaseTransport | None = None
    """Reaches the built-in sandboxes (payments, carriers) in this process; None in production."""

    def describe(self) -> dict[str, Any]:
        """What this process was wired with, as the health check and the logs say it."""
        in_process = getattr(self.payment_provider, "transport", None) is not None
        return {
            "entry": self.entry,
            "outbox_kinds": sorted(self.handlers),
            "payment_provider": "sandbox in this process" if in_process else "configured",
            "enqueues_after_commit": self.enqueues_after_commit,
        }


_current: Wiring | None = None


def bootstrap(
    entry: Entry,
    *,
    engine: Engine | None = None,
    payment_provider: PaymentProvider | None = None,
    enqueue_after_commit: bool | None = None,
) -> Wiring:
    global _current
    settings = get_settings()  # production refuses to start here without its settings
    engine = engine or get_engine()
    sandboxes = _sandbox_transport(engine) if settings.sandboxes_enabled else None
    wiring = Wiring(
        entry=entry,
        engine=engine,
        sandbox_transport=sandboxes,
        payment_provider=payment_provider or _payment_provider(sandboxes),
        handlers=outbox_handlers(engine),
        enqueues_after_commit=(
            settings.env != "test" if enqueue_after_commit is None else enqueue_after_commit
        ),
    )
    from oms_dashboard.jobs.tasks import enqueue_deliveries

    outbox.deliver_after_commit(enqueue_deliveries if wiring.enqueues_after_commit else None)
    if entry in ("reflex", "api"):
        # The first checkout would otherwise pay for it (~0.6 s, more under load).
        threading.Thread(target=addresses.load_reference_data, daemon=True).start()
    kpi_stale.track_changes()
    _current = wiring
    return wiring


def current() -> Wiring:
    """This process's wiring; a process that skipped ``bootstrap`` fails here, loudly."""
    if _current is None:
        raise RuntimeError(
            "this process was not wired: its entry point must call "
            "oms_dashboard.bootstrap.bootstrap() first"
        )
    return _current


def outbox_handlers(engine: Engine) -> dict[str, outbox.Handler]:
    """A handler for every message kind, each opening its transactions on ``engine``."""
    from oms_dashboard.carriers.sandbox import webhooks as sandbox_webhooks
    from oms_dashboard.jobs import tasks
    from oms_dashboard.notifications import handlers as notifications

    bound: dict[str, outbox.Handler] = {
        kind: functools.partial(func, engine=engine)
        for kind, func in notifications.HANDLERS.items()
    }
    bound.update(tasks.HANDLERS)
    bound[outbox.MessageKind.SANDBOX_CARRIER_WEBHOOK] = functools.partial(
        sandbox_webhooks.post_webhook, engine=engine
    )
    missing = sorted(set(outbox.MessageKind) - set(bound))
    if missing:
        raise RuntimeError(f"no outbox handler for {', '.join(missing)}")
    return bound


def _sandbox_transport(engine: Engine) -> httpx.BaseTransport:
    from oms_dashboard.api.factory import create_sandbox_app
    from oms_dashboard.inprocess import InProcessTransport

    return InProcessTransport(create_sandbox_app(engine))


def _payment_provider(sandboxes: httpx.BaseTransport | None) -> PaymentProvider:
    settings = get_settings()
    if settings.payment_provider_url:
        return HttpPaymentProvider(settings.payment_provider_url)
    return HttpPaymentProvider(f"{SANDBOX_BASE}/sandbox/payments", transport=sandboxes)
