"""From stored or read CORDIS tables to a fitted partner recommender, and explanations in words.

:func:`recommender_inputs` is the one adapter from organisations and participations (the
store's tables, or a CORDIS reader's) to :meth:`PartnerRecommender.fit`'s inputs. It
reuses :func:`clusterix.partners.recommender.split_inputs` for the activities and
:func:`clusterix.partners.network.collaboration_edges` for the collaborations, so the
command line fits on exactly what the evaluation fits on. :func:`fit_cached` keeps a
fitted model on disk keyed by a hash of its inputs; :func:`explain_partners` says why a
partner was recommended; :func:`closest_ids` suggests ids for a mistyped one.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import pickle
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from clusterix.errors import InvalidInputError

__all__ = [
    "closest_ids",
    "default_label_years",
    "explain_partners",
    "fit_cached",
    "participations_with_projects",
    "recommender_inputs",
]

_ORGANISATION_COLUMNS = ("id", "kind", "country")
_PARTICIPATION_COLUMNS = ("project_id", "organisation_id", "start_date")
_KEEP = 3  # fitted models kept in the cache folder, most recently used first


def _require(frame: Any, name: str, function: str, columns: tuple[str, ...]) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise InvalidInputError(
            f"The {name!r} parameter of {function} must be a pandas DataFrame. Got {type(frame).__name__} instead."
        )
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise InvalidInputError(
            f"The {name!r} parameter of {function} lacks the column(s) {', '.join(map(repr, missing))}. "
            f"Found {list(map(str, frame.columns))}."
        )
    return frame


def participations_with_projects(tables: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(organisations, participations)`` of CORDIS reader tables, each participation with its project's fields.

    Parameters
    ----------
    tables : CordisTables
        ``(organisations, projects, participations)``, e.g. from
        :func:`clusterix.ingest.cordis.read_h2020_participations`.

    Returns
    -------
    organisations : DataFrame
    participations : DataFrame
        The participations with the project's ``start_date`` and ``programme_part``
        (the layout of the store's ``participations()`` plus ``programme_part``).
    """
    try:
        organisations, projects, participations = tables
    except (TypeError, ValueError) as error:
        raise InvalidInputError(
            "The 'tables' parameter of participations_with_projects must be CordisTables "
            f"(organisations, projects, participations). Got {type(tables).__name__} instead."
        ) from error
    function = "participations_with_projects"
    _require(projects, "projects", function, ("id", "start_date"))
    _require(participations, "participations", function, ("project_id", "organisation_id"))
    fields = [column for column in ("start_date", "programme_part") if column in projects.columns]
    project_fields = projects[["id", *fields]].assign(id=projects["id"].astype(str)).drop_duplicates("id")
    joined = participations.drop(columns=[column for column in fields if column in participations.columns])
    joined = joined.assign(project_id=joined["project_id"].astype(str)).merge(
        project_fields.rename(columns={"id": "project_id"}), on="project_id", how="left"
    )
    return organisations, joined


def recommender_inputs(organisations: pd.DataFrame, participations: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:meth:`PartnerRecommender.fit` inputs from organisations and their participations.

    Parameters
    ----------
    organisations : DataFrame
        ``id``, ``kind``, ``country``; optional ``name``, ``region``, ``description``
        (the store's ``organisations()`` or a CORDIS reader's table).
    participations : DataFrame
        ``project_id``, ``organisation_id``, ``start_date`` (the project's); optional
        ``programme_part`` (``';'``-joined codes). The store's ``participations()``, or
        :func:`participations_with_projects` of reader tables.

    Returns
    -------
    organisations : DataFrame
        The organisations with ``text`` (their description, '' when none) and
        ``activities`` (``year:programme_part`` per participation, as built by
        :func:`clusterix.partners.recommender.split_inputs`).
    collaborations : DataFrame
        :func:`clusterix.partners.network.collaboration_edges`: one row per pair and
        shared project, with the project's start year.

    Raises
    ------
    InvalidInputError
        Missing columns, or participations of organisations that are not in ``organisations``.
    """
    from clusterix.partners.recommender import split_inputs

    function = "recommender_inputs"
    _require(organisations, "organisations", function, _ORGANISATION_COLUMNS)
    _require(participations, "participations", function, _PARTICIPATION_COLUMNS)
    known = pd.Index(organisations["id"].astype(str))
    members = participations["organisation_id"].astype(str)
    unknown = ~members.isin(known)
    if unknown.any():
        shown = sorted(members[unknown].unique())[:5]
        raise InvalidInputError(
            f"The 'participations' parameter of {function} names organisation(s) {shown} ({int(unknown.sum())} rows) "
            "that are not in 'organisations'. Pass the tables of one import together."
        )
    participations = participations.assign(
        project_id=participations["project_id"].astype(str), organisation_id=members.to_numpy(dtype=object)
    )
    parts = (
        participations["programme_part"]
        if "programme_part" in participations.columns
        else pd.Series(None, index=participations.index, dtype=object)
    )
    projects = pd.DataFrame(
        {
            "id": participations["project_id"].to_numpy(dtype=object),
            "start_date": pd.to_datetime(participations["start_date"]),
            "programme_part": parts.to_numpy(dtype=object),
        }
    ).drop_duplicates("id")
    text = (
        organisations["description"].astype(object).where(organisations["description"].notna(), "")
        if "description" in organisations.columns
        else ""
    )
    organisations = organisations.assign(id=organisations["id"].astype(str), text=text)
    split = SimpleNamespace(organisations=organisations, train_projects=projects, train_participations=participations)
    return split_inputs(split)


def default_label_years(collaborations: pd.DataFrame, *, share: float = 0.05) -> int:
    """The fewest last years that hold ``share`` of the collaborations: the recommender's inner label years.

    The last years of a CORDIS extract are thin (projects still being signed): in the
    H2020 extract 2022 has one pair and 2021 two per cent of them, so a one-year inner
    split would learn from almost nothing. At least one year is always left for history.

    Examples
    --------
    >>> default_label_years(pd.DataFrame({"year": [2015] * 90 + [2016] * 8 + [2017] * 2}), share=0.05)
    2
    """
    years = pd.to_numeric(_require(collaborations, "collaborations", "default_label_years", ("year",))["year"])
    counts = years.value_counts().sort_index(ascending=False)
    if len(counts) < 2:
        return 1
    cumulative = counts.cumsum() / counts.sum()
    reached = int(np.argmax(cumulative.to_numpy() >= share)) + 1
    return int(min(reached, len(counts) - 1))


# --------------------------------------------------------------------------- cache


def _frame_digest(frame: pd.DataFrame) -> bytes:
    hashed = pd.util.hash_pandas_object(frame, index=False)  # row hashes over every column's values
    return hashlib.sha256(str(list(frame.columns)).encode() + hashed.to_numpy().tobytes()).digest()


def inputs_key(organisations: pd.DataFrame, collaborations: pd.DataFrame, model: Any) -> str:
    """A hash of the fit inputs, the model's parameters and the code of :mod:`clusterix.partners`."""
    from importlib.metadata import PackageNotFoundError, version

    from clusterix.partners import recommender

    try:
        release = version("clusterix")
    except PackageNotFoundError:  # a source tree that is not installed
        release = "0+unknown"

    digest = hashlib.sha256()
    digest.update(_frame_digest(organisations))
    digest.update(_frame_digest(collaborations))
    digest.update(repr(sorted(model.get_params().items())).encode())
    digest.update(release.encode())
    for source in sorted(Path(recommender.__file__).parent.glob("*.py")):  # changed code never loads an old pickle
        digest.update(source.read_bytes())
    return digest.hexdigest()[:24]


def fit_cached(
    organisations: pd.DataFrame,
    collaborations: pd.DataFrame,
    *,
    model: Any = None,
    folder: str | Path | None = None,
    refresh: bool = False,
) -> tuple[Any, bool]:
    """Fit a partner recommender, or load the one fitted before on the same inputs.

    Parameters
    ----------
    organisations, collaborations : DataFrame
        :meth:`PartnerRecommender.fit` inputs (e.g. from :func:`recommender_inputs`).
    model : PartnerRecommender, optional
        The unfitted estimator (default: ``PartnerRecommender()``); its parameters are
        part of the key.
    folder : path, optional
        Where fitted models are kept (default: ``partners`` in :func:`clusterix.config.cache_dir`).
    refresh : bool
        Fit again even when a cached model exists (and replace it).

    Returns
    -------
    model : PartnerRecommender
        Fitted.
    hit : bool
        Whether it came from the cache.

    Notes
    -----
    A cached file is a pickle: only load caches you wrote yourself. The key covers the
    inputs, the parameters, the clusterix version and the partners package's source, so a
    changed input or code never returns a stale model; an unreadable file is refitted. The
    three most recently used models are kept; older files are deleted.
    """
    from clusterix.config import cache_dir
    from clusterix.partners.recommender import PartnerRecommender

    model = PartnerRecommender() if model is None else model
    folder = Path(folder) if folder is not None else cache_dir() / "partners"
    path = folder / f"recommender-{inputs_key(organisations, collaborations, model)}.pickle"
    if path.is_file() and not refresh:
        try:
            with path.open("rb") as handle:
                fitted = pickle.load(handle)
            os.utime(path)  # recently used: kept by the pruning below
            return fitted, True
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, ModuleNotFoundError):
            pass  # written by another version or cut short: fit again below
    fitted = model.fit(organisations, collaborations)
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as handle:
        pickle.dump(fitted, handle, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)  # appears only once complete
    cached = sorted(folder.glob("recommender-*.pickle"), key=lambda item: item.stat().st_mtime, reverse=True)
    for stale in cached[_KEEP:]:  # models of old inputs or code are 100-200 MB each on CORDIS
        stale.unlink(missing_ok=True)
    return fitted, False


# --------------------------------------------------------------------------- explanations


def closest_ids(org_id: str, organisations: pd.DataFrame, *, n: int = 3) -> list[str]:
    """Ids most like ``org_id``: organisations whose name contains it, ids that contain it, then ids spelt alike.

    Examples
    --------
    >>> organisations = pd.DataFrame({"id": ["999978", "999987", "123456"], "name": ["TU Wien", None, "KU Leuven"]})
    >>> closest_ids("99997", organisations), closest_ids("leuven", organisations)
    (['999978', '999987'], ['123456'])
    """
    ids = organisations["id"].astype(str)
    found: list[str] = []
    query = org_id.strip()
    if "name" in organisations.columns and query:
        names = organisations["name"].astype(object).where(organisations["name"].notna(), "").astype(str)
        found = ids[names.str.contains(query, case=False, regex=False)].head(n).tolist()
    containing = sorted(ids[ids.str.contains(query, regex=False)].tolist()) if query else []
    for candidate in containing + difflib.get_close_matches(org_id, ids.tolist(), n=n, cutoff=0.6):
        if candidate not in found and len(found) < n:
            found.append(candidate)
    return found


def _codes(activities: Any) -> Counter[str]:
    """Participations per programme-part code of an ``activities`` string (``year:code;...``)."""
    if not isinstance(activities, str):
        return Counter()
    codes = (entry.split(":", 1)[-1].strip() for entry in activities.split(";"))
    return Counter(code for code in codes if code)


def explain_partners(
    recommendations: pd.DataFrame, org_id: str, organisations: pd.DataFrame, collaborations: pd.DataFrame
) -> pd.DataFrame:
    """Facts behind each recommended partner and a one-line reason in words.

    Parameters
    ----------
    recommendations : DataFrame
        :meth:`PartnerRecommender.recommend` output (``partner_id`` and the component columns).
    org_id : str
        The organisation the partners were recommended for.
    organisations, collaborations : DataFrame
        The fit inputs (:func:`recommender_inputs`).

    Returns
    -------
    DataFrame
        ``recommendations`` plus ``shared_partners`` (organisations both have worked
        with), ``shared_parts`` (programme parts both are active in, ``';'``-joined),
        ``same_country``, ``same_region`` and ``reason``, e.g. "shares 3 partners; same
        region; strong in the same programme parts (SC1, SC3); an industry-science pair;
        mostly network" (the last names the largest positive component).
    """
    from clusterix.partners.recommender import COMPONENTS, KNOWLEDGE_KINDS

    organisations = organisations.assign(id=organisations["id"].astype(str)).set_index("id")
    partners = recommendations["partner_id"].astype(str).tolist()
    involved = {str(org_id), *partners}
    edges = collaborations[collaborations["org_1"].isin(involved) | collaborations["org_2"].isin(involved)]
    neighbours: dict[str, set[str]] = {identifier: set() for identifier in involved}
    for first, second in zip(edges["org_1"].astype(str), edges["org_2"].astype(str), strict=True):
        if first in neighbours:
            neighbours[first].add(second)
        if second in neighbours:
            neighbours[second].add(first)

    def field(identifier: str, column: str) -> str:
        if column not in organisations.columns or identifier not in organisations.index:
            return ""
        value = organisations.at[identifier, column]
        return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)

    query = str(org_id)
    query_parts = _codes(field(query, "activities"))
    query_kind = field(query, "kind")
    components = [name for name in COMPONENTS if name in recommendations.columns]
    rows = []
    for position, partner in enumerate(partners):
        shared = len((neighbours[query] & neighbours[partner]) - {query, partner})
        common = query_parts & _codes(field(partner, "activities"))  # the smaller count of the two per part
        parts = sorted(common, key=lambda code: (-common[code], code))  # where both are strongest first
        same_country = bool(field(query, "country")) and field(query, "country") == field(partner, "country")
        same_region = bool(field(query, "region")) and field(query, "region") == field(partner, "region")
        facts = []
        if shared:
            facts.append(f"shares {shared} partner{'s' if shared != 1 else ''}")
        if same_region:
            facts.append("same region")
        elif same_country:
            facts.append("same country")
        if parts:
            shown = ", ".join(parts[:3]) + (", ..." if len(parts) > 3 else "")
            facts.append(f"strong in the same programme parts ({shown})")
        kind = field(partner, "kind")
        if (query_kind == "enterprise" and kind in KNOWLEDGE_KINDS) or (
            kind == "enterprise" and query_kind in KNOWLEDGE_KINDS
        ):
            facts.append("an industry-science pair")
        if components:
            values = recommendations.iloc[position][components].astype(float)
            if values.max() > 0:
                facts.append(f"mostly {values.idxmax().replace('_', ' ')}")
        rows.append(
            {
                "shared_partners": shared,
                "shared_parts": ";".join(parts),
                "same_country": same_country,
                "same_region": same_region,
                "reason": "; ".join(facts) if facts else "no shared partners, place or programme parts",
            }
        )
    return pd.concat([recommendations.reset_index(drop=True), pd.DataFrame(rows)], axis=1)
