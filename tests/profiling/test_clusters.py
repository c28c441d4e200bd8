"""Cluster mappings, aggregation to clusters, cluster strength and ECO star ratings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from clusterix.errors import DataSourceError, InvalidInputError, UnknownCodeError
from clusterix.profiling import (
    QUANTILE_METHOD,
    aggregate_to_clusters,
    cluster_mapping,
    cluster_strength,
    uk_segments,
    us_cluster_definitions,
)

# ----------------------------------------------------------------------------- tiny case
# Industries a, b -> cluster X; c -> cluster Y. Three regions, one period.
#            a    b   | X = a+b | Y = c | region total
#   R1      20   10   |   30    |  10   |   40
#   R2       5    0   |    5    |  55   |   60
#   R3       1    4   |    5    |  95   |  100
#   cluster total     |   40    | 160   |  200 (grand total)
MAPPING = pd.DataFrame({"industry": ["a", "b", "c"], "cluster": ["X", "X", "Y"]})
DATA = pd.DataFrame(
    {
        "region": ["R1", "R1", "R1", "R2", "R2", "R2", "R3", "R3", "R3"],
        "activity": ["a", "b", "c"] * 3,
        "value": [20.0, 10.0, 10.0, 5.0, 0.0, 55.0, 1.0, 4.0, 95.0],
    }
)


@pytest.fixture(scope="module")
def tiny() -> pd.DataFrame:
    return cluster_strength(DATA, MAPPING).set_index(["region", "cluster"])


def test_aggregate_sums_industries_into_clusters() -> None:
    out = aggregate_to_clusters(DATA, MAPPING)
    assert list(out.columns) == ["region", "cluster", "value"]
    # R1: X = 20 + 10 = 30, Y = 10; R2: X = 5 + 0 = 5, Y = 55; R3: X = 1 + 4 = 5, Y = 95
    assert out["value"].tolist() == [30.0, 10.0, 5.0, 55.0, 5.0, 95.0]
    assert out["cluster"].tolist() == ["X", "Y"] * 3


def test_tiny_size_lq_focus_share(tiny: pd.DataFrame) -> None:
    keys = [("R1", "X"), ("R1", "Y"), ("R2", "X"), ("R2", "Y"), ("R3", "X"), ("R3", "Y")]
    rows = tiny.loc[keys]
    assert rows["size"].tolist() == [30.0, 10.0, 5.0, 55.0, 5.0, 95.0]
    # LQ = (x_rc / x_r) / (x_c / x): X share of all = 40/200 = 0.2, Y = 160/200 = 0.8
    # R1X (30/40)/0.2 = 3.75   R1Y (10/40)/0.8 = 0.3125
    # R2X (5/60)/0.2 = 0.41667 R2Y (55/60)/0.8 = 1.1458333
    # R3X (5/100)/0.2 = 0.25   R3Y (95/100)/0.8 = 1.1875
    assert_allclose(rows["lq"], [3.75, 0.3125, 5 / 60 / 0.2, 55 / 60 / 0.8, 0.25, 1.1875])
    # focus = x_rc / x_r: R1 30/40, 10/40; R2 5/60, 55/60; R3 5/100, 95/100
    assert_allclose(rows["focus"], [0.75, 0.25, 1 / 12, 11 / 12, 0.05, 0.95])
    # share_of_cluster = x_rc / x_c: X 30/40, 5/40, 5/40; Y 10/160, 55/160, 95/160
    assert_allclose(rows["share_of_cluster"], [0.75, 0.0625, 0.125, 0.34375, 0.125, 0.59375])
    assert "growth" not in tiny.columns


def test_tiny_stars(tiny: pd.DataFrame) -> None:
    # Linear quantile at q = 0.9 over 3 regions sits at sorted position 0.9 * 2 = 1.8:
    #   size X sorted [5, 5, 30]  -> 5 + 0.8 * (30 - 5) = 25      -> only R1 (30)
    #   size Y sorted [10, 55, 95] -> 55 + 0.8 * (95 - 55) = 87   -> only R3 (95)
    #   focus X sorted [0.05, 1/12, 0.75] -> 1/12 + 0.8 * (0.75 - 1/12) = 0.6167 -> only R1
    #   focus Y sorted [0.25, 11/12, 0.95] -> 11/12 + 0.8 * (0.95 - 11/12) = 0.9433 -> only R3
    # specialisation: LQ >= 2 only for R1X (3.75)
    # stars: R1X 1 + 1 + 1 = 3; R3Y 1 + 0 + 1 = 2; all others 0
    expected = {
        ("R1", "X"): (True, True, True, 3),
        ("R1", "Y"): (False, False, False, 0),
        ("R2", "X"): (False, False, False, 0),
        ("R2", "Y"): (False, False, False, 0),
        ("R3", "X"): (False, False, False, 0),
        ("R3", "Y"): (True, False, True, 2),
    }
    for key, stars in expected.items():
        row = tiny.loc[key]
        assert (row["size_star"], row["specialisation_star"], row["focus_star"], row["stars"]) == stars, key


def test_thresholds_are_options() -> None:
    # With specialisation_threshold=1.1, R2Y (1.1458) and R3Y (1.1875) also get that star;
    # R1X still has 3.75. With size_quantile=0.5 the Y threshold is the median 55, so R2Y
    # (55, a tie at the threshold, counts) and R3Y (95) get the size star.
    out = cluster_strength(DATA, MAPPING, specialisation_threshold=1.1, size_quantile=0.5).set_index(
        ["region", "cluster"]
    )
    assert out["specialisation_star"].sum() == 3
    assert out.loc[("R2", "Y"), "specialisation_star"] and out.loc[("R3", "Y"), "specialisation_star"]
    assert out.loc[("R2", "Y"), "size_star"] and out.loc[("R3", "Y"), "size_star"]
    # size X sorted [5, 5, 30], median 5: R2X and R3X tie at 5 and both get the star
    assert out.xs("X", level="cluster")["size_star"].tolist() == [True, True, True]


def test_ties_and_zeros_at_the_quantile() -> None:
    # X sizes: R1 30, R2 30, R3 0 -> sorted [0, 30, 30], q=0.9 -> 30 + 0.8 * 0 = 30:
    # both tied regions get the size star (2 of 3 regions: ties are inclusive).
    # Y sizes: R1 0, R2 0, R3 7 -> with q=0.5 the threshold is the median 0; the zero
    # regions do not get a star (zero never does), R3 does.
    data = pd.DataFrame(
        {
            "region": ["R1", "R1", "R2", "R2", "R3", "R3"],
            "activity": ["X", "Y"] * 3,
            "value": [30.0, 0.0, 30.0, 0.0, 0.0, 7.0],
        }
    )
    identity = pd.DataFrame({"industry": ["X", "Y"], "cluster": ["X", "Y"]})
    out = cluster_strength(data, identity).set_index(["region", "cluster"])
    assert out.xs("X", level="cluster")["size_star"].tolist() == [True, True, False]
    half = cluster_strength(data, identity, size_quantile=0.5, focus_quantile=0.5).set_index(["region", "cluster"])
    assert half.xs("Y", level="cluster")["size_star"].tolist() == [False, False, True]
    assert half.xs("Y", level="cluster")["focus_star"].tolist() == [False, False, True]


def test_growth_from_base_time() -> None:
    # 2020: R1X 10, R1Y 0, R2X 20, R2Y 5, R3X 4, R3Y 8
    # 2021: R1X 15, R1Y 3, R2X 10, R2Y 5, R3X 4, R3Y 8
    # growth 2021 vs 2020: R1X 15/10 - 1 = 0.5; R1Y base 0 -> NaN; R2X 10/20 - 1 = -0.5; others 0
    data = pd.DataFrame(
        {
            "region": ["R1", "R1", "R2", "R2", "R3", "R3"] * 2,
            "activity": ["X", "Y"] * 6,
            "year": [2020] * 6 + [2021] * 6,
            "value": [10.0, 0.0, 20.0, 5.0, 4.0, 8.0, 15.0, 3.0, 10.0, 5.0, 4.0, 8.0],
        }
    )
    identity = pd.DataFrame({"industry": ["X", "Y"], "cluster": ["X", "Y"]})
    out = cluster_strength(data, identity, time="year")
    assert list(out.columns[:3]) == ["year", "region", "cluster"]
    assert out.loc[out["year"] == 2020, "growth"].isna().all()
    assert_allclose(out.loc[out["year"] == 2021, "growth"], [0.5, np.nan, -0.5, 0.0, 0.0, 0.0])
    # base 2021: 2020 vs 2021: R1X 10/15 - 1 = -1/3; R1Y 0/3 - 1 = -1; R2X 20/10 - 1 = 1
    back = cluster_strength(data, identity, time="year", base_time=2021)
    assert_allclose(back.loc[back["year"] == 2020, "growth"], [-1 / 3, -1.0, 1.0, 0.0, 0.0, 0.0])
    assert back.loc[back["year"] == 2021, "growth"].isna().all()
    # LQ is computed per period: 2021 R1X = (15/18) / (29/45) = 1.2931
    assert_allclose(back.loc[(back["year"] == 2021) & (back["region"] == "R1"), "lq"].iloc[0], (15 / 18) / (29 / 45))


def test_unmapped_options() -> None:
    data = pd.concat([DATA, pd.DataFrame({"region": ["R1", "R2"], "activity": ["zz9", "qq1"], "value": [2.0, 3.0]})])
    with pytest.raises(UnknownCodeError, match=r"2 codes \('qq1', 'zz9'\)"):
        aggregate_to_clusters(data, MAPPING)
    with pytest.raises(UnknownCodeError, match="unmapped='drop'"):
        cluster_strength(data, MAPPING)
    dropped = aggregate_to_clusters(data, MAPPING, unmapped="drop")
    assert dropped["value"].sum() == 200.0  # the tiny total, without 2 + 3
    other = aggregate_to_clusters(data, MAPPING, unmapped="other")
    assert other.loc[other["cluster"] == "other", "value"].tolist() == [2.0, 3.0]
    with pytest.raises(InvalidInputError, match="'unmapped' parameter of aggregate_to_clusters"):
        aggregate_to_clusters(data, MAPPING, unmapped="ignore")


def test_codes_compared_as_text_and_columns_renamed() -> None:
    data = DATA.rename(columns={"region": "nuts", "activity": "sic", "value": "jobs"})
    mapping = cluster_mapping(
        pd.DataFrame({"code": ["a", "b", "c"], "c": ["X", "X", "Y"]}), industry="code", cluster="c"
    )
    out = aggregate_to_clusters(data, mapping, region="nuts", activity="sic", value="jobs")
    assert list(out.columns) == ["nuts", "cluster", "jobs"]
    numeric = cluster_mapping(pd.DataFrame({"industry": [111, 112], "cluster": [1, 2]}))
    assert numeric["industry"].tolist() == ["111", "112"] and numeric["cluster"].tolist() == ["1", "2"]


def test_mapping_errors() -> None:
    with pytest.raises(InvalidInputError, match=r"duplicate rows .*\('a', 'X'\)"):
        cluster_mapping(pd.concat([MAPPING, MAPPING.head(1)]))
    two = pd.concat([MAPPING, pd.DataFrame({"industry": ["a"], "cluster": ["Y"]})])
    with pytest.raises(InvalidInputError, match=r"1 code \('a'\) in more than one cluster"):
        cluster_mapping(two)
    with pytest.raises(UnknownCodeError, match=r"2 codes \('a', 'b'\) that are not known"):
        cluster_mapping(MAPPING, known=["c", "d"])
    with pytest.raises(InvalidInputError, match="no column"):
        cluster_mapping(MAPPING, industry="naics")
    with pytest.raises(InvalidInputError, match="missing or empty"):
        cluster_mapping(pd.DataFrame({"industry": ["a", None], "cluster": ["X", "Y"]}))
    with pytest.raises(InvalidInputError, match="'frame' parameter of cluster_mapping"):
        cluster_mapping([("a", "X")])
    with pytest.raises(InvalidInputError, match="'mapping' parameter of aggregate_to_clusters"):
        aggregate_to_clusters(DATA, {"a": "X"})


def test_allow_multiple_counts_in_every_cluster() -> None:
    # a belongs to X and Y: R1 X = 20 + 10 = 30, Y = 10 + 20 = 30
    two = cluster_mapping(
        pd.concat([MAPPING, pd.DataFrame({"industry": ["a"], "cluster": ["Y"]})]), allow_multiple=True
    )
    out = aggregate_to_clusters(DATA, two)
    assert out.loc[out["region"] == "R1", "value"].tolist() == [30.0, 30.0]


def test_option_errors() -> None:
    with pytest.raises(InvalidInputError, match="'size_quantile' parameter of cluster_strength"):
        cluster_strength(DATA, MAPPING, size_quantile=0)
    with pytest.raises(InvalidInputError, match="'specialisation_threshold'"):
        cluster_strength(DATA, MAPPING, specialisation_threshold=-1.0)
    with pytest.raises(InvalidInputError, match="'base_time' parameter"):
        cluster_strength(DATA, MAPPING, base_time=2020)
    with pytest.raises(InvalidInputError, match="'base_time' parameter"):
        cluster_strength(DATA.assign(year=2020), MAPPING, time="year", base_time=1999)
    with pytest.raises(InvalidInputError, match="negative"):
        cluster_strength(DATA.assign(value=-DATA["value"]), MAPPING)


def test_input_is_not_modified() -> None:
    data, mapping = DATA.copy(), MAPPING.copy()
    cluster_strength(data, mapping)
    pd.testing.assert_frame_equal(data, DATA)
    pd.testing.assert_frame_equal(mapping, MAPPING)


# --------------------------------------------------------------------------- real data


def test_us_cluster_definitions(shared_data) -> None:
    mapping = us_cluster_definitions(shared_data / "us-cluster-mapping")
    assert len(mapping) == 1099 and mapping["industry"].is_unique
    assert mapping["cluster"].nunique() == 67
    assert mapping.groupby("industry")["cluster"].nunique().eq(1).all()
    assert mapping["industry"].str.fullmatch(r"\d{6}").all()
    types = mapping.drop_duplicates("cluster")["cluster_type"].value_counts()
    assert types.to_dict() == {"traded": 51, "local": 16}
    assert mapping.set_index("industry").loc["336411", "cluster_name"] == "Aerospace Vehicles and Defense"
    # the parent folder works too
    assert len(us_cluster_definitions(shared_data)) == 1099


def test_missing_source_is_a_data_source_error(tmp_path) -> None:
    with pytest.raises(DataSourceError, match="cluster_naics2007_definitions.csv"):
        us_cluster_definitions(tmp_path)
    with pytest.raises(DataSourceError, match="sic4_to_nesta_industry_segment.csv"):
        uk_segments(tmp_path)


@pytest.fixture(scope="module")
def uk(shared_data) -> tuple[pd.DataFrame, pd.DataFrame]:
    mapping = uk_segments(shared_data)
    data = pd.read_csv(shared_data / "uk-bres-nuts2-sic4" / "gb_nuts2_sic4_bres_idbr.csv.gz", dtype={"sic4": str})
    bres = data[(data["source"] == "BRES") & (data["year"] == 2018)]
    return bres, mapping


@pytest.fixture(scope="module")
def uk_strength(uk) -> pd.DataFrame:
    bres, mapping = uk
    return cluster_strength(bres, mapping, region="nuts2_code", activity="sic4")


def test_uk_segments(uk) -> None:
    _, mapping = uk
    assert len(mapping) == 525 and mapping["industry"].is_unique
    assert mapping["cluster"].nunique() == 72
    assert "0161" in set(mapping["industry"])  # leading zeros kept


def test_uk_aggregation_keeps_the_total(uk) -> None:
    bres, mapping = uk
    out = aggregate_to_clusters(bres, mapping, region="nuts2_code", activity="sic4")
    assert_allclose(out["value"].sum(), bres["value"].sum())
    assert out["nuts2_code"].nunique() == 39


def test_uk_focus_sums_to_at_most_one(uk_strength: pd.DataFrame) -> None:
    focus = uk_strength.groupby("nuts2_code")["focus"].sum()
    assert (focus <= 1 + 1e-12).all() and (uk_strength["focus"].between(0, 1)).all()
    assert_allclose(uk_strength.groupby("cluster")["share_of_cluster"].sum(), 1.0)


def test_uk_lq_weighted_by_region_size_averages_to_one(uk_strength: pd.DataFrame) -> None:
    # sum_r (x_r / x) * LQ_rc = sum_r x_rc / x_c = 1 for every cluster with employment
    totals = uk_strength.groupby("nuts2_code")["size"].transform("sum")
    weighted = (totals / uk_strength["size"].sum() * uk_strength["lq"]).groupby(uk_strength["cluster"]).sum()
    assert_allclose(weighted, 1.0, rtol=1e-12)


def test_uk_stars_are_recomputable(uk_strength: pd.DataFrame) -> None:
    grouped = uk_strength.groupby("cluster")
    size_cut = grouped["size"].transform(lambda s: np.quantile(s, 0.9, method=QUANTILE_METHOD))
    focus_cut = grouped["focus"].transform(lambda s: np.quantile(s, 0.9, method=QUANTILE_METHOD))
    size_star = (uk_strength["size"] >= size_cut) & (uk_strength["size"] > 0)
    focus_star = (uk_strength["focus"] >= focus_cut) & (uk_strength["focus"] > 0)
    specialisation_star = uk_strength["lq"] >= 2.0
    assert (uk_strength["size_star"] == size_star).all()
    assert (uk_strength["focus_star"] == focus_star).all()
    assert (uk_strength["specialisation_star"] == specialisation_star).all()
    total = size_star.astype(int) + focus_star.astype(int) + specialisation_star.astype(int)
    assert (uk_strength["stars"] == total).all()
    # 39 regions, q = 0.9: about 4 size stars per cluster (more only with ties)
    assert grouped["size_star"].sum().between(1, 8).all()
