"""The order page's "Change address" dialog: the address form (filled with where the
order goes now), a preview of the new shipping cost, the date and what is charged or
refunded, then the change itself. Each step calls one service as the person signed in
(``services.address_change``); a bad field is said next to it, a refusal in the rule's
words."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.domain.address_change import Settlement
from oms_dashboard.domain.errors import DomainError
from oms_dashboard.formatting.addresses import address_lines
from oms_dashboard.formatting.money import format_money
from oms_dashboard.services import address_change
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.errors import ServiceError, ValidationFailed
from oms_dashboard.services.orders import get_order
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.order_detail import OrderDetailState
from oms_dashboard.ui.states.order_service import Outcome

FIELDS = ("name", "line1", "line2", "city", "region", "postal_code")
PREFIX = f"{address_change.FIELD}."


@dataclass
class AddressForm:
    name: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass
class AddressErrors:
    """The message next to each field ("" where the field is fine)."""

    name: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    form: str = ""
    """A refusal not about one field (the order shipped meanwhile...)."""


@dataclass
class AddressPreview:
    ship_to: str = ""
    shipping_before: str = ""
    shipping_after: str = ""
    settlement: str = ""
    """none, charge or refund."""
    money_words: str = ""
    """What happens to the difference, in a sentence."""
    delivery: str = ""
    previous_delivery: str = ""


def preview_of(quote: address_change.AddressQuote) -> AddressPreview:
    cur = quote.currency
    amount = format_money(abs(quote.difference_minor), cur)
    words = {
        Settlement.CHARGE: f"{amount} more is charged to the payment method used for "
        "this order before the address changes.",
        Settlement.REFUND: f"{amount} is refunded to the payment method used for this order.",
        Settlement.NONE: "Shipping costs the same: nothing is charged or refunded.",
    }[quote.settlement]
    return AddressPreview(
        ship_to="\n".join(_lines(quote.address)),
        shipping_before=format_money(quote.shipping_before_minor, cur),
        shipping_after=format_money(quote.shipping_after_minor, cur)
        if quote.shipping_after_minor
        else "Free",
        settlement=quote.settlement.value,
        money_words=words,
        delivery=fmt.day(quote.estimated_delivery),
        previous_delivery=fmt.day(quote.previous_estimated_delivery),
    )


def changed_outcome(outcome: address_change.AddressChangeOutcome) -> Outcome:
    quote, cur = outcome.quote, outcome.quote.currency
    said = f"Delivery address changed: the order now goes to {quote.address.city}. "
    if outcome.charge is not None:
        said += f"{format_money(outcome.charge.amount_minor, cur)} more was charged for shipping. "
    elif outcome.refund is not None:
        said += f"{format_money(outcome.refund.amount_minor, cur)} is being refunded. "
    else:
        said += "Shipping costs the same. "
    said += f"Expected delivery: {fmt.day(quote.estimated_delivery)}. The seller is told."
    return Outcome(said, "done")


def _lines(address) -> list[str]:
    return address_lines(**address.to_dict())


class OrderAddressState(OrderDetailState):
    address_open: bool = False
    address_step: str = "form"
    """``form`` (typing the address) or ``preview`` (the price, before confirming)."""
    address_form: AddressForm = AddressForm()
    address_errors: AddressErrors = AddressErrors()
    address_preview: AddressPreview = AddressPreview()
    address_busy: bool = False

    def _gate(self):
        with session_scope() as session:
            return self._guard(session)

    @rx.event
    def open_address(self):
        """Open the dialog on the form, filled with where the order goes now."""
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            order = get_order(session, actor=gate, order_id=self.order.id)
            self.address_form = AddressForm(
                name=order.ship_name,
                line1=order.ship_line1,
                line2=order.ship_line2 or "",
                city=order.ship_city,
                region=order.ship_region or "",
                postal_code=order.ship_postal_code,
                country=order.ship_country,
            )
        self.address_errors, self.address_preview = AddressErrors(), AddressPreview()
        self.address_step, self.address_open = "form", True
        return None

    @rx.event
    def set_address_open(self, is_open: bool):
        self.address_open = is_open

    @rx.event
    def back_to_address_form(self):
        self.address_step = "form"

    @rx.event
    def preview_address(self, form: dict):
        raw = {f: str(form.get(f, "")).strip() for f in FIELDS}
        self.address_form = AddressForm(**raw, country=self.address_form.country)
        gate = self._gate()
        if not isinstance(gate, Actor):
            return gate
        try:
            with session_scope() as session:
                quote = address_change.preview_address_change(
                    session, actor=gate, order_id=self.order.id, shipping_address=self._raw()
                )
        except ValidationFailed as exc:
            self.address_errors = _errors_of(exc)
            return None
        except (ServiceError, DomainError) as exc:
            self.address_errors = AddressErrors(form=exc.detail)
            return None
        self.address_errors = AddressErrors()
        self.address_preview = preview_of(quote)
        self.address_step = "preview"
        return None

    @rx.event
    def confirm_address(self):
        self.address_busy = True
        yield
        raw = self._raw()
        redirect = self._run_action(
            lambda engine, actor: address_change.apply_address_change(
                engine,
                actor=actor,
                order_id=self.order.id,
                shipping_address=raw,
                provider=current().payment_provider,
            ),
            changed_outcome,
        )
        self.address_busy, self.address_open = False, False
        if redirect is not None:
            yield redirect

    def _raw(self) -> dict[str, str]:
        form = self.address_form
        return {
            "name": form.name,
            "line1": form.line1,
            "line2": form.line2 or None,
            "city": form.city,
            "region": form.region or None,
            "postal_code": form.postal_code,
            "country": form.country,
        }


def _errors_of(exc: ValidationFailed) -> AddressErrors:
    errors = AddressErrors()
    for error in exc.errors:
        name = error["field"].removeprefix(PREFIX)
        if name in FIELDS or name == "country":
            if not getattr(errors, name):
                setattr(errors, name, error["message"])
        else:
            errors.form = f"{errors.form} {error['message']}".strip()
    return errors
