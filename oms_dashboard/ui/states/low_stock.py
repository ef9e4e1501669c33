"""The seller's low-stock card: what is about to sell out, and setting its count again.

The count goes through ``catalog.set_on_hand``, the service behind
``PUT /api/v1/inventory/{sku}``: the same checks, audit row and alert re-arming.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, ClassVar

import reflex as rx

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.services import catalog
from oms_dashboard.services import order_views as views
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import ServiceError, ValidationFailed
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.guard import OK, GuardedState

# The page's words for the service's field names.
FIELD_LABELS = {"on_hand": "On hand"}
NOT_A_COUNT = "On hand must be a whole number, 0 or more."
_DIGITS = re.compile(r"[0-9]{1,12}")


def parse_count(text: str) -> int | None:
    """A typed count of units, or None. ASCII digits only: "2.5", "-1", "1e3" are not counts."""
    text = text.strip()
    return int(text) if _DIGITS.fullmatch(text) else None


def field_error(exc: ValidationFailed) -> str:
    """``On hand must be at least 3, the units reserved for open orders.``"""
    first = exc.errors[0]
    return f"{FIELD_LABELS.get(first['field'], first['field'])} {first['message']}."


@dataclass
class LowStockRow:
    sku: str
    title: str
    on_hand: int
    reserved: int
    available: int
    threshold: int
    # Changes with the count, so the row's form is drawn afresh with the new value.
    form_key: str
    error: str = ""


class LowStockState(GuardedState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.SELLER})
    rows: list[LowStockRow] = []
    # sku -> what was wrong with the last count typed for it; kept across refreshes.
    _errors: dict[str, str] = {}

    def _clear_view(self) -> None:
        self.rows, self._errors = [], {}

    def _show(self, items: list[views.LowStock]) -> None:
        self.rows = [
            LowStockRow(
                sku=i.sku,
                title=i.title,
                on_hand=i.on_hand,
                reserved=i.reserved,
                available=i.available,
                threshold=i.threshold,
                form_key=f"{i.sku}:{i.on_hand}",
                error=self._errors.get(i.sku, ""),
            )
            for i in items
        ]

    def _refuse(self, sku: str, message: str) -> None:
        self._errors = {**self._errors, sku: message}
        self.rows = [
            dataclasses.replace(r, error=message) if r.sku == sku else r for r in self.rows
        ]

    @rx.event
    def load(self):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            self._show(views.low_stock(session, actor=gate))
            self.access = OK
        return None

    @rx.event
    def restock(self, form_data: dict[str, Any]):
        sku = str(form_data.get("sku", ""))
        count = parse_count(str(form_data.get("on_hand", "")))
        if count is None:
            self._refuse(sku, NOT_A_COUNT)
            return None
        with session_scope() as session:
            gate = self._guard(session)
        if not isinstance(gate, Actor):
            return gate
        try:
            stock = catalog.set_on_hand(current().engine, actor=gate, sku=sku, on_hand=count)
            on_hand, available = stock.on_hand, stock.available
            with session_scope() as session:
                items = views.low_stock(session, actor=gate)
        except ValidationFailed as exc:
            self._refuse(sku, field_error(exc))
            return None
        except ServiceError as exc:
            return rx.toast.error(f"{sku} was not restocked: {exc.detail}")
        # Committed: only now does the page show it.
        self._errors = {k: v for k, v in self._errors.items() if k != sku}
        before = next((r for r in self.rows if r.sku == sku), None)
        self._show(items)
        return rx.toast.success(_outcome(sku, before, on_hand, available, items))


def _outcome(
    sku: str,
    before: LowStockRow | None,
    on_hand: int,
    available: int,
    still_low: list[views.LowStock],
) -> str:
    """What the save did, in the words of the toast."""
    name = f"{before.title} ({sku})" if before else sku
    saved = f"{name}: {on_hand:,} on hand, {available:,} available"
    low = next((i for i in still_low if i.sku == sku), None)
    if low is None:
        return f"{saved}. It is off the low-stock list."
    return f"{saved}, still under your alert level of {low.threshold:,}."
