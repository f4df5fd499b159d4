"""The command line: no command opens the window; commands do headless work on a database.

Every command takes ``--db PATH`` and ``--json``; on failure it prints one line saying what is
wrong and exits non-zero. The window and the commands share the same services.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prospector import __version__
from prospector.domain.query import ContactQuery, SortKey
from prospector.domain.stages import Stage, Temperature
from prospector.errors import UserFacingError
from prospector.logging_setup import configure_logging

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
    return parser


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


def _cmd_sample(ws: Any, as_json: bool) -> int:
    added = ws.sample_list.load()
    text = f"Loaded {added} sample contacts." if added else "The sample list is already loaded."
    _emit({"added": added}, as_json, text)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    db_path: Path | None = getattr(args, "db", None)
    as_json: bool = getattr(args, "json", False)
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
    try:
        if args.command == "info":
            return _cmd_info(ws, as_json)
        if args.command == "contacts":
            return _cmd_contacts(ws, args, as_json)
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


def _fail(exc: UserFacingError, as_json: bool) -> None:
    log.info("%s refused: %s", exc.code, exc)
    message = exc.user_message()
    if as_json:
        print(json.dumps({"error": exc.code, "message": message}, ensure_ascii=False))
    else:
        print(f"prospector: {message}", file=sys.stderr)
