"""Hand-computed cases for clusterix.indicators.concentration.

Running example (as in test_specialisation)::

            a0  a1  a2   | row total
      r0  [  2,  2,  0 ] |  4
      r1  [  1,  3,  4 ] |  8
      col    3   5   4   | 12

Region mixes: r0 [1/2, 1/2, 0], r1 [1/8, 3/8, 1/2].
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

from clusterix import ClusterixError, InvalidInputError
from clusterix.indicators import (
    entropy,
    entropy_decomposition,
    herfindahl,
    locational_gini,
    related_variety,
    specialisation_gini,
    unrelated_variety,
)

X = np.array([[2.0, 2.0, 0.0], [1.0, 3.0, 4.0]])
LOG2_3 = np.log2(3.0)


def test_herfindahl_of_region_mixes() -> None:
    # r0: 1/4 + 1/4 = 1/2;  r1: 1/64 + 9/64 + 16/64 = 26/64 = 13/32
    assert_allclose(herfindahl(X), [1 / 2, 13 / 32])


def test_herfindahl_normalised() -> None:
    # HHI* = (HHI - 1/n) / (1 - 1/n), n = 3 activities
    #   r0: (1/2 - 1/3) / (2/3) = 1/4;  r1: (13/32 - 1/3) / (2/3) = (7/96)(3/2) = 7/64
    assert_allclose(herfindahl(X, normalised=True), [1 / 4, 7 / 64])


def test_herfindahl_normalised_limits() -> None:
    # even mix -> 0, single activity -> 1
    assert_allclose(herfindahl(np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 7.0]]), normalised=True), [0.0, 1.0], atol=1e-15)


def test_herfindahl_over_activities() -> None:
    # a0: [2/3, 1/3] -> 5/9;  a1: [2/5, 3/5] -> 13/25;  a2: [0, 1] -> 1
    assert_allclose(herfindahl(X, axis="activity"), [5 / 9, 13 / 25, 1.0])
    # normalised over n = 2 regions: (5/9 - 1/2) * 2 = 1/9; (13/25 - 1/2) * 2 = 1/25; 1
    assert_allclose(herfindahl(X, axis="activity", normalised=True), [1 / 9, 1 / 25, 1.0])


def test_entropy_base_two() -> None:
    # r0: 2 x (1/2 log2 2) = 1 bit
    # r1: 1/8 log2 8 + 3/8 log2 (8/3) + 1/2 log2 2 = 3/8 + 9/8 - 3/8 log2 3 + 1/2
    #     = 2 - (3/8) log2 3
    assert_allclose(entropy(X), [1.0, 2 - 3 / 8 * LOG2_3])


@pytest.mark.parametrize("base", [np.e, 3.0, 10.0])
def test_entropy_other_bases_rescale_bits(base: float) -> None:
    # H_b = H_2 / log2(b)
    assert_allclose(entropy(X, base=base), np.array([1.0, 2 - 3 / 8 * LOG2_3]) / np.log2(base))


def test_entropy_over_activities() -> None:
    # a0 [2/3, 1/3]: log2 3 - 2/3;  a1 [2/5, 3/5]: log2 5 - (2/5 + 3/5 log2 3);  a2 [0, 1]: 0
    expected = [LOG2_3 - 2 / 3, np.log2(5) - 2 / 5 - 3 / 5 * LOG2_3, 0.0]
    assert_allclose(entropy(X, axis="activity"), expected, atol=1e-15)


@pytest.mark.parametrize("base", [1.0, 0.5, 0.0, -2.0])
def test_entropy_rejects_base_at_most_one(base: float) -> None:
    with pytest.raises(InvalidInputError, match="'base' parameter of entropy"):
        entropy(X, base=base)


def test_entropy_of_one_activity_is_exactly_zero() -> None:
    result = entropy(np.array([[0.0, 5.0], [1.0, 1.0]]))
    assert result[0] == 0.0 and not np.signbit(result[0])


def test_locational_gini_perfectly_even_is_zero() -> None:
    # Both regions have the same mix: every LQ is 1, the Lorenz curve is the diagonal.
    assert_allclose(locational_gini(np.array([[1.0, 2.0], [2.0, 4.0]])), [0.0, 0.0], atol=1e-15)


def test_locational_gini_two_regions_by_hand() -> None:
    # Each activity across regions, weights = region totals [4, 8] -> shares [1/3, 2/3].
    # Regions ordered by LQ (ascending); X = cumulated weight share, Y = cumulated amount share;
    # G = 1 - sum (X_k - X_{k-1}) (Y_k + Y_{k-1}).
    # a0: amounts [2, 1] -> [2/3, 1/3]; LQ r0 = 2, r1 = 1/2 -> order r1, r0
    #     X = 2/3, 1; Y = 1/3, 1: sum = (2/3)(1/3) + (1/3)(4/3) = 6/9 -> G = 1/3
    # a1: amounts [2, 3] -> [2/5, 3/5]; LQ r0 = 6/5, r1 = 9/10 -> order r1, r0
    #     X = 2/3, 1; Y = 3/5, 1: sum = (2/3)(3/5) + (1/3)(8/5) = 14/15 -> G = 1/15
    # a2: amounts [0, 4] -> [0, 1]; LQ r0 = 0, r1 = 3/2 -> order r0, r1
    #     X = 1/3, 1; Y = 0, 1: sum = 0 + (2/3)(1) = 2/3 -> G = 1/3
    assert_allclose(locational_gini(X), [1 / 3, 1 / 15, 1 / 3])
    assert_allclose(locational_gini(X, scale="coefficient"), [1 / 3, 1 / 15, 1 / 3])
    # the "area" scale (EconGeo's locational.Gini) is half the coefficient
    assert_allclose(locational_gini(X, scale="area"), [1 / 6, 1 / 30, 1 / 6])


def test_specialisation_gini_perfectly_even_is_zero() -> None:
    values = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]])
    assert_allclose(specialisation_gini(values), [0.0, 0.0], atol=1e-15)
    assert_allclose(specialisation_gini(values, scale="area"), [0.0, 0.0], atol=1e-15)


def test_specialisation_gini_by_hand() -> None:
    # Each region's mix against the reference = column totals [3, 5, 4] -> [1/4, 5/12, 1/3].
    # r0: amounts [1/2, 1/2, 0]; LQ = [2, 6/5, 0] -> order a2, a1, a0
    #     X = 1/3, 3/4, 1; Y = 0, 1/2, 1
    #     sum = (1/3)(0) + (5/12)(1/2) + (1/4)(3/2) = 5/24 + 9/24 = 7/12 -> G = 5/12
    # r1: amounts [1/8, 3/8, 1/2]; LQ = [1/2, 9/10, 3/2] -> order a0, a1, a2
    #     X = 1/4, 2/3, 1; Y = 1/8, 1/2, 1
    #     sum = (1/4)(1/8) + (5/12)(5/8) + (1/3)(3/2) = 3/96 + 25/96 + 48/96 = 19/24 -> G = 5/24
    assert_allclose(specialisation_gini(X), [5 / 12, 5 / 24])
    assert_allclose(specialisation_gini(X, scale="area"), [5 / 24, 5 / 48])


@pytest.mark.parametrize("function", [locational_gini, specialisation_gini])
def test_gini_rejects_unknown_scale(function) -> None:
    with pytest.raises(InvalidInputError, match=f"'scale' parameter of {function.__name__}"):
        function(X, scale="percent")


# Two-level hierarchy: groups A = {a0, a1}, B = {a2, a3}.
#   r0 [1, 1, 2, 4] / 8 = [1/8, 1/8, 1/4, 1/2]
#   r1 [2, 2, 0, 0] / 4 = [1/2, 1/2, 0, 0]
Y = np.array([[1.0, 1.0, 2.0, 4.0], [2.0, 2.0, 0.0, 0.0]])
GROUPS = ["A", "A", "B", "B"]
# r0: P_A = 1/4, P_B = 3/4
#   UV = -(1/4 log2 1/4 + 3/4 log2 3/4) = 1/2 + 3/4 (2 - log2 3) = 2 - (3/4) log2 3
#   RV = P_A H(1/2, 1/2) + P_B H(1/3, 2/3) = 1/4 + 3/4 (log2 3 - 2/3) = (3/4) log2 3 - 1/4
#   H  = 3 x (1/8) + 1/4 x 2 + 1/2 x 1 = 7/4 = UV + RV
# r1: P_A = 1 -> UV = 0, RV = H(1/2, 1/2) = 1, H = 1
UV = [2 - 3 / 4 * LOG2_3, 0.0]
RV = [3 / 4 * LOG2_3 - 1 / 4, 1.0]


def test_unrelated_and_related_variety_two_levels() -> None:
    assert_allclose(unrelated_variety(Y, GROUPS), UV, atol=1e-15)
    assert_allclose(related_variety(Y, GROUPS), RV)
    assert_allclose(np.add(UV, RV), [7 / 4, 1.0])  # the hand values themselves add up


def test_entropy_decomposition_two_levels_sums_to_entropy() -> None:
    parts = entropy_decomposition(Y, [GROUPS])
    assert parts.shape == (2, 2)
    assert_allclose(parts, np.column_stack([UV, RV]), atol=1e-15)
    assert_allclose(parts.sum(axis=1), entropy(Y))
    assert_allclose(parts.sum(axis=1), [7 / 4, 1.0])


def test_entropy_decomposition_three_levels() -> None:
    # sections S = {a0, a1, a2}, T = {a3}; divisions S1 = {a0, a1}, S2 = {a2}, T1 = {a3}
    # r0 shares [1/8, 1/8, 1/4, 1/2]:
    #   between sections: P_S = 1/2, P_T = 1/2                      -> 1
    #   within sections between divisions: P_S H(S1: 1/2, S2: 1/2)   -> 1/2
    #   within divisions between activities: P_S1 H(1/2, 1/2)       -> 1/4
    #   total 7/4
    # r1 shares [1/2, 1/2, 0, 0]: all in S1 -> parts 0, 0, 1
    sections = ["S", "S", "S", "T"]
    divisions = ["S1", "S1", "S2", "T1"]
    parts = entropy_decomposition(Y, [sections, divisions])
    assert_allclose(parts, [[1.0, 0.5, 0.25], [0.0, 0.0, 1.0]], atol=1e-15)
    assert_allclose(parts.sum(axis=1), entropy(Y))


def test_entropy_decomposition_with_base_e() -> None:
    parts = entropy_decomposition(Y, [GROUPS], base=np.e)
    assert_allclose(parts, np.column_stack([UV, RV]) * np.log(2), atol=1e-15)


def test_varieties_accept_any_hashable_labels() -> None:
    assert_allclose(related_variety(Y, [10, 10, 20, 20]), RV)
    assert_allclose(related_variety(Y, np.array(GROUPS, dtype=object)), RV)


def test_varieties_reject_wrong_number_of_labels() -> None:
    with pytest.raises(InvalidInputError, match="one group label per activity"):
        related_variety(Y, ["A", "A", "B"])
    with pytest.raises(InvalidInputError, match="one group label per activity"):
        entropy_decomposition(Y, [GROUPS, ["x"]])


def test_varieties_reject_missing_labels() -> None:
    with pytest.raises(InvalidInputError, match="missing labels"):
        unrelated_variety(Y, ["A", None, "B", "B"])


EMPTY_ROW = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0], [2.0, 1.0, 1.0]])


@pytest.mark.parametrize(
    ("function", "values"),
    [(specialisation_gini, EMPTY_ROW), (locational_gini, EMPTY_ROW.T)],
    ids=["specialisation_gini-empty-region", "locational_gini-empty-activity"],
)
def test_gini_of_an_empty_unit_raises_or_is_finite(function, values: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = function(values)
        except ClusterixError:
            return
    assert np.all(np.isfinite(result))


def test_gini_of_empty_units_on_the_other_axis_is_fine() -> None:
    # An empty region does not disturb the locational Gini of activities, and vice versa.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.all(np.isfinite(locational_gini(EMPTY_ROW)))
        assert np.all(np.isfinite(specialisation_gini(EMPTY_ROW.T)))
