"""The banners above every signed-in page: announced maintenance (everyone) and
delayed background work (staff)."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.jobs.connection import redis_url
from oms_dashboard.services.actor import STAFF
from oms_dashboard.services.errors import AuthenticationFailed
from oms_dashboard.services.maintenance import maintenance_banner
from oms_dashboard.services.system_health import background_delay
from oms_dashboard.ui.states.auth import AuthState


class BannerState(AuthState):
    maintenance: str = ""
    maintenance_now: bool = False
    degraded: str = ""

    @rx.event
    def load(self):
        with session_scope() as session:
            try:
                actor = self._actor(session)
            except AuthenticationFailed:
                self.maintenance = self.degraded = ""
                return
        banner = maintenance_banner(current().engine)
        self.maintenance = banner.text if banner else ""
        self.maintenance_now = bool(banner and banner.under_way)
        why = background_delay(redis_url()) if actor.role in STAFF else None
        self.degraded = f"Notifications are delayed: {why}." if why else ""
