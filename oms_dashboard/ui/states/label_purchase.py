"""The Buy label dialog: every carrier's offer for an order's parcel, buying one, printing it.

Carriers take a second or two to answer, so quoting and buying run as background
tasks with the service call in a worker thread: the page keeps answering while a
spinner shows. ``buying`` is set under the state lock before the purchase starts,
so a second click (or Enter) cannot buy a second label.
"""

from __future__ import annotations

import asyncio
import logging
from typing import ClassVar

import reflex as rx

from oms_dashboard.bootstrap import current
from oms_dashboard.carriers.base import CarrierError
from oms_dashboard.db import session_scope
from oms_dashboard.domain.errors import DomainError
from oms_dashboard.domain.fulfillment import ParcelSize
from oms_dashboard.domain.tracking import carrier_title
from oms_dashboard.formatting.carriers import service_title
from oms_dashboard.services import orders as order_service
from oms_dashboard.services import shipments
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.carrier_offers import label_options
from oms_dashboard.services.errors import ServiceError, ValidationFailed
from oms_dashboard.services.fulfillment import buy_label
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.fulfillment import FulfillmentState
from oms_dashboard.ui.states.guard import GuardedState
from oms_dashboard.ui.states.label_offers import (
    FIELD_LABELS,
    PARCEL_FIELDS,
    OfferRow,
    UnavailableRow,
    offer_rows,
    parcel_key,
    parse_parcel,
    refusal_text,
)
from oms_dashboard.ui.states.order_detail import OrderDetailState

log = logging.getLogger(__name__)

QUEUE, DETAIL = "queue", "detail"
"""Where the dialog was opened: what to show afresh once a label is bought."""


class LabelDialogState(GuardedState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.SELLER})

    is_open: bool = False
    origin: str = QUEUE
    order_id: str = ""
    order_number: str = ""
    ship_to: str = ""
    promised: str = ""
    weight_grams: str = ""
    length_mm: str = ""
    width_mm: str = ""
    height_mm: str = ""
    quoted_parcel: str = ""
    field_errors: dict[str, str] = {}
    offers: list[OfferRow] = []
    unavailable: list[UnavailableRow] = []
    nothing_to_ship: bool = False
    choice: str = ""
    quoting: bool = False
    buying: bool = False
    error: str = ""
    shipment_id: str = ""
    tracking_number: str = ""
    bought_with: str = ""
    _generation: int = 0

    def _clear_view(self) -> None:
        self._forget()

    def _forget(self) -> None:
        self.order_id = self.order_number = self.ship_to = self.promised = ""
        self.weight_grams = self.length_mm = self.width_mm = self.height_mm = ""
        self.quoted_parcel = self.choice = self.error = ""
        self.field_errors, self.offers, self.unavailable = {}, [], []
        self.nothing_to_ship = self.quoting = self.buying = False
        self.shipment_id = self.tracking_number = self.bought_with = ""

    @rx.var
    def parcel_changed(self) -> bool:
        return self._parcel_changed()

    def _parcel_changed(self) -> bool:
        typed = parse_parcel(self._typed())[0]
        return typed is not None and parcel_key(typed) != self.quoted_parcel

    @rx.var
    def choice_summary(self) -> str:
        """``FedEx 2Day, USD 18.99, arrives Thu 03 Dec``: what Buy label will buy."""
        row = next((row for row in self.offers if row.key == self.choice), None)
        if row is None:
            return ""
        arrives = "no arrival estimate" if row.promise == "unknown" else f"arrives {row.arrives}"
        return f"{row.service}, {row.price}, {arrives}"

    @rx.var
    def offers_stale(self) -> bool:
        """The fields no longer describe the parcel the offers are for."""
        return bool(self.field_errors) or self._parcel_changed()

    @rx.var
    def can_buy(self) -> bool:
        busy = self.quoting or self.buying or bool(self.shipment_id)
        return bool(self.choice) and not (busy or self.field_errors or self._parcel_changed())

    def _typed(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in PARCEL_FIELDS}

    def _show_parcel(self, parcel: ParcelSize | None) -> None:
        for name in PARCEL_FIELDS:
            setattr(self, name, str(getattr(parcel, name)) if parcel else "")

    # -- opening and quoting -----------------------------------------------------------

    @rx.event(background=True)
    async def open_for(self, order_id: str, origin: str = QUEUE):
        async with self:
            self._forget()
            self.is_open, self.origin, self.order_id = True, origin, order_id
            self.quoting = True
            self._generation += 1
            generation = self._generation
            with session_scope() as session:
                gate = self._guard(session)
                if isinstance(gate, Actor):
                    try:
                        order = order_service.get_order(session, actor=gate, order_id=order_id)
                    except ServiceError as exc:
                        self.error, self.quoting = refusal_text("", exc), False
                        return
                    self.order_number = order.number
                    self.ship_to = (
                        ", ".join(
                            part
                            for part in (order.ship_name, order.ship_city, order.ship_region)
                            if part
                        )
                        + f" ({order.ship_country})"
                    )
        if not isinstance(gate, Actor):
            async with self:
                self.is_open = False
            if gate is not None:
                yield gate
            return
        await self._quote(gate, order_id, None, generation)

    @rx.event
    def set_dimension(self, name: str, value: str):
        self._put_dimension(name, value)

    @rx.event
    def commit_dimension(self, name: str, value: str):
        """Leaving a field: its value as the browser has it (the typed-in changes reach
        the server debounced, so they may not have arrived yet), then new offers."""
        self._put_dimension(name, value)
        return LabelDialogState.requote

    @rx.event
    def submit_parcel(self, form: dict):
        """Enter in any field: all four as the form has them, then new offers."""
        for name in PARCEL_FIELDS:
            if name in form:
                self._put_dimension(name, str(form[name]))
        return LabelDialogState.requote

    def _put_dimension(self, name: str, value: str) -> None:
        if name in PARCEL_FIELDS and not (self.buying or self.shipment_id):
            setattr(self, name, value[:12])
            self.field_errors = {k: v for k, v in self.field_errors.items() if k != name}

    @rx.event(background=True)
    async def requote(self):
        """Ask again for the parcel as typed (on leaving a field, or Enter); a parcel
        already quoted is not asked for twice."""
        async with self:
            if not self.is_open or self.buying or self.shipment_id:
                return
            parcel, errors = parse_parcel(self._typed())
            self.field_errors = errors
            if parcel is None or parcel_key(parcel) == self.quoted_parcel:
                return
            with session_scope() as session:
                gate = self._guard(session)
            if not isinstance(gate, Actor):
                return
            self.quoting, self.error = True, ""
            self._generation += 1
            generation, order_id = self._generation, self.order_id
        await self._quote(gate, order_id, parcel, generation)

    async def _quote(
        self, actor: Actor, order_id: str, parcel: ParcelSize | None, generation: int
    ) -> None:
        """Ask every carrier at once (in a thread); a newer quote or a closed dialog
        makes this answer stale, and it is dropped."""
        try:
            options = await asyncio.to_thread(
                label_options,
                current().engine,
                actor=actor,
                order_id=order_id,
                parcel=parcel,
                sandbox_transport=current().sandbox_transport,
            )
            failure = None
        except (ServiceError, DomainError) as exc:
            options, failure = None, exc
        async with self:
            if generation != self._generation or not self.is_open:
                return
            self.quoting = False
            if options is None:
                self._refused(failure)
                return
            if parcel is None:
                self._show_parcel(options.parcel)
            self.quoted_parcel = parcel_key(options.parcel)
            self.nothing_to_ship = options.parcel is None
            self.promised = fmt.day(options.promised)
            self.offers = offer_rows(options)
            self.unavailable = [
                UnavailableRow(carrier=carrier_title(name), reason=why)
                for name, why in sorted(options.unavailable.items())
            ]
            keys = {row.key for row in self.offers}
            if self.choice not in keys:
                best = options.preselected
                self.choice = f"{best.carrier}:{best.service}" if best else ""

    def _refused(self, error: Exception, carrier: str = "") -> None:
        if isinstance(error, ValidationFailed):
            parcel_errors = {
                e["field"]: f"{FIELD_LABELS[e['field']]} {e['message']}."
                for e in error.errors
                if e["field"] in PARCEL_FIELDS
            }
            others = [e for e in error.errors if e["field"] not in PARCEL_FIELDS]
            self.field_errors = parcel_errors
            self.error = refusal_text(carrier, ValidationFailed(others)) if others else ""
            if parcel_errors and not others:
                self.error = "The parcel was refused: see the fields above."
            return
        self.error = refusal_text(carrier, error)

    @rx.event
    def choose(self, key: str):
        if not self.buying and not self.shipment_id:
            self.choice = key
            self.error = ""

    # -- buying ------------------------------------------------------------------------

    @rx.event(background=True)
    async def buy(self):
        async with self:
            if self.buying or self.shipment_id or not self.choice:
                return
            if self.quoting or self._parcel_changed():
                self.error = "The parcel changed: check the new offers, then buy again."
                return
            with session_scope() as session:
                gate = self._guard(session)
            if not isinstance(gate, Actor):
                return
            self.buying, self.error = True, ""
            carrier, service = self.choice.split(":", 1)
            parcel, order_id = parse_parcel(self._typed())[0], self.order_id
        try:
            shipment = await asyncio.to_thread(
                buy_label,
                current().engine,
                actor=gate,
                order_id=order_id,
                carrier=carrier,
                service=service,
                parcel=parcel,
                sandbox_transport=current().sandbox_transport,
            )
            failure = None
        except (ServiceError, DomainError, CarrierError, NotImplementedError) as exc:
            shipment, failure = None, exc
        except Exception as exc:  # an unexpected bug must not leave the dialog spinning
            log.exception("buying a %s label for order %s failed", carrier, order_id)
            shipment, failure = None, exc
        async with self:
            self.buying = False
            if shipment is None:
                self._refused(failure, carrier)
                return
            self.shipment_id = shipment.id
            self.tracking_number = shipment.tracking_number
            self.bought_with = service_title(shipment.carrier, shipment.service)
            origin, number = self.origin, self.order_number
        # On the queue the order leaves the list at once; the order page is shown
        # afresh when the dialog closes (reloading it now would unmount the dialog).
        if origin == QUEUE:
            yield FulfillmentState.load
        yield rx.toast.success(
            f"Label bought for order {number}: tracking {shipment.tracking_number}"
        )

    # -- printing ----------------------------------------------------------------------

    @rx.event
    def download_label(self):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            try:
                pdf, name = shipments.label_pdf(session, actor=gate, shipment_id=self.shipment_id)
            except ServiceError as exc:
                return rx.toast.error(f"No label to print: {exc.detail}")
        return rx.download(data=pdf, filename=name, mime_type="application/pdf")

    @rx.event
    def download_slip(self):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            try:
                pdf = shipments.packing_slips(session, actor=gate, order_ids=[self.order_id])
            except ServiceError as exc:
                return rx.toast.error(f"No packing slip: {exc.detail}")
        return rx.download(
            data=pdf, filename=f"packing-slip-{self.order_number}.pdf", mime_type="application/pdf"
        )

    # -- closing -----------------------------------------------------------------------

    @rx.event
    def set_open(self, is_open: bool):
        return None if is_open else self._close()

    @rx.event
    def close(self):
        return self._close()

    def _close(self):
        if self.buying:
            return rx.toast.info("Wait a moment: the carrier is still answering.")
        bought, origin = bool(self.shipment_id), self.origin
        self.is_open = False
        self._generation += 1  # a quote still on its way is not shown
        self._forget()
        if bought and origin == DETAIL:
            return OrderDetailState.load
        return None
