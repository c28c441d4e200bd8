"""Hand-computed cases for clusterix.indicators.specialisation.

The running example is two regions x three activities::

            a0  a1  a2   | row total
      r0  [  2,  2,  0 ] |  4
      r1  [  1,  3,  4 ] |  8
      ----------------------------
      col    3   5   4   | 12

Every expected number below is worked out from these totals in a comment.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

from clusterix import ClusterixError, InvalidInputError
from clusterix.indicators import (
    hachman,
    krugman_dissimilarity,
    krugman_index,
    location_quotient,
    presence,
    rca,
    rpop,
    shares,
)

X = np.array([[2.0, 2.0, 0.0], [1.0, 3.0, 4.0]])

# A third region for the "rest of the regions" reference of Krugman's index.
#   r2 [1, 1, 2] -> column totals [4, 6, 6], grand total 16.
X3 = np.array([[2.0, 2.0, 0.0], [1.0, 3.0, 4.0], [1.0, 1.0, 2.0]])


def test_shares_by_region_gives_each_region_mix() -> None:
    # r0: [2, 2, 0] / 4 = [1/2, 1/2, 0];  r1: [1, 3, 4] / 8 = [1/8, 3/8, 1/2]
    expected = [[1 / 2, 1 / 2, 0.0], [1 / 8, 3 / 8, 1 / 2]]
    assert_allclose(shares(X), expected)
    assert_allclose(shares(X, axis="region"), expected)


def test_shares_by_activity_gives_each_activity_distribution() -> None:
    # a0: [2, 1] / 3;  a1: [2, 3] / 5;  a2: [0, 4] / 4
    expected = [[2 / 3, 2 / 5, 0.0], [1 / 3, 3 / 5, 1.0]]
    assert_allclose(shares(X, axis="activity"), expected)


def test_shares_of_an_empty_region_are_zero_not_nan() -> None:
    values = np.array([[0.0, 0.0], [1.0, 3.0]])
    assert_allclose(shares(values), [[0.0, 0.0], [0.25, 0.75]])


def test_shares_rejects_unknown_axis() -> None:
    with pytest.raises(InvalidInputError, match="'axis' parameter of shares"):
        shares(X, axis="rows")


# RCA_rp = (x_rp / x_r.) / (x_.p / x_..), reference shares x_.p / 12 = [1/4, 5/12, 1/3]:
#   r0: (1/2)/(1/4) = 2,    (1/2)/(5/12) = 6/5,  0
#   r1: (1/8)/(1/4) = 1/2,  (3/8)/(5/12) = 9/10, (1/2)/(1/3) = 3/2
RCA = [[2.0, 6 / 5, 0.0], [1 / 2, 9 / 10, 3 / 2]]


def test_rca_hand_computed() -> None:
    assert_allclose(rca(X), RCA)


def test_location_quotient_is_rca() -> None:
    assert_allclose(location_quotient(X), RCA)


def test_rca_of_sparse_input_is_sparse_and_equal() -> None:
    result = rca(sp.csr_array(X))
    assert sp.issparse(result)
    assert_allclose(result.toarray(), RCA)


def test_rca_gives_zero_for_an_empty_activity() -> None:
    # a1 is empty everywhere: column total 0 -> RCA 0 (not NaN); a0, a2 as a 2x2 problem:
    # rows [1, 3] and [3, 1], totals 4 and 4, columns 4 and 4 -> RCA = share / (1/2)
    values = np.array([[1.0, 0.0, 3.0], [3.0, 0.0, 1.0]])
    assert_allclose(rca(values), [[0.5, 0.0, 1.5], [1.5, 0.0, 0.5]])


def test_rpop_hand_computed() -> None:
    # RPOP_rp = (x_rp / pop_r) / (x_.p / pop_.), pop = [1, 3], pop_. = 4
    #   r0: (2/1)/(3/4) = 8/3,   (2/1)/(5/4) = 8/5,  0
    #   r1: (1/3)/(3/4) = 4/9,   (3/3)/(5/4) = 4/5,  (4/3)/(4/4) = 4/3
    expected = [[8 / 3, 8 / 5, 0.0], [4 / 9, 4 / 5, 4 / 3]]
    assert_allclose(rpop(X, np.array([1.0, 3.0])), expected)


@pytest.mark.parametrize("population", [[1.0], [1.0, 2.0, 3.0], [[1.0, 3.0]]])
def test_rpop_rejects_population_of_wrong_shape(population) -> None:
    with pytest.raises(InvalidInputError, match="'population' parameter of rpop"):
        rpop(X, np.array(population))


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, np.inf])
def test_rpop_rejects_non_positive_population(bad: float) -> None:
    with pytest.raises(InvalidInputError, match=r"positions \[1\]"):
        rpop(X, np.array([1.0, bad]))


def test_presence_default_threshold_is_one_inclusive() -> None:
    # RCA >= 1: r0 in a0 (2) and a1 (6/5); r1 in a2 (3/2); exactly 1.0 counts as present.
    assert_array_equal(presence(rca(X)), [[1, 1, 0], [0, 0, 1]])
    assert_array_equal(presence(np.array([[1.0, 0.999999]])), [[1, 0]])
    assert presence(rca(X)).dtype == np.int8


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        # RCA = [[2, 1.2, 0], [0.5, 0.9, 1.5]]
        (0.4, [[1, 1, 0], [1, 1, 1]]),
        (0.95, [[1, 1, 0], [0, 0, 1]]),
        (1.3, [[1, 0, 0], [0, 0, 1]]),
        (1.75, [[1, 0, 0], [0, 0, 0]]),
        (2.5, [[0, 0, 0], [0, 0, 0]]),
    ],
)
def test_presence_with_thresholds(threshold: float, expected: list) -> None:
    assert_array_equal(presence(rca(X), threshold=threshold), expected)


def test_presence_of_sparse_input_is_sparse_without_stored_zeros() -> None:
    result = presence(sp.csr_array(np.array(RCA)))
    assert sp.issparse(result)
    assert result.nnz == 3
    assert_array_equal(result.toarray(), [[1, 1, 0], [0, 0, 1]])


@pytest.mark.parametrize("threshold", [0, -1.0, np.nan, "1", True])
def test_presence_rejects_bad_threshold(threshold) -> None:
    with pytest.raises(InvalidInputError, match="'threshold' parameter of presence"):
        presence(rca(X), threshold=threshold)


def test_hachman_hand_computed() -> None:
    # HI_r = 1 / sum_p s_rp LQ_rp = 1 / sum_p s_rp^2 / ref_p, ref = [1/4, 5/12, 1/3]
    #   r0: (1/4)/(1/4) + (1/4)/(5/12) + 0 = 1 + 3/5 = 8/5          -> HI = 5/8
    #   r1: (1/64)/(1/4) + (9/64)/(5/12) + (1/4)/(1/3)
    #       = 1/16 + 27/80 + 3/4 = (5 + 27 + 60)/80 = 92/80        -> HI = 20/23
    assert_allclose(hachman(X), [5 / 8, 20 / 23])


def test_hachman_is_one_when_structure_equals_reference() -> None:
    # Both rows proportional to the column totals [1, 2, 3].
    assert_allclose(hachman(np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]])), [1.0, 1.0])


def test_krugman_index_against_total() -> None:
    # K_r = sum_p |s_rp - ref_p|, ref = [1/4, 5/12, 1/3]
    #   r0: |1/2-1/4| + |1/2-5/12| + |0-1/3| = 3/12 + 1/12 + 4/12 = 2/3
    #   r1: |1/8-1/4| + |3/8-5/12| + |1/2-1/3| = 3/24 + 1/24 + 4/24 = 1/3
    assert_allclose(krugman_index(X), [2 / 3, 1 / 3])
    assert_allclose(krugman_index(X, reference="total"), [2 / 3, 1 / 3])


def test_krugman_index_against_rest_of_regions() -> None:
    # With three regions; column totals [4, 6, 6]. Mixes:
    #   r0 [1/2, 1/2, 0], r1 [1/8, 3/8, 1/2], r2 [1/4, 1/4, 1/2]
    # r0 vs rest [2, 4, 6]/12 = [1/6, 1/3, 1/2]: 1/3 + 1/6 + 1/2 = 1
    # r1 vs rest [3, 3, 2]/8 = [3/8, 3/8, 1/4]: 1/4 + 0 + 1/4 = 1/2
    # r2 vs rest [3, 5, 4]/12 = [1/4, 5/12, 1/3]: 0 + 1/6 + 1/6 = 1/3
    assert_allclose(krugman_index(X3, reference="rest"), [1.0, 1 / 2, 1 / 3])


def test_krugman_index_rest_and_total_differ() -> None:
    # Total reference for X3: [4, 6, 6]/16 = [1/4, 3/8, 3/8]
    #   r0: 1/4 + 1/8 + 3/8 = 3/4
    assert krugman_index(X3, reference="total")[0] == pytest.approx(3 / 4)


def test_krugman_index_rejects_unknown_reference() -> None:
    with pytest.raises(InvalidInputError, match="'reference' parameter of krugman_index"):
        krugman_index(X, reference="others")


def test_krugman_dissimilarity_hand_computed() -> None:
    # r0-r1: |1/2-1/8| + |1/2-3/8| + |0-1/2| = 3/8 + 1/8 + 1/2 = 1
    # r0-r2: |1/2-1/4| + |1/2-1/4| + |0-1/2| = 1
    # r1-r2: |1/8-1/4| + |3/8-1/4| + |1/2-1/2| = 1/4
    expected = [[0.0, 1.0, 1.0], [1.0, 0.0, 1 / 4], [1.0, 1 / 4, 0.0]]
    assert_allclose(krugman_dissimilarity(X3), expected, atol=1e-15)


def test_krugman_dissimilarity_is_two_for_disjoint_regions() -> None:
    assert_allclose(krugman_dissimilarity(np.array([[1.0, 0.0], [0.0, 5.0]])), [[0, 2], [2, 0]])


def test_krugman_of_an_empty_region_raises_naming_the_row() -> None:
    # A region with a zero total has no activity mix: comparing it would be meaningless.
    values = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0], [2.0, 1.0, 1.0]])
    for function in (krugman_index, krugman_dissimilarity):
        with pytest.raises(InvalidInputError, match=r"1 region rows with a zero total \(first \[0\]\)"):
            function(values)


def test_hachman_of_an_empty_region_raises_or_is_finite() -> None:
    values = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0], [2.0, 1.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = hachman(values)
        except ClusterixError:
            return
    assert np.all(np.isfinite(result))
