"""Which columns an export holds and how a stored row becomes a row of the file.

Plain Python (no SQLAlchemy, no files): the export's own process and the second process that
writes half of a big CSV both turn rows into file rows with the same ``RowPlan``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from prospector.column_memo import column_converter
from prospector.domain.stages import Stage, Temperature
from prospector.exporters.sheet import Column, Kind

# -- fields ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportField:
    """A column an export can hold: its English header, its kind and the stored columns it
    is made from."""

    header: str
    kind: Kind
    needs: tuple[str, ...]


FIELDS: dict[str, ExportField] = {
    "name": ExportField("Name", Kind.TEXT, ("first_name", "last_name", "full_name")),
    "first_name": ExportField("First name", Kind.TEXT, ("first_name",)),
    "last_name": ExportField("Last name", Kind.TEXT, ("last_name",)),
    "full_name": ExportField("Full name", Kind.TEXT, ("full_name",)),
    "company": ExportField("Company", Kind.TEXT, ("company",)),
    "title": ExportField("Job title", Kind.TEXT, ("title",)),
    "phone": ExportField("Phone", Kind.CODE, ("phone",)),
    "mobile": ExportField("Mobile", Kind.CODE, ("mobile",)),
    "any_phone": ExportField("Phone", Kind.CODE, ("phone", "mobile")),
    "email": ExportField("Email", Kind.TEXT, ("email",)),
    "website": ExportField("Website", Kind.TEXT, ("website",)),
    "address": ExportField("Address", Kind.TEXT, ("address",)),
    "postal_code": ExportField("Postal code", Kind.CODE, ("postal_code",)),
    "city": ExportField("City", Kind.TEXT, ("city",)),
    "country": ExportField("Country", Kind.TEXT, ("country",)),
    "birthday": ExportField("Birthday", Kind.DATE, ("birthday",)),
    "stage": ExportField("Stage", Kind.TEXT, ("stage",)),
    "temperature": ExportField("Temperature", Kind.TEXT, ("temperature",)),
    "score": ExportField("Score", Kind.INTEGER, ("score",)),
    "fit_grade": ExportField("Fit grade", Kind.TEXT, ("fit_grade",)),
    "estimated_value": ExportField("Estimated value", Kind.CENTS, ("estimated_value_cents",)),
    "do_not_call": ExportField("Do not call", Kind.BOOLEAN, ("do_not_call",)),
    "next_follow_up": ExportField("Next follow-up", Kind.DATETIME, ("next_follow_up",)),
    "last_called": ExportField("Last call", Kind.DATETIME, ("last_called_at",)),
    "source": ExportField("List", Kind.TEXT, ("source_id",)),
    "created": ExportField("Added", Kind.DATETIME, ("created_at",)),
    "updated": ExportField("Last changed", Kind.DATETIME, ("updated_at",)),
}

EVERY_FIELD: tuple[str, ...] = (
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
    "postal_code",
    "city",
    "country",
    "birthday",
    "stage",
    "temperature",
    "score",
    "fit_grade",
    "estimated_value",
    "do_not_call",
    "next_follow_up",
    "last_called",
    "source",
    "created",
    "updated",
)
"""What "everything" writes, in this order, before the custom fields."""

STAGE_WORDS: Mapping[Stage, str] = {
    Stage.SUSPECT: "Suspect",
    Stage.LEAD: "Lead",
    Stage.PROSPECT: "Prospect",
    Stage.CUSTOMER: "Customer",
    Stage.REPEAT_CUSTOMER: "Repeat customer",
    Stage.DISQUALIFIED: "Disqualified",
    Stage.NOT_INTERESTED: "Not interested",
    Stage.DO_NOT_CALL: "Do not call",
}
TEMPERATURE_WORDS: Mapping[Temperature, str] = {
    Temperature.HOT: "Hot",
    Temperature.WARM: "Warm",
    Temperature.COLD: "Cold",
}


@dataclass(frozen=True)
class ExportLabels:
    """The words the file shows; the command line's English unless the window passes its own."""

    headers: Mapping[str, str] = field(default_factory=dict)  # field key -> header
    stages: Mapping[Stage, str] = field(default_factory=lambda: dict(STAGE_WORDS))
    temperatures: Mapping[Temperature, str] = field(default_factory=lambda: dict(TEMPERATURE_WORDS))
    yes: str = "yes"
    no: str = "no"
    sheet_title: str = "Contacts"

    def header(self, key: str) -> str:
        return self.headers.get(key) or FIELDS[key].header


# -- turning stored rows into export rows ------------------------------------------------------


class RowPlan:
    """Which stored columns to read, and how a stored row becomes the export row.

    Each field's first stored column sits at the field's own position, so a stored row becomes
    the export row in place: most fields are the stored value as it is, a few are fixed up
    (stage words, list names, local times, a name made of three columns). Columns a field needs
    besides its first, and the custom fields, come after and are cut off.
    """

    def __init__(
        self,
        fields: Sequence[str],
        custom_keys: Sequence[str],
        labels: ExportLabels,
        sources: Mapping[int, str],
        zone: tzinfo | None,
    ) -> None:
        self.stored = [FIELDS[key].needs[0] for key in fields]
        extra: dict[str, int] = {}
        for key in fields:
            for name in FIELDS[key].needs[1:]:
                extra.setdefault(name, len(self.stored) + len(extra))
        self.stored += list(extra)
        self._width = len(fields)
        self._custom_at: int | None = None
        if custom_keys:
            self._custom_at = len(self.stored)
            self.stored.append("custom_fields")
        local = _local_time(zone)
        self._fixes = [
            fix
            for i, key in enumerate(fields)
            if (fix := self._fix(key, i, extra, labels, sources, local)) is not None
        ]
        self._custom_keys = list(custom_keys)
        headers = [labels.header(key) for key in fields]
        self.columns = [Column(h, FIELDS[k].kind) for h, k in zip(headers, fields, strict=True)]
        self.columns += [Column(h, Kind.TEXT) for h in _unique(custom_keys, taken=headers)]

    @staticmethod
    def _fix(
        key: str,
        i: int,
        extra: Mapping[str, int],
        labels: ExportLabels,
        sources: Mapping[int, str],
        local: Callable[[datetime], datetime],
    ) -> Callable[[list[list[Any]]], None] | None:
        """What turns a batch's stored values at ``i`` into the field's (None: nothing to do)."""
        if key == "name":  # as the table shows it: first and last name, else the full name
            last, full = extra["last_name"], extra["full_name"]

            def name(batch: list[list[Any]]) -> None:
                for row in batch:
                    first = row[i]
                    if first and row[last]:
                        row[i] = f"{first} {row[last]}"
                    elif not first:
                        row[i] = row[last] or row[full]

            return name
        if key == "any_phone":  # the table's Phone column: the phone, else the mobile
            mobile = extra["mobile"]

            def any_phone(batch: list[list[Any]]) -> None:
                for row in batch:
                    if not row[i]:
                        row[i] = row[mobile]

            return any_phone
        words: dict[Any, str] | None = None
        if key == "stage":
            words = {s.value: w for s, w in labels.stages.items()}
        elif key == "temperature":
            words = {x.value: w for x, w in labels.temperatures.items()}
        elif key == "source":
            words = {**sources, None: ""}
        if words is not None:
            lookup = words.get

            def word(batch: list[list[Any]]) -> None:
                for row in batch:
                    value = row[i]
                    row[i] = lookup(value, value)

            return word
        if FIELDS[key].kind is Kind.DATETIME:
            convert = column_converter(local)

            def when(batch: list[list[Any]]) -> None:
                convert(batch, i)

            return when
        return None

    def rows(self, batches: Iterator[list[list[Any]]]) -> Iterator[list[list[Any]]]:
        """The export rows, batch by batch (the stored rows, changed in place)."""
        fixes, width = self._fixes, self._width
        keys, custom_at = self._custom_keys, self._custom_at
        blanks = [""] * len(keys)
        trim = len(self.stored) > width
        for batch in batches:
            for fix in fixes:
                fix(batch)
            if custom_at is not None:
                for row in batch:
                    custom = row[custom_at]
                    del row[width:]
                    row += [custom.get(k, "") for k in keys] if custom else blanks
            elif trim:
                for row in batch:
                    del row[width:]
            yield batch


def _local_time(zone: tzinfo | None) -> Callable[[datetime], datetime]:
    """Aware UTC -> naive wall time in ``zone`` (spreadsheets have no zones)."""

    def local(moment: datetime) -> datetime:
        return moment.astimezone(zone).replace(tzinfo=None)

    return local


def _unique(names: Sequence[str], taken: Sequence[str]) -> list[str]:
    """Custom field names as headers, made distinct from the standard ones ("City (2)")."""
    seen = {n.casefold() for n in taken}
    unique = []
    for name in names:
        candidate, n = name, 2
        while candidate.casefold() in seen:
            candidate, n = f"{name} ({n})", n + 1
        seen.add(candidate.casefold())
        unique.append(candidate)
    return unique
