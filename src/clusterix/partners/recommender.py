"""Partner recommendation: named score components combined by a model learned from the collaboration history.

This module stays one (over 500 lines) because it is one estimator class whose fitting, state and
scoring share private attributes; its input checks are in :mod:`clusterix.partners.checks` and
:func:`split_inputs` is in :mod:`clusterix.partners.splits` (re-exported here).

:class:`PartnerRecommender` ranks candidate partners for an organisation. Every candidate
gets a handful of signals, grouped into named *components*:

``competence``
    TF-IDF cosine similarity of the organisations' ``text`` and ``activities`` (all,
    and of the recent years), plus the cosine of ``embedder`` vectors when an embedder
    is given.
``complementarity``
    Portfolio complementarity: the share of the candidate's activities the organisation
    does not have, among pairs that share at least one activity.
``network``
    Adamic-Adar, common neighbours, resource allocation, Jaccard, three-hop paths, and
    Adamic-Adar weighted by shared projects and over the recent collaborations only.
``kind_match``
    Kind complementarity (enterprise <-> higher education or research), the candidate's
    kind, and how many (log count and share) of the candidate's partners are of the
    organisation's kind.
``geography``
    Same country, same region, the share of the organisation's partners that are in the
    candidate's country and the share of the candidate's partners in the organisation's.
``popularity``
    The candidate's log degree (overall and in the recent years), its links of the
    last year and its collaborations (pair-project rows).

Only a candidate pool per query is scored (:mod:`clusterix.partners.candidates`). The
combination is a logistic regression trained on the collaboration history given to
``fit`` only: features are computed from the collaborations before an inner split year
``t``, for the pools of queries with new partners from ``t`` on; the labels say which
pool members became partners, and every training query weighs the same. A component's
value in the output is its contribution to the model's linear predictor (coefficient
times standardised feature, summed over the component's features), so the ``score``
column is exactly the sum of the component columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clusterix._validation import check_number, check_option, parameter_error
from clusterix.errors import InvalidInputError
from clusterix.partners.candidates import (
    KINDS,
    KNOWLEDGE_KINDS,
    GraphState,
    PoolSizes,
    adamic_adar_rows,
    candidate_pools,
    complementary_kinds,
    content_vector_index,
    kind_complementarity,
    pair_features,
    portfolio_complementarity,
)
from clusterix.partners.checks import _check_collaborations, _check_ids, _check_organisations
from clusterix.partners.splits import split_inputs

__all__ = [
    "COMPONENTS",
    "KINDS",
    "KNOWLEDGE_KINDS",
    "PartnerRecommender",
    "kind_complementarity",
    "portfolio_complementarity",
    "split_inputs",
]


#: The named score components, in output order.
COMPONENTS = ("competence", "complementarity", "network", "kind_match", "geography", "popularity")
_MODELS = ("logistic", "boosting")
_PAIRS = ("all", "complementary")
_DATED = re.compile(r"^(\d{4}):(.*)$")  # a "year:code" activity
_BATCH = 64  # queries whose pools are built and scored together
_CONTENT_DIMENSIONS = 64  # length of the vectors in the content index


class PartnerRecommender:
    """Recommend collaboration partners from competences, networks, kinds and geography.

    Two stages: each query's candidate pool (two-hop network neighbours, the most active
    organisations of the allowed kinds, nearest neighbours by content; see
    :func:`~clusterix.partners.candidates.candidate_pools`), then a learned combination of
    pair features that ranks the pool. The combination is trained on the pools of past
    queries, so it learns to separate the partners a query went on to work with from the
    plausible candidates it did not choose, as at prediction time.

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
    network_pool, popular_pool, content_pool : int
        Candidates drawn per query from the two-hop neighbourhood (best Adamic-Adar first),
        from the most active organisations (recent partners) and from the content index.
    pairs : {"complementary", "all"}
        ``"complementary"`` (the default, the aim of a cluster partnership): the
        combination is trained on new enterprise - knowledge institution pairs, and an
        enterprise is offered knowledge institutions and the reverse (organisations of
        other kinds are offered everyone; an explicit ``kinds`` filter in
        :meth:`recommend` overrides this). ``"all"``: trained on every new pair, and
        everyone is offered everyone.
    max_queries : int
        Training queries drawn (with ``seed``) from the organisations with new partners.
    recent_years : int
        Years counted by the recent features (recent partners, recent activities).
    regularisation : float
        Inverse regularisation strength ``C`` of the logistic regression.
    embedder : callable, optional
        ``texts -> vectors`` (a list of str to an array of shape (n, d)), e.g.
        :class:`~clusterix.partners.embeddings.SentenceEmbedder`; its cosine becomes a
        competence feature and its vectors feed the content pool (TF-IDF reduced by SVD
        otherwise).
    seed : int
        Seed of the query subsample, the SVD and the boosting model.

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
        Training rows (pool members of the training queries).
    pool_recall_ : float
        Share of the training queries' new partners that their pools held.
    """

    def __init__(
        self,
        *,
        model: str = "logistic",
        label_years: int = 1,
        network_pool: int = 300,
        popular_pool: int = 100,
        content_pool: int = 50,
        pairs: str = "complementary",
        max_queries: int = 3000,
        recent_years: int = 2,
        regularisation: float = 1.0,
        embedder: Callable[[list[str]], Any] | None = None,
        seed: int = 0,
    ) -> None:
        self.model = model
        self.label_years = label_years
        self.network_pool = network_pool
        self.popular_pool = popular_pool
        self.content_pool = content_pool
        self.pairs = pairs
        self.max_queries = max_queries
        self.recent_years = recent_years
        self.regularisation = regularisation
        self.embedder = embedder
        self.seed = seed

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters (scikit-learn convention)."""
        names = (
            "model", "label_years", "network_pool", "popular_pool", "content_pool", "pairs", "max_queries",
            "recent_years", "regularisation", "embedder", "seed",
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
        for name in ("network_pool", "popular_pool", "content_pool"):
            check_number(getattr(self, name), name=name, function=function, low=0, integer=True)
        if self.network_pool + self.popular_pool + self.content_pool == 0:
            raise parameter_error("network_pool", function, "pool sizes that add up to at least 1", 0)
        check_option(self.pairs, _PAIRS, name="pairs", function=function)
        check_number(self.max_queries, name="max_queries", function=function, low=1, integer=True)
        check_number(self.recent_years, name="recent_years", function=function, low=1, integer=True)
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
        self.__dict__.pop("_complements", None)
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
        state = self._state(edges[edges["year"] < split_year], split_year)
        features, labels, weights = self._training_rows(state, edges[edges["year"] >= split_year])
        self._fit_model(features, labels, weights)
        self.n_training_pairs_ = len(labels)
        self.graph_ = self._state(edges, None)
        for name in ("_embeddings", "_content_vectors", "_content_index"):
            self.__dict__.pop(name, None)
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
        self._embeddings = self._embed(self._texts)

    def _embed(self, texts: list[str]) -> np.ndarray | None:
        """Unit text embeddings (texts do not change with the cut-off year: embedded once)."""
        from sklearn.preprocessing import normalize

        if self.embedder is None:
            return None
        vectors = np.asarray(self.embedder(texts), dtype=np.float64)
        if vectors.ndim != 2 or vectors.shape[0] != len(texts):
            raise parameter_error(
                "embedder", "PartnerRecommender.fit", f"a callable returning an array of shape ({len(texts)}, d)",
                f"shape {vectors.shape}",
            )  # fmt: skip
        return normalize(vectors)

    def _documents(self, until_year: int | None, since_year: int | None = None) -> tuple[list[str], list[list[str]]]:
        """Per organisation: text plus activity words, and the activity codes, dated in [since, until)."""
        activity_lists = [
            [
                code
                for year, code in entries
                if year is None
                or ((until_year is None or year < until_year) and (since_year is None or year >= since_year))
            ]
            for entries in self._activities
        ]
        # an activity is one token, so that "SC1" and "SC1;SC2" share exactly one word
        words = [" ".join("act_" + "_".join(code.lower().split()) for code in codes) for codes in activity_lists]
        documents = [f"{a} {b}".strip() for a, b in zip(self._texts, words, strict=True)]
        return documents, activity_lists

    def _state(self, edges: pd.DataFrame, until_year: int | None) -> GraphState:
        """The graph and content state of the collaborations ``edges`` (all dated before ``until_year``)."""
        from clusterix.partners.index import tfidf_vectors

        n = len(self.ids_)
        documents, activity_lists = self._documents(until_year)
        last = int(edges["year"].max()) if len(edges) else 0
        recent_documents, _ = self._documents(until_year, last - self.recent_years + 1)
        vocabulary = pd.Index(sorted({code for codes in activity_lists for code in codes}))
        rows = np.repeat(np.arange(n), [len(codes) for codes in activity_lists])
        cols = vocabulary.get_indexer([code for codes in activity_lists for code in codes])
        portfolio = sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, max(len(vocabulary), 1)))
        portfolio.sum_duplicates()
        portfolio.data[:] = 1.0
        index = None
        if self._embeddings is not None:  # embeddings do not depend on the cut-off: one index for both states
            if not hasattr(self, "_content_index"):
                self._content_vectors = _reduced(self._embeddings, _CONTENT_DIMENSIONS, self.seed)
                self._content_index = content_vector_index(self._content_vectors)
            vectors, index = self._content_vectors, self._content_index
        elif self.content_pool:
            vectors = tfidf_vectors(documents, dim=_CONTENT_DIMENSIONS, seed=self.seed)
        else:
            vectors = np.zeros((n, 0), dtype=np.float32)
        return GraphState(
            edges,
            self.ids_,
            self.kinds_,
            self.countries_,
            self.regions_,
            content=_tfidf(documents),
            recent_content=_tfidf(recent_documents),
            portfolio=portfolio,
            embeddings=self._embeddings,
            vectors=vectors,
            recent_years=self.recent_years,
            content_index=index,
        )

    def _allowed(self, queries: np.ndarray, base: np.ndarray | None = None) -> np.ndarray:
        """Per query, the organisations its pool may hold.

        ``base`` (default: everyone); with ``pairs="complementary"`` also only the
        complementary kinds for enterprises and knowledge institutions (other kinds keep
        ``base``).
        """
        base = np.ones(len(self.ids_), dtype=bool) if base is None else base
        if self.pairs != "complementary":
            return base
        if not hasattr(self, "_complements"):  # kind -> organisations of the complementary kinds (or everyone)
            self._complements = {}
            for kind in np.unique(self.kinds_):
                complement = kind_complementarity(np.array([kind]), self.kinds_)[0].astype(bool)
                self._complements[kind] = complement if complement.any() else np.ones(len(self.ids_), dtype=bool)
        return np.stack([base & self._complements[kind] for kind in self.kinds_[queries]])

    def _training_rows(self, state: GraphState, future: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pool features, labels (new partner or not) and per-query weights of the training queries."""
        first = self.ids_.get_indexer(future["org_1"])
        second = self.ids_.get_indexer(future["org_2"])
        queries = np.concatenate([first, second])
        partners = np.concatenate([second, first])
        pairs = pd.DataFrame({"query": queries, "candidate": partners}).drop_duplicates()
        existing = state.binary[pairs["query"].to_numpy(), pairs["candidate"].to_numpy()] > 0
        pairs = pairs[~np.asarray(existing).ravel() & (state.degree[pairs["query"].to_numpy()] > 0)]
        if self.pairs == "complementary":
            query_kinds = self.kinds_[pairs["query"].to_numpy()]
            pairs = pairs[complementary_kinds(query_kinds, self.kinds_[pairs["candidate"].to_numpy()])]
        if pairs.empty:
            which = "enterprise - knowledge institution pair" if self.pairs == "complementary" else "pair"
            raise InvalidInputError(
                f"The 'collaborations' parameter of PartnerRecommender.fit has no new {which} of an organisation "
                f"with history in the inner label years (from {self.split_year_}); the combination cannot be learned."
            )
        rng = np.random.default_rng(self.seed)
        training = np.sort(pairs["query"].unique())
        if len(training) > self.max_queries:
            training = np.sort(rng.choice(training, size=self.max_queries, replace=False))
        positives = pairs[pairs["query"].isin(training)].groupby("query")["candidate"].apply(np.asarray).to_dict()
        sizes = self._pool_sizes()
        features, labels, weights, found, wanted = [], [], [], 0, 0
        for start in range(0, len(training), _BATCH):
            batch = training[start : start + _BATCH]
            adamic = adamic_adar_rows(state, batch)
            pools = candidate_pools(state, batch, self._allowed(batch), sizes, adamic=adamic)
            matrices, names = pair_features(state, batch, pools, adamic=adamic)
            for query, pool, matrix in zip(batch, pools, matrices, strict=True):
                label = np.isin(pool, positives[query]).astype(np.float64)
                found, wanted = found + int(label.sum()), wanted + len(positives[query])
                hits = max(label.sum(), 1.0)
                misses = max(len(label) - label.sum(), 1.0)
                features.append(matrix)
                labels.append(label)
                weights.append(np.where(label > 0, 1.0 / hits, 1.0 / misses))
        self._set_feature_names(names)
        self.pool_recall_ = found / max(wanted, 1)
        labels = np.concatenate(labels)
        if labels.sum() == 0 or labels.sum() == len(labels):
            raise InvalidInputError(
                "The candidate pools of PartnerRecommender.fit hold no new partner of any training query (or only "
                "new partners); raise the pool sizes or give more collaborations."
            )
        return np.vstack(features), labels, np.concatenate(weights)

    def _pool_sizes(self) -> PoolSizes:
        return PoolSizes(network=self.network_pool, popular=self.popular_pool, content=self.content_pool)

    def _set_feature_names(self, names: list[tuple[str, str]]) -> None:
        self.feature_names_ = [name for _, name in names]
        components: dict[str, list[str]] = {}
        for component, name in names:
            components.setdefault(component, []).append(name)
        self.feature_components_ = components
        self._feature_component = [component for component, _ in names]

    def _fit_model(self, features: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> None:
        from sklearn.linear_model import LogisticRegression

        mean = features.mean(axis=0)
        scale = features.std(axis=0)
        scale[scale == 0] = 1.0
        self.feature_mean_, self.feature_scale_ = mean, scale
        standard = (features - mean) / scale
        weights = weights * len(weights) / weights.sum()
        linear = LogisticRegression(C=self.regularisation, max_iter=2000)
        linear.fit(standard, labels, sample_weight=weights)
        self.coefficients_ = pd.Series(linear.coef_.ravel(), index=self.feature_names_)
        self.intercept_ = float(linear.intercept_[0])
        if self.model == "boosting":
            from sklearn.ensemble import HistGradientBoostingClassifier

            self.booster_ = HistGradientBoostingClassifier(
                max_iter=300, learning_rate=0.05, min_samples_leaf=50, l2_regularization=1.0, random_state=self.seed
            )
            self.booster_.fit(features, labels, sample_weight=weights)
        else:
            self.booster_ = None

    # ----------------------------------------------------------------------- scoring

    def _check_fitted(self, function: str) -> None:
        if not hasattr(self, "graph_"):
            raise InvalidInputError(f"This PartnerRecommender is not fitted yet; call fit before {function}.")

    def _scored_pools(
        self, queries: np.ndarray, allowed: np.ndarray, sizes: PoolSizes, *, exclude_existing: bool = True
    ) -> list[tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]]:
        """Each query's pool with the score and per-component contributions of every member."""
        adamic = adamic_adar_rows(self.graph_, queries)
        pools = candidate_pools(self.graph_, queries, allowed, sizes, exclude_existing=exclude_existing, adamic=adamic)
        matrices, _ = pair_features(self.graph_, queries, pools, adamic=adamic)
        coefficients = self.coefficients_.to_numpy()
        results = []
        for pool, matrix in zip(pools, matrices, strict=True):
            terms = coefficients * (matrix - self.feature_mean_) / self.feature_scale_
            components = {name: np.zeros(len(matrix)) for name in COMPONENTS}
            for column, component in enumerate(self._feature_component):
                components[component] += terms[:, column]
            if self.booster_ is not None and len(matrix):
                score = self.booster_.decision_function(matrix)
            else:
                score = terms.sum(axis=1)
            results.append((pool, np.asarray(score, dtype=np.float64), components))
        return results

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
            The model's score (log-odds without intercept) for the members of each
            organisation's candidate pool (existing partners and the organisation itself
            are not in it); every other candidate scores below all of them, ordered by
            recent activity. Finite everywhere.
        """
        self._check_fitted("scores")
        queries = _check_ids(org_ids, self.ids_, "org_ids", "PartnerRecommender.scores")
        columns = (
            np.arange(len(self.ids_))
            if candidate_ids is None
            else _check_ids(candidate_ids, self.ids_, "candidate_ids", "PartnerRecommender.scores")
        )
        where = np.full(len(self.ids_), -1)
        where[columns] = np.arange(len(columns))
        activity = np.log1p(self.graph_.recent_degree[columns])
        fallback = activity / (activity.max() + 1.0)  # in [0, 1)
        result = np.empty((len(queries), len(columns)))
        sizes = self._pool_sizes()
        for start in range(0, len(queries), _BATCH):
            batch = queries[start : start + _BATCH]
            for row, (pool, score, _) in enumerate(self._scored_pools(batch, self._allowed(batch), sizes)):
                floor = (score.min() if len(score) else 0.0) - 2.0
                values = floor + fallback
                inside = where[pool] >= 0
                values[where[pool][inside]] = score[inside]
                result[start + row] = values
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
            with them), best first; fewer than ``k`` rows when the candidate pool is
            smaller. ``score`` equals the sum of the component columns for
            ``model="logistic"``; ``kind`` and ``country`` describe the candidate.

        Notes
        -----
        An organisation without collaborations and without text or activities (cold
        start) gets the most active organisations of the allowed kinds, ranked by the
        same model; its network and competence terms are then zero for every candidate.
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
            in_region = pd.Series(self.regions_).str.startswith(tuple(regions)).to_numpy() & (self.regions_ != "")
            allowed &= in_region | np.isin(self.countries_, regions)
        sizes = self._pool_sizes()
        if kinds is not None or regions is not None:  # a filtered pool: make sure k allowed candidates can enter
            sizes = PoolSizes(sizes.network, max(sizes.popular, k), sizes.content)
        frames = []
        for start in range(0, len(queries), _BATCH):
            batch = queries[start : start + _BATCH]
            # an explicit kinds filter overrides the complementary default
            allowed_batch = allowed if kinds is not None else self._allowed(batch, allowed)
            scored = self._scored_pools(batch, allowed_batch, sizes, exclude_existing=exclude_existing)
            for query, (pool, score, components) in zip(batch, scored, strict=True):
                order = np.lexsort((pool, -score))[:k]
                chosen = pool[order]
                table = {
                    "org_id": np.full(len(chosen), self.ids_[query], dtype=object),
                    "rank": np.arange(1, len(chosen) + 1),
                    "partner_id": self.ids_[chosen],
                    "score": score[order],
                }
                table.update({name: components[name][order] for name in COMPONENTS})
                table["kind"] = self.kinds_[chosen]
                table["country"] = self.countries_[chosen]
                if self.names_ is not None:
                    table["name"] = self.names_[chosen]
                if np.any(self.regions_ != ""):
                    table["region"] = self.regions_[chosen]
                frames.append(pd.DataFrame(table))
        return pd.concat(frames, ignore_index=True)


def _reduced(vectors: np.ndarray, dimensions: int, seed: int) -> np.ndarray:
    """Unit rows of ``vectors`` projected on their first ``dimensions`` singular directions (float32)."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    if vectors.shape[1] <= dimensions:
        return normalize(vectors).astype(np.float32)
    reduced = TruncatedSVD(n_components=dimensions, random_state=seed).fit_transform(vectors)
    return normalize(reduced).astype(np.float32)


def _tfidf(documents: list[str]) -> sp.csr_array:
    """Row-normalised TF-IDF of the documents (an empty (n, 1) matrix when all are empty)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not any(documents):
        return sp.csr_array((len(documents), 1))
    vectorizer = TfidfVectorizer(sublinear_tf=True, token_pattern=r"(?u)\b\w[\w]+\b")
    try:
        return sp.csr_array(vectorizer.fit_transform(documents))
    except ValueError:  # no word of two or more characters anywhere
        return sp.csr_array((len(documents), 1))
