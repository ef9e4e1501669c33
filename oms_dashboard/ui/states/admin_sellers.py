"""``/admin/sellers``: every seller's standing, worst first; suspend or reinstate one
with a reason, confirmed in a dialog (``services.seller_standing``, audited, the seller
told)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx
from reflex.event import EventSpec

from oms_dashboard.db import session_scope
from oms_dashboard.services import seller_standing
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.decision import DecisionState
from oms_dashboard.ui.states.guard import OK

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


class AdminSellersState(DecisionState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ADMIN})
    verbs: ClassVar[frozenset[str]] = frozenset({SUSPEND, REINSTATE})
    rows: list[SellerRow] = []
    window_days: int = 0

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

    def _decision_title(self, target_id: str, verb: str) -> str | None:
        return next((r.name for r in self.rows if r.id == target_id), None)

    @rx.event
    def confirm_decision(self):
        change = (
            seller_standing.suspend_seller
            if self.acting == SUSPEND
            else seller_standing.reinstate_seller
        )
        # The dialog's button is the explicit confirmation the service asks for.
        return self._decide(
            lambda engine, actor: change(
                engine, actor=actor, seller_id=self.acting_id, reason=self.note, confirm=True
            ),
            failed=f"{self.acting_title} was not changed",
            done=self._changed,
        )

    def _changed(self, actor: Actor, _seller) -> EventSpec:
        with session_scope() as session:
            self._fill(session, actor)
        if self.acting == SUSPEND:
            return rx.toast.success(
                f"{self.acting_title} is suspended from new orders; the seller is told why."
            )
        return rx.toast.success(f"{self.acting_title} takes new orders again; the seller is told.")
