"""Inter-regional complementarity: one region's research strengths meeting another
region's industrial strengths in the same or related activities.

All functions take labelled region x activity tables (pandas DataFrames, index =
region) and compute with numpy matrix products; labels are aligned, never assumed.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from clusterix._validation import check_matrix, check_number, check_option, parameter_error
from clusterix.errors import InvalidInputError, UnknownCodeError
from clusterix.indicators.relatedness import DIAGONALS, proximity_matrix
from clusterix.indicators.specialisation import presence, rca

__all__ = [
    "CROSS_SPACE_METHODS",
    "STRENGTHS",
    "cluster_complementarity",
    "cluster_opportunities",
    "complementarity",
    "concordance_matrix",
    "cross_space_relatedness",
    "opportunities",
    "rca_table",
]

CROSS_SPACE_METHODS = ("probability", "correlation")
STRENGTHS = ("excess", "presence")


def _table(frame: Any, name: str, function: str) -> np.ndarray:
    """A labelled, non-negative, finite table with unique labels, as float64 values."""
    if not isinstance(frame, pd.DataFrame):
        raise parameter_error(name, function, "a pandas DataFrame (index = region)", type(frame).__name__)
    for axis, labels in (("regions", frame.index), ("columns", frame.columns)):
        if labels.has_duplicates:
            raise InvalidInputError(
                f"The {name!r} parameter of {function} has duplicate {axis} "
                f"{list(labels[labels.duplicated()][:5])}; aggregate them first."
            )
    try:
        values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as error:
        raise parameter_error(name, function, "a table of numbers", "non-numeric columns") from error
    return np.asarray(check_matrix(values, name=name, function=function))


def rca_table(sizes: pd.DataFrame) -> pd.DataFrame:
    """RCA (location quotient) of a labelled region x activity size table.

    A thin labelled wrapper around :func:`clusterix.indicators.specialisation.rca`.

    Examples
    --------
    >>> rca_table(pd.DataFrame([[1.0, 3.0], [3.0, 1.0]], index=["A", "B"], columns=["x", "y"]))["y"].tolist()
    [1.5, 0.5]
    """
    values = _table(sizes, "sizes", "rca_table")
    return pd.DataFrame(rca(values), index=sizes.index.copy(), columns=sizes.columns.copy())


def _same_regions(research: pd.DataFrame, industry: pd.DataFrame, function: str) -> pd.DataFrame:
    """``industry`` reordered to ``research``'s regions; raise if the sets differ."""
    only_research = research.index.difference(industry.index)
    only_industry = industry.index.difference(research.index)
    if len(only_research) or len(only_industry):
        raise UnknownCodeError(
            f"The research and industry tables of {function} must cover the same regions; "
            f"{len(only_research)} only in research (first {list(only_research[:5])}), "
            f"{len(only_industry)} only in industry (first {list(only_industry[:5])}). "
            "Restrict both to their common regions, e.g. research.loc[common], industry.loc[common]."
        )
    return industry.loc[research.index]


def cross_space_relatedness(
    research_rca: pd.DataFrame,
    industry_rca: pd.DataFrame,
    *,
    method: str = "probability",
    threshold: float = 1.0,
) -> pd.DataFrame:
    r"""Relatedness of research fields and industries from their co-specialisation
    across the same regions (the "cross-space" of Catalán, Navarrete & Figueroa 2022).

    With presences :math:`M_{rf} = [RCA_{rf} \ge t]`, :math:`M_{ri} = [RCA_{ri} \ge t]`
    and ubiquities :math:`u_f = \sum_r M_{rf}`, :math:`u_i = \sum_r M_{ri}`:

    - ``"probability"`` (default): the minimum conditional probability of
      co-specialisation (Hidalgo et al. 2007's proximity, computed with
      :func:`~clusterix.indicators.relatedness.proximity_matrix` on the stacked
      presences), :math:`\phi_{fi} = \sum_r M_{rf} M_{ri} / \max(u_f, u_i)`;
    - ``"correlation"``: the Pearson correlation across regions of the two binary
      presence vectors (the phi coefficient), with negative values set to 0 so that
      it can weight complementarity; a field or industry present everywhere or
      nowhere has correlation 0.

    Parameters
    ----------
    research_rca : DataFrame (n_regions, n_fields) of research RCAs.
    industry_rca : DataFrame (n_regions, n_industries) of industry RCAs over the same
        regions (any order; aligned by label).

    Returns
    -------
    DataFrame (n_fields, n_industries) with values in [0, 1].

    References
    ----------
    Catalán, P., Navarrete, C. & Figueroa, F. (2022). The scientific and technological
    cross-space: Is technological diversification driven by scientific endogenous
    capacity? Research Policy (2022).

    Examples
    --------
    >>> research = pd.DataFrame({"bio": [2.0, 0.5, 1.5]}, index=["A", "B", "C"])
    >>> industry = pd.DataFrame({"pharma": [1.2, 0.1, 0.3]}, index=["A", "B", "C"])
    >>> cross_space_relatedness(research, industry).to_numpy().tolist()
    [[0.5]]
    """
    function = "cross_space_relatedness"
    research_values = _table(research_rca, "research_rca", function)
    industry_rca = _same_regions(research_rca, industry_rca, function)
    industry_values = _table(industry_rca, "industry_rca", function)
    check_option(method, CROSS_SPACE_METHODS, name="method", function=function)
    check_number(threshold, name="threshold", function=function, low=0, low_inclusive=False)
    research_presence = presence(research_values, threshold=threshold)
    industry_presence = presence(industry_values, threshold=threshold)
    n_fields = research_values.shape[1]
    if method == "probability":
        stacked = np.hstack([research_presence, industry_presence])
        values = proximity_matrix(stacked)[:n_fields, n_fields:]
    else:
        values = _presence_correlation(research_presence, industry_presence)
    return pd.DataFrame(values, index=research_rca.columns.copy(), columns=industry_rca.columns.copy())


def _presence_correlation(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Column-by-column Pearson correlation of two 0/1 matrices, negatives and undefined set to 0."""
    left = left.astype(np.float64) - left.mean(axis=0)
    right = right.astype(np.float64) - right.mean(axis=0)
    covariance = left.T @ right
    scale = np.outer(np.linalg.norm(left, axis=0), np.linalg.norm(right, axis=0))
    out = np.zeros_like(covariance)
    np.divide(covariance, scale, out=out, where=scale > 0)
    return np.clip(out, 0.0, 1.0)


def concordance_matrix(
    table: pd.DataFrame,
    *,
    field: str = "field",
    industry: str = "industry",
    weight: str | None = None,
) -> pd.DataFrame:
    """Field x industry relatedness matrix from a long concordance (e.g. IPC -> NACE).

    Each row links a research field (or technology class) to an industry, with weight
    1 or the value of the ``weight`` column (e.g. a probabilistic concordance's
    share). Pairs not listed get 0; repeated pairs raise.

    Examples
    --------
    >>> links = pd.DataFrame({"field": ["A61K", "A61K", "H01L"], "industry": ["C21", "C20", "C26"]})
    >>> concordance_matrix(links).loc["A61K"].tolist()
    [1.0, 1.0, 0.0]
    """
    function = "concordance_matrix"
    if not isinstance(table, pd.DataFrame):
        raise parameter_error("table", function, "a pandas DataFrame", type(table).__name__)
    columns = [field, industry] + ([weight] if weight is not None else [])
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InvalidInputError(
            f"The 'table' parameter of {function} lacks columns {missing}; it has {list(table.columns)[:10]}. "
            "Name them with field=, industry= and weight=."
        )
    if table[[field, industry]].isna().any().any():
        raise InvalidInputError(f"The 'table' parameter of {function} has missing field or industry codes.")
    repeated = table.duplicated(subset=[field, industry])
    if repeated.any():
        first = tuple(table.loc[repeated, [field, industry]].iloc[0])
        raise InvalidInputError(
            f"The 'table' parameter of {function} repeats {int(repeated.sum())} (field, industry) pairs, "
            f"first {first}; aggregate them first."
        )
    values = (
        np.ones(len(table))
        if weight is None
        else pd.to_numeric(table[weight], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    )
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise InvalidInputError(f"The {weight!r} column of {function} must hold finite, non-negative numbers.")
    wide = pd.Series(values, index=pd.MultiIndex.from_frame(table[[field, industry]])).unstack(fill_value=0.0)
    wide.index.name, wide.columns.name = None, None
    return wide.astype(np.float64)


def _strength(rca_values: np.ndarray, strength: str) -> np.ndarray:
    if strength == "excess":
        return np.maximum(rca_values - 1.0, 0.0)
    return presence(rca_values, threshold=1.0).astype(np.float64)


def _relatedness_values(
    research: pd.DataFrame, industry: pd.DataFrame, relatedness: pd.DataFrame | None, function: str
) -> np.ndarray:
    """Field x industry relatedness aligned to the two tables' columns."""
    fields, industries = research.columns, industry.columns
    if relatedness is None:
        if set(fields) == set(industries):
            return (fields.to_numpy()[:, None] == industries.to_numpy()[None, :]).astype(np.float64)
        return cross_space_relatedness(research, industry).to_numpy()
    values = _table(relatedness, "relatedness", function)
    known_fields, known_industries = fields.isin(relatedness.index), industries.isin(relatedness.columns)
    if not known_fields.any() or not known_industries.any():
        raise UnknownCodeError(
            f"The 'relatedness' parameter of {function} shares no "
            f"{'field' if not known_fields.any() else 'industry'} codes with the data (relatedness rows "
            f"{list(relatedness.index[:3])}, columns {list(relatedness.columns[:3])}; fields "
            f"{list(fields[:3])}, industries {list(industries[:3])}). Check the code formats."
        )
    aligned = pd.DataFrame(values, index=relatedness.index, columns=relatedness.columns)
    return aligned.reindex(index=fields, columns=industries, fill_value=0.0).to_numpy()


def _select(frame: pd.DataFrame, regions: Sequence[Hashable] | None, name: str, function: str) -> pd.DataFrame:
    if regions is None:
        return frame
    regions = list(regions)
    unknown = [r for r in regions if r not in frame.index]
    if unknown:
        raise UnknownCodeError(
            f"The 'regions' parameter of {function} names regions {unknown[:5]} that are not in {name!r}."
        )
    return frame.loc[regions]


def complementarity(
    research: pd.DataFrame,
    industry: pd.DataFrame,
    relatedness: pd.DataFrame | None = None,
    *,
    strength: str = "excess",
    regions: Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    r"""Region x region complementarity: A's research strengths meeting B's industry.

    .. math:: C_{AB} = \sum_f \sum_i s^{R}_{Af}\, \phi_{fi}\, s^{I}_{Bi}
              = \big(S^R \Phi\, (S^I)^T\big)_{AB}

    with strengths :math:`s = \max(RCA - 1, 0)` (``strength="excess"``, default) or
    :math:`s = [RCA \ge 1]` (``"presence"``).

    Parameters
    ----------
    research : DataFrame (n_regions_a, n_fields) of research RCAs (e.g. projects or
        publications by field; see :func:`rca_table`).
    industry : DataFrame (n_regions_b, n_industries) of industry RCAs (employment).
    relatedness : DataFrame (fields x industries), optional. ``None`` means the
        identity when fields and industries share their codes, else
        :func:`cross_space_relatedness` of the two tables (which then need the same
        regions). A user matrix or a :func:`concordance_matrix` is aligned by label;
        codes it lacks get relatedness 0, but it must share at least one field and one
        industry code with the data.
    regions : optional list of regions restricting (and ordering) both the rows and
        the columns; each must be in both tables.

    Returns
    -------
    DataFrame indexed by research region (A), columns industry region (B). Not
    symmetric: ``complementarity(industry, research, relatedness.T)`` is the transpose
    of ``complementarity(research, industry, relatedness)``. The diagonal is each
    region's internal match.

    Examples
    --------
    >>> research = pd.DataFrame({"x": [2.0, 0.5], "y": [0.5, 1.5]}, index=["A", "B"])
    >>> industry = pd.DataFrame({"x": [0.5, 3.0], "y": [1.25, 0.5]}, index=["A", "B"])
    >>> complementarity(research, industry).to_numpy().tolist()
    [[0.0, 2.0], [0.125, 0.0]]
    """
    function = "complementarity"
    research_values = _table(research, "research", function)
    industry_values = _table(industry, "industry", function)
    check_option(strength, STRENGTHS, name="strength", function=function)
    phi = _relatedness_values(research, industry, relatedness, function)
    research_strength = pd.DataFrame(_strength(research_values, strength), index=research.index)
    industry_strength = pd.DataFrame(_strength(industry_values, strength), index=industry.index)
    research_strength = _select(research_strength, regions, "research", function)
    industry_strength = _select(industry_strength, regions, "industry", function)
    values = (research_strength.to_numpy() @ phi) @ industry_strength.to_numpy().T
    return pd.DataFrame(values, index=research_strength.index.copy(), columns=industry_strength.index.copy())


def opportunities(
    research: pd.DataFrame,
    industry: pd.DataFrame,
    relatedness: pd.DataFrame | None,
    region_a: Hashable,
    region_b: Hashable,
    *,
    top: int | None = 20,
    strength: str = "excess",
) -> pd.DataFrame:
    r"""The (field, industry) pairs behind :math:`C_{AB}`, strongest first.

    The score of a pair is :math:`s^R_{Af}\, \phi_{fi}\, s^I_{Bi}`; the scores of all
    pairs sum to ``complementarity(...)`` at (A, B). Only pairs with a positive score
    are listed; ``top=None`` lists them all. Ties are broken by field, then industry.

    Returns
    -------
    DataFrame with columns ``field, industry, score, research_rca_a, industry_rca_b,
    relatedness, reason`` (a sentence explaining the match).

    Examples
    --------
    >>> research = pd.DataFrame({"x": [2.0, 0.5], "y": [0.5, 1.5]}, index=["A", "B"])
    >>> industry = pd.DataFrame({"x": [0.5, 3.0], "y": [1.25, 0.5]}, index=["A", "B"])
    >>> opportunities(research, industry, None, "A", "B")[["field", "industry", "score"]].values.tolist()
    [['x', 'x', 2.0]]
    """
    function = "opportunities"
    research_values = _table(research, "research", function)
    industry_values = _table(industry, "industry", function)
    check_option(strength, STRENGTHS, name="strength", function=function)
    if top is not None:
        check_number(top, name="top", function=function, low=1, integer=True)
    for name, region, frame in (("region_a", region_a, research), ("region_b", region_b, industry)):
        if region not in frame.index:
            table = "research" if name == "region_a" else "industry"
            raise UnknownCodeError(
                f"Region {region!r} ({name}) is not in the {table} table of {function} (e.g. {list(frame.index[:5])})."
            )
    phi = _relatedness_values(research, industry, relatedness, function)
    rca_a = research_values[research.index.get_loc(region_a)]
    rca_b = industry_values[industry.index.get_loc(region_b)]
    scores = _strength(rca_a[None, :], strength)[0][:, None] * phi * _strength(rca_b[None, :], strength)[0][None, :]
    fields, industries = np.nonzero(scores > 0)
    order = sorted(
        range(len(fields)),
        key=lambda n: (
            -scores[fields[n], industries[n]],
            str(research.columns[fields[n]]),
            str(industry.columns[industries[n]]),
        ),
    )
    if top is not None:
        order = order[:top]
    rows = []
    for n in order:
        f, i = fields[n], industries[n]
        field, activity = research.columns[f], industry.columns[i]
        rows.append(
            {
                "field": field,
                "industry": activity,
                "score": float(scores[f, i]),
                "research_rca_a": float(rca_a[f]),
                "industry_rca_b": float(rca_b[i]),
                "relatedness": float(phi[f, i]),
                "reason": (
                    f"{region_a} is specialised in research field {field} (RCA {rca_a[f]:.2f}) and "
                    f"{region_b} in industry {activity} (RCA {rca_b[i]:.2f}); "
                    f"relatedness {field}-{activity} = {phi[f, i]:.2f}"
                ),
            }
        )
    columns = ["field", "industry", "score", "research_rca_a", "industry_rca_b", "relatedness", "reason"]
    return pd.DataFrame(rows, columns=columns)


def cluster_complementarity(
    cluster_relatedness: pd.DataFrame,
    strengths: pd.DataFrame,
    *,
    columns: tuple[str, str, str] = ("cluster_1", "cluster_2", "relatedness"),
    diagonal: str = "zero",
) -> pd.DataFrame:
    r"""Region x region value-chain complementarity across related clusters.

    .. math:: V_{AB} = \sum_c \sum_d s_{Ac}\, R^+_{cd}\, s_{Bd}, \quad R^+ = \max(R, 0)

    Parameters
    ----------
    cluster_relatedness : long DataFrame with the columns named by ``columns``
        (cluster, cluster, relatedness), e.g. the US Cluster Mapping
        ``related_clusters.csv`` with ``columns=("clustera", "clusterb", "cr_all")``
        (Delgado, Porter & Stern 2016). A pair given in one direction only is taken as
        symmetric; pairs not listed get 0; negative scores (below-average relatedness)
        are set to 0.
    strengths : DataFrame (n_regions, n_clusters) of non-negative strengths, e.g.
        ``max(RCA - 1, 0)`` of cluster employment; columns are cluster codes.
    diagonal : ``"zero"`` (default) counts only links between different clusters
        (value chains); ``"keep"`` also counts a cluster with itself.

    Returns
    -------
    DataFrame (n_regions, n_regions): A's strengths meeting B's strengths in related
    clusters; symmetric when the relatedness is.

    Examples
    --------
    >>> links = pd.DataFrame({"cluster_1": [1], "cluster_2": [2], "relatedness": [0.5]})
    >>> strengths = pd.DataFrame({1: [2.0, 0.0], 2: [0.0, 4.0]}, index=["A", "B"])
    >>> cluster_complementarity(links, strengths).to_numpy().tolist()
    [[0.0, 4.0], [4.0, 0.0]]
    """
    function = "cluster_complementarity"
    values = _table(strengths, "strengths", function)
    matrix = _cluster_links(cluster_relatedness, strengths.columns, columns, diagonal, function)
    out = values @ matrix @ values.T
    return pd.DataFrame(out, index=strengths.index.copy(), columns=strengths.index.copy())


def _cluster_links(
    cluster_relatedness: pd.DataFrame, clusters: pd.Index, columns: tuple[str, str, str], diagonal: str, function: str
) -> np.ndarray:
    """The cluster x cluster relatedness matrix (negative scores 0, one-way pairs both ways)."""
    check_option(diagonal, DIAGONALS, name="diagonal", function=function)
    if not isinstance(cluster_relatedness, pd.DataFrame):
        raise parameter_error("cluster_relatedness", function, "a pandas DataFrame", type(cluster_relatedness).__name__)
    missing = [c for c in columns if c not in cluster_relatedness.columns]
    if missing:
        raise InvalidInputError(
            f"The 'cluster_relatedness' parameter of {function} lacks columns {missing}; it has "
            f"{list(cluster_relatedness.columns)[:10]}. Name them with columns=(first, second, relatedness)."
        )
    first, second, score = columns
    links = cluster_relatedness[list(columns)]
    scores = pd.to_numeric(links[score], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    if not np.all(np.isfinite(scores)):
        raise InvalidInputError(
            f"The {score!r} column of {function} has {int((~np.isfinite(scores)).sum())} missing or "
            "non-numeric values; drop or fill them."
        )
    if links.duplicated(subset=[first, second]).any():
        raise InvalidInputError(f"The 'cluster_relatedness' parameter of {function} repeats cluster pairs.")
    position = {c: n for n, c in enumerate(clusters)}
    rows = links[first].map(position).to_numpy(dtype=np.float64, na_value=np.nan)
    cols = links[second].map(position).to_numpy(dtype=np.float64, na_value=np.nan)
    known = ~np.isnan(rows) & ~np.isnan(cols)
    if not known.any():
        raise UnknownCodeError(
            f"No cluster pair of {function} matches the columns of 'strengths' ({list(clusters[:5])}); "
            f"relatedness names e.g. {list(links[first].head(3))}. Check the cluster codes."
        )
    matrix = np.full((len(clusters), len(clusters)), np.nan)
    matrix[rows[known].astype(int), cols[known].astype(int)] = np.maximum(scores[known], 0.0)
    matrix = np.where(np.isnan(matrix), matrix.T, matrix)  # one-way pairs count both ways
    matrix = np.nan_to_num(matrix, nan=0.0)
    if diagonal == "zero":
        np.fill_diagonal(matrix, 0.0)
    return matrix


def cluster_opportunities(
    cluster_relatedness: pd.DataFrame,
    strengths: pd.DataFrame,
    region_a: str,
    region_b: str,
    *,
    columns: tuple[str, str, str] = ("cluster_1", "cluster_2", "relatedness"),
    diagonal: str = "zero",
    top: int | None = 20,
) -> pd.DataFrame:
    r"""Ranked value-chain opportunities between two regions' clusters, with the reason.

    Each row is a pair (cluster c of A, cluster d of B) with score
    :math:`s_{Ac} R^+_{cd} s_{Bd}`; with ``top=None`` the scores add up to
    :func:`cluster_complementarity`'s :math:`V_{AB}`.

    Examples
    --------
    >>> links = pd.DataFrame({"cluster_1": [1], "cluster_2": [2], "relatedness": [0.5]})
    >>> strengths = pd.DataFrame({1: [2.0, 0.0], 2: [0.0, 4.0]}, index=["A", "B"])
    >>> best = cluster_opportunities(links, strengths, "A", "B")
    >>> best["cluster_a"].item(), best["cluster_b"].item(), best["score"].item()
    (1, 2, 4.0)
    """
    function = "cluster_opportunities"
    values = _table(strengths, "strengths", function)
    matrix = _cluster_links(cluster_relatedness, strengths.columns, columns, diagonal, function)
    for region in (region_a, region_b):
        if region not in strengths.index:
            raise UnknownCodeError(f"Unknown region {region!r} in the 'strengths' of {function}.")
    a = values[strengths.index.get_loc(region_a)]
    b = values[strengths.index.get_loc(region_b)]
    scores = a[:, None] * matrix * b[None, :]
    rows, cols = np.nonzero(scores > 0)
    order = np.argsort(-scores[rows, cols], kind="stable")
    if top is not None:
        order = order[:top]
    clusters = strengths.columns
    records = []
    for k in order:
        c, d = rows[k], cols[k]
        records.append(
            {
                "cluster_a": clusters[c],
                "cluster_b": clusters[d],
                "score": float(scores[c, d]),
                "strength_a": float(a[c]),
                "strength_b": float(b[d]),
                "relatedness": float(matrix[c, d]),
                "reason": (
                    f"{region_a} is strong in {clusters[c]} ({a[c]:.2f}) and {region_b} in {clusters[d]} "
                    f"({b[d]:.2f}); the two clusters are related ({matrix[c, d]:.2f})."
                ),
            }
        )
    return pd.DataFrame(
        records,
        columns=["cluster_a", "cluster_b", "score", "strength_a", "strength_b", "relatedness", "reason"],
    )
