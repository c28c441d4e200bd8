"""Economic and knowledge complexity: diversity, ubiquity, ECI/PCI, reflections,
fitness & complexity, complexity outlook index and gain.

ECI and PCI are computed as the second singular vectors of
:math:`\\tilde M = D^{-1/2} M U^{-1/2}` (Mealy, Farmer & Teytelboym 2019), rescaled by
:math:`D^{-1/2}` and :math:`U^{-1/2}`. They are exactly the eigenvectors of
:math:`D^{-1} M U^{-1} M^T` and :math:`U^{-1} M^T D^{-1} M` used by Hidalgo & Hausmann
(2009), without forming either dense matrix or decomposing it fully.
The same maths on region x technology data gives the knowledge complexity index
(KCI) and technological complexity index (TCI) of Balland & Rigby (2017).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from scipy.linalg import eigh
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, svds

from clusterix._validation import (
    ArrayOrSparse,
    FloatArray,
    FloatSparse,
    Matrix,
    as_csr,
    as_dense,
    check_matrix,
    check_number,
    check_option,
)
from clusterix.errors import AmbiguousResultError, NotConvergedError
from clusterix.indicators.conventions import Conventions, resolve_conventions
from clusterix.indicators.specialisation import _scale_sparse

__all__ = [
    "ComplexityVectors",
    "METHODS",
    "COG_VARIANTS",
    "complexity_outlook_gain",
    "complexity_outlook_index",
    "complexity_vectors",
    "diversity",
    "eci_pci",
    "fitness_complexity",
    "reflections",
    "ubiquity",
]

METHODS = ("eigenvector", "reflections")
COG_VARIANTS = ("growthlab", "atlas")
DEFAULT_STEPS = 20
# ARPACK needs k < min(shape); for such tiny matrices the top eigenpairs of the small
# Gram matrix are used instead. Larger ones never form a dense square matrix.
_GRAM_LIMIT = 64
_TIE = 1e-10
_COLLAPSE = 1e-8  # a fitness below this (mean 1) is on its way to zero, not converging

CsrPresence: TypeAlias = sp.csr_array[np.float64 | np.int8, tuple[int, int]]
"""A presence matrix in CSR format: float64 from the public functions, int8 from the pipeline."""


def diversity(presence: ArrayOrSparse) -> FloatArray:
    r"""Number of activities each region is present in, :math:`k_{r,0} = \sum_p M_{rp}`.

    Parameters
    ----------
    presence : (n_regions, n_activities) array_like or scipy.sparse matrix
        Binary presence matrix (1 where a region is specialised in an activity, e.g.
        :func:`~clusterix.indicators.presence` of RCA).

    Returns
    -------
    (n_regions,) ndarray of float64
        The diversity of each region.

    References
    ----------
    Hidalgo, C. A. & Hausmann, R. (2009). The building blocks of economic complexity.
    *Proceedings of the National Academy of Sciences* 106(26), 10570-10575.

    Examples
    --------
    >>> diversity(np.array([[1, 1], [0, 1]])).tolist()
    [2.0, 1.0]
    """
    presence = check_matrix(presence, name="presence", function="diversity")
    return np.asarray(presence.sum(axis=1), dtype=np.float64).ravel()


def ubiquity(presence: ArrayOrSparse) -> FloatArray:
    r"""Number of regions present in each activity, :math:`k_{p,0} = \sum_r M_{rp}`.

    Parameters
    ----------
    presence : (n_regions, n_activities) array_like or scipy.sparse matrix
        Binary presence matrix (1 where a region is specialised in an activity, e.g.
        :func:`~clusterix.indicators.presence` of RCA).

    Returns
    -------
    (n_activities,) ndarray of float64
        The ubiquity of each activity.

    References
    ----------
    Hidalgo, C. A. & Hausmann, R. (2009). The building blocks of economic complexity.
    *Proceedings of the National Academy of Sciences* 106(26), 10570-10575.

    Examples
    --------
    >>> ubiquity(np.array([[1, 1], [0, 1]])).tolist()
    [1.0, 2.0]
    """
    presence = check_matrix(presence, name="presence", function="ubiquity")
    return np.asarray(presence.sum(axis=0), dtype=np.float64).ravel()


def reflections(presence: ArrayOrSparse, *, steps: int = DEFAULT_STEPS) -> tuple[FloatArray, FloatArray]:
    r"""Method of reflections (Hidalgo & Hausmann 2009): :math:`k_{r,N}` and :math:`k_{p,N}`.

    .. math:: k_{r,N} = \frac{1}{k_{r,0}} \sum_p M_{rp} k_{p,N-1}, \qquad
              k_{p,N} = \frac{1}{k_{p,0}} \sum_r M_{rp} k_{r,N-1}

    Step 0 gives diversity and ubiquity.

    Parameters
    ----------
    presence : (n_regions, n_activities) array_like or scipy.sparse matrix
        Binary presence matrix (1 where a region is specialised in an activity, e.g.
        :func:`~clusterix.indicators.presence` of RCA).
        Every region and activity needs at least one presence.
    steps : int, default 20
        Number of reflections, >= 0.

    Returns
    -------
    k_r : (n_regions,) ndarray of float64
        :math:`k_{r,N}` of each region after ``steps`` reflections.
    k_p : (n_activities,) ndarray of float64
        :math:`k_{p,N}` of each activity after ``steps`` reflections.

    Raises
    ------
    AmbiguousResultError
        If a region or activity has no presence.

    References
    ----------
    Hidalgo, C. A. & Hausmann, R. (2009). The building blocks of economic complexity.
    *Proceedings of the National Academy of Sciences* 106(26), 10570-10575.

    Examples
    --------
    >>> [v.tolist() for v in reflections(np.array([[1, 1], [0, 1]]), steps=1)]
    [[1.5, 2.0], [2.0, 1.5]]
    """
    presence = check_matrix(presence, name="presence", function="reflections")
    check_number(steps, name="steps", function="reflections", low=0, integer=True)
    _check_degrees(presence)
    return _reflections(sp.csr_array(presence), steps)


def _reflections(presence: CsrPresence, steps: int) -> tuple[FloatArray, FloatArray]:
    region_degree = _degrees(presence, axis=1)
    activity_degree = _degrees(presence, axis=0)
    kr, kp = region_degree, activity_degree
    for _ in range(steps):
        kr, kp = _product(presence, kp) / region_degree, _product(presence.T, kr) / activity_degree
    return kr, kp


def _degrees(presence: CsrPresence | Matrix, axis: int) -> FloatArray:
    """Row (``axis=1``) or column (``axis=0``) sums as a float64 vector."""
    return np.asarray(presence.sum(axis=axis), dtype=np.float64).ravel()


def _product(matrix: CsrPresence | sp.csc_array[np.float64 | np.int8], vector: FloatArray) -> FloatArray:
    """``matrix @ vector``: a dense float64 vector (scipy-stubs types it as possibly sparse)."""
    return np.asarray(matrix @ vector, dtype=np.float64)


def _deflated_reflections(
    presence: CsrPresence, region_degree: FloatArray, activity_degree: FloatArray, steps: int
) -> FloatArray:
    """k_{r,steps} up to an affine map, computed stably.

    Two reflections multiply by :math:`D^{-1} M U^{-1} M^T`, whose eigenvalue-1 direction is
    the constant vector; raw reflections converge to it, so standardising k_{r,N} loses
    digits as N grows. Removing the degree-weighted mean (the projection on that
    direction, which the map preserves) and rescaling at every step leaves every other
    component, and so the standardised result, unchanged in exact arithmetic.
    """
    region = region_degree.copy()
    activity = activity_degree.copy()
    for step in range(1, steps + 1):
        region, activity = _product(presence, activity) / region_degree, _product(presence.T, region) / activity_degree
        region = region - (region_degree @ region) / region_degree.sum()
        activity = activity - (activity_degree @ activity) / activity_degree.sum()
        spread = max(np.abs(region).max(), np.abs(activity).max())
        if spread == 0:
            raise AmbiguousResultError(
                f"After {step} reflections every region has the same value: the network "
                "has no second dimension, so ECI is undefined."
            )
        region, activity = region / spread, activity / spread
    return region


Labels: TypeAlias = tuple[pd.Index, pd.Index] | None
"""The region and activity labels of a matrix's rows and columns, for messages."""


def _name(positions: npt.NDArray[np.intp], labels: pd.Index | None) -> list[Any]:
    """The first few offending units, by label when labels are known, else by position."""
    first = positions[:5]
    return [labels[i] for i in first] if labels is not None else first.tolist()


def _check_degrees(presence: CsrPresence | Matrix, labels: Labels = None) -> None:
    region_labels, activity_labels = labels if labels is not None else (None, None)
    rows = np.flatnonzero(_degrees(presence, axis=1) == 0)
    columns = np.flatnonzero(_degrees(presence, axis=0) == 0)
    if rows.size or columns.size:
        raise AmbiguousResultError(
            "Complexity is undefined for regions or activities with no presence: "
            f"{rows.size} region(s) (first {_name(rows, region_labels)}) and {columns.size} "
            f"activity(ies) (first {_name(columns, activity_labels)}) are empty. Lower the "
            "presence threshold or drop them."
        )


def _check_connected(presence: CsrPresence, labels: Labels = None) -> None:
    n_regions = presence.shape[0]
    graph = sp.block_array([[None, presence], [presence.T, None]], format="csr")
    # scipy-stubs types a block of int8/float64 blocks as csr_array[number], which its own
    # connected_components signature does not accept; the call is valid for any numeric graph.
    count, parts = connected_components(graph, directed=False)  # type: ignore[arg-type]
    if count > 1:
        sizes = np.bincount(parts)
        outside = np.flatnonzero(parts[:n_regions] != parts[0])
        raise AmbiguousResultError(
            f"The region-activity network has {count} disconnected parts (sizes "
            f"{sorted(sizes.tolist(), reverse=True)[:5]}), so ECI/PCI are not uniquely "
            f"defined. Regions outside the part of the first region: "
            f"{_name(outside, None if labels is None else labels[0])}. Compute complexity "
            "for each part separately or lower the presence threshold."
        )


@dataclass(frozen=True)
class ComplexityVectors:
    """Raw complexity vectors, oriented by the sign convention, before any scaling.

    ``region`` is :math:`k_r = D^{-1} M k_p`, so a region's value is the mean over its
    activities; ``singular_value`` is :math:`\\sigma_2` (NaN for reflections).
    """

    region: FloatArray
    activity: FloatArray
    singular_value: float


def complexity_vectors(
    presence: ArrayOrSparse,
    *,
    method: str = "eigenvector",
    sign: str = "diversity",
    steps: int = DEFAULT_STEPS,
) -> ComplexityVectors:
    r"""Unscaled ECI/PCI vectors by the eigenvector (SVD) method or by reflections.

    Parameters
    ----------
    presence : (n_regions, n_activities) array_like or scipy.sparse matrix
        Binary presence matrix (1 where a region is specialised in an activity, e.g.
        :func:`~clusterix.indicators.presence` of RCA).
        Every region and activity needs at least one presence.
    method : {"eigenvector", "reflections"}, default "eigenvector"
        The second singular vectors of :math:`D^{-1/2} M U^{-1/2}` (Mealy et al. 2019),
        or ``steps`` deflated reflections.
    sign : {"diversity", "reflections"}, default "diversity"
        The vectors are oriented to correlate positively with diversity, or with the
        region values after 20 reflections.
    steps : int, default 20
        Number of reflections (``method="reflections"``).

    Returns
    -------
    ComplexityVectors
        ``region`` (:math:`k_r`, the mean of its activities' values), ``activity``
        (:math:`k_p`) and ``singular_value`` (:math:`\sigma_2`; NaN for reflections).

    Raises
    ------
    AmbiguousResultError
        Empty rows/columns, a disconnected network, or tied singular values.
    NotConvergedError
        The iterative SVD did not converge.

    References
    ----------
    Hidalgo, C. A. & Hausmann, R. (2009). The building blocks of economic complexity.
    *Proceedings of the National Academy of Sciences* 106(26), 10570-10575.

    Mealy, P., Farmer, J. D. & Teytelboym, A. (2019). Interpreting economic complexity.
    *Science Advances* 5(1), eaau1705.
    """
    presence = check_matrix(presence, name="presence", function="complexity_vectors")
    check_option(method, METHODS, name="method", function="complexity_vectors")
    check_option(sign, ("diversity", "reflections"), name="sign", function="complexity_vectors")
    check_number(steps, name="steps", function="complexity_vectors", low=0, integer=True)
    return _complexity_vectors(sp.csr_array(presence), method, sign, steps)


def _complexity_vectors(
    presence: CsrPresence, method: str, sign: str, steps: int, labels: Labels = None
) -> ComplexityVectors:
    _check_degrees(presence, labels)
    region_degree = _degrees(presence, axis=1)
    activity_degree = _degrees(presence, axis=0)
    if method == "eigenvector":
        try:
            region, activity, sigmas = _second_singular_vectors(presence, region_degree, activity_degree)
        except (NotConvergedError, AmbiguousResultError):
            _check_connected(presence, labels)  # a disconnected network is the likelier cause
            raise
        if sigmas[1] > 1.0 - 1e-9:  # singular value 1 repeats exactly when disconnected
            _check_connected(presence, labels)
        if len(sigmas) > 2 and sigmas[1] - sigmas[2] < _TIE * max(sigmas[1], 1.0):
            raise AmbiguousResultError(
                f"The second and third singular values tie ({sigmas[1]:.12g}, {sigmas[2]:.12g}), "
                "so the ECI/PCI direction is not unique."
            )
        sigma = float(sigmas[1])
    else:
        region = _deflated_reflections(presence, region_degree, activity_degree, steps)
        activity = _product(presence.T, region) / activity_degree
        sigma = float("nan")
    reference = region_degree if sign == "diversity" else _reflections(presence, DEFAULT_STEPS)[0]
    orientation = _orientation(region, reference)
    return ComplexityVectors(orientation * region, orientation * activity, sigma)


def _orientation(vector: FloatArray, reference: FloatArray) -> float:
    """+1 or -1 so that ``vector`` correlates positively with ``reference``."""
    if np.ptp(vector) == 0:
        raise AmbiguousResultError("The complexity vector is constant; ECI is undefined.")
    correlation = 0.0 if np.ptp(reference) == 0 else float(np.corrcoef(vector, reference)[0, 1])
    if abs(correlation) < 1e-12:
        raise AmbiguousResultError(
            "The sign of ECI is undefined: the ECI vector is uncorrelated with the sign "
            "reference (e.g. every region has the same diversity), so either orientation "
            "is equally valid. Use eci_sign='reflections' in the conventions or add regions."
        )
    return -1.0 if correlation < 0 else 1.0


def _second_singular_vectors(
    presence: CsrPresence, region_degree: FloatArray, activity_degree: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Raw ECI/PCI vectors from the second singular pair of D^-1/2 M U^-1/2, and the top
    three singular values (descending)."""
    left_scale = 1.0 / np.sqrt(region_degree)
    right_scale = 1.0 / np.sqrt(activity_degree)
    normalised = _scale_sparse(as_csr(presence), left_scale, right_scale)
    if min(normalised.shape) <= _GRAM_LIMIT:  # measured: ARPACK is faster beyond this
        sigmas, second_right = _top_singular_dense(normalised.toarray())
    else:
        sigmas, second_right = _top_singular_sparse(normalised)
    activity = second_right * right_scale
    region = _product(presence, activity) / region_degree
    return region, activity, sigmas


def _top_singular_dense(matrix: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Top three singular values and the second right singular vector, from the top
    eigenpairs of the Gram matrix of the shorter side (only those are computed)."""
    short_rows = matrix.shape[0] <= matrix.shape[1]
    gram = matrix @ matrix.T if short_rows else matrix.T @ matrix
    n = gram.shape[0]
    k = min(3, n)
    values, vectors = eigh(gram, subset_by_index=[n - k, n - 1], driver="evx")
    values, vectors = np.asarray(values[::-1], dtype=np.float64), np.asarray(vectors[:, ::-1], dtype=np.float64)
    sigmas = np.sqrt(np.clip(values, 0.0, None))
    if sigmas[1] <= 0:
        raise AmbiguousResultError(
            "Every region has the same activities: the region-activity matrix has rank 1, so ECI/PCI are undefined."
        )
    second = matrix.T @ vectors[:, 1] / sigmas[1] if short_rows else vectors[:, 1]
    return sigmas, second


def _top_singular_sparse(matrix: FloatSparse) -> tuple[FloatArray, FloatArray]:
    """Top three singular values and the second right singular vector by ARPACK."""
    try:
        _, sigmas, right_t = svds(
            matrix,
            k=3,
            tol=0,
            maxiter=10_000,
            v0=np.random.default_rng(0).uniform(0.5, 1.5, min(matrix.shape)),
        )
    except (ArpackNoConvergence, ArpackError) as error:
        raise NotConvergedError(f"The sparse SVD for ECI/PCI did not converge: {error}") from error
    order = np.argsort(sigmas)[::-1]
    second: FloatArray = right_t[order[1]]
    return np.asarray(sigmas[order], dtype=np.float64), second


def _std(vector: FloatArray, ddof: int) -> float:
    return float(np.std(vector, ddof=ddof))


def scale_vectors(vectors: ComplexityVectors, conventions: Conventions) -> tuple[FloatArray, FloatArray]:
    """ECI and PCI from oriented raw vectors under the scaling conventions."""
    region, activity = vectors.region, vectors.activity
    if conventions.eci_scale == "unit_sum":
        return region / abs(region.sum()), activity / abs(activity.sum())
    spread = _std(region, conventions.ddof)
    eci = (region - region.mean()) / spread
    if conventions.pci_reference == "eci":
        return eci, (activity - region.mean()) / spread
    return eci, (activity - activity.mean()) / _std(activity, conventions.ddof)


def eci_pci(
    presence: ArrayOrSparse,
    *,
    method: str = "eigenvector",
    conventions: str | Conventions = "growthlab",
    steps: int = DEFAULT_STEPS,
) -> tuple[FloatArray, FloatArray]:
    """Economic complexity index of regions and product (activity) complexity index.

    With the default Growth Lab conventions, ECI is z-scored (population standard
    deviation) and oriented to correlate positively with diversity; PCI is
    standardised with the ECI's mean and standard deviation, so that (for the
    eigenvector method) a region's ECI is the mean PCI of its activities.
    ``method="reflections"`` uses the region values after ``steps`` reflections and the
    activity values one reflection later; they approach the eigenvector ECI/PCI as
    steps grow, slowly when the second and third eigenvalues are close. On region x
    technology data the same indices are the knowledge and technological complexity
    indices (KCI, TCI) of Balland & Rigby (2017).

    Parameters
    ----------
    presence : (n_regions, n_activities) array_like or scipy.sparse matrix
        Binary presence matrix (1 where a region is specialised in an activity, e.g.
        :func:`~clusterix.indicators.presence` of RCA).
        Every region and activity needs at least one presence.
    method : {"eigenvector", "reflections"}, default "eigenvector"
        Second singular vectors (exact), or ``steps`` reflections.
    conventions : {"growthlab", "atlas", "econgeo"} or Conventions, default "growthlab"
        Scaling and sign conventions (:class:`~clusterix.indicators.Conventions`).
    steps : int, default 20
        Number of reflections (``method="reflections"``).

    Returns
    -------
    eci : (n_regions,) ndarray of float64
        Economic complexity index of each region.
    pci : (n_activities,) ndarray of float64
        Product (activity) complexity index of each activity.

    Raises
    ------
    AmbiguousResultError
        Empty rows/columns, a disconnected network, tied singular values or an undefined
        sign.
    NotConvergedError
        The iterative SVD did not converge.

    References
    ----------
    Hidalgo, C. A. & Hausmann, R. (2009). The building blocks of economic complexity.
    *Proceedings of the National Academy of Sciences* 106(26), 10570-10575.

    Hausmann, R., Hidalgo, C. A., Bustos, S., Coscia, M., Simoes, A. & Yıldırım, M. A.
    (2014). *The Atlas of Economic Complexity: Mapping Paths to Prosperity*. Cambridge, MA:
    MIT Press.

    Mealy, P., Farmer, J. D. & Teytelboym, A. (2019). Interpreting economic complexity.
    *Science Advances* 5(1), eaau1705.

    Balland, P.-A. & Rigby, D. (2017). The geography of complex knowledge.
    *Economic Geography* 93(1), 1-23.

    Examples
    --------
    >>> m = np.array([[1, 1, 1, 1], [0, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1]])
    >>> eci, pci = eci_pci(m)
    >>> bool(np.isclose(eci.mean(), 0) and np.isclose(eci.std(), 1))
    True
    """
    presence = check_matrix(presence, name="presence", function="eci_pci")
    check_option(method, METHODS, name="method", function="eci_pci")
    check_number(steps, name="steps", function="eci_pci", low=0, integer=True)
    conventions = resolve_conventions(conventions, function="eci_pci")
    vectors = _complexity_vectors(sp.csr_array(presence), method, conventions.eci_sign, steps)
    return scale_vectors(vectors, conventions)


def fitness_complexity(
    presence: ArrayOrSparse, *, max_iter: int = 1000, tol: float = 1e-10
) -> tuple[FloatArray, FloatArray]:
    r"""Fitness of regions and complexity of activities (Tacchella et al. 2012).

    .. math:: \tilde F_r^{(n)} = \sum_p M_{rp} Q_p^{(n-1)}, \qquad
              \tilde Q_p^{(n)} = \Big(\sum_r M_{rp} / F_r^{(n-1)}\Big)^{-1}

    each normalised to mean 1 after every step, until the largest absolute change is
    below ``tol``.

    Parameters
    ----------
    presence : (n_regions, n_activities) array_like or scipy.sparse matrix
        Binary presence matrix (1 where a region is specialised in an activity, e.g.
        :func:`~clusterix.indicators.presence` of RCA).
        Every region and activity needs at least one presence.
    max_iter : int, default 1000
        Largest number of iterations, >= 1.
    tol : float, default 1e-10
        Convergence tolerance on the largest absolute change, > 0.

    Returns
    -------
    fitness : (n_regions,) ndarray of float64
        Fitness of each region (mean 1).
    complexity : (n_activities,) ndarray of float64
        Complexity of each activity (mean 1).

    Raises
    ------
    NotConvergedError
        If ``max_iter`` steps do not reach ``tol`` (or a fitness collapses to zero).

    References
    ----------
    Tacchella, A., Cristelli, M., Caldarelli, G., Gabrielli, A. & Pietronero, L. (2012).
    A new metrics for countries' fitness and products' complexity. *Scientific Reports* 2, 723.

    Examples
    --------
    >>> f, q = fitness_complexity(np.array([[1, 1, 1], [1, 1, 0], [0, 1, 1]]))
    >>> f.round(3).tolist(), q.round(3).tolist()
    ([1.342, 0.829, 0.829], [1.146, 0.708, 1.146])
    """
    presence = check_matrix(presence, name="presence", function="fitness_complexity")
    check_number(max_iter, name="max_iter", function="fitness_complexity", low=1, integer=True)
    check_number(tol, name="tol", function="fitness_complexity", low=0, low_inclusive=False)
    _check_degrees(presence)
    matrix = sp.csr_array(presence)  # float64, as checked
    fitness = np.ones(matrix.shape[0])
    complexity = np.ones(matrix.shape[1])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for iteration in range(1, max_iter + 1):
            new_fitness = _product(matrix, complexity)
            new_complexity = 1.0 / _product(matrix.T, 1.0 / fitness)
            new_fitness /= new_fitness.mean()
            new_complexity /= new_complexity.mean()
            if not (np.all(np.isfinite(new_fitness)) and np.all(np.isfinite(new_complexity))):
                raise NotConvergedError(
                    f"Fitness-complexity broke down at iteration {iteration}: a fitness "
                    "collapsed to zero (a strongly nested matrix). Use fewer iterations "
                    "and rank-based results, or the eigenvector ECI.",
                    iterations=iteration,
                )
            if new_fitness.min() < _COLLAPSE:
                raise NotConvergedError(
                    f"Fitness-complexity: the fitness of region row {int(new_fitness.argmin())} "
                    f"collapsed towards zero ({new_fitness.min():.2g}) at iteration {iteration}, "
                    "as happens for strongly nested matrices, whose fixed point has zero "
                    "fitnesses. Use the ranking after fewer iterations or the eigenvector ECI.",
                    iterations=iteration,
                )
            change = max(np.abs(new_fitness - fitness).max(), np.abs(new_complexity - complexity).max())
            fitness, complexity = new_fitness, new_complexity
            if change < tol:
                return fitness, complexity
    raise NotConvergedError(
        f"Fitness-complexity did not converge to tol={tol} in {max_iter} iterations "
        f"(last change {change:.3g}). Raise max_iter or tol.",
        iterations=max_iter,
    )


def complexity_outlook_index(
    presence: ArrayOrSparse, density: ArrayOrSparse, pci: npt.ArrayLike, *, ddof: int = 0
) -> FloatArray:
    r"""Complexity outlook index: how much complexity lies close to a region.

    .. math:: COI_r = \operatorname{z}\Big(\sum_p d_{rp} (1 - M_{rp})\, PCI_p\Big)

    z-scored across regions as in the Growth Lab's ``ecomplexity``, with density as a
    share. The z-score removes the scale of PCI but not a shift: to reproduce
    :func:`clusterix.indicators.complexity`, pass PCI on the eigenvector scale,
    ``complexity_vectors(m).activity``, not the re-centred PCI of :func:`eci_pci`.

    Parameters
    ----------
    presence : (n_regions, n_activities) array_like or scipy.sparse matrix
        Binary presence matrix (1 where a region is specialised in an activity, e.g.
        :func:`~clusterix.indicators.presence` of RCA).
    density : (n_regions, n_activities) array_like or scipy.sparse matrix
        Relatedness density as a share (:func:`~clusterix.indicators.relatedness_density`).
    pci : (n_activities,) array_like
        Complexity of each activity.
    ddof : int, default 0
        Delta degrees of freedom of the standard deviation in the z-score.

    Returns
    -------
    (n_regions,) ndarray of float64
        The complexity outlook index of each region (all 0 when the raw outlook is
        constant).

    References
    ----------
    Hausmann, R., Hidalgo, C. A., Bustos, S., Coscia, M., Simoes, A. & Yıldırım, M. A.
    (2014). *The Atlas of Economic Complexity: Mapping Paths to Prosperity*. Cambridge, MA:
    MIT Press.

    The Growth Lab at Harvard University. ``ecomplexity``, Python package, version 0.5.3.
    """
    dense_presence = as_dense(check_matrix(presence, name="presence", function="complexity_outlook_index"))
    dense_density = as_dense(check_matrix(density, name="density", function="complexity_outlook_index"))
    return _coi(dense_presence, dense_density, np.asarray(pci, dtype=np.float64), ddof)


def _coi(presence: FloatArray, density: FloatArray, pci: FloatArray, ddof: int) -> FloatArray:
    raw: FloatArray = (density * (1.0 - presence)) @ pci
    spread = _std(raw, ddof)
    return (raw - raw.mean()) / spread if spread > 0 else np.zeros_like(raw)


def complexity_outlook_gain(
    presence: ArrayOrSparse,
    proximity: ArrayOrSparse,
    pci: npt.ArrayLike,
    *,
    variant: str = "growthlab",
    density: ArrayOrSparse | None = None,
) -> FloatArray:
    r"""Complexity outlook gain: how much a region's outlook improves by entering p.

    .. math:: COG_{rp} = (1 - M_{rp}) \Big[\sum_q \frac{\phi_{qp}}{\sum_{q'} \phi_{qq'}}
              (1 - M_{rq})\, PCI_q \;-\; \big[ (1 - \delta_{rp})\, PCI_p \big]_{\text{atlas}}\Big]

    with :math:`\delta_{rp} = 1 - d_{rp}` the *distance* of the Atlas (Hausmann et al.
    2014), so the Atlas term is :math:`d_{rp} PCI_p`. The Growth Lab variant is linear in
    PCI: :func:`clusterix.indicators.complexity` passes PCI on the eigenvector scale
    (``complexity_vectors(m).activity`` divided by the standard deviation of ``.region``),
    as ecomplexity does.

    Parameters
    ----------
    presence : (n_regions, n_activities) array_like or scipy.sparse matrix
        Binary presence matrix (1 where a region is specialised in an activity, e.g.
        :func:`~clusterix.indicators.presence` of RCA).
    proximity : (n_activities, n_activities) array_like or scipy.sparse matrix
        Proximity (relatedness) of activities, e.g.
        :func:`~clusterix.indicators.proximity_matrix`.
    pci : (n_activities,) array_like
        Complexity of each activity.
    variant : {"growthlab", "atlas"}, default "growthlab"
        ``"growthlab"`` (ecomplexity) omits the Atlas term; ``"atlas"`` keeps it and
        needs ``density``.
    density : (n_regions, n_activities) array_like or scipy.sparse matrix, optional
        Relatedness density as a share; required when ``variant="atlas"``.

    Returns
    -------
    (n_regions, n_activities) ndarray of float64
        The gain of each region from each activity it is not present in (0 where it is).

    Raises
    ------
    InvalidInputError
        If ``variant="atlas"`` and ``density`` is not given.

    References
    ----------
    Hausmann, R., Hidalgo, C. A., Bustos, S., Coscia, M., Simoes, A. & Yıldırım, M. A.
    (2014). *The Atlas of Economic Complexity: Mapping Paths to Prosperity*. Cambridge, MA:
    MIT Press.

    The Growth Lab at Harvard University. ``ecomplexity``, Python package, version 0.5.3.

    Examples
    --------
    >>> m = np.array([[1, 0], [0, 1]])
    >>> complexity_outlook_gain(m, np.array([[1.0, 0.5], [0.5, 1.0]]), np.array([1.0, -1.0])).tolist()
    [[0.0, -0.6666666666666666], [0.6666666666666666, 0.0]]
    """
    dense_presence = as_dense(check_matrix(presence, name="presence", function="complexity_outlook_gain"))
    dense_proximity = as_dense(
        check_matrix(proximity, name="proximity", function="complexity_outlook_gain", square=True)
    )
    check_option(variant, COG_VARIANTS, name="variant", function="complexity_outlook_gain")
    pci_vector = np.asarray(pci, dtype=np.float64)
    dense_density = None
    if variant == "atlas":
        if density is None:
            from clusterix._validation import parameter_error

            raise parameter_error("density", "complexity_outlook_gain", "given when variant='atlas'", None)
        dense_density = as_dense(check_matrix(density, name="density", function="complexity_outlook_gain"))
    return _cog(dense_presence, dense_proximity, pci_vector, variant, dense_density)


def _cog(
    presence: FloatArray,
    proximity: FloatArray,
    pci: FloatArray,
    variant: str,
    density: FloatArray | None,
) -> FloatArray:
    row_totals = proximity.sum(axis=1)
    weights = np.zeros_like(row_totals)
    np.divide(pci, row_totals, out=weights, where=row_totals != 0)
    # (1 - M) @ (diag(w) phi) = 1 (w phi) - (M diag(w)) phi: one BLAS product, no 1 - M copy.
    gain: FloatArray = (presence * weights[None, :]) @ proximity
    np.subtract(weights @ proximity, gain, out=gain)
    if variant == "atlas":
        if density is None:
            raise ValueError("the Atlas complexity outlook gain needs the density")
        # The Atlas writes -(1 - d_rp) PCI_p with d the *distance* 1 - density.
        gain -= density * pci[None, :]
    gain *= 1.0 - presence
    gain += 0.0  # present cells: -0.0 -> 0.0
    return gain
