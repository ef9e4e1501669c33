"""A lifecycle: a set of states and the one table of moves between them.

Order status has its own module (cancellation has rules of its own); every
other lifecycle (payment, stock hold, payment event) is one of these, so each
refuses a move the same way and names what refused it.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Generic, TypeVar

from oms_dashboard.domain.errors import InvalidTransition

S = TypeVar("S", bound=StrEnum)


class Lifecycle(Generic[S]):
    def __init__(self, subject: str, states: type[S], moves: Mapping[S, frozenset[S]]) -> None:
        missing = set(states) - set(moves)
        if missing:
            raise ValueError(f"{subject}: no row for {sorted(missing)} in the table of moves")
        self.subject = subject
        self.states = states
        self.moves = dict(moves)

    def check(self, current: S | str, target: S | str) -> S:
        """The target state, or ``InvalidTransition`` naming both ends."""
        current, target = self._state(current), self._state(target)
        if target not in self.moves[current]:
            raise InvalidTransition(current, target, subject=self.subject)
        return target

    def allows(self, current: S | str, target: S | str) -> bool:
        try:
            self.check(current, target)
        except InvalidTransition:
            return False
        return True

    def _state(self, value: S | str) -> S:
        try:
            return self.states(value)
        except ValueError:
            raise InvalidTransition(
                value, "?", f"unknown {self.states.__name__} {value!r}", subject=self.subject
            ) from None
