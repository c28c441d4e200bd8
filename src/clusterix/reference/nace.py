"""NACE activity codes: the classification per revision, code spellings, and code checks.

NACE Rev. 2 (2008) is the classification of Eurostat's regional and business statistics
up to reference year 2024 (and of the UK SIC 2007, whose 4-digit codes are its classes);
NACE Rev. 2.1 (Regulation (EU) 2023/137) applies from 2025. They differ: Rev. 2.1 has 22
sections (A-V: a new section K for telecommunications and computing, V for extraterritorial
bodies), 87 divisions (45, trade and repair of motor vehicles, is gone), 287 groups and 651
classes; Rev. 2 has 21 sections (A-U), 88 divisions, 272 groups and 615 classes.

Where the tables come from:

``revision="2.1"``
    The package ``naceconverter`` (a dependency) ships NACE Rev. 2.1: its
    ``nacecodes.csv`` has the 22 sections, 87 divisions, 287 groups and 651 classes, plus
    736 six-digit subclasses of the Norwegian SN 2025, which are dropped here.
``revision="2"``
    ``naceconverter`` does not ship NACE Rev. 2. It is read from Eurostat's official code
    list (SDMX code list ``ESTAT/NACE_R2``, as TSV), downloaded once through
    :func:`clusterix.ingest.downloads.fetch`, or from a local copy passed as ``source=``.

``source=`` may be any local file in one of the layouts read here: the Eurostat code list
TSV (``code<TAB>label`` per line, codes written ``C``, ``C10``, ``C101``, ``C1011``;
aggregates such as ``C10-C12`` or ``TOTAL`` are skipped), or a delimited file with a header
naming a code column (``code``) and a name column (``name``, ``label`` or ``description``),
and for divisions without a section letter a parent column (``parentCode`` or ``parent``),
like ``naceconverter``'s file.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from clusterix._validation import check_option, parameter_error
from clusterix.errors import DataSourceError, UnknownCodeError
from clusterix.ingest.downloads import RemoteFile, fetch
from clusterix.reference.nuts import _csv_records

__all__ = ["NACE_COLUMNS", "REMOTE_FILES", "REVISIONS", "check_nace", "nace_codes", "normalise_nace"]

#: NACE revisions that clusterix reads.
REVISIONS = ("2", "2.1")
#: Columns of :func:`nace_codes`.
NACE_COLUMNS = ("code", "name", "level", "parent", "section", "eurostat")

# Eurostat's code lists are served by its SDMX dissemination API (the classification server
# RAMON, which used to serve NACE as CSV, was retired). "?format=TSV&lang=en" gives one
# "code<TAB>English label" line per item, aggregates included. No checksum is published:
# fetch() records the SHA-256 of the first download.
_EUROSTAT_CODELISTS = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/codelist/ESTAT/"
#: revision -> the official code list (Rev. 2.1 is read from naceconverter unless ``source`` is given).
REMOTE_FILES = {
    "2": RemoteFile("NACE_R2.tsv", _EUROSTAT_CODELISTS + "NACE_R2/latest?format=TSV&lang=en"),
}
# The sections of each revision: a table with other sections is the wrong revision.
_SECTIONS = {"2": "ABCDEFGHIJKLMNOPQRSTU", "2.1": "ABCDEFGHIJKLMNOPQRSTUV"}

# A NACE item as people write it: optional section letter, then 2 digits (division),
# then optionally one digit (group) and one more (class), with or without the dot.
_SPELLING = re.compile(r"([A-Z])?(\d{2})(?:\.?(\d)(\d)?)?")
# Below the classes: national subclasses (SN 2025 '01.110', SIC 2007 '01.11/1', WZ '01.11.0').
_SUBCLASS = re.compile(r"\d{2}\.?\d{2}(?:\.\d+|/\d+|\d+)")
_AGGREGATE = re.compile(r".*[-_+].*|TOTAL|NRP|UNK")


def normalise_nace(code: str) -> str:
    """The canonical spelling of a NACE code: ``C`` (section), ``10``, ``10.1``, ``10.11``.

    Accepted spellings (any case, surrounding spaces ignored):

    - a section letter: ``C``;
    - a division: ``10`` or Eurostat's ``C10``;
    - a group: ``10.1``, ``101``, ``C10.1`` or ``C101``;
    - a class: ``10.11``, ``1011``, ``C10.11`` or ``C1011``. A 4-digit code is a class, so
      UK SIC 2007 codes such as ``0111`` read as class ``01.11``.

    The section letter in front of a division, group or class is dropped here; whether it is
    the right one is checked by :func:`check_nace`, as is whether the code exists in a revision.

    Raises
    ------
    UnknownCodeError
        The text is none of these spellings, e.g. an aggregate such as ``C10-C12`` or a
        national subclass such as ``01.11/1``.
    InvalidInputError
        ``code`` is not a string (read code columns as text so that leading zeros stay).

    Examples
    --------
    >>> [normalise_nace(c) for c in ("C", "C10", "10.1", "C101", "C1011", "1011", "0111")]
    ['C', '10', '10.1', '10.1', '10.11', '10.11', '01.11']
    """
    if not isinstance(code, str):
        raise parameter_error(
            "code",
            "normalise_nace",
            "a NACE code as a string (read codes as text to keep leading zeros)",
            code,
        )
    canonical = _spelling(code)
    if canonical is None:
        raise UnknownCodeError(
            f"{code!r} is not a NACE code. NACE codes look like 'C' (section), '10' or 'C10' (division), "
            "'10.1' or 'C101' (group), '10.11', 'C1011' or '1011' (class); Eurostat aggregates such as "
            "'C10-C12' or 'B-S_X_O' and national subclasses are not items of the classification."
        )
    return canonical[0]


def _spelling(code: str) -> tuple[str, str | None] | None:
    """(canonical code, section letter written in front or None), or None if unreadable."""
    text = code.strip().upper()
    if re.fullmatch(r"[A-Z]", text):
        return text, text
    match = _SPELLING.fullmatch(text)
    if match is None:
        return None
    letter, division, group, item = match.groups()
    canonical = division + (f".{group}" if group else "") + (item or "")
    return canonical, letter


def _eurostat(code: str, section: str) -> str:
    """Eurostat's notation (dimension ``nace_r2`` of its tables): ``C``, ``C10``, ``C101``, ``C1011``."""
    return code if code.isalpha() else section + code.replace(".", "")


def _level(code: str) -> int:
    return 1 if code.isalpha() else {2: 2, 4: 3, 5: 4}[len(code)]


def _parent_of(code: str, section: str) -> str | None:
    level = _level(code)
    return None if level == 1 else section if level == 2 else code[:-1].rstrip(".")


# --------------------------------------------------------------------------------------
# Reading a classification file
# --------------------------------------------------------------------------------------


def _package_file() -> Path:
    return Path(str(importlib.resources.files("naceconverter").joinpath("nacecodes.csv")))


def _records(path: Path) -> tuple[list[tuple[int, str, str, str | None, str | None]], dict[str, str]]:
    """(line, code, name, parent, level) per item, and the names of the columns read (for messages)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
    head = [cell.strip().strip('"').lower() for cell in re.split(r"[;,\t]", first)]
    if "code" not in head and "\t" in first:  # Eurostat's code list: code<TAB>label, no header
        records = []
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for line, text in enumerate(handle, start=1):
                code, _, label = text.rstrip("\r\n").partition("\t")
                if code.strip():
                    records.append((line, code.strip(), label.strip().strip('"'), None, None))
        return records, {"code": "column 1", "name": "column 2", "parent": "", "level": ""}
    delimiter = max((";", ",", "\t"), key=first.count)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle, delimiter=delimiter), [])
    lowered = {column.strip().lower(): column for column in header}
    columns = {
        "code": lowered.get("code"),
        "name": next((lowered[c] for c in ("name", "label", "description", "title") if c in lowered), None),
        "parent": next((lowered[c] for c in ("parentcode", "parent") if c in lowered), None),
        "level": lowered.get("level"),
    }
    if columns["code"] is None or columns["name"] is None:
        raise DataSourceError(
            f"{path}, line 1: the header has no code and name columns ({', '.join(map(repr, header))}); "
            "a NACE file needs 'code' and 'name' (or 'label'/'description'), like naceconverter's "
            "nacecodes.csv, or must be Eurostat's code list (code<TAB>label per line)."
        )
    records = []
    for line, row in _csv_records(path, delimiter=delimiter):  # the notes of NACE files span lines
        value = {key: (row.get(column) or "").strip() if column else None for key, column in columns.items()}
        if value["code"]:
            records.append((line, value["code"], value["name"] or "", value["parent"], value["level"]))
    return records, {key: column or "" for key, column in columns.items()}


@functools.lru_cache(maxsize=8)
def _table(key: tuple[str, int, int], revision: str) -> pd.DataFrame:
    path = Path(key[0])
    records, columns = _records(path)
    rows: dict[str, dict[str, Any]] = {}
    for line, raw, name, parent, level in records:
        if level == "5" or _SUBCLASS.fullmatch(raw.strip()):
            continue  # a national subclass below the NACE classes
        spelled = _spelling(raw)
        if spelled is None:
            if columns["code"] == "column 1" or _AGGREGATE.fullmatch(raw.strip().upper()):
                continue  # Eurostat's code list also holds aggregates (C10-C12, TOTAL) and special items
            raise DataSourceError(
                f"{path}, line {line}, column {columns['code']!r}: value {raw!r} is not a NACE code "
                "(a section letter, or 2 to 4 digits with or without a section letter and dots)."
            )
        code, letter = spelled
        if code in rows:
            raise DataSourceError(
                f"{path}, line {line}, column {columns['code']!r}: code {raw!r} ({code}) appears twice "
                f"(first on line {rows[code]['line']})."
            )
        section = letter
        if section is None and _level(code) == 2 and parent and re.fullmatch(r"[A-Za-z]", parent.strip()):
            section = parent.strip().upper()
        rows[code] = {"line": line, "name": name, "section": section}
    for code, row in rows.items():  # groups and classes take the section of their division
        if row["section"] is None and _level(code) > 2 and code[:2] in rows:
            row["section"] = rows[code[:2]]["section"]
        if row["section"] is None:
            raise DataSourceError(
                f"{path}, line {row['line']}, column {columns['code']!r}: the section of {code!r} is "
                "unknown; write divisions with their section letter (C10) or give a parent column naming "
                "the section."
            )
    sections = "".join(sorted(code for code in rows if _level(code) == 1))
    if sections != _SECTIONS[revision]:
        other = next((r for r, letters in _SECTIONS.items() if letters == sections), None)
        what = f"it is NACE Rev. {other}" if other else f"its sections are {sections or 'missing'}"
        raise DataSourceError(
            f"{path} is not NACE Rev. {revision}: {what} (Rev. {revision} has sections "
            f"{_SECTIONS[revision][0]}-{_SECTIONS[revision][-1]})."
        )
    table = pd.DataFrame(
        {
            "code": list(rows),
            "name": [row["name"] for row in rows.values()],
            "level": [_level(code) for code in rows],
            "parent": [_parent_of(code, row["section"]) for code, row in rows.items()],
            "section": [row["section"] for row in rows.values()],
            "eurostat": [_eurostat(code, row["section"]) for code, row in rows.items()],
        }
    )
    orphans = table[table["parent"].notna() & ~table["parent"].isin(table["code"])]
    if len(orphans):
        code, parent = orphans.iloc[0][["code", "parent"]]
        raise DataSourceError(
            f"{path}, line {rows[code]['line']}, column {columns['code']!r}: the parent {parent!r} of "
            f"{code!r} is not in the file ({len(orphans)} codes lack their parent)."
        )
    order = [(section, "" if level == 1 else code) for code, level, section in zip(
        table["code"], table["level"], table["section"], strict=True)]  # fmt: skip
    table = table.iloc[sorted(range(len(table)), key=order.__getitem__)].reset_index(drop=True)
    table["level"] = table["level"].astype("int64")
    return table


def _source_file(revision: str, source: str | Path | None, function: str) -> Path:
    if source is not None:
        path = Path(source)
        if not path.is_file():
            raise parameter_error(
                "source",
                function,
                f"a NACE Rev. {revision} file (see the module notes), or None",
                str(source),
            )
        return path
    if revision == "2.1":
        return _package_file()
    return fetch(REMOTE_FILES[revision])


def _load(revision: Any, source: str | Path | None, function: str) -> pd.DataFrame:
    check_option(revision, REVISIONS, name="revision", function=function)
    path = _source_file(revision, source, function)
    stat = path.stat()
    return _table((str(path.resolve()), stat.st_mtime_ns, stat.st_size), revision)


def nace_codes(revision: str = "2", *, source: str | Path | None = None) -> pd.DataFrame:
    """The items of a NACE revision: sections, divisions, groups and classes.

    Parameters
    ----------
    revision : {"2", "2.1"}
        NACE Rev. 2 (Eurostat data up to 2024, UK SIC 2007) or Rev. 2.1 (from 2025).
    source : str or Path, optional
        A local file with the classification (layouts in the module notes). By default
        Rev. 2.1 is read from ``naceconverter`` (offline) and Rev. 2 is downloaded from
        Eurostat once; ``naceconverter`` does not ship Rev. 2.

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (``C``, ``10``, ``10.1``, ``10.11``), ``name`` (English),
        ``level`` (1 section, 2 division, 3 group, 4 class), ``parent`` (missing for
        sections), ``section`` and ``eurostat``, the code as Eurostat's tables write it
        (``C``, ``C10``, ``C101``, ``C1011``), in hierarchical order.

    Raises
    ------
    InvalidInputError
        Bad ``revision`` or ``source``.
    DataSourceError
        The file is unreadable, malformed (named by file, line and column) or of the other
        revision, or Rev. 2 cannot be downloaded.

    Examples
    --------
    >>> codes = nace_codes("2.1")
    >>> codes["level"].value_counts().sort_index().tolist()
    [22, 87, 287, 651]
    >>> codes.set_index("code").loc["62.10", ["name", "section"]].tolist()
    ['Computer programming activities', 'K']
    """
    return _load(revision, source, "nace_codes").copy()


def check_nace(
    codes: Iterable[str],
    *,
    revision: str = "2",
    level: int | None = None,
    source: str | Path | None = None,
) -> list[str]:
    """Check that every code is an item of a NACE revision (and level); return them canonical.

    Each code is read with :func:`normalise_nace`; a section letter written in front
    (``C10``) must be the section of the division.

    Parameters
    ----------
    codes : iterable of str
        Activity codes in any of the spellings of :func:`normalise_nace`.
    revision : {"2", "2.1"}
    level : {None, 1, 2, 3, 4}
        If given, every code must be of this level (1 section ... 4 class).
    source : str or Path, optional
        A local classification file (see :func:`nace_codes`).

    Returns
    -------
    list of str
        The canonical codes, in input order.

    Raises
    ------
    UnknownCodeError
        Codes that are not items of the revision (or level), named (the first five) with
        the revision.

    Examples
    --------
    >>> check_nace(["C10", "62.10", "2611"], revision="2.1")
    ['10', '62.10', '26.11']
    """
    function = "check_nace"
    check_option(level, (None, 1, 2, 3, 4), name="level", function=function)
    if isinstance(codes, str) or not isinstance(codes, Iterable):
        raise parameter_error("codes", function, "a list, array or Series of NACE codes", codes)
    values = list(codes)
    table = _load(revision, source, function)
    sections = dict(zip(table["code"], table["section"], strict=True))
    levels = dict(zip(table["code"], table["level"], strict=True))
    seen: dict[Any, str | None] = {}
    unknown: list[tuple[Any, str]] = []
    for value in values:
        key = value if isinstance(value, str) else repr(value)
        if key in seen:
            continue
        spelled = _spelling(value) if isinstance(value, str) else None
        reason = ""
        if spelled is None:
            reason = "not a NACE code spelling"
        elif spelled[0] not in sections:
            reason = ""
        elif spelled[1] is not None and spelled[1] != sections[spelled[0]]:
            reason = f"{spelled[0]} is in section {sections[spelled[0]]}"
        elif level is not None and levels[spelled[0]] != level:
            reason = f"a level-{levels[spelled[0]]} code"
        else:
            seen[key] = spelled[0]
            continue
        seen[key] = None
        unknown.append((value, reason))
    if unknown:
        shown = ", ".join(f"{value!r}" + (f" ({reason})" if reason else "") for value, reason in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        what = f"NACE Rev. {revision}" + (f" level-{level}" if level is not None else "")
        raise UnknownCodeError(
            f"{len(unknown)} of {len(seen)} distinct activity codes are not {what} codes: {shown}{more}. "
            "Check the revision of the data: NACE Rev. 2 up to 2024, Rev. 2.1 from 2025."
        )
    return [seen[value if isinstance(value, str) else repr(value)] for value in values]  # type: ignore[misc]
