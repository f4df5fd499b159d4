"""A column of a batch converted in place, each distinct value once."""

from __future__ import annotations

import prospector.column_memo as column_memo
from prospector.column_memo import column_converter


def _counting(make):
    calls = []

    def counted(value):
        calls.append(value)
        return make(value)

    return counted, calls


def test_each_distinct_value_is_made_once_and_only_its_column_changes():
    make, calls = _counting(lambda v: v * 10)
    convert = column_converter(make)
    batch = [["a", 1], ["b", 2], ["c", 1], ["d", None]]
    convert(batch, 1)
    later = [["e", 2], ["f", 3]]
    convert(later, 1)  # a later batch: the values made already are looked up
    assert batch == [["a", 10], ["b", 20], ["c", 10], ["d", None]]
    assert later == [["e", 20], ["f", 30]]
    assert calls == [1, 2, 3]


def test_an_empty_value_becomes_the_given_empty():
    convert = column_converter(str, empty="")
    batch = [[None], [0], [5]]
    convert(batch, 0)
    assert batch == [[""], ["0"], ["5"]]


def test_false_and_zero_are_values_not_empties():
    convert = column_converter(bool)
    batch = [[0], [1], [None]]
    convert(batch, 0)
    assert batch == [[False], [True], [None]]


def test_memory_is_bounded_and_empties_still_convert_after_starting_over(monkeypatch):
    monkeypatch.setattr(column_memo, "MEMO_LIMIT", 3)
    make, calls = _counting(lambda v: f"<{v}>")
    convert = column_converter(make, empty="-")
    batch = [[v] for v in (1, 2, 3, 4, None, 1)]
    convert(batch, 0)
    assert [r[0] for r in batch] == ["<1>", "<2>", "<3>", "<4>", "-", "<1>"]
    assert calls == [1, 2, 3, 4, 1]  # forgotten at the limit, then made again
