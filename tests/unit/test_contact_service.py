"""Browsing, searching and editing contacts through the service, against a real database."""

import random
from dataclasses import replace

import pytest

from prospector.domain.contacts import ContactFields, fold_text
from prospector.domain.query import ContactQuery, SortKey
from prospector.domain.stages import Stage, Temperature
from prospector.errors import NotFound, ValidationError

PEOPLE = [
    ("Jean", "Lefèvre", "Crème SARL", "Lyon", "06 12 34 56 78", "France"),
    ("Ştefan", "Popescu", "Băneasa SRL", "București", "0721 123 456", "Romania"),
    ("Ivana", "Horvat", "Tvrtka d.o.o.", "Zagreb", "+385 91 234 5678", "Croatia"),
    ("Петар", "Петровски", "Македонски Телеком", "Скопје", "070 123 456", "North Macedonia"),
    ("Anna", "Müller", "Firma GmbH", "Berlin", "030 1234567", "Germany"),
    ("Marie", "Martin", "Lyon Bureautique", "Lyon", "04 72 00 00 01", "France"),
]


@pytest.fixture
def people(workspace):
    ids = []
    source_a = workspace.sources.add("Directory 2026", "directory")
    source_b = workspace.sources.add("Bought list", "purchased_list", cost_cents=5000)
    for i, (first, last, company, city, phone, country) in enumerate(PEOPLE):
        contact = workspace.contacts.add(
            ContactFields(
                first_name=first,
                last_name=last,
                company=company,
                city=city,
                phone=phone,
                country=country,
                email=f"{fold_text(first)}.{i}@example.com",
                source_id=source_a if i % 2 else source_b,
            )
        )
        ids.append(contact.id)
    return ids


def _names(workspace, query):
    return [r.name for r in workspace.contacts.page(query, 0, 100)]


def test_add_and_get_give_back_what_was_typed(workspace, people):
    contact = workspace.contacts.get(people[0])
    assert contact.fields.last_name == "Lefèvre"
    assert contact.fields.phone == "06 12 34 56 78"
    assert contact.phone_e164 == "+33612345678"
    assert contact.fields.stage == Stage.SUSPECT
    assert contact.created_at.tzinfo is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lefe", {"Jean Lefèvre"}),  # accents folded, prefix
        ("LEFÈVRE", {"Jean Lefèvre"}),
        ("stefan", {"Ştefan Popescu"}),
        ("Пет", {"Петар Петровски"}),
        ("lyon", {"Jean Lefèvre", "Marie Martin"}),  # city and company
        ("lyon mar", {"Marie Martin"}),  # every word must match
        ("0612", {"Jean Lefèvre"}),  # phone as typed, with trunk zero
        ("+33 6 12", {"Jean Lefèvre"}),  # phone in international form
        ("06 12 34", {"Jean Lefèvre"}),
        ("example.com", {p[0] + " " + p[1] for p in PEOPLE}),
        ("zzz", set()),
    ],
)
def test_search(workspace, people, text, expected):
    query = ContactQuery(text=text)
    assert set(_names(workspace, query)) == expected
    assert workspace.contacts.count(query) == len(expected)


def test_filters_combine_with_search(workspace, people):
    workspace.contacts.update(
        people[5],
        replace(
            workspace.contacts.get(people[5]).fields, stage=Stage.LEAD, temperature=Temperature.HOT
        ),
    )
    assert _names(workspace, ContactQuery(stages=frozenset({Stage.LEAD}))) == ["Marie Martin"]
    assert _names(workspace, ContactQuery(text="lyon", stages=frozenset({Stage.SUSPECT}))) == [
        "Jean Lefèvre"
    ]
    hot = ContactQuery(temperatures=frozenset({Temperature.HOT}))
    assert _names(workspace, hot) == ["Marie Martin"]
    sources = {s.name: s.id for s in workspace.sources.list()}
    directory = ContactQuery(source_ids=frozenset({sources["Directory 2026"]}))
    assert workspace.contacts.count(directory) == 3


def _expected_order(workspace, ids, sort, descending):
    contacts = [workspace.contacts.get(i) for i in ids]
    sources = {s.id: s.name.lower() for s in workspace.sources.list()}
    stage_rank = {s: n for n, s in enumerate(Stage)}
    temp_rank = {Temperature.HOT: 0, Temperature.WARM: 1, Temperature.COLD: 2}

    def name_key(c):
        return ((c.fields.last_name or "").lower(), (c.fields.first_name or "").lower())

    keys = {
        SortKey.NAME: lambda c: name_key(c),
        SortKey.COMPANY: lambda c: ((c.fields.company or "").lower(),),
        SortKey.CITY: lambda c: ((c.fields.city or "").lower(),),
        SortKey.STAGE: lambda c: (stage_rank[c.fields.stage], *name_key(c)),
        SortKey.TEMPERATURE: lambda c: (temp_rank[c.fields.temperature], *name_key(c)),
        SortKey.SOURCE: lambda c: (sources[c.fields.source_id], *name_key(c)),
    }
    ordered = sorted(contacts, key=lambda c: (*keys[sort](c), c.id), reverse=descending)
    return [c.id for c in ordered]


@pytest.mark.parametrize(
    "sort",
    [
        SortKey.NAME,
        SortKey.COMPANY,
        SortKey.CITY,
        SortKey.STAGE,
        SortKey.TEMPERATURE,
        SortKey.SOURCE,
    ],
)
@pytest.mark.parametrize("descending", [False, True])
def test_pages_and_positions_follow_every_sort(workspace, people, sort, descending):
    rng = random.Random(4)
    for contact_id in people:
        fields = workspace.contacts.get(contact_id).fields
        workspace.contacts.update(
            contact_id,
            replace(
                fields,
                stage=rng.choice([Stage.SUSPECT, Stage.LEAD, Stage.DO_NOT_CALL]),
                temperature=rng.choice(list(Temperature)),
            ),
        )
    query = ContactQuery(sort=sort, descending=descending)
    expected = _expected_order(workspace, people, sort, descending)
    whole = [r.id for r in workspace.contacts.page(query, 0, 100)]
    assert whole == expected
    # Any window of the order is the same slice, however it is cut.
    for offset in range(len(people)):
        assert [r.id for r in workspace.contacts.page(query, offset, 2)] == expected[
            offset : offset + 2
        ]
    for position, contact_id in enumerate(expected):
        assert workspace.contacts.position_of(query, contact_id) == position


def test_position_of_a_filtered_out_contact_is_none(workspace, people):
    assert workspace.contacts.position_of(ContactQuery(text="zagreb"), people[0]) is None


def test_a_bad_edit_changes_nothing(workspace, people):
    before = workspace.contacts.get(people[0])
    with pytest.raises(ValidationError):
        workspace.contacts.update(people[0], replace(before.fields, email="not an email"))
    assert workspace.contacts.get(people[0]) == before


def test_a_stage_move_the_pipeline_forbids_is_refused(workspace, people):
    fields = workspace.contacts.get(people[0]).fields
    with pytest.raises(ValidationError) as caught:
        workspace.contacts.update(people[0], replace(fields, stage=Stage.CUSTOMER))
    assert "stage" in caught.value.problems


def test_do_not_call_cannot_be_cleared_by_an_edit(workspace, people):
    fields = workspace.contacts.get(people[0]).fields
    workspace.contacts.update(people[0], replace(fields, do_not_call=True))
    fields = workspace.contacts.get(people[0]).fields
    updated = workspace.contacts.update(people[0], replace(fields, do_not_call=False, city="Nice"))
    assert updated.fields.do_not_call is True
    assert updated.fields.city == "Nice"


def test_edits_update_the_search_index_and_deletes_remove_it(workspace, people, clock):
    fields = workspace.contacts.get(people[0]).fields
    clock.advance(minutes=5)
    updated = workspace.contacts.update(people[0], replace(fields, city="Marseille"))
    assert updated.updated_at > updated.created_at
    assert _names(workspace, ContactQuery(text="marseille")) == ["Jean Lefèvre"]
    assert "Jean Lefèvre" not in _names(workspace, ContactQuery(text="lyon"))
    workspace.contacts.delete(people[0])
    assert _names(workspace, ContactQuery(text="marseille")) == []
    with pytest.raises(NotFound):
        workspace.contacts.get(people[0])


def test_the_sample_list_loads_once(workspace):
    if not workspace.sample_list.is_available():
        pytest.fail("resources/sample_leads.csv is missing")
    added = workspace.sample_list.load()
    assert added >= 50
    assert workspace.contacts.total() == added
    assert workspace.sample_list.load() == 0
    assert {s.name for s in workspace.sources.list()} == {"Sample list"}


def test_a_broad_search_can_be_read_in_the_index_order(workspace, people):
    query = ContactQuery(text="example", match_order=True)
    assert workspace.contacts.count(query) == len(people)
    ids = [r.id for r in workspace.contacts.page(query, 0, 100)]
    assert ids == sorted(people)
    assert [r.id for r in workspace.contacts.page(query, 2, 2)] == sorted(people)[2:4]
    backwards = ContactQuery(text="example", match_order=True, descending=True)
    assert [r.id for r in workspace.contacts.page(backwards, 0, 100)] == sorted(
        people, reverse=True
    )
    for position, contact_id in enumerate(sorted(people)):
        assert workspace.contacts.position_of(query, contact_id) == position
    # Other filters still apply in index order.
    directory = {s.name: s.id for s in workspace.sources.list()}["Directory 2026"]
    narrowed = ContactQuery(text="example", match_order=True, source_ids=frozenset({directory}))
    assert workspace.contacts.count(narrowed) == 3
    assert len(workspace.contacts.page(narrowed, 0, 100)) == 3


def test_a_save_while_an_import_holds_the_database_says_so_plainly(workspace, db_path):
    """An import keeps the write lock for minutes; a save meanwhile gives up after its timeout
    with a plain message (not a driver error), and writes nothing."""
    import sqlite3

    from prospector.errors import DatabaseBusy

    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # what a running import holds
    try:
        with pytest.raises(DatabaseBusy) as caught:
            workspace.contacts.add(ContactFields(first_name="Ana", last_name="Pop"))
        assert "wait until it has finished and try again" in caught.value.user_message()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert workspace.contacts.total() == 0
