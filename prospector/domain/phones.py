"""Phone numbers to E.164, fast for the common case and exact for every case.

phonenumbers costs ~60 µs a number here, and a purchased list has 1.5 numbers a row, so it alone
would cap an import near 10,000 rows a second. Most numbers are typed plainly (digits, spaces,
dots, dashes; a '+' or '00' or the trunk '0' in front) in countries whose numbering needs no
transformation: those are converted here from phonenumbers' own metadata. Anything else, and
any number whose length is not one phonenumbers calls possible, goes to phonenumbers itself. A
test compares both paths on many thousands of numbers.
"""

from __future__ import annotations

import re
from functools import cache

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

_PLAIN = re.compile(r"^\+?[\d\s.\-/]{4,24}$")
_NOT_DIGIT = re.compile(r"\D")


@cache
def _simple_region(
    region: str,
) -> tuple[str, str | None, frozenset[int], frozenset[int], re.Pattern[str]] | None:
    """Where numbering is plain: (country code, trunk prefix, lengths, local-only lengths,
    number pattern)."""
    meta = PhoneMetadata.metadata_for_region(region)
    if meta is None or meta.national_prefix_transform_rule is not None:
        return None
    prefix = meta.national_prefix
    parsing = meta.national_prefix_for_parsing
    if parsing not in (None, prefix) and not (region == "GB" and parsing == "0|180020"):
        return None
    desc = meta.general_desc
    lengths = frozenset(desc.possible_length or ())
    local_only = frozenset(desc.possible_length_local_only or ())
    pattern = re.compile(desc.national_number_pattern or ".*")
    return str(meta.country_code), prefix, lengths, local_only, pattern


@cache
def _international_prefix(region: str) -> str | None:
    meta = PhoneMetadata.metadata_for_region(region)
    return meta.international_prefix if meta is not None else None


def _split_country_code(digits: str) -> tuple[str, str] | None:
    if digits.startswith("0"):
        return None
    for size in (1, 2, 3):
        code = int(digits[:size]) if digits[:size].isdigit() else -1
        if code in COUNTRY_CODE_TO_REGION_CODE:
            return digits[:size], digits[size:]
    return None


def fast_e164(typed: str, region: str) -> str | None:
    """E.164 for a plainly typed number, or None when only phonenumbers can tell."""
    text = typed.strip()
    if not _PLAIN.match(text):
        return None
    digits = _NOT_DIGIT.sub("", text)
    if digits.startswith("00") and not text.startswith("+"):
        if _international_prefix(region) != "00":
            return None  # '00' dials abroad only where that is the exit code (not US, JP…)
        digits = digits[2:]
        text = "+" + digits
    if text.startswith("+"):
        split = _split_country_code(digits)
        if split is None:
            return None
        code, national = split
        main_region = COUNTRY_CODE_TO_REGION_CODE[int(code)][0]
        simple = _simple_region(main_region)
        if simple is None or (simple[1] and national.startswith(simple[1])):
            return None  # '+33 0 6…' and the like: phonenumbers knows what to strip
    else:
        simple = _simple_region(region)
        if simple is None:
            return None
        code, prefix, lengths, _local_only, pattern = simple
        if prefix:
            if not digits.startswith(prefix) or digits.startswith("180020"):
                return None
            national = digits[len(prefix) :]
            # phonenumbers keeps the trunk digit when only the number with it is well formed,
            # or when the rest is not a full-length number: leave those cases to it.
            if pattern.fullmatch(digits) and not pattern.fullmatch(national):
                return None
            if len(national) not in lengths:
                return None
        else:
            national = digits
    if not national or national[0] == "0":
        return None  # Italian-style leading zeros, exit codes like Mexico's 09: phonenumbers
    if not simple[4].fullmatch(national):
        return None  # not a well-formed number there: let phonenumbers judge it
    if len(national) not in simple[2] | simple[3]:
        return None
    return f"+{code}{national}"


def slow_e164(typed: str, region: str) -> str | None:
    """phonenumbers' answer: E.164 if the number is possible, else None."""
    try:
        parsed = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def to_e164(typed: str, region: str) -> str | None:
    return fast_e164(typed, region) or slow_e164(typed, region)
