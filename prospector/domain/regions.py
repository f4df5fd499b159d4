"""Which phone numbering region a contact's country implies.

A list that mixes countries has numbers typed in national form ('06 12 34 56 78'); they can only
be read right with the contact's own country, falling back to the office's default country.
"""

from __future__ import annotations

import phonenumbers

from prospector.domain.contacts import fold_text

# Country names as lists write them (English, French, German, Romanian, Croatian, Macedonian).
_NAMES: dict[str, str] = {
    "france": "FR",
    "romania": "RO",
    "roumanie": "RO",
    "rumanien": "RO",
    "croatia": "HR",
    "croatie": "HR",
    "hrvatska": "HR",
    "kroatien": "HR",
    "germany": "DE",
    "allemagne": "DE",
    "deutschland": "DE",
    "germania": "DE",
    "njemacka": "DE",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "royaume-uni": "GB",
    "united states": "US",
    "usa": "US",
    "united states of america": "US",
    "etats-unis": "US",
    "north macedonia": "MK",
    "macedonia": "MK",
    "македонија": "MK",
    "северна македонија": "MK",
    "belgium": "BE",
    "belgique": "BE",
    "switzerland": "CH",
    "suisse": "CH",
    "schweiz": "CH",
    "austria": "AT",
    "osterreich": "AT",
    "italy": "IT",
    "italie": "IT",
    "spain": "ES",
    "espagne": "ES",
    "canada": "CA",
    "serbia": "RS",
    "srbija": "RS",
    "slovenia": "SI",
    "slovenija": "SI",
    "bulgaria": "BG",
    "moldova": "MD",
    "luxembourg": "LU",
    "netherlands": "NL",
    "ireland": "IE",
}

SUPPORTED_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)


def region_for_country(country: str | None, default: str) -> str:
    """The phone region for a country name or ISO code, else ``default``."""
    if not country:
        return default
    key = fold_text(country.strip())
    if len(key) == 2 and key.upper() in SUPPORTED_REGIONS:
        return key.upper()
    return _NAMES.get(key, default)
