"""Conversion of region codes and regional data from one NUTS version to a later one."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clusterix._validation import check_option, parameter_error
from clusterix.errors import InvalidInputError
from clusterix.reference.nuts.changes import CONVERSION_COLUMNS, _Crosswalk, _Reference, _reference
from clusterix.reference.nuts.regions import _check_version, _checked, _materialise

__all__ = ["convert_codes", "convert_data", "convert_versions"]


# Columns of the tidy observation frame that describe a source row, not an observation.
_ROW_COLUMNS = ("flag", "line", "column")


def _crosswalk(from_version: Any, to_version: Any, source: Any, function: str) -> tuple[_Reference, _Crosswalk | None]:
    from_version = _check_version(from_version, "from_version", function)
    to_version = _check_version(to_version, "to_version", function)
    if to_version < from_version:
        raise parameter_error(
            "to_version", function, f"a NUTS version at or after from_version={from_version} (the official "
            "tables convert forward only)", to_version,
        )  # fmt: skip
    reference = _reference(source, function)
    if from_version == to_version:
        return reference, None
    return reference, reference.crosswalks[(from_version, to_version)]


def convert_codes(
    frame_or_codes: Any,
    *,
    from_version: int,
    to_version: int,
    region: str = "region",
    source: str | Path | None = None,
    on_unconvertible: str = "raise",
) -> pd.DataFrame:
    """How region codes of one NUTS version become codes of a later one.

    Uses Eurostat's correspondence tables 2013-2016 and 2016-2021 (chained for 2013 ->
    2021). Each code is classified from the tables' change columns (``Change``; ``Change
    codes`` and ``Change comments``):

    ``unchanged``
        Same code, same territory (a new name is fine).
    ``recoded``
        A new code for the same territory, 1:1 ("recoded", "recoded and relabelled"):
        e.g. 2013 ``FR24`` -> 2016 ``FRB0``, 2016 ``UKN10`` -> 2021 ``UKN0A``.
    ``merged``
        Several whole old regions form one new region, as the comment of the new region
        says ("merge of ex-DE915 and DE919", "made from ex-NO012, NO031 and NO032"), at
        the same level: 2013 ``DE915`` and ``DE919`` -> 2016 ``DE91C``. The code converts;
        values must be added up (:func:`convert_data`).
    ``split``
        One old region became several new ones, or gave parts to several: 2013 ``LT00``
        ("split into new LT01 and LT02"), 2016 ``HR04`` -> ``HR02``, ``HR05``, ``HR06``:
        not convertible.
    ``boundary``
        The code continues (often recoded) but the territory changed ("boundary shift",
        "lost ...", change codes 3 and 4): e.g. 2013 ``UKM2`` -> 2016 ``UKM7``, 2016
        ``NO05`` -> 2021 ``NO0A``: not convertible.
    ``discontinued``
        The region ended and no new region is exactly made of it (e.g. 2013 ``IE01``,
        ``FR2``): not convertible.

    A new region that takes in parts of regions ("made from parts of ...", "minus",
    "plus new ...") or regions of another level is never a merge (the NUTS 1 ``FRC``, "merge
    of ex-NUTS 2 regions FR26 and FR43", leaves the NUTS 1 ``FR2`` unconvertible). Converting
    a code through 2016 is convertible only if both steps are; a code the tables name in two
    ways (``FR7``: recoded ``FRK`` and "discontinued") takes the recode. Nothing is converted
    backwards: a split read backwards is a merge only if the table says the parts are whole.

    Parameters
    ----------
    frame_or_codes : sequence of str, Series or DataFrame
        The codes (``GR``/``GB`` spellings accepted), or a frame whose ``region`` column holds them.
    from_version, to_version : {2013, 2016, 2021}
        ``to_version`` must not be earlier; equal versions only check the codes.
    region : str
        The column of a frame that holds the codes.
    source : str or Path, optional
        Folder of the correspondence tables (see :func:`nuts_regions`).
    on_unconvertible : {"raise", "flag"}
        What to do with codes that cannot be converted: raise, or return them with
        ``convertible=False`` and no ``new_code``.

    Returns
    -------
    pandas.DataFrame
        One row per input code, in input order (with the index of a Series or frame):
        ``code`` (normalised), ``new_code``, ``change`` (as above), ``convertible``, ``note``
        (e.g. ``"DE91C = DE915 + DE919"`` or ``"split into LT01, LT02 (Eurostat: ...)"``).

    Raises
    ------
    UnknownCodeError
        Codes that are not codes of ``from_version`` (named, with the version).
    InvalidInputError
        Codes that cannot be converted (with ``on_unconvertible="raise"``), or bad options.

    Examples
    --------
    >>> convert_codes(["FR24", "DE915"], from_version=2013, to_version=2016,
    ...               source="tables/")[["code", "new_code", "change"]]  # doctest: +SKIP
        code new_code   change
    0   FR24     FRB0  recoded
    1  DE915    DE91C   merged
    """
    function = "convert_codes"
    check_option(on_unconvertible, ("raise", "flag"), name="on_unconvertible", function=function)
    if isinstance(frame_or_codes, pd.DataFrame):
        if region not in frame_or_codes.columns:
            raise parameter_error(
                "region",
                function,
                f"a column of the frame ({', '.join(map(str, frame_or_codes.columns))})",
                region,
            )
        values, index = list(frame_or_codes[region]), frame_or_codes.index
    elif isinstance(frame_or_codes, pd.Series):
        values, index = list(frame_or_codes), frame_or_codes.index
    else:
        values, index = _materialise(frame_or_codes, "frame_or_codes", function), None
    reference, crosswalk = _crosswalk(from_version, to_version, source, function)
    codes = _checked(values, int(from_version), None, reference)
    if crosswalk is None:
        table = pd.DataFrame({"code": codes, "new_code": codes, "change": "unchanged", "convertible": True, "note": ""})
    else:
        table = crosswalk.table.set_index("code").reindex(codes).reset_index()
    table = table[list(CONVERSION_COLUMNS)]
    table["convertible"] = table["convertible"].astype(bool)
    if index is not None:
        table.index = index
    if on_unconvertible == "raise" and not table["convertible"].all():
        raise _unconvertible_error(table[~table["convertible"]], int(from_version), int(to_version))
    return table


def _unconvertible_error(bad: pd.DataFrame, from_version: int, to_version: int, extra: str = "") -> InvalidInputError:
    first = bad.drop_duplicates("code").head(5)
    listed = "; ".join(
        f"{code!r} ({note if note.startswith(change) else f'{change}: {note}'})"
        for code, change, note in zip(first["code"], first["change"], first["note"], strict=True)
    )
    distinct = bad["code"].nunique()
    more = f" and {distinct - 5} more" if distinct > 5 else ""
    return InvalidInputError(
        f"{distinct} region codes cannot be converted from NUTS {from_version} to NUTS {to_version} without "
        f"guessing: {listed}{more}.{extra} Pass on_unconvertible='flag' to keep them with their NUTS "
        f"{from_version} code and convertible=False, or leave them out."
    )


def convert_data(
    frame: pd.DataFrame,
    *,
    region: str = "region",
    value: str = "value",
    from_version: int,
    to_version: int,
    source: str | Path | None = None,
    how: str = "sum",
    on_unconvertible: str = "raise",
    keys: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Convert a table of regional values from one NUTS version to a later one.

    Each region code is classified as in :func:`convert_codes`. ``unchanged`` and
    ``recoded`` regions keep their values under the new code. ``merged`` regions are
    added up into the new region (``how="sum"``, right for additive quantities such as
    employment, firm counts, turnover or funding), but only where every merged region is
    present for the same ``keys``; otherwise, and for split, boundary-changed and
    discontinued regions, the rows are not convertible. With ``how="recode"`` merges are
    not convertible either (for shares, rates or indices, which cannot be added).

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table, e.g. the tidy observation frame (``region, activity, time, measure,
        value, flag, line, column``). It is not modified.
    region, value : str
        The columns of region codes (``GR``/``GB`` spellings accepted) and numbers.
    from_version, to_version : {2013, 2016, 2021}
    source : str or Path, optional
        Folder of the correspondence tables (see :func:`nuts_regions`).
    how : {"sum", "recode"}
        ``"sum"`` adds up merged regions; ``"recode"`` converts one-to-one changes only.
    on_unconvertible : {"raise", "flag"}
        Raise, or keep unconvertible rows with their old code and add a boolean column
        ``convertible`` (``True`` on converted rows).
    keys : sequence of str, optional
        The columns that, with the region, identify an observation; rows are merged
        within equal keys. Default: every column except ``region``, ``value`` and the
        source-row columns ``flag``, ``line`` and ``column``.

    Returns
    -------
    pandas.DataFrame
        The same columns (plus ``convertible`` when flagging), one row per converted
        observation, in the order of first appearance. A merged row's value is the sum of
        its members' values (missing if any is missing), its ``flag`` the distinct flag
        letters of the members (sorted), and every other non-key column that of the first member.

    Raises
    ------
    UnknownCodeError
        Codes that are not codes of ``from_version``.
    InvalidInputError
        Missing columns, duplicate observations, bad options, or (with
        ``on_unconvertible="raise"``) rows that cannot be converted.

    Examples
    --------
    >>> data = pd.DataFrame({"region": ["DE915", "DE919"], "time": ["2015", "2015"], "value": [1.0, 2.0]})
    >>> convert_data(data, from_version=2013, to_version=2016, source="tables/")  # doctest: +SKIP
      region  time  value
    0  DE91C  2015    3.0
    """
    function = "convert_data"
    if not isinstance(frame, pd.DataFrame):
        raise parameter_error("frame", function, "a pandas DataFrame", type(frame).__name__)
    check_option(how, ("sum", "recode"), name="how", function=function)
    check_option(on_unconvertible, ("raise", "flag"), name="on_unconvertible", function=function)
    for name, column in (("region", region), ("value", value)):
        if column not in frame.columns:
            raise parameter_error(
                name, function, f"a column of the frame ({', '.join(map(str, frame.columns))})", column
            )
    if region == value:
        raise parameter_error("value", function, "a column other than the region column", value)
    if not pd.api.types.is_numeric_dtype(frame[value]) or pd.api.types.is_bool_dtype(frame[value]):
        raise parameter_error("value", function, "a column of numbers", f"{value!r} of dtype {frame[value].dtype}")
    if keys is None:
        keys = [c for c in frame.columns if c not in (region, value, *_ROW_COLUMNS)]
    else:
        keys = _materialise(keys, "keys", function)
        wrong = [key for key in keys if key not in frame.columns or key in (region, value)]
        if wrong:
            raise parameter_error("keys", function, "columns of the frame other than region and value", wrong)
    if "convertible" in frame.columns and on_unconvertible == "flag":
        raise parameter_error("frame", function, "a frame without a 'convertible' column when flagging", "one")
    reference, crosswalk = _crosswalk(from_version, to_version, source, function)
    from_version, to_version = int(from_version), int(to_version)

    data = frame.reset_index(drop=True).copy()
    data[region] = _checked(list(data[region]), from_version, None, reference)
    duplicated = data.duplicated([region, *keys], keep=False)
    if duplicated.any():
        first = tuple(data.loc[duplicated.idxmax(), [region, *keys]])
        raise InvalidInputError(
            f"{int(duplicated.sum())} rows share their ({', '.join([region, *keys])}) with another row, "
            f"first: {first}. Aggregate them first, or pass keys= naming the columns that identify "
            "an observation."
        )
    if crosswalk is None:
        return data.assign(convertible=True) if on_unconvertible == "flag" else data

    table = crosswalk.table.set_index("code").loc[data[region]]
    new_code = table["new_code"].to_numpy(dtype=object)
    change = table["change"].to_numpy(dtype=object)
    convertible = table["convertible"].to_numpy(dtype=bool).copy()
    notes = table["note"].to_numpy(dtype=object).copy()
    merged = convertible & (change == "merged")
    if how == "recode":
        convertible[merged] = False
        notes[merged] = [f"{note}; values are not added up under how='recode'" for note in notes[merged]]
        merged[:] = False
    if merged.any():
        for position, (missing, where) in _incomplete_merges(
            data, merged, new_code, keys, region, crosswalk.members
        ).items():
            convertible[position] = False
            notes[position] = f"{notes[position]}, but {', '.join(missing)} is missing where {where}"
        merged &= convertible
    if not convertible.all() and on_unconvertible == "raise":
        bad = pd.DataFrame({"code": data[region], "change": change, "note": notes})[~convertible]
        raise _unconvertible_error(bad, from_version, to_version)

    data["_order"] = np.arange(len(data))
    converted = data[convertible].copy()
    converted[region] = new_code[convertible]
    parts = [converted[~merged[convertible]], _add_up(converted[merged[convertible]], region, value, keys)]
    if on_unconvertible == "flag":
        parts = [part.assign(convertible=True) for part in parts] + [data[~convertible].assign(convertible=False)]
    nonempty = [part for part in parts if len(part)] or parts[:1]
    result = pd.concat(nonempty, ignore_index=True).sort_values("_order", kind="stable")
    return result.drop(columns="_order").reset_index(drop=True)


def _incomplete_merges(
    data: pd.DataFrame,
    merged: np.ndarray,
    new_code: np.ndarray,
    keys: list[str],
    region: str,
    members: dict[str, tuple[str, ...]],
) -> dict[int, tuple[list[str], str]]:
    """Merged rows whose fellow members are missing for the same keys -> (missing members, the keys)."""
    positions = np.flatnonzero(merged)
    groups: dict[tuple, list[int]] = {}
    for position in positions:
        key = tuple(_hashable(data[column].iat[position]) for column in keys)
        groups.setdefault((new_code[position], key), []).append(int(position))
    incomplete = {}
    for (target, key), group in groups.items():
        present = set(data[region].iloc[group])
        missing = [member for member in members[target] if member not in present]
        if missing:
            where = ", ".join(f"{column}={value!r}" for column, value in zip(keys, key, strict=True)) or "(no keys)"
            incomplete.update({position: (missing, where) for position in group})
    return incomplete


def _hashable(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def _add_up(rows: pd.DataFrame, region: str, value: str, keys: list[str]) -> pd.DataFrame:
    """One row per (region, keys): the sum of values (missing if any is), joined flags, else the first row."""
    if rows.empty:
        return rows
    columns = [region, *keys]
    rows = rows.copy()
    grouped = rows.groupby(columns, sort=False, dropna=False)
    rows[value] = grouped[value].transform(lambda values: values.sum() if values.notna().all() else np.nan)
    rows["_order"] = grouped["_order"].transform("min")
    if "flag" in rows.columns and "flag" not in keys:
        rows["flag"] = grouped["flag"].transform(_join_flags)
    return rows.drop_duplicates(columns, keep="first")


def _join_flags(flags: pd.Series) -> str | None:
    letters = sorted({letter for flag in flags if isinstance(flag, str) for letter in flag.strip()})
    return "".join(letters) or None


def convert_versions(
    frame: pd.DataFrame,
    *,
    to_version: int,
    version: str = "nuts_version",
    region: str = "region",
    value: str = "value",
    source: str | Path | None = None,
) -> tuple[pd.DataFrame, int]:
    """Recode a table whose rows are coded in different NUTS versions to one version.

    Each row's version is in column ``version`` (e.g. 2013 for the years 2014-2015 and 2016
    for 2016-2020, as in tables built year by year). The rows of each older version are
    converted with :func:`convert_data` (``how="sum"``: merged regions added up where every
    member is present); rows of ``to_version`` are kept. A row whose code is not of its
    stated version but already of ``to_version`` is kept as it is. Rows that cannot be
    recoded (of a version without tables here such as 2010, newer than ``to_version``, split
    or re-bounded regions, incomplete merges, codes of no version) are left out and counted.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table with ``region``, ``value`` and ``version`` columns; observations are
        identified by every other column (except ``flag``, ``line``, ``column``).
    to_version : {2016, 2021}
        The version of the result.
    version, region, value : str
        Column names.
    source : str or Path, optional
        Folder of the correspondence tables (see :func:`nuts_regions`).

    Returns
    -------
    tuple of (pandas.DataFrame, int)
        The recoded rows (without the ``version`` column), and how many source rows were
        left out.

    Raises
    ------
    InvalidInputError
        A missing column or a bad ``to_version``.
    """
    function = "convert_versions"
    check_option(to_version, (2016, 2021), name="to_version", function=function)
    for name, column in (("version", version), ("region", region), ("value", value)):
        if column not in frame.columns:
            raise parameter_error(
                name, function, f"a column of the frame ({', '.join(map(str, frame.columns))})", column
            )
    known = _reference(source, function).codes
    codes = {year: known[year] for year in (2013, 2016, 2021) if year <= to_version}
    parts, left_out = [], 0
    versions = frame[version].astype(int)
    for year in sorted(versions.unique()):
        rows = frame[versions == year].drop(columns=version)
        if year not in codes:  # no correspondence table here (2010), or newer than the target
            left_out += len(rows)
            continue
        if year == to_version:
            known = rows[region].isin(codes[year])
            left_out += int((~known).sum())
            parts.append(rows[known])
            continue
        stray = ~rows[region].isin(codes[year])
        current = stray & rows[region].isin(codes[to_version])
        left_out += int((stray & ~current).sum())
        parts.append(rows[current])
        converted = convert_data(
            rows[~stray], region=region, value=value, from_version=int(year), to_version=to_version,
            source=source, on_unconvertible="flag",
        )  # fmt: skip
        left_out += int((~converted["convertible"]).sum())
        parts.append(converted[converted["convertible"]].drop(columns="convertible"))
    columns = [column for column in frame.columns if column != version]
    kept = [part for part in parts if len(part)]
    result = pd.concat(kept, ignore_index=True) if kept else pd.DataFrame(columns=columns)
    keys = [column for column in columns if column not in (value, *_ROW_COLUMNS)]
    summed: pd.DataFrame = result.groupby(keys, as_index=False, sort=False).agg({value: "sum"})
    return summed, left_out
