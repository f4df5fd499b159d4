"""Initial schema: sources, imports, contacts and their calls, notes, reminders, qualifications.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23 03:22:31.684195
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What the search index holds for a contact row; the same text must be given to delete an entry
# from a contentless FTS5 table, so insert and delete share this one expression.
_FTS_VALUES = (
    "{row}.id, "
    "coalesce({row}.first_name, '') || ' ' || coalesce({row}.last_name, '') || ' ' || "
    "coalesce({row}.full_name, ''), "
    "{row}.company, {row}.email, {row}.city, {row}.phone_digits"
)


def upgrade() -> None:
    op.create_table(
        "questionnaires",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaires")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_questionnaires_name_version")),
        sa.UniqueConstraint("uuid", name=op.f("uq_questionnaires_uuid")),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("vendor", sa.String(length=200), nullable=True),
        sa.Column("cost_cents", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("acquired_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
        sa.UniqueConstraint("uuid", name=op.f("uq_sources_uuid")),
    )
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=True),
        sa.Column("sheet", sa.String(length=200), nullable=True),
        sa.Column("column_mapping", sa.JSON(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_imported", sa.Integer(), nullable=False),
        sa.Column("rows_merged", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_import_runs_source_id_sources"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
        sa.UniqueConstraint("uuid", name=op.f("uq_import_runs_uuid")),
    )
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_runs_file_hash"), ["file_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_import_runs_source_id"), ["source_id"], unique=False)

    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("criterion", sa.String(length=20), nullable=True),
        sa.Column("choices", sa.JSON(), nullable=True),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("disqualifies_if", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaires.id"],
            name=op.f("fk_questions_questionnaire_id_questionnaires"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
        sa.UniqueConstraint(
            "questionnaire_id", "key", name=op.f("uq_questions_questionnaire_id_key")
        ),
    )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_questions_questionnaire_id"), ["questionnaire_id"], unique=False
        )

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("first_name", sa.String(length=200, collation="NOCASE"), nullable=True),
        sa.Column("last_name", sa.String(length=200, collation="NOCASE"), nullable=True),
        sa.Column("full_name", sa.String(length=400), nullable=True),
        sa.Column("company", sa.String(length=400, collation="NOCASE"), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=100), nullable=True),
        sa.Column("phone_e164", sa.String(length=20), nullable=True),
        sa.Column("mobile", sa.String(length=100), nullable=True),
        sa.Column("mobile_e164", sa.String(length=20), nullable=True),
        sa.Column("phone_digits", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320, collation="NOCASE"), nullable=True),
        sa.Column("email_normalized", sa.String(length=320), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("city", sa.String(length=200, collation="NOCASE"), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("birthday", sa.Date(), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("temperature", sa.String(length=10), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("fit_grade", sa.String(length=1), nullable=True),
        sa.Column("estimated_value_cents", sa.Integer(), nullable=True),
        sa.Column("do_not_call", sa.Boolean(), nullable=False),
        sa.Column("next_follow_up", sa.DateTime(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("import_run_id", sa.Integer(), nullable=True),
        sa.Column("custom_fields", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_run_id"],
            ["import_runs.id"],
            name=op.f("fk_contacts_import_run_id_import_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_contacts_source_id_sources"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("uuid", name=op.f("uq_contacts_uuid")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index("ix_contacts_city", ["city"], unique=False)
        batch_op.create_index("ix_contacts_company", ["company"], unique=False)
        batch_op.create_index("ix_contacts_email_normalized", ["email_normalized"], unique=False)
        batch_op.create_index("ix_contacts_import_run_id", ["import_run_id"], unique=False)
        batch_op.create_index("ix_contacts_mobile_e164", ["mobile_e164"], unique=False)
        batch_op.create_index("ix_contacts_next_follow_up", ["next_follow_up"], unique=False)
        batch_op.create_index("ix_contacts_phone_e164", ["phone_e164"], unique=False)
        batch_op.create_index("ix_contacts_sort_name", ["last_name", "first_name"], unique=False)
        batch_op.create_index(
            "ix_contacts_source_id", ["source_id", "last_name", "first_name"], unique=False
        )
        batch_op.create_index(
            "ix_contacts_stage", ["stage", "last_name", "first_name"], unique=False
        )
        batch_op.create_index(
            "ix_contacts_temperature", ["temperature", "last_name", "first_name"], unique=False
        )
        batch_op.create_index("ix_contacts_updated_at", ["updated_at"], unique=False)

    op.create_table(
        "call_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_call_logs_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_logs")),
        sa.UniqueConstraint("uuid", name=op.f("uq_call_logs_uuid")),
    )
    with op.batch_alter_table("call_logs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_logs_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_logs_started_at"), ["started_at"], unique=False)

    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("edited_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_notes_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
        sa.UniqueConstraint("uuid", name=op.f("uq_notes_uuid")),
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notes_contact_id"), ["contact_id"], unique=False)

    op.create_table(
        "qualifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("fit_grade", sa.String(length=1), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("temperature", sa.String(length=10), nullable=True),
        sa.Column("missing", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_qualifications_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaires.id"],
            name=op.f("fk_qualifications_questionnaire_id_questionnaires"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualifications")),
        sa.UniqueConstraint("uuid", name=op.f("uq_qualifications_uuid")),
    )
    with op.batch_alter_table("qualifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qualifications_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_qualifications_questionnaire_id"), ["questionnaire_id"], unique=False
        )

    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("recurrence", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_reminders_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("uuid", name=op.f("uq_reminders_uuid")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminders_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reminders_due_at"), ["due_at"], unique=False)

    # Full-text search over names, company, email, city and phone digits. Contentless: the text
    # already lives in contacts; triggers keep the index in step inside the same transaction.
    op.execute(
        "CREATE VIRTUAL TABLE contacts_fts USING fts5("
        "name, company, email, city, phones, content='', "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
    )
    op.execute(f"""
        CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
            INSERT INTO contacts_fts(rowid, name, company, email, city, phones)
            VALUES ({_FTS_VALUES.format(row="new")});
        END""")
    op.execute(f"""
        CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
            INSERT INTO contacts_fts(contacts_fts, rowid, name, company, email, city, phones)
            VALUES ('delete', {_FTS_VALUES.format(row="old")});
        END""")
    op.execute(f"""
        CREATE TRIGGER contacts_fts_update
        AFTER UPDATE OF first_name, last_name, full_name, company, email, city, phone_digits
        ON contacts BEGIN
            INSERT INTO contacts_fts(contacts_fts, rowid, name, company, email, city, phones)
            VALUES ('delete', {_FTS_VALUES.format(row="old")});
            INSERT INTO contacts_fts(rowid, name, company, email, city, phones)
            VALUES ({_FTS_VALUES.format(row="new")});
        END""")


def downgrade() -> None:
    for trigger in ("contacts_fts_update", "contacts_fts_delete", "contacts_fts_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS contacts_fts")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminders_due_at"))
        batch_op.drop_index(batch_op.f("ix_reminders_contact_id"))

    op.drop_table("reminders")
    with op.batch_alter_table("qualifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qualifications_questionnaire_id"))
        batch_op.drop_index(batch_op.f("ix_qualifications_contact_id"))

    op.drop_table("qualifications")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notes_contact_id"))

    op.drop_table("notes")
    with op.batch_alter_table("call_logs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_logs_started_at"))
        batch_op.drop_index(batch_op.f("ix_call_logs_contact_id"))

    op.drop_table("call_logs")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_updated_at")
        batch_op.drop_index("ix_contacts_temperature")
        batch_op.drop_index("ix_contacts_stage")
        batch_op.drop_index("ix_contacts_source_id")
        batch_op.drop_index("ix_contacts_sort_name")
        batch_op.drop_index("ix_contacts_phone_e164")
        batch_op.drop_index("ix_contacts_next_follow_up")
        batch_op.drop_index("ix_contacts_mobile_e164")
        batch_op.drop_index("ix_contacts_import_run_id")
        batch_op.drop_index("ix_contacts_email_normalized")
        batch_op.drop_index("ix_contacts_company")
        batch_op.drop_index("ix_contacts_city")

    op.drop_table("contacts")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questions_questionnaire_id"))

    op.drop_table("questions")
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_runs_source_id"))
        batch_op.drop_index(batch_op.f("ix_import_runs_file_hash"))

    op.drop_table("import_runs")
    op.drop_table("sources")
    op.drop_table("settings")
    op.drop_table("questionnaires")
