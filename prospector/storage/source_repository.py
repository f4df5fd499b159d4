"""Reads and writes of sources (lead lists and channels) and the small settings table."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prospector.storage import tables as t


@dataclass(frozen=True)
class SourceInfo:
    id: int
    name: str
    kind: str
    vendor: str | None
    cost_cents: int | None
    currency: str | None
    acquired_on: date | None
    contacts: int


class SourceRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def list(self) -> list[SourceInfo]:
        counts = dict(
            self._s.execute(
                select(t.Contact.source_id, func.count()).group_by(t.Contact.source_id)
            ).all()
        )
        rows = self._s.execute(select(t.Source).order_by(func.lower(t.Source.name))).scalars()
        return [
            SourceInfo(
                id=r.id,
                name=r.name,
                kind=r.kind,
                vendor=r.vendor,
                cost_cents=r.cost_cents,
                currency=r.currency,
                acquired_on=r.acquired_on,
                contacts=int(counts.get(r.id, 0)),
            )
            for r in rows
        ]

    def find_by_name(self, name: str) -> int | None:
        stmt = select(t.Source.id).where(func.lower(t.Source.name) == name.strip().lower())
        return self._s.execute(stmt).scalar()

    def add(
        self,
        name: str,
        kind: str,
        now: datetime,
        *,
        vendor: str | None = None,
        cost_cents: int | None = None,
        currency: str | None = None,
        acquired_on: date | None = None,
        notes: str | None = None,
    ) -> int:
        row = t.Source(
            uuid=str(uuid.uuid4()),
            name=name.strip(),
            kind=kind,
            vendor=vendor,
            cost_cents=cost_cents,
            currency=currency,
            acquired_on=acquired_on,
            notes=notes,
            created_at=now,
        )
        self._s.add(row)
        self._s.flush()
        return row.id


class SettingsRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, key: str) -> Any:
        row = self._s.get(t.Setting, key)
        return None if row is None or row.value is None else row.value.get("v")

    def with_prefix(self, prefix: str) -> list[Any]:
        """Values of every setting whose key starts with ``prefix`` (templates and the like)."""
        stmt = select(t.Setting.value).where(t.Setting.key.startswith(prefix, autoescape=True))
        return [value.get("v") for value in self._s.scalars(stmt) if value is not None]

    def set(self, key: str, value: Any) -> None:
        row = self._s.get(t.Setting, key)
        if row is None:
            self._s.add(t.Setting(key=key, value={"v": value}))
        else:
            row.value = {"v": value}
