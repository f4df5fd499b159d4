"""Qualify a contact by objective answers and by what the contact did, not by instinct.

A questionnaire is a short list of typed questions. Some answers disqualify at once (not our
market: junk); the three criteria that make a prospect — target market, can afford it, can
decide — must each be answered positively, and a need must be shown. From the answers come a
**fit grade** (A–D: who the contact is) and, from logged behaviour, an **engagement score**
(0–100: what the contact did), and from both a temperature. Answers are kept per questionnaire
version, so editing the questionnaire never rewrites what was answered before.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from prospector.domain.stages import Stage, Temperature


class QuestionKind(StrEnum):
    YES_NO = "yes_no_unknown"  # 'yes', 'no', 'unknown'
    CHOICE = "choice"
    NUMBER = "number"
    TEXT = "text"


class Criterion(StrEnum):
    """What a question tells about the contact; the prospect test needs the first four."""

    MARKET = "market"
    BUDGET = "budget"
    AUTHORITY = "authority"
    NEED = "need"
    TIMING = "timing"
    VALUE = "value"


REQUIRED: tuple[Criterion, ...] = (
    Criterion.MARKET,
    Criterion.BUDGET,
    Criterion.AUTHORITY,
    Criterion.NEED,
)
_FIT_CRITERIA = (Criterion.MARKET, Criterion.BUDGET, Criterion.AUTHORITY)


@dataclass(frozen=True)
class Question:
    key: str
    prompt: str
    kind: QuestionKind
    criterion: Criterion | None = None
    weight: int = 1
    choices: tuple[str, ...] = ()
    # Choices that count as a positive answer for the criterion (yes/no questions: 'yes').
    positive: tuple[str, ...] = ("yes",)
    disqualifies_if: tuple[str, ...] = ()  # answers that make the contact junk at once


@dataclass(frozen=True)
class Questionnaire:
    name: str
    version: int
    questions: tuple[Question, ...]

    def question(self, key: str) -> Question:
        return next(q for q in self.questions if q.key == key)


class Engagement(StrEnum):
    """What the contact did, as logged by the rep: the score reads behaviour, not looks."""

    ANSWERED = "answered"
    ASKED_QUESTIONS = "asked_questions"
    ASKED_FOR_INFORMATION = "asked_for_information"
    AGREED_TO_CALL_BACK = "agreed_to_call_back"
    AGREED_TO_MEETING = "agreed_to_meeting"


ENGAGEMENT_POINTS: dict[Engagement, int] = {
    Engagement.ANSWERED: 10,
    Engagement.ASKED_QUESTIONS: 15,
    Engagement.ASKED_FOR_INFORMATION: 20,
    Engagement.AGREED_TO_CALL_BACK: 20,
    Engagement.AGREED_TO_MEETING: 35,
}


@dataclass(frozen=True)
class QualificationResult:
    stage: Stage  # PROSPECT, LEAD (partly qualified) or DISQUALIFIED
    fit_grade: str  # 'A' (fits on every count) … 'D' (fits on none)
    engagement: int  # 0-100
    temperature: Temperature
    missing: tuple[Criterion, ...] = ()  # what is still to be learnt, for a lead
    reasons: tuple[str, ...] = field(default=())  # question keys that disqualified


def _is_positive(question: Question, answer: object) -> bool:
    if answer is None or answer == "":
        return False
    if question.kind == QuestionKind.NUMBER:
        return isinstance(answer, int | float) and answer > 0
    if question.kind == QuestionKind.TEXT:
        return bool(str(answer).strip())
    return str(answer) in question.positive


def engagement_score(events: Iterable[Engagement]) -> int:
    """0–100 from what the contact did; each kind of behaviour counts once."""
    return min(100, sum(ENGAGEMENT_POINTS[e] for e in set(events)))


def fit_grade(questionnaire: Questionnaire, answers: Mapping[str, object]) -> str:
    """A–D from the weighted share of market, budget and authority answered positively."""
    total = positive = 0
    for question in questionnaire.questions:
        if question.criterion in _FIT_CRITERIA:
            total += question.weight
            if _is_positive(question, answers.get(question.key)):
                positive += question.weight
    share = positive / total if total else 0.0
    if share >= 0.999:
        return "A"
    if share >= 0.6:
        return "B"
    if share >= 0.3:
        return "C"
    return "D"


def qualify(
    questionnaire: Questionnaire,
    answers: Mapping[str, object],
    engagement: Iterable[Engagement] = (),
) -> QualificationResult:
    """Judge a contact by its answers and its behaviour.

    Disqualified when an answer is on a question's "disqualifies if" list; a prospect when each
    of market, budget, authority and need has a positive answer; otherwise a lead, with what is
    missing listed (unanswered or 'unknown' criteria, and those answered negatively).
    """
    score = engagement_score(engagement)
    grade = fit_grade(questionnaire, answers)
    junk = tuple(
        q.key
        for q in questionnaire.questions
        if q.disqualifies_if and str(answers.get(q.key)) in q.disqualifies_if
    )
    if junk:
        return QualificationResult(Stage.DISQUALIFIED, "D", score, Temperature.COLD, reasons=junk)
    missing = tuple(
        criterion
        for criterion in REQUIRED
        if not any(
            q.criterion == criterion and _is_positive(q, answers.get(q.key))
            for q in questionnaire.questions
        )
    )
    stage = Stage.PROSPECT if not missing else Stage.LEAD
    return QualificationResult(
        stage, grade, score, _temperature(stage, score, answers, questionnaire), missing
    )


def _temperature(
    stage: Stage, score: int, answers: Mapping[str, object], questionnaire: Questionnaire
) -> Temperature:
    """Hot: qualified and engaged, or wants to buy soon; warm: interested, needs information."""
    soon = any(
        q.criterion == Criterion.TIMING and _is_positive(q, answers.get(q.key))
        for q in questionnaire.questions
    )
    if stage == Stage.PROSPECT and (score >= 50 or soon):
        return Temperature.HOT
    if score >= 25 or stage == Stage.PROSPECT:
        return Temperature.WARM
    return Temperature.COLD


def questionnaire_from_json(data: Mapping[str, object]) -> Questionnaire:
    """A questionnaire from its JSON form (the bundled default in resources/, or an office's)."""
    raw = data.get("questions", [])
    assert isinstance(raw, list)
    questions = tuple(
        Question(
            key=str(q["key"]),
            prompt=str(q["prompt"]),
            kind=QuestionKind(q["kind"]),
            criterion=Criterion(q["criterion"]) if q.get("criterion") else None,
            weight=int(q.get("weight", 1)),
            choices=tuple(q.get("choices", ())),
            positive=tuple(q.get("positive", ("yes",))),
            disqualifies_if=tuple(q.get("disqualifies_if", ())),
        )
        for q in raw
    )
    return Questionnaire(str(data["name"]), int(str(data.get("version", 1))), questions)


# -- editing a questionnaire ---------------------------------------------------------------------

UNKNOWN_ANSWER = "unknown"
YES_NO_ANSWERS: tuple[str, ...] = ("yes", "no", UNKNOWN_ANSWER)
MAX_WEIGHT = 10


@dataclass(frozen=True)
class QuestionnaireProblem:
    """Why an edited questionnaire cannot be saved; the window words it, the core names it.

    ``position`` is the question's index in the questionnaire (None: the whole questionnaire);
    ``detail`` is the answer or choice concerned, when there is one.
    """

    code: str
    position: int | None = None
    detail: str = ""


def possible_answers(question: Question) -> tuple[str, ...]:
    """The answers a rep can give (the call screen offers "don't know" beside the choices).

    Number and text questions have no fixed answers, so none of theirs can disqualify.
    """
    if question.kind == QuestionKind.YES_NO:
        return YES_NO_ANSWERS
    if question.kind == QuestionKind.CHOICE:
        return (*question.choices, UNKNOWN_ANSWER)
    return ()


def problems_in(questionnaire: Questionnaire) -> list[QuestionnaireProblem]:
    """Everything that must be fixed before an edited questionnaire is saved, in order.

    Checked here, not in the editor, so that any way of saving a questionnaire (the window, a
    later import of an office's questionnaire) refuses the same mistakes.
    """
    problems: list[QuestionnaireProblem] = []
    if not questionnaire.questions:
        problems.append(QuestionnaireProblem("questionnaire.no_questions"))
    seen_keys: set[str] = set()
    for position, question in enumerate(questionnaire.questions):

        def problem(code: str, detail: str = "", at: int = position) -> None:
            problems.append(QuestionnaireProblem(code, at, detail))

        if not question.key.strip() or question.key in seen_keys:
            problem("question.duplicate_key", question.key)
        seen_keys.add(question.key)
        if not question.prompt.strip():
            problem("question.no_prompt")
        if not 0 <= question.weight <= MAX_WEIGHT:
            problem("question.bad_weight", str(question.weight))
        if question.kind == QuestionKind.CHOICE:
            names = [c.strip() for c in question.choices]
            if not any(names):
                problem("question.no_choices")
            elif not all(names):
                problem("question.empty_choice")
            first: dict[str, str] = {}  # folded -> the choice as first typed
            repeated: dict[str, None] = {}
            for name in filter(None, names):
                if name.casefold() in first:
                    repeated[first[name.casefold()]] = None
                first.setdefault(name.casefold(), name)
            for name in repeated:
                problem("question.duplicate_choice", name)
            if UNKNOWN_ANSWER in first:
                problem("question.reserved_choice", first[UNKNOWN_ANSWER])
        answers = possible_answers(question)
        for answer in question.disqualifies_if:
            if answer not in answers:
                problem("question.unknown_disqualifying_answer", answer)
        if question.kind == QuestionKind.YES_NO or any(c.strip() for c in question.choices):
            for answer in question.positive:
                if answer not in answers:
                    problem("question.unknown_positive_answer", answer)
            for answer in question.disqualifies_if:
                if answer in question.positive:
                    problem("question.positive_and_disqualifying", answer)
    return problems


def missing_criteria(questionnaire: Questionnaire) -> tuple[Criterion, ...]:
    """Required criteria no question asks about: with any missing, nobody becomes a prospect."""
    asked = {q.criterion for q in questionnaire.questions}
    return tuple(c for c in REQUIRED if c not in asked)


def slug(text: str, max_length: int = 32) -> str:
    """'Quel budget ?' -> 'quel_budget': lower-case ASCII words joined by underscores."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = "".join(c if c.isalnum() else " " for c in ascii_text.lower()).split()
    return "_".join(words)[:max_length].strip("_")


def new_question_key(prompt: str, taken: Iterable[str], suffix: str) -> str:
    """A key for a question added in the editor: the prompt's slug plus ``suffix``.

    The suffix (random in the window) keeps a new question from taking the key of one removed
    in an earlier version, whose old answers would otherwise seem to answer the new one.
    """
    taken_keys = set(taken)
    base = f"{slug(prompt) or 'question'}_{suffix}"
    key, n = base, 2
    while key in taken_keys:
        key, n = f"{base}_{n}", n + 1
    return key
