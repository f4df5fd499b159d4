"""Follow-up rules: kinds, quick picks, snoozes, yearly recurrence and the Today buckets.

Every rule takes ``now`` (aware) and the rep's time zone, never the wall clock, so tests can
stand on a DST night. Moments are handed back as aware UTC datetimes, as they are stored;
wall-clock times ("9:00 tomorrow") are worked out in the rep's zone with that day's offset.

A nonexistent local time (inside a spring-forward gap) is read with the offset before the gap,
so it lands just after the jump (02:30 on the Paris spring night is 03:30 summer time); an
ambiguous one (the repeated hour of a fall-back night) is the first of the two. Those are
RFC 5545's rules too, so the calendar export agrees with the app.
"""

from __future__ import annotations

import calendar
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MORNING = time(9, 0)
"""When "tomorrow morning", "next week", "in a month" and birthday reminders fall (local)."""
BIRTHDAY_TIME = MORNING
LATER_TODAY_IN = timedelta(hours=2)
""""Later today" is two hours on (as the call-back dialog has always offered), rounded up."""
QUARTER = timedelta(minutes=15)
UPCOMING_DAYS = 7
"""How far ahead the Today view's "upcoming" list looks, in local days after today."""


class ReminderKind(StrEnum):
    """What the rep has to do. The values are stored; the queue already writes the first two."""

    CALL_BACK = "call_back"
    EMAIL = "email"
    SEND_CARD = "send_card"
    MEETING = "meeting"


class Recurrence(StrEnum):
    """How a reminder comes back once done. ``None`` (not stored) means it does not."""

    YEARLY = "yearly"
    BIRTHDAY = "birthday"  # yearly on the contact's birthday; kept in step with the contact


class QuickPick(StrEnum):
    LATER_TODAY = "later_today"
    TOMORROW_MORNING = "tomorrow_morning"
    NEXT_WEEK = "next_week"
    IN_A_MONTH = "in_a_month"


class Snooze(StrEnum):
    MINUTES_15 = "15_minutes"
    HOUR = "1_hour"
    TOMORROW_MORNING = "tomorrow_morning"


class Bucket(StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    UPCOMING = "upcoming"
    LATER = "later"  # after the upcoming window: not on the Today view


# -- local time ---------------------------------------------------------------------------------


def system_zone() -> tzinfo:
    """The computer's time zone, as a named zone when it can be found (so DST is right).

    Order: ``$TZ``, then the ``/etc/localtime`` link (Linux, macOS). Windows has no such link:
    the window passes Qt's ``QTimeZone.systemTimeZoneId()`` instead; failing all that, the
    current fixed offset is used, which is wrong only across a DST change.
    """
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return datetime.now(UTC).astimezone().tzinfo or UTC


def zone_named(name: str | None) -> tzinfo:
    """A zone from its IANA name; an unknown or empty name gives the computer's zone."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return system_zone()


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to a reminder rule")
    return moment


def local_date(moment: datetime, tz: tzinfo) -> date:
    """The rep's calendar day of an instant."""
    return _aware(moment).astimezone(tz).date()


def at_local(day: date, at: time, tz: tzinfo) -> datetime:
    """The instant (UTC) the rep's clock shows ``at`` on ``day`` (gaps and folds: see module)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def start_of_day(day: date, tz: tzinfo) -> datetime:
    """The first instant (UTC) of a local day, even where midnight is skipped by DST."""
    return at_local(day, time(0), tz)


def _round_up(moment: datetime, step: timedelta) -> datetime:
    # In UTC: every zone's offset is a whole number of quarter hours, so local quarters agree,
    # and UTC arithmetic cannot be fooled by a DST jump.
    utc = moment.astimezone(UTC)
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    rest = (utc - epoch) % step
    return utc if not rest else utc + (step - rest)


def add_month(day: date) -> date:
    """Same day next month; 31 January gives the last day of February."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# -- quick picks and snoozes --------------------------------------------------------------------


def quick_pick(pick: QuickPick, now: datetime, tz: tzinfo) -> datetime | None:
    """The moment a quick pick means at ``now`` in zone ``tz``; ``None`` when it makes no sense.

    - later today: two hours on, rounded up to the quarter hour; ``None`` once that is tomorrow
      (the rep's day), so the picker does not offer a "later today" that is not today;
    - tomorrow morning: 9:00 tomorrow;
    - next week: Monday 9:00 of the coming week (on a Sunday, that is tomorrow);
    - in a month: 9:00 on the same day next month, or that month's last day.
    """
    _aware(now)
    today = local_date(now, tz)
    if pick is QuickPick.LATER_TODAY:
        later = _round_up(now + LATER_TODAY_IN, QUARTER)
        return later if local_date(later, tz) == today else None
    if pick is QuickPick.TOMORROW_MORNING:
        return at_local(today + timedelta(days=1), MORNING, tz)
    if pick is QuickPick.NEXT_WEEK:
        return at_local(today + timedelta(days=7 - today.weekday()), MORNING, tz)
    return at_local(add_month(today), MORNING, tz)


def quick_picks(now: datetime, tz: tzinfo) -> list[tuple[QuickPick, datetime]]:
    """Every quick pick that makes sense now, in the order the picker shows them."""
    picks = [(pick, quick_pick(pick, now, tz)) for pick in QuickPick]
    return [(pick, moment) for pick, moment in picks if moment is not None]


def snoozed_until(snooze: Snooze, now: datetime, tz: tzinfo) -> datetime:
    """When a snoozed reminder comes back: counted from now, not from when it was due.

    A reminder snoozed an hour after it fell due should come back in an hour, not at once.
    """
    _aware(now)
    if snooze is Snooze.MINUTES_15:
        return now.astimezone(UTC) + timedelta(minutes=15)
    if snooze is Snooze.HOUR:
        return now.astimezone(UTC) + timedelta(hours=1)
    return at_local(local_date(now, tz) + timedelta(days=1), MORNING, tz)


# -- yearly recurrence --------------------------------------------------------------------------


@dataclass(frozen=True)
class YearlyRule:
    """Once a year on a month and day at a local time; 29 February falls on the 28th in common
    years and on the 29th again in leap years, because each year is computed from the rule,
    never from the last occurrence (which would drift to the 28th for good).

    Stored in ``reminders.recurrence`` (20 characters) as ``yearly:MM-DD HH:MM`` or, for a
    contact's birthday, ``birthday:MM-DD`` (always at ``BIRTHDAY_TIME``). The rule is kept
    beside ``due_at`` because a snoozed or rescheduled occurrence must not move the next ones.
    """

    month: int
    day: int
    at: time = MORNING
    birthday: bool = False

    def __post_init__(self) -> None:
        # 2000 is a leap year: 29 February is a valid rule.
        date(2000, self.month, self.day)

    @classmethod
    def for_birthday(cls, birthday: date) -> YearlyRule:
        return cls(birthday.month, birthday.day, BIRTHDAY_TIME, birthday=True)

    @classmethod
    def starting(cls, due_at: datetime, tz: tzinfo) -> YearlyRule:
        """The rule of a yearly reminder first due at ``due_at``."""
        local = _aware(due_at).astimezone(tz)
        return cls(local.month, local.day, local.time().replace(second=0, microsecond=0))

    @property
    def recurrence(self) -> Recurrence:
        return Recurrence.BIRTHDAY if self.birthday else Recurrence.YEARLY

    def stored(self) -> str:
        if self.birthday:
            return f"birthday:{self.month:02d}-{self.day:02d}"
        return f"yearly:{self.month:02d}-{self.day:02d} {self.at:%H:%M}"

    @classmethod
    def parse(cls, stored: str | None, due_at: datetime, tz: tzinfo) -> YearlyRule | None:
        """The rule stored with a reminder; ``None`` for a one-off reminder.

        A bare ``yearly`` (or a value this version cannot read) recurs on ``due_at``'s day and
        time, so a reminder is never lost for an odd value.
        """
        if not stored:
            return None
        name, _, rest = stored.partition(":")
        try:
            if name == Recurrence.BIRTHDAY:
                month, day = (int(p) for p in rest.split("-"))
                return cls(month, day, BIRTHDAY_TIME, birthday=True)
            if name == Recurrence.YEARLY and rest:
                day_part, _, time_part = rest.partition(" ")
                month, day = (int(p) for p in day_part.split("-"))
                hour, minute = (int(p) for p in time_part.split(":"))
                return cls(month, day, time(hour, minute))
        except ValueError:
            pass
        return cls.starting(due_at, tz)

    def day_in(self, year: int) -> date:
        """This rule's day in ``year`` (29 February -> 28 February in a common year)."""
        return date(year, self.month, min(self.day, calendar.monthrange(year, self.month)[1]))

    def occurrence(self, year: int, tz: tzinfo) -> datetime:
        return at_local(self.day_in(year), self.at, tz)

    def first_from(self, now: datetime, tz: tzinfo) -> datetime:
        """The first occurrence on or after the rep's today (today's counts even if its hour is
        past: a birthday is today all day)."""
        today = local_date(now, tz)
        year = today.year if self.day_in(today.year) >= today else today.year + 1
        return self.occurrence(year, tz)

    def year_of(self, due_at: datetime, tz: tzinfo) -> int:
        """Which year's occurrence a (maybe snoozed or rescheduled) ``due_at`` stands for: the
        nearest one, so a snooze from 31 December into January still counts as December's."""
        year = local_date(due_at, tz).year
        return min(
            (year - 1, year, year + 1),
            key=lambda y: abs((self.occurrence(y, tz) - due_at).total_seconds()),
        )

    def next_after(self, due_at: datetime, tz: tzinfo) -> datetime:
        """The occurrence after the one ``due_at`` stands for: where a completed one moves to."""
        return self.occurrence(self.year_of(_aware(due_at), tz) + 1, tz)


# -- the Today view -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DayWindows:
    """The instants (UTC) that split open reminders into the Today view's lists.

    overdue: due at ``now`` or before (an hour ago counts: a call-back at 10:00 is late at
    15:00); today: later today, up to ``tomorrow_start``; upcoming: up to ``upcoming_end``.
    Days are the rep's local days, so a day may last 23 or 25 hours. ``today_start`` is kept
    for views that split the overdue list into "earlier today" and "before today".
    """

    now: datetime
    today_start: datetime
    tomorrow_start: datetime
    upcoming_end: datetime

    def bucket(self, due_at: datetime) -> Bucket:
        if due_at <= self.now:
            return Bucket.OVERDUE
        if due_at < self.tomorrow_start:
            return Bucket.TODAY
        if due_at < self.upcoming_end:
            return Bucket.UPCOMING
        return Bucket.LATER


def day_windows(now: datetime, tz: tzinfo, upcoming_days: int = UPCOMING_DAYS) -> DayWindows:
    """Where today starts and ends for the rep at ``now``, and how far "upcoming" reaches."""
    today = local_date(now, tz)
    return DayWindows(
        now=now.astimezone(UTC),
        today_start=start_of_day(today, tz),
        tomorrow_start=start_of_day(today + timedelta(days=1), tz),
        upcoming_end=start_of_day(today + timedelta(days=1 + upcoming_days), tz),
    )


def bucket_of(
    due_at: datetime, now: datetime, tz: tzinfo, upcoming_days: int = UPCOMING_DAYS
) -> Bucket:
    """Overdue (due now or before), today (later today), upcoming (the next days), later."""
    return day_windows(now, tz, upcoming_days).bucket(_aware(due_at))
