"""The admin's audit log viewer: the chained log (``services.audit``) filtered by
actor, action, order and dates, newest first, paged; the chain's state on top."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar

import reflex as rx

from oms_dashboard.db import session_scope
from oms_dashboard.models import AuditEntry
from oms_dashboard.services import audit
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import ValidationFailed
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.guard import OK, GuardedState
from oms_dashboard.ui.states.pager import KeysetPager

ALL = "all"
PAGE_SIZE = 25
ABSENT = "—"


@dataclass
class FieldChange:
    field: str
    before: str
    after: str


@dataclass
class AuditRowView:
    id: str
    seq: int
    at_text: str
    at_exact: str
    actor_label: str
    action: str
    target: str
    target_id: str
    order_number: str
    order_href: str
    summary: str
    changes: list[FieldChange] = field(default_factory=list)
    hash_short: str = ""
    broken: bool = False


@dataclass
class Option:
    value: str
    label: str


def shown(value: Any) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, str):
        if len(value) >= 19 and value[4] == "-" and value[10] == "T":
            try:
                return fmt.exact_time(datetime.fromisoformat(value.replace("Z", "+00:00")))
            except ValueError:
                pass
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def field_changes(before: dict | None, after: dict | None) -> list[FieldChange]:
    before, after = before or {}, after or {}
    names = list(dict.fromkeys([*before, *after]))
    return [
        FieldChange(
            field=name,
            before=shown(before[name]) if name in before else ABSENT,
            after=shown(after[name]) if name in after else ABSENT,
        )
        for name in names
    ]


def summary(entry: AuditEntry) -> str:
    if entry.before is None and entry.after is not None:
        return f"Created ({len(entry.after)} fields)"
    if entry.after is None and entry.before is not None:
        return "Removed"
    n = len(set(entry.before or {}) | set(entry.after or {}))
    return "No field changed" if n == 0 else f"{n} field{'s' if n != 1 else ''} changed"


def row_view(row: audit.AuditRow, now: datetime, broken_id: str) -> AuditRowView:
    e = row.entry
    who = row.actor_name or e.actor_id or "System"
    return AuditRowView(
        id=e.id,
        seq=e.seq or 0,
        at_text=fmt.relative_time(e.at, now),
        at_exact=fmt.exact_time(e.at),
        actor_label=f"{who} ({e.actor_role})",
        action=e.action,
        target=e.entity_type.replace("_", " "),
        target_id=e.entity_id,
        order_number=row.order_number or (e.order_id or ""),
        order_href=f"/orders/{e.order_id}" if e.order_id else "",
        summary=summary(e),
        changes=field_changes(e.before, e.after),
        hash_short=(e.hash or "")[:12],
        broken=e.id == broken_id,
    )


def _rows(n: int) -> str:
    return "1 row" if n == 1 else f"{n:,} rows"


def chain_words(check: audit.ChainCheck) -> str:
    """What an intact check covered, in words."""
    n = check.report.rows
    if check.full:
        said = f"All {_rows(n)} checked" if n != 1 else "1 row checked"
        said += ": each still matches its hash and the row before it."
        if check.untrusted_checkpoint:
            said += " (The checkpoint did not validate, so the whole chain was walked.)"
        return said
    if n == 0:
        said = f"No new rows since the checkpoint (seq {check.from_seq:,})."
    else:
        said = (
            f"{_rows(n)} since the checkpoint (seq {check.from_seq:,}) checked: each still "
            "matches its hash and the row before it."
        )
    if check.left:
        said += f" {_rows(check.left)} newer are left for the next check."
    return said


def parse_day(value: str, name: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed.one(name, "is not a date (YYYY-MM-DD)") from None


class AuditLogState(KeysetPager, GuardedState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ADMIN})
    rows: list[AuditRowView] = []
    actor_options: list[Option] = []
    action_options: list[str] = []
    actor_filter: str = ALL
    action_filter: str = ALL
    order_text: str = ""
    date_from: str = ""
    date_to: str = ""
    error: str = ""
    chain_intact: bool = True
    chain_text: str = ""
    chain_broken_id: str = ""
    chain_full_text: str = ""

    def _clear_view(self) -> None:
        self.rows, self.has_next = [], False

    @rx.var
    def is_filtered(self) -> bool:
        return bool(
            self.actor_filter != ALL
            or self.action_filter != ALL
            or self.order_text
            or self.date_from
            or self.date_to
        )

    @rx.event
    def load(self):
        """on_load: ``?order=<id or number>`` narrows to one order (the order page links here)."""
        params: Any = self.router.url.query_parameters
        self.order_text = str(params.get("order", ""))[:40]
        self.actor_filter = self.action_filter = ALL
        self.date_from = self.date_to = ""
        return self._restart(check_chain=True)

    def _filters(self, session) -> audit.AuditFilter:
        start = parse_day(self.date_from, "From")
        end = parse_day(self.date_to, "To")
        if start and end and start > end:
            raise ValidationFailed.one("To", "must not be before From")
        return audit.AuditFilter(
            actor_id=None if self.actor_filter == ALL else self.actor_filter,
            action=None if self.action_filter == ALL else self.action_filter,
            order_id=audit.resolve_order(session, self.order_text) if self.order_text else None,
            at_from=datetime.combine(start, time(), UTC) if start else None,
            at_to=datetime.combine(end + timedelta(days=1), time(), UTC) if end else None,
        )

    def _load(self, cursor: str | None = None, *, check_chain: bool = False, full: bool = False):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            if check_chain:
                self._check_chain(session, full=full)
            self.actor_options = [
                Option(i, label) for i, label in audit.audit_actors(session, actor=gate)
            ]
            self.action_options = audit.audit_actions(session, actor=gate)
            self.error = ""
            try:
                page = audit.list_audit(
                    session,
                    actor=gate,
                    filters=self._filters(session),
                    limit=PAGE_SIZE,
                    cursor=cursor,
                )
            except ValidationFailed as exc:
                self._clear_view()
                self.error = exc.detail
                self.access = OK
                return None
            now = datetime.now(UTC)
            self.rows = [row_view(r, now, self.chain_broken_id) for r in page.items]
            self._paged(page.next_cursor)
            self.access = OK
        return None

    def _check_chain(self, session, *, full: bool = False) -> None:
        """A page load checks the rows after the checkpoint; "Check the whole chain"
        walks every row (and re-validates the checkpoint)."""
        check = audit.check_chain(session, full=full)
        report = check.report
        self.chain_intact = report.intact
        if report.broken is None:
            self.chain_text = chain_words(check)
        else:
            self.chain_text = report.broken.describe().removeprefix("audit chain broken at ")
        self.chain_broken_id = (report.broken.row_id or "") if report.broken else ""
        self.chain_full_text = (
            f"Whole chain last checked {fmt.exact_time(check.full_at)}."
            if check.full_at
            else "The whole chain has not been checked yet."
        )

    def _restart(self, *, check_chain: bool = False, full: bool = False):
        self._first_page()
        return self._load(check_chain=check_chain, full=full)

    @rx.event
    def check_chain(self):
        return self._restart(check_chain=True)

    @rx.event
    def check_whole_chain(self):
        """The explicit full walk: every row from the first, however many."""
        return self._restart(check_chain=True, full=True)

    @rx.event
    def set_actor_filter(self, value: str):
        self.actor_filter = value
        return self._restart()

    @rx.event
    def set_action_filter(self, value: str):
        self.action_filter = value
        return self._restart()

    @rx.event
    def apply(self, form_data: dict[str, Any]):
        self.order_text = str(form_data.get("order", "")).strip()[:40]
        self.date_from = str(form_data.get("from", ""))[:10]
        self.date_to = str(form_data.get("to", ""))[:10]
        return self._restart()

    @rx.event
    def clear_filters(self):
        self.actor_filter = self.action_filter = ALL
        self.order_text = self.date_from = self.date_to = ""
        return self._restart()
