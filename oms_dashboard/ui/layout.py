"""The one shell every signed-in page uses: sidebar for the role, header, guarded content."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from oms_dashboard.ui.components.forbidden import forbidden_view
from oms_dashboard.ui.components.notifications import notification_bell
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.banner import BannerState
from oms_dashboard.ui.states.guard import FORBIDDEN, NOT_FOUND, OK
from oms_dashboard.ui.states.review import HeldCountState

SIDEBAR_WIDTH = "240px"

NAV: dict[str, list[tuple[str, str, str]]] = {
    "customer": [
        ("My orders", "/orders", "shopping-bag"),
        ("My requests", "/tickets", "life-buoy"),
    ],
    "seller": [
        ("Incoming orders", "/seller/orders", "inbox"),
        ("Fulfillment", "/seller/fulfillment", "truck"),
        ("Support tickets", "/tickets", "life-buoy"),
        ("Standing and statement", "/seller/standing", "gauge"),
        ("KPIs", "/seller/kpis", "chart-line"),
    ],
    "support": [
        ("Order search", "/support/orders", "search"),
        ("Tickets", "/support/tickets", "life-buoy"),
        ("Flagged shipments", "/support/shipments", "package-x"),
    ],
    "admin": [
        ("Overview", "/admin", "layout-dashboard"),
        ("KPIs", "/admin/kpis", "chart-line"),
        ("All orders", "/admin/orders", "list"),
        ("Review queue", "/admin/review", "shield-alert"),
        ("Tickets", "/support/tickets", "life-buoy"),
        ("Disputes", "/admin/disputes", "scale"),
        ("Refunds", "/admin/refunds", "receipt"),
        ("Outbox", "/admin/outbox", "mail"),
        ("Carriers", "/admin/carriers", "truck"),
        ("Sellers", "/admin/sellers", "store"),
        ("Policies", "/admin/policies", "sliders-horizontal"),
        ("System health", "/admin/health", "activity"),
        ("Audit log", "/admin/audit", "scroll-text"),
    ],
}


REVIEW_HREF = "/admin/review"


def _held_count() -> rx.Component:
    """How many orders wait for the admin, beside "Review queue"; loaded when it shows."""
    return rx.box(
        rx.cond(
            HeldCountState.held > 0,
            rx.badge(
                HeldCountState.held,
                color_scheme="amber",
                high_contrast=True,
                variant="soft",
                radius="full",
                size="1",
                title="Orders waiting for a decision",
                data_testid="held-count",
            ),
        ),
        margin_left="auto",
        on_mount=HeldCountState.load,
    )


def _nav_link(label: str, href: str, icon: str) -> rx.Component:
    path = AuthState.router.url.path.to(str)
    # The production server serves "/orders" as "/orders/" too.
    current = (path == href) | (path == href + "/")
    return rx.link(
        rx.hstack(
            rx.icon(icon, size=18, aria_hidden="true"),
            rx.text(label, size="3", weight="medium"),
            *([_held_count()] if href == REVIEW_HREF else []),
            align="center",
            spacing="3",
            padding_x="12px",
            padding_y="8px",
            border_radius="8px",
            width="100%",
            background=rx.cond(current, rx.color("accent", 4), "transparent"),
            color=rx.cond(current, rx.color("accent", 11), rx.color("gray", 12)),
            _hover={"background": rx.color("accent", 3)},
        ),
        href=href,
        underline="none",
        width="100%",
        aria_current=rx.cond(current, "page", "false"),
    )


def _nav() -> rx.Component:
    return rx.match(
        AuthState.user_role,
        *[
            (role, rx.vstack(*[_nav_link(*item) for item in items], spacing="1", width="100%"))
            for role, items in NAV.items()
        ],
        rx.fragment(),
    )


def _mobile_nav() -> rx.Component:
    """Below the desktop breakpoint the sidebar hides; its links move into a menu."""

    def items(entries: list[tuple[str, str, str]]) -> rx.Component:
        return rx.fragment(
            *[
                rx.menu.item(
                    rx.hstack(rx.icon(icon, size=16, aria_hidden="true"), label, spacing="2"),
                    on_click=rx.redirect(href),
                )
                for label, href, icon in entries
            ]
        )

    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(
                rx.icon("menu", size=18), variant="ghost", color_scheme="gray", aria_label="Menu"
            )
        ),
        rx.menu.content(
            rx.match(
                AuthState.user_role,
                *[(role, items(entries)) for role, entries in NAV.items()],
                rx.fragment(),
            )
        ),
    )


def brand() -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon("package-check", size=20, color="white", aria_hidden="true"),
            background=rx.color("accent", 9),
            border_radius="8px",
            width="34px",
            height="34px",
        ),
        rx.vstack(
            rx.text(
                "OMS Dashboard", weight="bold", size="3", line_height="1.1", white_space="nowrap"
            ),
            rx.text("Order management", size="1", color_scheme="gray", line_height="1.1"),
            spacing="0",
        ),
        align="center",
        spacing="2",
    )


def sidebar() -> rx.Component:
    # The outer box stretches with the page (border and background all the way
    # down); the inner one sticks, so the menu stays in view on long lists.
    return rx.box(
        rx.el.nav(
            rx.box(brand(), padding="20px 16px 16px"),
            rx.box(
                rx.text("Menu", size="1", weight="medium", color_scheme="gray", padding_x="12px"),
                rx.box(_nav(), margin_top="6px"),
                padding_x="12px",
                width="100%",
            ),
            aria_label="Main",
            width="100%",
            position="sticky",
            top="0",
        ),
        width=SIDEBAR_WIDTH,
        min_width=SIDEBAR_WIDTH,
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        display=["none", "none", "block"],
    )


def header() -> rx.Component:
    return rx.el.header(
        rx.hstack(
            rx.hstack(_mobile_nav(), brand(), align="center", display=["flex", "flex", "none"]),
            rx.form(
                rx.input(
                    rx.input.slot(rx.icon("search", size=16, aria_hidden="true")),
                    name="q",
                    type="search",
                    placeholder="Find an order: number, email, SKU, tracking number",
                    aria_label="Find an order",
                    max_length=200,
                    size="2",
                    variant="soft",
                    color_scheme="gray",
                    width="100%",
                ),
                on_submit=AuthState.search_orders,
                reset_on_submit=True,
                role="search",
                aria_label="Find an order",
                width="100%",
                max_width="440px",
                display=["none", "none", "block"],
            ),
            rx.spacer(),
            rx.hstack(
                notification_bell(),
                rx.avatar(
                    fallback=AuthState.user_name.to(str)[:1],
                    size="2",
                    radius="full",
                    variant="soft",
                    aria_hidden="true",
                ),
                rx.vstack(
                    rx.text(
                        AuthState.user_name, size="2", weight="medium", data_testid="user-name"
                    ),
                    rx.text(
                        AuthState.user_role.to(str).capitalize(),
                        size="1",
                        color_scheme="gray",
                        data_testid="user-role",
                    ),
                    spacing="0",
                    line_height="1.2",
                    display=["none", "none", "flex"],
                ),
                rx.button(
                    rx.icon("log-out", size=16, aria_hidden="true"),
                    "Sign out",
                    on_click=AuthState.sign_out,
                    variant="surface",
                    color_scheme="gray",
                    size="2",
                ),
                align="center",
                spacing="3",
            ),
            width="100%",
            height="100%",
            align="center",
            spacing="4",
        ),
        padding_x=["16px", "24px", "32px"],
        height="64px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
        position="sticky",
        top="0",
        z_index="10",
    )


def loading_view() -> rx.Component:
    return rx.vstack(
        rx.skeleton(rx.box(height="40px", width="280px")),
        rx.skeleton(rx.box(height="180px", width="100%")),
        rx.skeleton(rx.box(height="120px", width="100%")),
        spacing="4",
        width="100%",
        # aria-label is prohibited on a role-less <div>; as a status region it
        # is allowed and tells a screen reader why the page is still empty.
        role="status",
        aria_busy="true",
        aria_label="Loading",
    )


def banners() -> rx.Component:
    """Announced maintenance for everyone, delayed background work for staff."""
    return rx.vstack(
        rx.cond(
            BannerState.maintenance,
            rx.callout.root(
                rx.callout.icon(rx.icon("calendar-clock", size=16, aria_hidden="true")),
                rx.callout.text(BannerState.maintenance),
                color_scheme=rx.cond(BannerState.maintenance_now, "amber", "blue"),
                high_contrast=True,
                role="status",
                width="100%",
                data_testid="maintenance-banner",
            ),
        ),
        rx.cond(
            BannerState.degraded,
            rx.callout.root(
                rx.callout.icon(rx.icon("triangle-alert", size=16, aria_hidden="true")),
                rx.callout.text(
                    BannerState.degraded,
                    " ",
                    rx.cond(
                        AuthState.user_role == "admin",
                        rx.link(
                            "See system health",
                            href="/admin/health",
                            underline="always",
                            color="inherit",
                            weight="bold",
                        ),
                    ),
                ),
                color_scheme="amber",
                high_contrast=True,
                role="status",
                width="100%",
                data_testid="degraded-banner",
            ),
        ),
        spacing="3",
        width="100%",
        margin_bottom=rx.cond(BannerState.maintenance | BannerState.degraded, "20px", "0"),
        on_mount=BannerState.load,
    )


def shell(
    content: Callable[[], rx.Component],
    access: rx.Var[str],
    not_found: Callable[[], rx.Component] | None = None,
) -> rx.Component:
    """Nothing of ``content`` renders until the server said this person may see it."""
    cases = [(OK, content()), (FORBIDDEN, forbidden_view())]
    if not_found is not None:
        cases.append((NOT_FOUND, not_found()))
    return rx.flex(
        sidebar(),
        rx.box(
            header(),
            rx.el.main(
                banners(),
                rx.match(access, *cases, loading_view()),
                padding=["16px", "24px", "32px"],
                max_width="1200px",
                width="100%",
                margin_x="auto",
            ),
            flex="1",
            min_width="0",
        ),
        width="100%",
        min_height="100vh",
        background=rx.color("gray", 1),
    )
