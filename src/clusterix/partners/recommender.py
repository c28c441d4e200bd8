"""Partner recommendation: named score components combined by a model learned from the collaboration history.

:class:`PartnerRecommender` ranks candidate partners for an organisation. Every candidate
gets a handful of signals, grouped into named *components*:

``competence``
    TF-IDF cosine similarity of the organisations' ``text`` and ``activities``
    (plus the cosine of ``embedder`` vectors when an embedder is given).
``complementarity``
    Portfolio complementarity: the share of the candidate's activities the organisation
    does not have, among pairs that share at least one activity.
``network``
    Adamic-Adar, resource allocation and personalised PageRank on the collaboration
    graph (computed by :mod:`clusterix.partners.network`).
``kind_match``
    Kind complementarity (enterprise <-> higher education or research), the candidate's
    kind, and how many (log count and share) of the candidate's partners are of the
    organisation's kind.
``geography``
    Same country, same region, the share of the organisation's partners that are in the
    candidate's country and the share of the candidate's partners in the organisation's.
``popularity``
    The candidate's log degree, overall and in the most recent years.

The combination is a logistic regression trained on the collaboration history given to
``fit`` only: features are computed from the collaborations before an inner split year
``t`` and the labels are the pairs that first collaborate in year ``t`` or later, against
negatives sampled with ``seed``. A component's value in the output is its contribution to
the model's linear predictor (coefficient times standardised feature, summed over the
component's features), so the ``score`` column is exactly the sum of the component
columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clusterix._validation import check_number, check_option, parameter_error
from clusterix.errors import InvalidInputError

__all__ = [
    "COMPONENTS",
    "KINDS",
    "KNOWLEDGE_KINDS",
    "PartnerRecommender",
    "kind_complementarity",
    "portfolio_complementarity",
    "split_inputs",
]

#: Organisation kinds a recommender accepts.
KINDS = ("enterprise", "higher_education", "research", "public", "other", "cluster")
#: Kinds that complement an enterprise (and that an enterprise complements).
KNOWLEDGE_KINDS = ("higher_education", "research")
#: The named score components, in output order.
COMPONENTS = ("competence", "complementarity", "network", "kind_match", "geography", "popularity")
_MODELS = ("logistic", "boosting")
_PAIRS = ("all", "complementary")
_NETWORK_SCORES = ("adamic_adar", "resource_allocation", "personalised_pagerank")
_DATED = re.compile(r"^(\d{4}):(.*)$")  # a "year:code" activity
_BATCH = 64  # queries scored together; bounds memory at about 64 x n_organisations x n_features floats


def _network() -> Any:
    """The link-prediction module (imported on first use)."""
    from clusterix.partners import network

    return network


# --------------------------------------------------------------------------- input checks


def _check_frame(frame: Any, name: str, function: str, required: Sequence[str]) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise parameter_error(name, function, "a pandas DataFrame", type(frame).__name__)
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise InvalidInputError(
            f"The {name!r} parameter of {function} lacks the column(s) {', '.join(map(repr, missing))}. "
            f"Found {list(map(str, frame.columns))}; it needs at least {list(required)}."
        )
    return frame


def _check_organisations(organisations: Any) -> pd.DataFrame:
    function = "PartnerRecommender.fit"
    frame = _check_frame(organisations, "organisations", function, ("id", "kind", "country"))
    if len(frame) < 2:
        raise parameter_error("organisations", function, "a table of at least 2 organisations", f"{len(frame)} rows")
    ids = frame["id"]
    if ids.isna().any():
        position = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise InvalidInputError(
            f"The 'organisations' parameter of {function} has a missing id at row {position}. Every organisation "
            "needs an id."
        )
    duplicated = ids.astype(str).duplicated(keep=False)
    if duplicated.any():
        shown = sorted(ids[duplicated].astype(str).unique())[:5]
        raise InvalidInputError(
            f"The 'organisations' parameter of {function} has duplicate ids {shown} "
            f"({int(duplicated.sum())} rows). Give every organisation one row."
        )
    kinds = frame["kind"].astype(object)
    unknown = ~kinds.isin(KINDS)
    if unknown.any():
        shown = sorted({str(value) for value in kinds[unknown]})[:5]
        raise InvalidInputError(
            f"The 'organisations' parameter of {function} has unknown kind(s) {shown} "
            f"({int(unknown.sum())} rows). Kinds must be one of {', '.join(map(repr, KINDS))}."
        )
    return frame


def _check_collaborations(collaborations: Any, index: pd.Index) -> pd.DataFrame:
    function = "PartnerRecommender.fit"
    frame = _check_frame(collaborations, "collaborations", function, ("org_1", "org_2", "year"))
    if len(frame) == 0:
        raise parameter_error("collaborations", function, "a non-empty table", "0 rows")
    years = pd.to_numeric(frame["year"], errors="coerce")
    if years.isna().any() or not np.all(np.isfinite(years.to_numpy(dtype=float))):
        position = int(np.flatnonzero(~np.isfinite(years.to_numpy(dtype=float)))[0])
        raise InvalidInputError(
            f"The 'collaborations' parameter of {function} has a missing or non-numeric year at row {position} "
            f"({frame['year'].iloc[position]!r}). Every collaboration needs a year."
        )
    first = frame["org_1"].astype(str)
    second = frame["org_2"].astype(str)
    for column, values in (("org_1", first), ("org_2", second)):
        unknown = ~values.isin(index)
        if unknown.any():
            shown = sorted(values[unknown].unique())[:5]
            raise InvalidInputError(
                f"The 'collaborations' parameter of {function} names organisation(s) {shown} in column "
                f"{column!r} ({int(unknown.sum())} rows) that are not in 'organisations'. Add them to "
                "'organisations' or drop those collaborations."
            )
    weight = frame["weight"] if "weight" in frame.columns else pd.Series(1.0, index=frame.index)
    weight = pd.to_numeric(weight, errors="coerce").to_numpy(dtype=float)
    if not np.all(np.isfinite(weight)) or np.any(weight <= 0):
        position = int(np.flatnonzero(~(np.isfinite(weight) & (weight > 0)))[0])
        raise InvalidInputError(
            f"The 'collaborations' parameter of {function} has a weight that is not a positive number at row "
            f"{position}. Weights must be positive."
        )
    clean = pd.DataFrame(
        {
            "org_1": first.to_numpy(),
            "org_2": second.to_numpy(),
            "year": years.to_numpy(dtype=float).astype(np.int64),
            "weight": weight,
        }
    )
    if "project" in frame.columns:
        clean["project"] = frame["project"].to_numpy()
    return clean[clean["org_1"] != clean["org_2"]].reset_index(drop=True)


def _check_ids(ids: Any, index: pd.Index, name: str, function: str) -> np.ndarray:
    """Positions of ``ids`` (a single id or an iterable of ids) in ``index``."""
    values = [ids] if isinstance(ids, str | int | np.integer) else list(ids)
    if not values:
        raise parameter_error(name, function, "a non-empty list of organisation ids", values)
    keys = pd.Index([str(value) for value in values])
    positions = index.get_indexer(keys)
    if np.any(positions < 0):
        shown = list(keys[positions < 0][:5])
        raise InvalidInputError(
            f"The {name!r} parameter of {function} names organisation(s) {shown} that were not in the "
            "'organisations' given to fit."
        )
    return positions


# --------------------------------------------------------------------------- signals (pure functions)


def kind_complementarity(query_kinds: np.ndarray, candidate_kinds: np.ndarray) -> np.ndarray:
    """1 where one side is an enterprise and the other a knowledge institution, else 0.

    Parameters
    ----------
    query_kinds, candidate_kinds : array of str
        Kinds of the queries (rows) and candidates (columns).

    Returns
    -------
    ndarray of shape (len(query_kinds), len(candidate_kinds))
    """
    query = np.asarray(query_kinds, dtype=object)[:, None]
    candidate = np.asarray(candidate_kinds, dtype=object)[None, :]
    query_enterprise, candidate_enterprise = query == "enterprise", candidate == "enterprise"
    query_knowledge = np.isin(query, KNOWLEDGE_KINDS)
    candidate_knowledge = np.isin(candidate, KNOWLEDGE_KINDS)
    return ((query_enterprise & candidate_knowledge) | (query_knowledge & candidate_enterprise)).astype(np.float64)


def portfolio_complementarity(query_portfolio: sp.csr_array, candidate_portfolio: sp.csr_array) -> np.ndarray:
    r"""Share of the candidate's activities that the query lacks, for pairs sharing an activity.

    .. math:: c(q, v) = \frac{|A_v \setminus A_q|}{|A_q \cup A_v|}
              \text{ if } A_q \cap A_v \neq \emptyset, \text{ else } 0

    Parameters
    ----------
    query_portfolio, candidate_portfolio : sparse 0/1 matrices (organisations x activities)

    Returns
    -------
    ndarray of shape (n_queries, n_candidates)
    """
    shared = np.asarray((query_portfolio @ candidate_portfolio.T).toarray(), dtype=np.float64)
    query_size = np.asarray(query_portfolio.sum(axis=1), dtype=np.float64).reshape(-1, 1)
    candidate_size = np.asarray(candidate_portfolio.sum(axis=1), dtype=np.float64).reshape(1, -1)
    union = query_size + candidate_size - shared
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(shared > 0, (candidate_size - shared) / np.where(union > 0, union, 1.0), 0.0)
    return result


# --------------------------------------------------------------------------- graph state


class _GraphState:
    """Everything the features need about the collaborations up to a cut-off year."""

    def __init__(
        self,
        edges: pd.DataFrame,
        ids: pd.Index,
        kinds: np.ndarray,
        countries: np.ndarray,
        recent_years: int,
        content: tuple[sp.csr_array, sp.csr_array, np.ndarray | None],
    ) -> None:
        self.content, self.portfolio, self.embeddings = content
        network = _network()
        counted = edges.assign(weight=np.maximum(np.round(edges["weight"].to_numpy(dtype=float)), 1).astype(np.int64))
        graph = network.CollaborationGraph.from_edges(counted, nodes=list(ids))
        self.adjacency = sp.csr_array(graph.adjacency, dtype=np.float64)
        self.binary = sp.csr_array((self.adjacency > 0).astype(np.float64))
        self.degree = np.asarray(self.binary.sum(axis=1)).ravel()
        last = int(edges["year"].max()) if len(edges) else 0
        recent = edges[edges["year"] > last - recent_years]
        positions = ids.get_indexer(pd.concat([recent["org_1"], recent["org_2"]]))
        self.recent_degree = np.bincount(positions, minlength=len(ids)).astype(np.float64)
        codes, uniques = pd.factorize(pd.Series(countries, dtype=object))
        onehot = sp.csr_array(
            (np.ones(len(ids)), (np.arange(len(ids)), np.where(codes < 0, 0, codes))),
            shape=(len(ids), max(len(uniques), 1)),
        )
        partner_countries = (self.binary @ onehot).toarray()
        totals = partner_countries.sum(axis=1, keepdims=True)
        self.partner_country_share = np.divide(
            partner_countries, totals, out=np.zeros_like(partner_countries), where=totals > 0
        )
        self.country_codes = np.where(codes < 0, 0, codes)
        kind_codes = pd.Index(KINDS).get_indexer(kinds)
        kind_onehot = sp.csr_array((np.ones(len(ids)), (np.arange(len(ids)), kind_codes)), shape=(len(ids), len(KINDS)))
        self.partner_kinds = (self.binary @ kind_onehot).toarray()
        self.kind_codes = kind_codes


# --------------------------------------------------------------------------- the estimator


class PartnerRecommender:
    """Recommend collaboration partners from competences, networks, kinds and geography.

    Parameters
    ----------
    model : {"logistic", "boosting"}
        The learned combination: a logistic regression on standardised features (whose
        terms give the components exactly) or a histogram gradient boosting classifier
        (components then show the logistic terms of a companion linear model, and the
        score is the boosting model's log-odds).
    label_years : int
        The inner split of ``fit``: features come from collaborations before the last
        ``label_years`` years, labels from the pairs first seen in those years.
    negatives : int
        Negatives sampled per training query.
    hard_negatives : float in [0, 1]
        Share of the negatives drawn among the query's two-hop neighbourhood (the rest
        uniformly among the other organisations that are not partners yet).
    pairs : {"all", "complementary"}
        The pairs the combination is trained on: every new pair, or only enterprise -
        knowledge institution pairs (queries of other kinds are then left out of
        training, and negatives are drawn among the complementary kinds). Choose
        "complementary" to recommend across the industry - science divide.
    max_queries : int
        Training queries drawn (with ``seed``) from the organisations with new partners.
    recent_years : int
        Years counted by the recent-popularity feature.
    pagerank_damping : float
        Damping of the personalised PageRank (probability of following an edge rather
        than restarting); a low value keeps the walk local and the power iteration short.
    regularisation : float
        Inverse regularisation strength ``C`` of the logistic regression.
    embedder : callable, optional
        ``texts -> vectors`` (a list of str to an array of shape (n, d)), e.g. a
        sentence-transformers model's ``encode``; its cosine becomes a second competence
        feature.
    seed : int
        Seed of the negative sampling and the query subsample.

    Attributes
    ----------
    ids_ : pandas.Index
        Organisation ids (as str) in the order of the fitted state.
    feature_names_ : list of str
    feature_components_ : dict of str to list of str
        The features of each component.
    coefficients_ : pandas.Series
        Logistic coefficient per (standardised) feature.
    split_year_ : int
        The inner split year ``t``.
    n_training_pairs_ : int
    """

    def __init__(
        self,
        *,
        model: str = "logistic",
        label_years: int = 1,
        negatives: int = 40,
        hard_negatives: float = 0.0,
        pairs: str = "all",
        max_queries: int = 3000,
        recent_years: int = 2,
        pagerank_damping: float = 0.5,
        regularisation: float = 1.0,
        embedder: Callable[[list[str]], Any] | None = None,
        seed: int = 0,
    ) -> None:
        self.model = model
        self.label_years = label_years
        self.negatives = negatives
        self.hard_negatives = hard_negatives
        self.pairs = pairs
        self.max_queries = max_queries
        self.recent_years = recent_years
        self.pagerank_damping = pagerank_damping
        self.regularisation = regularisation
        self.embedder = embedder
        self.seed = seed

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters (scikit-learn convention)."""
        names = (
            "model", "label_years", "negatives", "hard_negatives", "pairs", "max_queries", "recent_years",
            "pagerank_damping",
            "regularisation", "embedder", "seed",
        )  # fmt: skip
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params: Any) -> PartnerRecommender:
        """Set constructor parameters (scikit-learn convention)."""
        valid = self.get_params()
        for name, value in params.items():
            if name not in valid:
                raise parameter_error(name, "PartnerRecommender.set_params", f"one of {sorted(valid)}", name)
            setattr(self, name, value)
        return self

    # ----------------------------------------------------------------------- fit

    def _check_params(self) -> None:
        function = "PartnerRecommender"
        check_option(self.model, _MODELS, name="model", function=function)
        check_number(self.label_years, name="label_years", function=function, low=1, integer=True)
        check_number(self.negatives, name="negatives", function=function, low=1, integer=True)
        check_number(self.hard_negatives, name="hard_negatives", function=function, low=0, high=1)
        check_option(self.pairs, _PAIRS, name="pairs", function=function)
        check_number(self.max_queries, name="max_queries", function=function, low=1, integer=True)
        check_number(self.recent_years, name="recent_years", function=function, low=1, integer=True)
        check_number(
            self.pagerank_damping, name="pagerank_damping", function=function, low=0, high=0.99, low_inclusive=False
        )
        check_number(self.regularisation, name="regularisation", function=function, low=0, low_inclusive=False)
        check_number(self.seed, name="seed", function=function, low=0, integer=True)
        if self.embedder is not None and not callable(self.embedder):
            raise parameter_error("embedder", function, "a callable texts -> vectors or None", self.embedder)

    def fit(self, organisations: pd.DataFrame, collaborations: pd.DataFrame) -> PartnerRecommender:
        """Learn the combination of signals from the collaboration history.

        Parameters
        ----------
        organisations : DataFrame
            ``id``, ``kind`` (one of :data:`KINDS`), ``country``; optional ``name``,
            ``region`` (NUTS code), ``text`` (description or portfolio words) and
            ``activities`` (``';'``-joined activity codes, e.g. programme parts). An
            activity written ``year:code`` counts only from that year on, so that the
            inner split does not see the future; an undated one counts always.
        collaborations : DataFrame
            ``org_1``, ``org_2``, ``year``; optional ``project`` and ``weight``. One row
            per pair and project (or year); self-pairs are ignored.

        Returns
        -------
        self

        Raises
        ------
        InvalidInputError
            Missing columns, duplicate or missing ids, unknown kinds, collaborations that
            name unknown organisations, non-numeric years, fewer than two distinct years,
            or no new pair in the inner label years.
        """
        self._check_params()
        organisations = _check_organisations(organisations)
        ids = pd.Index(organisations["id"].astype(str).to_numpy())
        edges = _check_collaborations(collaborations, ids)
        years = np.sort(edges["year"].unique())
        if len(years) <= self.label_years:
            raise InvalidInputError(
                f"The 'collaborations' parameter of PartnerRecommender.fit covers {len(years)} distinct year(s); "
                f"the inner temporal split needs more than label_years={self.label_years}."
            )
        self.ids_ = ids
        self.kinds_ = organisations["kind"].astype(str).to_numpy()
        self.countries_ = organisations["country"].astype(object).where(organisations["country"].notna(), "")
        self.countries_ = self.countries_.astype(str).to_numpy()
        self.regions_ = (
            organisations["region"].astype(object).where(organisations["region"].notna(), "").astype(str).to_numpy()
            if "region" in organisations.columns
            else np.full(len(ids), "", dtype=object)
        )
        self.names_ = organisations["name"].to_numpy() if "name" in organisations.columns else None
        self._parse_content(organisations)

        split_year = int(years[-self.label_years])
        self.split_year_ = split_year
        history = edges[edges["year"] < split_year]
        state = _GraphState(history, ids, self.kinds_, self.countries_, self.recent_years, self._content(split_year))
        queries, candidates, labels = self._training_pairs(state, edges[edges["year"] >= split_year])
        features = self._pair_features(state, queries, candidates)
        self._fit_model(features, labels)
        self.n_training_pairs_ = len(labels)
        self.graph_ = _GraphState(edges, ids, self.kinds_, self.countries_, self.recent_years, self._content(None))
        del self._embedding_cache
        return self

    def _parse_content(self, organisations: pd.DataFrame) -> None:
        """Texts and dated activities, kept to build the content signals at any cut-off year."""
        n = len(organisations)
        text = (
            organisations["text"].astype(object).where(organisations["text"].notna(), "").astype(str)
            if "text" in organisations.columns
            else pd.Series([""] * n)
        )
        activities = (
            organisations["activities"].astype(object).where(organisations["activities"].notna(), "").astype(str)
            if "activities" in organisations.columns
            else pd.Series([""] * n)
        )
        parsed = []
        for value in activities:
            entries = []
            for part in value.split(";"):
                part = part.strip()
                match = _DATED.match(part)
                if match:
                    entries.append((int(match.group(1)), match.group(2).strip()))
                elif part:
                    entries.append((None, part))
            parsed.append([(year, code) for year, code in entries if code])
        self._texts = text.tolist()
        self._activities = parsed
        self._embedding_cache: dict[tuple[str, ...], np.ndarray] = {}

    def _content(self, until_year: int | None) -> tuple[sp.csr_array, sp.csr_array, np.ndarray | None]:
        """TF-IDF matrix, 0/1 portfolio and embeddings from the activities dated before ``until_year``."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize

        n = len(self._texts)
        activity_lists = [
            [code for year, code in entries if year is None or until_year is None or year < until_year]
            for entries in self._activities
        ]
        # an activity is one token, so that "SC1" and "SC1;SC2" share exactly one word
        words = [" ".join("act_" + "_".join(code.lower().split()) for code in codes) for codes in activity_lists]
        documents = [f"{a} {b}".strip() for a, b in zip(self._texts, words, strict=True)]
        if any(documents):
            vectorizer = TfidfVectorizer(sublinear_tf=True, token_pattern=r"(?u)\b\w[\w]+\b")
            content = sp.csr_array(vectorizer.fit_transform(documents))
        else:
            content = sp.csr_array((n, 1))
        vocabulary = pd.Index(sorted({code for codes in activity_lists for code in codes}))
        rows = np.repeat(np.arange(n), [len(codes) for codes in activity_lists])
        cols = vocabulary.get_indexer([code for codes in activity_lists for code in codes])
        portfolio = sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, max(len(vocabulary), 1)))
        portfolio.sum_duplicates()
        portfolio.data[:] = 1.0
        embeddings = None
        if self.embedder is not None:
            key = tuple(documents)
            if key not in self._embedding_cache:
                vectors = np.asarray(self.embedder(documents), dtype=np.float64)
                if vectors.ndim != 2 or vectors.shape[0] != n:
                    raise parameter_error(
                        "embedder", "PartnerRecommender.fit", f"a callable returning an array of shape ({n}, d)",
                        f"shape {vectors.shape}",
                    )  # fmt: skip
                self._embedding_cache[key] = normalize(vectors)
            embeddings = self._embedding_cache[key]
        return content, portfolio, embeddings

    def _training_pairs(self, state: _GraphState, future: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Positive new pairs (both directions) and sampled negatives for a subsample of queries."""
        first = self.ids_.get_indexer(future["org_1"])
        second = self.ids_.get_indexer(future["org_2"])
        queries = np.concatenate([first, second])
        partners = np.concatenate([second, first])
        existing = state.binary[queries, partners] > 0
        pairs = pd.DataFrame({"query": queries[~existing], "candidate": partners[~existing]}).drop_duplicates()
        if pairs.empty:
            raise InvalidInputError(
                "The 'collaborations' parameter of PartnerRecommender.fit has no new pair in the inner label "
                f"years (from {self.split_year_}); the combination cannot be learned."
            )
        if self.pairs == "complementary":
            query_kinds = self.kinds_[pairs["query"].to_numpy()]
            candidate_kinds = self.kinds_[pairs["candidate"].to_numpy()]
            keep = ((query_kinds == "enterprise") & np.isin(candidate_kinds, KNOWLEDGE_KINDS)) | (
                np.isin(query_kinds, KNOWLEDGE_KINDS) & (candidate_kinds == "enterprise")
            )
            pairs = pairs[keep]
            if pairs.empty:
                raise InvalidInputError(
                    "The 'collaborations' parameter of PartnerRecommender.fit has no new enterprise - knowledge "
                    f"institution pair in the inner label years (from {self.split_year_}); use pairs='all'."
                )
        rng = np.random.default_rng(self.seed)
        unique_queries = np.sort(pairs["query"].unique())
        if len(unique_queries) > self.max_queries:
            unique_queries = np.sort(rng.choice(unique_queries, size=self.max_queries, replace=False))
        pairs = pairs[pairs["query"].isin(unique_queries)]
        positives = pairs.groupby("query")["candidate"].apply(np.asarray).to_dict()
        n = len(self.ids_)
        binary = state.binary
        query_list, candidate_list, label_list = [], [], []
        for query in unique_queries:
            positive = positives[query]
            if self.pairs == "complementary":
                allowed = kind_complementarity(self.kinds_[[query]], self.kinds_)[0].astype(bool)
            else:
                allowed = np.ones(n, dtype=bool)
            allowed[positive] = False
            allowed[query] = False
            allowed[binary[[query]].indices] = False
            wanted_near = int(round(self.negatives * self.hard_negatives))
            chosen_near = np.empty(0, dtype=np.int64)
            if wanted_near:
                near = np.unique(binary[binary[[query]].indices].indices)
                near = near[allowed[near]]
                if len(near):
                    chosen_near = rng.choice(near, size=min(wanted_near, len(near)), replace=False)
                    allowed[chosen_near] = False
            pool = np.flatnonzero(allowed)
            wanted = min(self.negatives - len(chosen_near), len(pool))
            uniform = rng.choice(pool, size=wanted, replace=False) if wanted else np.empty(0, dtype=np.int64)
            negative = np.concatenate([chosen_near, uniform]).astype(np.int64)
            query_list.append(np.full(len(positive) + len(negative), query))
            candidate_list.append(np.concatenate([positive, negative]))
            label_list.append(np.concatenate([np.ones(len(positive)), np.zeros(len(negative))]))
        return np.concatenate(query_list), np.concatenate(candidate_list), np.concatenate(label_list)

    # ----------------------------------------------------------------------- features

    def _feature_blocks(self, state: _GraphState, queries: np.ndarray) -> list[tuple[str, str, np.ndarray]]:
        """(component, feature, matrix of shape (len(queries), n_organisations)) for every feature."""
        network = _network()
        n = len(self.ids_)
        blocks: list[tuple[str, str, np.ndarray]] = []
        content, portfolio, embeddings = state.content, state.portfolio, state.embeddings
        blocks.append(("competence", "tfidf_cosine", (content[queries] @ content.T).toarray()))
        if embeddings is not None:
            blocks.append(("competence", "embedding_cosine", embeddings[queries] @ embeddings.T))
        blocks.append(("complementarity", "portfolio", portfolio_complementarity(portfolio[queries], portfolio)))
        adjacency = state.adjacency
        adamic = np.asarray(network.adamic_adar(adjacency, queries), dtype=np.float64)
        allocation = np.asarray(network.resource_allocation(adjacency, queries), dtype=np.float64)
        pagerank = np.asarray(
            network.personalised_pagerank(adjacency, queries, alpha=self.pagerank_damping, tol=1e-6, max_iter=500),
            dtype=np.float64,
        )
        blocks.append(("network", "adamic_adar", np.log1p(adamic)))
        blocks.append(("network", "resource_allocation", np.log1p(allocation * 10.0)))
        blocks.append(("network", "personalised_pagerank", np.log1p(pagerank * n)))
        blocks.append(("kind_match", "kind_complementarity", kind_complementarity(self.kinds_[queries], self.kinds_)))
        same_kind_partners = state.partner_kinds[:, state.kind_codes[queries]].T  # candidate's partners of q's kind
        blocks.append(("kind_match", "log_partners_of_my_kind", np.log1p(same_kind_partners)))
        with np.errstate(divide="ignore", invalid="ignore"):
            affinity = np.where(state.degree[None, :] > 0, same_kind_partners / state.degree[None, :], 0.0)
        blocks.append(("kind_match", "share_partners_of_my_kind", affinity))
        for kind in KINDS:
            column = (self.kinds_ == kind).astype(np.float64)
            blocks.append(("kind_match", f"candidate_{kind}", np.broadcast_to(column, (len(queries), n))))
        countries = self.countries_
        blocks.append(("geography", "same_country", (countries[queries][:, None] == countries[None, :]).astype(float)))
        regions = self.regions_
        same_region = (regions[queries][:, None] == regions[None, :]) & (regions[None, :] != "")
        blocks.append(("geography", "same_region", same_region.astype(np.float64)))
        share = state.partner_country_share[queries][:, state.country_codes]
        blocks.append(("geography", "partner_country_share", share))
        reverse = state.partner_country_share[:, state.country_codes[queries]].T  # candidate's partners in q's country
        blocks.append(("geography", "candidate_partners_in_my_country", reverse))
        blocks.append(("popularity", "log_degree", np.broadcast_to(np.log1p(state.degree), (len(queries), n))))
        blocks.append(
            ("popularity", "log_recent_degree", np.broadcast_to(np.log1p(state.recent_degree), (len(queries), n)))
        )
        return blocks

    def _pair_features(self, state: _GraphState, queries: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """Feature matrix (n_pairs, n_features) for (query, candidate) position pairs."""
        order = np.argsort(queries, kind="stable")
        unique, starts = np.unique(queries[order], return_index=True)
        rows_of = np.searchsorted(unique, queries)
        result = None
        for start in range(0, len(unique), _BATCH):
            batch = unique[start : start + _BATCH]
            blocks = self._feature_blocks(state, batch)
            if result is None:
                result = np.empty((len(queries), len(blocks)), dtype=np.float64)
                self.feature_names_ = [name for _, name, _ in blocks]
                components: dict[str, list[str]] = {}
                for component, name, _ in blocks:
                    components.setdefault(component, []).append(name)
                self.feature_components_ = components
            mask = (rows_of >= start) & (rows_of < start + len(batch))
            local_rows = rows_of[mask] - start
            for column, (_, _, values) in enumerate(blocks):
                result[mask, column] = values[local_rows, candidates[mask]]
        return result

    def _fit_model(self, features: np.ndarray, labels: np.ndarray) -> None:
        from sklearn.linear_model import LogisticRegression

        mean = features.mean(axis=0)
        scale = features.std(axis=0)
        scale[scale == 0] = 1.0
        self.feature_mean_, self.feature_scale_ = mean, scale
        standard = (features - mean) / scale
        linear = LogisticRegression(C=self.regularisation, max_iter=2000)
        linear.fit(standard, labels)
        self.coefficients_ = pd.Series(linear.coef_.ravel(), index=self.feature_names_)
        self.intercept_ = float(linear.intercept_[0])
        if self.model == "boosting":
            from sklearn.ensemble import HistGradientBoostingClassifier

            self.booster_ = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.1, random_state=self.seed)
            self.booster_.fit(features, labels)
        else:
            self.booster_ = None

    # ----------------------------------------------------------------------- scoring

    def _check_fitted(self, function: str) -> None:
        if not hasattr(self, "graph_"):
            raise InvalidInputError(f"This PartnerRecommender is not fitted yet; call fit before {function}.")

    def _component_scores(self, queries: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Score (n_queries, n_orgs) and per-component contributions for a batch of query positions."""
        blocks = self._feature_blocks(self.graph_, queries)
        coefficients = self.coefficients_.to_numpy()
        components = {name: np.zeros((len(queries), len(self.ids_))) for name in COMPONENTS}
        for column, (component, _, values) in enumerate(blocks):
            if coefficients[column] != 0:
                components[component] += (
                    coefficients[column] * (values - self.feature_mean_[column]) / (self.feature_scale_[column])
                )
        if self.booster_ is not None:
            stacked = np.stack([values.ravel() for _, _, values in blocks], axis=1)
            score = self.booster_.decision_function(stacked).reshape(len(queries), len(self.ids_))
        else:
            score = sum(components.values())
        return np.asarray(score, dtype=np.float64), components

    def scores(self, org_ids: Any, candidate_ids: Any = None) -> np.ndarray:
        """Scores of candidates for each organisation (higher is a better partner).

        Parameters
        ----------
        org_ids : id or list of ids
        candidate_ids : list of ids, optional
            Defaults to every fitted organisation (in the order of ``ids_``).

        Returns
        -------
        ndarray of shape (len(org_ids), len(candidate_ids))
            The linear predictor (log-odds without intercept). Existing partners and the
            organisation itself are not excluded.
        """
        self._check_fitted("scores")
        queries = _check_ids(org_ids, self.ids_, "org_ids", "PartnerRecommender.scores")
        columns = (
            np.arange(len(self.ids_))
            if candidate_ids is None
            else _check_ids(candidate_ids, self.ids_, "candidate_ids", "PartnerRecommender.scores")
        )
        result = np.empty((len(queries), len(columns)))
        for start in range(0, len(queries), _BATCH):
            score, _ = self._component_scores(queries[start : start + _BATCH])
            result[start : start + _BATCH] = score[:, columns]
        return result

    def recommend(
        self,
        org_id: Any,
        *,
        k: int = 10,
        kinds: Iterable[str] | None = None,
        regions: Iterable[str] | None = None,
        exclude_existing: bool = True,
    ) -> pd.DataFrame:
        """The ``k`` best partners for one organisation, with the score of every component.

        Parameters
        ----------
        org_id : id
        k : int
            Number of partners.
        kinds : list of str, optional
            Keep only candidates of these kinds.
        regions : list of str, optional
            Keep only candidates whose NUTS ``region`` starts with one of these codes or
            whose ``country`` is one of them (NUTS level 0 codes are country codes).
        exclude_existing : bool
            Leave out organisations that already collaborated with ``org_id``.

        Returns
        -------
        DataFrame
            ``partner_id, score, competence, complementarity, network, kind_match,
            geography, popularity, kind, country`` (and ``name``, ``region`` when fitted
            with them), best first. ``score`` equals the sum of the component columns for
            ``model="logistic"``; ``kind`` and ``country`` describe the candidate.
        """
        if isinstance(org_id, list | tuple | np.ndarray | pd.Series | pd.Index):
            raise parameter_error("org_id", "PartnerRecommender.recommend", "a single organisation id", org_id)
        frame = self.recommend_many(
            [org_id], k=k, kinds=kinds, regions=regions, exclude_existing=exclude_existing, _function="recommend"
        )
        return frame.drop(columns=["org_id", "rank"]).reset_index(drop=True)

    def recommend_many(
        self,
        org_ids: Iterable[Any],
        *,
        k: int = 10,
        kinds: Iterable[str] | None = None,
        regions: Iterable[str] | None = None,
        exclude_existing: bool = True,
        _function: str = "recommend_many",
    ) -> pd.DataFrame:
        """:meth:`recommend` for many organisations at once, as one long table with ``org_id`` and ``rank``."""
        function = f"PartnerRecommender.{_function}"
        self._check_fitted(_function)
        k = check_number(k, name="k", function=function, low=1, integer=True)
        queries = _check_ids(org_ids, self.ids_, "org_ids" if _function == "recommend_many" else "org_id", function)
        allowed = np.ones(len(self.ids_), dtype=bool)
        if kinds is not None:
            kinds = [kinds] if isinstance(kinds, str) else list(kinds)
            for kind in kinds:
                check_option(kind, KINDS, name="kinds", function=function)
            allowed &= np.isin(self.kinds_, kinds)
        if regions is not None:
            regions = [regions] if isinstance(regions, str) else [str(region) for region in regions]
            in_region = np.zeros(len(self.ids_), dtype=bool)
            for region in regions:
                in_region |= pd.Series(self.regions_).str.startswith(region).to_numpy() & (self.regions_ != "")
                in_region |= self.countries_ == region
            allowed &= in_region
        binary = self.graph_.binary
        frames = []
        for start in range(0, len(queries), _BATCH):
            batch = queries[start : start + _BATCH]
            score, components = self._component_scores(batch)
            masked = np.where(allowed[None, :], score, -np.inf)
            masked[np.arange(len(batch)), batch] = -np.inf
            if exclude_existing:
                existing = binary[batch].tocoo()
                masked[existing.row, existing.col] = -np.inf
            top = min(k, masked.shape[1])
            best = np.argpartition(-masked, top - 1, axis=1)[:, :top]
            order = np.argsort(-np.take_along_axis(masked, best, axis=1), axis=1, kind="stable")
            best = np.take_along_axis(best, order, axis=1)
            rows = np.repeat(np.arange(len(batch)), top)
            cols = best.ravel()
            keep = np.isfinite(masked[rows, cols])
            rows, cols = rows[keep], cols[keep]
            table = {
                "org_id": self.ids_[batch][rows],
                "rank": np.concatenate([np.arange(1, c + 1) for c in np.bincount(rows, minlength=len(batch))]),
                "partner_id": self.ids_[cols],
                "score": score[rows, cols],
            }
            table.update({name: components[name][rows, cols] for name in COMPONENTS})
            table["kind"] = self.kinds_[cols]
            table["country"] = self.countries_[cols]
            if self.names_ is not None:
                table["name"] = self.names_[cols]
            if np.any(self.regions_ != ""):
                table["region"] = self.regions_[cols]
            frames.append(pd.DataFrame(table))
        return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- CORDIS adapter


def split_inputs(split: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``fit`` inputs from the training part of a temporal split of CORDIS tables.

    Parameters
    ----------
    split : clusterix.partners.evaluation.TemporalSplit
        Only its training tables are read (``organisations``, ``train_projects``,
        ``train_participations``), so nothing from the held-out years leaks in.

    Returns
    -------
    organisations : DataFrame
        The split's organisations with ``activities``: the programme parts of each
        organisation's training participations as ``year:part`` (the project's start
        year), ``';'``-joined with repetitions (one per participation and part).
    collaborations : DataFrame
        :func:`clusterix.partners.network.collaboration_edges` of the training tables.
    """
    network = _network()
    projects, participations = split.train_projects, split.train_participations
    parts = pd.Series(projects["programme_part"].to_numpy(dtype=object), index=projects["id"].astype(str))
    years = pd.Series(pd.to_datetime(projects["start_date"]).dt.year.to_numpy(), index=projects["id"].astype(str))
    table = pd.DataFrame(
        {
            "organisation": participations["organisation_id"].astype(str).to_numpy(dtype=object),
            "part": participations["project_id"].astype(str).map(parts).to_numpy(dtype=object),
            "year": participations["project_id"].astype(str).map(years).to_numpy(dtype=object),
        }
    ).dropna()
    table = table.assign(part=table["part"].astype(str).str.split(";")).explode("part")
    table = table[table["part"].str.strip() != ""]
    table["entry"] = table["year"].astype(int).astype(str) + ":" + table["part"].str.strip()
    joined = table.groupby("organisation")["entry"].agg(";".join)
    organisations = split.organisations.assign(
        activities=split.organisations["id"].astype(str).map(joined).to_numpy(dtype=object)
    )
    return organisations, network.collaboration_edges(participations, projects)
