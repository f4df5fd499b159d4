"""Editing the questionnaire (what may be saved, new keys) and the office's stage names."""

from __future__ import annotations

from dataclasses import replace

import pytest

from prospector.domain.qualification import (
    Criterion,
    Question,
    QuestionKind,
    Questionnaire,
    missing_criteria,
    new_question_key,
    possible_answers,
    problems_in,
    slug,
)
from prospector.domain.stages import Stage
from prospector.services.settings import StageName
from prospector.services.workspace import open_workspace
from prospector.storage.source_repository import SettingsRepository

YES_NO = QuestionKind.YES_NO


def _q(*questions: Question) -> Questionnaire:
    return Questionnaire("Default qualification", 1, questions)


def _codes(questionnaire: Questionnaire) -> list[tuple[str, int | None, str]]:
    return [(p.code, p.position, p.detail) for p in problems_in(questionnaire)]


def test_the_bundled_questionnaire_has_no_problems(workspace):
    questionnaire = workspace.queue.questionnaire()
    assert problems_in(questionnaire) == []
    assert missing_criteria(questionnaire) == ()


def test_a_questionnaire_needs_at_least_one_question():
    assert _codes(_q()) == [("questionnaire.no_questions", None, "")]


def test_each_mistake_is_named_with_its_question():
    questionnaire = _q(
        Question("a", "  ", YES_NO),
        Question("b", "When?", QuestionKind.CHOICE),
        Question("c", "Size?", QuestionKind.CHOICE, choices=("Small", "Big", "small"), positive=()),
        Question("d", "Decides?", YES_NO, disqualifies_if=("maybe",)),
        Question("e", "Staff?", QuestionKind.NUMBER, disqualifies_if=("0",)),
        Question("f", "Fits?", YES_NO, positive=("yes",), disqualifies_if=("yes",)),
        Question("g", "Plan?", QuestionKind.CHOICE, choices=("soon", ""), positive=("later",)),
        Question("g", "Again?", YES_NO, weight=11),
        Question("h", "Who?", QuestionKind.CHOICE, choices=("Unknown",), positive=()),
    )
    assert _codes(questionnaire) == [
        ("question.no_prompt", 0, ""),
        ("question.no_choices", 1, ""),
        ("question.duplicate_choice", 2, "Small"),
        ("question.unknown_disqualifying_answer", 3, "maybe"),
        ("question.unknown_disqualifying_answer", 4, "0"),
        ("question.positive_and_disqualifying", 5, "yes"),
        ("question.empty_choice", 6, ""),
        ("question.unknown_positive_answer", 6, "later"),
        ("question.duplicate_key", 7, "g"),
        ("question.bad_weight", 7, "11"),
        ("question.reserved_choice", 8, "Unknown"),
    ]


def test_any_given_answer_may_disqualify_including_dont_know():
    choice = Question(
        "plan", "Plan?", QuestionKind.CHOICE, choices=("soon", "never"), positive=("soon",)
    )
    assert possible_answers(choice) == ("soon", "never", "unknown")
    assert problems_in(_q(replace(choice, disqualifies_if=("never", "unknown")))) == []
    assert possible_answers(Question("n", "Staff?", QuestionKind.TEXT)) == ()


def test_missing_criteria_are_the_required_ones_no_question_asks():
    questionnaire = _q(
        Question("m", "Market?", YES_NO, Criterion.MARKET),
        Question("t", "When?", YES_NO, Criterion.TIMING),
    )
    assert missing_criteria(questionnaire) == (
        Criterion.BUDGET,
        Criterion.AUTHORITY,
        Criterion.NEED,
    )


def test_new_keys_come_from_the_prompt_and_never_collide():
    assert slug("Combien d'employés ? (approx.)") == "combien_d_employes_approx"
    assert slug("???") == ""
    assert new_question_key("How many staff?", {"market"}, "a1b2") == "how_many_staff_a1b2"
    assert new_question_key("", set(), "ff") == "question_ff"
    taken = {"budget_ab", "budget_ab_2"}
    assert new_question_key("Budget", taken, "ab") == "budget_ab_3"
    assert len(new_question_key("x" * 200, set(), "01")) <= 32 + 3


def test_an_office_renames_stages_and_blank_names_mean_standard(workspace, db_path):
    settings = workspace.settings
    assert settings.stage_names() == {}
    settings.set_stage_names(
        {
            Stage.LEAD: StageName("  Contacted ", ""),
            Stage.PROSPECT: StageName("", "Ready for a demo."),
            Stage.SUSPECT: StageName("   ", "  "),
        }
    )
    expected = {
        Stage.LEAD: StageName("Contacted", ""),
        Stage.PROSPECT: StageName("", "Ready for a demo."),
    }
    assert settings.stage_names() == expected
    workspace.close()
    reopened = open_workspace(db_path)  # the names travel with the database
    try:
        assert reopened.settings.stage_names() == expected
        reopened.settings.set_stage_names({})
        assert reopened.settings.stage_names() == {}
    finally:
        reopened.close()


def test_stage_names_too_long_are_refused_and_odd_stored_values_ignored(workspace):
    settings = workspace.settings
    with pytest.raises(ValueError):
        settings.set_stage_names({Stage.LEAD: StageName("x" * 41)})
    assert settings.stage_names() == {}
    with workspace.database.sessions.begin() as session:  # as a newer Prospector might write
        SettingsRepository(session).set(
            "stage_names",
            {"lead": {"label": "Contacted"}, "partner": {"label": "Partner"}, "prospect": 3},
        )
    assert settings.stage_names() == {Stage.LEAD: StageName("Contacted", "")}
