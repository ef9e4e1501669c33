"""The seller's fulfillment page: the queue to ship by deadline, parcels labelled and
waiting for the carrier, printing labels and packing slips in bulk, and the
shipping settings the deadlines and labels come from."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import reflex as rx
from sqlmodel import Session

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.domain.review import ReviewReason
from oms_dashboard.domain.tracking import carrier_title
from oms_dashboard.formatting.carriers import service_title
from oms_dashboard.services import seller_settings, shipments
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import NotFound, ServiceError, ValidationFailed
from oms_dashboard.services.fulfillment import fulfillment_queue
from oms_dashboard.services.pickups import awaiting_pickup
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.guard import OK, GuardedState

ROUTE = "/seller/fulfillment"
REFRESH_SECONDS = 30
"""The countdowns move by the minute; twice a minute keeps them right to the minute."""
SETTING_LABELS = {
    "handling_hours": "Handling time",
    "address_line1": "Pick-up street",
    "phone": "Phone",
}
_HOURS = re.compile(r"[0-9]{1,6}")


@dataclass
class QueueItem:
    order_id: str
    number: str
    href: str
    units: int
    ship_to: str
    recipient: str
    ship_by: str
    ship_by_exact: str
    time_left: str
    urgency: str
    urgency_label: str
    held: str
    """Why the order is held for review ("" when it is not): it must not ship yet."""
    cancellation_pending: bool = False
    """The customer asked to cancel: the seller answers on the order's page first."""
    cancellation_asked: str = ""
    """When they asked, and when the answer is due, as people read it ("" if not asked)."""


@dataclass
class WaitingItem:
    order_id: str
    number: str
    href: str
    shipment_id: str
    carrier: str
    service: str
    tracking_number: str
    labelled: str
    labelled_exact: str


def _asked(row: Any, now: datetime) -> str:
    if row.cancellation_requested_at is None:
        return ""
    said = f"The customer asked to cancel {fmt.relative_time(row.cancellation_requested_at, now)}"
    if row.cancellation_due_at is None:
        return said + "."
    return f"{said}; your answer is due {fmt.exact_time(row.cancellation_due_at)}."


def hours_value(text: str) -> int | str:
    """Typed hours as a number when they are one; otherwise as typed, so the service's
    own rule ("a whole number from 1 to 240") is the message the seller reads."""
    text = text.strip()
    return int(text) if _HOURS.fullmatch(text) else text


def settings_errors(exc: ValidationFailed) -> dict[str, str]:
    return {
        e["field"]: f"{SETTING_LABELS.get(e['field'], e['field'])} {e['message']}."
        for e in exc.errors
    }


class FulfillmentState(GuardedState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.SELLER})

    rows: list[QueueItem] = []
    waiting: list[WaitingItem] = []
    selected: list[str] = []
    bulk_message: str = ""
    refreshed_at: str = ""
    handling_hours: int = 0
    pickup_street: str = ""
    pickup_phone: str = ""
    pickup_place: str = ""
    editing: bool = False
    errors: dict[str, str] = {}
    form_key: int = 0
    _poll_generation: int = 0

    def _clear_view(self) -> None:
        self.rows, self.waiting, self.selected = [], [], []
        self.bulk_message = self.refreshed_at = ""
        self.pickup_street = self.pickup_phone = self.pickup_place = ""
        self.errors, self.editing = {}, False

    # -- what the page shows -----------------------------------------------------------

    @rx.var
    def late_count(self) -> int:
        return sum(1 for row in self.rows if row.urgency == "late")

    @rx.var
    def due_soon_count(self) -> int:
        return sum(1 for row in self.rows if row.urgency == "due_soon")

    @rx.var
    def subtitle(self) -> str:
        updated = f" Updated every {REFRESH_SECONDS} s (last {self.refreshed_at})."
        return "Paid orders waiting for you to ship, the nearest ship-by time first." + (
            updated if self.refreshed_at else ""
        )

    @rx.var
    def handling_text(self) -> str:
        hours = self.handling_hours
        if hours % 24 == 0 and hours >= 48:
            return f"{hours} h ({hours // 24} days)"
        return f"{hours} h"

    @rx.var
    def all_queue_selected(self) -> bool:
        return bool(self.rows) and all(row.order_id in self.selected for row in self.rows)

    @rx.var
    def all_waiting_selected(self) -> bool:
        return bool(self.waiting) and all(row.order_id in self.selected for row in self.waiting)

    @rx.var
    def selected_count(self) -> int:
        return len(self.selected)

    @rx.event
    def load(self):
        return self._load()

    def _load(self):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            self._show(session, gate)
            self.access = OK
        return None

    def _show(self, session: Session, actor: Actor) -> None:
        now = datetime.now(UTC)
        self.rows = [
            QueueItem(
                order_id=row.order.id,
                number=row.order.number,
                href=f"/orders/{row.order.id}",
                units=row.units,
                ship_to=", ".join(p for p in (row.order.ship_city, row.order.ship_region) if p)
                + f" ({row.order.ship_country})",
                recipient=row.order.ship_name,
                # In the shop's own time (its zone named), narrow enough for 1024 px.
                ship_by=row.ship_by.astimezone(ZoneInfo(row.timezone)).strftime("%d %b, %H:%M %Z"),
                ship_by_exact=fmt.exact_time(row.ship_by),
                time_left=row.time_left,
                urgency=row.urgency.value,
                urgency_label=row.urgency.label,
                held=ReviewReason(row.order.review_reason).label if row.order.review_reason else "",
                cancellation_pending=row.cancellation_pending,
                cancellation_asked=_asked(row, now),
            )
            for row in fulfillment_queue(session, actor=actor, now=now)
        ]
        self.waiting = [
            WaitingItem(
                order_id=item.order.id,
                number=item.order.number,
                href=f"/orders/{item.order.id}",
                shipment_id=item.shipment.id,
                carrier=carrier_title(item.shipment.carrier),
                service=service_title(item.shipment.carrier, item.shipment.service),
                tracking_number=item.shipment.tracking_number,
                labelled=fmt.relative_time(item.shipment.created_at, now),
                labelled_exact=fmt.exact_time(item.shipment.created_at),
            )
            for item in awaiting_pickup(session, actor=actor)
        ]
        shown = {row.order_id for row in self.rows} | {row.order_id for row in self.waiting}
        self.selected = [order_id for order_id in self.selected if order_id in shown]
        self._show_settings(seller_settings.get_shipping_settings(session, actor=actor))
        self.refreshed_at = now.strftime("%H:%M:%S UTC")

    def _show_settings(self, settings: seller_settings.ShippingSettings) -> None:
        self.handling_hours = settings.handling_hours
        self.pickup_street = settings.address_line1
        self.pickup_phone = settings.phone
        area = " ".join(p for p in (settings.region, settings.postal_code) if p)
        self.pickup_place = ", ".join(p for p in (settings.city, area, settings.country) if p)
        # A seller that cannot buy labels yet sees the form at once.
        if not settings.address_line1:
            self.editing = True

    @rx.event(background=True)
    async def keep_fresh(self):
        """Countdowns move without a reload: the queue is read again every
        ``REFRESH_SECONDS`` while this page is open (the same loop as the order list's:
        a newer loop retires an older one, and leaving the page ends it)."""
        async with self:
            self._poll_generation += 1
            generation = self._poll_generation
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            async with self:
                on_page = str(self.router.url.path).rstrip("/") == ROUTE
                if generation != self._poll_generation or not on_page or self.access != OK:
                    return
                refused = self._load()
            if refused is not None:
                yield refused
                return

    # -- choosing orders ---------------------------------------------------------------

    @rx.event
    def toggle(self, order_id: str, checked: bool):
        self.bulk_message = ""
        others = [o for o in self.selected if o != order_id]
        self.selected = [*others, order_id] if checked else others

    @rx.event
    def toggle_queue(self, checked: bool):
        self._toggle_many([row.order_id for row in self.rows], checked)

    @rx.event
    def toggle_waiting(self, checked: bool):
        self._toggle_many([row.order_id for row in self.waiting], checked)

    def _toggle_many(self, ids: list[str], checked: bool) -> None:
        self.bulk_message = ""
        others = [o for o in self.selected if o not in ids]
        self.selected = [*others, *ids] if checked else others

    @rx.event
    def clear_selection(self):
        self.selected, self.bulk_message = [], ""

    def _in_page_order(self) -> list[str]:
        """The selection as the page lists it: the queue first, then the labelled."""
        order = [row.order_id for row in self.rows] + [row.order_id for row in self.waiting]
        return [order_id for order_id in order if order_id in self.selected]

    # -- printing ----------------------------------------------------------------------

    @rx.event
    def print_labels(self):
        ids = self._in_page_order()
        labelled = {row.order_id for row in self.waiting}
        if not ids:
            return None
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            try:
                pdf = shipments.labels_bundle(session, actor=gate, order_ids=ids)
            except NotFound:
                self.bulk_message = (
                    f"None of the {len(ids)} selected orders has a label yet. Buy their "
                    "labels first (Buy label on each row), then print them here."
                    if len(ids) > 1
                    else "The selected order has no label yet. Buy its label first."
                )
                return None
            except ServiceError as exc:
                return rx.toast.error(f"Could not print the labels: {exc.detail}")
        with_label = [i for i in ids if i in labelled]
        skipped = len(ids) - len(with_label)
        self.bulk_message = (
            f"{skipped} of the selected orders had no label yet and were left out."
            if skipped
            else ""
        )
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
        return rx.download(data=pdf, filename=f"labels-{stamp}.pdf", mime_type="application/pdf")

    @rx.event
    def print_slips(self):
        ids = self._in_page_order()
        if not ids:
            return None
        self.bulk_message = ""
        return self._slips(ids, f"packing-slips-{datetime.now(UTC):%Y%m%d-%H%M}.pdf")

    @rx.event
    def print_slip(self, order_id: str, number: str):
        return self._slips([order_id], f"packing-slip-{number}.pdf")

    def _slips(self, ids: list[str], filename: str):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            try:
                pdf = shipments.packing_slips(session, actor=gate, order_ids=ids)
            except ServiceError as exc:
                return rx.toast.error(f"Could not make the packing slips: {exc.detail}")
        return rx.download(data=pdf, filename=filename, mime_type="application/pdf")

    @rx.event
    def print_label(self, shipment_id: str):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            try:
                pdf, name = shipments.label_pdf(session, actor=gate, shipment_id=shipment_id)
            except ServiceError as exc:
                return rx.toast.error(f"No label to print: {exc.detail}")
        return rx.download(data=pdf, filename=name, mime_type="application/pdf")

    # -- shipping settings -------------------------------------------------------------

    @rx.event
    def edit_settings(self):
        self.editing, self.errors = True, {}
        self.form_key += 1

    @rx.event
    def cancel_settings(self):
        if self.pickup_street:
            self.editing = False
        self.errors = {}
        self.form_key += 1

    @rx.event
    def save_settings(self, form_data: dict[str, Any]):
        with session_scope() as session:
            gate = self._guard(session)
        if not isinstance(gate, Actor):
            return gate
        try:
            saved = seller_settings.update_shipping_settings(
                current().engine,
                actor=gate,
                handling_hours=hours_value(str(form_data.get("handling_hours", ""))),
                address_line1=str(form_data.get("address_line1", "")),
                phone=str(form_data.get("phone", "")),
            )
        except ValidationFailed as exc:
            self.errors = settings_errors(exc)
            return None
        except ServiceError as exc:
            return rx.toast.error(f"Settings not saved: {exc.detail}")
        self.errors, self.editing = {}, False
        self._show_settings(saved)
        self.form_key += 1
        # Orders paid from now on get ship-by times from the new handling time (those
        # already paid keep theirs, as their customers' promised dates stand): reload.
        refreshed = self._load()
        return refreshed or rx.toast.success(
            f"Saved: you ship within {saved.handling_hours} h of payment, "
            f"from {saved.address_line1}."
        )
