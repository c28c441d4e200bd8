"""The growth measure on real organisations: CORDIS H2020 enterprise–university/research pairs.

Each sampled pair of organisations that took part in an H2020 project together is tracked
as a partnership agreed on the start date of their first joint project; the growth table
must then count, per year and pair type, exactly what pandas counts from the CORDIS tables.
"""

from __future__ import annotations

import pandas as pd
import pytest

from clusterix.storage import Store
from clusterix.tracking import (
    accounts,
    advance_partnership,
    collaboration_growth,
    create_user,
    pair_type,
    partnerships_for,
    propose_partnership,
)
from tests.tracking.world import CHEAP_HASHER, PASSWORD

pytestmark = pytest.mark.shared
SAMPLE = 60


@pytest.fixture(scope="module")
def cordis(shared_data):
    from clusterix.ingest.cordis import read_h2020_participations

    return read_h2020_participations(shared_data / "cordis-h2020-participations")


def first_joint_projects(tables) -> pd.DataFrame:
    """Enterprise x (higher education | research) pairs with the start of their first joint project."""
    kinds = tables.organisations.set_index("id")["kind"]
    members = tables.participations[["project_id", "organisation_id"]].assign(
        kind=lambda f: f["organisation_id"].map(kinds)
    )
    starts = tables.projects.set_index("id")["start_date"]
    firms = members[members["kind"] == "enterprise"]
    knowledge = members[members["kind"].isin(["higher_education", "research"])]
    pairs = firms.merge(knowledge, on="project_id", suffixes=("_firm", "_knowledge"))
    pairs["start"] = pd.to_datetime(pairs["project_id"].map(starts))
    first = (
        pairs.dropna(subset=["start"])
        .groupby(["organisation_id_firm", "organisation_id_knowledge", "kind_knowledge"], as_index=False)["start"]
        .min()
        .sort_values(["start", "organisation_id_firm", "organisation_id_knowledge"])
    )
    return first.iloc[:: max(1, len(first) // SAMPLE)].head(SAMPLE).reset_index(drop=True)


def test_growth_counts_the_real_first_collaborations(cordis, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(accounts, "_hasher", CHEAP_HASHER)
    sample = first_joint_projects(cordis)
    assert len(sample) == SAMPLE
    assert sample["start"].dt.year.nunique() >= 4  # spread over the H2020 years
    source = tmp_path / "cordis.csv"
    source.write_text("CORDIS H2020 participations (test copy marker)\n", encoding="utf-8")
    with Store.open(str(tmp_path / "store.duckdb")) as store:
        store.import_organisations(
            organisations=cordis.organisations,
            projects=cordis.projects,
            participations=cordis.participations,
            source="cordis",
            path=source,
        )
        admin = create_user(store, "admin@example.org", PASSWORD, role="admin", as_owner=True)
        for row in sample.itertuples():
            when = row.start.date()
            created = propose_partnership(
                store, row.organisation_id_firm, row.organisation_id_knowledge, actor=admin, date=when
            )
            advance_partnership(store, created.id, "contacted", actor=admin, date=when)
            advance_partnership(store, created.id, "agreed", actor=admin, date=when)
        growth = collaboration_growth(store)
        first_firm = sample["organisation_id_firm"].iloc[0]
        tracked = partnerships_for(store, first_firm, viewer=None)  # agreed: public
        assert {p.organisation_1 for p in tracked} == {first_firm}
        assert all(p.organisation_1_kind == "enterprise" for p in tracked)

    expected = (
        sample.assign(
            period=sample["start"].dt.year.astype("int64"),
            pair_type=[pair_type("enterprise", kind) for kind in sample["kind_knowledge"]],
        )
        .groupby(["pair_type", "period"])
        .size()
    )
    counted = growth[growth["new_partnerships"] > 0].set_index(["pair_type", "period"])["new_partnerships"]
    pd.testing.assert_series_equal(
        counted.sort_index(), expected.sort_index().rename("new_partnerships"), check_dtype=False
    )
    assert growth["knowledge_enterprise"].all()
    totals = growth.groupby("pair_type")["cumulative"].last()
    assert totals.sum() == SAMPLE
