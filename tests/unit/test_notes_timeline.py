"""Notes (drafts, edits, deletion), the contact timeline and notes in the contact search."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from prospector.domain.contacts import ContactFields
from prospector.domain.outcomes import CallOutcome
from prospector.domain.query import ContactQuery, SortKey
from prospector.domain.stages import Stage
from prospector.domain.timeline import EntryKind
from prospector.errors import NotFound, ValidationError


def _contact(workspace, first: str = "Jean", last: str = "Dupont", **extra) -> int:
    fields = ContactFields(first_name=first, last_name=last, phone="06 12 34 56 78", **extra)
    return workspace.contacts.add(fields).id


def _names(workspace, text: str, **query) -> list[str]:
    q = ContactQuery(text=text, **query)
    rows = workspace.contacts.page(q, 0, 50)
    assert workspace.contacts.count(q) == len(rows)
    return [r.name.split()[0] for r in rows]


# -- drafts and edits ---------------------------------------------------------------------------


def test_a_draft_is_saved_as_typed_and_is_not_an_edit(workspace, clock):
    contact = _contact(workspace)
    note_id = workspace.notes.save_draft(contact, None, "Wants a")
    clock.advance(seconds=2)
    assert workspace.notes.save_draft(contact, note_id, "Wants a quote by Friday") == note_id

    note = workspace.notes.get(note_id)
    assert note.text == "Wants a quote by Friday"
    assert note.edited_at is None
    assert note.created_at == clock.now - timedelta(seconds=2)


def test_an_emptied_draft_is_removed_and_a_blank_one_never_written(workspace):
    contact = _contact(workspace)
    assert workspace.notes.save_draft(contact, None, "   \n") is None
    note_id = workspace.notes.save_draft(contact, None, "x")
    assert workspace.notes.save_draft(contact, note_id, "") is None
    with pytest.raises(NotFound):
        workspace.notes.get(note_id)
    assert [e.kind for e in workspace.notes.timeline(contact).entries] == [EntryKind.ADDED]


def test_editing_a_note_keeps_the_time_of_the_edit(workspace, clock):
    contact = _contact(workspace)
    note_id = workspace.notes.add(contact, "Prefers mornings")
    clock.advance(hours=3)
    assert workspace.notes.edit(note_id, "Prefers mornings, before 10") is True
    assert workspace.notes.edit(note_id, "Prefers mornings, before 10") is False  # unchanged
    assert workspace.notes.edit(note_id, "  ") is False  # emptying is not deleting

    note = workspace.notes.get(note_id)
    assert note.text == "Prefers mornings, before 10"
    assert note.edited_at == clock.now
    assert note.created_at == clock.now - timedelta(hours=3)


def test_a_note_on_a_deleted_contact_says_so(workspace):
    contact = _contact(workspace)
    draft = workspace.notes.save_draft(contact, None, "typing")
    workspace.contacts.delete(contact)
    with pytest.raises(NotFound):
        workspace.notes.save_draft(contact, None, "more")
    with pytest.raises(NotFound):
        workspace.notes.save_draft(contact, draft, "more")
    with pytest.raises(NotFound):
        workspace.notes.edit(draft, "more")
    with pytest.raises(ValidationError):
        workspace.notes.add(contact, "")


# -- the timeline --------------------------------------------------------------------------------


def test_the_timeline_tells_the_whole_story_newest_first(workspace, clock):
    contact = _contact(workspace)
    clock.advance(minutes=5)
    workspace.notes.add(contact, "Found on the fair's list")
    clock.advance(minutes=5)
    logged = workspace.queue.log_outcome(
        contact, CallOutcome.TALKED, duration_s=95, note="Busy, interested"
    )
    workspace.queue.qualify(contact, {"market": "yes", "budget": "yes"}, logged=logged)
    clock.advance(days=1)
    workspace.contacts.update(
        contact,
        ContactFields(
            first_name="Jean",
            last_name="Dupont",
            phone="06 12 34 56 78",
            stage=Stage.NOT_INTERESTED,
        ),
    )

    entries = workspace.notes.timeline(contact).entries
    assert [e.kind for e in entries] == [
        EntryKind.STAGE,  # the edit, a day later
        EntryKind.STAGE,  # the call's move: at the same moment, above its cause
        EntryKind.QUALIFICATION,  # half answered: still a lead, so no move of its own
        EntryKind.CALL,
        EntryKind.NOTE,
        EntryKind.ADDED,
    ]
    assert (entries[0].old_stage, entries[0].new_stage) == (Stage.LEAD, Stage.NOT_INTERESTED)
    assert entries[2].new_stage == Stage.LEAD
    call = next(e for e in entries if e.kind == EntryKind.CALL)
    assert (call.outcome, call.duration_s, call.text) == ("talked", 95, "Busy, interested")
    first_move = [e for e in entries if e.kind == EntryKind.STAGE][-1]
    assert (first_move.old_stage, first_move.new_stage) == (Stage.SUSPECT, Stage.LEAD)
    assert entries[-1].source_name is None  # typed in, not from a list


def test_an_undone_call_leaves_no_stage_change_behind(workspace):
    contact = _contact(workspace)
    logged = workspace.queue.log_outcome(contact, CallOutcome.TALKED)
    assert EntryKind.STAGE in [e.kind for e in workspace.notes.timeline(contact).entries]
    workspace.queue.undo(logged)
    kinds = [e.kind for e in workspace.notes.timeline(contact).entries]
    assert kinds == [EntryKind.ADDED]


def test_a_long_history_comes_in_pages(workspace, clock):
    contact = _contact(workspace)
    for i in range(7):
        clock.advance(minutes=1)
        workspace.notes.add(contact, f"note {i}")
    first = workspace.notes.timeline(contact, limit=5)
    assert [e.text for e in first.entries] == [f"note {i}" for i in (6, 5, 4, 3, 2)]
    assert first.more is True
    everything = workspace.notes.timeline(contact, limit=8)
    assert everything.more is False
    assert everything.entries[-1].kind == EntryKind.ADDED


def test_contacts_from_a_list_say_which(workspace):
    workspace.sample_list.load()
    some = workspace.contacts.page(ContactQuery(), 0, 1)[0]
    added = workspace.notes.timeline(some.id).entries[-1]
    assert added.kind == EntryKind.ADDED
    assert added.source_name


# -- search --------------------------------------------------------------------------------------


def test_notes_and_call_notes_join_the_contact_search(workspace):
    jean = _contact(workspace, "Jean")
    marie = _contact(workspace, "Marie", "Martin")
    _contact(workspace, "Paul", "Durand")
    workspace.notes.add(jean, "Veut un devis pour la vitrine réfrigérée")
    workspace.queue.log_outcome(marie, CallOutcome.TALKED, note="Parle du salon de Lyon")

    assert _names(workspace, "refrigeree") == ["Jean"]  # accents folded, as for names
    assert _names(workspace, "salon") == ["Marie"]
    # Each word may be in the fields or in a note.
    assert _names(workspace, "dupont devis") == ["Jean"]
    assert _names(workspace, "durand devis") == []
    # Every path of the table: sorted, in the index's order, by a group, and the position.
    assert _names(workspace, "devis", sort=SortKey.STAGE) == ["Jean"]
    assert _names(workspace, "devis", match_order=True) == ["Jean"]
    q = ContactQuery(text="devis", match_order=True)
    assert workspace.contacts.position_of(q, jean) == 0
    assert workspace.contacts.position_of(q, marie) is None


def test_an_edited_or_deleted_note_is_searched_as_it_is_now(workspace):
    jean = _contact(workspace)
    note = workspace.notes.add(jean, "ancien texte")
    workspace.notes.edit(note, "nouveau texte")
    assert _names(workspace, "ancien") == []
    assert _names(workspace, "nouveau") == ["Jean"]
    workspace.notes.delete(note)
    assert _names(workspace, "nouveau") == []


def test_deleting_a_contact_takes_its_notes_out_of_the_search(workspace, db_path):
    jean = _contact(workspace)
    workspace.notes.add(jean, "vitrine")
    workspace.queue.log_outcome(jean, CallOutcome.TALKED, note="vitrine again")
    workspace.contacts.delete(jean)
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT count(*) FROM notes_fts").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM stage_changes").fetchone()[0] == 0
    finally:
        conn.close()
