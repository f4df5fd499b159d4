"""Questionnaire versions and the answers given to them.

Editing a questionnaire saves a new version and makes it the active one; answers stay tied to
the version they were given to, so history is never rewritten.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from prospector.domain.qualification import (
    Criterion,
    QualificationResult,
    Question,
    QuestionKind,
    Questionnaire,
)
from prospector.storage import tables as t


class QuestionnaireRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def active(self, name: str) -> tuple[int, Questionnaire] | None:
        row = self._s.execute(
            select(t.Questionnaire)
            .where(t.Questionnaire.name == name, t.Questionnaire.is_active.is_(True))
            .order_by(t.Questionnaire.version.desc())
            .limit(1)
        ).scalar()
        return (row.id, self._load(row)) if row is not None else None

    def version(self, name: str, version: int) -> tuple[int, Questionnaire] | None:
        """One version of a questionnaire, active or not (older answers keep theirs)."""
        row = self._s.execute(
            select(t.Questionnaire).where(
                t.Questionnaire.name == name, t.Questionnaire.version == version
            )
        ).scalar()
        return (row.id, self._load(row)) if row is not None else None

    def get(self, questionnaire_id: int) -> Questionnaire:
        return self._load(self._s.get_one(t.Questionnaire, questionnaire_id))

    def _load(self, row: t.Questionnaire) -> Questionnaire:
        questions = self._s.execute(
            select(t.Question)
            .where(t.Question.questionnaire_id == row.id)
            .order_by(t.Question.position)
        ).scalars()
        return Questionnaire(
            row.name,
            row.version,
            tuple(
                Question(
                    key=q.key,
                    prompt=q.prompt,
                    kind=QuestionKind(q.kind),
                    criterion=Criterion(q.criterion) if q.criterion else None,
                    weight=q.weight,
                    choices=tuple((q.choices or {}).get("choices", ())),
                    positive=tuple((q.choices or {}).get("positive", ("yes",))),
                    disqualifies_if=tuple((q.disqualifies_if or {}).get("answers", ())),
                )
                for q in questions
            ),
        )

    def save_version(self, questionnaire: Questionnaire, now: datetime) -> tuple[int, int]:
        """Store ``questionnaire`` as the next version of its name; returns (id, version)."""
        latest = self._s.execute(
            select(func.max(t.Questionnaire.version)).where(
                t.Questionnaire.name == questionnaire.name
            )
        ).scalar()
        version = (latest or 0) + 1
        self._s.execute(
            update(t.Questionnaire)
            .where(t.Questionnaire.name == questionnaire.name)
            .values(is_active=False)
        )
        row = t.Questionnaire(
            uuid=str(uuid.uuid4()),
            name=questionnaire.name,
            version=version,
            is_active=True,
            created_at=now,
        )
        self._s.add(row)
        self._s.flush()
        for position, q in enumerate(questionnaire.questions, start=1):
            self._s.add(
                t.Question(
                    questionnaire_id=row.id,
                    position=position,
                    key=q.key,
                    prompt=q.prompt,
                    kind=q.kind.value,
                    criterion=q.criterion.value if q.criterion else None,
                    choices={"choices": list(q.choices), "positive": list(q.positive)},
                    weight=q.weight,
                    disqualifies_if={"answers": list(q.disqualifies_if)}
                    if q.disqualifies_if
                    else None,
                )
            )
        self._s.flush()
        return row.id, version

    def add_qualification(
        self,
        contact_id: int,
        questionnaire_id: int,
        answers: dict[str, Any],
        result: QualificationResult,
        now: datetime,
    ) -> int:
        row = t.Qualification(
            uuid=str(uuid.uuid4()),
            contact_id=contact_id,
            questionnaire_id=questionnaire_id,
            answered_at=now,
            answers=answers,
            result=result.stage.value,
            fit_grade=result.fit_grade,
            score=result.engagement,
            temperature=result.temperature.value,
            missing={"criteria": [c.value for c in result.missing]} if result.missing else None,
            reason=", ".join(result.reasons) or None,
        )
        self._s.add(row)
        self._s.flush()
        return row.id

    def qualifications_of(self, contact_id: int) -> list[dict[str, Any]]:
        rows = self._s.execute(
            select(t.Qualification)
            .where(t.Qualification.contact_id == contact_id)
            .order_by(t.Qualification.answered_at.desc(), t.Qualification.id.desc())
        ).scalars()
        return [
            {
                "questionnaire_id": r.questionnaire_id,
                "answered_at": r.answered_at,
                "answers": dict(r.answers),
                "result": r.result,
                "fit_grade": r.fit_grade,
                "score": r.score,
                "temperature": r.temperature,
            }
            for r in rows
        ]
