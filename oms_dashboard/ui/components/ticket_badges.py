"""A ticket's priority and status, and a refund's or dispute's state, as pills: one
colour per value on every service-desk page (colour is never the only cue)."""

from __future__ import annotations

import reflex as rx

# value: (label, colour, icon)
PRIORITIES = {
    "urgent": ("Urgent", "red", "siren"),
    "high": ("High", "orange", "arrow-up"),
    "normal": ("Normal", "blue", "minus"),
    "low": ("Low", "gray", "arrow-down"),
}
TICKET_STATUSES = {
    "open": ("Open", "blue", "circle-dot"),
    "waiting_on_seller": ("Waiting on seller", "amber", "store"),
    "waiting_on_customer": ("Waiting on customer", "amber", "user-round"),
    "escalated": ("Dispute", "violet", "scale"),
    "resolved": ("Resolved", "green", "circle-check"),
}
REFUND_STATUSES = {
    "pending_review": ("Waiting for review", "amber", "clock"),
    "approved": ("Approved", "blue", "check"),
    "paid": ("Paid", "green", "circle-check"),
    "rejected": ("Rejected", "gray", "ban"),
    "failed": ("Failed", "red", "circle-x"),
}
DECISIONS = {
    "refund": ("Refund in full", "green", "banknote"),
    "partial_refund": ("Partial refund", "blue", "banknote"),
    "reject": ("Rejected", "gray", "ban"),
}


def _pill(label: str, color: str, icon: str, size: str, attr: str, value: str) -> rx.Component:
    return rx.badge(
        rx.icon(icon, size=12, aria_hidden="true"),
        label,
        color_scheme=color,
        variant="soft",
        high_contrast=True,
        radius="full",
        size=size,
        white_space="nowrap",
        **{attr: value},
    )


def _badge(table: dict, attr: str, value: rx.Var[str] | str, size: str) -> rx.Component:
    if isinstance(value, str):
        return _pill(*table[value], size, attr, value)
    return rx.match(
        value,
        *[(key, _pill(*spec, size, attr, key)) for key, spec in table.items()],
        rx.badge(value, color_scheme="gray", variant="outline", size=size),
    )


def priority_badge(priority: rx.Var[str] | str, size: str = "1") -> rx.Component:
    return _badge(PRIORITIES, "data_priority", priority, size)


def ticket_status_badge(status: rx.Var[str] | str, size: str = "1") -> rx.Component:
    return _badge(TICKET_STATUSES, "data_ticket_status", status, size)


def refund_status_badge(status: rx.Var[str] | str, size: str = "1") -> rx.Component:
    return _badge(REFUND_STATUSES, "data_refund_status", status, size)


def decision_badge(decision: rx.Var[str] | str, size: str = "1") -> rx.Component:
    return _badge(DECISIONS, "data_decision", decision, size)
