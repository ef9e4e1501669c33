"""/admin/health: is the platform working? One card per area, each with its badge,
and the maintenance windows admins announce to every user."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.notice import notice
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.table import Column, table
from oms_dashboard.ui.components.time import when
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.health import (
    CarrierRow,
    CronRow,
    FailedRow,
    HealthState,
    QueueRow,
    StoreView,
    WindowRow,
    WorkerRow,
)

ROUTE = "/admin/health"
TITLE = "System health · OMS Dashboard"
ON_LOAD = HealthState.load

S = HealthState
STATES = {
    "ok": ("green", "circle-check", "OK"),
    "degraded": ("amber", "triangle-alert", "Degraded"),
    "down": ("red", "circle-x", "Down"),
    "unknown": ("gray", "circle-help", "Unknown"),
}


def health_badge(state: rx.Var[str] | str) -> rx.Component:
    """OK / Degraded / Down, with an icon so colour is never the only cue."""

    def badge(value: str) -> rx.Component:
        color, icon, label = STATES[value]
        return rx.badge(
            rx.icon(icon, size=12, aria_hidden="true"),
            label,
            color_scheme=color,
            variant="soft",
            high_contrast=True,
            radius="full",
            data_health=value,
            white_space="nowrap",
        )

    return rx.match(state, *[(value, badge(value)) for value in STATES], badge("unknown"))


def _meaning(*text) -> rx.Component:
    return rx.text(*text, size="2", color_scheme="gray")


def _store(view: rx.Var[StoreView], icon: str, meaning: str) -> rx.Component:
    return card(
        rx.text(view.detail, size="2", data_testid="store-detail"),
        _meaning(meaning),
        title=view.name,
        icon=icon,
        actions=health_badge(view.state),
    )


def _queue_row(row: rx.Var[QueueRow]) -> list[rx.Component]:
    return [
        rx.code(row.name),
        rx.text(row.waiting, size="2"),
        rx.text(row.failed, size="2"),
        rx.text(row.workers, size="2"),
    ]


def _worker_row(row: rx.Var[WorkerRow]) -> list[rx.Component]:
    return [
        rx.text(row.name, size="2", word_break="break-all"),
        rx.badge(row.state, variant="soft", color_scheme="gray"),
        rx.text(row.queues, size="2"),
        when(row.heartbeat_relative, row.heartbeat_exact),
    ]


def _queues() -> rx.Component:
    return card(
        _meaning(
            "Background work waits in these queues until a worker takes it. No worker on a "
            "queue means its work waits: emails, tracking updates, refunds."
        ),
        table(
            [
                Column("Queue"),
                Column("Waiting", "right"),
                Column("Failed", "right"),
                Column("Workers", "right"),
            ],
            S.queues,
            _queue_row,
            label="Queues",
        ),
        rx.cond(
            S.workers.length() > 0,
            table(
                [Column("Worker"), Column("State"), Column("Queues"), Column("Last heartbeat")],
                S.workers,
                _worker_row,
                label="Workers",
            ),
            rx.text("No worker is running.", size="2", weight="medium", data_testid="no-workers"),
        ),
        title="Queues and workers",
        icon="layers",
        actions=health_badge(S.workers_state),
        data_testid="queues-card",
    )


def _failed_row(row: rx.Var[FailedRow]) -> list[rx.Component]:
    return [
        rx.vstack(
            rx.code(row.function),
            rx.text(row.queue, " · ", row.id[:18], size="1", color_scheme="gray"),
            spacing="1",
        ),
        rx.text(row.error, size="2", color=rx.color("red", 11), max_width="380px"),
        when(row.ended_relative, row.ended_exact),
        rx.hstack(
            rx.button(
                rx.icon("rotate-ccw", size=14, aria_hidden="true"),
                "Retry",
                on_click=S.retry_job(row.queue, row.id),
                size="1",
                variant="soft",
                data_testid="retry-job",
            ),
            rx.button(
                rx.icon("trash-2", size=14, aria_hidden="true"),
                "Delete",
                on_click=S.ask_delete(row.queue, row.id),
                size="1",
                variant="soft",
                color_scheme="red",
                data_testid="delete-job",
            ),
            spacing="2",
            justify="end",
        ),
    ]


def _failed() -> rx.Component:
    return card(
        rx.cond(
            S.failed.length() > 0,
            table(
                [Column("Job"), Column("Error"), Column("Failed"), Column("", "right")],
                S.failed,
                _failed_row,
                label="Failed jobs",
            ),
            empty_state(
                "No failed jobs",
                "A job that fails for good lands here, to be retried or deleted.",
                icon="circle-check",
            ),
        ),
        title="Failed jobs",
        icon="octagon-x",
        actions=health_badge(rx.cond(S.failed.length() > 0, "degraded", "ok")),
        data_testid="failed-card",
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete this failed job?"),
            rx.alert_dialog.description(
                "It will not run again and its error is forgotten. The deletion is audited.",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Keep it", variant="soft", color_scheme="gray", on_click=S.cancel_delete
                    )
                ),
                rx.alert_dialog.action(
                    rx.button("Delete job", color_scheme="red", on_click=S.confirm_delete)
                ),
                justify="end",
                spacing="2",
                margin_top="16px",
            ),
        ),
        open=S.deleting != "",
    )


def _fact(label: str, value: rx.Var[str], testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, size="5", weight="bold", data_testid=testid),
        spacing="0",
    )


def _outbox() -> rx.Component:
    return card(
        rx.hstack(
            _fact("Waiting", S.outbox_pending, "outbox-pending"),
            _fact("Oldest waiting", S.outbox_oldest, "outbox-oldest"),
            _fact("Failed for good", S.outbox_failed, "outbox-failed"),
            spacing="7",
            wrap="wrap",
        ),
        _meaning(
            "Messages (emails, notifications, refunds to pay) written with each change and "
            "delivered in the background. A message waiting minutes means delivery stalled. ",
            rx.link("Open the outbox", href="/admin/outbox", underline="always"),
        ),
        title="Outbox",
        icon="mail",
        actions=health_badge(S.outbox_state),
    )


def _carrier_row(row: rx.Var[CarrierRow]) -> list[rx.Component]:
    return [
        rx.text(row.carrier, size="2", weight="medium"),
        health_badge(row.state),
        rx.text(row.detail, size="2"),
        rx.text(row.queued, size="2"),
    ]


def _carriers() -> rx.Component:
    return card(
        table(
            [Column("Carrier"), Column("Health"), Column("Detail"), Column("Updates due", "right")],
            S.carriers,
            _carrier_row,
            label="Carriers",
        ),
        _meaning(
            "A carrier that keeps failing is not called for a while; its tracking updates "
            "queue up. ",
            rx.link("Carrier settings", href="/admin/carriers", underline="always"),
        ),
        title="Carriers",
        icon="truck",
        actions=health_badge(S.carriers_state),
    )


def _cron_row(row: rx.Var[CronRow]) -> list[rx.Component]:
    return [
        rx.text(row.job, size="2"),
        rx.text(row.every, size="2", color_scheme="gray"),
        rx.cond(
            row.last_exact != "",
            when(row.last_relative, row.last_exact),
            rx.text(row.last_relative, size="2"),
        ),
        rx.hstack(
            health_badge(row.state),
            rx.cond(row.note != "", rx.text(row.note, size="1", color_scheme="gray")),
            align="center",
            spacing="2",
        ),
        rx.text(row.error, size="1", color=rx.color("red", 11)),
    ]


def _cron() -> rx.Component:
    return card(
        table(
            [
                Column("Job"),
                Column("Schedule"),
                Column("Last run"),
                Column("State"),
                Column("Error"),
            ],
            S.cron,
            _cron_row,
            label="Periodic jobs",
        ),
        _meaning(
            "Degraded: the job failed on its last run, or has not run for two of its "
            "intervals (the cron or the workers are stopped)."
        ),
        title="Periodic jobs",
        icon="timer",
        actions=health_badge(S.cron_state),
    )


def _window_row(row: rx.Var[WindowRow]) -> list[rx.Component]:
    return [
        rx.text(row.when, size="2", white_space="nowrap"),
        rx.text(row.message, size="2"),
        rx.badge(
            row.status,
            variant="soft",
            color_scheme=rx.match(
                row.status, ("announced", "blue"), ("under way", "amber"), "gray"
            ),
            high_contrast=True,
        ),
        rx.cond(
            row.cancellable,
            rx.button(
                "Cancel",
                on_click=S.cancel_window(row.id),
                size="1",
                variant="soft",
                color_scheme="red",
                data_testid="cancel-window",
            ),
        ),
    ]


def _window_field(name: str, label: str, **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=f"window-{name}", font_size="var(--font-size-2)"),
        rx.input(id=f"window-{name}", name=name, width="100%", **props),
        spacing="1",
        width="100%",
    )


def _maintenance() -> rx.Component:
    return card(
        _meaning(
            "Announce a window at least 24 hours ahead (12 hours long at most): every "
            "signed-in user sees a banner until it ends or you cancel it."
        ),
        rx.form(
            rx.grid(
                _window_field("starts_at", "Starts (UTC)", type="datetime-local"),
                _window_field("ends_at", "Ends (UTC)", type="datetime-local"),
                _window_field(
                    "message",
                    "Message (optional)",
                    max_length=500,
                    placeholder="Checkout and tracking may be unavailable.",
                ),
                columns=rx.breakpoints(initial="1", md="1fr 1fr 2fr"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                S.window_error,
                rx.text(
                    S.window_error,
                    size="2",
                    color=rx.color("red", 11),
                    role="alert",
                    data_testid="window-error",
                ),
            ),
            rx.hstack(
                rx.button(
                    rx.icon("megaphone", size=16, aria_hidden="true"),
                    "Announce maintenance",
                    type="submit",
                ),
                margin_top="12px",
            ),
            on_submit=S.announce,
            no_validate=True,
            key=S.window_form_key.to_string(),
            width="100%",
            data_testid="maintenance-form",
        ),
        rx.cond(
            S.windows.length() > 0,
            table(
                [Column("When"), Column("Message"), Column("Status"), Column("", "right")],
                S.windows,
                _window_row,
                label="Maintenance windows",
            ),
        ),
        title="Scheduled maintenance",
        icon="calendar-clock",
    )


def _content() -> rx.Component:
    return rx.vstack(
        page_header(
            "System health",
            S.checked,
            rx.button(
                rx.icon("refresh-cw", size=16, aria_hidden="true"),
                "Check again",
                on_click=S.load,
                variant="soft",
            ),
        ),
        rx.cond(
            S.degraded.length() > 0,
            notice(
                rx.text.strong("Degraded: "),
                rx.foreach(S.degraded, lambda why: rx.text.span(why, "; ")),
                "pages still work, and the work waits safely until it is back.",
                icon="triangle-alert",
                color_scheme="amber",
                data_testid="health-degraded",
            ),
            notice("Everything answers.", icon="circle-check", color_scheme="green"),
        ),
        rx.grid(
            _store(S.database, "database", "Orders, payments and every page read it."),
            _store(
                S.redis,
                "server",
                "Queues the background work and keeps page sessions.",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        _queues(),
        _failed(),
        _outbox(),
        _cron(),
        _carriers(),
        _maintenance(),
        _delete_dialog(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, S.access)
