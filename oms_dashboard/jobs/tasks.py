"""Job functions. Each opens its own transaction and is safe to run twice."""

from __future__ import annotations

import logging

from oms_dashboard.db import session_scope
from oms_dashboard.services.auth import purge_expired_sessions
from oms_dashboard.services.outbox import dispatch_pending

log = logging.getLogger(__name__)


def purge_sessions() -> int:
    """Delete expired sign-in sessions."""
    with session_scope() as session:
        removed = purge_expired_sessions(session)
    log.info("purged %d expired sessions", removed)
    return removed


def sweep_outbox() -> dict[str, int]:
    """Deliver outbox messages that are due; a crash mid-way loses nothing."""
    return dispatch_pending()
