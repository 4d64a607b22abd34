"""The manifest's count invariant, from the counts the stages report."""
from __future__ import annotations

from pipelines.build import invariants


def test_each_stage_balances_in_against_out_skipped_and_dropped():
    counts = {"stages": {
        "execute": {"in": 10, "out": 6, "skipped": 3, "dropped": {"sandbox_error": 1}},
        "security": {"in": 10, "out": 9},                      # one candidate vanished
        "label": {"in": 4, "out": 3, "dropped": {"duplicate_candidate": 1}},
    }}
    assert invariants(counts) == {
        "execute": {"in": 10, "out": 6, "skipped": 3, "dropped": {"sandbox_error": 1}, "holds": True},
        "label": {"in": 4, "out": 3, "dropped": {"duplicate_candidate": 1}, "holds": True},
        "security": {"in": 10, "out": 9, "dropped": {}, "holds": False},
    }
