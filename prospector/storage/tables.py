"""The ORM model of the whole product.

Migrations, not ``create_all``, build the schema; a test proves these classes and the migrated
schema agree. Money is stored in minor units (cents) as integers: SQLite has no decimal type.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from prospector.storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class Source(Base):
    """A lead list or channel contacts came from, with what it cost."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    vendor: Mapped[str | None] = mapped_column(String(200))
    cost_cents: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str | None] = mapped_column(String(3))
    acquired_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class ImportRun(Base):
    """One import of one file, so it can be reported on and undone."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(500))
    file_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    sheet: Mapped[str | None] = mapped_column(String(200))
    column_mapping: Mapped[dict[str, Any] | None]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_imported: Mapped[int] = mapped_column(default=0)
    rows_merged: Mapped[int] = mapped_column(default=0)
    rows_skipped: Mapped[int] = mapped_column(default=0)
    rows_rejected: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20))


class Contact(Base):
    """A person (or a company switchboard) on a list."""

    __tablename__ = "contacts"
    __table_args__ = (
        # Each index serves a sort or a lookup of the contact table or the duplicate check;
        # the rowid is the implicit last column, so ORDER BY col, id is served whole.
        Index("ix_contacts_sort_name", "last_name", "first_name"),
        Index("ix_contacts_company", "company"),
        Index("ix_contacts_city", "city"),
        Index("ix_contacts_stage", "stage", "last_name", "first_name"),
        Index("ix_contacts_temperature", "temperature", "last_name", "first_name"),
        Index("ix_contacts_source_id", "source_id", "last_name", "first_name"),
        Index("ix_contacts_import_run_id", "import_run_id"),
        Index("ix_contacts_email_normalized", "email_normalized"),
        Index("ix_contacts_phone_e164", "phone_e164"),
        Index("ix_contacts_mobile_e164", "mobile_e164"),
        Index("ix_contacts_next_follow_up", "next_follow_up"),
        Index("ix_contacts_updated_at", "updated_at"),
        Index("ix_contacts_name_key", "name_key"),
        # The call queue: never-tried contacts of a list in list order, and retries in order
        # of attempts and age (only contacts already called are in the second index).
        Index("ix_contacts_queue_untried", "source_id", "last_called_at"),
        Index(
            "ix_contacts_queue_retry",
            "source_id",
            "call_attempts",
            "last_called_at",
            sqlite_where=text("last_called_at IS NOT NULL"),
        ),
        # Only the contacts holding custom fields (columns an import could not map): an export
        # of everything learns which there are without reading the other contacts.
        Index("ix_contacts_custom_fields", "id", sqlite_where=text("custom_fields IS NOT NULL")),
        # The Reports page: every grouped count over contacts is a range of this index.
        Index(
            "ix_contacts_report",
            "stage",
            "last_outcome",
            "source_id",
            "temperature",
            "score",
            "created_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    first_name: Mapped[str | None] = mapped_column(String(200, collation="NOCASE"))
    last_name: Mapped[str | None] = mapped_column(String(200, collation="NOCASE"))
    full_name: Mapped[str | None] = mapped_column(String(400))
    company: Mapped[str | None] = mapped_column(String(400, collation="NOCASE"))
    title: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(100))
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    mobile: Mapped[str | None] = mapped_column(String(100))
    mobile_e164: Mapped[str | None] = mapped_column(String(20))
    phone_digits: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320, collation="NOCASE"))
    email_normalized: Mapped[str | None] = mapped_column(String(320))
    website: Mapped[str | None] = mapped_column(String(500))
    address: Mapped[str | None] = mapped_column(String(500))
    city: Mapped[str | None] = mapped_column(String(200, collation="NOCASE"))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(100))
    birthday: Mapped[date | None] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(20))
    temperature: Mapped[str] = mapped_column(String(10))
    score: Mapped[int] = mapped_column(default=0)
    fit_grade: Mapped[str | None] = mapped_column(String(1))
    estimated_value_cents: Mapped[int | None] = mapped_column(Integer)
    do_not_call: Mapped[bool] = mapped_column(Boolean, default=False)
    next_follow_up: Mapped[datetime | None]
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL")
    )
    custom_fields: Mapped[dict[str, Any] | None]
    # Folded, sorted name words ("dupont jean"): finds "DUPONT Jean" as a possible duplicate.
    name_key: Mapped[str | None] = mapped_column(String(400))
    # Queue state, kept on the contact so "next contact" is one indexed query at a million.
    last_called_at: Mapped[datetime | None]
    last_outcome: Mapped[str | None] = mapped_column(String(30))
    call_attempts: Mapped[int] = mapped_column(default=0, server_default="0")  # unanswered
    skipped_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ImportMerge(Base):
    """What an import filled in on a contact it already had, so undo can put it back."""

    __tablename__ = "import_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_run_id: Mapped[int] = mapped_column(
        ForeignKey("import_runs.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    # column -> [value before, value the import set]; undo restores only unchanged columns.
    changes: Mapped[dict[str, Any]]
    merged_at: Mapped[datetime]


class CallLog(Base):
    """One call made to a contact and how it ended."""

    __tablename__ = "call_logs"
    # The Reports page's calls per day and outcome, talk time: read from the index alone.
    __table_args__ = (Index("ix_call_logs_report", "outcome", "started_at", "duration_s"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(index=True)
    duration_s: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)


class Note(Base):
    """A free-text note on a contact's timeline."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]


class StageChange(Base):
    """A contact moving from one stage to another; a trigger writes it on every stage update."""

    __tablename__ = "stage_changes"
    __table_args__ = (Index("ix_stage_changes_contact_id_changed_at", "contact_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    changed_at: Mapped[datetime]
    old_stage: Mapped[str] = mapped_column(String(20))
    new_stage: Mapped[str] = mapped_column(String(20))


class Reminder(Base):
    """A follow-up that comes back on its day."""

    __tablename__ = "reminders"
    # Open reminders by kind and due time: the queue's call-backs and the Today view, without
    # walking years of done ones.
    __table_args__ = (
        Index("ix_reminders_open", "kind", "due_at", sqlite_where=text("done_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    due_at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None]
    recurrence: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime]


class Questionnaire(Base):
    """A version of a qualification questionnaire; editing makes a new version."""

    __tablename__ = "questionnaires"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int]
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class Question(Base):
    """One question of one questionnaire version."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("questionnaire_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(60))
    prompt: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    criterion: Mapped[str | None] = mapped_column(String(20))
    choices: Mapped[dict[str, Any] | None]
    weight: Mapped[int] = mapped_column(default=1)
    disqualifies_if: Mapped[dict[str, Any] | None]


class Qualification(Base):
    """A contact's answers to one questionnaire version, and what they added up to."""

    __tablename__ = "qualifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="RESTRICT"), index=True
    )
    answered_at: Mapped[datetime]
    answers: Mapped[dict[str, Any]]
    result: Mapped[str] = mapped_column(String(20))
    fit_grade: Mapped[str | None] = mapped_column(String(1))
    score: Mapped[int] = mapped_column(default=0)
    temperature: Mapped[str | None] = mapped_column(String(10))
    missing: Mapped[dict[str, Any] | None]
    reason: Mapped[str | None] = mapped_column(Text)


class Setting(Base):
    """Small app-wide settings that belong with the data (default country, vendor templates)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any] | None]


class DoNotCallEntry(Base):
    """A phone or email on the office's do-not-call register, normalised as contacts store it.

    The contact's flag covers one person; the register covers the number, so it is flagged
    again when a later list brings it back (under another name, or typed another way).
    """

    __tablename__ = "do_not_call_entries"
    __table_args__ = (
        UniqueConstraint("kind", "value"),
        CheckConstraint("kind IN ('phone', 'email')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # 'phone' or 'email'
    # E.164 (or its digits when it cannot be read as a number) / the lower-cased email.
    value: Mapped[str] = mapped_column(String(320))
    origin: Mapped[str] = mapped_column(String(500))  # the file's name, or 'card'
    reason: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[datetime]


class ErasedIdentity(Base):
    """A phone or email of a contact erased at their request, as a salted hash only.

    Imports check new contacts against these, so the person is not called again; the clear
    value is gone with the contact.
    """

    __tablename__ = "erased_identities"
    __table_args__ = (CheckConstraint("kind IN ('phone', 'email')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    value_hash: Mapped[str] = mapped_column(String(64), unique=True)
    erased_at: Mapped[datetime]


class Tombstone(Base):
    """The UUID of something deleted, so a share file cannot bring it back (triggers write it)."""

    __tablename__ = "tombstones"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # contact, note, call, reminder, qualification
    deleted_at: Mapped[datetime]


class ShareAlias(Base):
    """A colleague's UUID for one of our contacts (found by email, phone or name)."""

    __tablename__ = "share_aliases"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )


class ShareBaseline(Base):
    """A contact's shared fields as the last exchange left them: what "changed since" means."""

    __tablename__ = "share_baselines"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    remote_updated_at: Mapped[datetime]
    fields: Mapped[dict[str, Any]]
