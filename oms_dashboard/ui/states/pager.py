"""Keyset paging for a list page (orders, the audit log, the outbox): Next follows the
cursor the last page gave, Previous goes back through the cursors of the pages before
this one, so no page is read by offset."""

from __future__ import annotations

import reflex as rx


class KeysetPager(rx.State, mixin=True):
    """Mix in first: ``class X(KeysetPager, GuardedState, AuthState)``. The page's
    state reads a page in ``_load(cursor)`` and hands its next cursor to ``_paged``."""

    page_number: int = 1
    has_next: bool = False
    # Cursors of the pages before this one (page 1 has none): Previous pops one.
    _cursors: list[str] = []
    _next_cursor: str = ""

    def _load(self, cursor: str | None = None):
        raise NotImplementedError

    def _first_page(self) -> None:
        """Forget the pages read so far: the next ``_load()`` is page 1."""
        self._cursors, self.page_number = [], 1

    def _paged(self, next_cursor: str | None) -> None:
        self._next_cursor = next_cursor or ""
        self.has_next = next_cursor is not None

    @rx.event
    def next_page(self):
        if not self._next_cursor:
            return None
        self._cursors = [*self._cursors, self._next_cursor]
        self.page_number = len(self._cursors) + 1
        return self._load(self._next_cursor)

    @rx.event
    def previous_page(self):
        if not self._cursors:
            return None
        self._cursors = self._cursors[:-1]
        self.page_number = len(self._cursors) + 1
        return self._load(self._cursors[-1] if self._cursors else None)
