"""The tidy CORDIS tables, and the parsing of their columns from raw records shared by the readers."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from clusterix.errors import InvalidInputError, UnknownCodeError
from clusterix.ingest.cordis.records import _Raw
from clusterix.vocabulary import CORDIS_ACTIVITY_TYPES

__all__ = [
    "ACTIVITY_KINDS",
    "CordisTables",
    "FRAMEWORKS",
    "ORGANISATION_COLUMNS",
    "PARTICIPATION_COLUMNS",
    "PROJECT_COLUMNS",
]


#: CORDIS ``activityType`` code -> organisation kind.
ACTIVITY_KINDS = CORDIS_ACTIVITY_TYPES
FRAMEWORKS = ("FP7", "H2020", "HORIZON")
ORGANISATION_COLUMNS = (
    "id", "name", "kind", "activity_type", "country", "region", "description", "external_ids",
)  # fmt: skip

PROJECT_COLUMNS = (
    "id", "acronym", "title", "programme", "programme_part", "topic", "start_date", "end_date",
    "total_cost", "ec_contribution", "framework", "objective",
)  # fmt: skip
PARTICIPATION_COLUMNS = ("project_id", "organisation_id", "role", "ec_contribution", "line")
_COUNTRY_STYLE = {"GR": "EL", "GB": "UK"}  # ISO -> the EU style CORDIS uses
_DOT_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_COMMA_NUMBER = r"[+-]?\d+,\d+"
_DATE = r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"


class CordisTables(NamedTuple):
    """The three tidy CORDIS tables; unpack as ``organisations, projects, participations``."""

    organisations: pd.DataFrame
    projects: pd.DataFrame
    participations: pd.DataFrame


def _object(values: pd.Series | Sequence[Any]) -> pd.Series:
    """Text as an object column with ``None`` for missing values (the tables' convention)."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    series = series.reset_index(drop=True)
    return series.astype(object).where(series.notna(), None)


def _nothing(count: int) -> pd.Series:
    return pd.Series([None] * count, dtype=object)


def _money(raw: _Raw, column: str, *, missing: str | None = None) -> np.ndarray:
    """Amounts in euros written with a decimal point or a decimal comma; NaN if empty."""
    written = raw.codes(column, missing=missing)
    comma = written.str.fullmatch(_COMMA_NUMBER)
    dotted = written.where(~comma, written.str.replace(",", ".", regex=False))
    number = dotted.str.fullmatch(_DOT_NUMBER)
    raw.fail(
        written.notna() & ~number,
        column,
        lambda v: f"value {v} is not an amount of money",
        "CORDIS writes euros as '1234.5' or, in some releases, with a decimal comma '1234,5' "
        "(no thousands separators).",
    )
    amounts = pd.to_numeric(dotted.where(number), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    raw.fail(
        np.isinf(amounts),
        column,
        lambda v: f"value {v} is not a finite amount (too large for a float)",
        "Costs and EU contributions are amounts in euros such as '1234.5'; correct the file.",
    )
    raw.fail(
        np.nan_to_num(amounts, nan=0.0) < 0,
        column,
        lambda v: f"value {v} is negative",
        "Costs and EU contributions are amounts >= 0; correct the file.",
    )
    return amounts


def _dates(raw: _Raw, column: str, *, missing: str | None = None) -> pd.Series:
    """Dates written ``YYYY-MM-DD`` (optionally with a time of day); NaT if empty."""
    written = raw.codes(column, missing=missing)
    shaped = written.str.fullmatch(_DATE)
    dates = pd.to_datetime(written.str.slice(0, 10).where(shaped), format="%Y-%m-%d", errors="coerce")
    raw.fail(
        written.notna() & (~shaped | dates.isna()),
        column,
        lambda v: f"value {v} is not a date",
        "CORDIS dates look like '2019-05-01' (year-month-day).",
    )
    return dates.reset_index(drop=True)


def _kinds(raw: _Raw, column: str) -> tuple[pd.Series, pd.Series]:
    codes = raw.codes(column)
    raw.fail(
        codes.notna() & ~codes.isin(list(ACTIVITY_KINDS)),
        column,
        lambda v: f"unknown activity type {v}",
        f"CORDIS activity types are {', '.join(ACTIVITY_KINDS)} (companies, higher or secondary "
        "education, research organisations, public bodies, other).",
        error=UnknownCodeError,
    )
    return codes, codes.map(ACTIVITY_KINDS)


def _countries(raw: _Raw, column: str) -> pd.Series:
    return raw.codes(column).str.upper().replace(_COUNTRY_STYLE)


def _role(value: str) -> str:
    """``thirdParty`` -> ``third party``, ``associatedPartner`` -> ``associated partner``."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", value).replace("_", " ")
    return " ".join(spaced.lower().split())


def _roles(raw: _Raw, column: str) -> pd.Series:
    written = raw.codes(column)
    raw.fail(
        written.isna(),
        column,
        lambda v: "the role is empty",
        "Every participation has a role such as 'coordinator', 'participant', 'partner' or 'thirdParty'.",
    )
    return written.map({value: _role(value) for value in written.unique()})


def _ids(raw: _Raw, column: str, what: str) -> pd.Series:
    values = raw.codes(column)
    raw.fail(values.isna(), column, lambda v: f"the {what} is empty", f"Every row needs its {what}.")
    return values


def _free_text(raw: _Raw, column: str) -> pd.Series:
    """Names, titles and objectives exactly as written; blank is missing."""
    values = raw.text(column)
    return values.mask(values.str.strip() == "")


def _no_duplicates(raw: _Raw, keys: dict[str, pd.Series], hint: str) -> None:
    frame = pd.DataFrame(keys).reset_index(drop=True)
    repeated = frame.duplicated(keep="first").to_numpy()
    if not repeated.any():
        return
    second = int(np.flatnonzero(repeated)[0])
    key = tuple(frame.iloc[second])
    first = int(np.flatnonzero((frame == frame.iloc[second]).all(axis=1).to_numpy())[0])
    count = int(repeated.sum())
    names = list(keys)
    raise InvalidInputError(
        f"{raw.where(second, names[0] if len(names) == 1 else names)}: "
        f"{key[0] if len(key) == 1 else key!r} already appears on line {raw.lines[first]} "
        f"({count} repeated row{'s' if count != 1 else ''}). {hint}"
    )


def _external_ids(pics: pd.Series, vats: pd.Series) -> pd.Series:
    return pd.Series(
        [
            json.dumps({"pic": pic, "vat": vat} if isinstance(vat, str) else {"pic": pic})
            for pic, vat in zip(pics, vats, strict=True)
        ],
        dtype=object,
    )
