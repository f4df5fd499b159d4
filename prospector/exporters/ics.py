"""Follow-ups as an iCalendar (.ics) file that Outlook, Apple Calendar and Google Calendar import.

Choices, for the widest import:

- one VEVENT per reminder (VTODO is ignored by Google Calendar and by Outlook's import), 15
  minutes long, transparent (it does not make the rep look busy), with a display alarm at its
  time;
- ``UID`` is the reminder's own uuid + ``@prospector``, which never changes, and ``SEQUENCE``
  grows with the export time, so importing a second export updates each event instead of
  adding a copy;
- a one-off reminder starts at a UTC time (``…Z``), which every calendar reads the same way;
- a yearly one starts at its local wall time with the zone's ``TZID`` and a ``VTIMEZONE``, so
  "9:00 every year" stays 9:00 across summer time; ``RRULE:FREQ=YEARLY``. For 29 February the
  rule is ``BYMONTH=2;BYMONTHDAY=-1`` (the last day of February): 29th in leap years, 28th
  otherwise, as Prospector itself does. A plain yearly rule from 29 February would skip three
  years out of four in Google and Apple Calendar.

The file is written next to its final name and moved over it in one step (``os.replace``), so a
full disk or a crash never leaves half a calendar where the last good one was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from prospector.exporters.target_file import ExportNotSaved, write_bytes

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//Prospector//Follow-ups//EN"
UID_DOMAIN = "prospector"
DEFAULT_DURATION = timedelta(minutes=15)
_SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


class CalendarNotSaved(ExportNotSaved):
    """The .ics file could not be written where the rep asked."""

    code = "export.calendar_not_saved"
    subject = "The calendar file {name}"
    in_use_by = "perhaps a calendar"


@dataclass(frozen=True)
class CalendarEntry:
    """One event to write. ``start`` is aware; a yearly entry's ``start`` is in the rep's zone."""

    uid: str
    start: datetime
    summary: str
    description: str = ""
    duration: timedelta = DEFAULT_DURATION
    yearly_on: tuple[int, int] | None = None  # (month, day) of the yearly rule, or None


def uid_for(reminder_uuid: str) -> str:
    """The calendar UID of a reminder: stable for the reminder's whole life."""
    return f"{reminder_uuid}@{UID_DOMAIN}"


def _sequence(now: datetime) -> int:
    # Minutes since 2020: every later export carries a higher number than the one before.
    return max(0, int((now - _SEQUENCE_EPOCH).total_seconds() // 60))


def _event(entry: CalendarEntry, now: datetime) -> Event:
    from icalendar import Alarm, Event

    if entry.start.tzinfo is None:
        raise ValueError("naive start given to the calendar export")
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", now)
    event.add("last-modified", now)
    event.add("sequence", _sequence(now))
    named_zone = isinstance(entry.start.tzinfo, ZoneInfo) and entry.start.tzinfo.key != "UTC"
    start = entry.start if entry.yearly_on and named_zone else entry.start.astimezone(UTC)
    event.add("dtstart", start)
    event.add("dtend", start + entry.duration)
    event.add("summary", entry.summary)
    if entry.description:
        event.add("description", entry.description)
    event.add("transp", "TRANSPARENT")
    if entry.yearly_on is not None:
        month, day = entry.yearly_on
        if (month, day) == (2, 29):
            event.add("rrule", {"freq": "yearly", "bymonth": 2, "bymonthday": -1})
        else:
            event.add("rrule", {"freq": "yearly"})
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", entry.summary)
    alarm.add("trigger", timedelta(0))
    event.add_component(alarm)
    return event


def calendar_bytes(
    entries: Iterable[CalendarEntry], now: datetime, name: str = "Prospector follow-ups"
) -> bytes:
    """The whole calendar, as the file holds it."""
    from icalendar import Calendar  # ~50 ms to import: only when a calendar is written

    now = now.astimezone(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for entry in entries:
        calendar.add_component(_event(entry, now))
    calendar.add_missing_timezones()  # a VTIMEZONE for each TZID the yearly events use
    return calendar.to_ical()


def write_calendar(
    path: Path,
    entries: Iterable[CalendarEntry],
    now: datetime,
    name: str = "Prospector follow-ups",
) -> None:
    """Write the calendar to ``path`` atomically.

    Raises:
        CalendarNotSaved: the folder is missing or read-only, the disk is full, or ``path`` is
            a folder; any previous file at ``path`` is left as it was.
    """
    data = calendar_bytes(entries, now, name)
    try:
        write_bytes(path, data)
    except ExportNotSaved as exc:
        raise CalendarNotSaved(path, exc.reason) from exc
