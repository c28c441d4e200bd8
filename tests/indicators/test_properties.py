"""Property tests (hypothesis) for the pure indicator functions and complexity().

Matrices are small (2-6 x 2-6) with integer-valued entries so that sums are exact and a
permutation of rows or columns gives bit-identical RCA (no presence flips at RCA = 1).
Examples are derandomised, so CI sees the same draws every run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose

from clusterix import AmbiguousResultError, NotConvergedError
from clusterix.indicators import (
    co_occurrence,
    complexity,
    complexity_outlook_gain,
    complexity_outlook_index,
    complexity_vectors,
    diversity,
    eci_pci,
    entropy,
    entropy_decomposition,
    fitness_complexity,
    hachman,
    herfindahl,
    krugman_dissimilarity,
    krugman_index,
    locational_gini,
    normalise_co_occurrence,
    presence,
    proximity_matrix,
    rca,
    reflections,
    related_variety,
    relatedness_density,
    rpop,
    shares,
    specialisation_gini,
    ubiquity,
    unrelated_variety,
)

PROPERTY = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@st.composite
def matrices(draw, *, low: int = 1, high: int = 40, max_side: int = 6) -> np.ndarray:
    """Integer-valued float matrices; with low=0 every row and column still has a positive cell."""
    shape = (draw(st.integers(2, max_side)), draw(st.integers(2, max_side)))
    values = draw(arrays(np.float64, shape, elements=st.integers(low, high).map(float)))
    assume(np.all(values.sum(axis=0) > 0) and np.all(values.sum(axis=1) > 0))
    return values


def rca_presence(values: np.ndarray) -> np.ndarray:
    return np.asarray(presence(rca(values)))


def complexity_ok(presence_: np.ndarray) -> bool:
    """Whether ECI is defined: connected, no tied singular values, no constant vector."""
    try:
        eci_pci(presence_)
    except AmbiguousResultError:
        return False
    return True


def sign_is_defined(presence_: np.ndarray) -> bool:
    """Whether ECI correlates with diversity at all; if not, its sign is arbitrary
    (equal diversities, or an ECI uncorrelated with them)."""
    k = presence_.sum(axis=1)
    return bool(np.ptp(k) > 0 and abs(np.corrcoef(eci_pci(presence_)[0], k)[0, 1]) > 1e-6)


# --------------------------------------------------------------------------- references
# Independent, loop-based implementations straight from the definitions.


def ref_shares(x: np.ndarray, axis: str = "region") -> np.ndarray:
    if axis == "activity":
        return ref_shares(x.T).T
    out = np.zeros_like(x)
    for r, row in enumerate(x):
        if row.sum() > 0:
            out[r] = row / row.sum()
    return out


def ref_rca(x: np.ndarray) -> np.ndarray:
    out = np.zeros_like(x)
    for r in range(x.shape[0]):
        for p in range(x.shape[1]):
            if x[r].sum() > 0 and x[:, p].sum() > 0:
                out[r, p] = (x[r, p] / x[r].sum()) / (x[:, p].sum() / x.sum())
    return out


def ref_rpop(x: np.ndarray, population: np.ndarray) -> np.ndarray:
    return (x / population[:, None]) / (x.sum(axis=0) / population.sum())


def ref_hachman(x: np.ndarray) -> np.ndarray:
    return 1 / (ref_shares(x) * ref_rca(x)).sum(axis=1)


def ref_krugman(x: np.ndarray, reference: str) -> np.ndarray:
    mix = ref_shares(x)
    out = np.zeros(x.shape[0])
    for r in range(x.shape[0]):
        other = x.sum(axis=0) - (x[r] if reference == "rest" else 0)
        out[r] = np.abs(mix[r] - other / other.sum()).sum()
    return out


def ref_dissimilarity(x: np.ndarray) -> np.ndarray:
    mix = ref_shares(x)
    return np.array([[np.abs(a - b).sum() for b in mix] for a in mix])


def ref_entropy(mix: np.ndarray) -> np.ndarray:
    return np.array([-sum(s * np.log2(s) for s in row if s > 0) for row in mix])


def ref_gini(amounts: np.ndarray, weights: np.ndarray) -> float:
    a, w = amounts / amounts.sum(), weights / weights.sum()
    order = sorted(range(len(a)), key=lambda i: a[i] / w[i] if w[i] > 0 else np.inf)
    area, x0, y0 = 0.0, 0.0, 0.0
    for i in order:
        x1, y1 = x0 + w[i], y0 + a[i]
        area += (x1 - x0) * (y1 + y0)
        x0, y0 = x1, y1
    return 1 - area


def ref_uv_rv(x: np.ndarray, groups: list) -> tuple[np.ndarray, np.ndarray]:
    mix = ref_shares(x)
    labels = sorted(set(groups))
    members = {g: [p for p, label in enumerate(groups) if label == g] for g in labels}
    uv = ref_entropy(np.array([[row[members[g]].sum() for g in labels] for row in mix]))
    rv = np.zeros(x.shape[0])
    for r, row in enumerate(mix):
        for g in labels:
            total = row[members[g]].sum()
            if total > 0:
                rv[r] += total * ref_entropy(row[members[g]][None, :] / total)[0]
    return uv, rv


def ref_proximity(m: np.ndarray) -> np.ndarray:
    n = m.shape[1]
    out = np.zeros((n, n))
    for p in range(n):
        for q in range(n):
            larger = max(m[:, p].sum(), m[:, q].sum())
            if larger > 0:
                out[p, q] = (m[:, p] * m[:, q]).sum() / larger
    return out


def ref_density(m: np.ndarray, phi: np.ndarray) -> np.ndarray:
    out = np.zeros(m.shape)
    for r in range(m.shape[0]):
        for p in range(m.shape[1]):
            if phi[p].sum() > 0:
                out[r, p] = (m[r] * phi[p]).sum() / phi[p].sum()
    return out


def ref_reflections(m: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    kr, kp = m.sum(axis=1), m.sum(axis=0)
    for _ in range(steps):
        kr, kp = (
            np.array([m[r] @ kp / m[r].sum() for r in range(m.shape[0])]),
            np.array([m[:, p] @ kr / m[:, p].sum() for p in range(m.shape[1])]),
        )
    return kr, kp


def ref_eci_pci(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hidalgo & Hausmann: the second eigenvector of D^-1 M U^-1 M^T, Growth Lab scaling."""
    kr, kp = m.sum(axis=1), m.sum(axis=0)
    mcc = (m / kr[:, None]) @ (m / kp[None, :]).T
    eigenvalues, eigenvectors = np.linalg.eig(mcc)
    second = np.argsort(-eigenvalues.real)[1]
    v = eigenvectors[:, second].real
    if np.corrcoef(v, kr)[0, 1] < 0:
        v = -v
    k_p = (m.T @ v) / kp / eigenvalues[second].real
    return (v - v.mean()) / v.std(), (k_p - v.mean()) / v.std()


def ref_fitness(m: np.ndarray, iterations: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    """Tacchella et al. (2012), both updates from the previous step, each to mean 1."""
    f, q = np.ones(m.shape[0]), np.ones(m.shape[1])
    for _ in range(iterations):
        new_f, new_q = m @ q, 1 / (m.T @ (1 / f))
        new_f, new_q = new_f / new_f.mean(), new_q / new_q.mean()
        if max(np.abs(new_f - f).max(), np.abs(new_q - q).max()) < 1e-14:
            return new_f, new_q
        f, q = new_f, new_q
    return f, q


def ref_coi(m: np.ndarray, d: np.ndarray, pci: np.ndarray) -> np.ndarray:
    raw = np.array([sum(d[r, p] * (1 - m[r, p]) * pci[p] for p in range(m.shape[1])) for r in range(m.shape[0])])
    return (raw - raw.mean()) / raw.std() if raw.std() > 0 else np.zeros_like(raw)


def ref_cog(m: np.ndarray, phi: np.ndarray, pci: np.ndarray) -> np.ndarray:
    out = np.zeros(m.shape)
    for r in range(m.shape[0]):
        for p in range(m.shape[1]):
            if m[r, p] == 0:
                out[r, p] = sum(
                    phi[q, p] / phi[q].sum() * (1 - m[r, q]) * pci[q] for q in range(m.shape[1]) if phi[q].sum() > 0
                )
    return out


# --------------------------------------------------------------------------- dense == sparse


def dense(result):
    return result.toarray() if sp.issparse(result) else np.asarray(result)


def groups_for(n: int) -> list[str]:
    return ["g0" if p < (n + 1) // 2 else "g1" for p in range(n)]


# (name, call on the backend input, reference on the dense input); inputs are the raw values
# ("values") or their RCA presence ("presence").
VALUE_CASES = [
    ("shares-region", lambda x: shares(x), lambda x: ref_shares(x)),
    ("shares-activity", lambda x: shares(x, axis="activity"), lambda x: ref_shares(x, "activity")),
    ("rca", rca, ref_rca),
    (
        "rpop",
        lambda x: rpop(x, np.arange(1.0, x.shape[0] + 1)),
        lambda x: ref_rpop(x, np.arange(1.0, x.shape[0] + 1)),
    ),
    # exact integer test of RCA >= 1: x_rp * x.. >= x_r. * x_.p
    (
        "presence",
        lambda x: presence(rca(x), threshold=1.0),
        lambda x: x * x.sum() >= np.outer(x.sum(axis=1), x.sum(axis=0)),
    ),
    ("hachman", hachman, ref_hachman),
    ("krugman_index-total", krugman_index, lambda x: ref_krugman(x, "total")),
    ("krugman_index-rest", lambda x: krugman_index(x, reference="rest"), lambda x: ref_krugman(x, "rest")),
    ("krugman_dissimilarity", krugman_dissimilarity, ref_dissimilarity),
    ("herfindahl", herfindahl, lambda x: (ref_shares(x) ** 2).sum(axis=1)),
    (
        "herfindahl-activity",
        lambda x: herfindahl(x, axis="activity"),
        lambda x: (ref_shares(x, "activity") ** 2).sum(axis=0),
    ),
    (
        "herfindahl-normalised",
        lambda x: herfindahl(x, normalised=True),
        lambda x: ((ref_shares(x) ** 2).sum(axis=1) - 1 / x.shape[1]) / (1 - 1 / x.shape[1]),
    ),
    ("entropy", entropy, lambda x: ref_entropy(ref_shares(x))),
    ("entropy-base-e", lambda x: entropy(x, base=np.e), lambda x: ref_entropy(ref_shares(x)) * np.log(2)),
    (
        "locational_gini",
        locational_gini,
        lambda x: [ref_gini(x[:, p], x.sum(axis=1)) for p in range(x.shape[1])],
    ),
    (
        "specialisation_gini",
        lambda x: specialisation_gini(x, scale="area"),
        lambda x: [ref_gini(x[r], x.sum(axis=0)) / 2 for r in range(x.shape[0])],
    ),
    (
        "unrelated_variety",
        lambda x: unrelated_variety(x, groups_for(x.shape[1])),
        lambda x: ref_uv_rv(x, groups_for(x.shape[1]))[0],
    ),
    (
        "related_variety",
        lambda x: related_variety(x, groups_for(x.shape[1])),
        lambda x: ref_uv_rv(x, groups_for(x.shape[1]))[1],
    ),
    (
        "entropy_decomposition",
        lambda x: entropy_decomposition(x, [groups_for(x.shape[1])]).sum(axis=1),
        lambda x: ref_entropy(ref_shares(x)),
    ),
]

PRESENCE_CASES = [
    ("co_occurrence", co_occurrence, lambda m: m.T @ m - np.diag(np.diag(m.T @ m))),
    ("co_occurrence-diagonal", lambda m: co_occurrence(m, diagonal="keep"), lambda m: m.T @ m),
    ("proximity_matrix", proximity_matrix, ref_proximity),
    (
        "proximity_matrix-zero",
        lambda m: proximity_matrix(m, diagonal="zero"),
        lambda m: ref_proximity(m) - np.diag(np.diag(ref_proximity(m))),
    ),
    (
        "normalise_co_occurrence",
        lambda m: normalise_co_occurrence(co_occurrence(m), method="cosine"),
        lambda m: _ref_cosine(m.T @ m),
    ),
    (
        "relatedness_density",
        lambda m: relatedness_density(m, like(m, proximity_matrix(m))),
        lambda m: ref_density(m, ref_proximity(m)),
    ),
    ("diversity", diversity, lambda m: m.sum(axis=1)),
    ("ubiquity", ubiquity, lambda m: m.sum(axis=0)),
    (
        "reflections-2",
        lambda m: np.concatenate(reflections(m, steps=2)),
        lambda m: np.concatenate(ref_reflections(m, 2)),
    ),
    ("eci_pci", lambda m: np.concatenate(eci_pci(m)), lambda m: np.concatenate(ref_eci_pci(m))),
    (
        "complexity_vectors",
        lambda m: _zscore(complexity_vectors(m).region),
        lambda m: ref_eci_pci(m)[0],
    ),
    (
        "complexity_outlook_index",
        lambda m: complexity_outlook_index(m, like(m, relatedness_density(m, proximity_matrix(m))), eci_pci(m)[1]),
        lambda m: ref_coi(m, ref_density(m, ref_proximity(m)), ref_eci_pci(m)[1]),
    ),
    (
        "complexity_outlook_gain",
        lambda m: complexity_outlook_gain(m, like(m, proximity_matrix(m)), eci_pci(m)[1]),
        lambda m: ref_cog(m, ref_proximity(m), ref_eci_pci(m)[1]),
    ),
    (
        "complexity_outlook_gain-atlas",
        lambda m: complexity_outlook_gain(
            m,
            like(m, proximity_matrix(m)),
            eci_pci(m)[1],
            variant="atlas",
            density=like(m, relatedness_density(m, proximity_matrix(m))),
        ),
        # the Atlas term subtracts d_rp PCI_p on the cells not yet present
        lambda m: (
            ref_cog(m, ref_proximity(m), ref_eci_pci(m)[1])
            - (1 - m) * ref_density(m, ref_proximity(m)) * ref_eci_pci(m)[1][None, :]
        ),
    ),
]


def like(template, matrix: np.ndarray):
    """``matrix`` on the same backend (dense or sparse) as ``template``."""
    return sp.csr_array(matrix) if sp.issparse(template) else matrix


def _ref_cosine(counts: np.ndarray) -> np.ndarray:
    c = counts - np.diag(np.diag(counts))
    s = c.sum(axis=1)
    out = np.zeros_like(c)
    for i in range(len(s)):
        for j in range(len(s)):
            if s[i] * s[j] > 0:
                out[i, j] = c[i, j] / np.sqrt(s[i] * s[j])
    return out


def _zscore(vector: np.ndarray) -> np.ndarray:
    return (vector - vector.mean()) / vector.std()


def test_every_pure_matrix_function_is_compared_on_both_backends() -> None:
    from clusterix import indicators

    covered = {name.split("-")[0] for name, _, _ in VALUE_CASES + PRESENCE_CASES} | {"fitness_complexity"}
    covered |= {"location_quotient"}  # the same function object as rca
    assert indicators.location_quotient is indicators.rca
    matrix_functions = {
        name
        for name in indicators.__all__
        if callable(getattr(indicators, name))
        and not isinstance(getattr(indicators, name), type)
        and name not in {"complexity", "proximity", "region_summary", "activity_summary"}
    }
    assert matrix_functions <= covered, matrix_functions - covered


BACKENDS = pytest.mark.parametrize("backend", [np.asarray, sp.csr_array], ids=["dense", "sparse"])


@BACKENDS
@pytest.mark.parametrize(("name", "function", "reference"), VALUE_CASES, ids=[c[0] for c in VALUE_CASES])
@PROPERTY
@given(values=matrices(low=0))
def test_value_functions_match_reference(backend, name, function, reference, values) -> None:
    assert_allclose(dense(function(backend(values))), np.asarray(reference(values), dtype=float), atol=1e-10)


@BACKENDS
@pytest.mark.parametrize(("name", "function", "reference"), PRESENCE_CASES, ids=[c[0] for c in PRESENCE_CASES])
@PROPERTY
@given(values=matrices())
def test_presence_functions_match_reference(backend, name, function, reference, values) -> None:
    m = rca_presence(values).astype(np.float64)
    if name.startswith(("eci", "complexity")):
        assume(complexity_ok(m))
        assume(sign_is_defined(m))
    assert_allclose(dense(function(backend(m))), np.asarray(reference(m), dtype=float), atol=1e-8)


@BACKENDS
@PROPERTY
@given(values=matrices())
def test_fitness_complexity_matches_reference(backend, values) -> None:
    m = rca_presence(values).astype(np.float64)
    # Connected networks only: on a disconnected one a fitness can collapse towards 0 (see
    # test_fitness_complexity_flags_a_collapsed_fitness in test_complexity.py).
    assume(complexity_ok(m))
    try:
        fitness, complexity_ = fitness_complexity(backend(m))
    except NotConvergedError:
        assume(False)
    with np.errstate(all="ignore"):
        ref_f, ref_q = ref_fitness(m)
    # Skip draws whose true fitness collapses to 0 (test_fitness_complexity_flags_a_collapsed_fitness).
    assume(np.all(np.isfinite(ref_f)) and ref_f.min() > 1e-6)
    assert_allclose(fitness, ref_f, rtol=1e-6)
    assert_allclose(complexity_, ref_q, rtol=1e-6)


# --------------------------------------------------------------------------- invariances


@PROPERTY
@given(values=matrices(low=0), scale=st.floats(1e-3, 1e3))
def test_rca_unchanged_by_scaling_all_values(values, scale) -> None:
    assert_allclose(rca(values * scale), rca(values), rtol=1e-12)


@PROPERTY
@given(values=matrices(), data=st.data())
def test_pure_results_permute_with_regions_and_activities(values, data) -> None:
    m = rca_presence(values)
    assume(complexity_ok(m) and sign_is_defined(m))
    rows = np.array(data.draw(st.permutations(range(m.shape[0]))))
    cols = np.array(data.draw(st.permutations(range(m.shape[1]))))
    permuted = m[rows][:, cols]
    assert np.array_equal(rca_presence(values[rows][:, cols]), permuted)  # exact, integer sums

    eci, pci = eci_pci(m)
    eci_p, pci_p = eci_pci(permuted)
    assert_allclose(eci_p, eci[rows], atol=1e-8)
    assert_allclose(pci_p, pci[cols], atol=1e-8)

    phi = proximity_matrix(m)
    density = relatedness_density(m, phi)
    density_p = relatedness_density(permuted, proximity_matrix(permuted))
    assert_allclose(density_p, density[rows][:, cols], atol=1e-12)

    cog = complexity_outlook_gain(m, phi, pci)
    cog_p = complexity_outlook_gain(permuted, proximity_matrix(permuted), pci_p)
    assert_allclose(cog_p, cog[rows][:, cols], atol=1e-8)


def _long(values: np.ndarray, regions: list[str], activities: list[str]) -> pd.DataFrame:
    r, a = np.nonzero(values)
    return pd.DataFrame({"region": np.array(regions)[r], "activity": np.array(activities)[a], "value": values[r, a]})


@settings(PROPERTY, max_examples=15)
@given(values=matrices(), data=st.data())
def test_complexity_results_follow_labels_not_row_order(values, data) -> None:
    assume(complexity_ok(rca_presence(values)) and sign_is_defined(rca_presence(values)))
    n_regions, n_activities = values.shape
    regions = [f"r{i}" for i in range(n_regions)]
    activities = [f"a{j}" for j in range(n_activities)]
    # New labels whose sorted order is a permutation of the original one, and shuffled rows.
    region_rank = data.draw(st.permutations(range(n_regions)))
    activity_rank = data.draw(st.permutations(range(n_activities)))
    relabelled = _long(values, [f"q{k}" for k in region_rank], [f"b{k}" for k in activity_rank])
    shuffle = np.array(data.draw(st.permutations(range(len(relabelled)))))
    original = complexity(_long(values, regions, activities))
    moved = complexity(relabelled.iloc[shuffle])
    back = {f"q{k}": regions[i] for i, k in enumerate(region_rank)}
    back_a = {f"b{k}": activities[j] for j, k in enumerate(activity_rank)}
    moved = moved.assign(
        region=moved["region"].astype(str).map(back), activity=moved["activity"].astype(str).map(back_a)
    )
    key = ["region", "activity"]
    left = original.assign(region=original["region"].astype(str), activity=original["activity"].astype(str))
    merged = left.merge(moved, on=key, suffixes=("", "_moved"))
    assert len(merged) == n_regions * n_activities
    for column in ("rca", "mcp", "eci", "pci", "density", "coi", "cog"):
        assert_allclose(merged[f"{column}_moved"], merged[column], atol=1e-8, err_msg=column)


@PROPERTY
@given(values=matrices())
def test_eci_standardised_and_oriented_with_diversity(values) -> None:
    m = rca_presence(values)
    assume(complexity_ok(m))
    eci, pci = eci_pci(m)
    assert abs(eci.mean()) < 1e-10
    assert np.std(eci, ddof=0) == pytest.approx(1.0)
    k = m.sum(axis=1)
    if np.ptp(k) > 0:
        assert np.corrcoef(eci, k)[0, 1] >= -1e-10
    # Growth Lab: a region's ECI is the mean PCI of its activities
    assert_allclose(m @ pci / k, eci, atol=1e-8)


@PROPERTY
@given(values=matrices(low=0))
def test_proximity_symmetric_unit_diagonal_in_unit_interval(values) -> None:
    m = rca_presence(values)
    phi = proximity_matrix(m)
    assert_allclose(phi, phi.T)
    assert np.all((phi >= 0) & (phi <= 1))
    # every activity has an RCA >= 1 somewhere (the column-share-weighted mean RCA is 1)
    assert_allclose(np.diag(phi), 1.0)
    assert_allclose(np.diag(proximity_matrix(m, diagonal="zero")), 0.0)


@PROPERTY
@given(values=matrices(low=0))
def test_density_in_unit_interval(values) -> None:
    m = rca_presence(values)
    density = relatedness_density(m, proximity_matrix(m))
    assert np.all((density >= 0) & (density <= 1 + 1e-12))
    percent = relatedness_density(m, proximity_matrix(m), scale="percent")
    assert_allclose(percent, density * 100)
