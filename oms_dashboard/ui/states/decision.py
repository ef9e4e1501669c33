"""The state of a "decide with a reason" dialog, mixed into the admin pages that ask
for one (sellers: suspend/reinstate, refunds: approve/reject, review: cancel).

A page names its verbs and says how a row is titled (``_decision_title``); its own
``confirm_decision`` event calls one service through ``_decide``, which keeps the
rules every such dialog follows: a missing reason stays in the open dialog under the
field and changes nothing; a refusal closes it with a toast saying why."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeVar

import reflex as rx
from sqlalchemy.engine import Engine

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.domain.errors import DomainError
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.errors import ServiceError, ValidationFailed
from oms_dashboard.ui.states.guard import GuardedState

T = TypeVar("T")


class DecisionState(GuardedState, mixin=True):
    """Mix in before ``AuthState``: ``class X(DecisionState, AuthState)``."""

    verbs: ClassVar[frozenset[str]] = frozenset()
    """What the page's dialog may be opened to do."""

    acting_id: str = ""
    """The row being decided; "" while the dialog is closed."""
    acting: str = ""
    """One of ``verbs``: what the dialog does."""
    acting_title: str = ""
    """What the dialog's title names (a seller, a refund, an order)."""
    note: str = ""
    note_error: str = ""

    def _decision_title(self, target_id: str, verb: str) -> str | None:
        """What the dialog calls the row; ``None`` when the page shows no such row."""
        raise NotImplementedError

    @rx.event
    def open_decision(self, target_id: str, verb: str):
        title = self._decision_title(target_id, verb) if verb in self.verbs else None
        if title is None:
            return
        self.acting_id, self.acting, self.acting_title = target_id, verb, title
        self.note = self.note_error = ""

    @rx.event
    def close_decision(self):
        self.acting_id = ""

    @rx.event
    def set_note(self, value: str):
        self.note, self.note_error = value, ""

    def _decide(
        self,
        act: Callable[[Engine, Actor], T],
        *,
        failed: str,
        done: Callable[[Actor, T], Any],
        also: Sequence[Any] = (),
    ):
        """Run ``act`` as the signed-in admin; ``done`` says (and shows) what it did.
        ``failed`` starts the toast when the service refuses; ``also`` are events sent
        after either outcome."""
        with session_scope() as session:
            gate = self._guard(session)
        if not isinstance(gate, Actor):
            return gate
        try:
            result = act(current().engine, gate)
        except ValidationFailed as exc:
            self.note_error = exc.errors[0]["message"]
            return None
        except (ServiceError, DomainError) as exc:
            self.acting_id = ""
            return [rx.toast.error(f"{failed}: {exc.detail}"), *also]
        self.acting_id = ""
        return [done(gate, result), *also]
