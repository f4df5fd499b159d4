"""Lead lists and channels: what exists, and adding one."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from prospector.domain.clock import Clock, system_clock
from prospector.errors import UserFacingError
from prospector.storage.source_repository import SourceInfo, SourceRepository

SOURCE_KINDS: tuple[str, ...] = (
    "purchased_list",
    "directory",
    "web_form",
    "referral",
    "event",
    "social",
)


class ListNotFound(UserFacingError):
    code = "source.not_found"

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"no list called {name!r}")
        self.name, self.known = name, known

    def user_message(self) -> str:
        known = ", ".join(self.known[:20]) if self.known else "none yet"
        return f"There is no list called '{self.name}'. Your lists: {known}."


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

    def find(self, name: str) -> SourceInfo:
        """The list called ``name`` (case does not matter).

        Raises:
            ListNotFound: naming the lists there are.
        """
        lists = self.list()
        for info in lists:
            if info.name.casefold() == name.strip().casefold():
                return info
        raise ListNotFound(name, [info.name for info in lists])
