"""The caution notes of a profile: few observations, few activities, few regions compared, and
the reference space of the complexity figures stated in words. Tiny synthetic tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from clusterix.profiling.profile import CAVEAT_MIN_REGIONS, CAVEAT_MIN_TOTAL, RegionProfiler


def _table(regions: int, small: float) -> pd.DataFrame:
    """``regions`` regions x 8 activities (seeded random sizes); region R0 has ``small`` in each
    of two activities only."""
    rng = np.random.default_rng(7)
    rows = []
    for r in range(regions):
        for a in range(8):
            value = (small if a < 2 else 0.0) if r == 0 else float(rng.integers(20, 400))
            rows.append({"region": f"R{r}", "activity": f"A{a}", "value": value})
    return pd.DataFrame(rows)


def test_a_profile_on_few_observations_says_so() -> None:
    profiler = RegionProfiler(_table(12, small=6.0))
    notes = profiler.profile("R0")["notes"]
    assert any(note.startswith("Caution: this profile rests on few observations (a total of 12") for note in notes)
    assert not any("Caution" in note for note in profiler.profile("R5")["notes"])  # 8 activities, total > 100


def test_few_activities_and_few_regions_are_cautioned() -> None:
    profiler = RegionProfiler(_table(12, small=CAVEAT_MIN_TOTAL))  # enough in total, but 2 activities only
    assert any("active in only 2 activities" in note for note in profiler.profile("R0")["notes"])
    few = RegionProfiler(_table(CAVEAT_MIN_REGIONS - 6, small=200.0))
    assert any(f"only {CAVEAT_MIN_REGIONS - 6} regions are compared" in note for note in few.profile("R1")["notes"])


def test_the_reference_space_of_complexity_is_stated() -> None:
    profile = RegionProfiler(_table(12, small=200.0)).profile("R3")
    note = next(note for note in profile["notes"] if note.startswith("Complexity is relative to this dataset"))
    assert f"ranks the region {profile['summary']['eci_rank']} of the 12 regions of 8 activities" in note


def test_small_activities_are_found_with_their_threshold() -> None:
    from clusterix.profiling.profile import small_activities

    frame = pd.DataFrame(
        {"region": ["R1", "R2", "R1", "R2", "R1"], "activity": ["big", "big", "mid", "mid", "tiny"],
         "value": [600_000.0, 399_000.0, 500.0, 480.0, 20.0]}
    )  # fmt: skip
    # total 1,000,000: a share of 1e-5 is 10, of 1e-3 is 1,000
    assert small_activities(frame, share=1e-5) == ([], 10.0)
    assert small_activities(frame, share=1e-4) == (["tiny"], 100.0)
    assert small_activities(frame, share=1e-3) == (["tiny", "mid"], 1000.0)  # smallest first
