"""SQLite storage: engine set-up, tables, migrations and repositories. ORM objects stay in here."""
