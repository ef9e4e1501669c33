"""``/admin/sellers``: every seller's standing, worst first; suspend or reinstate one
with a reason, confirmed in a dialog (``services.seller_standing``, audited, the seller
told)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.domain.errors import DomainError
from oms_dashboard.services import seller_standing
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import ServiceError, ValidationFailed
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.guard import OK, GuardedState

SUSPEND, REINSTATE = "suspend", "reinstate"


@dataclass
class SellerRow:
    id: str
    name: str
    standing: str
    standing_label: str
    reason: str
    rule: str
    orders: int
    suspended: bool
    suspended_text: str
    statement_href: str


class AdminSellersState(GuardedState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ADMIN})
    rows: list[SellerRow] = []
    window_days: int = 0
    acting_id: str = ""
    acting: str = ""
    acting_name: str = ""
    note: str = ""
    note_error: str = ""

    def _clear_view(self) -> None:
        self.rows, self.acting_id = [], ""

    @rx.event
    def load(self):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            self._fill(session, gate)
        self.access = OK
        return None

    def _fill(self, session, actor: Actor) -> None:
        found = seller_standing.all_standings(session, actor=actor)
        self.window_days = found[0].decision.window_days if found else 0
        self.rows = [
            SellerRow(
                id=s.seller.id,
                name=s.seller.name,
                standing=s.decision.standing.value,
                standing_label=s.decision.standing.label,
                reason=s.decision.reason,
                rule=s.decision.rule,
                orders=s.metrics.orders,
                suspended=s.suspended,
                suspended_text=(
                    f"Suspended {fmt.relative_time(s.seller.suspended_at)}: "
                    f"{s.seller.suspension_reason}"
                    if s.suspended
                    else ""
                ),
                statement_href=f"/seller/standing?seller={s.seller.id}",
            )
            for s in found
        ]

    @rx.event
    def open_dialog(self, seller_id: str, verb: str):
        row = next((r for r in self.rows if r.id == seller_id), None)
        if row is None or verb not in (SUSPEND, REINSTATE):
            return
        self.acting_id, self.acting, self.acting_name = row.id, verb, row.name
        self.note = self.note_error = ""

    @rx.event
    def close_dialog(self):
        self.acting_id = ""

    @rx.event
    def set_note(self, value: str):
        self.note, self.note_error = value, ""

    @rx.event
    def confirm(self):
        with session_scope() as session:
            gate = self._guard(session)
        if not isinstance(gate, Actor):
            return gate
        change = (
            seller_standing.suspend_seller
            if self.acting == SUSPEND
            else seller_standing.reinstate_seller
        )
        try:
            # The dialog's button is the explicit confirmation the service asks for.
            change(
                current().engine,
                actor=gate,
                seller_id=self.acting_id,
                reason=self.note,
                confirm=True,
            )
        except ValidationFailed as exc:
            self.note_error = exc.errors[0]["message"]
            return None
        except (ServiceError, DomainError) as exc:
            self.acting_id = ""
            return rx.toast.error(f"{self.acting_name} was not changed: {exc.detail}")
        self.acting_id = ""
        with session_scope() as session:
            self._fill(session, gate)
        if self.acting == SUSPEND:
            return rx.toast.success(
                f"{self.acting_name} is suspended from new orders; the seller is told why."
            )
        return rx.toast.success(f"{self.acting_name} takes new orders again; the seller is told.")
