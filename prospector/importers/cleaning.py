"""Turn one row of a list into a contact, listing the row's problems rather than hiding them.

An import keeps what the file says: a phone that cannot be read stays as typed (without its
E.164 form) and the row notes "phone not valid"; a row is rejected only when nothing in it can
identify a person or a company.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from prospector.domain.contacts import (
    CleanContact,
    ContactFields,
    normalize_email,
    normalize_phone,
    phone_digits,
    tidy,
)
from prospector.domain.regions import region_for_country
from prospector.importers.mapping import ColumnMapping, Target
from prospector.importers.rows import CellValue, RawRow, cell_text
from prospector.importers.table import Column

_TEXT_TARGETS = (
    Target.FIRST_NAME,
    Target.LAST_NAME,
    Target.FULL_NAME,
    Target.COMPANY,
    Target.TITLE,
    Target.PHONE,
    Target.MOBILE,
    Target.EMAIL,
    Target.WEBSITE,
    Target.ADDRESS,
    Target.CITY,
    Target.POSTAL_CODE,
    Target.COUNTRY,
)
_CASED = ("first_name", "last_name", "full_name", "city")
_DATE = re.compile(r"^\s*(\d{1,4})[./\-](\d{1,2})[./\-](\d{1,4})\s*$")
_AMOUNT_GROUPS = re.compile(r"-?[\d.,]*\d[\d.,]*")  # what is left without currency and spaces
_THOUSANDS_GROUP = re.compile(r"^\d{3}([.,]\d+)?$")
_THOUSANDS_ONLY = re.compile(r"^-?\d{1,3}([.,])\d{3}(\1\d{3})*$")
# Where "1,200" means one thousand two hundred; elsewhere a lone comma is the decimal mark.
COMMA_THOUSANDS_REGIONS = frozenset({"US", "GB", "CA", "AU", "NZ", "IE", "IN", "PH", "MX", "JP"})


# slots: a million-row list can carry a few hundred thousand of these (~100 bytes less each).
@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int
    code: str  # stable: 'phone.invalid', 'email.invalid', 'date.ambiguous', 'row.no_identity'
    detail: str


@dataclass(frozen=True)
class CleanedRow:
    row: int
    contact: CleanContact | None  # None: rejected
    problems: tuple[RowProblem, ...]


def detect_date_order(values: Iterable[str]) -> str | None:
    """'dmy' or 'mdy' when some value proves it (a part over 12), else None."""
    for value in values:
        match = _DATE.match(value)
        if not match or len(match.group(1)) == 4:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 >= second:
            return "dmy"
        if second > 12 >= first:
            return "mdy"
    return None


def parse_date(value: CellValue, order: str) -> tuple[date | None, bool]:
    """(date, ambiguous). Excel dates come typed; text dates are read in the column's order."""
    if isinstance(value, datetime):
        return value.date(), False
    if isinstance(value, date):
        return value, False
    match = _DATE.match(cell_text(value))
    if not match:
        return None, False
    a, b, c = match.groups()
    try:
        if len(a) == 4:
            return date(int(a), int(b), int(c)), False
        first, second, year = int(a), int(b), int(c)
        if year < 100:
            year += 1900 if year > 30 else 2000
        ambiguous = first <= 12 and second <= 12 and first != second
        day, month = (first, second) if order == "dmy" else (second, first)
        return date(year, month, day), ambiguous
    except ValueError:
        return None, False


def parse_amount(value: CellValue, region: str) -> int | None:
    """An amount in cents, or None when the text is not a number ('test', '12 or 13').

    Excel gives numbers typed; text amounts carry currency signs and the writer's separators:
    '1 200,50 €', '€1,200.50', '1.200' (German thousands), '12,5' (French decimals).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return round(value * 100)
    text = cell_text(value).strip()
    if not text or re.search(r"[a-zA-Z]{4,}", text):
        return None  # words are not an amount ('test', 'unknown'); 'EUR' and 'lei' are noise
    groups = _AMOUNT_GROUPS.findall(text)
    if not groups or any(not _THOUSANDS_GROUP.match(g) for g in groups[1:]):
        return None  # '12 or 13', '5 6': two numbers, not '1 200' with a thousands space
    digits = "".join(groups)
    if digits.count("-") > (1 if digits.startswith("-") else 0) or not re.search(r"\d", digits):
        return None
    if "," in digits and "." in digits:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        digits = digits.replace(thousands, "").replace(decimal, ".")
    elif (match := _THOUSANDS_ONLY.match(digits)) and (
        match.group(2) is not None or match.group(1) == "." or region in COMMA_THOUSANDS_REGIONS
    ):
        digits = digits.replace(",", "").replace(".", "")
    elif digits.count(",") + digits.count(".") > 1:
        return None
    else:
        digits = digits.replace(",", ".")
    try:
        return round(float(digits) * 100)
    except ValueError:
        return None


_WORD_START = re.compile(r"(^|[\s\-'’])(\w)", re.UNICODE)


def sensible_case(value: str | None) -> str | None:
    """'LEFÈVRE' -> 'Lefèvre', 'jean-luc' -> 'Jean-Luc'; mixed case is left as typed."""
    if not value or not (value.isupper() or value.islower()) or len(value) < 2:
        return value
    lowered = value.lower()
    return _WORD_START.sub(lambda m: m.group(1) + m.group(2).upper(), lowered)


class RowCleaner:
    """Cleans rows of one table under one mapping; caches make repeated values cheap."""

    def __init__(
        self,
        columns: list[Column],
        mapping: ColumnMapping,
        default_region: str,
        *,
        source_id: int | None = None,
        do_not_call: frozenset[str] = frozenset(),
    ) -> None:
        self._default_region = default_region
        self._source_id = source_id
        self._do_not_call = do_not_call
        self._split = mapping.split_full_name
        self._targets: dict[Target, int] = {}
        self._custom: list[tuple[int, str]] = []
        for column in columns:
            target = mapping.target_of(column.name)
            if target is None:
                self._custom.append((column.index, column.name))
            elif target != Target.IGNORE and target not in self._targets:
                self._targets[target] = column.index
        birthday = self._targets.get(Target.BIRTHDAY)
        samples = columns[birthday].samples if birthday is not None else ()
        month_first = default_region in ("US", "CA", "PH")
        self._date_order = detect_date_order(samples) or ("mdy" if month_first else "dmy")
        self._text_columns = tuple((t.value, self._targets.get(t)) for t in _TEXT_TARGETS)
        self._birthday = self._targets.get(Target.BIRTHDAY)
        self._amount = self._targets.get(Target.ESTIMATED_VALUE)
        self._regions: dict[str | None, str] = {}  # country as typed -> phone region

    def clean(self, raw: RawRow) -> CleanedRow:
        cells = raw.cells
        width = len(cells)
        number = raw.number
        problems: list[RowProblem] = []
        # Plain lookups by position instead of a closure and enum values per cell (hot loop).
        values: dict[str, str | None] = {}
        for name, index in self._text_columns:
            if index is None or index >= width:
                values[name] = None
            else:
                cell = cells[index]
                values[name] = tidy(cell if type(cell) is str else cell_text(cell))
        for name in _CASED:
            value = values[name]
            if value:
                values[name] = sensible_case(value)
        if (
            self._split
            and values["full_name"]
            and not (values["first_name"] or values["last_name"])
        ):
            parts = values["full_name"].rsplit(" ", 1)
            if len(parts) == 2:
                values["first_name"], values["last_name"] = parts

        country = values["country"]
        region = self._regions.get(country)
        if region is None:
            region = self._regions[country] = region_for_country(country, self._default_region)
        phone, mobile = values["phone"], values["mobile"]
        phone_e164 = mobile_e164 = None
        if phone:
            phone_e164 = normalize_phone(phone, region)
            if phone_e164 is None:
                problems.append(RowProblem(number, "phone.invalid", phone))
        if mobile:
            mobile_e164 = normalize_phone(mobile, region)
            if mobile_e164 is None:
                problems.append(RowProblem(number, "mobile.invalid", mobile))
        email_norm = None
        email = values["email"]
        if email:
            email_norm = normalize_email(email)
            if email_norm is None:
                problems.append(RowProblem(number, "email.invalid", email))

        birthday = None
        index = self._birthday
        if index is not None and index < width and cell_text(cells[index]).strip():
            birthday, ambiguous = parse_date(cells[index], self._date_order)
            shown = cell_text(cells[index])
            if birthday is None:
                problems.append(RowProblem(number, "date.invalid", shown))
            elif ambiguous:
                problems.append(RowProblem(number, "date.ambiguous", shown))

        amount = None
        index = self._amount
        if index is not None and index < width and cell_text(cells[index]).strip():
            amount = parse_amount(cells[index], region)
            if amount is None or amount < 0:
                amount = None
                problems.append(RowProblem(number, "number.invalid", cell_text(cells[index])))

        custom = {}
        for column_index, name in self._custom:
            if column_index < width:
                value = cell_text(cells[column_index]).strip()
                if value:
                    custom[name] = value

        if not (
            values["first_name"]
            or values["last_name"]
            or values["full_name"]
            or values["company"]
            or email
            or phone
            or mobile
        ):
            problems.append(RowProblem(number, "row.no_identity", ""))
            return CleanedRow(number, None, tuple(problems))

        listed_dnc = bool(self._do_not_call) and bool(
            self._do_not_call & {v for v in (email_norm, phone_e164, mobile_e164) if v}
        )
        fields = ContactFields(
            **values,
            birthday=birthday,
            estimated_value_cents=amount,
            source_id=self._source_id,
            custom_fields=custom,
            do_not_call=listed_dnc,
        )
        contact = CleanContact(
            fields=fields,
            phone_e164=phone_e164,
            mobile_e164=mobile_e164,
            email_normalized=email_norm,
            phone_digits=phone_digits(phone, phone_e164, mobile, mobile_e164),
        )
        return CleanedRow(number, contact, tuple(problems))
