"""Checks of the recommender's inputs: the organisation and collaboration tables, and organisation ids."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from clusterix._validation import parameter_error
from clusterix.errors import InvalidInputError
from clusterix.partners.candidates import (
    KINDS,
)


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
