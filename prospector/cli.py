"""The command line: no command opens the window; commands do headless work on a database.

Every command takes ``--db PATH`` and ``--json``; on failure it prints one line saying what is
wrong and exits non-zero. The window and the commands share the same services.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import deque
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from prospector import __version__
from prospector.domain.query import ContactQuery, SortKey
from prospector.domain.stages import Stage, Temperature
from prospector.errors import UserFacingError
from prospector.logging_setup import configure_logging
from prospector.services.import_history import ImportRunInfo, UndoPlan
from prospector.services.imports import (
    BLANK_RUN_ROWS,
    MAX_CELL,
    READING_NOTE_CODES,
    DuplicatePolicy,
    ImportRequest,
    ReadingNotes,
)
from prospector.services.sharing import conflict_words
from prospector.services.sources import SOURCE_KINDS

log = logging.getLogger(__name__)


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", type=Path, default=argparse.SUPPRESS, help="database file (default: your own)"
    )
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="prospector",
        description="Prospector: work your lead lists. Without a command, opens the window.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"Prospector {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation: the window over a temporary database, an import, a "
        "call, an export (your own data is not touched); exit code 0 if all worked",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("info", parents=[common], help="where the database is and what it holds")

    contacts = commands.add_parser("contacts", parents=[common], help="list or search contacts")
    contacts.add_argument("--search", default="", help="words to search for")
    contacts.add_argument("--stage", choices=[s.value for s in Stage], action="append")
    contacts.add_argument("--temperature", choices=[t.value for t in Temperature], action="append")
    contacts.add_argument("--sort", choices=[k.value for k in SortKey], default="name")
    contacts.add_argument("--descending", action="store_true")
    contacts.add_argument("--limit", type=int, default=50)
    contacts.add_argument("--offset", type=int, default=0)

    commands.add_parser("sample", parents=[common], help="load the bundled sample list")

    imp = commands.add_parser("import", parents=[common], help="import a lead list (xlsx, csv…)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--source", help="the list's name (default: the file name)")
    imp.add_argument("--kind", default="purchased_list", choices=list(SOURCE_KINDS))
    imp.add_argument("--vendor")
    imp.add_argument("--cost", type=float, help="what the list cost, e.g. 250.00")
    imp.add_argument("--currency", default=None)
    imp.add_argument("--sheet", help="the sheet to read (default: the first)")
    imp.add_argument("--encoding", help="text encoding of a CSV (default: detected)")
    imp.add_argument("--delimiter", help="CSV delimiter (default: detected)")
    imp.add_argument(
        "--mapping",
        metavar="TEMPLATE",
        help="a saved column matching, by its name (the vendor's or the list's)",
    )
    imp.add_argument(
        "--save-rejected", type=Path, metavar="FILE", help="write the rejected rows to a CSV"
    )
    imp.add_argument(
        "--duplicates",
        choices=[p.value for p in DuplicatePolicy],
        default=DuplicatePolicy.MERGE.value,
        help="merge: fill gaps of the existing contact; skip; import: add anyway",
    )
    _add_history_commands(commands, common)
    _add_backup_commands(commands, common)

    queue = commands.add_parser(
        "queue", parents=[common], help="the call queue of a list: progress, or the next contact"
    )
    queue.add_argument("--source", metavar="NAME", help="the list (default: every contact)")
    queue.add_argument(
        "--next", action="store_true", help="print the contact the queue would offer now"
    )
    dnc = commands.add_parser(
        "dnc-import",
        parents=[common],
        help="put a do-not-call file's phones and emails (csv, xlsx…) on the do-not-call list",
    )
    dnc.add_argument("file", type=Path)
    dnc.add_argument("--reason", help="kept with each number, e.g. 'national register, March'")
    followups = commands.add_parser(
        "followups",
        parents=[common],
        help="follow-ups: overdue, due today and the coming days; or a calendar file",
    )
    followups.add_argument(
        "--due", action="store_true", help="only what is due: overdue and later today"
    )
    followups.add_argument(
        "--ics",
        type=Path,
        metavar="FILE",
        help="write every open follow-up to a calendar file (.ics) for Outlook, Apple or Google",
    )
    _add_export_command(commands, common)
    _add_report_command(commands, common)
    erase = commands.add_parser(
        "erase",
        parents=[common],
        help="erase a contact for good at their request (their number is never imported again)",
    )
    erase.add_argument("contact_id", type=int, metavar="CONTACT_ID", help="see: contacts --json")
    person = commands.add_parser(
        "export-person",
        parents=[common],
        help="everything held about one contact, to an Excel file (when they ask for it)",
    )
    person.add_argument("contact_id", type=int, metavar="CONTACT_ID", help="see: contacts --json")
    person.add_argument("--to", type=Path, required=True, metavar="FILE", help="an .xlsx file")
    return parser


def _add_history_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """``imports`` lists past imports; ``undo-import`` takes one back."""
    commands.add_parser("imports", parents=[common], help="list past imports, newest first")
    undo = commands.add_parser(
        "undo-import",
        parents=[common],
        help="undo an import: remove the contacts it added, put back what it filled in",
    )
    undo.add_argument(
        "run_id", type=int, metavar="RUN_ID", help="the import's number (see imports)"
    )
    worked = undo.add_mutually_exclusive_group()
    worked.add_argument(
        "--keep-worked",
        action="store_true",
        help="keep contacts called, noted or edited since the import",
    )
    worked.add_argument(
        "--yes", action="store_true", help="remove contacts worked on since the import too"
    )


def _emit(data: Any, as_json: bool, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, default=str) if as_json else text)


def _cmd_info(ws: Any, as_json: bool) -> int:
    sources = ws.sources.list()
    data = {
        "version": __version__,
        "database": str(ws.path),
        "contacts": ws.contacts.total(),
        "lists": [{"name": s.name, "contacts": s.contacts} for s in sources],
    }
    lines = [
        f"Prospector {__version__}",
        f"Database: {ws.path}",
        f"Contacts: {data['contacts']:,}",
        *(f"  {s.name}: {s.contacts:,}" for s in sources),
    ]
    _emit(data, as_json, "\n".join(lines))
    return 0


def _cmd_contacts(ws: Any, args: argparse.Namespace, as_json: bool) -> int:
    query = ContactQuery(
        text=args.search,
        stages=frozenset(Stage(s) for s in args.stage or ()),
        temperatures=frozenset(Temperature(t) for t in args.temperature or ()),
        sort=SortKey(args.sort),
        descending=args.descending,
    )
    total = ws.contacts.count(query)
    rows = ws.contacts.page(query, max(args.offset, 0), max(args.limit, 0))
    data = {
        "total": total,
        "contacts": [
            {
                "id": r.id,
                "name": r.name,
                "company": r.company,
                "phone": r.phone,
                "email": r.email,
                "city": r.city,
                "stage": r.stage.value,
                "temperature": r.temperature.value,
                "source": r.source,
            }
            for r in rows
        ],
    }
    lines = [f"{r.name:<28.28} {r.company:<26.26} {r.phone:<18.18} {r.stage.value}" for r in rows]
    lines.append(f"{len(rows)} of {total:,} contacts")
    _emit(data, as_json, "\n".join(lines))
    return 0


def _cmd_merge(ws: Any, path: Path, as_json: bool) -> int:
    """A share file given to ``import``: merged, each conflict keeping our side (with the
    colleague's value in a note on the contact)."""
    last = deque(ws.sharing.merge(path), maxlen=1)[0]
    summary = last.summary
    data = {"status": last.status, "share_file": True, **summary.as_dict()}
    data["conflicts"] = [
        {"contact": c.contact_name, "field": c.field, "kept": c.mine, "theirs": c.theirs}
        for c in summary.conflicts
    ]
    lines = [
        f"Merged {path.name}: {summary.added:,} added, {summary.updated:,} updated, "
        f"{summary.unchanged:,} unchanged, {len(summary.conflicts):,} conflicts, "
        f"{summary.deleted:,} deleted.",
        f"Notes {summary.notes_added:,}, calls {summary.calls_added:,}, reminders "
        f"{summary.reminders_added:,}, questionnaire answers {summary.qualifications_added:,} "
        "added.",
    ]
    if summary.kept_deleted:
        lines.append(f"{summary.kept_deleted:,} contacts deleted here were not brought back.")
    lines += [
        f"  Conflict: {c.contact_name}, {conflict_words(c)}: kept {c.mine!r}, "
        f"theirs {c.theirs!r} (in a note)"
        for c in summary.conflicts
    ]
    lines += [f"  Not read: {p}" for p in summary.problems]
    _emit(data, as_json, "\n".join(lines))
    return 0


def _cmd_import(ws: Any, args: argparse.Namespace, as_json: bool) -> int:
    if ws.sharing.is_share_file(args.file):
        return _cmd_merge(ws, args.file, as_json)
    template = ws.imports.templates.by_name(args.mapping) if args.mapping else None
    request = ImportRequest(
        path=args.file,
        source_name=args.source or args.file.stem,
        source_kind=args.kind,
        vendor=args.vendor,
        cost_cents=round(args.cost * 100) if args.cost is not None else None,
        currency=args.currency,
        sheet=args.sheet,
        encoding=args.encoding or (template.encoding if template else None),
        delimiter=args.delimiter or (template.delimiter if template else None),
        mapping=template.mapping if template else None,
        duplicates=DuplicatePolicy(args.duplicates),
    )
    last = deque(ws.imports.run_import(request), maxlen=1)[0]  # the final report
    data = {
        "status": last.status,
        "rows_read": last.rows_read,
        "imported": last.imported,
        "merged": last.merged,
        "skipped": last.skipped,
        "rejected": last.rejected,
        "duplicates": len(last.duplicates),
        "do_not_call": last.do_not_call,
        "import_run_id": last.import_run_id,
        "problems": [{"row": p.row, "problem": p.code, "value": p.detail} for p in last.problems],
    }
    notes = _reading_lines(last.reading_notes())
    data["notes"] = notes  # what reading the file changed or left unread, in words
    text = (
        f"Read {last.rows_read:,} rows: {last.imported:,} imported, {last.merged:,} merged "
        f"into existing contacts, {last.skipped:,} skipped, {last.rejected:,} rejected."
    )
    if last.do_not_call:
        text += (
            f"\n{last.do_not_call:,} of them are on your do-not-call list: flagged, and never"
            " offered for calls."
        )
    text += "".join(f"\n{line}" for line in notes)
    values = [p for p in last.problems if p.code not in READING_NOTE_CODES]
    if values:
        text += f"\n{len(values):,} values need a look, e.g.:"
        text += "".join(f"\n  row {p.row}: {p.code} ({p.detail})" for p in values[:10])
    if args.save_rejected and last.rejected_rows:
        saved = ws.imports.save_rejected_rows(last, args.save_rejected)
        data["rejected_saved_to"] = str(args.save_rejected)
        text += f"\nThe {saved:,} rejected rows were saved to {args.save_rejected}."
    _emit(data, as_json, text)
    return 0


def _listed(items: list[str], total: int, at_least: bool, shown: int = 5) -> str:
    """'a, b and c', or the first few and 'and 12 more' ('and at least 995 more')."""
    if total <= shown:
        return items[0] if total == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    more = total - shown
    return ", ".join(items[:shown]) + f" and {'at least ' if at_least else ''}{more:,} more"


def _reading_lines(notes: ReadingNotes) -> list[str]:
    """What reading the file changed or left unread, in the words of the window's report."""
    lines = []
    if notes.blank_run_stop is not None:
        lines.append(
            f"Reading stopped at row {notes.blank_run_stop:,}, where {BLANK_RUN_ROWS:,} blank "
            "rows in a row begin: nothing below them was read. If your list goes on below "
            "them, delete the blank rows and import again."
        )
    if notes.formulas_without_value:
        count = notes.formulas_without_value
        lines.append(
            (
                "1 cell is a formula without a saved result and was"
                if count == 1
                else f"{count:,} cells are formulas without a saved result and were"
            )
            + " read as empty: open and save the file in Excel or LibreOffice, then import "
            "again."
        )
    if notes.cut_cells:
        count, at_least = len(notes.cut_cells), notes.cut_cells_at_least
        cells = [f"row {row:,} ({column})" for row, column in notes.cut_cells[:5]]
        lines.append(
            (
                "1 cell was"
                if count == 1
                else f"{'At least ' if at_least else ''}{count:,} cells were"
            )
            + f" longer than a spreadsheet cell can hold ({MAX_CELL:,} characters) and "
            + ("was" if count == 1 else "were")
            + f" cut: {_listed(cells, count, at_least)}."
        )
    if notes.nul_rows:
        count, at_least = len(notes.nul_rows), notes.nul_rows_at_least
        rows = [f"{row:,}" for row in notes.nul_rows[:5]]
        lines.append(
            "Invisible NUL characters were removed from "
            + (
                f"row {rows[0]}."
                if count == 1
                else f"{'at least ' if at_least else ''}{count:,} rows: "
                f"{_listed(rows, count, at_least)}."
            )
        )
    return lines


class _WorkedSinceImport(UserFacingError):
    """Undo would remove contacts a rep has worked on, and the command was not told what to do."""

    code = "import.worked_since"

    def __init__(self, plan: UndoPlan) -> None:
        super().__init__(f"{plan.worked_count} contacts of import run {plan.run.id} worked since")
        self.plan = plan

    def user_message(self) -> str:
        count = self.plan.worked_count
        some = (
            "1 contact from this import was"
            if count == 1
            else f"{count:,} contacts from this import were"
        )
        names = ", ".join(c.name for c in self.plan.worked[:3])
        example = f" (e.g. {names})" if names else ""
        return (
            f"{some} worked on since{example}: add --keep-worked to keep them and remove the "
            "others, or --yes to remove them too."
        )


def _run_json(run: ImportRunInfo) -> dict[str, Any]:
    return {
        "id": run.id,
        "file": run.file_name,
        "list": run.source_name,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "read": run.rows_read,
        "imported": run.rows_imported,
        "merged": run.rows_merged,
        "skipped": run.rows_skipped,
        "rejected": run.rows_rejected,
        "status": run.status,
    }


def _cmd_imports(ws: Any, as_json: bool) -> int:
    runs = ws.history.runs()
    lines = [
        f"{r.id:>5}  {r.started_at.astimezone():%Y-%m-%d %H:%M}  {r.file_name:<30.30} "
        f"{r.source_name or '-':<20.20} {r.rows_imported:>7,} new {r.rows_merged:>6,} merged "
        f"{r.rows_skipped:>6,} skipped {r.rows_rejected:>6,} rejected  {r.status}"
        for r in runs
    ]
    lines.append(f"{len(runs)} imports" if len(runs) != 1 else "1 import")
    _emit({"imports": [_run_json(r) for r in runs]}, as_json, "\n".join(lines))
    return 0


def _cmd_undo_import(ws: Any, args: argparse.Namespace, as_json: bool) -> int:
    plan = ws.history.undo_plan(args.run_id, named=10)
    if plan.worked_count and not (args.keep_worked or args.yes):
        raise _WorkedSinceImport(plan)
    outcome = ws.history.undo(args.run_id, keep_worked=args.keep_worked)
    data = {
        "import": plan.run.id,
        "file": plan.run.file_name,
        "removed": outcome.removed,
        "kept": outcome.kept,
        "restored": outcome.restored,
        "list_removed": outcome.source_removed,
        "worked": [{"id": c.id, "name": c.name, "reasons": list(c.reasons)} for c in plan.worked],
    }
    text = f"Undid the import of {plan.run.file_name}: removed {outcome.removed:,} contacts"
    if outcome.kept:
        text += f", kept {outcome.kept:,} worked on since"
    if outcome.restored:
        text += f", put back what it filled in on {outcome.restored:,} contacts"
    text += "."
    if outcome.source_removed and plan.run.source_name:
        text += f'\nThe list "{plan.run.source_name}" had nothing else in it and was removed.'
    _emit(data, as_json, text)
    return 0


def _cmd_queue(ws: Any, args: argparse.Namespace, as_json: bool) -> int:
    source_id = ws.sources.find(args.source).id if args.source else None
    progress = ws.queue.progress(source_id)
    data: dict[str, Any] = {
        "list": args.source,
        "reached": progress.reached,
        "total": progress.total,
        "never_tried": progress.never_tried,
    }
    text = (
        f"{progress.reached:,} of {progress.total:,} reached; "
        f"{progress.never_tried:,} not tried yet."
    )
    if args.next:
        card = ws.queue.next_card(source_id)
        if card is None:
            data["next"] = None
            text += "\nNothing to call now: the list is worked through for the moment."
        else:
            c = card.contact
            data["next"] = {
                "id": c.id,
                "name": c.display_name,
                "company": c.fields.company,
                "phone": c.fields.phone or c.fields.mobile,
                "stage": c.fields.stage.value,
                "why": card.band.name.lower() if card.band is not None else None,
                "attempts": card.attempts,
                "local_time": card.local_time.strftime("%H:%M") if card.local_time else None,
            }
            phone = c.fields.phone or c.fields.mobile or "no phone"
            text += f"\nNext: {c.display_name} ({c.fields.company or 'no company'}), {phone}"
    _emit(data, as_json, text)
    return 0


def _cmd_dnc_import(ws: Any, args: argparse.Namespace, as_json: bool) -> int:
    last = deque(ws.do_not_call.import_file(args.file, reason=args.reason), maxlen=1)[0]
    data = {
        "status": last.status,
        "rows_read": last.rows_read,
        "phones_added": last.phones_added,
        "emails_added": last.emails_added,
        "already_listed": last.already_listed,
        "repeated_in_file": last.repeated,
        "contacts_flagged": last.flagged,
        "flagged_names": list(last.flagged_names),
        "unreadable": [
            {"row": u.row, "column": u.column, "value": u.value} for u in last.unreadable
        ],
        "unreadable_count": last.unreadable_count,
    }
    text = (
        f"{last.phones_added:,} numbers and {last.emails_added:,} emails added to the "
        f"do-not-call list ({last.already_listed:,} were on it already)."
    )
    if last.flagged:
        names = ", ".join(last.flagged_names[:5])
        more = ", …" if last.flagged > 5 else ""
        some = (
            "1 contact you have was"
            if last.flagged == 1
            else f"{last.flagged:,} contacts you have were"
        )
        text += f"\n{some} flagged and will not be offered for calls: {names}{more}."
    else:
        text += "\nNone of your contacts matched."
    if last.unreadable_count:
        text += f"\n{last.unreadable_count:,} values could not be read as a phone or email:"
        text += "".join(f"\n  row {u.row}: {u.value}" for u in last.unreadable[:10])
    _emit(data, as_json, text)
    return 0


def _follow_up_json(f: Any) -> dict[str, Any]:
    return {
        "id": f.id,
        "uid": f.uuid,
        "contact_id": f.contact_id,
        "name": f.contact_name,
        "company": f.company,
        "phone": f.phone,
        "kind": str(f.kind),
        "text": f.text,
        "due_at": f.due_at.isoformat(),
        "due_local": f.due_local.isoformat(),
        "recurrence": f.recurrence.value if f.recurrence else None,
    }


def _cmd_followups(ws: Any, args: argparse.Namespace, as_json: bool) -> int:
    if args.ics:
        count = ws.followups.export_ics(args.ics)
        text = f"Wrote {count:,} follow-ups to {args.ics}; import it into your calendar."
        _emit({"exported": count, "file": str(args.ics)}, as_json, text)
        return 0
    due = ws.followups.due()
    counts = ws.followups.counts()
    lists = {"overdue": due.overdue, "today": due.today}
    if not args.due:
        lists["upcoming"] = due.upcoming
    data: dict[str, Any] = {
        "now": due.windows.now.isoformat(),
        "counts": {"overdue": counts.overdue, "today": counts.today},
    }
    data.update({name: [_follow_up_json(f) for f in items] for name, items in lists.items()})
    titles = {"overdue": "Overdue", "today": "Later today", "upcoming": "Coming days"}
    lines: list[str] = []
    for name, items in lists.items():
        lines.append(f"{titles[name]} ({len(items)}):" if items else f"{titles[name]}: none")
        lines += [
            f"  {f.due_local:%Y-%m-%d %H:%M}  {str(f.kind).replace('_', ' '):<10} "
            f"{f.contact_name:<24.24} {f.company:<20.20} {f.phone:<16.16} {f.text or ''}"
            for f in items
        ]
    _emit(data, as_json, "\n".join(lines))
    return 0


def _cmd_export_share(ws: Any, args: argparse.Namespace, query: ContactQuery, as_json: bool) -> int:
    from prospector.services.sharing import ShareRequest

    if args.to.suffix.lower() != ".xlsx":
        problem = UserFacingError("A share file is an Excel workbook: end its name with .xlsx.")
        _fail(problem, as_json)
        return 1
    words = [w for w in (args.search, *(args.stage or ()), *(args.source or ())) if w]
    request = ShareRequest(args.to, query, selection=", ".join(words) or "Everyone")
    last = deque(ws.sharing.export_share(request), maxlen=1)[0]
    data = {"written": last.done, "file": str(args.to), "format": "share"}
    contacts = "1 contact" if last.done == 1 else f"{last.done:,} contacts"
    _emit(data, as_json, f"Wrote a share file of {contacts} to {args.to}.")
    return 0


def _add_export_command(commands: Any, common: argparse.ArgumentParser) -> None:
    """``export``: contacts (every field) to an Excel workbook or a CSV file."""
    from prospector.exporters.csv_sheet import DELIMITERS, ENCODINGS

    export = commands.add_parser(
        "export",
        parents=[common],
        help="export contacts, every field, to Excel (.xlsx) or CSV (.csv)",
    )
    export.add_argument(
        "--to", type=Path, required=True, metavar="FILE", help="the file to write: .xlsx or .csv"
    )
    export.add_argument(
        "--share",
        action="store_true",
        help="a share file for a colleague (.xlsx): contacts with their notes, calls, "
        "reminders and answers, merged back without duplicates by 'import'",
    )
    export.add_argument("--search", default="", help="only contacts matching these words")
    export.add_argument("--stage", choices=[s.value for s in Stage], action="append")
    export.add_argument("--temperature", choices=[t.value for t in Temperature], action="append")
    export.add_argument("--source", metavar="NAME", action="append", help="only this list")
    export.add_argument("--sort", choices=[k.value for k in SortKey], default="name")
    export.add_argument("--descending", action="store_true")
    export.add_argument(
        "--delimiter", choices=list(DELIMITERS), default=",", help="CSV: ';' for European Excel"
    )
    export.add_argument(
        "--encoding",
        choices=list(ENCODINGS),
        default=ENCODINGS[0],
        help="CSV: a Windows code page for older Excel (default: UTF-8 with a BOM)",
    )


def _cmd_export(ws: Any, args: argparse.Namespace, as_json: bool) -> int:
    from prospector.services.exports import CsvOptions, ExportRequest

    query = ContactQuery(
        text=args.search,
        stages=frozenset(Stage(s) for s in args.stage or ()),
        temperatures=frozenset(Temperature(t) for t in args.temperature or ()),
        source_ids=frozenset(ws.sources.find(name).id for name in args.source or ()),
        sort=SortKey(args.sort),
        descending=args.descending,
    )
    if args.share:
        return _cmd_export_share(ws, args, query, as_json)
    request = ExportRequest(
        path=args.to, query=query, csv=CsvOptions(args.delimiter, args.encoding)
    )
    last = deque(ws.exports.run_export(request), maxlen=1)[0]
    data = {"written": last.written, "file": str(args.to), "format": args.to.suffix.lower()[1:]}
    contacts = "1 contact" if last.written == 1 else f"{last.written:,} contacts"
    _emit(data, as_json, f"Wrote {contacts} to {args.to}.")
    return 0


def _add_backup_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """``backups`` lists them, ``backup`` makes one, ``restore`` puts one back."""
    commands.add_parser("backups", parents=[common], help="list the backups, newest first")
    commands.add_parser("backup", parents=[common], help="back up the database now")
    restore = commands.add_parser(
        "restore",
        parents=[common],
        help="replace everything in the database with a backup (the current state is "
        "backed up first)",
    )
    restore.add_argument("backup_file", type=Path, metavar="BACKUP_FILE")


_BACKUP_REASONS = {
    "daily": "daily backup",
    "manual": "made by hand",
    "before-import": "before an import",
    "before-merge": "before a merge",
    "before-upgrade": "before an update",
    "before-restore": "before a restore",
    "unknown": "copied into the folder",
}


def _backup_json(b: Any) -> dict[str, Any]:
    return {
        "file": str(b.path),
        "made_at": b.made_at.isoformat(),
        "reason": b.reason.value,
        "contacts": b.contacts,
        "size": b.size,
        "readable": b.readable,
    }


def _cmd_backups(ws: Any, args: argparse.Namespace, as_json: bool) -> int:
    if args.command == "backup":
        made = ws.backups.back_up()
        text = f"Backed up to {made.path}."
        if made.fell_back_from:
            text += (
                f"\nThe backup folder {made.fell_back_from} is not available; "
                f"the backup went to {made.folder}."
            )
        if made.removed:
            text += f"\n{len(made.removed)} older backups removed, as the backup settings say."
        data = {
            "file": str(made.path),
            "folder": str(made.folder),
            "fell_back_from": str(made.fell_back_from) if made.fell_back_from else None,
            "removed": [str(p) for p in made.removed],
        }
        _emit(data, as_json, text)
        return 0
    if args.command == "restore":
        done = ws.backups.restore(args.backup_file)
        b = done.backup
        contacts = f"{b.contacts:,} contacts" if b.contacts is not None else "contacts"
        text = (
            f"Restored {b.path.name} (made {b.made_at.astimezone():%Y-%m-%d %H:%M}, {contacts})."
            f"\nYour data as it was just before is saved in {done.safety_copy}."
        )
        if done.upgraded_from:
            text += "\nThe backup was made by an older version and has been brought up to date."
        data = {
            "restored": _backup_json(b),
            "saved_before": str(done.safety_copy),
            "upgraded_from": done.upgraded_from,
        }
        _emit(data, as_json, text)
        return 0
    backups = ws.backups.backups()
    status = ws.backups.folder_status()
    lines = [f"Backups in {status.folder}:"]
    if status.problem:
        lines.insert(0, f"The chosen backup folder {status.chosen} is not available.")
    for b in backups:
        contacts = f"{b.contacts:>9,} contacts" if b.readable else "  can't be read (damaged?)"
        lines.append(
            f"  {b.made_at.astimezone():%Y-%m-%d %H:%M}  {_BACKUP_REASONS[b.reason.value]:<22} "
            f"{contacts}  {b.size / 1_000_000:>7.1f} MB  {b.path.name}"
        )
    lines.append("1 backup" if len(backups) == 1 else f"{len(backups)} backups")
    data = {"folder": str(status.folder), "backups": [_backup_json(b) for b in backups]}
    _emit(data, as_json, "\n".join(lines))
    return 0


def _add_report_command(commands: Any, common: argparse.ArgumentParser) -> None:
    """``report``: the funnel, each list's quality and cost, the calling, the pipeline."""
    report = commands.add_parser(
        "report",
        parents=[common],
        help="reports: the funnel, which lists pay off, the calls made, the pipeline",
    )
    report.add_argument("--source", metavar="NAME", help="only this list (default: every list)")
    report.add_argument(
        "--from",
        dest="first_day",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="first day of the period (contacts added, calls made, follow-ups due)",
    )
    report.add_argument(
        "--to",
        dest="last_day",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="last day of the period (default: no limit)",
    )


def _cmd_report(ws: Any, args: argparse.Namespace, as_json: bool) -> int:
    from prospector.services.reports import ReportFilter, report_data

    source = ws.sources.find(args.source) if args.source else None
    report_filter = ReportFilter(args.first_day, args.last_day, source.id if source else None)
    data = report_data(ws.reports.report(report_filter), source.name if source else None)
    _emit(data, as_json, "\n".join(_report_lines(data)))
    return 0


def _report_lines(data: dict[str, Any]) -> list[str]:
    """The report as text for a terminal (English, like the rest of the command line)."""

    def pct(value: float | None) -> str:
        return f"{value:.0%}" if value is not None else "-"

    def money(value: dict[str, Any] | None, missing: str) -> str:
        return f"{value['amount']:,.2f} {value['currency'] or ''}".strip() if value else missing

    flt, funnel, activity = data["filter"], data["funnel"], data["activity"]
    period = f"{flt['from'] or 'the start'} to {flt['to'] or 'today'}"
    rates = funnel["conversion"]
    lines = [
        f"Report: {period if flt['from'] or flt['to'] else 'all time'}, "
        f"{flt['list'] or 'every list'}",
        "",
        f"Funnel: {funnel['contacts']:,} contacts, {funnel['called']:,} called "
        f"({pct(rates['called'])}), {funnel['reached']:,} reached ({pct(rates['reached'])} of "
        f"those called), {funnel['prospects']:,} prospects ({pct(rates['prospects'])} of those "
        f"reached), {funnel['customers']:,} customers ({pct(rates['customers'])} of the "
        f"prospects). Junk: {funnel['junk']:,}.",
        "",
        f"{'List':<24} {'Contacts':>8} {'Called':>7} {'Reached':>7} {'Junk':>5} "
        f"{'Prosp.':>6} {'Cust.':>5} {'Cost':>13} {'Per reached':>12} {'Per prospect':>13} "
        f"{'Per customer':>13} Grade",
    ]
    for s in data["lists"]:
        lines.append(
            f"{(s['list'] or '(no list)'):<24.24} {s['contacts']:>8,} {s['called']:>7,} "
            f"{pct(s['reached_rate']):>7} {pct(s['junk_rate']):>5} {pct(s['prospect_rate']):>6} "
            f"{s['customers']:>5,} {money(s['cost'], 'no cost'):>13} "
            f"{money(s['cost_per_reached'], '-'):>12} {money(s['cost_per_prospect'], '-'):>13} "
            f"{money(s['cost_per_customer'], '-'):>13} {s['grade'] or 'too early'}"
        )
    if not data["lists"]:
        lines.append("(no contacts added in this period)")
    talk = activity["talk_seconds"]
    follow, outcomes = activity["follow_ups"], activity["outcomes"]
    lines += [
        "",
        f"Activity: {activity['calls']:,} calls, {activity['reached']:,} answered, "
        f"{talk // 3600} h {talk % 3600 // 60:02d} min on the phone. Follow-ups due: "
        f"{follow['done']:,} done, {follow['missed']:,} missed, {follow['coming']:,} to come.",
        "  " + ", ".join(f"{o['outcome'].replace('_', ' ')} {o['calls']:,}" for o in outcomes),
    ]
    temps = data["pipeline"]["by_temperature"]
    warmth = ", ".join(
        f"{t} {sum(s[t] for s in temps.values()):,}" for t in ("hot", "warm", "cold")
    )
    average = data["pipeline"]["average_score"]
    lines.append(
        f"Pipeline: {sum(temps['lead'].values()):,} leads, {sum(temps['prospect'].values()):,} "
        f"prospects; {warmth}"
        + (f"; average engagement {average:.0f}" if average is not None else "")
        + "."
    )
    return lines


def _cmd_erase(ws: Any, args: argparse.Namespace, as_json: bool) -> int:
    erased = ws.privacy.erase(args.contact_id)
    text = (
        f"Erased contact {erased.contact_id} with everything held about them. Their phone "
        f"numbers and email ({erased.identities}) are kept only as hashes, so a list that "
        "brings them back marks them 'do not call'."
    )
    _emit({"erased": erased.contact_id, "identities": erased.identities}, as_json, text)
    return 0


def _cmd_export_person(ws: Any, args: argparse.Namespace, as_json: bool) -> int:
    done = ws.privacy.export_person(args.contact_id, args.to)
    text = (
        f"Wrote everything held about {done.name} to {args.to} ({done.records:,} records "
        "besides the contact's own fields). It holds their personal data: send it to them "
        "only, by a safe way."
    )
    _emit({"contact": args.contact_id, "file": str(args.to), "sheets": done.rows}, as_json, text)
    return 0


def _cmd_sample(ws: Any, as_json: bool) -> int:
    added = ws.sample_list.load()
    text = f"Loaded {added} sample contacts." if added else "The sample list is already loaded."
    _emit({"added": added}, as_json, text)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    db_path: Path | None = getattr(args, "db", None)
    as_json: bool = getattr(args, "json", False)
    if args.self_test:
        from prospector.ui.self_test import run_self_test  # logs to its own temporary folder

        return run_self_test()
    log_file = configure_logging()

    if args.command is None:
        from prospector.ui.app import run_app  # Qt is loaded only for the window

        return run_app(db_path)

    from prospector.services.workspace import open_workspace

    try:
        ws = open_workspace(db_path)
    except UserFacingError as exc:
        _fail(exc, as_json)
        return 1
    _warn_if_on_a_share(ws.path)
    try:
        if args.command == "info":
            return _cmd_info(ws, as_json)
        if args.command == "contacts":
            return _cmd_contacts(ws, args, as_json)
        if args.command == "import":
            return _cmd_import(ws, args, as_json)
        if args.command == "queue":
            return _cmd_queue(ws, args, as_json)
        if args.command == "imports":
            return _cmd_imports(ws, as_json)
        if args.command == "undo-import":
            return _cmd_undo_import(ws, args, as_json)
        if args.command == "dnc-import":
            return _cmd_dnc_import(ws, args, as_json)
        if args.command == "followups":
            return _cmd_followups(ws, args, as_json)
        if args.command == "export":
            return _cmd_export(ws, args, as_json)
        if args.command == "report":
            return _cmd_report(ws, args, as_json)
        if args.command in ("backups", "backup", "restore"):
            return _cmd_backups(ws, args, as_json)
        if args.command == "erase":
            return _cmd_erase(ws, args, as_json)
        if args.command == "export-person":
            return _cmd_export_person(ws, args, as_json)
        return _cmd_sample(ws, as_json)
    except UserFacingError as exc:
        _fail(exc, as_json)
        return 1
    except Exception:  # a bug: one line for the user, the traceback for the log
        log.exception("Command %s failed", args.command)
        message = f"Something unexpected went wrong; the details are in {log_file}."
        if as_json:
            print(json.dumps({"error": "bug", "message": message}))
        else:
            print(f"prospector: {message}", file=sys.stderr)
        return 2
    finally:
        ws.close()


def _warn_if_on_a_share(path: Path) -> None:
    """A database on a network share or in a synced folder can be damaged: say so (stderr)."""
    from prospector.services.integrity import network_place

    place = network_place(path)
    if place is None:
        return
    where = f"in a folder {place.detail} keeps in sync" if place.synced else (
        f"on a network drive ({place.detail})"
    )
    print(
        f"prospector: warning: {path.name} is {where}; a database used there can be damaged. "
        "Keep it on this computer and exchange share files with colleagues instead.",
        file=sys.stderr,
    )


def _fail(exc: UserFacingError, as_json: bool) -> None:
    log.info("%s refused: %s", exc.code, exc)
    message = exc.user_message()
    if as_json:
        print(json.dumps({"error": exc.code, "message": message}, ensure_ascii=False))
    else:
        print(f"prospector: {message}", file=sys.stderr)
