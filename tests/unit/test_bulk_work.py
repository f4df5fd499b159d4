"""The collector's setting during long runs: raised while any runs, put back after the last."""

from __future__ import annotations

import gc

from prospector.services.bulk_work import BULK_GC_THRESHOLDS, fewer_collections


def test_runs_ending_in_any_order_put_back_the_usual_setting():
    usual = gc.get_threshold()
    assert usual != BULK_GC_THRESHOLDS
    first, second = fewer_collections(), fewer_collections()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first to start ends first: the second still runs
    assert gc.get_threshold() == BULK_GC_THRESHOLDS
    second.__exit__(None, None, None)
    assert gc.get_threshold() == usual
