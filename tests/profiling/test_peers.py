"""Peer regions: hand-computed distances, properties and the CORDIS SDG regions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from clusterix.errors import InvalidInputError, UnknownCodeError
from clusterix.indicators.complexity import eci_pci
from clusterix.indicators.specialisation import presence, rca
from clusterix.profiling.peers import METRICS, peer_matrix, peer_regions, standardise

SQRT_2_5 = np.sqrt(2.5)


@pytest.fixture
def table() -> pd.DataFrame:
    # x = [0, 0, 2, 2]: mean 1, population sd 1, so z_x = [-1, -1, 1, 1].
    # y = [0, 1, 3, 4]: mean 2, deviations [-2, -1, 1, 2], variance 10/4 = 2.5,
    #     so z_y = [-2, -1, 1, 2] / sqrt(2.5).
    return pd.DataFrame({"x": [0.0, 0.0, 2.0, 2.0], "y": [0.0, 1.0, 3.0, 4.0]}, index=list("ABCD"))


@pytest.fixture
def square() -> pd.DataFrame:
    # z_x = [-1, -1, 1, 1], z_y = [-1, 1, -1, 1]: uncorrelated (mean product
    # (1 - 1 - 1 + 1) / 4 = 0), so the correlation matrix is the identity.
    return pd.DataFrame({"x": [0.0, 0.0, 2.0, 2.0], "y": [0.0, 2.0, 0.0, 2.0]}, index=list("ABCD"))


def test_standardise_uses_population_sd(table):
    z = standardise(table)
    assert_allclose(z["x"], [-1, -1, 1, 1])
    assert_allclose(z["y"], np.array([-2, -1, 1, 2]) / SQRT_2_5)


def test_euclidean_peers_by_hand(table):
    peers = peer_regions(table, "A", k=2)
    # A-B: dz_x 0, dz_y 1/sqrt(2.5) = 0.6325 -> 0.6325
    # A-C: dz_x 2, dz_y 3/sqrt(2.5) = 1.8974 -> sqrt(4 + 9/2.5) = sqrt(7.6) = 2.7568
    # A-D would be sqrt(4 + 16/2.5) = sqrt(10.4) = 3.2249, beyond k = 2.
    assert peers.index.tolist() == ["B", "C"]
    assert peers["rank"].tolist() == [1, 2]
    assert_allclose(peers["distance"], [1 / SQRT_2_5, np.sqrt(7.6)])
    # Explanation: B is identical on x (gap 0) and differs on y; C is closer on y (1.897) than x (2).
    assert peers["similar_on"].tolist() == ["x, y", "y, x"]
    assert_allclose(peers["gap_x"], [0.0, 2.0])
    assert_allclose(peers["gap_y"], [1 / SQRT_2_5, 3 / SQRT_2_5])


def test_k_larger_than_region_count_returns_all_others(table):
    peers = peer_regions(table, "A", k=10)
    assert peers.index.tolist() == ["B", "C", "D"]
    assert_allclose(peers["distance"].iloc[-1], np.sqrt(10.4))


def test_weights_scale_squared_differences(table):
    # weight 4 on x, 0 on y: d = sqrt(4 dz_x^2) = 2 |dz_x| -> A-B 0, A-C 4, A-D 4 (tie broken by label).
    peers = peer_regions(table, "A", k=3, weights={"x": 4.0, "y": 0.0})
    assert peers.index.tolist() == ["B", "C", "D"]
    assert_allclose(peers["distance"], [0.0, 4.0, 4.0])
    assert_allclose(peer_regions(table, "A", k=3, weights=[4.0, 0.0])["distance"], [0.0, 4.0, 4.0])


def test_mahalanobis_equals_euclidean_for_uncorrelated_indicators(square):
    # Identity correlation matrix: A-B = 2, A-C = 2, A-D = sqrt(4 + 4) = 2.8284.
    matrix = peer_matrix(square, metric="mahalanobis")
    assert_allclose(matrix.loc["A"], [0.0, 2.0, 2.0, np.sqrt(8)])
    assert_allclose(matrix, peer_matrix(square), atol=1e-12)


def test_cosine_by_hand(square):
    # z_A = (-1, -1), z_B = (-1, 1), z_D = (1, 1): cos(A, B) = 0 -> 1; cos(A, D) = -1 -> 2.
    assert_allclose(peer_matrix(square, metric="cosine").loc["A"], [0.0, 1.0, 1.0, 2.0], atol=1e-12)


def test_aspirational_peers_have_higher_value(table):
    frame = table.assign(eci=[0.5, 0.1, 0.9, 0.3])
    peers = peer_regions(frame, "A", k=3, aspirational_by="eci")
    assert peers.index.tolist() == ["C"]  # only C has eci > 0.5
    assert peers["rank"].tolist() == [1]


@pytest.mark.parametrize("metric", METRICS)
def test_matrix_symmetric_zero_diagonal_and_consistent(metric):
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.normal(size=(30, 5)), index=[f"R{i:02d}" for i in range(30)], columns=list("abcde"))
    matrix = peer_matrix(frame, metric=metric)
    assert_allclose(matrix, matrix.T, atol=1e-12)
    assert_allclose(np.diag(matrix), 0.0, atol=1e-12)
    peers = peer_regions(frame, "R03", k=5, metric=metric)
    assert "R03" not in peers.index
    assert_allclose(peers["distance"], matrix.loc["R03", peers.index])
    assert np.all(np.diff(peers["distance"]) >= 0)
    assert_allclose(np.sort(matrix.loc["R03"].drop("R03"))[:5], peers["distance"])


def test_inputs_are_not_mutated(table):
    before = table.copy()
    peer_regions(table, "A", k=2)
    pd.testing.assert_frame_equal(table, before)


def test_unknown_region_is_named(table):
    with pytest.raises(UnknownCodeError, match="'ZZ99'"):
        peer_regions(table, "ZZ99")
    with pytest.raises(UnknownCodeError, match="'eci'"):
        peer_regions(table, "A", aspirational_by="eci")


def test_constant_indicator_is_named(table):
    with pytest.raises(InvalidInputError, match=r"constant indicators \['flat'\]"):
        peer_regions(table.assign(flat=1.0), "A")


def test_nan_is_located(table):
    frame = table.copy()
    frame.loc["C", "y"] = np.nan
    with pytest.raises(InvalidInputError, match=r"\('C', 'y'\)"):
        peer_matrix(frame)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"metric": "manhattan"}, "'metric' parameter of peer_regions"),
        ({"k": 0}, "'k' parameter of peer_regions"),
        ({"weights": [1.0]}, "'weights' parameter of peer_regions"),
        ({"weights": {"x": -1.0, "y": 1.0}}, "'weights' parameter of peer_regions"),
        ({"weights": {"x": 1.0}}, r"no weight for indicators \['y'\]"),
        ({"metric": "mahalanobis", "weights": {"x": 1.0, "y": 2.0}}, "invariant to rescaling"),
    ],
)
def test_bad_options(table, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        peer_regions(table, "A", **kwargs)


def test_collinear_indicators_break_mahalanobis(table):
    with pytest.raises(InvalidInputError, match="collinear"):
        peer_matrix(table.assign(x2=2 * table["x"]), metric="mahalanobis")


def test_cosine_undefined_at_the_mean():
    frame = pd.DataFrame({"x": [-1.0, 0.0, 1.0], "y": [1.0, 0.0, -1.0]}, index=list("ABC"))
    with pytest.raises(InvalidInputError, match=r"\['B'\]"):
        peer_matrix(frame, metric="cosine")


@pytest.fixture(scope="module")
def cordis_indicators(shared_data) -> pd.DataFrame:
    """Structural research indicators of the NUTS 2016 level-2 regions, 2016-2020 summed."""
    raw = pd.read_csv(shared_data / "cordis-nuts-sdg-indicators" / "cordis_projects_by_nuts_sdg_count.csv.gz")
    rows = raw[(raw["region_year_spec"] == 2016) & (raw["region_level"] == 2)]
    counts = rows.pivot_table(index="region_id", columns="sdg", values="value", aggfunc="sum", fill_value=0)
    values = counts.to_numpy(dtype=np.float64)
    present = presence(rca(values))
    eci, _ = eci_pci(present)
    mix = values / values.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.nansum(np.where(mix > 0, mix * np.log(mix), 0.0), axis=1)
    return pd.DataFrame(
        {"log_size": np.log(values.sum(axis=1)), "diversity": present.sum(axis=1), "eci": eci, "entropy": entropy},
        index=counts.index,
    )


def test_real_cordis_peers(cordis_indicators):
    assert cordis_indicators.shape == (260, 4)
    for metric in METRICS:
        peers = peer_regions(cordis_indicators, "DE21", k=10, metric=metric)
        assert len(peers) == 10 and "DE21" not in peers.index
        assert peers["rank"].tolist() == list(range(1, 11))
    aspirational = peer_regions(cordis_indicators, "DE21", k=10, aspirational_by="eci")
    assert len(aspirational) == 10
    assert (cordis_indicators.loc[aspirational.index, "eci"] > cordis_indicators.loc["DE21", "eci"]).all()
    matrix = peer_matrix(cordis_indicators, metric="mahalanobis")
    assert matrix.shape == (260, 260)
    assert_allclose(matrix, matrix.T, atol=1e-10)
