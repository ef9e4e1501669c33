"""The offer of delivery updates on this device (web push), for a customer's order page.

It loads ``/push.js`` once, asks the browser what it can do, and shows itself only
where push works and is not on yet; it hides once the browser is subscribed.
"""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.push import AVAILABLE, PushOfferState

# Loaded on demand: only the pages that offer push pay for the script.
_STATUS = """
(window.omsPush ? Promise.resolve(window.omsPush) : new Promise((resolve, reject) => {
  const script = document.createElement("script");
  script.src = "/push.js";
  script.onload = () => resolve(window.omsPush);
  script.onerror = reject;
  document.head.appendChild(script);
})).then((push) => push.status()).catch(() => ({state: "unsupported"}))
"""


def push_offer() -> rx.Component:
    shown = (AuthState.user_role == "customer") & (PushOfferState.push == AVAILABLE)
    return rx.box(
        card(
            rx.hstack(
                rx.icon("bell-ring", size=20, color=rx.color("accent", 11), aria_hidden="true"),
                rx.vstack(
                    rx.text("Get delivery updates on this device", size="2", weight="medium"),
                    rx.text(
                        "We notify you here when your order ships, is out for delivery, "
                        "arrives or is held up, even with this page closed.",
                        size="2",
                        color_scheme="gray",
                    ),
                    spacing="1",
                    flex="1",
                    min_width="200px",
                ),
                rx.button(
                    "Turn on",
                    on_click=rx.call_script(
                        "window.omsPush.subscribe()", callback=PushOfferState.keep
                    ),
                    variant="surface",
                    size="2",
                ),
                align="center",
                spacing="3",
                width="100%",
                wrap="wrap",
            ),
        ),
        on_mount=rx.call_script(_STATUS, callback=PushOfferState.show_status),
        display=rx.cond(shown, "block", "none"),
        width="100%",
        data_testid="push-offer",
        data_push_state=PushOfferState.push,
    )
