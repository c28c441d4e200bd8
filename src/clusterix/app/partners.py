"""Use cases of organisations and partner recommendation: search, one organisation, the fitted
recommender (one fit path for every face) and its recommendations with the reasons."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from clusterix.app._convert import plain, records
from clusterix.app.background import NotReadyError
from clusterix.app.results import Organisation, OrganisationDetail, Page, Partners
from clusterix.errors import DataSourceError, InvalidInputError, UnknownCodeError
from clusterix.storage import Store

if TYPE_CHECKING:
    from clusterix.app.workspace import Workspace

__all__ = [
    "RecommenderData",
    "collaboration_version",
    "fit_recommender",
    "fitted",
    "organisation_detail",
    "partner_items",
    "partner_recommendations",
    "recommender_data",
    "search_organisations",
]


def search_organisations(
    workspace: Workspace, *, q: str | None = None, kind: str | None = None, country: str | None = None,
    limit: int = 20, offset: int = 0,
) -> Page[Organisation]:  # fmt: skip
    """One page of organisations whose name or id contains ``q`` (case-insensitive).

    Parameters
    ----------
    workspace : Workspace
        The store.
    q : str, optional
        Part of the name or id.
    kind, country : str, optional
        Only organisations of this kind and country.
    limit, offset : int
        The page.

    Returns
    -------
    Page[Organisation]
        Ordered by name then id.
    """

    def build() -> Page[Organisation]:
        total, frame = workspace.store.search_organisations(q=q, kind=kind, country=country, limit=limit, offset=offset)
        page = {"items": records(frame), "total": total, "limit": limit, "offset": offset}
        return Page[Organisation].model_validate(page)

    # kept per store version: the Partners page's search-as-you-type asks the same again and again
    version = workspace.caches.store_version(workspace.store)
    return workspace.caches.results.get(("search", version, q, kind, country, limit, offset), build)  # type: ignore[no-any-return]


def organisation_detail(workspace: Workspace, organisation_id: str, *, projects: int = 20) -> OrganisationDetail:
    """One organisation with its participation count, partner count and latest projects.

    Parameters
    ----------
    workspace : Workspace
        The store.
    organisation_id : str
        The organisation (e.g. a CORDIS PIC).
    projects : int
        How many of its latest projects.

    Returns
    -------
    OrganisationDetail
        The organisation's record with ``external_ids``, ``participations``, ``partners`` and ``projects``.

    Raises
    ------
    UnknownCodeError
        The organisation is not in the store.
    """
    version = workspace.caches.store_version(workspace.store)
    return workspace.caches.results.get(  # type: ignore[no-any-return]
        ("organisation", version, organisation_id, projects),
        lambda: _detail(workspace.store, organisation_id, projects),
    )


def _detail(store: Store, organisation_id: str, projects: int) -> OrganisationDetail:
    frame = store.organisation(organisation_id, external_ids=True)
    if frame.empty:
        raise UnknownCodeError(f"Unknown organisation {organisation_id!r}.")
    record = records(frame)[0]
    external = record.pop("external_ids")
    try:
        record["external_ids"] = json.loads(external) if external else {}
    except (TypeError, ValueError):
        record["external_ids"] = {"text": str(external)}
    record["participations"] = store.participation_count(organisation_id)
    record["partners"] = store.partner_count(organisation_id)
    record["projects"] = records(store.latest_projects(organisation_id, projects))
    return OrganisationDetail.model_validate(record)


@dataclass(frozen=True)
class RecommenderData:
    """The inputs of :meth:`PartnerRecommender.fit`: organisations (with ``text`` and
    ``activities``) and collaborations, from the store or a CORDIS extract."""

    organisations: pd.DataFrame
    collaborations: pd.DataFrame


def recommender_data(organisations: pd.DataFrame, participations: pd.DataFrame) -> RecommenderData:
    """:func:`clusterix.partners.inputs.recommender_inputs` of organisations and their participations.

    Parameters
    ----------
    organisations : DataFrame
        The store's ``organisations()`` or a CORDIS reader's table.
    participations : DataFrame
        The store's ``participations()`` (with the projects' dates and programme parts).

    Returns
    -------
    RecommenderData
        The fit inputs.
    """
    from clusterix.partners.inputs import recommender_inputs

    if organisations.empty or participations.empty:
        raise DataSourceError(
            "The store holds no CORDIS organisations or participations. Import them with "
            "'clusterix ingest cordis FOLDER', or read the extract directly with --from DIR."
        )
    fit_organisations, collaborations = recommender_inputs(organisations, participations)
    return RecommenderData(fit_organisations, collaborations)


def fitted(data: RecommenderData, *, refresh: bool = False) -> tuple[Any, bool]:
    """The partner recommender fitted on ``data``, from the on-disk cache when it was fitted before.

    Parameters
    ----------
    data : RecommenderData
        The fit inputs.
    refresh : bool
        Fit again even when a cached model exists.

    Returns
    -------
    model : PartnerRecommender
        Fitted, with inner label years by :func:`~clusterix.partners.inputs.default_label_years`
        and sentence embeddings when the ``embeddings`` extra is installed and organisations have text.
    hit : bool
        Whether it came from the cache.
    """
    from clusterix.partners.embeddings import default_embedder
    from clusterix.partners.inputs import default_label_years, fit_cached
    from clusterix.partners.recommender import PartnerRecommender

    has_text = bool(data.organisations["text"].astype(str).str.strip().ne("").any())
    model = PartnerRecommender(
        label_years=default_label_years(data.collaborations),
        embedder=default_embedder() if has_text else None,
    )
    return fit_cached(data.organisations, data.collaborations, model=model, refresh=refresh)


def fit_recommender(store: Store) -> Any:
    """The partner recommender of a store's organisations and collaborations (the web's background fit).

    Parameters
    ----------
    store : Store
        The store holding CORDIS organisations and participations.

    Returns
    -------
    PartnerRecommender
        :func:`fitted` on :func:`recommender_data` of the store.
    """
    data = recommender_data(store.organisations(), store.participations())
    return fitted(data)[0]


def collaboration_version(store: Store) -> tuple[Any, ...]:
    """The state of the collaboration data the recommender is fitted on: the organisation
    datasets of the store, with their import times and sizes (a new import changes it).

    Parameters
    ----------
    store : Store
        The store.

    Returns
    -------
    tuple
        ``(name, imported_at, row_count)`` per organisation dataset.
    """
    datasets = store.datasets()
    chosen = datasets[datasets["kind"] == "organisations"]
    return tuple(
        (str(name), str(imported), int(rows))
        for name, imported, rows in zip(chosen["name"], chosen["imported_at"], chosen["row_count"], strict=True)
    )


def partner_items(recommender: Any, organisation_id: str, *, k: int, kinds: Sequence[str] | None,
                  regions: Sequence[str] | None) -> list[dict[str, Any]]:  # fmt: skip
    """The ``k`` best new partners of an organisation as JSON-ready records, best first.

    Parameters
    ----------
    recommender : PartnerRecommender
        Fitted.
    organisation_id : str
        The organisation.
    k : int
        How many partners.
    kinds, regions : sequence of str, optional
        Only partners of these kinds, in these regions or countries.

    Returns
    -------
    list of dict
        ``partner_id, name, kind, country, region, score, components`` (each component's
        contribution to the score: the reasons).
    """
    from clusterix.partners.recommender import COMPONENTS

    frame = recommender.recommend(organisation_id, k=k, kinds=kinds, regions=regions)
    return [
        {
            "partner_id": str(record["partner_id"]),
            "name": plain(record.get("name")),
            "kind": record["kind"],
            "country": plain(record["country"]) or None,
            "region": plain(record.get("region")) or None,
            "score": plain(record["score"]),
            "components": {name: plain(record[name]) for name in COMPONENTS},
        }
        for record in frame.to_dict("records")
    ]


def partner_recommendations(
    workspace: Workspace, organisation_id: str, *, k: int = 10, kinds: Sequence[str] | None = None,
    regions: Sequence[str] | None = None, recommender: Any = None,
) -> Partners:  # fmt: skip
    """The ``k`` best new partners of an organisation, each with its score and the contribution
    of every component (the reasons), best first.

    Parameters
    ----------
    workspace : Workspace
        The store, its caches and the background fit.
    organisation_id : str
        The organisation.
    k : int
        How many partners.
    kinds, regions : sequence of str, optional
        Only partners of these kinds, in these regions or countries.
    recommender : PartnerRecommender, optional
        A fitted recommender to use (the command line's); default: the workspace's
        background fit, started on the first call.

    Returns
    -------
    Partners
        The organisation, the components and the ranked partners.

    Raises
    ------
    UnknownCodeError
        The organisation is not in the store.
    NotReadyError
        The background fit is still running.

    References
    ----------
    Adamic, L. A. and Adar, E. (2003). Friends and neighbors on the Web. Social Networks 25(3).
    """
    from clusterix.partners.recommender import COMPONENTS

    store = workspace.store
    version = workspace.caches.store_version(store)
    if recommender is None:
        state = workspace.caches.partners
        state.start(store)
        state.refresh(store, version)  # after an import: a new model in the background, the last one answers
        if state.status == "failed":
            raise DataSourceError(f"Partner recommendations are not available: {state.error}")
        if state.status != "ready":
            described = state.describe()
            raise NotReadyError(
                f"The partner recommender is being fitted on the collaboration history "
                f"({described['elapsed_seconds']} s so far); try again in a few seconds."
            )
        recommender = state.recommender
        if organisation_id not in recommender.ids_ and state.refitting:
            if store.organisation(organisation_id).empty:
                raise UnknownCodeError(f"Unknown organisation {organisation_id!r}.")
            raise NotReadyError(
                f"Organisation {organisation_id!r} was imported after the partner recommender in use was fitted; "
                "a new one that includes it is being fitted: try again in a minute.",
                retry_after=30,
            )
    if k < 1:
        raise InvalidInputError(f"k must be at least 1; got {k}.")

    def build() -> Partners:
        organisation = store.organisation(organisation_id)
        if organisation.empty:
            raise UnknownCodeError(f"Unknown organisation {organisation_id!r}.")
        if organisation_id not in recommender.ids_:
            raise UnknownCodeError(f"Organisation {organisation_id!r} was added after the recommender was fitted.")
        items = partner_items(recommender, organisation_id, k=k, kinds=kinds, regions=regions)
        return Partners.model_validate(
            {
                "organisation": records(organisation)[0],
                "k": k,
                "kinds": list(kinds) if kinds else None,
                "regions": list(regions) if regions else None,
                "components": list(COMPONENTS),
                "items": items,
            }
        )

    if workspace.caches.partners.recommender is not recommender:
        return build()  # a recommender of the caller's own (the command line): not kept
    # kept per store version and model: the Partners page asks for the same organisation again
    key = ("partners", version, id(recommender), workspace.caches.partners.fitted_at, organisation_id, k,
           tuple(kinds or ()), tuple(regions or ()))  # fmt: skip
    return workspace.caches.results.get(key, build)  # type: ignore[no-any-return]
