"""The regions of each NUTS version, and the check of region codes against them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from clusterix._validation import check_option, parameter_error
from clusterix.errors import InvalidInputError, UnknownCodeError
from clusterix.reference.nuts.changes import _Reference, _reference
from clusterix.reference.nuts.codes import _normalise
from clusterix.reference.nuts.files import _EUROSTAT_NUTS

__all__ = ["REGION_COLUMNS", "VERSIONS", "check_codes", "nuts_regions"]


#: NUTS versions that clusterix reads.
VERSIONS = (2013, 2016, 2021)

#: Columns of :func:`nuts_regions`.
REGION_COLUMNS = ("code", "name", "level", "parent", "country", "version")


def _check_version(version: Any, name: str, function: str) -> int:
    if version == 2024 and not isinstance(version, bool):
        message = parameter_error(name, function, "one of 2013, 2016, 2021", version)
        raise InvalidInputError(
            f"{message} NUTS 2024 is not supported: its correspondence table "
            f"({_EUROSTAT_NUTS}NUTS2021-NUTS2024.xlsx) is not read by clusterix."
        )
    if isinstance(version, bool) or version not in VERSIONS:
        raise parameter_error(name, function, "one of 2013, 2016, 2021", version)
    return int(version)


def nuts_regions(version: int, *, level: int | None = None, source: str | Path | None = None) -> pd.DataFrame:
    """The regions of a NUTS version: code, name, level, parent, country.

    Parameters
    ----------
    version : {2013, 2016, 2021}
        The NUTS version. 2024 raises: its table is not read (see :mod:`clusterix.reference.nuts`).
    level : {None, 0, 1, 2, 3}
        Keep one level only (0 is the country).
    source : str or Path, optional
        A folder holding Eurostat's correspondence tables (``NUTS2013-NUTS2016.xlsx`` and
        ``NUTS2016-NUTS2021.xlsx``, or their flattened CSVs); by default they are downloaded.

    Returns
    -------
    pandas.DataFrame
        Columns ``code, name, level, parent, country, version``, in Eurostat's order.
        ``level`` is the code length minus 2; ``parent`` is the code without its last
        character (the country for level 1, missing for level 0), except for the seven
        NUTS 2016 regions ``UKN10`` ... ``UKN16``, which Eurostat numbered under ``UKN0``
        (recoded ``UKN0A`` ... ``UKN0G`` in 2021); ``country`` is the first two letters
        (``EL`` and ``UK``, the NUTS spelling).

    Notes
    -----
    Names are Eurostat's labels from the tables (national language, Latin or Greek script).
    The 2013-2016 table prints 2016 labels except for discontinued regions, so a 2013
    region that continued under a new name in 2016 (e.g. ``FR24``, "Centre" in 2013) shows
    its 2016 name ("Centre — Val de Loire"). NUTS 2016 names come from the 2016-2021
    table except for the regions renamed in 2021, which take their 2016 label from the
    2013-2016 table. Codes are exact; names are for display.

    Raises
    ------
    InvalidInputError
        Bad ``version`` (including 2024), ``level`` or ``source``.
    DataSourceError
        A table is missing, unreadable or malformed (the message names file, line, column).

    Examples
    --------
    >>> regions = nuts_regions(2021, level=2, source="tables/")  # doctest: +SKIP
    >>> regions.set_index("code").loc["DE21", "name"]  # doctest: +SKIP
    'Oberbayern'
    """
    version = _check_version(version, "version", "nuts_regions")
    check_option(level, (None, 0, 1, 2, 3), name="level", function="nuts_regions")
    regions = _reference(source, "nuts_regions").regions[version]
    if level is not None:
        regions = regions[regions["level"] == level]
    return regions.reset_index(drop=True).copy()


def _materialise(codes: Any, name: str, function: str) -> list[Any]:
    if isinstance(codes, str) or not isinstance(codes, Iterable):
        raise parameter_error(name, function, "a list, array or Series of region codes", codes)
    return list(codes)


def _unknown_error(
    unknown: list[Any], total: int, version: int, level: int | None, reference: _Reference
) -> UnknownCodeError:
    shown = ", ".join(repr(code) for code in unknown[:5])
    more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
    what = f"NUTS {version}" + (f" level-{level}" if level is not None else "")
    hints = []
    for code in unknown[:5]:
        if not isinstance(code, str):
            continue
        text = _normalise(code)
        if level is not None and text in reference.codes[version]:
            hints.append(f"{code!r} is a level-{len(text) - 2} code")
            continue
        elsewhere = [str(other) for other in VERSIONS if other != version and text in reference.codes[other]]
        if elsewhere:
            hints.append(f"{code!r} is a NUTS {'/'.join(elsewhere)} code (convert it with convert_codes)")
    hint = f" ({'; '.join(hints)})" if hints else ""
    return UnknownCodeError(
        f"{len(unknown)} of {total} distinct region codes are not {what} codes: {shown}{more}{hint}. "
        "Check the NUTS version of the data (region_version) or convert the codes first."
    )


def check_codes(
    codes: Iterable[str], *, version: int, level: int | None = None, source: str | Path | None = None
) -> list[str]:
    """Check that every code is a region of a NUTS version (and level); return them normalised.

    Codes are read with :func:`normalise_code` first, so the ISO spellings ``GR...`` and
    ``GB...`` are accepted for Greece and the United Kingdom and returned as ``EL...``/``UK...``.

    Parameters
    ----------
    codes : iterable of str
        Region codes, e.g. a column of a tidy observation frame.
    version : {2013, 2016, 2021}
    level : {None, 0, 1, 2, 3}
        If given, every code must be of this level.
    source : str or Path, optional
        Folder of the correspondence tables (see :func:`nuts_regions`).

    Returns
    -------
    list of str
        The normalised codes, in input order.

    Raises
    ------
    UnknownCodeError
        Some codes are not codes of the version (or level): the message names the first
        five, the version, and the version they do belong to when they belong to another.

    Examples
    --------
    >>> check_codes(["DE21", "GR30"], version=2021, source="tables/")  # doctest: +SKIP
    ['DE21', 'EL30']
    """
    version = _check_version(version, "version", "check_codes")
    check_option(level, (None, 0, 1, 2, 3), name="level", function="check_codes")
    values = _materialise(codes, "codes", "check_codes")
    reference = _reference(source, "check_codes")
    return _checked(values, version, level, reference)


def _checked(values: list[Any], version: int, level: int | None, reference: _Reference) -> list[str]:
    known = reference.codes[version]
    mapping: dict[Any, str | None] = {}
    unknown = []
    for value in values:
        key = value if isinstance(value, str) else repr(value)
        if key in mapping:
            continue
        text = _normalise(value) if isinstance(value, str) else None
        ok = text is not None and text in known and (level is None or len(text) - 2 == level)
        mapping[key] = text if ok else None
        if not ok:
            unknown.append(value)
    if unknown:
        raise _unknown_error(unknown, len(mapping), version, level, reference)
    return [mapping[value if isinstance(value, str) else repr(value)] for value in values]  # type: ignore[misc]
