"""Concentration and variety: Herfindahl-Hirschman, Shannon entropy, Gini, related variety.

Region-level measures are computed on each region's activity mix (rows); the locational
Gini is computed for each activity across regions (columns).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from clusterix._validation import (
    ArrayOrSparse,
    FloatArray,
    Matrix,
    as_dense,
    check_matrix,
    check_option,
    parameter_error,
)
from clusterix.errors import InvalidInputError
from clusterix.indicators.specialisation import shares

__all__ = [
    "entropy",
    "entropy_decomposition",
    "herfindahl",
    "locational_gini",
    "related_variety",
    "specialisation_gini",
    "unrelated_variety",
]

_AXES = ("region", "activity")


def _check_totals(values: Matrix, *, axis: int, function: str) -> None:
    """Raise if a region (axis=1) or activity (axis=0) has a zero total: its mix is undefined."""
    empty = np.flatnonzero(np.asarray(values.sum(axis=axis)).ravel() == 0)
    if empty.size:
        unit, where = ("region", "rows") if axis == 1 else ("activity", "columns")
        raise InvalidInputError(
            f"The 'values' parameter of {function} has {empty.size} {unit} {where} with a zero "
            f"total (first {empty[:5].tolist()}); its structure is undefined. Drop them."
        )


def _mix(values: ArrayOrSparse, axis: str, function: str) -> FloatArray:
    """Shares along ``axis`` as a dense array with one row per unit (region or activity)."""
    values = check_matrix(values, name="values", function=function)
    check_option(axis, _AXES, name="axis", function=function)
    _check_totals(values, axis=1 if axis == "region" else 0, function=function)
    mix = as_dense(shares(values, axis=axis))
    return mix if axis == "region" else mix.T


def herfindahl(values: ArrayOrSparse, *, axis: str = "region", normalised: bool = False) -> FloatArray:
    r"""Herfindahl-Hirschman index of each region's mix (or each activity's spread).

    .. math:: HHI_r = \sum_p s_{rp}^2, \qquad HHI^*_r = \frac{HHI_r - 1/n}{1 - 1/n}

    ``normalised=True`` gives :math:`HHI^*`, which runs from 0 (even) to 1 (one
    activity), with *n* the number of activities (the convention of ``econcomplex``).

    Parameters
    ----------
    values : (n_regions, n_activities) array_like or scipy.sparse matrix
        Non-negative sizes (employment, firms, patents, projects, exports) of activities
        (columns) in regions (rows).
    axis : {"region", "activity"}, default "region"
        ``"region"`` measures each region's activity mix (rows); ``"activity"`` each
        activity's spread over regions (columns). Every unit needs a positive total.
    normalised : bool, default False
        Rescale to :math:`HHI^*`; needs at least two units to spread over.

    Returns
    -------
    (n_units,) ndarray of float64
        The index of each region (or activity): 1/n (even) to 1 (one unit), or 0 to 1
        when normalised.

    Raises
    ------
    InvalidInputError
        If a region (or activity, along ``axis``) has a zero total.

    References
    ----------
    Hirschman, A. O. (1945). *National Power and the Structure of Foreign Trade*.
    Berkeley: University of California Press.

    Herfindahl, O. C. (1950). *Concentration in the Steel Industry*. PhD thesis,
    Columbia University.

    Examples
    --------
    >>> herfindahl(np.array([[1.0, 1.0], [1.0, 0.0]])).tolist()
    [0.5, 1.0]
    """
    mix = _mix(values, axis, "herfindahl")
    index: FloatArray = (mix**2).sum(axis=1)
    if not normalised:
        return index
    n = mix.shape[1]
    if n < 2:
        raise parameter_error("values", "herfindahl", "a matrix with at least 2 units to normalise over", n)
    normalised_index: FloatArray = (index - 1.0 / n) / (1.0 - 1.0 / n)
    return normalised_index


def _entropy_of_mix(mix: FloatArray, base: float) -> FloatArray:
    logs = np.zeros_like(mix)
    np.log(mix, out=logs, where=mix > 0)
    total: FloatArray = (mix * logs).sum(axis=1)
    bits: FloatArray = -total / np.log(base) + 0.0  # + 0.0 turns -0.0 into 0.0
    return bits


def entropy(values: ArrayOrSparse, *, base: float = 2.0, axis: str = "region") -> FloatArray:
    r"""Shannon entropy of each region's activity mix (variety), in units of ``base``.

    .. math:: H_r = -\sum_{p: s_{rp} > 0} s_{rp} \log_b s_{rp}

    Base 2 (bits) follows EconGeo's ``entropy`` and Frenken et al. (2007).

    Parameters
    ----------
    values : (n_regions, n_activities) array_like or scipy.sparse matrix
        Non-negative sizes (employment, firms, patents, projects, exports) of activities
        (columns) in regions (rows).
    base : float, default 2.0
        Base of the logarithm, > 1 (2 gives bits, ``e`` nats).
    axis : {"region", "activity"}, default "region"
        ``"region"`` measures each region's activity mix (rows); ``"activity"`` each
        activity's spread over regions (columns). Every unit needs a positive total.

    Returns
    -------
    (n_units,) ndarray of float64
        The entropy of each region (or activity): 0 for one unit, :math:`\log_b n` for an
        even spread over *n*.

    Raises
    ------
    InvalidInputError
        If a region (or activity, along ``axis``) has a zero total.

    References
    ----------
    Shannon, C. E. (1948). A mathematical theory of communication. *Bell System
    Technical Journal* 27(3), 379-423.

    Frenken, K., Van Oort, F. & Verburg, T. (2007). Related variety, unrelated variety
    and regional economic growth. *Regional Studies* 41(5), 685-697.

    Examples
    --------
    >>> entropy(np.array([[1.0, 1.0, 1.0, 1.0], [1.0, 0.0, 0.0, 0.0]])).tolist()
    [2.0, 0.0]
    """
    mix = _mix(values, axis, "entropy")
    if not base > 1:
        raise parameter_error("base", "entropy", "a real number in (1, inf)", base)
    return _entropy_of_mix(mix, base)


def _lorenz_gini(amounts: FloatArray, weights: FloatArray) -> FloatArray:
    """Gini of each row of ``amounts`` against reference ``weights`` (same shape).

    Units are ordered by the ratio of the two shares (a location quotient); the Gini is
    1 - 2 x the area under the Lorenz curve (trapezoid rule).
    """
    amount_share = amounts / amounts.sum(axis=1, keepdims=True)
    weight_share = weights / weights.sum(axis=1, keepdims=True)
    ratio = np.divide(amount_share, weight_share, out=np.full_like(amount_share, np.inf), where=weight_share > 0)
    order = np.argsort(ratio, axis=1, kind="stable")
    x = np.cumsum(np.take_along_axis(weight_share, order, axis=1), axis=1)
    y = np.cumsum(np.take_along_axis(amount_share, order, axis=1), axis=1)
    x_prev = np.hstack([np.zeros((x.shape[0], 1)), x[:, :-1]])
    y_prev = np.hstack([np.zeros((y.shape[0], 1)), y[:, :-1]])
    area: FloatArray = ((x - x_prev) * (y + y_prev)).sum(axis=1)
    return 1.0 - area


_GINI_SCALES = ("coefficient", "area")


def locational_gini(values: ArrayOrSparse, *, scale: str = "coefficient") -> FloatArray:
    r"""Locational Gini of each activity: how unevenly it is spread over regions
    relative to the regions' overall size (Krugman 1991).

    Regions are ordered by their location quotient in the activity; the Lorenz curve
    plots the cumulated share of the activity against the cumulated share of total size.

    .. math:: G_p = 1 - \sum_k (X_k - X_{k-1})(Y_k + Y_{k-1})

    Parameters
    ----------
    values : (n_regions, n_activities) array_like or scipy.sparse matrix
        Non-negative sizes (employment, firms, patents, projects, exports) of activities
        (columns) in regions (rows).
        Every activity needs a positive total.
    scale : {"coefficient", "area"}, default "coefficient"
        ``"coefficient"`` gives the Gini coefficient in [0, 1); ``"area"`` gives the area
        between the curve and the diagonal, half of it, which is what EconGeo's
        ``locational.Gini`` reports.

    Returns
    -------
    (n_activities,) ndarray of float64
        The locational Gini of each activity; 0 means spread like total size.

    Raises
    ------
    InvalidInputError
        If an activity has a zero total.

    References
    ----------
    Krugman, P. (1991). *Geography and Trade*, ch. 2. Cambridge, MA: MIT Press.

    Hoover, E. M. (1936). The measurement of industrial localization. *The Review of
    Economic Statistics* 18(4), 162-171.

    Examples
    --------
    >>> locational_gini(np.array([[1.0, 1.0], [1.0, 1.0]])).tolist()
    [0.0, 0.0]
    """
    values = as_dense(check_matrix(values, name="values", function="locational_gini"))
    check_option(scale, _GINI_SCALES, name="scale", function="locational_gini")
    _check_totals(values, axis=0, function="locational_gini")
    totals = np.broadcast_to(values.sum(axis=1), values.T.shape)
    gini = _lorenz_gini(values.T, totals)
    return gini / 2 if scale == "area" else gini


def specialisation_gini(values: ArrayOrSparse, *, scale: str = "coefficient") -> FloatArray:
    """Gini of specialisation of each region: how unequal its activity mix is relative to
    the reference mix of all regions together (0 = same structure as the reference).

    The same Lorenz construction as :func:`locational_gini`, on each region's row.

    Parameters
    ----------
    values : (n_regions, n_activities) array_like or scipy.sparse matrix
        Non-negative sizes (employment, firms, patents, projects, exports) of activities
        (columns) in regions (rows).
        Every region needs a positive total.
    scale : {"coefficient", "area"}, default "coefficient"
        ``"coefficient"`` gives the Gini coefficient in [0, 1); ``"area"`` half of it (the
        area between the Lorenz curve and the diagonal).

    Returns
    -------
    (n_regions,) ndarray of float64
        The Gini of specialisation of each region.

    Raises
    ------
    InvalidInputError
        If a region has a zero total.

    References
    ----------
    Krugman, P. (1991). *Geography and Trade*, ch. 2. Cambridge, MA: MIT Press.

    Amiti, M. (1999). Specialization patterns in Europe. *Weltwirtschaftliches Archiv*
    135(4), 573-593.

    Examples
    --------
    >>> specialisation_gini(np.array([[1.0, 1.0], [1.0, 1.0]])).tolist()
    [0.0, 0.0]
    """
    values = as_dense(check_matrix(values, name="values", function="specialisation_gini"))
    check_option(scale, _GINI_SCALES, name="scale", function="specialisation_gini")
    _check_totals(values, axis=1, function="specialisation_gini")
    reference = np.broadcast_to(values.sum(axis=0), values.shape)
    gini = _lorenz_gini(values, reference)
    return gini / 2 if scale == "area" else gini


def _group_codes(groups: Sequence[Hashable], n_activities: int, function: str) -> npt.NDArray[np.intp]:
    labels = np.asarray(list(groups), dtype=object)
    name = "levels" if function == "entropy_decomposition" else "groups"
    if labels.shape != (n_activities,):
        raise parameter_error(
            name,
            function,
            f"one group label per activity ({n_activities})",
            f"{labels.shape[0]} labels",
        )
    if pd.isna(labels).any():
        missing = np.flatnonzero(pd.isna(labels))[:5].tolist()
        raise parameter_error(name, function, "free of missing labels", f"missing at {missing}")
    return pd.factorize(labels)[0]


def entropy_decomposition(
    values: ArrayOrSparse, levels: Sequence[Sequence[Hashable]], *, base: float = 2.0
) -> FloatArray:
    """Decompose each region's entropy over a hierarchical classification.

    The columns of the result sum to the total entropy :math:`H_r` (the entropy
    decomposition theorem; Theil 1972).

    Parameters
    ----------
    values : (n_regions, n_activities) array_like or scipy.sparse matrix
        Non-negative sizes (employment, firms, patents, projects, exports) of activities
        (columns) in regions (rows).
        Every region needs a positive total.
    levels : sequence of sequences of hashable
        Group labels per activity, from the coarsest level to the finest (e.g. NACE
        section, division, group), each with one label per activity; the activities
        themselves are the last, finest level. A label names a group only within its
        parent group.
    base : float, default 2.0
        Base of the logarithm (2 gives bits).

    Returns
    -------
    (n_regions, len(levels) + 1) ndarray of float64
        Column 0 is the entropy between top-level groups (unrelated variety); column *k*
        the weighted entropy within level-(k-1) groups between level-*k* units.

    Raises
    ------
    InvalidInputError
        If a region has a zero total, or a level has missing labels or not one label per
        activity.

    References
    ----------
    Theil, H. (1972). *Statistical Decomposition Analysis*. Amsterdam: North-Holland.

    Frenken, K., Van Oort, F. & Verburg, T. (2007). Related variety, unrelated variety
    and regional economic growth. *Regional Studies* 41(5), 685-697.

    Examples
    --------
    >>> entropy_decomposition(np.array([[1.0, 1.0, 2.0]]), [["A", "A", "B"]]).tolist()
    [[1.0, 0.5]]
    """
    return _entropy_decomposition(values, levels, base, "entropy_decomposition")


def _entropy_decomposition(
    values: ArrayOrSparse, levels: Sequence[Sequence[Hashable]], base: float, function: str
) -> FloatArray:
    values = as_dense(check_matrix(values, name="values", function=function))
    _check_totals(values, axis=1, function=function)
    n_activities = values.shape[1]
    codes: list[npt.NDArray[np.integer[Any]]] = []
    parent: npt.NDArray[np.integer[Any]] = np.zeros(n_activities, dtype=np.int64)
    for level in levels:
        # A label means a group only within its parent: NACE group "1" under two sections
        # is two groups, so nest each level's codes under the level above.
        labels = _group_codes(level, n_activities, function)
        parent = pd.factorize(pd.MultiIndex.from_arrays([parent, labels]))[0]
        codes.append(parent)
    codes.append(np.arange(n_activities))
    totals = values.sum(axis=1)
    parts = []
    previous: FloatArray | float = 0.0
    for level_codes in codes:
        aggregated = _aggregate_columns(values, level_codes)
        mix = aggregated / np.where(totals > 0, totals, 1.0)[:, None]
        cumulative = _entropy_of_mix(mix, base)
        parts.append(cumulative - previous)
        previous = cumulative
    return np.column_stack(parts)


def _aggregate_columns(values: FloatArray, codes: npt.NDArray[np.integer[Any]]) -> FloatArray:
    aggregated = np.zeros((values.shape[0], codes.max() + 1))
    np.add.at(aggregated.T, codes, values.T)
    return aggregated


def unrelated_variety(values: ArrayOrSparse, groups: Sequence[Hashable], *, base: float = 2.0) -> FloatArray:
    r"""Unrelated variety: entropy between the coarse groups (Frenken, Van Oort & Verburg 2007).

    .. math:: UV_r = -\sum_g P_{rg} \log_2 P_{rg}, \quad P_{rg} = \sum_{p \in g} s_{rp}

    Parameters
    ----------
    values : (n_regions, n_activities) array_like or scipy.sparse matrix
        Non-negative sizes (employment, firms, patents, projects, exports) of activities
        (columns) in regions (rows).
        Every region needs a positive total.
    groups : sequence of hashable
        The coarse group (e.g. NACE section) of each activity, one label per column.
    base : float, default 2.0
        Base of the logarithm (2 gives bits).

    Returns
    -------
    (n_regions,) ndarray of float64
        The unrelated variety of each region.

    Raises
    ------
    InvalidInputError
        If a region has a zero total or ``groups`` does not label every activity.

    References
    ----------
    Frenken, K., Van Oort, F. & Verburg, T. (2007). Related variety, unrelated variety
    and regional economic growth. *Regional Studies* 41(5), 685-697.

    Examples
    --------
    >>> unrelated_variety(np.array([[1.0, 1.0, 2.0]]), ["A", "A", "B"]).tolist()
    [1.0]
    """
    return _entropy_decomposition(values, [groups], base, "unrelated_variety")[:, 0]


def related_variety(values: ArrayOrSparse, groups: Sequence[Hashable], *, base: float = 2.0) -> FloatArray:
    r"""Related variety: weighted entropy within the coarse groups (Frenken et al. 2007).

    .. math:: RV_r = \sum_g P_{rg} H_{rg}, \quad
              H_{rg} = -\sum_{p \in g} \frac{s_{rp}}{P_{rg}} \log_2 \frac{s_{rp}}{P_{rg}}

    Parameters
    ----------
    values : (n_regions, n_activities) array_like or scipy.sparse matrix
        Non-negative sizes (employment, firms, patents, projects, exports) of activities
        (columns) in regions (rows).
        Every region needs a positive total.
    groups : sequence of hashable
        The coarse group (e.g. NACE section) of each activity, one label per column.
    base : float, default 2.0
        Base of the logarithm (2 gives bits).

    Returns
    -------
    (n_regions,) ndarray of float64
        The related variety of each region.

    Raises
    ------
    InvalidInputError
        If a region has a zero total or ``groups`` does not label every activity.

    References
    ----------
    Frenken, K., Van Oort, F. & Verburg, T. (2007). Related variety, unrelated variety
    and regional economic growth. *Regional Studies* 41(5), 685-697.

    Examples
    --------
    >>> related_variety(np.array([[1.0, 1.0, 2.0]]), ["A", "A", "B"]).tolist()
    [0.5]
    """
    return _entropy_decomposition(values, [groups], base, "related_variety")[:, 1]
