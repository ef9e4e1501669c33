"""How a carrier's service reads to a person: ``UPS Ground``, not ``ups 03``.

Shipments keep the carrier's own service code (what its API takes); the demo's
shipments keep a name already. Codes not listed here read as their words.
"""

from __future__ import annotations

BRANDS = {"fedex": "FedEx", "ups": "UPS", "dhl": "DHL", "usps": "USPS"}

SERVICE_NAMES: dict[str, dict[str, str]] = {
    "fedex": {
        "FEDEX_GROUND": "Ground",
        "GROUND_HOME_DELIVERY": "Home Delivery",
        "FEDEX_2_DAY": "2Day",
        "FEDEX_2_DAY_AM": "2Day A.M.",
        "FEDEX_EXPRESS_SAVER": "Express Saver",
        "STANDARD_OVERNIGHT": "Standard Overnight",
        "PRIORITY_OVERNIGHT": "Priority Overnight",
        "FIRST_OVERNIGHT": "First Overnight",
        "INTERNATIONAL_PRIORITY": "International Priority",
        "INTERNATIONAL_ECONOMY": "International Economy",
        "FEDEX_INTERNATIONAL_PRIORITY": "International Priority",
    },
    "ups": {
        "01": "Next Day Air",
        "02": "2nd Day Air",
        "03": "Ground",
        "07": "Worldwide Express",
        "08": "Worldwide Expedited",
        "11": "Standard",
        "12": "3 Day Select",
        "13": "Next Day Air Saver",
        "14": "Next Day Air Early",
        "54": "Worldwide Express Plus",
        "59": "2nd Day Air A.M.",
        "65": "Worldwide Saver",
    },
    "dhl": {
        "N": "Express Domestic",
        "P": "Express Worldwide",
        "D": "Express Worldwide",
        "U": "Express Worldwide",
        "K": "Express 9:00",
        "T": "Express 12:00",
        "H": "Economy Select",
        "W": "Economy Select",
    },
    "usps": {
        "USPS_GROUND_ADVANTAGE": "Ground Advantage",
        "PRIORITY_MAIL": "Priority Mail",
        "PRIORITY_MAIL_EXPRESS": "Priority Mail Express",
        "FIRST-CLASS_PACKAGE_SERVICE": "First-Class Package",
        "PARCEL_SELECT": "Parcel Select",
        "FIRST-CLASS_PACKAGE_INTERNATIONAL_SERVICE": "First-Class Package International",
        "PRIORITY_MAIL_INTERNATIONAL": "Priority Mail International",
        "PRIORITY_MAIL_EXPRESS_INTERNATIONAL": "Priority Mail Express International",
    },
}


def service_name(carrier: str, service: str) -> str:
    """``("ups", "03")`` -> ``Ground``; ``("fedex", "FEDEX_GROUND")`` -> ``Ground``."""
    known = SERVICE_NAMES.get(carrier, {}).get(service.strip().upper())
    if known:
        return known
    if not service.isupper():
        return service  # already a name ("Ground", "Express Worldwide")
    words = service.replace("_", " ").split()
    brand = BRANDS.get(carrier, "").upper()
    if words and words[0] == brand:
        words = words[1:]
    return " ".join(w.capitalize() for w in words) or service


def service_title(carrier: str, service: str) -> str:
    """The carrier's brand and the service: ``DHL Express Worldwide``, ``UPS Ground``."""
    brand = BRANDS.get(carrier, carrier.upper())
    return f"{brand} {service_name(carrier, service)}".strip()
