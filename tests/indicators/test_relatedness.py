"""Hand-computed cases for clusterix.indicators.relatedness.

Running presence matrix (3 regions x 3 activities)::

            a0 a1 a2
      r0  [ 1, 1, 0 ]
      r1  [ 1, 0, 1 ]
      r2  [ 1, 1, 1 ]

Ubiquities u = [3, 2, 2]; co-occurrences: a0-a1 in r0, r2 -> 2; a0-a2 in r1, r2 -> 2;
a1-a2 in r2 -> 1.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose

from clusterix import InvalidInputError
from clusterix.indicators import (
    co_occurrence,
    normalise_co_occurrence,
    proximity_matrix,
    relatedness_density,
)

M = np.array([[1, 1, 0], [1, 0, 1], [1, 1, 1]])
COUNTS = [[3.0, 2.0, 2.0], [2.0, 2.0, 1.0], [2.0, 1.0, 2.0]]


def test_co_occurrence_without_diagonal_by_default() -> None:
    assert_allclose(co_occurrence(M), [[0, 2, 2], [2, 0, 1], [2, 1, 0]])


def test_co_occurrence_with_diagonal_is_ubiquity() -> None:
    assert_allclose(co_occurrence(M, diagonal="keep"), COUNTS)


def test_co_occurrence_does_not_touch_the_caller_matrix() -> None:
    presence = M.astype(np.float64)
    co_occurrence(presence)
    assert_allclose(presence, M)


# phi_pq = C_pq / max(u_p, u_q):
#   a0-a1: 2 / max(3, 2) = 2/3;  a0-a2: 2/3;  a1-a2: 1 / max(2, 2) = 1/2
PHI = np.array([[1.0, 2 / 3, 2 / 3], [2 / 3, 1.0, 1 / 2], [2 / 3, 1 / 2, 1.0]])


def test_proximity_keeps_unit_diagonal_by_default() -> None:
    assert_allclose(proximity_matrix(M), PHI)
    assert_allclose(proximity_matrix(M, diagonal="keep"), PHI)


def test_proximity_with_zero_diagonal() -> None:
    assert_allclose(proximity_matrix(M, diagonal="zero"), PHI - np.eye(3))


def test_proximity_of_an_activity_present_nowhere_is_zero() -> None:
    presence = np.array([[1, 0, 1], [1, 0, 0]])
    # a0: u = 2, a2: u = 1, together once -> 1/2; a1 absent -> row and column 0 (even its diagonal)
    assert_allclose(proximity_matrix(presence), [[1, 0, 0.5], [0, 0, 0], [0.5, 0, 1]])


def test_proximity_rejects_unknown_diagonal() -> None:
    with pytest.raises(InvalidInputError, match="'diagonal' parameter of proximity_matrix"):
        proximity_matrix(M, diagonal="one")


# Normalisations of C (diagonal dropped first): row sums s = [4, 3, 3], S = 10.
@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # c_ij S / (s_i s_j): a0-a1 = 2*10/12 = 5/3; a0-a2 = 5/3; a1-a2 = 1*10/9 = 10/9
        ("association", [[0, 5 / 3, 5 / 3], [5 / 3, 0, 10 / 9], [5 / 3, 10 / 9, 0]]),
        # e_ij = (S/2)(s_i/S * s_j/(S-s_i) + s_j/S * s_i/(S-s_j)) = (s_i s_j / 2)(1/(S-s_i) + 1/(S-s_j))
        #   e_01 = 6 (1/6 + 1/7) = 13/7 -> 2 * 7/13 = 14/13;  e_02 = 13/7 -> 14/13
        #   e_12 = 9/2 (1/7 + 1/7) = 9/7 -> 1 * 7/9 = 7/9
        ("probability", [[0, 14 / 13, 14 / 13], [14 / 13, 0, 7 / 9], [14 / 13, 7 / 9, 0]]),
        # c_ij / sqrt(s_i s_j): 2/sqrt(12) = 1/sqrt(3); 1/3
        (
            "cosine",
            [[0, 1 / np.sqrt(3), 1 / np.sqrt(3)], [1 / np.sqrt(3), 0, 1 / 3], [1 / np.sqrt(3), 1 / 3, 0]],
        ),
        # c_ij / (s_i + s_j - c_ij): 2/(4+3-2) = 2/5; 1/(3+3-1) = 1/5
        ("jaccard", [[0, 2 / 5, 2 / 5], [2 / 5, 0, 1 / 5], [2 / 5, 1 / 5, 0]]),
    ],
)
def test_normalise_co_occurrence(method: str, expected: list) -> None:
    # The diagonal (ubiquity) is ignored: passing it or zeros gives the same result.
    assert_allclose(normalise_co_occurrence(np.array(COUNTS), method=method), expected)
    assert_allclose(normalise_co_occurrence(co_occurrence(M), method=method), expected)


def test_normalise_co_occurrence_default_is_association() -> None:
    assert_allclose(normalise_co_occurrence(np.array(COUNTS))[1, 2], 10 / 9)


def test_normalise_co_occurrence_isolated_activity_gets_zero() -> None:
    counts = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    # s = [1, 1, 0], S = 2; a0-a1 association: 1 * 2 / 1 = 2; a2 has no expected value -> 0
    for method in ("association", "probability", "cosine", "jaccard"):
        result = normalise_co_occurrence(counts, method=method)
        assert np.all(np.isfinite(result))
        assert_allclose(result[2], 0.0)
        assert_allclose(result[:, 2], 0.0)
    assert normalise_co_occurrence(counts)[0, 1] == pytest.approx(2.0)


def test_normalise_co_occurrence_needs_a_square_matrix() -> None:
    with pytest.raises(InvalidInputError, match="square"):
        normalise_co_occurrence(np.ones((2, 3)))


def test_normalise_co_occurrence_rejects_unknown_method() -> None:
    with pytest.raises(InvalidInputError, match="'method' parameter of normalise_co_occurrence"):
        normalise_co_occurrence(np.array(COUNTS), method="lift")


# Density d_rp = sum_q M_rq phi_pq / sum_q phi_pq with PHI above: row sums [7/3, 13/6, 13/6].
DENSE_M = np.array([[1, 0, 0], [0, 1, 1]])
# r0 (only a0): a0: 1/(7/3) = 3/7;    a1: (2/3)/(13/6) = 4/13;       a2: (2/3)/(13/6) = 4/13
# r1 (a1, a2):  a0: (4/3)/(7/3) = 4/7; a1: (1 + 1/2)/(13/6) = 9/13;  a2: 9/13
DENSITY = [[3 / 7, 4 / 13, 4 / 13], [4 / 7, 9 / 13, 9 / 13]]


def test_relatedness_density_hand_computed() -> None:
    assert_allclose(relatedness_density(DENSE_M, PHI), DENSITY)
    assert_allclose(relatedness_density(DENSE_M, PHI, scale="share"), DENSITY)


def test_relatedness_density_in_percent() -> None:
    assert_allclose(relatedness_density(DENSE_M, PHI, scale="percent"), np.array(DENSITY) * 100)


def test_relatedness_density_sparse_presence() -> None:
    assert_allclose(relatedness_density(sp.csr_array(DENSE_M), sp.csr_array(PHI)), DENSITY)


def test_relatedness_density_with_external_asymmetric_relatedness() -> None:
    # R_pq: a0 -> a1, a2 -> a0; a1 related to nothing (zero row -> density 0).
    relatedness = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    # d_rp = sum_q M_rq R_pq / sum_q R_pq (row p of R)
    # r0 (a0):     a0: R_00 / 1 = 0;          a1: 0;  a2: R_20 / 1 = 1
    # r1 (a1, a2): a0: (R_01 + R_02) / 1 = 1;  a1: 0;  a2: (R_21 + R_22) / 1 = 0
    assert_allclose(relatedness_density(DENSE_M, relatedness), [[0, 0, 1], [1, 0, 0]])


def test_relatedness_density_rejects_mismatched_relatedness() -> None:
    with pytest.raises(InvalidInputError, match="3 x 3 matrix"):
        relatedness_density(DENSE_M, np.eye(2))
    with pytest.raises(InvalidInputError, match="square"):
        relatedness_density(DENSE_M, np.ones((3, 2)))


def test_relatedness_density_rejects_negative_relatedness() -> None:
    with pytest.raises(InvalidInputError, match="'relatedness' parameter of relatedness_density"):
        relatedness_density(DENSE_M, -np.eye(3))


def test_relatedness_density_rejects_unknown_scale() -> None:
    with pytest.raises(InvalidInputError, match="'scale' parameter of relatedness_density"):
        relatedness_density(DENSE_M, PHI, scale="fraction")
