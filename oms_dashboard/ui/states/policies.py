"""The admin's policies page: every policy of ``domain.policies.POLICY_SPECS``, edited at once."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.domain.policies import POLICY_SPECS, SPECS_BY_NAME, PolicySpec
from oms_dashboard.formatting.money import format_money
from oms_dashboard.models import OrderPolicy
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import ServiceError, ValidationFailed
from oms_dashboard.services.policies import read_policy, update_policy
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.guard import OK, GuardedState

POLICY_CURRENCY = "USD"
"""Amounts in policies are in the mall's currency."""


def shown(spec: PolicySpec, value: int) -> str:
    """A value as people read it: "60 minutes", "$500.00"."""
    if spec.unit == "cents":
        return format_money(value, POLICY_CURRENCY)
    unit = spec.unit[:-1] if value == 1 and spec.unit.endswith("s") else spec.unit
    return f"{value:,} {unit}"


def parse_changes(
    form: dict[str, Any], current_values: dict[str, int]
) -> tuple[dict[str, int], dict[str, str]]:
    """The policies whose typed value differs from the saved one, and the fields that
    are not whole numbers (the service checks the bounds)."""
    changes: dict[str, int] = {}
    errors: dict[str, str] = {}
    for name, raw in form.items():
        spec = SPECS_BY_NAME.get(name)
        if spec is None:
            continue
        text = str(raw).strip().replace(",", "").replace("_", "")
        try:
            value = int(text)
        except ValueError:
            errors[name] = f"Must be a whole number of {spec.unit}."
            continue
        if value != current_values.get(name):
            changes[name] = value
    return changes, errors


class PolicyState(GuardedState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ADMIN})
    values: dict[str, str] = {}
    """The saved value of each policy, as typed in its field."""
    readable: dict[str, str] = {}
    """The saved value of each policy, as people read it."""
    errors: dict[str, str] = {}
    saved_note: str = ""
    updated: str = ""
    form_key: int = 0
    _saved: dict[str, int] = {}

    def _clear_view(self) -> None:
        self.values, self.readable, self.errors, self.saved_note = {}, {}, {}, ""

    def _show(self, policy: OrderPolicy) -> None:
        self._saved = {spec.name: getattr(policy, spec.name) for spec in POLICY_SPECS}
        self.values = {name: str(value) for name, value in self._saved.items()}
        self.readable = {spec.name: shown(spec, self._saved[spec.name]) for spec in POLICY_SPECS}
        self.updated = (
            f"Last changed {fmt.relative_time(policy.updated_at)}"
            if policy.updated_by
            else "Never changed: these are the defaults"
        )

    @rx.event
    def load(self):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            self._show(read_policy(session, actor=gate))
        self.errors, self.saved_note = {}, ""
        self.form_key += 1
        self.access = OK
        return None

    @rx.event
    def save(self, form_data: dict[str, Any]):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            self._show(read_policy(session, actor=gate))
        changes, errors = parse_changes(form_data, self._saved)
        self.saved_note = ""
        if errors:
            self.errors = errors
            return None
        if not changes:
            self.errors = {}
            return rx.toast.info("Nothing to save: every value is as it was.")
        before = dict(self._saved)
        try:
            policy = update_policy(current().engine, actor=gate, changes=changes)
        except ValidationFailed as exc:
            self.errors = {e["field"]: f"{e['message'].capitalize()}." for e in exc.errors}
            return None
        except ServiceError as exc:
            return rx.toast.error(f"Policies not saved: {exc.detail}")
        self.errors = {}
        self._show(policy)
        said = "; ".join(
            f"{SPECS_BY_NAME[name].label} {shown(SPECS_BY_NAME[name], before[name])} → "
            f"{shown(SPECS_BY_NAME[name], value)}"
            for name, value in changes.items()
        )
        self.saved_note = f"Saved and in force now: {said}."
        return rx.toast.success("Policies saved")
