"""Seeded synthetic data with the shape of real data: region x activity panels and collaboration networks.

Used by the quick start when no real data is at hand, by tests and by benchmarks.
Panels: sizes follow heavy-tailed (log-normal) region and activity scales and values are
Poisson counts around scale_r x scale_a x affinity, so most small cells are zero, as
in employment or patent tables. Collaborations: projects of heavy-tailed size whose
members are drawn within a topic by Pareto activity, so that degrees are heavy-tailed
as in CORDIS. Never presented as real data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clusterix._validation import check_number

__all__ = ["synthetic_collaborations", "synthetic_panel"]


def synthetic_panel(
    n_regions: int = 30,
    n_activities: int = 60,
    n_periods: int = 1,
    *,
    fill: float = 0.3,
    seed: int = 0,
) -> pd.DataFrame:
    """A long table ``region, activity, [year,] value`` with about ``fill`` of cells non-zero.

    Regions are named ``R0001``..., activities ``A00001``...; with ``n_periods > 1`` a
    ``year`` column runs from 2001 and the structure drifts slowly between years.

    Examples
    --------
    >>> panel = synthetic_panel(5, 8, seed=1)
    >>> sorted(panel.columns), panel["value"].ge(0).all()
    (['activity', 'region', 'value'], np.True_)
    """
    for name, number in (("n_regions", n_regions), ("n_activities", n_activities), ("n_periods", n_periods)):
        check_number(number, name=name, function="synthetic_panel", low=1, integer=True)
    check_number(fill, name="fill", function="synthetic_panel", low=0, high=1, low_inclusive=False)
    rng = np.random.default_rng(seed)
    region_scale = rng.lognormal(0.0, 1.0, n_regions)
    activity_scale = rng.lognormal(0.0, 1.2, n_activities)
    affinity = rng.lognormal(0.0, 1.0, (n_regions, n_activities))
    regions = np.array([f"R{i:04d}" for i in range(1, n_regions + 1)])
    activities = np.array([f"A{j:05d}" for j in range(1, n_activities + 1)])
    frames = []
    for period in range(n_periods):
        affinity = affinity * rng.lognormal(0.0, 0.1, affinity.shape)
        intensity = np.outer(region_scale, activity_scale) * affinity
        # Calibrate so that about `fill` of the cells get at least one unit.
        target = np.quantile(intensity, 1.0 - fill)
        counts = rng.poisson(intensity / target * 1.0)
        rows, cols = np.nonzero(counts)
        frame = pd.DataFrame(
            {
                "region": regions[rows],
                "activity": activities[cols],
                "value": counts[rows, cols].astype(np.float64),
            }
        )
        if n_periods > 1:
            frame.insert(2, "year", 2001 + period)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


#: Kinds and their shares among synthetic organisations (about the CORDIS H2020 mix).
_SYNTHETIC_KINDS = {"enterprise": 0.55, "higher_education": 0.15, "research": 0.12, "public": 0.08, "other": 0.10}


def synthetic_collaborations(
    n_organisations: int = 1000,
    *,
    years: tuple[int, int] = (2014, 2020),
    participations_per_organisation: float = 4.0,
    n_topics: int | None = None,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Organisations and dated collaborations shaped like CORDIS, for tests and benchmarks.

    Each organisation has a kind (about the H2020 mix), one of 30 countries, a NUTS-like
    region, a home topic and a Pareto(1.5) activity weight. Each project has a topic, a
    start year and a size of 2 + Poisson-lognormal members (median about 6, capped at 60),
    drawn from the organisations of its topic (80 %) or of any topic (20 %) with
    probability proportional to activity, so that degrees are heavy-tailed.

    Returns
    -------
    organisations : DataFrame
        ``id, kind, country, region, activities`` (``year:topic`` of its projects).
    collaborations : DataFrame
        ``org_1, org_2, year, project, weight`` (one row per pair and project).

    Examples
    --------
    >>> organisations, collaborations = synthetic_collaborations(200, seed=1)
    >>> len(organisations), bool(collaborations["org_1"].lt(collaborations["org_2"]).all())
    (200, True)
    """
    function = "synthetic_collaborations"
    check_number(n_organisations, name="n_organisations", function=function, low=10, integer=True)
    check_number(participations_per_organisation, name="participations_per_organisation", function=function, low=1)
    rng = np.random.default_rng(seed)
    n = int(n_organisations)
    topics = int(n_topics) if n_topics is not None else max(5, int(np.sqrt(n) / 2))
    kinds = rng.choice(list(_SYNTHETIC_KINDS), size=n, p=list(_SYNTHETIC_KINDS.values()))
    country_weights = rng.pareto(1.0, size=30) + 1
    countries = rng.choice([f"C{i:02d}" for i in range(30)], size=n, p=country_weights / country_weights.sum())
    regions = np.char.add(countries.astype(str), rng.integers(1, 10, size=n).astype(str))
    home = rng.integers(0, topics, size=n)
    activity = rng.pareto(1.5, size=n) + 1.0
    width = len(str(n - 1))
    ids = np.char.add("O", np.char.zfill(np.arange(n).astype(str), width))

    sizes_wanted = participations_per_organisation * n
    mean_size = 2 + np.exp(1.4 + 0.6**2 / 2)
    n_projects = max(1, int(sizes_wanted / mean_size))
    sizes = np.minimum(2 + rng.poisson(rng.lognormal(1.4, 0.6, size=n_projects)), 60)
    project_topic = rng.integers(0, topics, size=n_projects)
    project_year = rng.integers(years[0], years[1] + 1, size=n_projects)
    by_topic = [np.flatnonzero(home == topic) for topic in range(topics)]
    cumulative = [np.cumsum(activity[members]) for members in by_topic]
    everyone = np.cumsum(activity)
    slot_topic = np.repeat(project_topic, sizes)
    local = rng.random(len(slot_topic)) < 0.8
    members_of = np.searchsorted(everyone, rng.random(len(slot_topic)) * everyone[-1])
    for topic in range(topics):
        slots = np.flatnonzero(local & (slot_topic == topic))
        if len(slots) and len(by_topic[topic]):
            draws = rng.random(len(slots)) * cumulative[topic][-1]
            members_of[slots] = by_topic[topic][np.searchsorted(cumulative[topic], draws)]
    project_of = np.repeat(np.arange(n_projects), sizes)
    membership = pd.DataFrame({"project": project_of, "member": members_of}).drop_duplicates()
    pairs = membership.merge(membership, on="project", suffixes=("_1", "_2"))
    pairs = pairs[pairs["member_1"] < pairs["member_2"]]
    years_of = project_year[pairs["project"].to_numpy()]
    collaborations = pd.DataFrame(
        {
            "org_1": ids[pairs["member_1"].to_numpy()],
            "org_2": ids[pairs["member_2"].to_numpy()],
            "year": years_of.astype(np.int64),
            "project": np.char.add("P", pairs["project"].to_numpy().astype(str)),
            "weight": np.ones(len(pairs), dtype=np.int64),
        }
    ).sort_values(["year", "project", "org_1", "org_2"], ignore_index=True)
    entries = pd.DataFrame(
        {
            "member": membership["member"].to_numpy(),
            "entry": np.char.add(
                np.char.add(project_year[membership["project"].to_numpy()].astype(str), ":T"),
                project_topic[membership["project"].to_numpy()].astype(str),
            ),
        }
    )
    joined = entries.groupby("member")["entry"].agg(";".join)
    activities = pd.Series("", index=np.arange(n), dtype=object)
    activities[joined.index] = joined.to_numpy()
    organisations = pd.DataFrame(
        {"id": ids, "kind": kinds, "country": countries, "region": regions, "activities": activities.to_numpy()}
    )
    return organisations, collaborations
