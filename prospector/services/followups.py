"""Follow-ups: create from anywhere, the Today view's lists and badge, complete, snooze,
reschedule, missed reminders after a restart, birthday cards and the calendar export.

The rules (quick picks, snoozes, yearly recurrence, the day buckets) are in
prospector.domain.reminders; this service applies them, each action in one transaction.
Times are stored in UTC and worked out in the rep's zone (``zone``), which the window sets
from the system (Qt knows its IANA name on every platform).

A recurring reminder is one row for its whole life: completing it moves ``due_at`` on to the
next occurrence and keeps its uuid, which is the calendar UID, so re-exporting updates the
calendar's event. Deleting a birthday reminder stops it (it is kept, marked done, so the next
``ensure_birthday_reminders()`` does not bring it back); deleting any other reminder removes it.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from prospector.domain.clock import Clock, system_clock
from prospector.domain.reminders import (
    UPCOMING_DAYS,
    Bucket,
    DayWindows,
    QuickPick,
    Recurrence,
    ReminderKind,
    Snooze,
    YearlyRule,
    day_windows,
    quick_picks,
    snoozed_until,
    system_zone,
)
from prospector.errors import ValidationError
from prospector.exporters.ics import CalendarEntry, uid_for, write_calendar
from prospector.storage.reminder_repository import FollowUpRow, ReminderRepository
from prospector.storage.source_repository import SettingsRepository

log = logging.getLogger(__name__)

LAST_CHECK_KEY = "followups.last_checked_at"
"""Settings key: when the window last looked for due reminders (UTC, ISO 8601)."""
BIRTHDAY_SYNC_KEY = "followups.birthday_sync"
"""Settings key: the contacts' and reminders' state when birthday reminders were last synced."""
DEFAULT_LIMIT = 500
"""Most reminders one list of the Today view holds; the counts tell the whole number."""
KIND_WORDS: Mapping[str, str] = {
    ReminderKind.CALL_BACK: "Call back",
    ReminderKind.EMAIL: "Email",
    ReminderKind.SEND_CARD: "Send a card",
    ReminderKind.MEETING: "Meeting",
}
"""English words for the calendar export from the command line; the window passes its own."""

__all__ = [
    "Bucket",
    "BirthdaySync",
    "DueFollowUps",
    "FollowUp",
    "FollowUpCounts",
    "FollowUpService",
    "QuickPick",
    "Recurrence",
    "ReminderKind",
    "Snooze",
]


@dataclass(frozen=True)
class FollowUp:
    """One open (or just moved) reminder, with the contact it is about."""

    id: int
    uuid: str
    contact_id: int
    contact_name: str
    company: str
    phone: str
    email: str
    kind: str  # a ReminderKind value (a newer Prospector may write others)
    text: str | None
    due_at: datetime  # UTC
    due_local: datetime  # the same instant in the rep's zone, for display
    recurrence: Recurrence | None
    bucket: Bucket

    @property
    def recurring(self) -> bool:
        return self.recurrence is not None


@dataclass(frozen=True)
class DueFollowUps:
    """The Today view: each list soonest first, at most ``limit`` long."""

    overdue: list[FollowUp]
    today: list[FollowUp]
    upcoming: list[FollowUp]
    windows: DayWindows


@dataclass(frozen=True)
class FollowUpCounts:
    overdue: int
    today: int  # due later today

    @property
    def badge(self) -> int:
        """The sidebar's number: what needs doing today, late ones included."""
        return self.overdue + self.today


@dataclass(frozen=True)
class BirthdaySync:
    added: int
    moved: int  # the contact's birthday was changed
    removed: int  # the contact's birthday was removed (or a duplicate)


def _recurrence(stored: str | None) -> Recurrence | None:
    if not stored:
        return None
    name = stored.partition(":")[0]
    return Recurrence.BIRTHDAY if name == Recurrence.BIRTHDAY else Recurrence.YEARLY


def _kind(kind: ReminderKind | str) -> ReminderKind:
    try:
        return ReminderKind(kind)
    except ValueError as exc:
        raise ValidationError(
            {"kind": "Choose what to do: call back, email, send a card or meeting."}
        ) from exc


def _text(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _aware(moment: datetime, what: str = "due_at") -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"naive {what}: give an aware datetime (UTC or local with its zone)")
    return moment.astimezone(UTC)


class FollowUpService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock = system_clock,
        zone: tzinfo | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._zone = zone

    # -- the rep's zone ----------------------------------------------------------------------------

    @property
    def zone(self) -> tzinfo:
        """The zone days and wall times are worked out in (the computer's unless set)."""
        return self._zone if self._zone is not None else system_zone()

    def set_zone(self, zone: tzinfo | None) -> None:
        """Use ``zone`` from now on (``None``: follow the computer's)."""
        self._zone = zone

    def _follow_up(self, row: FollowUpRow, windows: DayWindows, tz: tzinfo) -> FollowUp:
        return FollowUp(
            id=row.id,
            uuid=row.uuid,
            contact_id=row.contact_id,
            contact_name=row.contact_name,
            company=row.company,
            phone=row.phone,
            email=row.email,
            kind=row.kind,
            text=row.text,
            due_at=row.due_at,
            due_local=row.due_at.astimezone(tz),
            recurrence=_recurrence(row.recurrence),
            bucket=windows.bucket(row.due_at),
        )

    def _one(self, session: Session, reminder_id: int, now: datetime, tz: tzinfo) -> FollowUp:
        row = ReminderRepository(session).row(reminder_id)
        return self._follow_up(row, day_windows(now, tz), tz)

    # -- creating ----------------------------------------------------------------------------------

    def quick_picks(self, now: datetime | None = None) -> list[tuple[QuickPick, datetime]]:
        """Later today, tomorrow morning, next week, in a month: UTC moments for the picker."""
        return quick_picks(now or self._clock(), self.zone)

    def create(
        self,
        contact_id: int,
        due_at: datetime,
        kind: ReminderKind | str,
        text: str | None = None,
        *,
        recurrence: Recurrence | str | None = None,
    ) -> FollowUp:
        """Add a follow-up for a contact (UTC or any aware time; a quick pick's moment).

        A yearly one recurs on ``due_at``'s local day and time; a birthday one on the
        contact's birthday (use ``ensure_birthday_reminders`` rather than this).

        Raises:
            ValidationError: an unknown kind or recurrence.
            NotFound: the contact was deleted meanwhile.
        """
        due_at = _aware(due_at)
        reminder_kind = _kind(kind)
        try:
            recurrence = Recurrence(recurrence) if recurrence else None
        except ValueError as exc:
            raise ValidationError({"recurrence": "Choose once or every year."}) from exc
        now = self._clock()
        tz = self.zone
        stored: str | None = None
        if recurrence is Recurrence.YEARLY:
            stored = YearlyRule.starting(due_at, tz).stored()
        elif recurrence is Recurrence.BIRTHDAY:
            stored = YearlyRule.for_birthday(due_at.astimezone(tz).date()).stored()
        with self._sessions.begin() as session:
            repo = ReminderRepository(session)
            reminder_id = repo.add(contact_id, due_at, reminder_kind, _text(text), now, stored)
            created = self._one(session, reminder_id, now, tz)
        log.info("Follow-up %s (%s) for contact %s", reminder_id, reminder_kind, contact_id)
        return created

    def get(self, reminder_id: int) -> FollowUp:
        """Raises: NotFound when it was deleted meanwhile."""
        with self._sessions() as session:
            return self._one(session, reminder_id, self._clock(), self.zone)

    # -- acting on one -----------------------------------------------------------------------------

    def complete(self, reminder_id: int) -> FollowUp | None:
        """Mark a follow-up done. A recurring one moves on to its next occurrence after now (in
        the same transaction, same uuid) and is returned; a one-off one returns ``None``.

        Raises:
            NotFound: it was deleted meanwhile.
        """
        now = self._clock()
        tz = self.zone
        with self._sessions.begin() as session:
            repo = ReminderRepository(session)
            record = repo.get(reminder_id)
            if record.done_at is not None:
                return None  # done in another window meanwhile: nothing more to do
            rule = YearlyRule.parse(record.recurrence, record.due_at, tz)
            if rule is None:
                repo.mark_done(reminder_id, now)
                moved = None
            else:
                following = rule.next_after(record.due_at, tz)
                while following <= now:  # years late: the next one still to come
                    following = rule.next_after(following, tz)
                repo.set_due(reminder_id, following)
                moved = self._one(session, reminder_id, now, tz)
        log.info("Follow-up %s done", reminder_id)
        return moved

    def snooze(self, reminder_id: int, snooze: Snooze) -> FollowUp:
        """Bring a follow-up back in 15 minutes, an hour, or tomorrow morning (from now).

        A recurring one's next occurrences keep their day: only this one moves.

        Raises:
            NotFound: it was deleted meanwhile.
        """
        now = self._clock()
        return self._move(reminder_id, snoozed_until(snooze, now, self.zone), reopen=False)

    def reschedule(self, reminder_id: int, due_at: datetime) -> FollowUp:
        """Move a follow-up to another time; a done one is opened again.

        Raises:
            NotFound: it was deleted meanwhile.
        """
        return self._move(reminder_id, _aware(due_at), reopen=True)

    def _move(self, reminder_id: int, due_at: datetime, *, reopen: bool) -> FollowUp:
        now = self._clock()
        tz = self.zone
        with self._sessions.begin() as session:
            ReminderRepository(session).set_due(reminder_id, due_at, reopen=reopen)
            moved = self._one(session, reminder_id, now, tz)
        log.info("Follow-up %s moved", reminder_id)
        return moved

    def delete(self, reminder_id: int) -> None:
        """Remove a follow-up. A birthday one is stopped instead, so it does not come back.

        Raises:
            NotFound: it was deleted meanwhile.
        """
        now = self._clock()
        with self._sessions.begin() as session:
            repo = ReminderRepository(session)
            record = repo.get(reminder_id)
            if _recurrence(record.recurrence) is Recurrence.BIRTHDAY:
                repo.mark_done(reminder_id, now)
            else:
                repo.delete(reminder_id)
        log.info("Follow-up %s deleted", reminder_id)

    # -- the Today view ----------------------------------------------------------------------------

    def due(
        self,
        now: datetime | None = None,
        *,
        upcoming_days: int = UPCOMING_DAYS,
        limit: int = DEFAULT_LIMIT,
    ) -> DueFollowUps:
        """Overdue (due now or before), due later today, and upcoming (the next days)."""
        now = _aware(now or self._clock(), "now")
        tz = self.zone
        windows = day_windows(now, tz, upcoming_days)
        with self._sessions() as session:
            repo = ReminderRepository(session)
            overdue = repo.open_rows_between(None, now, limit=limit, upper_inclusive=True)
            today = repo.open_rows_between(
                now, windows.tomorrow_start, limit=limit, lower_inclusive=False
            )
            upcoming = repo.open_rows_between(
                windows.tomorrow_start, windows.upcoming_end, limit=limit
            )
        return DueFollowUps(
            overdue=[self._follow_up(r, windows, tz) for r in overdue],
            today=[self._follow_up(r, windows, tz) for r in today],
            upcoming=[self._follow_up(r, windows, tz) for r in upcoming],
            windows=windows,
        )

    def counts(self, now: datetime | None = None) -> FollowUpCounts:
        """The sidebar badge's numbers, in one COUNT over the open reminders."""
        now = _aware(now or self._clock(), "now")
        windows = day_windows(now, self.zone)
        with self._sessions() as session:
            overdue, today = ReminderRepository(session).count_due(now, windows.tomorrow_start)
        return FollowUpCounts(overdue=overdue, today=today)

    # -- missed while the app was closed -----------------------------------------------------------

    def last_check(self) -> datetime | None:
        with self._sessions() as session:
            stored = SettingsRepository(session).get(LAST_CHECK_KEY)
        try:
            return datetime.fromisoformat(stored).astimezone(UTC) if stored else None
        except (TypeError, ValueError):
            return None  # an odd value: act as if never checked

    def record_check(self, now: datetime | None = None) -> None:
        """Remember that the rep has seen what was due up to ``now``.

        The window calls this on its reminder timer and when it closes, so that only what fell
        due while it was closed counts as missed at the next start.
        """
        moment = _aware(now or self._clock(), "now")
        with self._sessions.begin() as session:
            settings = SettingsRepository(session)
            stored = settings.get(LAST_CHECK_KEY)
            try:
                before = datetime.fromisoformat(stored) if stored else None
            except (TypeError, ValueError):
                before = None
            if before is None or before < moment:  # never back: a clock set back loses nothing
                settings.set(LAST_CHECK_KEY, moment.isoformat())

    def came_due(
        self, since: datetime, now: datetime, limit: int = DEFAULT_LIMIT
    ) -> list[FollowUp]:
        """Open follow-ups due after ``since`` up to ``now``, soonest first: what a watch that
        last looked at ``since`` has to tell about (not cut off by hundreds of older ones)."""
        now = _aware(now, "now")
        tz = self.zone
        windows = day_windows(now, tz)
        with self._sessions() as session:
            rows = ReminderRepository(session).open_rows_between(
                _aware(since, "since"), now, limit=limit, lower_inclusive=False,
                upper_inclusive=True,
            )
        return [self._follow_up(r, windows, tz) for r in rows]

    def missed_since_last_run(self, limit: int = DEFAULT_LIMIT) -> list[FollowUp]:
        """Open follow-ups that fell due since the last check (on a first run: every overdue
        one), soonest first; then records this check.
        """
        now = _aware(self._clock(), "now")
        tz = self.zone
        since = self.last_check()
        windows = day_windows(now, tz)
        with self._sessions() as session:
            rows = ReminderRepository(session).open_rows_between(
                since, now, limit=limit, lower_inclusive=False, upper_inclusive=True
            )
        self.record_check(now)
        missed = [self._follow_up(r, windows, tz) for r in rows]
        if missed:
            log.info("%d follow-ups fell due while Prospector was closed", len(missed))
        return missed

    # -- birthdays ---------------------------------------------------------------------------------

    def ensure_birthday_reminders(self, *, force: bool = False) -> BirthdaySync:
        """Give every contact with a birthday one open yearly "send a card" reminder, 9:00 on
        the day; idempotent, and set-based (a few statements for 100,000 contacts).

        Run at start, after an import and after a contact's birthday is edited. A birthday
        reminder the rep deleted stays stopped. Unless ``force``, nothing is read when no
        contact and no birthday reminder changed since the last run (a few aggregates tell),
        so the start costs milliseconds at 100,000 contacts.
        """
        now = self._clock()
        tz = self.zone

        def first_due(birthday: date) -> tuple[datetime, str]:
            rule = YearlyRule.for_birthday(birthday)
            return rule.first_from(now, tz), rule.stored()

        with self._sessions.begin() as session:
            repo = ReminderRepository(session)
            settings = SettingsRepository(session)
            if not force and settings.get(BIRTHDAY_SYNC_KEY) == repo.birthday_signature():
                return BirthdaySync(added=0, moved=0, removed=0)
            added, moved, removed = repo.sync_birthdays(now, first_due)
            settings.set(BIRTHDAY_SYNC_KEY, repo.birthday_signature())
        if added or moved or removed:
            log.info("Birthday reminders: %d added, %d moved, %d removed", added, moved, removed)
        return BirthdaySync(added=added, moved=moved, removed=removed)

    # -- the calendar ------------------------------------------------------------------------------

    def export_ics(
        self,
        path: Path,
        *,
        kinds: Collection[str] | None = None,
        kind_words: Mapping[str, str] = KIND_WORDS,
        calendar_name: str = "Prospector follow-ups",
    ) -> int:
        """Write every open follow-up (of ``kinds``, default all) to an .ics file; returns how
        many. Each event's UID is the reminder's, so a second export updates the first.

        Raises:
            CalendarNotSaved: the file could not be written (folder missing or read-only, disk
                full); a previous file there is left whole.
        """
        now = self._clock()
        tz = self.zone
        with self._sessions() as session:
            rows = ReminderRepository(session).open_rows()
        wanted = {str(k) for k in kinds} if kinds is not None else None
        entries = [
            _calendar_entry(row, tz, kind_words)
            for row in rows
            if wanted is None or row.kind in wanted
        ]
        write_calendar(path, entries, now, calendar_name)
        log.info("Exported %d follow-ups to a calendar file", len(entries))
        return len(entries)


def _calendar_entry(row: FollowUpRow, tz: tzinfo, kind_words: Mapping[str, str]) -> CalendarEntry:
    words = kind_words.get(row.kind, row.kind.replace("_", " ").capitalize())
    who = row.contact_name or row.company
    if row.company and row.company != who:
        who = f"{who} ({row.company})"
    details = [row.text or "", row.phone, row.email]
    description = "\n".join(d for d in details if d)
    rule = YearlyRule.parse(row.recurrence, row.due_at, tz)
    if rule is None:
        return CalendarEntry(uid_for(row.uuid), row.due_at, f"{words}: {who}", description)
    # The occurrence itself (a snooze moves only the reminder in the app, not the series).
    start = rule.occurrence(rule.year_of(row.due_at, tz), tz).astimezone(tz)
    return CalendarEntry(
        uid_for(row.uuid), start, f"{words}: {who}", description, yearly_on=(rule.month, rule.day)
    )
