"""Lead lists and channels: what exists, and adding one."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from prospector.domain.clock import Clock, system_clock
from prospector.storage.source_repository import SourceInfo, SourceRepository

SOURCE_KINDS: tuple[str, ...] = (
    "purchased_list",
    "directory",
    "web_form",
    "referral",
    "event",
    "social",
)


class SourceService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock = system_clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def list(self) -> list[SourceInfo]:
        with self._sessions() as session:
            return SourceRepository(session).list()

    def add(self, name: str, kind: str, **details: object) -> int:
        if kind not in SOURCE_KINDS:
            raise ValueError(f"unknown source kind {kind}")
        with self._sessions.begin() as session:
            return SourceRepository(session).add(name, kind, self._clock(), **details)  # type: ignore[arg-type]
