"""What a contact is, and the checks a contact must pass before it is saved.

Phones are kept as typed (what the rep or the list wrote) beside their E.164 form (what search,
duplicate checks and dialling use). Emails are checked for syntax only: no network, ever.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from functools import lru_cache
from uuid import UUID

from email_validator import EmailNotValidError, validate_email

from prospector.domain.phones import to_e164
from prospector.domain.stages import Stage, Temperature
from prospector.errors import ValidationError

# Fields a person types; stored as text (empty string never, None instead).
TEXT_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "full_name",
    "company",
    "title",
    "phone",
    "mobile",
    "email",
    "website",
    "address",
    "city",
    "postal_code",
    "country",
)


@dataclass(frozen=True)
class ContactFields:
    """The editable part of a contact, as the user (or a file) gives it."""

    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    company: str | None = None
    title: str | None = None
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None
    website: str | None = None
    address: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None
    birthday: date | None = None
    stage: Stage = Stage.SUSPECT
    temperature: Temperature = Temperature.COLD
    estimated_value_cents: int | None = None
    do_not_call: bool = False
    source_id: int | None = None
    custom_fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CleanContact:
    """Fields after validation, plus what is derived from them for search and duplicates."""

    fields: ContactFields
    phone_e164: str | None
    mobile_e164: str | None
    email_normalized: str | None
    phone_digits: str | None


@dataclass(frozen=True)
class Contact:
    """A saved contact, as services hand it out (never an ORM object)."""

    id: int
    uuid: UUID
    fields: ContactFields
    phone_e164: str | None
    mobile_e164: str | None
    score: int
    fit_grade: str | None
    next_follow_up: datetime | None
    import_run_id: int | None
    created_at: datetime
    updated_at: datetime

    @property
    def display_name(self) -> str:
        return display_name(self.fields)


@dataclass(frozen=True)
class ContactRow:
    """One line of the contact table: only what the table shows."""

    id: int
    name: str
    company: str
    phone: str
    email: str
    city: str
    stage: Stage
    temperature: Temperature
    source: str
    next_follow_up: datetime | None


def display_name(f: ContactFields) -> str:
    """The name a rep recognises: first + last, else the full name as listed, else the company."""
    parts = " ".join(p for p in (f.first_name, f.last_name) if p)
    return parts or f.full_name or f.company or ""


_SPACES = re.compile(r"\s+")


def tidy(value: str | None) -> str | None:
    """Trim, fold runs of white space and newlines to one space; empty becomes None."""
    if not value:
        return None
    value = value.strip()
    if "  " in value or "\n" in value or "\t" in value or "\r" in value or "\xa0" in value:
        value = _SPACES.sub(" ", value)
    return value or None


@lru_cache(maxsize=8192)
def normalize_phone(typed: str, default_region: str) -> str | None:
    """E.164 form of a typed phone number, or None when it cannot be a phone number.

    Cached: purchased lists repeat switchboard numbers many times, mostly a company's rows
    together. Small: an entry holds ~300 bytes, and at 65,536 entries the cache was ~14 MB of
    a million-row import's cleaning worker while most numbers of a list are seen once.
    """
    return to_e164(typed, default_region)


_PLAIN_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


def normalize_email(typed: str) -> str | None:
    """Lower-cased, validated email, or None when it is not a valid address (syntax only)."""
    candidate = typed.strip()
    if _PLAIN_EMAIL.match(candidate) and ".." not in candidate:
        return candidate.lower()  # the common case, without the full validator's cost
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


_NOT_ASCII_DIGIT = re.compile(r"[^0-9]")


def phone_digits(*typed_and_e164: str | None) -> str | None:
    """Digit-only tokens for phone search: '0612345678 33612345678'.

    A rep types a number the way they see it, with or without the trunk zero or country code,
    so both forms are indexed as tokens that a prefix search can hit.
    """
    tokens: list[str] = []
    for value in typed_and_e164:
        if not value:
            continue
        if value.isascii():  # nearly always: for ASCII, isdigit() means 0-9 (5x cheaper)
            digits = _NOT_ASCII_DIGIT.sub("", value)
        else:
            digits = "".join(ch for ch in value if ch.isdigit())
        if len(digits) >= 3 and digits not in tokens:
            tokens.append(digits)
    return " ".join(tokens) or None


def fold_text(value: str) -> str:
    """Case- and accent-insensitive form, for comparisons and quick matching."""
    if value.isascii():  # most list text: nothing to decompose (10x cheaper)
        return value.lower()
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_WORDS = re.compile(r"\w+")


def name_key(first: str | None, last: str | None, full: str | None) -> str | None:
    """The folded, sorted words of a name: 'DUPONT Jean', 'Jean Dupont' -> 'dupont jean'.

    Indexed, it finds a possible duplicate among a million contacts without a scan; the
    migration that added it (0003) fills old rows with the same rule, and a test keeps them equal.
    """
    text = " ".join(p for p in (first, last) if p) or full or ""
    words = sorted(_WORDS.findall(fold_text(text)))
    return " ".join(words) or None


def clean_contact(f: ContactFields, default_region: str, today: date | None = None) -> CleanContact:
    """Tidy and check typed fields; raise ValidationError naming each bad field.

    Raises:
        ValidationError: with one plain-words problem per field that cannot be saved.
    """
    tidied = {name: tidy(getattr(f, name)) for name in TEXT_FIELDS}
    problems: dict[str, str] = {}
    if not any(tidied[n] for n in ("first_name", "last_name", "full_name", "company")):
        problems["name"] = "give at least a name or a company"

    email_norm = None
    if tidied["email"]:
        email_norm = normalize_email(tidied["email"])
        if email_norm is None:
            problems["email"] = f"'{tidied['email']}' is not a valid email address"

    e164: dict[str, str | None] = {"phone": None, "mobile": None}
    for name in ("phone", "mobile"):
        typed = tidied[name]
        if typed:
            e164[name] = normalize_phone(typed, default_region)
            if e164[name] is None:
                label = "phone" if name == "phone" else "mobile"
                problems[name] = f"'{typed}' is not a valid {label} number"

    if f.estimated_value_cents is not None and f.estimated_value_cents < 0:
        problems["estimated_value"] = "the estimated value cannot be negative"
    if f.birthday is not None and f.birthday > (today or date.today()):
        problems["birthday"] = "the birthday is in the future"

    if problems:
        raise ValidationError(problems)

    stage = Stage(f.stage)
    clean = replace(
        f,
        **tidied,
        stage=stage,
        temperature=Temperature(f.temperature),
        do_not_call=f.do_not_call or stage == Stage.DO_NOT_CALL,
    )
    return CleanContact(
        fields=clean,
        phone_e164=e164["phone"],
        mobile_e164=e164["mobile"],
        email_normalized=email_norm,
        phone_digits=phone_digits(tidied["phone"], e164["phone"], tidied["mobile"], e164["mobile"]),
    )


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(ContactFields))
