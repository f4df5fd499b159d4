"""Working a list: the next contact, logging each call's outcome, qualifying, undoing a slip.

The queue's order and the meaning of outcomes are domain rules (prospector.domain.queue and
.outcomes); this service applies them to the database, each action in one transaction, and
hands back what is needed to undo the last one (Ctrl+Z in the window).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session, sessionmaker

from prospector.domain.clock import Clock, system_clock
from prospector.domain.contacts import Contact
from prospector.domain.outcomes import RETRY_OUTCOMES, RULES, CallOutcome, stage_after
from prospector.domain.qualification import (
    Engagement,
    QualificationResult,
    Questionnaire,
    qualify,
    questionnaire_from_json,
)
from prospector.domain.queue import ListProgress, QueueBand, QueuePolicy
from prospector.domain.stages import Stage, Temperature
from prospector.errors import NotFound, UserFacingError
from prospector.paths import resources_dir
from prospector.storage.call_repository import (
    CALL_BACK,
    CallEntry,
    CallRepository,
    NoteEntry,
    QueueState,
)
from prospector.storage.contact_repository import ContactRepository
from prospector.storage.do_not_call_repository import DoNotCallRepository
from prospector.storage.questionnaire_repository import QuestionnaireRepository
from prospector.storage.source_repository import SettingsRepository

log = logging.getLogger(__name__)

DEFAULT_QUESTIONNAIRE = "Default qualification"
SEND_INFO_CALL_AGAIN = timedelta(days=3)

__all__ = [
    "CallEntry",
    "CallScript",
    "CallOutcome",
    "CallQueueService",
    "ContactCard",
    "Engagement",
    "ListProgress",
    "LoggedCall",
    "MissingAnswer",
    "NoteEntry",
    "QueueBand",
    "QueuePolicy",
]


@dataclass(frozen=True)
class CallScript:
    """A list's talking points. Every presentation ends with a call to action and a close."""

    opening: str
    value: str
    objections: tuple[tuple[str, str], ...]  # (what they say, what to answer)
    close: str

    def filled(self, contact: Contact, no_company: str = "") -> CallScript:
        """The script with {name}, {first_name} and {company} replaced for this contact.

        ``no_company`` stands in for a contact without one; the window passes its own words.
        """
        f = contact.fields
        values = {
            "name": contact.display_name or "",
            "first_name": f.first_name or f.full_name or "",
            "company": f.company or no_company,
        }

        def fill(text: str) -> str:
            for key, value in values.items():
                text = text.replace("{" + key + "}", value)
            return text

        return CallScript(
            fill(self.opening),
            fill(self.value),
            tuple((fill(a), fill(b)) for a, b in self.objections),
            fill(self.close),
        )


DEFAULT_SCRIPT = CallScript(
    opening=(
        "Good morning {first_name}, this is … from …. I'm calling companies like {company} "
        "about …. Do you have two minutes?"
    ),
    value="We help … to … so that …. Customers like … saved … in their first year.",
    objections=(
        ("Send me an email.", "Gladly. So that I send what matters to you: what do you use today?"),
        ("We already have a supplier.", "Most of our customers did too. What would you improve?"),
        ("It's too expensive.", "Compared with what? Let's see what it saves you first."),
        ("I'm busy.", "Of course. When is a better time: tomorrow morning or Thursday?"),
    ),
    close=(
        "Shall we book twenty minutes next week so I can show you? Would Tuesday at 10 or "
        "Thursday at 3 suit you better?"
    ),
)


class MissingAnswer(UserFacingError):
    """An outcome needs an answer the rep did not give (the call-back date, say)."""

    code = "queue.missing_answer"

    def __init__(self, what: str) -> None:
        super().__init__(f"missing: {what}")
        self.what = what

    def user_message(self) -> str:
        return {
            "call_back_at": "Choose when to call back.",
            "nurture_until": "Choose when to try this contact again.",
        }.get(self.what, f"Please give the {self.what}.")


@dataclass(frozen=True)
class ContactCard:
    """Everything the call screen shows of one contact."""

    contact: Contact
    band: QueueBand | None
    source_name: str | None
    local_time: datetime | None  # the contact's own clock, when its phone number tells
    attempts: int
    recent_calls: tuple[CallEntry, ...]
    recent_notes: tuple[NoteEntry, ...]


@dataclass
class LoggedCall:
    """What one logged outcome changed, so it can be undone exactly."""

    contact_id: int
    call_id: int
    outcome: CallOutcome
    before: QueueState
    stage_after: Stage
    reminder_ids: list[int] = field(default_factory=list)
    reopened_ids: list[int] = field(default_factory=list)
    note_ids: list[int] = field(default_factory=list)
    listed: list[tuple[str, str]] = field(default_factory=list)  # put on the do-not-call register
    qualification_id: int | None = None
    result: QualificationResult | None = None
    # The contact's last stage change before this call: undo forgets the ones after it.
    stage_changes_before: int = 0


@dataclass(frozen=True)
class Skipped:
    """What undo_skip() needs to put a skipped contact back as it was."""

    contact_id: int
    note_id: int
    until_before: datetime | None


def local_time_of(e164: str | None, now: datetime) -> datetime | None:
    """The contact's local time from its number's region, when that region has one offset now."""
    if not e164:
        return None
    import phonenumbers
    from phonenumbers import timezone as number_zones

    try:
        zones = number_zones.time_zones_for_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return None
    times = []
    for name in zones:
        try:
            times.append(now.astimezone(ZoneInfo(name)))
        except (ZoneInfoNotFoundError, ValueError):
            continue
    if not times or len({t.utcoffset() for t in times}) != 1:
        return None  # unknown, or a country spanning several zones (US, Russia)
    return times[0]


def _bundled_questionnaire() -> Questionnaire:
    text = (resources_dir() / "default_questionnaire.json").read_text(encoding="utf-8")
    return questionnaire_from_json(json.loads(text))


class CallQueueService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock = system_clock) -> None:
        self._sessions = sessions
        self._clock = clock
        # Read on every step of the queue and changed only through this service: kept here.
        self._policy: QueuePolicy | None = None
        self._scripts: dict[int | None, CallScript] = {}

    # -- settings ------------------------------------------------------------------------------

    def policy(self) -> QueuePolicy:
        if self._policy is None:
            with self._sessions() as session:
                stored = SettingsRepository(session).get("queue_policy") or {}
            default = QueuePolicy()
            self._policy = QueuePolicy(
                retry_wait=timedelta(hours=float(stored.get("retry_wait_hours", 4))),
                max_attempts=int(stored.get("max_attempts", default.max_attempts)),
                skip_wait=timedelta(hours=float(stored.get("skip_wait_hours", 1))),
            )
        return self._policy

    def forget_cached(self) -> None:
        """Read the policy and scripts again: the database was replaced under us (a restore)."""
        self._policy = None
        self._scripts.clear()

    def set_policy(self, retry_wait_hours: float, max_attempts: int) -> None:
        if retry_wait_hours <= 0 or max_attempts < 1:
            raise ValueError("the retry wait and the attempts must be positive")
        with self._sessions.begin() as session:
            SettingsRepository(session).set(
                "queue_policy",
                {"retry_wait_hours": retry_wait_hours, "max_attempts": max_attempts},
            )
        self._policy = None

    def script(self, source_id: int | None) -> CallScript:
        """The list's script, else the office's default, else the bundled one."""
        if source_id not in self._scripts:
            self._scripts[source_id] = self._read_script(source_id)
        return self._scripts[source_id]

    def _read_script(self, source_id: int | None) -> CallScript:
        with self._sessions() as session:
            repo = SettingsRepository(session)
            stored = repo.get(f"call_script:{source_id}") or repo.get("call_script:default")
        if not stored:
            return DEFAULT_SCRIPT
        return CallScript(
            opening=str(stored.get("opening", "")),
            value=str(stored.get("value", "")),
            objections=tuple((str(a), str(b)) for a, b in stored.get("objections", [])),
            close=str(stored.get("close", "")),
        )

    def save_script(self, source_id: int | None, script: CallScript) -> None:
        """Save a list's script (``None``: the office's default for lists without one)."""
        key = f"call_script:{source_id}" if source_id is not None else "call_script:default"
        with self._sessions.begin() as session:
            SettingsRepository(session).set(
                key,
                {
                    "opening": script.opening,
                    "value": script.value,
                    "objections": [list(pair) for pair in script.objections],
                    "close": script.close,
                },
            )
        self._scripts.clear()  # the office's default stands in for every list without one

    # -- the queue -------------------------------------------------------------------------------

    def next_card(self, source_id: int | None) -> ContactCard | None:
        """The contact the queue offers now for a list (None: every contact), or None if done."""
        now = self._clock()
        policy = self.policy()
        with self._sessions() as session:
            found = CallRepository(session).next_in_queue(source_id, now, policy)
            if found is None:
                return None
            return self._card(session, found[0], found[1], now)

    def card(self, contact_id: int) -> ContactCard:
        with self._sessions() as session:
            return self._card(session, contact_id, None, self._clock())

    def _card(
        self, session: Session, contact_id: int, band: QueueBand | None, now: datetime
    ) -> ContactCard:
        contact = ContactRepository(session).get(contact_id)
        calls = CallRepository(session)
        return ContactCard(
            contact=contact,
            band=band,
            source_name=calls.source_name(contact.fields.source_id),
            local_time=local_time_of(contact.phone_e164 or contact.mobile_e164, now),
            attempts=calls.attempts(contact_id),
            recent_calls=tuple(calls.recent_calls(contact_id)),
            recent_notes=tuple(calls.recent_notes(contact_id)),
        )

    def progress(self, source_id: int | None) -> ListProgress:
        """How far the list is worked, and what comes back later (call-backs, retries, skips)."""
        with self._sessions() as session:
            reached, total, untried, waiting = CallRepository(session).progress(
                source_id, self._clock(), self.policy()
            )
        return ListProgress(reached=reached, total=total, never_tried=untried, waiting=waiting)

    # -- outcomes --------------------------------------------------------------------------------

    def log_outcome(
        self,
        contact_id: int,
        outcome: CallOutcome,
        *,
        started_at: datetime | None = None,
        duration_s: int = 0,
        note: str | None = None,
        call_back_at: datetime | None = None,
        keep_on_list: bool = True,
        nurture_until: datetime | None = None,
    ) -> LoggedCall:
        """Log one call and apply its outcome; returns what undo() needs.

        Raises:
            MissingAnswer: a call-back without its time, or a kept "not interested" without
                the date to try again; nothing is written.
            NotFound: the contact was deleted meanwhile.
        """
        if outcome == CallOutcome.CALL_BACK and call_back_at is None:
            raise MissingAnswer("call_back_at")
        if outcome == CallOutcome.NOT_INTERESTED and keep_on_list and nurture_until is None:
            raise MissingAnswer("nurture_until")
        now = self._clock()
        started = started_at or now
        with self._sessions.begin() as session:
            calls = CallRepository(session)
            try:
                before = calls.state(contact_id)
            except Exception as exc:  # NoResultFound: deleted in another window meanwhile
                raise NotFound(f"contact {contact_id}") from exc
            stage = stage_after(Stage(before.stage), outcome, keep_on_list=keep_on_list)
            logged = LoggedCall(
                contact_id=contact_id,
                call_id=calls.add_call(contact_id, started, duration_s, outcome, note),
                outcome=outcome,
                before=before,
                stage_after=stage,
                stage_changes_before=calls.last_stage_change(contact_id),
            )
            logged.reopened_ids = calls.complete_due_call_backs(contact_id, now)
            if outcome == CallOutcome.CALL_BACK:
                assert call_back_at is not None
                logged.reminder_ids.append(
                    calls.add_reminder(contact_id, call_back_at, CALL_BACK, "Call back", now)
                )
            elif outcome == CallOutcome.NOT_INTERESTED and keep_on_list:
                assert nurture_until is not None
                logged.reminder_ids.append(
                    calls.add_reminder(
                        contact_id,
                        nurture_until,
                        CALL_BACK,
                        "Try again: said not interested last time",
                        now,
                    )
                )
            elif outcome == CallOutcome.SEND_INFO:
                logged.reminder_ids += [
                    calls.add_reminder(contact_id, now, "email", "Send the information", now),
                    calls.add_reminder(
                        contact_id,
                        now + SEND_INFO_CALL_AGAIN,
                        CALL_BACK,
                        "Call again about the information sent",
                        now,
                    ),
                ]
            if RULES[outcome].reached:
                attempts = 0
            elif outcome in RETRY_OUTCOMES:
                attempts = before.call_attempts + 1
            else:
                attempts = before.call_attempts
            calls.set_state(
                contact_id,
                now,
                stage=stage.value,
                last_called_at=started,
                last_outcome=outcome.value,
                call_attempts=attempts,
                skipped_until=None,
                do_not_call=before.do_not_call or stage == Stage.DO_NOT_CALL,
                next_follow_up=calls.next_open_reminder(contact_id),
            )
            if stage == Stage.DO_NOT_CALL and not before.do_not_call:
                logged.listed = DoNotCallRepository(session).add_contact(
                    contact_id, "card", note, now
                )
        log.info("Call to %s: %s (%s -> %s)", contact_id, outcome, before.stage, stage)
        return logged

    def undo(self, logged: LoggedCall) -> None:
        """Take back a logged outcome (and the qualification saved with it), exactly."""
        with self._sessions.begin() as session:
            calls = CallRepository(session)
            if logged.qualification_id is not None:
                calls.delete_qualification(logged.qualification_id)
            for note_id in logged.note_ids:
                calls.delete_note(note_id)
            calls.delete_reminders(logged.reminder_ids)
            calls.reopen_reminders(logged.reopened_ids)
            calls.delete_call(logged.call_id)
            calls.restore_state(logged.contact_id, logged.before, self._clock())
            # Undone is as if never done: no "lead → suspect" back-and-forth on the timeline.
            calls.forget_stage_changes(logged.contact_id, after=logged.stage_changes_before)
            DoNotCallRepository(session).remove(logged.listed)
        log.info("Undid the call to %s (%s)", logged.contact_id, logged.outcome)

    def skip(self, contact_id: int, reason: str) -> Skipped:
        """Put a contact aside for a while; it comes back. The reason is noted on it."""
        reason = reason.strip()
        if not reason:
            raise MissingAnswer("reason for skipping")
        now = self._clock()
        policy = self.policy()
        with self._sessions.begin() as session:
            calls = CallRepository(session)
            try:
                before = calls.state(contact_id).skipped_until
            except Exception as exc:  # NoResultFound: deleted in another window meanwhile
                raise NotFound(f"contact {contact_id}") from exc
            note_id = calls.add_note(contact_id, f"Skipped in the call queue: {reason}", now)
            calls.set_state(contact_id, now, skipped_until=now + policy.skip_wait)
        return Skipped(contact_id, note_id, before)

    def undo_skip(self, skipped: Skipped) -> None:
        """Take back a skip: the contact is offered again now and the note goes."""
        with self._sessions.begin() as session:
            calls = CallRepository(session)
            calls.delete_note(skipped.note_id)
            calls.set_state(skipped.contact_id, self._clock(), skipped_until=skipped.until_before)

    def mark_do_not_call(self, contact_id: int, reason: str | None = None) -> None:
        """Flag the contact, and put its phones and email on the office's register, so the
        same number is flagged again when a later list brings it back."""
        now = self._clock()
        with self._sessions.begin() as session:
            calls = CallRepository(session)
            calls.set_state(contact_id, now, stage=Stage.DO_NOT_CALL.value, do_not_call=True)
            calls.add_note(
                contact_id, "Put on the do-not-call list" + (f": {reason}" if reason else ""), now
            )
            DoNotCallRepository(session).add_contact(contact_id, "card", reason, now)

    # -- qualification ---------------------------------------------------------------------------

    def questionnaire(self) -> Questionnaire:
        """The active questionnaire; the bundled default is saved the first time."""
        return self._active()[1]

    def _active(self) -> tuple[int, Questionnaire]:
        with self._sessions() as session:
            found = QuestionnaireRepository(session).active(DEFAULT_QUESTIONNAIRE)
        if found is not None:
            return found
        with self._sessions.begin() as session:
            repo = QuestionnaireRepository(session)
            found = repo.active(DEFAULT_QUESTIONNAIRE)
            if found is None:
                bundled = _bundled_questionnaire()
                questionnaire_id, _version = repo.save_version(bundled, self._clock())
                found = questionnaire_id, repo.get(questionnaire_id)
        return found

    def _asked(self, asked: Questionnaire | None) -> tuple[int, Questionnaire]:
        if asked is not None:
            with self._sessions() as session:
                found = QuestionnaireRepository(session).version(asked.name, asked.version)
            if found is not None:
                return found
        return self._active()

    def save_questionnaire(self, questionnaire: Questionnaire) -> int:
        """Save an edited questionnaire as a new version; answers given before keep theirs."""
        self._active()
        with self._sessions.begin() as session:
            _id, version = QuestionnaireRepository(session).save_version(
                questionnaire, self._clock()
            )
        return version

    def qualify(
        self,
        contact_id: int,
        answers: dict[str, object],
        *,
        notes: dict[str, str] | None = None,
        engagement: list[Engagement] | None = None,
        logged: LoggedCall | None = None,
        asked: Questionnaire | None = None,
    ) -> QualificationResult:
        """Judge the contact, store the answers (per version) and move its stage.

        ``asked``: the questionnaire the answers were given to (default: the active one).
        Questions stay open on the call screen while Settings may save a new version; the
        answers are judged by the rules of the questions the rep asked, and filed under them.

        When ``logged`` (the call the questionnaire belongs to) is given, undoing that call
        also takes this qualification back.
        """
        questionnaire_id, questionnaire = self._asked(asked)
        result = qualify(questionnaire, answers, engagement or [])
        now = self._clock()
        notes = {k: v.strip() for k, v in (notes or {}).items() if v and v.strip()}
        stored = {
            "answers": dict(answers),
            "notes": notes,
            "engagement": [e.value for e in engagement or []],
        }
        with self._sessions.begin() as session:
            calls = CallRepository(session)
            state = calls.state(contact_id)
            qualification_id = QuestionnaireRepository(session).add_qualification(
                contact_id, questionnaire_id, stored, result, now
            )
            note_ids = []
            who = notes.get("authority")
            if who and str(answers.get("authority")) != "yes":
                note_ids.append(calls.add_note(contact_id, f"Who decides: {who}", now))
            stage = Stage(state.stage)
            if stage in (Stage.SUSPECT, Stage.LEAD, Stage.PROSPECT, Stage.NOT_INTERESTED):
                stage = result.stage
            calls.set_state(
                contact_id,
                now,
                stage=stage.value,
                fit_grade=result.fit_grade,
                score=result.engagement,
                temperature=(
                    result.temperature.value
                    if result.stage != Stage.DISQUALIFIED
                    else Temperature.COLD.value
                ),
            )
        if logged is not None:
            logged.qualification_id = qualification_id
            logged.note_ids += note_ids
            logged.result = result
        log.info("Qualified %s: %s, grade %s", contact_id, result.stage, result.fit_grade)
        return result

    def qualifications(self, contact_id: int) -> list[dict[str, object]]:
        with self._sessions() as session:
            return QuestionnaireRepository(session).qualifications_of(contact_id)
