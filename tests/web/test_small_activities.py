"""An activity too small to compare is left out of complexity and the profile's lists, and the
profile names it with the threshold; the complexity of the others is that of the table
without it (computed by the library on the reduced table). On the tiny store, both backends."""

from __future__ import annotations

import pandas as pd
from fastapi.testclient import TestClient

from clusterix.profiling.profile import MIN_ACTIVITY_SHARE, RegionProfiler
from clusterix.web.app import create_app

from .conftest import ACTIVITIES, EMPLOYMENT, web_settings


def _rows(tiny_value: float) -> pd.DataFrame:
    rows = [
        {"region": region, "activity": activity, "time": "2018", "measure": "jobs", "value": float(value)}
        for region, values in EMPLOYMENT["2018"].items()
        for activity, value in zip(ACTIVITIES, values, strict=True)
    ]
    rows.append({"region": "XA13", "activity": "Z", "time": "2018", "measure": "jobs", "value": tiny_value})
    return pd.DataFrame(rows)


def test_a_tiny_activity_is_flagged_and_left_out(tiny, tmp_path) -> None:
    store, geo = tiny
    rows = _rows(tiny_value=0.001)  # far below 1e-5 of the 585 jobs in all
    path = tmp_path / "with-tiny.csv"
    rows.to_csv(path, index=False)
    store.import_observations([rows], source="test", path=path, name="with-tiny", region_version=2021, replace=True)
    client = TestClient(create_app(web_settings(geo), store=store))
    profile = client.get("/api/v1/regions/XA13/profile", params={"dataset": "with-tiny"}).json()
    note = next(note for note in profile["notes"] if note.startswith("Left out of complexity"))
    assert "1 activities with less than" in note and f"{MIN_ACTIVITY_SHARE:.3%}" in note and ": Z." in note
    listed = {item["activity"] for name in ("specialisations", "emerging", "diversification") for item in profile[name]}
    assert "Z" not in listed
    # the complexity of the others is that of the table without Z, computed independently
    reference = RegionProfiler(rows[rows["activity"] != "Z"], time="time").profile("XA13")
    assert profile["summary"]["eci"] == reference["summary"]["eci"]
    assert profile["summary"]["diversity"] == reference["summary"]["diversity"]
