"""Organisation collaboration graph from CORDIS participations, and link-prediction scores.

:func:`collaboration_edges` turns participations into one row per pair of organisations
in a project; :class:`CollaborationGraph` holds the organisation x organisation adjacency
of the edges before a year (the leakage guard of a temporal evaluation). The scores
:func:`common_neighbours`, :func:`adamic_adar`, :func:`resource_allocation` and
:func:`personalised_pagerank` are pure: an adjacency matrix and a batch of source node
positions in, a dense ``(n_sources, n_nodes)`` array out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clusterix._validation import check_matrix, check_number, parameter_error
from clusterix.errors import InvalidInputError, NotConvergedError, UnknownCodeError

__all__ = [
    "EDGE_COLUMNS",
    "CollaborationGraph",
    "adamic_adar",
    "collaboration_edges",
    "common_neighbours",
    "personalised_pagerank",
    "resource_allocation",
]

#: The columns of :func:`collaboration_edges`.
EDGE_COLUMNS = ("org_1", "org_2", "year", "project", "weight")


def _check_frame(table: Any, columns: Sequence[str], *, name: str, function: str) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise parameter_error(name, function, "a pandas DataFrame", type(table).__name__)
    absent = [column for column in columns if column not in table.columns]
    if absent:
        raise parameter_error(name, function, f"a table with the column(s) {', '.join(absent)}", list(table.columns))
    return table


# --------------------------------------------------------------------------- edges


def collaboration_edges(
    participations: pd.DataFrame, projects: pd.DataFrame, *, max_project_size: int | None = None
) -> pd.DataFrame:
    """Every pair of organisations that take part in the same project, one row per project.

    Parameters
    ----------
    participations : DataFrame
        ``project_id`` and ``organisation_id`` (a CORDIS reader's participations table).
        An organisation listed twice in one project counts once.
    projects : DataFrame
        ``id`` and ``start_date`` (a CORDIS reader's projects table).
    max_project_size : int, optional
        Leave out projects with more organisations than this (very large consortia
        connect everyone with everyone). ``None`` keeps all projects.

    Returns
    -------
    DataFrame
        ``org_1``, ``org_2`` (organisation ids as text, ``org_1 < org_2``), ``year`` (the
        project's start year, int), ``project`` (the project id as text) and ``weight``
        (1: one shared project), sorted by year, project, ``org_1`` and ``org_2``.

    Raises
    ------
    InvalidInputError
        A table without the needed columns, a participation of a project that is not in
        ``projects``, or a bad ``max_project_size``.

    Notes
    -----
    A project of :math:`n` organisations gives :math:`n(n-1)/2` rows. Projects without a
    start date give none (they cannot be placed in time); nor do single-organisation
    projects.

    Examples
    --------
    >>> participations = pd.DataFrame({"project_id": ["p", "p", "p"], "organisation_id": ["b", "a", "c"]})
    >>> projects = pd.DataFrame({"id": ["p"], "start_date": pd.to_datetime(["2016-03-01"])})
    >>> collaboration_edges(participations, projects)[["org_1", "org_2", "year"]].values.tolist()
    [['a', 'b', 2016], ['a', 'c', 2016], ['b', 'c', 2016]]
    """
    function = "collaboration_edges"
    _check_frame(participations, ("project_id", "organisation_id"), name="participations", function=function)
    _check_frame(projects, ("id", "start_date"), name="projects", function=function)
    if max_project_size is not None:
        check_number(max_project_size, name="max_project_size", function=function, low=2, integer=True)
    members = (
        participations[["project_id", "organisation_id"]]
        .dropna()
        .astype({"project_id": "str", "organisation_id": "str"})
        .drop_duplicates()
    )
    dates = pd.DataFrame(
        {"project_id": projects["id"].astype("str"), "year": pd.to_datetime(projects["start_date"]).dt.year}
    ).drop_duplicates("project_id")
    members = members.merge(dates, on="project_id", how="left", indicator=True)
    orphans = (members["_merge"] == "left_only").to_numpy()
    if orphans.any():
        raise InvalidInputError(
            f"The participations refer to project {members.loc[orphans, 'project_id'].iloc[0]!r}, which is not "
            f"in the projects table ({int(orphans.sum())} such participations). Pass the tables of one reader "
            "call together."
        )
    members = members.drop(columns="_merge").dropna(subset=["year"])
    sizes = members.groupby("project_id")["organisation_id"].transform("size")
    keep = sizes >= 2
    if max_project_size is not None:
        keep &= sizes <= max_project_size
    members = members.loc[keep, ["project_id", "organisation_id", "year"]]
    pairs = members.merge(members[["project_id", "organisation_id"]], on="project_id", suffixes=("_1", "_2"))
    pairs = pairs[pairs["organisation_id_1"] < pairs["organisation_id_2"]]
    pairs = pairs.sort_values(["year", "project_id", "organisation_id_1", "organisation_id_2"])
    return pd.DataFrame(
        {
            "org_1": pairs["organisation_id_1"].to_numpy(dtype=object),
            "org_2": pairs["organisation_id_2"].to_numpy(dtype=object),
            "year": pairs["year"].to_numpy(dtype=np.int64),
            "project": pairs["project_id"].to_numpy(dtype=object),
            "weight": np.ones(len(pairs), dtype=np.int64),
        }
    )


# --------------------------------------------------------------------------- graph


class CollaborationGraph:
    """An undirected, weighted organisation x organisation collaboration graph.

    Parameters
    ----------
    adjacency : sparse matrix, shape (n, n)
        Symmetric, non-negative integer weights (number of shared projects); no self-loops.
    ids : sequence of str, length n
        The organisation id of each row and column, unique.

    Attributes
    ----------
    adjacency : scipy.sparse.csr_array of int64
        The weights; a copy, never the caller's object.
    ids : ndarray of object
        The organisation ids in row order.

    Examples
    --------
    >>> edges = pd.DataFrame({"org_1": ["a", "a"], "org_2": ["b", "c"], "year": [2015, 2019],
    ...                       "project": ["p", "q"], "weight": [1, 1]})
    >>> graph = CollaborationGraph.from_edges(edges, until_year=2019)
    >>> graph.ids.tolist(), graph.degree.tolist()
    (['a', 'b'], [1, 1])
    """

    def __init__(self, adjacency: Any, ids: Iterable[str]) -> None:
        function = "CollaborationGraph"
        ids = np.asarray([str(value) for value in ids], dtype=object)
        if sp.issparse(adjacency) and adjacency.shape == (0, 0) and len(ids) == 0:
            matrix = sp.csr_array((0, 0), dtype=np.int64)
        else:
            matrix = sp.csr_array(check_matrix(adjacency, name="adjacency", function=function, square=True))
            if not np.all(matrix.data == np.round(matrix.data)):
                raise parameter_error("adjacency", function, "a matrix of integer weights", "fractional weights")
            matrix = sp.csr_array(matrix.astype(np.int64))
            matrix.eliminate_zeros()
            if (matrix != matrix.T).nnz:
                raise parameter_error("adjacency", function, "a symmetric matrix", "an asymmetric matrix")
            if np.any(matrix.diagonal() != 0):
                raise parameter_error("adjacency", function, "a matrix without self-loops", "a non-zero diagonal")
        if len(ids) != matrix.shape[0]:
            raise parameter_error("ids", function, f"{matrix.shape[0]} ids, one per row", len(ids))
        if len(set(ids)) != len(ids):
            raise parameter_error("ids", function, "unique organisation ids", "duplicates")
        matrix.sort_indices()
        self.adjacency = matrix
        self.ids = ids
        self._positions = {value: position for position, value in enumerate(ids)}

    def __repr__(self) -> str:
        return f"CollaborationGraph({len(self.ids)} organisations, {self.adjacency.nnz // 2} edges)"

    @classmethod
    def from_edges(
        cls, edges: pd.DataFrame, *, until_year: int | None = None, nodes: Iterable[str] | None = None
    ) -> CollaborationGraph:
        """Build the graph of the edges that start before ``until_year``.

        Parameters
        ----------
        edges : DataFrame
            ``org_1``, ``org_2``, ``year`` and ``weight``, as :func:`collaboration_edges`
            returns. Weights of repeated pairs add up.
        until_year : int, optional
            Keep only edges with ``year < until_year``: nothing from that year on enters
            the graph. ``None`` keeps every edge.
        nodes : iterable of str, optional
            The organisations and their order (isolated ones included). By default, the
            sorted organisations of the kept edges.

        Raises
        ------
        InvalidInputError
            Missing columns, a self-loop, duplicate ``nodes``, or a kept edge with an
            organisation that is not in ``nodes``.
        """
        function = "CollaborationGraph.from_edges"
        _check_frame(edges, ("org_1", "org_2", "year", "weight"), name="edges", function=function)
        kept = edges
        if until_year is not None:
            check_number(until_year, name="until_year", function=function, integer=True)
            kept = edges[edges["year"].to_numpy() < until_year]
        first = kept["org_1"].astype("str").to_numpy(dtype=object)
        second = kept["org_2"].astype("str").to_numpy(dtype=object)
        if np.any(first == second):
            raise InvalidInputError(
                f"The 'edges' parameter of {function} has a self-loop at organisation "
                f"{first[first == second][0]!r}; an organisation does not collaborate with itself."
            )
        if nodes is None:
            ids = np.unique(np.concatenate([first, second])) if len(kept) else np.array([], dtype=object)
        else:
            ids = np.asarray([str(value) for value in nodes], dtype=object)
            if len(set(ids)) != len(ids):
                raise parameter_error("nodes", function, "unique organisation ids", "duplicates")
        positions = pd.Index(ids)
        rows = positions.get_indexer(first)
        cols = positions.get_indexer(second)
        unknown = (rows < 0) | (cols < 0)
        if unknown.any():
            where = int(np.flatnonzero(unknown)[0])
            missing = first[where] if rows[where] < 0 else second[where]
            raise InvalidInputError(
                f"The edges include organisation {missing!r}, which is not in 'nodes' of {function} "
                f"({int(unknown.sum())} such edges). Pass every organisation of the kept edges."
            )
        weights = kept["weight"].to_numpy(dtype=np.int64)
        n = len(ids)
        matrix = sp.coo_array(
            (np.concatenate([weights, weights]), (np.concatenate([rows, cols]), np.concatenate([cols, rows]))),
            shape=(n, n),
        ).tocsr()
        matrix.sum_duplicates()
        return cls(matrix, ids)

    def index(self, ids: str | Iterable[str]) -> np.ndarray:
        """Row positions of organisation ids (one id gives a 0-d array).

        Raises
        ------
        UnknownCodeError
            An id that is not a node of the graph.
        """
        single = isinstance(ids, str)
        values = [ids] if single else [str(value) for value in ids]
        positions = np.fromiter((self._positions.get(value, -1) for value in values), np.int64, len(values))
        if np.any(positions < 0):
            missing = [value for value, position in zip(values, positions, strict=True) if position < 0]
            raise UnknownCodeError(
                f"Organisation {missing[0]!r} is not in the collaboration graph ({len(missing)} unknown ids). "
                "Organisations without collaborations before the graph's year have no node."
            )
        return positions[0] if single else positions

    def neighbours(self, id: str) -> np.ndarray:
        """The ids of the organisations that collaborated with ``id``, in node order."""
        row = int(self.index(str(id)))
        start, end = self.adjacency.indptr[row], self.adjacency.indptr[row + 1]
        return self.ids[self.adjacency.indices[start:end]]

    @property
    def degree(self) -> np.ndarray:
        """Number of distinct partners of each organisation (int64, node order)."""
        return np.diff(self.adjacency.indptr).astype(np.int64)


# --------------------------------------------------------------------------- scores


def _sources(sources: Any, n: int, function: str) -> np.ndarray:
    values = np.asarray(list(sources) if not isinstance(sources, np.ndarray) else sources)
    if values.ndim != 1 or (values.size and not np.issubdtype(values.dtype, np.integer)):
        raise parameter_error("sources", function, "a 1-D sequence of integer node positions", sources)
    values = values.astype(np.int64)
    if values.size and (values.min() < 0 or values.max() >= n):
        bad = values[(values < 0) | (values >= n)][0]
        raise parameter_error("sources", function, f"node positions in [0, {n - 1}]", int(bad))
    return values


def _binary(adjacency: Any, function: str) -> sp.csr_array:
    """0/1 adjacency without self-loops; checks that the graph is undirected."""
    matrix = sp.coo_array(check_matrix(adjacency, name="adjacency", function=function, square=True))
    keep = (matrix.row != matrix.col) & (matrix.data != 0)
    binary = sp.csr_array((np.ones(int(keep.sum())), (matrix.row[keep], matrix.col[keep])), shape=matrix.shape)
    binary.sum_duplicates()
    binary.data[:] = 1.0
    if (binary != binary.T).nnz:
        raise parameter_error("adjacency", function, "a symmetric matrix (an undirected graph)", "asymmetric")
    return binary


def _common_neighbour_score(adjacency: Any, sources: Any, function: str, weight: str) -> np.ndarray:
    """The one engine of CN, AA and RA: ``sum over common neighbours w of f(deg(w))``."""
    binary = _binary(adjacency, function)
    nodes = _sources(sources, binary.shape[0], function)
    degree = np.asarray(binary.sum(axis=0)).ravel()
    if weight == "one":
        weights = np.ones_like(degree)
    else:
        weights = np.zeros_like(degree)
        usable = degree > 1 if weight == "inverse_log" else degree > 0
        weights[usable] = 1.0 / (np.log(degree[usable]) if weight == "inverse_log" else degree[usable])
    scores = (binary[nodes, :] @ sp.diags_array(weights) @ binary).toarray()
    scores[np.arange(len(nodes)), nodes] = 0.0
    return scores


def common_neighbours(adjacency: Any, sources: Any) -> np.ndarray:
    r"""Number of common neighbours of each source and every node.

    .. math:: \mathrm{CN}(u, v) = |\Gamma(u) \cap \Gamma(v)|

    Parameters
    ----------
    adjacency : array or sparse matrix, shape (n, n)
        A symmetric, non-negative adjacency. It is used as a binary graph: any positive
        weight is an edge (as networkx does); the diagonal (self-loops) is ignored.
    sources : sequence of int, length s
        Node positions of the sources.

    Returns
    -------
    ndarray, shape (s, n)
        ``scores[i, v]``; the score of a source with itself is 0 (not a candidate).

    Raises
    ------
    InvalidInputError
        A non-square, asymmetric, negative or non-finite adjacency, or bad sources.

    Examples
    --------
    >>> path = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    >>> common_neighbours(path, [0]).tolist()
    [[0.0, 0.0, 1.0]]
    """
    return _common_neighbour_score(adjacency, sources, "common_neighbours", "one")


def adamic_adar(adjacency: Any, sources: Any) -> np.ndarray:
    r"""Adamic-Adar index of each source and every node.

    .. math:: \mathrm{AA}(u, v) = \sum_{w \in \Gamma(u) \cap \Gamma(v)} \frac{1}{\log |\Gamma(w)|}

    Parameters and the binary reading of the adjacency as in :func:`common_neighbours`.

    Returns
    -------
    ndarray, shape (s, n)
        ``scores[i, v]``; the score of a source with itself is 0.

    Notes
    -----
    As in networkx, with the natural logarithm and the binary degree. A common
    neighbour of two different nodes has degree at least 2, so :math:`\log |\Gamma(w)|
    > 0`; nodes of degree 1 (whose weight :math:`1/\log 1` would be infinite) can only
    be "common" to a node and itself, which is set to 0, so they get weight 0.

    References
    ----------
    Adamic, L. A. and Adar, E. (2003). Friends and neighbors on the Web. Social Networks 25(3).

    Examples
    --------
    >>> star = np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]])
    >>> float(round(adamic_adar(star, [1])[0, 2], 6))  # 1 / log 2
    1.442695
    """
    return _common_neighbour_score(adjacency, sources, "adamic_adar", "inverse_log")


def resource_allocation(adjacency: Any, sources: Any) -> np.ndarray:
    r"""Resource-allocation index of each source and every node.

    .. math:: \mathrm{RA}(u, v) = \sum_{w \in \Gamma(u) \cap \Gamma(v)} \frac{1}{|\Gamma(w)|}

    Parameters and the binary reading of the adjacency as in :func:`common_neighbours`.

    Returns
    -------
    ndarray, shape (s, n)
        ``scores[i, v]``; the score of a source with itself is 0.

    References
    ----------
    Zhou, T., Lü, L. and Zhang, Y.-C. (2009). Predicting missing links via local
    information. European Physical Journal B 71.

    Examples
    --------
    >>> star = np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]])
    >>> resource_allocation(star, [1]).tolist()
    [[0.0, 0.0, 0.5]]
    """
    return _common_neighbour_score(adjacency, sources, "resource_allocation", "inverse")


def personalised_pagerank(
    adjacency: Any, sources: Any, *, alpha: float = 0.85, tol: float = 1e-10, max_iter: int = 200
) -> np.ndarray:
    r"""PageRank personalised on each source (random walk with restart), by power iteration.

    .. math:: x^{(t+1)} = \alpha \left(M x^{(t)} + e_s \sum_{j\ \mathrm{dangling}} x^{(t)}_j\right)
              + (1 - \alpha) e_s, \qquad x^{(0)} = e_s

    where :math:`M = A D^{-1}` is the column-stochastic matrix of the weighted adjacency
    (column :math:`j` holds the weights of the edges leaving :math:`j`, divided by their
    sum) and :math:`e_s` is the indicator vector of the source.

    Parameters
    ----------
    adjacency : array or sparse matrix, shape (n, n)
        Non-negative weights; used with its weights (as networkx's ``pagerank``).
    sources : sequence of int, length s
        Node positions of the sources (restart nodes).
    alpha : float in (0, 1)
        Damping: the probability of following an edge rather than restarting.
    tol : float > 0
        Stop when the L1 change of every source's vector is below ``tol``.
    max_iter : int >= 1
        Iteration budget.

    Returns
    -------
    ndarray, shape (s, n)
        Each row is a probability vector (sums to 1), including the source's own mass.

    Raises
    ------
    NotConvergedError
        Not converged within ``max_iter`` iterations.
    InvalidInputError
        A bad adjacency, source or option.

    Notes
    -----
    Dangling nodes (no edges) send their mass back to the source, as networkx does by
    default. The iteration is a contraction by :math:`\alpha` in the L1 norm, so the
    change after :math:`t` steps is at most :math:`2\alpha^{t}`: with the defaults
    (0.85, 1e-10) it converges within 147 iterations on any graph, which is why the
    default budget is 200 and not 100 (on a bipartite graph, e.g. a path or a star, the
    bound is tight and 100 iterations reach only about 1e-7).

    Examples
    --------
    >>> path = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    >>> scores = personalised_pagerank(path, [0])
    >>> float(round(scores.sum(), 12)), float(round(scores[0, 0], 6))  # (2 - a^2) / (2 (1 + a))
    (1.0, 0.34527)
    """
    function = "personalised_pagerank"
    matrix = sp.csr_array(check_matrix(adjacency, name="adjacency", function=function, square=True))
    nodes = _sources(sources, matrix.shape[0], function)
    check_number(alpha, name="alpha", function=function, low=0, high=1, low_inclusive=False)
    if alpha == 1:
        raise parameter_error("alpha", function, "a real number in (0, 1)", alpha)
    check_number(tol, name="tol", function=function, low=0, low_inclusive=False)
    check_number(max_iter, name="max_iter", function=function, low=1, integer=True)
    n = matrix.shape[0]
    out_weight = np.asarray(matrix.sum(axis=0)).ravel()
    dangling = out_weight == 0
    scale = np.zeros(n)
    scale[~dangling] = 1.0 / out_weight[~dangling]
    transition = sp.csr_array(matrix @ sp.diags_array(scale))
    restart = np.zeros((n, len(nodes)))
    restart[nodes, np.arange(len(nodes))] = 1.0
    current = restart.copy()
    change = np.full(len(nodes), np.inf)
    for _ in range(max_iter):
        lost = current[dangling].sum(axis=0)
        following = transition @ current + restart * lost
        updated = alpha * following + (1.0 - alpha) * restart
        change = np.abs(updated - current).sum(axis=0)
        current = updated
        if np.all(change < tol):
            return current.T.copy()
    raise NotConvergedError(
        f"personalised_pagerank did not converge in {max_iter} iterations: the largest L1 change is "
        f"{float(change.max()):.3g}, above tol={tol}. Raise max_iter or lower alpha.",
        iterations=max_iter,
    )
