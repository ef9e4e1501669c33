"""/admin/policies: every system-wide policy, grouped, each with its field and help."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.domain.policies import GROUPS, POLICY_SPECS, PolicySpec
from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.notice import notice
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.policies import PolicyState

ROUTE = "/admin/policies"
TITLE = "Policies · OMS Dashboard"
ON_LOAD = PolicyState.load

S = PolicyState
GROUP_ICONS = {
    "Orders and payment": "shopping-cart",
    "Shipping": "truck",
    "Returns and refunds": "undo-2",
    "Stock": "boxes",
    "Data retention": "archive",
}


def _field(spec: PolicySpec) -> rx.Component:
    error = S.errors[spec.name]
    field_id = f"policy-{spec.name}"
    return rx.grid(
        rx.vstack(
            rx.el.label(
                spec.label, html_for=field_id, font_size="var(--font-size-2)", font_weight="500"
            ),
            rx.text(spec.help, size="1", color_scheme="gray"),
            spacing="1",
        ),
        rx.vstack(
            rx.hstack(
                rx.input(
                    id=field_id,
                    name=spec.name,
                    default_value=S.values[spec.name],
                    input_mode="numeric",
                    aria_invalid=rx.cond(error, "true", "false"),
                    aria_describedby=f"{field_id}-hint",
                    color_scheme=rx.cond(error, "red", "gray"),
                    box_shadow=rx.cond(error, "inset 0 0 0 1px var(--red-9)", ""),
                    text_align="right",
                    width="140px",
                ),
                rx.text(
                    spec.unit, size="2", color_scheme="gray", width="64px", white_space="nowrap"
                ),
                align="center",
                spacing="2",
            ),
            rx.text(
                rx.cond(
                    error,
                    rx.text.span(error),
                    rx.text.span(
                        "Now ",
                        S.readable[spec.name],
                        f" · {spec.minimum:,} to {spec.maximum:,}",
                    ),
                ),
                id=f"{field_id}-hint",
                size="1",
                color=rx.cond(error, rx.color("red", 11), rx.color("gray", 11)),
                aria_live="polite",
                data_testid=f"{field_id}-hint",
            ),
            spacing="1",
            align="end",
        ),
        columns=rx.breakpoints(initial="1", md="minmax(0, 1fr) auto"),
        gap="3",
        align="center",
        width="100%",
        padding_y="10px",
        border_top=f"1px solid {rx.color('gray', 4)}",
        data_testid=f"policy-row-{spec.name}",
    )


def _group(title: str) -> rx.Component:
    specs = [spec for spec in POLICY_SPECS if spec.group == title]
    return card(
        rx.vstack(*[_field(spec) for spec in specs], spacing="0", width="100%"),
        title=title,
        icon=GROUP_ICONS.get(title, "sliders-horizontal"),
    )


def _groups() -> list[str]:
    """The declared groups first, then any group a new policy brought along."""
    extra = [s.group for s in POLICY_SPECS if s.group not in GROUPS]
    return [*GROUPS, *dict.fromkeys(extra)]


def _content() -> rx.Component:
    return rx.vstack(
        page_header(
            "Policies",
            "The rules every order follows. A change is checked, written to the audit log "
            "and applies to the very next order, cancellation or sweep.",
        ),
        rx.cond(
            S.saved_note,
            notice(S.saved_note, icon="circle-check", color_scheme="green", role="status"),
        ),
        rx.cond(
            S.errors.length() > 0,
            notice(
                "Nothing was saved: correct the fields marked in red.",
                icon="triangle-alert",
                color_scheme="red",
                role="alert",
            ),
        ),
        rx.form(
            rx.vstack(
                *[_group(title) for title in _groups()],
                rx.hstack(
                    rx.text(S.updated, size="2", color_scheme="gray"),
                    rx.spacer(),
                    rx.button(
                        "Reset",
                        type="button",
                        on_click=S.load,
                        variant="soft",
                        color_scheme="gray",
                    ),
                    rx.button("Save policies", type="submit"),
                    align="center",
                    width="100%",
                ),
                spacing="5",
                width="100%",
            ),
            on_submit=S.save,
            no_validate=True,
            key=S.form_key.to_string(),
            width="100%",
            data_testid="policies-form",
        ),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, S.access)
