"""NUTS regions: codes and names per version, the EL/GR and UK/GB quirk, and conversion between versions.

Everything here is read from Eurostat's official NUTS correspondence tables, the
workbooks ``NUTS2013-NUTS2016.xlsx`` and ``NUTS2016-NUTS2021.xlsx`` (Eurostat publishes
the second as ``NUTS2021.xlsx``), or their main sheets flattened to CSV
(``nuts2013_to_nuts2016.csv``, ``nuts2016_to_nuts2021.csv``). Pass ``source=`` a folder
holding them; without it they are downloaded once through :func:`clusterix.ingest.downloads.fetch`.

Versions
--------
NUTS 2013, 2016 and 2021. The 2013 codes are the "Code 2013" column of the 2013-2016
table; the 2016 codes the "Code 2016" column of the 2016-2021 table (it also lists the
statistical regions of the EFTA and candidate countries, which the 2013-2016 table lacks);
the 2021 codes its "Code 2021" column. Extra-regio codes (``DEZ``, ``DEZZ``, ``DEZZZ``) are
included: Eurostat tables report values for them, though they have no territory or map.

The tables carry a few quirks that are handled here: codes with trailing spaces (``TR100 ``);
a heading row inside the code column; ``FR7`` listed twice in 2013-2016 (recoded ``FRK`` and
"discontinued"; it is the recode); and Northern Ireland's NUTS 3 codes ``UKN10`` ...
``UKN16`` of 2016, which sit under ``UKN0`` (see :func:`nuts_regions`). GISCO's NUTS 2016
boundaries already show Norway's ``NO060`` (merged in 2018), which the table lists only in 2021.

NUTS 2024 is not supported: its correspondence table (``NUTS2021-NUTS2024.xlsx``) is neither
in the reference data clusterix is tested on nor read by this module, so asking for version
2024 raises :class:`~clusterix.errors.InvalidInputError`.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clusterix._validation import check_option, parameter_error
from clusterix.errors import DataSourceError, InvalidInputError, UnknownCodeError
from clusterix.ingest.downloads import RemoteFile, fetch

__all__ = [
    "CONVERSION_COLUMNS",
    "REGION_COLUMNS",
    "REMOTE_FILES",
    "VERSIONS",
    "check_codes",
    "convert_codes",
    "convert_data",
    "iso_country",
    "normalise_code",
    "nuts_country",
    "nuts_regions",
]

#: NUTS versions that clusterix reads.
VERSIONS = (2013, 2016, 2021)
#: Columns of :func:`nuts_regions`.
REGION_COLUMNS = ("code", "name", "level", "parent", "country", "version")
#: Columns of :func:`convert_codes`.
CONVERSION_COLUMNS = ("code", "new_code", "change", "convertible", "note")

# The official files. Eurostat publishes the NUTS correspondence tables on its page
# "NUTS - History" (https://ec.europa.eu/eurostat/web/nuts/history), all in the folder below.
# "NUTS2021.xlsx" is the NUTS 2021 classification workbook: sheet "Changes detailed NUTS
# 2016-2021" is the 2016-2021 correspondence (the copy in ../shared/data, taken from the R
# package `regions`, is the same workbook saved as NUTS2016-NUTS2021.xlsx, the name it is
# cached under). Eurostat publishes no checksums: fetch() records the SHA-256 at the first
# download and re-checks it afterwards. NUTS 2024 would be ".../NUTS2021-NUTS2024.xlsx" (not read).
_EUROSTAT_NUTS = "https://ec.europa.eu/eurostat/documents/345175/629341/"
#: (old version, new version) -> the official correspondence workbook.
REMOTE_FILES = {
    (2013, 2016): RemoteFile("NUTS2013-NUTS2016.xlsx", _EUROSTAT_NUTS + "NUTS2013-NUTS2016.xlsx"),
    (2016, 2021): RemoteFile("NUTS2016-NUTS2021.xlsx", _EUROSTAT_NUTS + "NUTS2021.xlsx"),
}
# File names looked for in a `source` folder, in order: the workbook, then the flattened CSV.
_LOCAL_NAMES = {
    (2013, 2016): ("NUTS2013-NUTS2016.xlsx", "nuts2013_to_nuts2016.csv"),
    (2016, 2021): ("NUTS2016-NUTS2021.xlsx", "NUTS2021.xlsx", "nuts2016_to_nuts2021.csv"),
}
_STEPS = tuple(REMOTE_FILES)

_CODE = re.compile(r"[A-Z]{2}[0-9A-Z]{0,3}")
# A code inside Eurostat's change comments; "FR 21" (with a space) occurs once.
_CODE_IN_TEXT = re.compile(r"\b([A-Z]{2}) ?([0-9A-Z]{1,3})\b")
# ISO 3166 country code -> NUTS country code, where they differ.
_ISO_TO_NUTS = {"GR": "EL", "GB": "UK"}
_NUTS_TO_ISO = {nuts: iso for iso, nuts in _ISO_TO_NUTS.items()}
# Columns of the tidy observation frame that describe a source row, not an observation.
_ROW_COLUMNS = ("flag", "line", "column")


# --------------------------------------------------------------------------------------
# Country codes: EL/GR and UK/GB
# --------------------------------------------------------------------------------------


def nuts_country(iso2: str) -> str:
    """The NUTS country code of an ISO 3166-1 alpha-2 code: ``GR`` -> ``EL``, ``GB`` -> ``UK``.

    NUTS (and every Eurostat table) writes Greece as ``EL`` and the United Kingdom as ``UK``,
    where ISO 3166 has ``GR`` and ``GB``. Every other country has the same code in both.

    Parameters
    ----------
    iso2 : str
        Two letters, in any case.

    Returns
    -------
    str
        The upper-case NUTS country code.

    Raises
    ------
    InvalidInputError
        ``iso2`` is not two letters.

    Examples
    --------
    >>> nuts_country("GR"), nuts_country("gb"), nuts_country("DE")
    ('EL', 'UK', 'DE')
    """
    code = _country(iso2, "iso2", "nuts_country")
    return _ISO_TO_NUTS.get(code, code)


def iso_country(nuts_country: str) -> str:
    """The ISO 3166-1 alpha-2 code of a NUTS country code: ``EL`` -> ``GR``, ``UK`` -> ``GB``.

    The inverse of :func:`nuts_country`; every other country has the same code in both.

    Examples
    --------
    >>> iso_country("EL"), iso_country("UK"), iso_country("FR")
    ('GR', 'GB', 'FR')
    """
    code = _country(nuts_country, "nuts_country", "iso_country")
    return _NUTS_TO_ISO.get(code, code)


def _country(value: Any, name: str, function: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        raise parameter_error(name, function, "a two-letter country code such as 'DE'", value)
    return value.strip().upper()


def normalise_code(code: str) -> str:
    """A region code in NUTS spelling: trimmed, upper case, ``GR``/``GB`` read as ``EL``/``UK``.

    The rule: no NUTS code starts with ``GR`` or ``GB`` (Greece is ``EL`` and the United
    Kingdom ``UK`` in NUTS), so a code that does is taken to use the ISO 3166 country
    code and its first two letters are replaced: ``GR30`` -> ``EL30``, ``GBI3`` -> ``UKI3``.
    Nothing else is changed or guessed; whether the result is a code of a given NUTS
    version is checked by :func:`check_codes`.

    Raises
    ------
    InvalidInputError
        ``code`` is not a string.

    Examples
    --------
    >>> normalise_code("GR30"), normalise_code(" ukI3 "), normalise_code("DE21")
    ('EL30', 'UKI3', 'DE21')
    """
    if not isinstance(code, str):
        raise parameter_error("code", "normalise_code", "a NUTS code as a string, e.g. 'DE21'", code)
    return _normalise(code)


def _normalise(code: str) -> str:
    text = code.strip().upper()
    return _ISO_TO_NUTS[text[:2]] + text[2:] if text[:2] in _ISO_TO_NUTS else text


# --------------------------------------------------------------------------------------
# Reading the correspondence tables
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """One row of a correspondence table, trimmed; ``None`` where a cell is empty."""

    old: str | None
    new: str | None
    labels: tuple[str | None, str | None, str | None, str | None]  # country, NUTS 1, 2, 3
    change_code: int | None
    change: str
    line: int


@dataclass(frozen=True)
class _Step:
    """A correspondence table between two consecutive NUTS versions."""

    old_version: int
    new_version: int
    where: str  # the file (and sheet), for messages
    rows: tuple[_Row, ...]


def _csv_records(path: Path, *, delimiter: str = ",") -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, record)`` for each record of a CSV file; ``line`` is the 1-based line it starts on.

    A quoted field may span several lines, so the line of a record is counted from the
    end of the previous one (as a text editor shows it), not from its position.
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        previous_end = 1  # the header
        for record in reader:
            yield previous_end + 1, record
            previous_end = reader.line_num


def _cell(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _header_key(text: Any) -> str:
    return " ".join(str(text).split()).lower() if text is not None else ""


def _columns(header: Sequence[Any], old: int, new: int) -> dict[str, int] | None:
    """Positions of the needed columns in a workbook header row, or None if it is not one."""
    keys = [_header_key(cell) for cell in header]
    wanted = {
        "old": lambda k: k == f"code {old}",
        "new": lambda k: k == f"code {new}",
        "country": lambda k: k == "country",
        "nuts1": lambda k: k.startswith("nuts level 1"),
        "nuts2": lambda k: k.startswith("nuts level 2"),
        "nuts3": lambda k: k.startswith("nuts level 3"),
        "change": lambda k: k in ("change", "change comments"),
        "change_code": lambda k: k.startswith("change code"),
    }
    found = {}
    for name, test in wanted.items():
        hits = [position for position, key in enumerate(keys) if test(key)]
        if hits:
            found[name] = hits[0]
    required = {"old", "new", "country", "nuts1", "nuts2", "nuts3", "change"}
    return found if required <= set(found) else None


def _read_workbook(path: Path, old: int, new: int) -> _Step:
    try:
        import openpyxl
    except ImportError as error:  # pragma: no cover - openpyxl is in the [io] extra
        raise DataSourceError(
            f"Reading {path.name} needs openpyxl: pip install 'clusterix[io]', or use the CSV version "
            f"of the table (nuts{old}_to_nuts{new}.csv)."
        ) from error
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise DataSourceError(f"{path}: cannot be read as an Excel workbook ({error}).") from error
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            for line, header in enumerate(rows, start=1):
                if line > 5:
                    break
                positions = _columns(header, old, new)
                if positions is None:
                    continue
                where = f"{path}, sheet {sheet.title!r}"
                names = {name: " ".join(str(header[p]).split()) for name, p in positions.items()}
                records = (
                    (number, {name: values[p] if p < len(values) else None for name, p in positions.items()})
                    for number, values in enumerate(rows, start=line + 1)
                )
                return _Step(old, new, where, tuple(_rows(records, where, names, unit="row")))
    finally:
        book.close()
    raise DataSourceError(
        f"{path}: no sheet has the columns of a NUTS correspondence table ('Code {old}', 'Code {new}', "
        "'Country', 'NUTS level 1/2/3', 'Change'). Is it Eurostat's NUTS "
        f"{old}-{new} correspondence workbook?"
    )


def _read_csv(path: Path, old: int, new: int) -> _Step:
    names = {
        "old": f"code_{old}",
        "new": f"code_{new}",
        "country": "country",
        "nuts1": "nuts1_label",
        "nuts2": "nuts2_label",
        "nuts3": "nuts3_label",
    }
    with open(path, encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])
    if "change" in header:
        names["change"] = "change"
    elif "change_comment" in header:
        names["change"] = "change_comment"
        if "change_code" in header:
            names["change_code"] = "change_code"
    missing = [column for column in names.values() if column not in header] + (
        [] if "change" in names else ["change (or change_comment)"]
    )
    if missing:
        raise DataSourceError(
            f"{path}, line 1: the header lacks the column(s) {', '.join(map(repr, missing))} of a "
            f"flattened NUTS {old}-{new} correspondence table; found {', '.join(map(repr, header))}."
        )
    records = (
        (line, {name: record.get(column) for name, column in names.items()}) for line, record in _csv_records(path)
    )
    return _Step(old, new, str(path), tuple(_rows(records, str(path), names)))


def _rows(
    records: Iterable[tuple[int, dict[str, Any]]], where: str, names: dict[str, str], *, unit: str = "line"
) -> Iterator[_Row]:
    """Rows of a correspondence table; headings and blank rows are skipped.

    ``unit`` is what a message calls the position: "line" in a CSV file, "row" in a sheet.
    """
    for line, record in records:
        old, new = _cell(record.get("old")), _cell(record.get("new"))
        labels = tuple(_cell(record.get(key)) for key in ("country", "nuts1", "nuts2", "nuts3"))
        change = _cell(record.get("change")) or ""
        if old is None and new is None:
            continue
        codes = []
        for key, code in (("old", old), ("new", new)):
            if code is not None and not _CODE.fullmatch(code):
                other = new if key == "old" else old
                if other is None and not any(labels) and not change:
                    break  # a heading such as "Statistical regions (EFTA countries, ...)"
                raise DataSourceError(
                    f"{where}, {unit} {line}, column {names[key]!r}: value {code!r} is not a NUTS code; "
                    "NUTS codes are two letters and up to three letters or digits, e.g. 'DE21'."
                )
            codes.append(code)
        else:
            change_code = _change_code(record, f"{where}, {unit} {line}", names)
            yield _Row(codes[0], codes[1], labels, change_code, change, line)


def _change_code(record: dict[str, Any], where: str, names: dict[str, str]) -> int | None:
    raw = _cell(record.get("change_code"))
    if raw is None:
        return None
    try:
        number = float(raw)
    except ValueError:
        number = np.nan
    if not number.is_integer() or not 1 <= number <= 6:
        raise DataSourceError(
            f"{where}, column {names['change_code']!r}: value {raw!r} is not one of "
            "Eurostat's change codes 1 (renamed) to 6 (new)."
        )
    return int(number)


def _step_file(step: tuple[int, int], source: str | Path | None, function: str) -> Path:
    if source is None:
        return fetch(REMOTE_FILES[step])
    folder = Path(source)
    if not folder.is_dir():
        raise parameter_error(
            "source",
            function,
            "a folder holding Eurostat's NUTS correspondence tables, or None to download them",
            str(source),
        )
    for name in _LOCAL_NAMES[step]:
        if (folder / name).is_file():
            return folder / name
    raise DataSourceError(
        f"{folder} holds no NUTS {step[0]}-{step[1]} correspondence table: looked for "
        f"{', '.join(_LOCAL_NAMES[step])}. Download it from {REMOTE_FILES[step].url} or pass source=None."
    )


def _read_step(path: Path, step: tuple[int, int]) -> _Step:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_workbook(path, *step)
    return _read_csv(path, *step)


# --------------------------------------------------------------------------------------
# The reference: regions per version and crosswalks, built once per set of files
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Crosswalk:
    """How the codes of one version become codes of a later one.

    ``table`` has one row per code of ``from_version`` (:data:`CONVERSION_COLUMNS` except
    that ``convertible`` is about the code). ``members`` maps each code of ``to_version``
    that is exactly a sum of ``from_version`` regions to those regions.
    """

    from_version: int
    to_version: int
    table: pd.DataFrame
    members: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class _Reference:
    regions: dict[int, pd.DataFrame]
    codes: dict[int, frozenset[str]]
    crosswalks: dict[tuple[int, int], _Crosswalk]


def _reference(source: str | Path | None, function: str) -> _Reference:
    paths = [_step_file(step, source, function) for step in _STEPS]
    keys = tuple((str(path.resolve()), path.stat().st_mtime_ns, path.stat().st_size) for path in paths)
    return _build_reference(keys)


@functools.lru_cache(maxsize=4)
def _build_reference(keys: tuple[tuple[str, int, int], ...]) -> _Reference:
    first, second = (_read_step(Path(key[0]), step) for key, step in zip(keys, _STEPS, strict=True))
    regions = {
        2013: _region_frame(2013, _labelled(first, "old")),
        2016: _region_frame(2016, _labelled_2016(first, second)),
        2021: _region_frame(2021, _labelled(second, "new")),
    }
    codes = {version: frozenset(frame["code"]) for version, frame in regions.items()}
    one = _classify(first)
    two = _classify(second)
    crosswalks = {(2013, 2016): one, (2016, 2021): two, (2013, 2021): _chain(one, two)}
    return _Reference(regions, codes, crosswalks)


def _label(row: _Row, level: int) -> str | None:
    return row.labels[level] or next((label for label in row.labels if label), None)


def _labelled(step: _Step, side: str) -> dict[str, str | None]:
    """Code -> name for one side of a table, in table order.

    Eurostat prints the labels of the newer version, and those of discontinued regions
    (in italics) in the older version. So where a code has two rows on the old side (only
    FR7: recoded as FRK, and also listed as discontinued) the row without a new code,
    which carries the old label, wins.
    """
    names: dict[str, str | None] = {}
    for row in step.rows:
        code = getattr(row, side)
        if code is None:
            continue
        if code not in names or (side == "old" and row.new is None):
            names[code] = _label(row, len(code) - 2)
    return names


def _renamed(row: _Row) -> bool:
    text = row.change.lower()
    return row.change_code in (1, 4) or "rename" in text or "name change" in text or "relabel" in text


def _labelled_2016(first: _Step, second: _Step) -> dict[str, str | None]:
    """NUTS 2016 names: from the 2016-2021 table, except for regions renamed in 2021.

    The 2016-2021 table prints 2021 names, so a region renamed in 2021 takes its 2016 name
    from the 2013-2016 table (whose labels are 2016 names) when it is there.
    """
    names = _labelled(second, "old")
    earlier = _labelled(first, "new")
    for row in second.rows:
        if row.old is not None and _renamed(row) and earlier.get(row.old):
            names[row.old] = earlier[row.old]
    return names


def _region_frame(version: int, names: dict[str, str | None]) -> pd.DataFrame:
    codes = list(names)
    levels = [len(code) - 2 for code in codes]
    known = set(codes)
    parents: list[str | None] = []
    last_of_level: dict[int, str] = {}  # the latest code of each level, in table order
    for code, level in zip(codes, levels, strict=True):
        parent = code[:-1] if level > 0 else None
        if parent is not None and parent not in known:
            # NUTS 2016 numbered Northern Ireland's NUTS 3 regions UKN06 ... UKN16 under UKN0, so
            # UKN10 is not in "UKN1": the parent is then the region above it in Eurostat's table.
            parent = last_of_level.get(level - 1)
        parents.append(parent)
        last_of_level[level] = code
    return pd.DataFrame(
        {
            "code": codes,
            "name": [names[code] for code in codes],
            "level": np.array(levels, dtype=np.int64),
            "parent": parents,
            "country": [code[:2] for code in codes],
            "version": np.full(len(codes), version, dtype=np.int64),
        }
    )


def _codes_in(text: str, known: frozenset[str] | set[str]) -> list[str]:
    found = []
    for match in _CODE_IN_TEXT.finditer(text):
        code = match.group(1) + match.group(2)
        if code in known and code not in found:
            found.append(code)
    return found


def _boundary(row: _Row) -> bool:
    return row.change_code in (3, 4) or bool(re.search(r"boundary|lost", row.change.lower()))


def _pure_merge(row: _Row, old_codes: frozenset[str]) -> tuple[str, ...] | None:
    """The old regions whose union is exactly ``row.new``, if the comment says so.

    Accepted: "merge of ex-A and B", "made from ex-A, B and C" naming at least two whole
    regions of the old version at the same level as the new one. Anything mentioning parts,
    "minus", "plus" or new regions is a boundary change, not a merge.
    """
    match = re.search(r"merge of|made from|made of", row.change.lower())
    if match is None or row.new is None:
        return None
    tail = row.change[match.end() :]
    if re.search(r"part|minus|plus|new|lost", tail.lower()):
        return None
    members = tuple(_codes_in(tail, old_codes))
    if len(members) < 2 or any(len(member) != len(row.new) for member in members):
        return None
    return members


def _classify(step: _Step) -> _Crosswalk:
    """Classify every old code of a table; see :func:`convert_codes` for the rules."""
    old_codes = frozenset(row.old for row in step.rows if row.old)
    new_codes = frozenset(row.new for row in step.rows if row.new)
    pairs: dict[str, list[_Row]] = {}  # old -> rows naming a new code
    into: dict[str, list[_Row]] = {}  # new -> rows naming it
    ended: dict[str, _Row] = {}  # old -> its row without a new code
    for row in step.rows:
        if row.new is not None:
            into.setdefault(row.new, []).append(row)
        if row.old is not None and row.new is not None:
            pairs.setdefault(row.old, []).append(row)
        elif row.old is not None:
            ended.setdefault(row.old, row)

    # New codes that are exactly one old region (renamed or recoded) or a union of whole ones.
    members: dict[str, tuple[str, ...]] = {}
    for new, rows in into.items():
        declared = next((m for m in (_pure_merge(row, old_codes) for row in rows) if m), None)
        sources = {row.old for row in rows if row.old is not None}
        if declared is not None:
            if sources <= set(declared):
                members[new] = declared
        elif len(sources) == 1 and all(row.old is not None and not _boundary(row) for row in rows):
            members[new] = (sources.pop(),)
    # An old region may feed one new region only, and one named as "now part of X" must be in X.
    owners: dict[str, list[str]] = {}
    for new, sources in members.items():
        for source in sources:
            owners.setdefault(source, []).append(new)
    for old, rows in pairs.items():
        owners.setdefault(old, []).extend(row.new for row in rows if row.new not in owners.get(old, []))
    for old, row in ended.items():
        owners.setdefault(old, []).extend(n for n in _codes_in(row.change, new_codes) if n not in owners[old])
    for targets in owners.values():
        if len(targets) > 1:
            for target in targets:
                members.pop(target, None)
    target_of = {source: new for new, sources in members.items() for source in sources}
    mentioned_by: dict[str, set[str]] = {}  # old -> new codes whose comment names it
    for new, rows in into.items():
        for row in rows:
            for old in _codes_in(row.change, old_codes):
                mentioned_by.setdefault(old, set()).add(new)

    records = []
    for old in _ordered(row.old for row in step.rows):
        if old in target_of:
            new = target_of[old]
            group = members[new]
            if len(group) > 1:
                change, note = "merged", f"{new} = {' + '.join(group)}"
            elif new == old:
                change, note = "unchanged", ""
            else:
                change, note = "recoded", f"{old} recoded as {new}"
            records.append((old, new, change, True, note))
            continue
        text = "; ".join(row.change for row in [*pairs.get(old, []), *([ended[old]] if old in ended else [])])
        paired = [row.new for row in pairs.get(old, [])]
        successors = _ordered(
            code
            for code in [*paired, *_codes_in(text, new_codes), *sorted(mentioned_by.get(old, ()))]
            if len(code) == len(old)
        )
        if "split" in text.lower() or len(successors) > 1:
            change, note = "split", f"split into {', '.join(successors)}" if successors else "split"
        elif paired:
            change, note = "boundary", f"boundary change: {old} became {', '.join(successors)}"
        else:
            change = "discontinued"
            note = f"discontinued; related: {', '.join(successors)}" if successors else "discontinued"
        note += f" (Eurostat: {text!r})" if text else ""
        records.append((old, None, change, False, note))
    table = pd.DataFrame.from_records(records, columns=list(CONVERSION_COLUMNS))
    return _Crosswalk(step.old_version, step.new_version, table, members)


def _ordered(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value is not None))


def _chain(first: _Crosswalk, second: _Crosswalk) -> _Crosswalk:
    """The crosswalk first.from_version -> second.to_version through the version between."""
    members = {
        new: tuple(old for middle in middles for old in first.members[middle])
        for new, middles in second.members.items()
        if all(middle in first.members for middle in middles)
    }
    target_of = {old: new for new, olds in members.items() for old in olds}
    later = second.table.set_index("code")
    records = []
    for code, middle, change, convertible, note in first.table.itertuples(index=False):
        if code in target_of:
            new = target_of[code]
            group = members[new]
            if len(group) > 1:
                records.append((code, new, "merged", True, f"{new} = {' + '.join(group)}"))
            elif new == code:
                records.append((code, new, "unchanged", True, ""))
            else:
                records.append((code, new, "recoded", True, f"{code} recoded as {new}"))
        elif not convertible:
            records.append((code, None, change, False, f"NUTS {first.from_version}-{first.to_version}: {note}"))
        else:
            if middle not in later.index:
                raise DataSourceError(
                    f"{middle} is a NUTS {first.to_version} code in the {first.from_version}-"
                    f"{first.to_version} table but not in the {second.from_version}-{second.to_version} "
                    "table: the two tables do not fit together."
                )
            step = later.loc[middle]
            if step["convertible"]:  # the later region also takes in regions that do not trace back exactly
                change = "boundary"
                note = f"{step['new_code']} is not a sum of whole NUTS {first.from_version} regions"
            else:
                change, note = step["change"], f"{middle} in NUTS {first.to_version}: {step['note']}"
            records.append((code, None, change, False, f"NUTS {first.to_version}-{second.to_version}: {note}"))
    table = pd.DataFrame.from_records(records, columns=list(CONVERSION_COLUMNS))
    return _Crosswalk(first.from_version, second.to_version, table, members)


# --------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------


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
        The NUTS version. 2024 raises: its table is not read (see the module notes).
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
