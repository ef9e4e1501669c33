"""Carrier services as people read them: carriers answer with codes ("03", "P",
"FEDEX_2_DAY"); a seller choosing an offer reads "UPS Ground". Every title names
its carrier, so it reads alone on a page, a label list or an email."""

from __future__ import annotations

# The codes each carrier's rating API documents for its common services.
SERVICE_TITLES: dict[str, dict[str, str]] = {
    "fedex": {
        "FEDEX_GROUND": "FedEx Ground",
        "GROUND_HOME_DELIVERY": "FedEx Home Delivery",
        "FEDEX_EXPRESS_SAVER": "FedEx Express Saver",
        "FEDEX_2_DAY": "FedEx 2Day",
        "FEDEX_2_DAY_AM": "FedEx 2Day A.M.",
        "STANDARD_OVERNIGHT": "FedEx Standard Overnight",
        "PRIORITY_OVERNIGHT": "FedEx Priority Overnight",
        "FIRST_OVERNIGHT": "FedEx First Overnight",
        "INTERNATIONAL_ECONOMY": "FedEx International Economy",
        "INTERNATIONAL_PRIORITY": "FedEx International Priority",
        "FEDEX_INTERNATIONAL_PRIORITY": "FedEx International Priority",
    },
    "ups": {
        "01": "UPS Next Day Air",
        "02": "UPS 2nd Day Air",
        "03": "UPS Ground",
        "07": "UPS Worldwide Express",
        "08": "UPS Worldwide Expedited",
        "11": "UPS Standard",
        "12": "UPS 3 Day Select",
        "13": "UPS Next Day Air Saver",
        "14": "UPS Next Day Air Early",
        "54": "UPS Worldwide Express Plus",
        "59": "UPS 2nd Day Air A.M.",
        "65": "UPS Worldwide Saver",
    },
    "dhl": {
        "N": "DHL Express Domestic",
        "P": "DHL Express Worldwide",
        "D": "DHL Express Worldwide (documents)",
        "U": "DHL Express Worldwide (EU)",
        "K": "DHL Express 9:00",
        "T": "DHL Express 12:00",
        "Y": "DHL Express 12:00 (documents)",
        "H": "DHL Economy Select",
    },
    "usps": {
        "USPS_GROUND_ADVANTAGE": "USPS Ground Advantage",
        "PRIORITY_MAIL": "USPS Priority Mail",
        "PRIORITY_MAIL_EXPRESS": "USPS Priority Mail Express",
        "FIRST-CLASS_PACKAGE_INTERNATIONAL_SERVICE": "USPS First-Class Package International",
        "PRIORITY_MAIL_INTERNATIONAL": "USPS Priority Mail International",
        "PRIORITY_MAIL_EXPRESS_INTERNATIONAL": "USPS Priority Mail Express International",
    },
}


def service_title(carrier: str, code: str) -> str:
    """``service_title("ups", "03") == "UPS Ground"``; an unknown code reads as itself,
    made legible (``SOME_NEW_SERVICE`` -> ``Some new service``)."""
    known = SERVICE_TITLES.get(carrier, {}).get(code)
    if known:
        return known
    if code.isupper() and "_" in code:
        return code.replace("_", " ").capitalize()
    return code
