"""Hand-computed cases for clusterix.indicators.complexity and the complexity() table function.

The running presence matrix is a chain (3 regions x 3 activities)::

            a0 a1 a2
      r0  [ 1, 1, 0 ]     diversity k_r = [2, 2, 1]
      r1  [ 0, 1, 1 ]     ubiquity  k_p = [1, 2, 2]
      r2  [ 0, 0, 1 ]

Its ECI/PCI are derived by hand below (``CHAIN_*``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

from clusterix import AmbiguousResultError, InvalidInputError, NotConvergedError, UnknownCodeError
from clusterix.examples import synthetic_panel
from clusterix.indicators import (
    ATLAS,
    ECONGEO,
    complexity,
    complexity_outlook_gain,
    complexity_outlook_index,
    complexity_vectors,
    diversity,
    eci_pci,
    fitness_complexity,
    presence,
    rca,
    reflections,
    relatedness_density,
    ubiquity,
)
from clusterix.tables import validate_long

SQRT5 = np.sqrt(5.0)
CHAIN = np.array([[1, 1, 0], [0, 1, 1], [0, 0, 1]])

# ECI by hand. D^-1 M U^-1 M^T for CHAIN: (M U^-1 M^T)_rs = sum_p M_rp M_sp / u_p
#   = [[3/2, 1/2, 0], [1/2, 1, 1/2], [0, 1/2, 1/2]]; dividing rows by k_r = [2, 2, 1]:
#   A = [[3/4, 1/4, 0], [1/4, 1/2, 1/4], [0, 1/2, 1/2]]
# A is row-stochastic (eigenvalue 1, vector of ones); trace 7/4 and det 1/16 give the other two
# eigenvalues from l^2 - (3/4) l + 1/16 = 0: l = (3 +- sqrt5) / 8. For l2 = (3 + sqrt5)/8:
#   row 0: (3/4 - l2) v0 + v1/4 = 0  -> v1 = (4 l2 - 3) v0 = (sqrt5 - 3)/2 * v0
#   row 2: v1/2 + (1/2 - l2) v2 = 0  -> v2 = v1 / (2 l2 - 1) = (sqrt5 + 1) v1 = (1 - sqrt5) v0
# v = [1, (sqrt5 - 3)/2, 1 - sqrt5] rises with diversity [2, 2, 1], so the sign is kept.
# mean m = (1 - sqrt5)/6, population std s = (5 - sqrt5)/3, and ECI = (v - m)/s:
CHAIN_ECI = np.array([(3 + SQRT5) / 4, (SQRT5 - 3) / 4, -SQRT5 / 2])
# (check: the three squares sum to (14 + 6 sqrt5 + 14 - 6 sqrt5)/16 + 5/4 = 3, so std 1, mean 0.)
# Activities: k_p = U^-1 M^T v / l2 = [6 - 2 sqrt5, 2 sqrt5 - 4, 1 - sqrt5]
# (check: D^-1 M k_p = [1, (sqrt5-3)/2, 1 - sqrt5] = v). Growth Lab PCI = (k_p - m)/s:
#   a0: (6 - 2 sqrt5 - (1 - sqrt5)/6) * 3/(5 - sqrt5) = 3 - sqrt5/2
#   a2: (5/6)(1 - sqrt5) * 3/(5 - sqrt5)               = -sqrt5/2
#   a1: from ECI_r0 = (PCI_a0 + PCI_a1)/2               = sqrt5 - 3/2
CHAIN_PCI = np.array([3 - SQRT5 / 2, SQRT5 - 3 / 2, -SQRT5 / 2])
CHAIN_V = np.array([1.0, (SQRT5 - 3) / 2, 1 - SQRT5])
CHAIN_KP = np.array([6 - 2 * SQRT5, 2 * SQRT5 - 4, 1 - SQRT5])


def zscore(vector: np.ndarray) -> np.ndarray:
    return (vector - vector.mean()) / vector.std()


# --------------------------------------------------------------------------- diversity etc.


def test_diversity_and_ubiquity() -> None:
    assert_allclose(diversity(CHAIN), [2, 2, 1])
    assert_allclose(ubiquity(CHAIN), [1, 2, 2])
    assert_allclose(diversity(sp.csr_array(CHAIN)), [2, 2, 1])
    assert diversity(CHAIN).dtype == np.float64


# Reflections on the "staircase" M from the eci_pci docstring:
#   M = [[1,1,1,1], [0,1,0,0], [0,0,1,1], [0,0,0,1]]
#   k_r0 = [4, 1, 2, 1], k_p0 = [1, 2, 2, 3]
#   k_r1 = mean k_p0 over the region's activities: r0 (1+2+2+3)/4 = 2, r1 2, r2 (2+3)/2 = 5/2, r3 3
#   k_p1 = mean k_r0 over the activity's regions: a0 4, a1 (4+1)/2 = 5/2, a2 (4+2)/2 = 3,
#          a3 (4+2+1)/3 = 7/3
#   k_r2: r0 (4 + 5/2 + 3 + 7/3)/4 = 71/24, r1 5/2, r2 (3 + 7/3)/2 = 8/3, r3 7/3
#   k_p2: a0 2, a1 (2+2)/2 = 2, a2 (2 + 5/2)/2 = 9/4, a3 (2 + 5/2 + 3)/3 = 5/2
STAIRS = np.array([[1, 1, 1, 1], [0, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1]])


@pytest.mark.parametrize(
    ("steps", "regions", "activities"),
    [
        (0, [4, 1, 2, 1], [1, 2, 2, 3]),
        (1, [2, 2, 5 / 2, 3], [4, 5 / 2, 3, 7 / 3]),
        (2, [71 / 24, 5 / 2, 8 / 3, 7 / 3], [2, 2, 9 / 4, 5 / 2]),
    ],
)
def test_reflections_steps(steps: int, regions: list, activities: list) -> None:
    kr, kp = reflections(STAIRS, steps=steps)
    assert_allclose(kr, regions)
    assert_allclose(kp, activities)


def test_reflections_need_every_region_present_somewhere() -> None:
    with pytest.raises(AmbiguousResultError, match=r"1 region\(s\) \(first \[1\]\)"):
        reflections(np.array([[1, 1], [0, 0], [1, 0]]))


@pytest.mark.parametrize("steps", [-1, 1.5, "2", None])
def test_reflections_reject_bad_steps(steps) -> None:
    with pytest.raises(InvalidInputError, match="'steps' parameter of reflections"):
        reflections(STAIRS, steps=steps)


# --------------------------------------------------------------------------- ECI / PCI


def test_eci_pci_chain_by_hand() -> None:
    eci, pci = eci_pci(CHAIN)
    assert_allclose(eci, CHAIN_ECI, atol=1e-12)
    assert_allclose(pci, CHAIN_PCI, atol=1e-12)


def test_eci_pci_sparse_input() -> None:
    eci, pci = eci_pci(sp.csr_array(CHAIN))
    assert_allclose(eci, CHAIN_ECI, atol=1e-12)
    assert_allclose(pci, CHAIN_PCI, atol=1e-12)


def test_eci_pci_atlas_standardises_pci_by_itself() -> None:
    eci, pci = eci_pci(CHAIN, conventions=ATLAS)
    assert_allclose(eci, CHAIN_ECI, atol=1e-12)
    assert_allclose(pci, zscore(CHAIN_KP), atol=1e-12)
    assert eci_pci(CHAIN, conventions="atlas")[1] == pytest.approx(pci)


def test_eci_pci_econgeo_unit_sum_scale() -> None:
    # v / |sum v|: sum v = (1 - sqrt5)/2, so ECI = [1, (sqrt5-3)/2, 1-sqrt5] * 2/(sqrt5-1)
    #   = [(1+sqrt5)/2, -(3-sqrt5)/(sqrt5-1) = (1-sqrt5)/2, -2]
    # k_p / |sum k_p|: sum k_p = 3 - sqrt5 -> PCI = [2, (sqrt5-1)/2, -(1+sqrt5)/2]
    eci, pci = eci_pci(CHAIN, conventions=ECONGEO)
    assert_allclose(eci, [(1 + SQRT5) / 2, (1 - SQRT5) / 2, -2.0], atol=1e-12)
    assert_allclose(pci, [2.0, (SQRT5 - 1) / 2, -(1 + SQRT5) / 2], atol=1e-12)
    assert abs(eci.sum()) == pytest.approx(1.0)


def test_eci_is_mean_pci_of_the_region_activities_growthlab() -> None:
    # (documented for the eigenvector method only: by reflections, PCI is one reflection later)
    presence_ = presence(rca(_synthetic_matrix(seed=1, n_regions=20, n_activities=30)))
    eci, pci = eci_pci(presence_)
    dense = presence_.toarray()
    assert_allclose(dense @ pci / dense.sum(axis=1), eci, atol=1e-8)


def test_eci_standardised_and_oriented_with_diversity() -> None:
    presence_ = presence(rca(_synthetic_matrix(seed=3)))
    eci, _ = eci_pci(presence_)
    assert eci.mean() == pytest.approx(0.0, abs=1e-12)
    assert np.std(eci, ddof=0) == pytest.approx(1.0)
    assert np.corrcoef(eci, diversity(presence_))[0, 1] > 0


def test_eci_reflections_agree_with_eigenvector_on_a_synthetic_panel() -> None:
    # Reflections approach the eigenvector at a rate (l3 / l2)^(steps / 2), l_k the eigenvalues
    # of D^-1 M U^-1 M^T; a 100 x 200 panel has a clear enough gap for 20 steps. (On the default
    # 30 x 60 panel the gap is small and the two agree much less, r ~ 0.66 for seed 0.)
    presence_ = presence(rca(_synthetic_matrix(seed=0, n_regions=100, n_activities=200)))
    eigen, _ = eci_pci(presence_)
    reflected, _ = eci_pci(presence_, method="reflections")
    assert np.corrcoef(eigen, reflected)[0, 1] > 0.99


def test_eci_by_reflections_is_standardised_to_machine_precision() -> None:
    # Raw k_r,20 on this panel is ~58.5 + deviations of ~1e-9: standardising it without
    # deflating the constant direction would keep only ~5 digits (mean ~1e-5).
    presence_ = presence(rca(_synthetic_matrix(seed=0, n_regions=100, n_activities=200)))
    reflected, _ = eci_pci(presence_, method="reflections")
    assert reflected.mean() == pytest.approx(0.0, abs=1e-9)
    assert reflected.std() == pytest.approx(1.0, abs=1e-9)


def test_complexity_vectors_region_is_mean_of_activity() -> None:
    vectors = complexity_vectors(CHAIN)
    scale = vectors.region[0]  # the SVD normalises its own way; compare up to the scale
    assert_allclose(vectors.region / scale, CHAIN_V, atol=1e-12)
    assert_allclose(vectors.activity / scale, CHAIN_KP, atol=1e-12)
    # singular value sigma_2 = sqrt(l2)
    assert vectors.singular_value == pytest.approx(np.sqrt((3 + SQRT5) / 8))


BLOCKS = np.array([[1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1]])


@pytest.mark.parametrize("method", ["eigenvector"])
def test_disconnected_network_is_ambiguous(method: str) -> None:
    with pytest.raises(AmbiguousResultError, match="2 disconnected parts") as raised:
        eci_pci(BLOCKS, method=method)
    assert "first region: [2, 3]" in str(raised.value)


def test_empty_region_is_ambiguous_and_named_by_row() -> None:
    with pytest.raises(AmbiguousResultError, match=r"1 region\(s\) \(first \[2\]\)"):
        eci_pci(np.array([[1, 1, 0], [0, 1, 1], [0, 0, 0]]))


def test_eci_sign_does_not_depend_on_row_order_when_diversities_tie() -> None:
    # Diversities [2, 2]: nothing to orient by. Either raise or give an order-free answer.
    chain = np.array([[1, 1, 0], [0, 1, 1]])
    try:
        eci = eci_pci(chain)[0]
    except AmbiguousResultError:
        return
    assert_allclose(eci_pci(chain[::-1])[0], eci[::-1])


def test_tied_singular_values_are_ambiguous() -> None:
    # A 3-cycle r0-{a0,a1}, r1-{a1,a2}, r2-{a2,a0} is circulant: l2 = l3.
    with pytest.raises(AmbiguousResultError, match="tie"):
        eci_pci(np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]]))


def test_eci_pci_rejects_unknown_options() -> None:
    with pytest.raises(InvalidInputError, match="'method' parameter of eci_pci"):
        eci_pci(CHAIN, method="power")
    with pytest.raises(InvalidInputError, match="'conventions' parameter of eci_pci"):
        eci_pci(CHAIN, conventions="stata")


# --------------------------------------------------------------------------- fitness


def test_fitness_complexity_golden_ratio() -> None:
    # M = [[1,1,1],[1,1,0],[0,1,1]]. Swapping r1<->r2 together with a0<->a2 leaves M unchanged,
    # so at the fixed point F_2 = F_3 and Q_1 = Q_3 (1-based). Ratios ignore the normalisation:
    #   x = F_1/F_2 = (Q_1 + Q_2 + Q_3)/(Q_1 + Q_2) = (2y + 1)/(y + 1), with y = Q_1/Q_2,
    #   y = (1/F_1 + 1/F_2 + 1/F_3)/(1/F_1 + 1/F_2) = (1 + 2x)/(1 + x)  (multiplying by F_1).
    # The map is the same both ways, so x = y and x(x + 1) = 2x + 1, x^2 - x - 1 = 0:
    #   x = (1 + sqrt5)/2, the golden ratio. With mean 1: F = [phi, 1, 1] * 3/(phi + 2).
    golden = (1 + SQRT5) / 2
    fitness, complexity_ = fitness_complexity(np.array([[1, 1, 1], [1, 1, 0], [0, 1, 1]]))
    assert fitness[0] / fitness[1] == pytest.approx(golden, rel=1e-8)
    assert fitness[1] == pytest.approx(fitness[2], rel=1e-8)
    assert complexity_[0] / complexity_[1] == pytest.approx(golden, rel=1e-8)
    assert complexity_[0] == pytest.approx(complexity_[2], rel=1e-8)
    assert_allclose(fitness, np.array([golden, 1, 1]) * 3 / (golden + 2), rtol=1e-8)
    assert fitness.mean() == pytest.approx(1.0)
    assert complexity_.mean() == pytest.approx(1.0)


def test_fitness_complexity_of_a_nested_matrix_does_not_converge() -> None:
    # A perfectly nested (triangular) matrix: the least diversified region's fitness decays
    # towards 0 without ever settling.
    nested = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0]])
    with pytest.raises(NotConvergedError) as raised:
        fitness_complexity(nested)
    assert raised.value.iterations == 1000


@pytest.mark.parametrize(
    "matrix",
    [
        # Disconnected: r0 alone makes a0, a1; r1 alone makes a2. Then Q_a0 = Q_a1 = F_0 and
        # Q_a2 = F_1, so F_0 / F_1 doubles at every step: F_1 -> 0 geometrically.
        [[1, 1, 0], [0, 0, 1]],
        # Connected: r0 makes a0..a2 alone, a3 is r1's alone, both make a4. With t = F_1/F_0,
        # Q = [F_0, F_0, F_0, F_1, H], H = F_0 F_1 / (F_0 + F_1), and
        # t' = (t + t/(1+t)) / (3 + t/(1+t)) ~ (2/3) t for small t: F_1 -> 0 geometrically.
        [[1, 1, 1, 0, 1], [0, 0, 0, 1, 1]],
    ],
    ids=["disconnected", "connected"],
)
def test_fitness_complexity_flags_a_collapsed_fitness(matrix: list) -> None:
    with pytest.raises((NotConvergedError, AmbiguousResultError)):
        fitness_complexity(np.array(matrix))


def test_fitness_complexity_respects_max_iter() -> None:
    with pytest.raises(NotConvergedError, match="in 3 iterations") as raised:
        fitness_complexity(np.array([[1, 1, 1], [1, 1, 0], [0, 1, 1]]), max_iter=3)
    assert raised.value.iterations == 3


@pytest.mark.parametrize(("name", "value"), [("max_iter", 0), ("tol", 0.0), ("tol", -1e-3)])
def test_fitness_complexity_rejects_bad_options(name: str, value) -> None:
    with pytest.raises(InvalidInputError, match=f"'{name}' parameter of fitness_complexity"):
        fitness_complexity(CHAIN, **{name: value})


# --------------------------------------------------------------------------- outlook


OUTLOOK_M = np.array([[1, 0, 0], [0, 1, 1], [0, 0, 1]])
OUTLOOK_D = np.array([[0.5, 0.25, 0.5], [0.2, 0.6, 0.4], [0.1, 0.3, 0.8]])
OUTLOOK_PCI = np.array([1.0, 2.0, -1.0])
OUTLOOK_PHI = np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]])


def test_complexity_outlook_index_by_hand() -> None:
    # raw_r = sum_p d_rp (1 - M_rp) PCI_p
    #   r0 (a1, a2 absent): 0.25 * 2 + 0.5 * (-1) = 0
    #   r1 (a0 absent):     0.2 * 1               = 0.2
    #   r2 (a0, a1 absent): 0.1 * 1 + 0.3 * 2     = 0.7
    # mean 0.3, deviations [-0.3, -0.1, 0.4], sum of squares 0.26
    expected = np.array([-0.3, -0.1, 0.4]) / np.sqrt(0.26 / 3)
    assert_allclose(complexity_outlook_index(OUTLOOK_M, OUTLOOK_D, OUTLOOK_PCI), expected)
    expected_ddof1 = np.array([-0.3, -0.1, 0.4]) / np.sqrt(0.26 / 2)
    assert_allclose(complexity_outlook_index(OUTLOOK_M, OUTLOOK_D, OUTLOOK_PCI, ddof=1), expected_ddof1)


def test_complexity_outlook_index_is_zero_when_all_equal() -> None:
    assert_allclose(complexity_outlook_index(np.eye(2), np.zeros((2, 2)), np.ones(2)), [0.0, 0.0])


# COG_rp = (1 - M_rp) sum_q phi_qp / (sum_q' phi_qq') (1 - M_rq) PCI_q;  row sums of phi
# [3/2, 2, 3/2] -> weights w_q = PCI_q / rowsum_q = [2/3, 1, -2/3]
#   r0 (absent a1, a2): a1: w1 phi_11 + w2 phi_21 = 1 - 1/3 = 2/3
#                       a2: w1 phi_12 + w2 phi_22 = 1/2 - 2/3 = -1/6
#   r1 (absent a0):     a0: w0 phi_00 = 2/3
#   r2 (absent a0, a1): a0: w0 phi_00 + w1 phi_10 = 2/3 + 1/2 = 7/6
#                       a1: w0 phi_01 + w1 phi_11 = 1/3 + 1 = 4/3
COG_GROWTHLAB = np.array([[0, 2 / 3, -1 / 6], [2 / 3, 0, 0], [7 / 6, 4 / 3, 0]])
# atlas subtracts (1 - delta_rp) PCI_p = d_rp PCI_p (delta = 1 - d, the distance) on absent cells,
# with d = OUTLOOK_D:
#   r0 a1: 2/3 - 0.25 * 2 = 1/6;    r0 a2: -1/6 - 0.5 * (-1) = 1/3
#   r1 a0: 2/3 - 0.2 * 1 = 7/15
#   r2 a0: 7/6 - 0.1 * 1 = 16/15;   r2 a1: 4/3 - 0.3 * 2 = 11/15
COG_ATLAS = np.array([[0, 1 / 6, 1 / 3], [7 / 15, 0, 0], [16 / 15, 11 / 15, 0]])


def test_complexity_outlook_gain_growthlab_by_hand() -> None:
    result = complexity_outlook_gain(OUTLOOK_M, OUTLOOK_PHI, OUTLOOK_PCI)
    assert_allclose(result, COG_GROWTHLAB, atol=1e-15)
    assert_allclose(complexity_outlook_gain(OUTLOOK_M, OUTLOOK_PHI, OUTLOOK_PCI, variant="growthlab"), COG_GROWTHLAB)


def test_complexity_outlook_gain_atlas_by_hand() -> None:
    result = complexity_outlook_gain(OUTLOOK_M, OUTLOOK_PHI, OUTLOOK_PCI, variant="atlas", density=OUTLOOK_D)
    assert_allclose(result, COG_ATLAS, atol=1e-15)


def test_complexity_outlook_gain_orientation_with_asymmetric_proximity() -> None:
    # phi = [[1,0,0],[0,1,1],[0,0,1]], row sums [1, 2, 1], PCI [1, 2, 3] -> w = [1, 1, 3]
    # region present only in a0:
    #   a1: w1 phi_11 + w2 phi_21 = 1 + 0 = 1;   a2: w1 phi_12 + w2 phi_22 = 1 + 3 = 4
    phi = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0], [0.0, 0.0, 1.0]])
    result = complexity_outlook_gain(np.array([[1, 0, 0]]), phi, np.array([1.0, 2.0, 3.0]))
    assert_allclose(result, [[0.0, 1.0, 4.0]])


def test_complexity_outlook_gain_atlas_needs_density() -> None:
    with pytest.raises(InvalidInputError, match="'density' parameter of complexity_outlook_gain"):
        complexity_outlook_gain(OUTLOOK_M, OUTLOOK_PHI, OUTLOOK_PCI, variant="atlas")


def test_complexity_outlook_gain_rejects_unknown_variant() -> None:
    with pytest.raises(InvalidInputError, match="'variant' parameter of complexity_outlook_gain"):
        complexity_outlook_gain(OUTLOOK_M, OUTLOOK_PHI, OUTLOOK_PCI, variant="oec")


# --------------------------------------------------------------------------- complexity()

# Values whose RCA presence is exactly CHAIN:
#   [[5,5,0],[0,5,5],[0,0,5]]; row totals [10, 10, 5], columns [5, 10, 10], total 25
#   RCA r0: (5/10)/(5/25) = 5/2, (5/10)/(10/25) = 5/4, 0
#       r1: 0, 5/4, 5/4;   r2: 0, 0, (5/5)/(10/25) = 5/2
CHAIN_VALUES = np.array([[5.0, 5.0, 0.0], [0.0, 5.0, 5.0], [0.0, 0.0, 5.0]])
CHAIN_RCA = np.array([[5 / 2, 5 / 4, 0], [0, 5 / 4, 5 / 4], [0, 0, 5 / 2]])
# proximity of CHAIN (keep diagonal): a0-a1 together once / max(1, 2) = 1/2, a1-a2: 1/2, a0-a2: 0
CHAIN_PHI = np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]])
# density d_rp = sum_q M_rq phi_pq / sum_q phi_pq, row sums [3/2, 2, 3/2]:
#   r0 {a0,a1}: a0 (1 + 1/2)/(3/2) = 1,  a1 (1/2 + 1)/2 = 3/4,  a2 (0 + 1/2)/(3/2) = 1/3
#   r1 {a1,a2}: a0 (1/2)/(3/2) = 1/3,    a1 (1 + 1/2)/2 = 3/4,  a2 (1/2 + 1)/(3/2) = 1
#   r2 {a2}:    a0 0,                    a1 (1/2)/2 = 1/4,      a2 1/(3/2) = 2/3
CHAIN_DENSITY = np.array([[1, 3 / 4, 1 / 3], [1 / 3, 3 / 4, 1], [0, 1 / 4, 2 / 3]])
# COI and COG use PCI on the eigenvector scale over the ECI's std, not re-centred
# (pipeline.run): k_p / s = PCI + m/s = PCI - sqrt5/10 (m/s = ((1-sqrt5)/6) / ((5-sqrt5)/3)),
#   o = [3 - 3 sqrt5/5, 9 sqrt5/10 - 3/2, -3 sqrt5/5]
# COI raw: r0 (a2 absent, d 1/3): -sqrt5/5;  r1 (a0, d 1/3): 1 - sqrt5/5;
#          r2 (a0 d 0, a1 d 1/4): 9 sqrt5/40 - 3/8
CHAIN_COI = zscore(np.array([-SQRT5 / 5, 1 - SQRT5 / 5, 9 * SQRT5 / 40 - 3 / 8]))
# COG with weights o_q / rowsum_q = [2 o0/3, o1/2, 2 o2/3]:
#   r0 a2: (2/3) o2 = -2 sqrt5/5;   r1 a0: (2/3) o0 = 2 - 2 sqrt5/5
#   r2 a0: (2/3) o0 + (1/2)(1/2) o1 = 13/8 - 7 sqrt5/40
#   r2 a1: (2/3) o0 (1/2) + (1/2) o1 = 1/4 + sqrt5/4
CHAIN_COG = np.array(
    [
        [0, 0, -2 * SQRT5 / 5],
        [2 - 2 * SQRT5 / 5, 0, 0],
        [13 / 8 - 7 * SQRT5 / 40, 1 / 4 + SQRT5 / 4, 0],
    ]
)

COLUMNS = ["region", "activity", "value", "rca", "mcp", "diversity", "ubiquity", "eci", "pci"]
COLUMNS += ["density", "coi", "cog"]


def long_table(values: np.ndarray, *, drop_zeros: bool = True) -> pd.DataFrame:
    rows = [
        (f"r{i}", f"a{j}", float(values[i, j]))
        for i in range(values.shape[0])
        for j in range(values.shape[1])
        if values[i, j] > 0 or not drop_zeros
    ]
    return pd.DataFrame(rows, columns=["region", "activity", "value"])


def grid(frame: pd.DataFrame, column: str) -> np.ndarray:
    """One output column as a region x activity array (rows come region-major)."""
    n_regions = frame["region"].nunique()
    return frame[column].to_numpy(dtype=np.float64).reshape(n_regions, -1)


def test_complexity_cross_section_by_hand() -> None:
    out = complexity(long_table(CHAIN_VALUES))
    assert list(out.columns) == COLUMNS
    assert len(out) == 9  # zeros included
    assert out["region"].astype(str).tolist() == ["r0"] * 3 + ["r1"] * 3 + ["r2"] * 3
    assert out["activity"].astype(str).tolist() == ["a0", "a1", "a2"] * 3
    assert_allclose(grid(out, "value"), CHAIN_VALUES)
    assert_allclose(grid(out, "rca"), CHAIN_RCA)
    assert_array_equal(grid(out, "mcp"), CHAIN)
    assert_allclose(grid(out, "diversity")[:, 0], [2, 2, 1])
    assert_allclose(grid(out, "ubiquity")[0], [1, 2, 2])
    assert_allclose(grid(out, "eci")[:, 0], CHAIN_ECI, atol=1e-12)
    assert_allclose(grid(out, "pci")[0], CHAIN_PCI, atol=1e-12)
    assert_allclose(grid(out, "density"), CHAIN_DENSITY, atol=1e-15)
    assert_allclose(grid(out, "coi")[:, 0], CHAIN_COI, atol=1e-12)
    assert_allclose(grid(out, "cog"), CHAIN_COG, atol=1e-12)


def test_complexity_same_with_or_without_explicit_zero_rows() -> None:
    sparse_input = complexity(long_table(CHAIN_VALUES))
    full_input = complexity(long_table(CHAIN_VALUES, drop_zeros=False))
    pd.testing.assert_frame_equal(sparse_input, full_input)


def test_complexity_econgeo_density_in_percent() -> None:
    out = complexity(long_table(CHAIN_VALUES), conventions="econgeo")
    # proximity with zero diagonal: phi = [[0, 1/2, 0], [1/2, 0, 1/2], [0, 1/2, 0]]
    #   r0 {a0,a1}: a0 (1/2)/(1/2) = 1, a1 (1/2)/1 = 1/2, a2 (1/2)/(1/2) = 1
    #   r1 {a1,a2}: a0 1, a1 1/2, a2 1;  r2 {a2}: a0 0, a1 1/2, a2 0
    assert_allclose(grid(out, "density"), [[100, 50, 100], [100, 50, 100], [0, 50, 0]])


def test_complexity_panel_with_time_column() -> None:
    first = long_table(CHAIN_VALUES).assign(year=2001)
    second = long_table(CHAIN_VALUES.T[::-1]).assign(year=2002)
    panel = pd.concat([second, first], ignore_index=True)  # periods out of order on purpose
    out = complexity(panel, time="year")
    assert list(out.columns) == ["year", *COLUMNS]
    assert len(out) == 18
    assert out["year"].tolist() == [2001] * 9 + [2002] * 9
    in_2001 = out[out["year"] == 2001].reset_index(drop=True)
    assert_allclose(grid(in_2001, "eci")[:, 0], CHAIN_ECI, atol=1e-12)
    assert_allclose(grid(in_2001, "density"), CHAIN_DENSITY, atol=1e-15)
    # each period equals its own cross-section
    alone = complexity(second)
    in_2002 = out[out["year"] == 2002].drop(columns="year").reset_index(drop=True)
    for column in COLUMNS[2:]:
        assert_allclose(in_2002[column], alone[column], atol=1e-12, err_msg=column)


def test_complexity_with_time_drops_regions_absent_in_a_period() -> None:
    first = long_table(CHAIN_VALUES).assign(year=2001)
    extra = pd.DataFrame({"region": ["r3", "r3"], "activity": ["a0", "a2"], "value": [1.0, 1.0]})
    second = pd.concat([long_table(CHAIN_VALUES), extra]).assign(year=2002)
    out = complexity(pd.concat([first, second]), time="year")
    assert len(out) == 9 + 12
    assert "r3" not in out.loc[out["year"] == 2001, "region"].astype(str).tolist()


def test_complexity_with_external_relatedness() -> None:
    # A cyclic external relatedness R: a0 -> a1, a1 -> a2, a2 -> a0 (row sums 1), as a long
    # table, with one pair about an activity the data does not have (ignored).
    relatedness = pd.DataFrame(
        {
            "activity_1": ["a0", "a1", "a2", "zz"],
            "activity_2": ["a1", "a2", "a0", "a0"],
            "proximity": [1.0, 1.0, 1.0, 9.0],
        }
    )
    # d_rp = sum_q M_rq R_pq / 1 = M_r,(p+1 mod 3):
    #   r0 {a0,a1}: [M_a1, M_a2, M_a0] = [1, 0, 1];  r1 {a1,a2}: [1, 1, 0];  r2 {a2}: [0, 1, 0]
    expected = np.array([[1, 0, 1], [1, 1, 0], [0, 1, 0]])
    r = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    assert_allclose(relatedness_density(CHAIN, r), expected)
    out = complexity(long_table(CHAIN_VALUES), relatedness=relatedness)
    assert_allclose(grid(out, "density"), expected)
    # ECI does not depend on the relatedness
    assert_allclose(grid(out, "eci")[:, 0], CHAIN_ECI, atol=1e-12)


def test_complexity_relatedness_must_cover_every_activity() -> None:
    relatedness = pd.DataFrame({"activity_1": ["a0"], "activity_2": ["a1"], "proximity": [1.0]})
    with pytest.raises(UnknownCodeError, match=r"1 activity\(ies\).*'a2'"):
        complexity(long_table(CHAIN_VALUES), relatedness=relatedness)


@pytest.mark.parametrize(
    "relatedness",
    [
        pd.DataFrame({"a": ["a0"], "b": ["a1"], "proximity": [1.0]}),
        pd.DataFrame({"activity_1": ["a0"], "activity_2": ["a1"], "proximity": [-1.0]}),
        pd.DataFrame({"activity_1": ["a0"], "activity_2": ["a1"], "proximity": ["x"]}),
        pd.DataFrame({"activity_1": ["a0", "a0"], "activity_2": ["a1", "a1"], "proximity": [1.0, 2.0]}),
    ],
    ids=["columns", "negative", "non-numeric", "duplicate"],
)
def test_complexity_rejects_bad_relatedness(relatedness: pd.DataFrame) -> None:
    with pytest.raises(InvalidInputError, match="relatedness"):
        complexity(long_table(CHAIN_VALUES), relatedness=relatedness)


# RPOP with population [4, 2, 1] (total 7) on [[5,5,0],[0,5,5],[1,0,5]] (columns [6, 10, 10]):
#   r0: (5/4)/(6/7) = 35/24, (5/4)/(10/7) = 7/8, 0
#   r1: 0, (5/2)/(10/7) = 7/4, 7/4
#   r2: 1/(6/7) = 7/6, 0, 5/(10/7) = 7/2
# RPOP >= 1 gives [[1,0,0],[0,1,1],[1,0,1]], unlike RCA >= 1 ([[1,1,0],[0,1,1],[0,0,1]]).
RPOP_VALUES = np.array([[5.0, 5.0, 0.0], [0.0, 5.0, 5.0], [1.0, 0.0, 5.0]])
RPOP = np.array([[35 / 24, 7 / 8, 0], [0, 7 / 4, 7 / 4], [7 / 6, 0, 7 / 2]])
RPOP_PRESENCE = np.array([[1, 0, 0], [0, 1, 1], [1, 0, 1]])


def test_complexity_with_rpop_presence() -> None:
    population = pd.Series({"r2": 1.0, "r0": 4.0, "r1": 2.0})  # any order: aligned by label
    out = complexity(long_table(RPOP_VALUES), presence_test="rpop", population=population)
    assert list(out.columns) == [*COLUMNS[:4], "rpop", *COLUMNS[4:]]
    assert_allclose(grid(out, "rpop"), RPOP)
    assert_array_equal(grid(out, "mcp"), RPOP_PRESENCE)
    assert_allclose(grid(out, "diversity")[:, 0], [1, 2, 2])
    eci, pci = eci_pci(RPOP_PRESENCE)
    assert_allclose(grid(out, "eci")[:, 0], eci, atol=1e-12)
    assert_allclose(grid(out, "pci")[0], pci, atol=1e-12)


def test_complexity_rpop_with_population_by_period() -> None:
    index = pd.MultiIndex.from_tuples([(2001, "r0"), (2001, "r1"), (2001, "r2")])
    population = pd.Series([4.0, 2.0, 1.0], index=index)
    out = complexity(
        long_table(RPOP_VALUES).assign(year=2001), time="year", presence_test="rpop", population=population
    )
    assert_allclose(grid(out, "rpop"), RPOP)


def test_complexity_rpop_needs_population_for_every_region() -> None:
    with pytest.raises(UnknownCodeError, match=r"\['r2'\]"):
        complexity(long_table(RPOP_VALUES), presence_test="rpop", population=pd.Series({"r0": 4.0, "r1": 2.0}))
    with pytest.raises(InvalidInputError, match="needs population"):
        complexity(long_table(RPOP_VALUES), presence_test="rpop")
    with pytest.raises(InvalidInputError, match="only used with presence_test='rpop'"):
        complexity(long_table(RPOP_VALUES), population=pd.Series({"r0": 1.0}))


def test_complexity_disconnected_network_is_ambiguous() -> None:
    # r0, r1 only in a0/a1 and r2, r3 only in a2/a3: every RCA in-block is >= 1
    # (e.g. r0 a0: (2/3)/(3/12) = 8/3, r0 a1: (1/3)/(3/12) = 4/3), the blocks never meet.
    blocks = np.array([[2.0, 1.0, 0, 0], [1.0, 2.0, 0, 0], [0, 0, 2.0, 1.0], [0, 0, 1.0, 2.0]])
    with pytest.raises(AmbiguousResultError, match="2 disconnected parts"):
        complexity(long_table(blocks))


def test_complexity_threshold_that_empties_a_region_is_ambiguous() -> None:
    # RCA >= 2 keeps r0 in a0 (5/2) and r2 in a2 (5/2); r1 (RCA at most 5/4) is left empty,
    # and it is row 1 of the matrix.
    with pytest.raises(AmbiguousResultError, match=r"1 region\(s\) \(first \['r1'\]\)"):
        complexity(long_table(CHAIN_VALUES), threshold=2.0)


def test_complexity_names_the_emptied_region_by_label() -> None:
    with pytest.raises(AmbiguousResultError, match="'r1'"):
        complexity(long_table(CHAIN_VALUES), threshold=2.0)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("threshold", 0),
        ("threshold", -1.0),
        ("presence_test", "rpca"),
        ("method", "svd"),
        ("cog_variant", "oec"),
        ("conventions", "stata"),
    ],
)
def test_complexity_rejects_bad_options(option: str, value) -> None:
    with pytest.raises(InvalidInputError, match=f"'{option}' parameter of complexity"):
        complexity(long_table(CHAIN_VALUES), **{option: value})


def test_complexity_atlas_cog_matches_the_pure_function() -> None:
    out = complexity(long_table(CHAIN_VALUES), cog_variant="atlas")
    expected = complexity_outlook_gain(CHAIN, CHAIN_PHI, CHAIN_PCI, variant="atlas", density=CHAIN_DENSITY)
    assert_allclose(grid(out, "cog"), expected, atol=1e-12)


def test_complexity_reflections_method_is_standardised() -> None:
    out = complexity(synthetic_panel(20, 30, seed=1), method="reflections")
    eci = out.groupby("region", observed=True)["eci"].first().to_numpy()
    assert eci.mean() == pytest.approx(0.0, abs=1e-12)
    assert eci.std() == pytest.approx(1.0)


def test_complexity_reads_a_file_path(tmp_path) -> None:
    path = tmp_path / "chain.csv"
    long_table(CHAIN_VALUES).to_csv(path, index=False)
    out = complexity(path)
    assert_allclose(grid(out, "eci")[:, 0], CHAIN_ECI, atol=1e-12)
    assert_allclose(grid(complexity(str(path)), "eci")[:, 0], CHAIN_ECI, atol=1e-12)


def _synthetic_matrix(*, seed: int, n_regions: int = 30, n_activities: int = 60) -> sp.csr_array:
    table = validate_long(synthetic_panel(n_regions, n_activities, seed=seed))
    return next(table.matrices()).values
