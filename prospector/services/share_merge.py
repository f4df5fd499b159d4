"""One merge of a share file into the database: the work behind ``SharingService.merge``.

The file is read sheet by sheet in the order the records depend on each other: lists and
questionnaires, then deletions, contacts (in batches of 500: looked up by UUID, by a
colleague's UUID seen before, then by the import's duplicate rules), then what hangs off
contacts. Field decisions are ``domain.share.decide_fields``; this module applies them.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from prospector.domain.contacts import name_key, normalize_email, normalize_phone, phone_digits
from prospector.domain.regions import region_for_country
from prospector.domain.share import (
    DELETED_FIELD,
    FIELD_WORDS,
    MERGED_FIELDS,
    Choice,
    Conflict,
    MatchedBy,
    MergeSummary,
    Sheet,
    baseline_value,
    decide_fields,
)
from prospector.domain.stages import Stage, Temperature
from prospector.importers.share_reader import RowProblem, ShareReader, ShareRow
from prospector.services.export_plan import STAGE_WORDS, TEMPERATURE_WORDS
from prospector.services.sources import SOURCE_KINDS
from prospector.storage import tables as t
from prospector.storage.do_not_call_repository import (
    EMAIL,
    PHONE,
    DoNotCallRepository,
    digits_of,
)
from prospector.storage.privacy_repository import PrivacyRepository
from prospector.storage.reminder_repository import ReminderRepository
from prospector.storage.share_repository import (
    CONTACT_COLUMNS,
    ShareMergeStore,
)

_BATCH = 500
# Fields the search and duplicate columns are derived from.
_IDENTITY = frozenset({"first_name", "last_name", "full_name", "phone", "mobile", "email"})
# The queue's bookkeeping, taken from the side that called last.
_QUEUE_STATE = ("last_called_at", "last_outcome", "call_attempts", "skipped_until")


def merge_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored contact (or one read from a file) in the merge's field names."""
    view = {key: row.get(key) for key in MERGED_FIELDS if key != "source"}
    view["source"] = row.get("source_id")
    return view


def baseline_of(view: Mapping[str, Any]) -> dict[str, Any]:
    return {key: baseline_value(value) for key, value in view.items()}


# -- the merge itself --------------------------------------------------------------------------


_STAGE_READ = {
    **{s.value: s.value for s in Stage},
    **{w.casefold(): s.value for s, w in STAGE_WORDS.items()},
}
_TEMPERATURE_READ = {
    **{x.value: x.value for x in Temperature},
    **{w.casefold(): x.value for x, w in TEMPERATURE_WORDS.items()},
}


class ShareMerge:
    """One merge of one file into one transaction; ``summary`` fills in as it runs."""

    def __init__(
        self,
        reader: ShareReader,
        path: Path,
        choices: Mapping[tuple[str, str], Choice],
        region: str,
        now: datetime,
    ) -> None:
        self._reader = reader
        self._file = path.name
        self._choices = choices
        self._region = region
        self._now = now
        self.summary = MergeSummary()
        self._problems: list[RowProblem] = []
        self._contact_ids: dict[str, int] = {}  # the file's contact UUID -> our id
        self._merged_ids: set[int] = set()
        self._deleted_in_file: set[str] = set()  # contacts the file says were deleted
        self._sources: dict[str, int] = {}  # the file's list UUID -> our id
        self._questionnaires: dict[str, int] = {}
        self._touched: set[int] = set()  # contacts whose reminders changed
        self._dnc_new: list[int] = []

    def run(self, store: ShareMergeStore, session: Session) -> Iterator[int]:
        self._store = store
        self._session = session
        self._merge_sources()
        self._merge_questionnaires()
        self._apply_deletions()
        stage_mark = store.last_stage_change_id()
        yield from self._merge_contacts()
        store.forget_stage_changes_after(stage_mark)
        self._merge_stage_history()
        self._merge_notes()
        self._merge_calls()
        self._merge_reminders()
        self._merge_qualifications()
        self._flag_do_not_call()
        if self._touched:
            ReminderRepository(session).sync_next_follow_up(sorted(self._touched))
        self.summary.problems = [str(p) for p in self._problems[:200]]
        self.summary.rejected = sum(1 for p in self._problems if p.sheet is Sheet.CONTACTS)
        yield len(self._contact_ids)

    def _rows(self, sheet: Sheet) -> Iterator[ShareRow]:
        return self._reader.rows(sheet, self._problems)

    def _problem(self, row: ShareRow, message: str) -> None:
        self._problems.append(RowProblem(row.sheet, row.number, message))

    # -- lists and questionnaires ----------------------------------------------------------------

    def _merge_sources(self) -> None:
        ours = self._store.sources()
        by_uuid = {s["uuid"]: s for s in ours}
        by_name = {str(s["name"]).casefold(): s for s in ours}
        for row in self._rows(Sheet.SOURCES):
            v = row.values
            if not v.get("uuid") or not v.get("name"):
                self._problem(row, "a list needs its ID and its name")
                continue
            found = by_uuid.get(v["uuid"]) or by_name.get(str(v["name"]).casefold())
            if found is None:
                values = {
                    "uuid": v["uuid"],
                    "name": v["name"],
                    "kind": v.get("kind") if v.get("kind") in SOURCE_KINDS else "purchased_list",
                    "vendor": v.get("vendor"),
                    "cost_cents": v.get("cost_cents"),
                    "currency": v.get("currency"),
                    "acquired_on": v.get("acquired_on"),
                    "notes": v.get("notes"),
                    "created_at": v.get("created_at") or self._now,
                }
                source_id = self._store.add_source(values)
                self._sources[v["uuid"]] = source_id
                by_uuid[v["uuid"]] = by_name[str(v["name"]).casefold()] = {
                    **values,
                    "id": source_id,
                }
                self.summary.sources_added += 1
                continue
            fill = {
                k: v[k]
                for k in ("vendor", "cost_cents", "currency", "acquired_on", "notes")
                if found.get(k) in (None, "") and v.get(k) not in (None, "")
            }
            self._store.fill_source(found["id"], fill)
            self._sources[v["uuid"]] = found["id"]

    def _merge_questionnaires(self) -> None:
        known = self._store.questionnaire_ids()
        for row in self._rows(Sheet.QUESTIONNAIRES):
            v = row.values
            uuid, name = v.get("uuid"), v.get("name")
            if not uuid or not name:
                self._problem(row, "a questionnaire needs its ID and its name")
                continue
            if uuid in known:
                self._questionnaires[uuid] = known[uuid]
                continue
            questions = v.get("questions") if isinstance(v.get("questions"), list) else []
            version = max(v.get("version") or 1, 1)
            known[uuid] = self._questionnaires[uuid] = self._store.add_questionnaire(
                uuid, str(name), version, v.get("created_at") or self._now, questions
            )

    # -- deletions -------------------------------------------------------------------------------

    def _apply_deletions(self) -> None:
        children = {
            "note": t.Note,
            "call": t.CallLog,
            "reminder": t.Reminder,
            "qualification": t.Qualification,
        }
        for row in self._rows(Sheet.DELETED):
            uuid, kind, deleted_at = (row.values.get(k) for k in ("uuid", "kind", "deleted_at"))
            if not uuid or not kind:
                continue
            if kind in children:
                self._store.delete_by_uuid(children[kind], uuid)
            elif kind == "contact":
                self._deleted_in_file.add(uuid)
                self._delete_contact(uuid, deleted_at or self._now)

    def _delete_contact(self, uuid: str, deleted_at: datetime) -> None:
        local = self._store.contacts_by_uuid([uuid]).get(uuid)
        if local is None:
            alias = self._store.aliases([uuid]).get(uuid)
            if alias is None:
                return
            local = self._store.contacts_by_id([alias]).get(alias)
            if local is None:
                return
        contact_id = local["id"]
        if local["updated_at"] > deleted_at:  # changed here after the colleague deleted it
            marker = {DELETED_FIELD: deleted_at.isoformat()}
            baseline = self._store.baselines([contact_id]).get(contact_id)
            if baseline is not None and baseline[1].get(DELETED_FIELD) == marker[DELETED_FIELD]:
                return  # decided at an earlier merge of this deletion
            conflict = Conflict(uuid, _name(local), DELETED_FIELD, "kept", "deleted")
            self.summary.conflicts.append(conflict)
            if self._choices.get(conflict.key) is not Choice.THEIRS:
                self._note(
                    contact_id,
                    f"Your colleague deleted this contact ({self._file}, "
                    f"{deleted_at:%Y-%m-%d}); it was kept because it changed here since.",
                )
                fields = dict(baseline[1]) if baseline else {}
                fields.update(marker)
                self._store.set_baselines(
                    [{"contact_id": contact_id, "remote_updated_at": deleted_at, "fields": fields}]
                )
                return
        self._store.delete_contact(contact_id)
        self.summary.deleted += 1

    # -- contacts --------------------------------------------------------------------------------

    def _merge_contacts(self) -> Iterator[int]:
        batch: list[tuple[ShareRow, dict[str, Any]]] = []
        seen: set[str] = set()
        for row in self._rows(Sheet.CONTACTS):
            values = self._contact_values(row)
            if values is None:
                continue
            if values["uuid"] in seen:  # a hand-edited file: the first row of an ID counts
                self._problem(row, "this contact ID is on an earlier row too")
                continue
            seen.add(values["uuid"])
            batch.append((row, values))
            if len(batch) >= _BATCH:
                self._merge_batch(batch)
                batch = []
                yield len(self._contact_ids)
        if batch:
            self._merge_batch(batch)
        yield len(self._contact_ids)

    def _contact_values(self, row: ShareRow) -> dict[str, Any] | None:
        """A file's contact row as we would store it, or None (a problem is recorded)."""
        v = dict(row.values)
        uuid = v.get("uuid")
        if not uuid:
            self._problem(row, "the contact has no ID")
            return None
        try:
            uuid = str(uuid_module.UUID(str(uuid)))
        except ValueError:
            self._problem(row, f"'{uuid}' is not a contact ID")
            return None
        if not any(v.get(k) for k in ("first_name", "last_name", "full_name", "company")):
            self._problem(row, "the contact has neither a name nor a company")
            return None
        stage = _STAGE_READ.get(str(v.get("stage") or "suspect").strip().casefold())
        temperature = _TEMPERATURE_READ.get(str(v.get("temperature") or "cold").strip().casefold())
        if stage is None or temperature is None:
            what = "stage" if stage is None else "temperature"
            self._problem(row, f"'{v.get(what)}' is not a {what} Prospector knows")
            return None
        source = v.pop("source", None)
        custom = v.get("custom_fields")
        values: dict[str, Any] = {
            **{k: v.get(k) for k in CONTACT_COLUMNS if k != "source_id"},
            "uuid": uuid,
            "stage": stage,
            "temperature": temperature,
            "source_id": self._sources.get(source) if source else None,
            "do_not_call": bool(v.get("do_not_call")) or stage == Stage.DO_NOT_CALL,
            "score": v.get("score") or 0,
            "call_attempts": v.get("call_attempts") or 0,
            "custom_fields": (
                {str(k): "" if x is None else str(x) for k, x in custom.items()} or None
                if isinstance(custom, dict)
                else None
            ),
            "created_at": v.get("created_at") or self._now,
            "updated_at": v.get("updated_at") or v.get("created_at") or self._now,
        }
        values.update(self._derived(values))
        return values

    def _derived(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """What the database keeps beside the typed fields, for search and duplicates."""
        region = region_for_country(values.get("country"), self._region)
        phone, mobile, email = values.get("phone"), values.get("mobile"), values.get("email")
        phone_e164 = normalize_phone(phone, region) if phone else None
        mobile_e164 = normalize_phone(mobile, region) if mobile else None
        return {
            "phone_e164": phone_e164,
            "mobile_e164": mobile_e164,
            "phone_digits": phone_digits(phone, phone_e164, mobile, mobile_e164),
            "email_normalized": normalize_email(email) if email else None,
            "name_key": name_key(
                values.get("first_name"), values.get("last_name"), values.get("full_name")
            ),
        }

    def _merge_batch(self, batch: list[tuple[ShareRow, dict[str, Any]]]) -> None:
        store = self._store
        uuids = [values["uuid"] for _, values in batch]
        by_uuid = store.contacts_by_uuid(uuids)
        rest = [u for u in uuids if u not in by_uuid]
        aliases = store.aliases(rest)
        deleted = store.tombstoned([u for u in rest if u not in aliases])
        # A hand-edited file may list a contact and its deletion: the deletion wins.
        deleted.update((u, self._now) for u in rest if u in self._deleted_in_file)
        unmatched = [
            values
            for _, values in batch
            if values["uuid"] not in by_uuid
            and values["uuid"] not in aliases
            and values["uuid"] not in deleted
        ]
        wanted = [
            (
                v["email_normalized"],
                tuple(p for p in (v["phone_e164"], v["mobile_e164"]) if p),
                v["name_key"],
                v.get("company"),
                v.get("city"),
            )
            for v in unmatched
        ]
        duplicates = dict(
            zip([v["uuid"] for v in unmatched], store.find_duplicates(wanted), strict=True)
        )
        matched: dict[str, tuple[int, MatchedBy]] = {}
        for uuid in uuids:
            if uuid in by_uuid:
                matched[uuid] = (by_uuid[uuid]["id"], MatchedBy.UUID)
            elif uuid in aliases:
                matched[uuid] = (aliases[uuid], MatchedBy.ALIAS)
            elif (hit := duplicates.get(uuid)) is not None:
                matched[uuid] = hit
        ids = sorted({cid for cid, _ in matched.values()})
        local = store.contacts_by_id(ids)
        baselines = store.baselines(ids)
        new_rows: list[dict[str, Any]] = []
        new_baselines: list[dict[str, Any]] = []
        for _row, values in batch:
            uuid = values["uuid"]
            if uuid in deleted:
                self.summary.kept_deleted += 1
                continue
            hit = matched.get(uuid)
            if hit is None:
                new_rows.append(values)
                continue
            contact_id, matched_by = hit
            if contact_id in self._merged_ids and matched_by not in (
                MatchedBy.UUID,
                MatchedBy.ALIAS,
            ):
                new_rows.append(values)  # a second person in the file like one merged already
                continue
            mine = local.get(contact_id)
            if mine is None:
                continue
            if matched_by not in (MatchedBy.UUID, MatchedBy.ALIAS):
                store.add_alias(uuid, contact_id)
            self._contact_ids[uuid] = contact_id
            self._merged_ids.add(contact_id)
            baseline = baselines.get(contact_id)
            if baseline is not None and values["updated_at"] < baseline[0]:
                self.summary.unchanged += 1  # an older file than the last one merged
                continue
            changed = self._update(contact_id, mine, values, baseline, matched_by)
            if changed:
                self.summary.updated += 1
            else:
                self.summary.unchanged += 1
            new_baselines.append(
                {
                    "contact_id": contact_id,
                    "remote_updated_at": values["updated_at"],
                    "fields": baseline_of(merge_view(values)),
                }
            )
        if new_rows:
            inserted = store.insert_contacts(new_rows)
            self._contact_ids.update(inserted)
            self._merged_ids.update(inserted.values())
            self.summary.added += len(inserted)
            self._dnc_new.extend(inserted.values())
            new_baselines += [
                {
                    "contact_id": inserted[v["uuid"]],
                    "remote_updated_at": v["updated_at"],
                    "fields": baseline_of(merge_view(v)),
                }
                for v in new_rows
            ]
        store.set_baselines(new_baselines)

    def _update(
        self,
        contact_id: int,
        mine: dict[str, Any],
        theirs: dict[str, Any],
        baseline: tuple[datetime, dict[str, Any]] | None,
        matched_by: MatchedBy,
    ) -> bool:
        decision = decide_fields(
            merge_view(mine),
            merge_view(theirs),
            baseline[1] if baseline else None,
            remote_is_newer=theirs["updated_at"] > mine["updated_at"],
            matched_by=matched_by,
        )
        take = dict(decision.take)
        lines: list[str] = []
        for key in decision.conflicts:
            conflict = Conflict(
                theirs["uuid"], _name(mine), key, mine.get(_column(key)), theirs.get(_column(key))
            )
            self.summary.conflicts.append(conflict)
            word = FIELD_WORDS.get(key, key)
            if self._choices.get(conflict.key) is Choice.THEIRS:
                take[key] = theirs.get(_column(key))
                lines.append(
                    f"{word}: took “{_shown(conflict.theirs)}”, was “{_shown(conflict.mine)}”"
                )
            else:
                lines.append(
                    f"{word}: kept “{_shown(conflict.mine)}”, "
                    f"the file had “{_shown(conflict.theirs)}”"
                )
        values = {_column(k): v for k, v in take.items()}
        if theirs.get("last_called_at") and (
            mine.get("last_called_at") is None or theirs["last_called_at"] > mine["last_called_at"]
        ):
            values.update({k: theirs.get(k) for k in _QUEUE_STATE})
            values["call_attempts"] = values["call_attempts"] or 0
        if lines:
            self._note(
                contact_id, f"Merged {self._file}; both sides had changed:\n" + "\n".join(lines)
            )
        if not values:
            return False
        if _IDENTITY & values.keys() or "country" in values:
            merged = {**mine, **values}
            values.update(self._derived(merged))
        if values.get("do_not_call"):
            self._dnc_new.append(contact_id)
        values["updated_at"] = max(mine["updated_at"], theirs["updated_at"])
        self._store.update_contact(contact_id, values)
        return True

    def _note(self, contact_id: int, text: str) -> None:
        self._store.insert_rows(
            t.Note,
            [
                {
                    "uuid": str(uuid_module.uuid4()),
                    "contact_id": contact_id,
                    "text": text,
                    "created_at": self._now,
                    "edited_at": None,
                }
            ],
        )

    def _flag_do_not_call(self) -> None:
        """The register covers numbers: a contact arriving with a listed or erased number is
        flagged; one arriving flagged puts its numbers on our register."""
        if not self._dnc_new:
            return
        session = self._session
        register = DoNotCallRepository(session)
        rows = self._store.contacts_by_id(sorted(set(self._dnc_new)))
        phones = {
            e164 or digits_of(typed)
            for r in rows.values()
            for typed, e164 in ((r["phone"], r["phone_e164"]), (r["mobile"], r["mobile_e164"]))
            if typed
        }
        listed_phones = register.already_listed(PHONE, sorted(p for p in phones if p))
        emails = sorted({r["email_normalized"] for r in rows.values() if r["email_normalized"]})
        listed_emails = register.already_listed(EMAIL, emails)
        if listed_phones or listed_emails:
            register.flag_matching(
                self._now, "on the do-not-call list", phones=listed_phones, emails=listed_emails
            )
        erased = PrivacyRepository(session).erased_among(
            (cid, r["phone"], r["mobile"], r["email"]) for cid, r in rows.items()
        )
        for contact_id in erased:
            self._store.update_contact(
                contact_id, {"do_not_call": True, "stage": Stage.DO_NOT_CALL.value}
            )
        for contact_id, row in rows.items():
            if row["do_not_call"]:
                register.add_contact(contact_id, self._file, None, self._now)

    # -- what hangs off contacts -----------------------------------------------------------------

    def _contact_of(self, row: ShareRow) -> int | None:
        uuid = row.values.get("contact")
        return self._contact_ids.get(uuid) if uuid else None

    def _children(self, sheet: Sheet, table: Any) -> Iterator[list[tuple[ShareRow, int]]]:
        """The sheet's rows for contacts of this merge, not deleted here, in batches."""
        batch: list[tuple[ShareRow, int]] = []
        seen: set[str] = set()
        for row in self._rows(sheet):
            contact_id = self._contact_of(row)
            uuid = row.values.get("uuid")
            if contact_id is None or not uuid:
                continue
            if uuid in seen:
                self._problem(row, "this ID is on an earlier row too")
                continue
            seen.add(uuid)
            batch.append((row, contact_id))
            if len(batch) >= _BATCH:
                yield self._not_deleted(batch)
                batch = []
        if batch:
            yield self._not_deleted(batch)

    def _not_deleted(self, batch: list[tuple[ShareRow, int]]) -> list[tuple[ShareRow, int]]:
        gone = self._store.tombstoned([r.values["uuid"] for r, _ in batch])
        return [(r, c) for r, c in batch if r.values["uuid"] not in gone]

    def _merge_notes(self) -> None:
        for batch in self._children(Sheet.NOTES, t.Note):
            known = self._store.existing(t.Note, [r.values["uuid"] for r, _ in batch])
            new = []
            for row, contact_id in batch:
                v = row.values
                text = v.get("text") or ""
                ours = known.get(v["uuid"])
                if ours is None:
                    new.append(
                        {
                            "uuid": v["uuid"],
                            "contact_id": contact_id,
                            "text": text,
                            "created_at": v.get("created_at") or self._now,
                            "edited_at": v.get("edited_at"),
                        }
                    )
                elif ours["text"] != text and _later(v.get("edited_at"), ours["edited_at"]):
                    self._store.update_row(
                        t.Note, ours["id"], {"text": text, "edited_at": v["edited_at"]}
                    )
            self._store.insert_rows(t.Note, new)
            self.summary.notes_added += len(new)

    def _merge_calls(self) -> None:
        for batch in self._children(Sheet.CALLS, t.CallLog):
            known = self._store.existing(t.CallLog, [r.values["uuid"] for r, _ in batch])
            new = [
                {
                    "uuid": r.values["uuid"],
                    "contact_id": cid,
                    "started_at": r.values.get("started_at") or self._now,
                    "duration_s": r.values.get("duration_s") or 0,
                    "outcome": r.values.get("outcome") or "other",
                    "note": r.values.get("note"),
                }
                for r, cid in batch
                if r.values["uuid"] not in known
            ]
            self._store.insert_rows(t.CallLog, new)
            self.summary.calls_added += len(new)

    def _merge_reminders(self) -> None:
        for batch in self._children(Sheet.REMINDERS, t.Reminder):
            known = self._store.existing(t.Reminder, [r.values["uuid"] for r, _ in batch])
            new = []
            for row, contact_id in batch:
                v = row.values
                ours = known.get(v["uuid"])
                if ours is None:
                    if not v.get("due_at") or not v.get("kind"):
                        self._problem(row, "a reminder needs its due date and its kind")
                        continue
                    new.append(
                        {
                            "uuid": v["uuid"],
                            "contact_id": contact_id,
                            "due_at": v["due_at"],
                            "kind": v["kind"],
                            "text": v.get("text"),
                            "done_at": v.get("done_at"),
                            "recurrence": v.get("recurrence"),
                            "created_at": v.get("created_at") or self._now,
                        }
                    )
                    self._touched.add(contact_id)
                elif v.get("done_at") and ours["done_at"] is None:
                    self._store.update_row(t.Reminder, ours["id"], {"done_at": v["done_at"]})
                    self._touched.add(contact_id)
            self._store.insert_rows(t.Reminder, new)
            self.summary.reminders_added += len(new)

    def _merge_qualifications(self) -> None:
        for batch in self._children(Sheet.QUALIFICATIONS, t.Qualification):
            known = self._store.existing(t.Qualification, [r.values["uuid"] for r, _ in batch])
            new = []
            for row, contact_id in batch:
                v = row.values
                if v["uuid"] in known:
                    continue
                questionnaire = self._questionnaires.get(v.get("questionnaire") or "")
                if questionnaire is None or not v.get("answered_at"):
                    self._problem(row, "the answers' questionnaire is not in the file")
                    continue
                new.append(
                    {
                        "uuid": v["uuid"],
                        "contact_id": contact_id,
                        "questionnaire_id": questionnaire,
                        "answered_at": v["answered_at"],
                        "answers": v.get("answers") if isinstance(v.get("answers"), dict) else {},
                        "result": v.get("result") or "",
                        "fit_grade": v.get("fit_grade"),
                        "score": v.get("score") or 0,
                        "temperature": v.get("temperature"),
                        "missing": v.get("missing"),
                        "reason": v.get("reason"),
                    }
                )
            self._store.insert_rows(t.Qualification, new)
            self.summary.qualifications_added += len(new)

    def _merge_stage_history(self) -> None:
        rows = [
            (cid, r.values["changed_at"], r.values.get("old_stage"), r.values.get("new_stage"))
            for r in self._rows(Sheet.STAGE_HISTORY)
            if (cid := self._contact_of(r)) is not None and r.values.get("changed_at")
        ]
        if not rows:
            return
        have = self._store.stage_history(sorted({cid for cid, *_ in rows}))
        new = []
        for cid, at, old, new_stage in rows:
            if old in _STAGE_READ.values() and new_stage in _STAGE_READ.values():
                key = (cid, at, old, new_stage)
                if key not in have:
                    have.add(key)
                    new.append(
                        {
                            "contact_id": cid,
                            "changed_at": at,
                            "old_stage": old,
                            "new_stage": new_stage,
                        }
                    )
        self._store.insert_rows(t.StageChange, new)


def _column(key: str) -> str:
    return "source_id" if key == "source" else key


def _later(theirs: datetime | None, ours: datetime | None) -> bool:
    return theirs is not None and (ours is None or theirs > ours)


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _name(row: Mapping[str, Any]) -> str:
    first, last = row.get("first_name"), row.get("last_name")
    name = " ".join(p for p in (first, last) if p) or row.get("full_name") or ""
    company = row.get("company") or ""
    return ", ".join(p for p in (name, company) if p) or "(no name)"
