"""Relatedness between activities and the relatedness density of regions around them.

Co-occurrence counts how often two activities are present in the same region;
normalisations turn counts into relatedness: the minimum conditional probability of
Hidalgo et al. (2007) and the association, probabilistic, cosine and Jaccard measures
of van Eck & Waltman (2009) as EconGeo's ``relatedness`` applies them.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from clusterix._validation import (
    ArrayOrSparse,
    FloatArray,
    Matrix,
    as_dense,
    check_matrix,
    check_option,
)
from clusterix.indicators.specialisation import PresenceMatrix

__all__ = [
    "DIAGONALS",
    "NORMALISATIONS",
    "co_occurrence",
    "normalise_co_occurrence",
    "proximity_matrix",
    "relatedness_density",
]

DIAGONALS = ("keep", "zero")
NORMALISATIONS = ("association", "probability", "cosine", "jaccard")
DENSITY_SCALES = ("share", "percent")


def co_occurrence(presence: ArrayOrSparse, *, diagonal: str = "zero") -> FloatArray:
    """Number of regions in which two activities are both present, :math:`C = M^T M`.

    Parameters
    ----------
    presence : (n_regions, n_activities) array_like or scipy.sparse matrix
        Binary presence matrix (1 where a region is specialised in an activity, e.g.
        :func:`~clusterix.indicators.presence` of RCA).
    diagonal : {"zero", "keep"}, default "zero"
        ``"zero"`` (EconGeo's default) sets the diagonal, each activity's ubiquity, to
        zero; ``"keep"`` leaves it.

    Returns
    -------
    (n_activities, n_activities) ndarray of float64
        Symmetric co-occurrence counts.

    References
    ----------
    Hidalgo, C. A., Klinger, B., Barabási, A.-L. & Hausmann, R. (2007). The product
    space conditions the development of nations. *Science* 317(5837), 482-487.

    Examples
    --------
    >>> co_occurrence(np.array([[1, 1], [1, 0]])).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    presence = check_matrix(presence, name="presence", function="co_occurrence")
    check_option(diagonal, DIAGONALS, name="diagonal", function="co_occurrence")
    counts = _co_occurrence(presence)
    if diagonal == "zero":
        np.fill_diagonal(counts, 0.0)
    return counts


def _co_occurrence(presence: Matrix | PresenceMatrix) -> FloatArray:
    """:math:`M^T M` as dense float64.

    Counts are integers below 2**24, so a float32 BLAS product is exact and twice as
    fast as float64; the result is widened afterwards.
    """
    dense = presence.toarray() if isinstance(presence, sp.sparray) else np.asarray(presence)
    dense = dense.astype(np.float32, copy=False)
    return (dense.T @ dense).astype(np.float64)


def proximity_matrix(presence: ArrayOrSparse, *, diagonal: str = "keep") -> FloatArray:
    r"""Proximity of activities: the minimum of the two conditional probabilities of
    being present in a region given presence in the other (Hidalgo et al. 2007).

    .. math:: \phi_{pq} = \frac{\sum_r M_{rp} M_{rq}}{\max(u_p, u_q)}, \quad u_p = \sum_r M_{rp}

    Activities present nowhere have proximity 0.

    Parameters
    ----------
    presence : (n_regions, n_activities) array_like or scipy.sparse matrix
        Binary presence matrix (1 where a region is specialised in an activity, e.g.
        :func:`~clusterix.indicators.presence` of RCA).
    diagonal : {"keep", "zero"}, default "keep"
        ``"keep"`` keeps :math:`\phi_{pp} = 1` (the Growth Lab's ``ecomplexity``);
        ``"zero"`` sets it to 0 (EconGeo).

    Returns
    -------
    (n_activities, n_activities) ndarray of float64
        Symmetric proximities in [0, 1].

    References
    ----------
    Hidalgo, C. A., Klinger, B., Barabási, A.-L. & Hausmann, R. (2007). The product
    space conditions the development of nations. *Science* 317(5837), 482-487.

    Examples
    --------
    >>> proximity_matrix(np.array([[1, 1], [1, 0], [1, 1]])).tolist()
    [[1.0, 0.6666666666666666], [0.6666666666666666, 1.0]]
    """
    presence = check_matrix(presence, name="presence", function="proximity_matrix")
    check_option(diagonal, DIAGONALS, name="diagonal", function="proximity_matrix")
    return _proximity(presence, diagonal)


def _proximity(presence: Matrix | PresenceMatrix, diagonal: str) -> FloatArray:
    counts = _co_occurrence(presence)
    ubiquity = np.diag(counts).copy()
    ubiquity[ubiquity == 0] = 1.0  # an activity present nowhere has zero counts: proximity 0
    counts /= np.maximum.outer(ubiquity, ubiquity)
    if diagonal == "zero":
        np.fill_diagonal(counts, 0.0)
    return counts


def normalise_co_occurrence(counts: ArrayOrSparse, *, method: str = "association") -> FloatArray:
    r"""Relatedness from a symmetric co-occurrence matrix, observed over expected.

    The diagonal is set to zero first (EconGeo's convention); with row sums
    :math:`s_i` and total :math:`S = \sum_i s_i`:

    - ``association``: :math:`c_{ij} S / (s_i s_j)`
    - ``probability``: :math:`c_{ij} / e_{ij}` with
      :math:`e_{ij} = \tfrac{S}{2}\big(\tfrac{s_i}{S}\tfrac{s_j}{S - s_i}
      + \tfrac{s_j}{S}\tfrac{s_i}{S - s_j}\big)`
    - ``cosine``: :math:`c_{ij} / \sqrt{s_i s_j}`
    - ``jaccard``: :math:`c_{ij} / (s_i + s_j - c_{ij})`

    Pairs whose expected value is zero get relatedness 0.

    Parameters
    ----------
    counts : (n_activities, n_activities) array_like or scipy.sparse matrix
        Symmetric, non-negative co-occurrence counts, e.g. :func:`co_occurrence`.
    method : {"association", "probability", "cosine", "jaccard"}, default "association"
        The normalisation.

    Returns
    -------
    (n_activities, n_activities) ndarray of float64
        Relatedness of each pair of activities, with a zero diagonal.

    References
    ----------
    van Eck, N. J. & Waltman, L. (2009). How to normalize cooccurrence data? An analysis
    of some well-known similarity measures. *Journal of the American Society for Information
    Science and Technology* 60(8), 1635-1651.

    Steijn, M. P. A. (2017). Improvement on the association strength: implementing
    probability measures based on combinations without repetition. Working paper, Utrecht
    University.

    Examples
    --------
    >>> counts = np.array([[0, 2, 1], [2, 0, 1], [1, 1, 0]])
    >>> normalise_co_occurrence(counts, method="jaccard").round(3).tolist()
    [[0.0, 0.5, 0.25], [0.5, 0.0, 0.25], [0.25, 0.25, 0.0]]
    """
    counts = as_dense(check_matrix(counts, name="counts", function="normalise_co_occurrence", square=True)).copy()
    check_option(method, NORMALISATIONS, name="method", function="normalise_co_occurrence")
    np.fill_diagonal(counts, 0.0)
    sums = counts.sum(axis=1)
    total = sums.sum()
    si, sj = sums[:, None], sums[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "association":
            expected = si * sj / total
        elif method == "probability":
            expected = total / 2 * (si / total * sj / (total - si) + sj / total * si / (total - sj))
        elif method == "cosine":
            expected = np.sqrt(si * sj)
        else:
            expected = si + sj - counts
    out = np.zeros_like(counts)
    np.divide(counts, expected, out=out, where=np.isfinite(expected) & (expected > 0))
    return out


def relatedness_density(presence: ArrayOrSparse, relatedness: ArrayOrSparse, *, scale: str = "share") -> FloatArray:
    r"""Relatedness density of each region around each activity (Hidalgo et al. 2007;
    Boschma, Balland & Kogler 2015).

    .. math:: d_{rp} = \frac{\sum_q M_{rq}\, \phi_{pq}}{\sum_q \phi_{pq}}

    Activities related to nothing get density 0.

    Parameters
    ----------
    presence : (n_regions, n_activities) array_like or scipy.sparse matrix
        Binary presence matrix (1 where a region is specialised in an activity, e.g.
        :func:`~clusterix.indicators.presence` of RCA).
    relatedness : (n_activities, n_activities) array_like or scipy.sparse matrix
        Any non-negative activity x activity relatedness: the proximity computed from
        the data (:func:`proximity_matrix`) or an external one (labour flows,
        input-output links).
    scale : {"share", "percent"}, default "share"
        ``"share"`` gives densities in [0, 1]; ``"percent"`` multiplies by 100 (EconGeo).

    Returns
    -------
    (n_regions, n_activities) ndarray of float64
        The relatedness density of each region around each activity.

    Raises
    ------
    InvalidInputError
        If ``relatedness`` is not square with one row per activity of ``presence``.

    References
    ----------
    Hidalgo, C. A., Klinger, B., Barabási, A.-L. & Hausmann, R. (2007). The product
    space conditions the development of nations. *Science* 317(5837), 482-487.

    Boschma, R., Balland, P.-A. & Kogler, D. F. (2015). Relatedness and technological
    change in cities: the rise and fall of technological knowledge in US metropolitan areas
    from 1981 to 2010. *Industrial and Corporate Change* 24(1), 223-250.

    Examples
    --------
    >>> relatedness_density(np.array([[1, 0]]), np.array([[1.0, 0.5], [0.5, 1.0]])).round(3).tolist()
    [[0.667, 0.333]]
    """
    presence = check_matrix(presence, name="presence", function="relatedness_density")
    relatedness = check_matrix(relatedness, name="relatedness", function="relatedness_density", square=True)
    check_option(scale, DENSITY_SCALES, name="scale", function="relatedness_density")
    if relatedness.shape[0] != presence.shape[1]:
        from clusterix._validation import parameter_error

        raise parameter_error(
            "relatedness",
            "relatedness_density",
            f"a {presence.shape[1]} x {presence.shape[1]} matrix (one row per activity)",
            f"shape {relatedness.shape}",
        )
    return _density(presence, as_dense(relatedness), scale)


def _density(presence: Matrix | PresenceMatrix, relatedness: FloatArray, scale: str) -> FloatArray:
    totals = relatedness.sum(axis=1)
    weights = np.zeros_like(totals)
    np.divide(1.0, totals, out=weights, where=totals != 0)
    if isinstance(presence, sp.sparray):
        raw = np.asarray(presence @ relatedness.T, dtype=np.float64)
    else:
        raw = np.asarray(presence, dtype=np.float64) @ relatedness.T
    raw *= weights[None, :]
    return raw * 100.0 if scale == "percent" else raw
