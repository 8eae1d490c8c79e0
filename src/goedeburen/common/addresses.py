"""Read a postal address as people type it into one text field: street, postcode, town,
country.

An e-invoice states the address in parts (EN 16931 BG-5/BG-8): a country code always, and
for a Dutch party street, postcode and town (NL-R-002, NL-R-004). People type an address
on several lines or on one, with the postcode before the town ("3527 HT Utrecht", "1000
Bruxelles", "75008 Paris CEDEX", "SW1A 1AA London") or after it ("London SW1A 1AA",
"Washington, DC 20500"), and the country in Dutch, English, their own language or not at
all. Without a country an address is Dutch when it has a Dutch postcode; any other needs
its country on the last line (`address_problem`).
"""

import gettext
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .text import tidy_lines

# Country names people write that the ISO list does not hold (everyday names, old names,
# nations within a country), by ISO 3166 code; every country's ISO names and codes and its
# names in `_LANGUAGES` come from pycountry (`countries`). Compared without case and accents.
_NAMES = {
    "NL": "Nederland, Netherlands, The Netherlands, Holland, NL, NLD, Pays-Bas, Niederlande",
    "BE": "België, Belgium, Belgique, Belgien, BE, BEL",
    "LU": "Luxemburg, Luxembourg, LU, LUX",
    "DE": "Duitsland, Germany, Deutschland, Bundesrepublik Deutschland, DE, DEU, Allemagne",
    "FR": "Frankrijk, France, FR, FRA, Frankreich",
    "GB": (
        "Verenigd Koninkrijk, United Kingdom, UK, GB, GBR, Great Britain, Groot-Brittannië, "
        "England, Engeland, Scotland, Schotland, Wales, Northern Ireland, Noord-Ierland"
    ),
    "IE": "Ierland, Ireland, Éire, IE, IRL",
    "CH": "Zwitserland, Switzerland, Schweiz, Suisse, Svizzera, CH, CHE",
    "AT": "Oostenrijk, Austria, Österreich, AT, AUT",
    "DK": "Denemarken, Denmark, Danmark, DK, DNK",
    "NO": "Noorwegen, Norway, Norge, NO, NOR",
    "SE": "Zweden, Sweden, Sverige, SE, SWE",
    "FI": "Finland, Suomi, FI, FIN",
    "IS": "IJsland, Iceland, Ísland, IS",
    "ES": "Spanje, Spain, España, ES, ESP",
    "PT": "Portugal, PT, PRT",
    "IT": "Italië, Italy, Italia, IT, ITA",
    "GR": "Griekenland, Greece, Ελλάδα, Ελλάς, Hellas, GR, GRC",
    "PL": "Polen, Poland, Polska, PL, POL",
    "CZ": "Tsjechië, Czech Republic, Czechia, Česko, Česká republika, CZ, CZE",
    "SK": "Slowakije, Slovakia, Slovensko, SK",
    "HU": "Hongarije, Hungary, Magyarország, HU",
    "SI": "Slovenië, Slovenia, Slovenija, SI",
    "HR": "Kroatië, Croatia, Hrvatska, HR",
    "RO": "Roemenië, Romania, România, RO",
    "BG": "Bulgarije, Bulgaria, България, BG",
    "EE": "Estland, Estonia, Eesti, EE",
    "LV": "Letland, Latvia, Latvija, LV",
    "LT": "Litouwen, Lithuania, Lietuva, LT",
    "CY": "Cyprus, Κύπρος, CY",
    "MT": "Malta, MT",
    "UA": "Oekraïne, Ukraine, Україна, UA",
    "RS": "Servië, Serbia, Србија, RS",
    "TR": "Turkije, Turkey, Türkiye, TR",
    "MA": "Marokko, Morocco, Maroc, المغرب, MA",
    "SR": "Suriname, SR",
    "CW": "Curaçao, CW",
    "AW": "Aruba, AW",
    "SX": "Sint Maarten, SX",
    "US": "Verenigde Staten, United States, United States of America, USA, US, U.S.A.",
    "CA": "Canada, CA",
    "AU": "Australië, Australia, AU",
    "NZ": "Nieuw-Zeeland, New Zealand, NZ",
    "JP": "Japan, 日本, JP",
    "CN": "China, 中国, 中华人民共和国, CN",
    "IN": "India, IN",
    "ID": "Indonesië, Indonesia, ID",
    "ZA": "Zuid-Afrika, South Africa, ZA",
    "BR": "Brazilië, Brazil, Brasil, BR",
    "IL": "Israël, Israel, IL",
    "AE": "Verenigde Arabische Emiraten, United Arab Emirates, UAE, AE",
    "SG": "Singapore, SG",
}


def _key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


# The languages whose country names are read besides English: those of the conference and
# of the neighbours and larger groups of people who live in the Netherlands.
_LANGUAGES = ("nl", "de", "fr", "es", "it", "pt", "pl", "tr", "ar", "uk", "ru", "zh_CN")


@cache
def countries() -> dict[str, str]:
    """Return {country name or code as compared: ISO 3166-1 alpha-2 code}, for every
    country: its ISO codes, names (official and common) and names in `_LANGUAGES`."""
    found: dict[str, str] = {}
    catalogues = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in _LANGUAGES
    ]
    for country in pycountry.countries:
        names = {country.alpha_2, country.alpha_3, country.name}
        names |= {getattr(country, a, "") for a in ("official_name", "common_name")}
        names |= {catalogue.gettext(country.name) for catalogue in catalogues}
        found.update((_key(name), country.alpha_2) for name in names if name)
    # The everyday names last: "Holland" and "UK" are what people mean by them.
    found.update((_key(name), code) for code, names in _NAMES.items() for name in names.split(", "))
    return found


# Postcodes, written around the town in the orders people use.
_NL = r"(?P<nl>\d{4})\s*(?P<nl_letters>[A-Za-z]{2})"
_UK = r"(?P<uk>[A-Za-z]{1,2}\d[A-Za-z\d]?)\s*(?P<uk_end>\d[A-Za-z]{2})"
_EIRCODE = r"[A-Za-z]\d[\dWw]\s?[A-Za-z\d]{4}"
_DIGITS = r"\d{3,6}(?:-\d{3,4})?"
# "B-1000", "CH-3003", "D-10117": a country's car sign before the postcode.
_SIGNS = {"NL": "NL", "B": "BE", "D": "DE", "F": "FR", "CH": "CH", "A": "AT", "L": "LU"}
_SIGN = r"(?:(?P<sign>NL|B|D|F|CH|A|L)-\s?)?"
_ONE_LINE = re.compile(rf"^(.+?)\s+((?:{_NL}|{_UK})\s.+)$")
_ROWS = [
    re.compile(rf"^{_SIGN}{_NL}(?![A-Za-z])[\s,]*(?P<city>.*)$"),
    re.compile(rf"^(?P<city>.+?)[\s,]+{_NL}$"),
    re.compile(rf"^{_UK}(?:[\s,]+(?P<city>.*))?$"),
    re.compile(rf"^(?P<city>.+?)[\s,]+{_UK}$"),
    re.compile(rf"^(?P<city>.+?)[\s,]+(?P<other>{_EIRCODE})$"),
    re.compile(rf"^{_SIGN}(?:〒\s?)?(?P<other>{_DIGITS})[\s,]+(?P<city>.+)$"),
    re.compile(rf"^(?P<city>.+?)[\s,]+(?P<other>{_DIGITS})$"),
]


@dataclass(frozen=True, kw_only=True)
class Address:
    """An address in the parts an e-invoice has; "" where the text holds none."""

    street: str
    more: str  # other lines: a second street line, "t.a.v. …", a PO box's department
    city: str
    postcode: str
    country: str  # ISO 3166-1 alpha-2; "" when neither named nor clear from the postcode


def country_code(text: str) -> str:
    """Return the ISO code of a country name as people write it, or ""."""
    return countries().get(_key(text.strip(" .,;")), "")


def _rows(text: str) -> list[str]:
    rows = tidy_lines(text).split("\n")
    if len(rows) == 1:  # typed on one line: "Lindelaan 1, 3701 AA Zeist, Nederland"
        rows = [part.strip() for part in re.split(r"[,;]\s+|\s+-\s+|\s*\|\s*", rows[0])]
    if len(rows) == 1:  # and without commas: "Lindelaan 1 3701 AA Zeist"
        rows = list(_ONE_LINE.match(rows[0]).groups()) if _ONE_LINE.match(rows[0]) else rows
    return [row for row in rows if row]


def _postcode(found: re.Match) -> tuple[str, str]:
    """Return (postcode as written on Dutch and British post, country it shows or "")."""
    parts = found.groupdict()
    sign = _SIGNS.get((parts.get("sign") or "").upper(), "")
    if parts.get("nl"):
        return f"{parts['nl']} {parts['nl_letters'].upper()}", "NL"
    if parts.get("uk"):
        return f"{parts['uk'].upper()} {parts['uk_end'].upper()}", "GB"
    return parts["other"].upper(), sign


def parse_address(text: str) -> Address:
    """Return the parts of an address as people type it (see the module's docstring)."""
    rows = _rows(text)
    country = country_code(rows[-1]) if len(rows) > 1 else ""
    if country:
        rows.pop()
    start = 1 if len(rows) > 1 else 0  # the first line is the street, whatever it holds
    for n in range(len(rows) - 1, start - 1, -1):
        for pattern in _ROWS:
            found = pattern.match(rows[n])
            if not found:
                continue
            postcode, shown = _postcode(found)
            if shown == "GB" and country not in ("", "GB", "IE"):
                continue  # "DC 20500" is no British postcode, whatever it looks like
            if shown == "NL" and country not in ("", "NL"):
                shown = ""
            city = (found.groupdict().get("city") or "").strip(" ,")
            rest = rows[:n] + rows[n + 1 :]
            if not city and n + 1 < len(rows):
                city = rest.pop(n)  # "London" below its postcode
            elif not city and n > start:
                city = rest.pop(n - 1)  # "London" above its postcode
            return Address(
                street=rest[0] if start else "",
                more=", ".join(rest[1:] if start else rest),
                city=city,
                postcode=postcode,
                country=country or shown,
            )
    return Address(
        street=rows[0] if len(rows) > 1 else "",
        more=", ".join(rows[1:-1]),
        city=rows[-1] if rows else "",
        postcode="",
        country=country,
    )


NO_COUNTRY = _(
    "Add the postcode, such as 3527 HT Utrecht. For an address abroad, write the country on "
    "the last line, such as Belgium."
)
DUTCH_INCOMPLETE = _(
    "A Dutch address needs the street and number (or PO box), the postcode and the town, "
    "each on its own line, such as: Beneluxlaan 9, 3527 HT Utrecht."
)


def address_problem(text: str) -> str:
    """Return why an invoice cannot be sent to the address, or "" when it can."""
    address = parse_address(text)
    if not address.country:
        return NO_COUNTRY
    if address.country == "NL" and not (address.street and address.postcode and address.city):
        return DUTCH_INCOMPLETE
    return ""


def validate_invoice_address(value: str) -> None:
    """Raise `ValidationError` (code "address") when an invoice cannot name the address."""
    problem = address_problem(value)
    if problem:
        raise ValidationError(problem, code="address")
