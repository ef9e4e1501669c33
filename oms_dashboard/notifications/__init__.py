"""Email and in-app notifications, delivered by the outbox.

Importing this package registers every handler with ``services.outbox``; the
worker (and anything that calls ``dispatch_pending``) must import it first.
"""

from oms_dashboard.notifications import handlers as handlers

__all__ = ["handlers"]
