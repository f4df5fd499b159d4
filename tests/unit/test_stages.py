from prospector.domain.stages import (
    ALL_STAGES,
    DEFINITIONS,
    Stage,
    allowed_moves,
    can_move,
    is_callable,
)


def test_every_stage_has_a_definition_and_a_rule():
    for stage in ALL_STAGES:
        assert DEFINITIONS[stage]
        assert stage not in allowed_moves(stage)


def test_pipeline_moves_forward_and_side_exits_are_always_open():
    assert can_move(Stage.SUSPECT, Stage.LEAD)
    assert can_move(Stage.LEAD, Stage.PROSPECT)
    assert can_move(Stage.PROSPECT, Stage.CUSTOMER)
    assert can_move(Stage.CUSTOMER, Stage.REPEAT_CUSTOMER)
    for stage in (Stage.SUSPECT, Stage.LEAD, Stage.PROSPECT, Stage.CUSTOMER):
        assert can_move(stage, Stage.DO_NOT_CALL)


def test_a_suspect_cannot_become_a_customer_without_being_reached():
    assert not can_move(Stage.SUSPECT, Stage.CUSTOMER)
    assert not can_move(Stage.SUSPECT, Stage.PROSPECT)


def test_do_not_call_is_final_and_never_callable():
    assert allowed_moves(Stage.DO_NOT_CALL) == frozenset()
    assert not is_callable(Stage.DO_NOT_CALL, do_not_call=False)
    assert not is_callable(Stage.LEAD, do_not_call=True)
    assert not is_callable(Stage.DISQUALIFIED, do_not_call=False)
    assert is_callable(Stage.NOT_INTERESTED, do_not_call=False)
