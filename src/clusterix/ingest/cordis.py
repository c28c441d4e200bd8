"""CORDIS readers: EU research projects and their participants as three tidy tables.

Reads the official CORDIS project and organisation files of FP7, Horizon 2020 and
Horizon Europe (semicolon-separated CSV or JSON) and the reduced Horizon 2020
participation extract, and returns :class:`CordisTables`:

``organisations``
    ``id`` (PIC), ``name``, ``kind`` (``enterprise``, ``higher_education``, ``research``,
    ``public``, ``other``), ``activity_type`` (the CORDIS code), ``country`` (EU style,
    ``EL``/``UK``), ``region`` (NUTS code), ``description``, ``external_ids`` (JSON text).
``projects``
    ``id``, ``acronym``, ``title``, ``programme``, ``programme_part``, ``topic``,
    ``start_date``, ``end_date``, ``total_cost``, ``ec_contribution``, ``framework``,
    ``objective``.
``participations``
    ``project_id``, ``organisation_id``, ``role``, ``ec_contribution``, ``line``.

Text columns hold ``None`` where the source is empty, money columns ``NaN`` and date
columns ``NaT``. Every error about a file names the file, the 1-based line (as a text
editor counts it, so a multi-line quoted field moves the following lines down) and the
column. :func:`project_activity_counts` turns the tables into the tidy observation frame
(``region, activity, time, measure, value, flag, line, column``) that the indicators read.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from clusterix._validation import check_option, parameter_error
from clusterix.errors import DataSourceError, InvalidInputError, UnknownCodeError

__all__ = [
    "ACTIVITY_KINDS",
    "FRAMEWORKS",
    "ORGANISATION_COLUMNS",
    "OFFICIAL_ORGANISATION_COLUMNS",
    "OFFICIAL_PROJECT_COLUMNS",
    "PARTICIPATION_COLUMNS",
    "PROJECT_COLUMNS",
    "CordisTables",
    "project_activity_counts",
    "read_cordis_csv",
    "read_cordis_json",
    "read_h2020_participations",
]

#: CORDIS ``activityType`` code -> organisation kind.
ACTIVITY_KINDS = {
    "PRC": "enterprise",
    "HES": "higher_education",
    "REC": "research",
    "PUB": "public",
    "OTH": "other",
}
FRAMEWORKS = ("FP7", "H2020", "HORIZON")

ORGANISATION_COLUMNS = (
    "id", "name", "kind", "activity_type", "country", "region", "description", "external_ids",
)  # fmt: skip
PROJECT_COLUMNS = (
    "id", "acronym", "title", "programme", "programme_part", "topic", "start_date", "end_date",
    "total_cost", "ec_contribution", "framework", "objective",
)  # fmt: skip
PARTICIPATION_COLUMNS = ("project_id", "organisation_id", "role", "ec_contribution", "line")

_PROJECT_HEADER = (
    "id;acronym;status;title;startDate;endDate;totalCost;ecMaxContribution;legalBasis;topics;"
    "ecSignatureDate;frameworkProgramme;masterCall;subCall;fundingScheme;nature;objective;"
    "contentUpdateDate;rcn;grantDoi"
)
_ORGANISATION_HEADER = (
    "projectID;projectAcronym;organisationID;vatNumber;name;shortName;SME;activityType;street;"
    "postCode;city;country;nutsCode;geolocation;organizationURL;contactForm;contentUpdateDate;rcn;"
    "order;role;ecContribution;netEcContribution;totalCost;endOfParticipation;active"
)
#: The header of the official ``project.csv`` (FP7, H2020 and Horizon Europe releases since 2021).
OFFICIAL_PROJECT_COLUMNS = tuple(_PROJECT_HEADER.split(";"))
#: The header of the official ``organization.csv``: one row per (project, organisation).
OFFICIAL_ORGANISATION_COLUMNS = tuple(_ORGANISATION_HEADER.split(";"))
_PROJECT_REQUIRED = ("id", "acronym", "title", "startDate", "endDate", "totalCost", "ecMaxContribution")
_ORGANISATION_REQUIRED = ("projectID", "organisationID", "name", "activityType", "country", "role")
# Releases before 2021 named two columns differently; the old name is used only when the
# official one is absent.
_PROJECT_ALIASES = {"legalBasis": "programme"}
_ORGANISATION_ALIASES = {"organisationID": "id"}

_PARTICIPATIONS_FILE = "h2020_participations.csv.gz"
_PROGRAMME_PARTS_FILE = "h2020_project_programme_parts.csv.gz"
_EXTRACT_REQUIRED = (
    "rcn", "role", "pic", "type", "contribution", "country", "start_date", "end_date",
    "max_contribution", "total_cost",
)  # fmt: skip
_EXTRACT_MISSING = "NA"  # how the reduced extract (written with R) marks a missing number or date
_COUNTRY_STYLE = {"GR": "EL", "GB": "UK"}  # ISO -> the EU style CORDIS uses

_DOT_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_COMMA_NUMBER = r"[+-]?\d+,\d+"
_DATE = r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_QUOTED = re.compile(r'"(?:[^"]|"")*"')
_SEPARATOR_NAMES = {";": "semicolon", ",": "comma", "\t": "tab"}
_SHOW = 60  # characters of a long value quoted in a message


class CordisTables(NamedTuple):
    """The three tidy CORDIS tables; unpack as ``organisations, projects, participations``."""

    organisations: pd.DataFrame
    projects: pd.DataFrame
    participations: pd.DataFrame


@dataclass(frozen=True)
class _Raw:
    """A source file as text columns (``str`` dtype, missing where empty) and record lines."""

    path: str
    frame: pd.DataFrame
    lines: np.ndarray  # 1-based line on which each record starts
    kind: str  # "csv" or "json": whether a message says "column" or "key"

    def where(self, position: int, column: str | Sequence[str]) -> str:
        label = "key" if self.kind == "json" else "column"
        if isinstance(column, str):
            return f"{self.path}, line {self.lines[position]}, {label} {column!r}"
        named = ", ".join(repr(c) for c in column)
        return f"{self.path}, line {self.lines[position]}, {label}s {named}"

    def text(self, name: str) -> pd.Series:
        """A column as written (missing if absent from the file)."""
        if name not in self.frame.columns:
            return pd.Series(np.nan, index=self.frame.index, dtype="str")
        return self.frame[name]

    def codes(self, name: str, *, missing: str | None = None) -> pd.Series:
        """A code-like column without surrounding spaces; blank (or ``missing``) is missing."""
        values = self.text(name).str.strip()
        blank = values == ""
        if missing is not None:
            blank |= values == missing
        return values.mask(blank)

    def fail(
        self,
        bad: pd.Series | np.ndarray,
        column: str | Sequence[str],
        problem: Callable[[str], str],
        hint: str,
        *,
        values: pd.Series | None = None,
        error: type[InvalidInputError] = InvalidInputError,
    ) -> None:
        """Raise ``error`` at the first flagged row, if any, counting the others."""
        flags = bad.to_numpy(dtype=bool, na_value=False) if isinstance(bad, pd.Series) else bad
        positions = np.flatnonzero(flags)
        if len(positions) == 0:
            return
        first = int(positions[0])
        shown = values if values is not None else self.text(column if isinstance(column, str) else column[0])
        others = len(positions) - 1
        more = f" ({others} more row{'s' if others != 1 else ''} like this)" if others else ""
        raise error(f"{self.where(first, column)}: {problem(_shown(shown.iloc[first]))}{more}. {hint}")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOW else text[: _SHOW - 4] + "...'"


def _object(values: pd.Series | Sequence[Any]) -> pd.Series:
    """Text as an object column with ``None`` for missing values (the tables' convention)."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    series = series.reset_index(drop=True)
    return series.astype(object).where(series.notna(), None)


def _nothing(count: int) -> pd.Series:
    return pd.Series([None] * count, dtype=object)


# --------------------------------------------------------------------------- file access


def _read_bytes(path: str | Path, what: str) -> bytes:
    path = Path(path)
    if not path.is_file():
        raise DataSourceError(f"No such {what}: {path}")
    openers = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
    opener = openers.get(path.suffix.lower(), open)
    try:
        with opener(path, "rb") as handle:
            return handle.read()
    except (OSError, EOFError, lzma.LZMAError) as error:
        raise DataSourceError(f"Cannot read {what} {path}: {error}") from error


def _decode(data: bytes, path: str, encoding: str, *, sep: str | None) -> str:
    """Text of ``data``; a byte that is not valid in ``encoding`` is reported with line and column."""
    if not data.strip():
        raise InvalidInputError(f"{path}, line 1: the file is empty. Expected a CORDIS file with a header row.")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        start = data.rfind(b"\n", 0, error.start) + 1
        prefix = data[start : error.start].decode(encoding, errors="replace")
        column = _column_at(data, prefix, encoding, sep=sep) if line > 1 else None
        label = "key" if sep is None else "column"
        where = f"{path}, line {line}" + (f", {label} {column!r}" if column else "")
        raise InvalidInputError(
            f"{where}: byte 0x{data[error.start]:02x} is not valid {encoding} text ({error.reason}). "
            "The file is probably Latin-1 or Windows-1252 encoded: pass encoding='latin-1' "
            "(or encoding='cp1252')."
        ) from error
    except LookupError as error:
        raise parameter_error("encoding", "the CORDIS readers", "a text encoding known to Python", encoding) from error
    return text.removeprefix("\ufeff")


def _column_at(data: bytes, prefix: str, encoding: str, *, sep: str | None) -> str | None:
    """The column (CSV) or key (JSON) a bad byte falls in, judged from the text before it on its line."""
    if sep is None:
        keys = re.findall(r'"([^"\\]+)"\s*:', prefix)
        return keys[-1] if keys else None
    header_text = data[: data.find(b"\n")].decode(encoding, errors="replace").lstrip("\ufeff").rstrip("\r")
    header = next(csv.reader([header_text], delimiter=sep), [])
    position = _QUOTED.sub("", prefix).count(sep)
    return header[position].strip() if position < len(header) else None


def _check_separator(text: str, path: str, sep: str) -> None:
    first = text.lstrip("\r\n").split("\n", 1)[0]
    outside = _QUOTED.sub("", first)
    if sep in outside:
        return
    for other, name in _SEPARATOR_NAMES.items():
        if other != sep and other in outside:
            wanted = _SEPARATOR_NAMES[sep]
            raise InvalidInputError(
                f"{path}, line 1: the file is not {wanted}-separated; its header looks {name}-separated "
                f"({_shown(first)}). CORDIS files separate double-quoted fields with {sep!r}: use the "
                f"file as published, or re-export it with {wanted}s."
            )


def _breaks(column: pd.Series) -> np.ndarray:
    """Line breaks inside each cell, counted as a text editor does (\\r\\n, \\n or \\r)."""
    filled = column.fillna("")
    crlf = filled.str.count("\r\n").to_numpy(dtype=np.int64)
    return filled.str.count("\n").to_numpy(dtype=np.int64) + filled.str.count("\r").to_numpy(dtype=np.int64) - crlf


def _read_records(path: str | Path, *, sep: str, encoding: str, what: str) -> _Raw:
    """Parse a delimited file with the standard ``csv`` module, keeping each record's first line."""
    label = str(path)
    text = _decode(_read_bytes(path, what), label, encoding, sep=sep)
    _check_separator(text, label, sep)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', strict=True)
    try:
        records = list(reader)
    except csv.Error as error:
        raise InvalidInputError(
            f"{label}, line {reader.line_num}: broken quoting ({error}). Fields are enclosed in double "
            'quotes and a quote inside a field is written twice ("").'
        ) from error
    # Each record spans one line plus the line breaks inside its quoted fields; a blank line
    # is an empty record.
    blank = np.fromiter((not r or (len(r) == 1 and not r[0].strip()) for r in records), bool, len(records))
    if blank.all():
        raise InvalidInputError(f"{label}, line 1: the file is empty. Expected a CORDIS file with a header row.")
    head = int(np.argmax(~blank))
    header = [name.strip() for name in records[head]]
    kept = [position for position in range(head + 1, len(records)) if not blank[position]]
    if not kept:
        raise InvalidInputError(f"{label}, line {head + 2}: the file has a header but no data rows.")
    rows = [records[position] for position in kept]
    wrong = next((position for position in kept if len(records[position]) != len(header)), None)
    if wrong is not None:
        start = 1 + wrong + _inner_breaks(records[:wrong])
        spread = " (the record spans several lines)" if _inner_breaks(records[wrong : wrong + 1]) else ""
        raise InvalidInputError(
            f"{label}, line {start}: {len(records[wrong])} fields where the header has {len(header)}"
            f"{spread}. A field holding {sep!r} or a line break must be enclosed in double quotes, and a "
            "double quote inside a field must be doubled."
        )
    columns = zip(*rows, strict=True)
    frame = pd.DataFrame({name: pd.Series(values, dtype="str") for name, values in zip(header, columns, strict=True)})
    frame = frame.mask(frame == "")
    spans = np.ones(len(records), dtype=np.int64)
    ends_open = not text.endswith(("\n", "\r"))
    if text.count("\n") + text.count("\r") - text.count("\r\n") + ends_open != len(records):
        spans[head] += _inner_breaks(records[head : head + 1])
        inner = np.zeros(len(frame), dtype=np.int64)
        for name in frame.columns:
            inner += _breaks(frame[name])
        spans[np.asarray(kept)] += inner
    starts = np.cumsum(spans) - spans + 1
    return _Raw(label, frame, starts[np.asarray(kept)], "csv")


def _inner_breaks(records: list[list[str]]) -> int:
    """Line breaks inside the fields of a few records (the slow path, for the header and errors)."""
    return sum(f.count("\n") + f.count("\r") - f.count("\r\n") for record in records for f in record)


def _read_json_records(path: str | Path, *, encoding: str, what: str) -> _Raw:
    """Parse a JSON array of flat objects, keeping the line on which each object starts."""
    label = str(path)
    text = _decode(_read_bytes(path, what), label, encoding, sep=None)
    decoder = json.JSONDecoder()
    space = re.compile(r"\s*")
    position = space.match(text).end()
    if not text.startswith("[", position):
        raise InvalidInputError(
            f"{label}, line {text.count(chr(10), 0, position) + 1}: not a JSON array of records (it starts "
            f"with {_shown(text[position : position + 40])}). CORDIS JSON files hold one array of objects; "
            "for the semicolon-separated files use read_cordis_csv."
        )
    position += 1
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    line, counted = 1, 0
    while True:
        position = space.match(text, position).end()
        if text.startswith("]", position) and not records:
            break
        try:
            record, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise InvalidInputError(
                f"{label}, line {error.lineno}, character {error.colno}: not valid JSON ({error.msg})."
            ) from error
        line += text.count("\n", counted, position)
        counted = position
        if not isinstance(record, dict):
            raise InvalidInputError(
                f"{label}, line {line}: expected an object with CORDIS keys, got "
                f"{type(record).__name__} {_shown(record)}."
            )
        records.append(record)
        lines.append(line)
        position = space.match(text, end).end()
        if text.startswith(",", position):
            position += 1
            continue
        if text.startswith("]", position):
            break
        at = text.count("\n", 0, position) + 1
        raise InvalidInputError(f"{label}, line {at}: expected ',' or ']' after a record of the JSON array.")
    if not records:
        raise InvalidInputError(f"{label}, line 1: the JSON array is empty; it holds no CORDIS records.")
    names = dict.fromkeys(name for record in records for name in record)
    frame = pd.DataFrame({name: pd.Series([_json_text(r.get(name)) for r in records], dtype="str") for name in names})
    return _Raw(label, frame.mask(frame == ""), np.asarray(lines, dtype=np.int64), "json")


def _json_text(value: Any) -> str | None:
    """A JSON value as the text the CSV variant holds."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def _require(raw: _Raw, required: Sequence[str], aliases: dict[str, str], official: Sequence[str], what: str) -> _Raw:
    columns = raw.frame.columns
    renames = {old: new for new, old in aliases.items() if new not in columns and old in columns}
    frame = raw.frame.rename(columns=renames)
    missing = [name for name in required if name not in frame.columns]
    if missing:
        label = "key" if raw.kind == "json" else "column"
        where = f"{raw.path}: no record has" if raw.kind == "json" else f"{raw.path}, line 1: the header lacks"
        found = ", ".join(list(columns)[:30])
        raise InvalidInputError(
            f"{where} the required {label}(s) {', '.join(missing)} of a {what}; found {found}. "
            f"The official {what} has {';'.join(official)} (required: {', '.join(required)})."
        )
    return _Raw(raw.path, frame, raw.lines, raw.kind)


# --------------------------------------------------------------------------- cell parsing


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


# --------------------------------------------------------------------------- official files


def _framework_of(text: pd.Series) -> pd.Series:
    upper = text.str.strip().str.upper()
    found = pd.Series(np.nan, index=text.index, dtype="str")
    for framework in FRAMEWORKS:
        found = found.mask(found.isna() & upper.str.startswith(framework), framework)
    return found


def _projects(raw: _Raw, framework: str | None) -> pd.DataFrame:
    ids = _ids(raw, "id", "project id")
    _no_duplicates(raw, {"id": ids}, "A CORDIS project file lists each project once.")
    programmes = raw.codes("frameworkProgramme")
    parts = raw.codes("legalBasis")
    inferred = _framework_of(programmes).fillna(_framework_of(parts))
    named = "frameworkProgramme" if "frameworkProgramme" in raw.frame.columns else "legalBasis"
    if framework is not None:
        raw.fail(
            inferred.notna() & (inferred != framework),
            named,
            lambda v: f"the project belongs to {v}, not to framework={framework!r}",
            "Pass the framework the file belongs to, or framework=None to read it from the file.",
            values=programmes.fillna(parts),
        )
        inferred = pd.Series(framework, index=ids.index, dtype="str")
    raw.fail(
        inferred.isna(),
        named,
        lambda v: f"cannot tell the framework programme from {v}",
        f"Pass framework= (one of {', '.join(FRAMEWORKS)}).",
        values=programmes.fillna(parts),
    )
    return pd.DataFrame(
        {
            "id": _object(ids),
            "acronym": _object(_free_text(raw, "acronym")),
            "title": _object(_free_text(raw, "title")),
            "programme": _object(programmes.fillna(inferred)),
            "programme_part": _object(parts),
            "topic": _object(raw.codes("topics")),
            "start_date": _dates(raw, "startDate"),
            "end_date": _dates(raw, "endDate"),
            "total_cost": _money(raw, "totalCost"),
            "ec_contribution": _money(raw, "ecMaxContribution"),
            "framework": _object(inferred),
            "objective": _object(_free_text(raw, "objective")),
        }
    )


def _external_ids(pics: pd.Series, vats: pd.Series) -> pd.Series:
    return pd.Series(
        [
            json.dumps({"pic": pic, "vat": vat} if isinstance(vat, str) else {"pic": pic})
            for pic, vat in zip(pics, vats, strict=True)
        ],
        dtype=object,
    )


def _participants(raw: _Raw) -> tuple[pd.DataFrame, pd.DataFrame]:
    projects = _ids(raw, "projectID", "project id")
    organisations = _ids(raw, "organisationID", "organisation id (PIC)")
    _no_duplicates(
        raw,
        {"projectID": projects, "organisationID": organisations},
        "CORDIS lists each organisation once per project; remove the repeated row.",
    )
    codes, kinds = _kinds(raw, "activityType")
    roles = _roles(raw, "role")
    contribution = _money(raw, "ecContribution")
    for column in ("netEcContribution", "totalCost"):
        if column in raw.frame.columns:
            _money(raw, column)  # not in the tables, but a malformed or negative amount is an error
    rows = pd.DataFrame(
        {
            "id": organisations,
            "name": _free_text(raw, "name"),
            "kind": kinds,
            "activity_type": codes,
            "country": _countries(raw, "country"),
            "region": raw.codes("nutsCode"),
            "updated": raw.codes("contentUpdateDate").fillna(""),
            "vat": raw.codes("vatNumber"),
            "line": raw.lines,
        }
    )
    # One row per organisation: the most recently updated one, in order of first appearance.
    first = rows.groupby("id", sort=False)["line"].transform("min")
    latest = (
        rows.assign(first=first)
        .sort_values(["updated", "line"], ascending=[False, True], kind="stable")
        .drop_duplicates("id")
        .sort_values("first", kind="stable")
        .reset_index(drop=True)
    )
    table = pd.DataFrame(
        {
            "id": _object(latest["id"]),
            "name": _object(latest["name"]),
            "kind": _object(latest["kind"]),
            "activity_type": _object(latest["activity_type"]),
            "country": _object(latest["country"]),
            "region": _object(latest["region"]),
            "description": _nothing(len(latest)),
            "external_ids": _external_ids(latest["id"], latest["vat"]),
        }
    )
    participations = pd.DataFrame(
        {
            "project_id": _object(projects),
            "organisation_id": _object(organisations),
            "role": _object(roles),
            "ec_contribution": contribution,
            "line": raw.lines,
        }
    )
    return table, participations


def _empty_tables(projects: pd.DataFrame) -> CordisTables:
    organisations = pd.DataFrame({column: _nothing(0) for column in ORGANISATION_COLUMNS})
    participations = pd.DataFrame(
        {
            "project_id": _nothing(0),
            "organisation_id": _nothing(0),
            "role": _nothing(0),
            "ec_contribution": np.zeros(0),
            "line": np.zeros(0, dtype=np.int64),
        }
    )
    return CordisTables(organisations, projects, participations)


def _projects_named_in(raw: _Raw, participations: pd.DataFrame, framework: str | None) -> pd.DataFrame:
    """Projects known only from the organisation file: ids and acronyms."""
    named = pd.DataFrame(
        {"id": participations["project_id"], "acronym": _object(_free_text(raw, "projectAcronym"))}
    ).drop_duplicates("id")
    count = len(named)
    return pd.DataFrame(
        {
            "id": _object(named["id"]),
            "acronym": _object(named["acronym"]),
            "title": _nothing(count),
            "programme": _object([framework] * count),
            "programme_part": _nothing(count),
            "topic": _nothing(count),
            "start_date": pd.Series(pd.NaT, index=range(count), dtype="datetime64[us]"),
            "end_date": pd.Series(pd.NaT, index=range(count), dtype="datetime64[us]"),
            "total_cost": np.full(count, np.nan),
            "ec_contribution": np.full(count, np.nan),
            "framework": _object([framework] * count),
            "objective": _nothing(count),
        }
    )


def _assemble(projects: _Raw | None, organisations: _Raw | None, framework: str | None) -> CordisTables:
    if projects is not None:
        projects = _require(
            projects, _PROJECT_REQUIRED, _PROJECT_ALIASES, OFFICIAL_PROJECT_COLUMNS, "CORDIS project file"
        )
    if organisations is not None:
        organisations = _require(
            organisations,
            _ORGANISATION_REQUIRED,
            _ORGANISATION_ALIASES,
            OFFICIAL_ORGANISATION_COLUMNS,
            "CORDIS organisation file",
        )
    project_table = _projects(projects, framework) if projects is not None else None
    if organisations is None:
        return _empty_tables(project_table)
    organisation_table, participations = _participants(organisations)
    if project_table is None:
        return CordisTables(
            organisation_table, _projects_named_in(organisations, participations, framework), participations
        )
    organisations.fail(
        ~participations["project_id"].isin(project_table["id"]).to_numpy(),
        "projectID",
        lambda v: f"project {v} is not in the project file {projects.path}",
        "Read the project and organisation files of one CORDIS release together.",
    )
    return CordisTables(organisation_table, project_table, participations)


def _check_call(projects_path: Any, organizations_path: Any, framework: Any, function: str) -> None:
    if projects_path is None and organizations_path is None:
        raise parameter_error("projects_path", function, "a file path when organizations_path is None", projects_path)
    check_option(framework, (None, *FRAMEWORKS), name="framework", function=function)


# --------------------------------------------------------------------------- public readers


def read_cordis_csv(
    projects_path: str | Path | None = None,
    organizations_path: str | Path | None = None,
    *,
    framework: str | None = None,
    encoding: str = "utf-8",
) -> CordisTables:
    """Read the official CORDIS project and organisation CSV files into tidy tables.

    The files are those of the CORDIS downloads for FP7, Horizon 2020 and Horizon
    Europe (``project.csv`` and ``organization.csv``, optionally gzip-compressed):
    semicolon-separated, fields in double quotes that may hold line breaks and
    semicolons, money written ``1234.5`` or ``1234,5``.

    Parameters
    ----------
    projects_path : path or None
        ``project.csv`` (header ``id;acronym;status;title;startDate;...``). Without it,
        ``projects`` holds only the ids and acronyms named in the organisation file.
    organizations_path : path or None
        ``organization.csv``: one row per (project, organisation). Without it,
        ``organisations`` and ``participations`` are empty.
    framework : {'FP7', 'H2020', 'HORIZON'} or None
        The framework programme of the files. ``None`` reads it from
        ``frameworkProgramme`` (else the ``legalBasis`` prefix); given, it must agree
        with them.
    encoding : str
        Text encoding of the files; CORDIS publishes UTF-8.

    Returns
    -------
    CordisTables
        ``(organisations, projects, participations)``; see the module docstring for the
        columns. An organisation appears once, described by its most recently updated
        row (``contentUpdateDate``); participations keep the source ``line``.

    Raises
    ------
    InvalidInputError
        Naming file, line and column: empty file, not semicolon-separated, not valid
        text in ``encoding``, missing required columns, broken quoting, bad dates or
        money, negative amounts, duplicate projects or (project, organisation) pairs, a
        participation in a project missing from the project file.
    UnknownCodeError
        An ``activityType`` other than PRC, HES, REC, PUB, OTH.
    DataSourceError
        A file does not exist or cannot be read.

    Examples
    --------
    >>> tables = read_cordis_csv("project.csv", "organization.csv")  # doctest: +SKIP
    >>> organisations, projects, participations = tables  # doctest: +SKIP
    """
    _check_call(projects_path, organizations_path, framework, "read_cordis_csv")
    projects = organisations = None
    if projects_path is not None:
        projects = _read_records(projects_path, sep=";", encoding=encoding, what="CORDIS project file")
    if organizations_path is not None:
        organisations = _read_records(organizations_path, sep=";", encoding=encoding, what="CORDIS organisation file")
    return _assemble(projects, organisations, framework)


def read_cordis_json(
    projects_path: str | Path | None = None,
    organizations_path: str | Path | None = None,
    *,
    framework: str | None = None,
    encoding: str = "utf-8",
) -> CordisTables:
    """Read the JSON variant of the CORDIS project and organisation files.

    Each file is a JSON array of objects with the keys of the CSV header
    (``project.json``, ``organization.json``); values may be strings or numbers. The
    parameters, output and errors are those of :func:`read_cordis_csv`; ``line`` is the
    line on which a record's object starts.

    Examples
    --------
    >>> tables = read_cordis_json("project.json", "organization.json")  # doctest: +SKIP
    """
    _check_call(projects_path, organizations_path, framework, "read_cordis_json")
    projects = organisations = None
    if projects_path is not None:
        projects = _read_json_records(projects_path, encoding=encoding, what="CORDIS project file")
    if organizations_path is not None:
        organisations = _read_json_records(organizations_path, encoding=encoding, what="CORDIS organisation file")
    return _assemble(projects, organisations, framework)


# --------------------------------------------------------------------------- reduced H2020 extract


def read_h2020_participations(folder: str | Path, *, encoding: str = "utf-8") -> CordisTables:
    """Read the reduced Horizon 2020 participation extract into tidy tables.

    The folder holds ``h2020_participations.csv.gz`` (comma-separated, one row per
    organisation in a project: ``rcn, role, pic, type, contribution, country,
    start_date, end_date, max_contribution, total_cost, ...``; ``NA`` marks a missing
    number or date) and ``h2020_project_programme_parts.csv.gz`` (``rcn,
    programme_part``).

    Parameters
    ----------
    folder : path
        The folder with the two files.
    encoding : str
        Text encoding of the files.

    Returns
    -------
    CordisTables
        ``organisations``: ``id`` = PIC, ``kind`` from ``type``, ``country``; no names,
        regions or descriptions (the extract has none). ``projects``: ``id`` = rcn (the
        CORDIS record number, not the grant number), dates, ``total_cost``,
        ``ec_contribution`` = ``max_contribution``, ``programme`` and ``framework``
        ``'H2020'``, ``programme_part`` (several joined with ``';'`` in file order).
        ``participations``: one per row of the participation file.

    Raises
    ------
    InvalidInputError, UnknownCodeError, DataSourceError
        As :func:`read_cordis_csv`; also when a PIC has two types or countries, or a
        project two different dates or amounts, on different rows.

    Notes
    -----
    The country code ``NA`` is kept as Namibia's ISO code, not read as missing: all 11
    such rows are in the extract's third-country group. Programme parts of a project
    without participations are ignored.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataSourceError(f"No such folder with the CORDIS H2020 extract: {folder}")
    raw = _read_records(folder / _PARTICIPATIONS_FILE, sep=",", encoding=encoding, what="H2020 participation file")
    raw = _require(raw, _EXTRACT_REQUIRED, {}, _EXTRACT_REQUIRED, "H2020 participation file")
    projects = _ids(raw, "rcn", "project record number (rcn)")
    pics = _ids(raw, "pic", "organisation id (pic)")
    _no_duplicates(
        raw,
        {"rcn": projects, "pic": pics},
        "An organisation takes part in a project once; remove the repeat.",
    )
    codes, kinds = _kinds(raw, "type")
    rows = pd.DataFrame(
        {
            "project_id": projects,
            "organisation_id": pics,
            "kind": kinds,
            "activity_type": codes,
            "country": _countries(raw, "country"),
            "start_date": _dates(raw, "start_date", missing=_EXTRACT_MISSING),
            "end_date": _dates(raw, "end_date", missing=_EXTRACT_MISSING),
            "total_cost": _money(raw, "total_cost", missing=_EXTRACT_MISSING),
            "max_contribution": _money(raw, "max_contribution", missing=_EXTRACT_MISSING),
        }
    )
    _consistent(raw, rows, "organisation_id", {"activity_type": "type", "country": "country"})
    _consistent(
        raw,
        rows,
        "project_id",
        {"start_date": "start_date", "end_date": "end_date", "total_cost": "total_cost",
         "max_contribution": "max_contribution"},
    )  # fmt: skip
    firms = rows.drop_duplicates("organisation_id").reset_index(drop=True)
    organisations = pd.DataFrame(
        {
            "id": _object(firms["organisation_id"]),
            "name": _nothing(len(firms)),
            "kind": _object(firms["kind"]),
            "activity_type": _object(firms["activity_type"]),
            "country": _object(firms["country"]),
            "region": _nothing(len(firms)),
            "description": _nothing(len(firms)),
            "external_ids": _external_ids(firms["organisation_id"], pd.Series([None] * len(firms))),
        }
    )
    parts = _programme_parts(folder / _PROGRAMME_PARTS_FILE, encoding)
    head = rows.drop_duplicates("project_id").reset_index(drop=True)
    count = len(head)
    project_table = pd.DataFrame(
        {
            "id": _object(head["project_id"]),
            "acronym": _nothing(count),
            "title": _nothing(count),
            "programme": _object(["H2020"] * count),
            "programme_part": _object(head["project_id"].map(parts)),
            "topic": _nothing(count),
            "start_date": head["start_date"],
            "end_date": head["end_date"],
            "total_cost": head["total_cost"].to_numpy(),
            "ec_contribution": head["max_contribution"].to_numpy(),
            "framework": _object(["H2020"] * count),
            "objective": _nothing(count),
        }
    )
    participations = pd.DataFrame(
        {
            "project_id": _object(projects),
            "organisation_id": _object(pics),
            "role": _object(_roles(raw, "role")),
            "ec_contribution": _money(raw, "contribution", missing=_EXTRACT_MISSING),
            "line": raw.lines,
        }
    )
    return CordisTables(organisations, project_table, participations)


def _consistent(raw: _Raw, rows: pd.DataFrame, key: str, columns: dict[str, str]) -> None:
    """Raise if one ``key`` carries two different values of an attribute that belongs to the key."""
    distinct = rows.groupby(key, sort=False)[list(columns)].nunique(dropna=False)
    for column, source in columns.items():
        clashing = distinct.index[distinct[column] > 1]
        if len(clashing) == 0:
            continue
        first = rows.drop_duplicates(key).set_index(key)[column]
        expected = rows[key].map(first)
        differs = ~((rows[column] == expected) | (rows[column].isna() & expected.isna()))
        written = raw.codes(source, missing=_EXTRACT_MISSING)
        clash = rows[key].iloc[int(np.flatnonzero(differs.to_numpy())[0])]
        origin = int(np.flatnonzero((rows[key] == clash).to_numpy())[0])
        noun = "project" if key == "project_id" else "organisation"
        earlier = f"{_shown(written.iloc[origin])} on line {raw.lines[origin]}"
        raw.fail(
            differs,
            source,
            lambda v, subject=f"{noun} {clash!r}", earlier=earlier: f"{subject} has {v} here but {earlier}",
            "A project's dates and amounts, and an organisation's type and country, are the same on all its rows.",
            values=written,
        )


def _programme_parts(path: Path, encoding: str) -> pd.Series:
    raw = _read_records(path, sep=",", encoding=encoding, what="H2020 programme part file")
    required = ("rcn", "programme_part")
    raw = _require(raw, required, {}, required, "H2020 programme part file")
    rcns = _ids(raw, "rcn", "project record number (rcn)")
    parts = _ids(raw, "programme_part", "programme part")
    joined: dict[str, list[str]] = {}
    for rcn, part in zip(rcns, parts, strict=True):
        listed = joined.setdefault(rcn, [])
        if part not in listed:
            listed.append(part)
    return pd.Series({rcn: ";".join(listed) for rcn, listed in joined.items()}, dtype=object)


# --------------------------------------------------------------------------- observations


def project_activity_counts(
    projects: pd.DataFrame,
    participations: pd.DataFrame,
    organisations: pd.DataFrame,
    *,
    by: str = "country",
    activity: str = "programme_part",
) -> pd.DataFrame:
    """Count distinct projects per region, activity and start year, as tidy observations.

    A project counts once in every region where at least one of its participants (any
    role) is located, and once in each of its activities: a ``programme_part`` of
    ``'LEIT;SC4'`` counts in both ``LEIT`` and ``SC4``.

    Parameters
    ----------
    projects, participations, organisations : DataFrame
        The tables of a :class:`CordisTables` (from any of the readers).
    by : {'country', 'region'}
        Locate participants by country or by NUTS code (``region``: official files only).
    activity : str
        The project column that classifies activities, e.g. ``'programme_part'``,
        ``'topic'`` or ``'framework'``.

    Returns
    -------
    DataFrame
        ``region``, ``activity``, ``time`` (start year, e.g. ``'2019'``), ``measure``
        (``'projects'``), ``value`` (the count, float), ``flag`` (``None``), ``line`` (the
        first participation line behind the count) and ``column`` (``'project_id'``),
        sorted by region, activity and time.

    Raises
    ------
    InvalidInputError
        A bad ``by`` or ``activity``, a table without the needed columns, a participation
        of an unknown project or organisation, or nothing to count.

    Notes
    -----
    Participations of organisations without a ``by`` value, and projects without an
    activity or a start date, are not counted: they have no cell in the region x
    activity x year table.

    Examples
    --------
    >>> tables = read_h2020_participations("cordis-h2020-participations")  # doctest: +SKIP
    >>> counts = project_activity_counts(tables.projects, tables.participations,
    ...                                  tables.organisations)  # doctest: +SKIP
    """
    function = "project_activity_counts"
    check_option(by, ("country", "region"), name="by", function=function)
    needed = {
        "projects": (projects, ("id", "start_date")),
        "participations": (participations, ("project_id", "organisation_id", "line")),
        "organisations": (organisations, ("id", by)),
    }
    for name, (table, columns) in needed.items():
        if not isinstance(table, pd.DataFrame):
            raise parameter_error(name, function, "a pandas DataFrame from a CORDIS reader", type(table).__name__)
        absent = [column for column in columns if column not in table.columns]
        if absent:
            expected = f"a table with the column(s) {', '.join(absent)}"
            raise parameter_error(name, function, expected, list(table.columns))
    choices = [
        column
        for column in projects.columns
        if column != "id" and (projects[column].dtype == object or pd.api.types.is_string_dtype(projects[column]))
    ]
    check_option(activity, choices, name="activity", function=function)

    located = participations[["project_id", "organisation_id", "line"]].merge(
        organisations[["id", by]].rename(columns={"id": "organisation_id", by: "region"}),
        on="organisation_id",
        how="left",
        indicator=True,
    )
    _known(located, "organisation_id", "organisations")
    located = located.drop(columns="_merge").merge(
        projects[["id", activity, "start_date"]].rename(columns={"id": "project_id", activity: "activity"}),
        on="project_id",
        how="left",
        indicator=True,
    )
    _known(located, "project_id", "projects")
    located = located.dropna(subset=["region", "activity", "start_date"])
    if located.empty:
        hint = " The reduced H2020 extract has no NUTS codes: use by='country'." if by == "region" else ""
        raise InvalidInputError(
            f"No participation has an organisation {by}, a project {activity} and a start date, so there "
            f"is nothing to count.{hint}"
        )
    located = located.assign(
        activity=located["activity"].astype("str").str.split(";"),
        time=pd.to_datetime(located["start_date"]).dt.year.astype("int64").astype("str"),
    ).explode("activity")
    located["activity"] = located["activity"].str.strip()
    located = located[located["activity"] != ""]
    counts = (
        located.groupby(["region", "activity", "time"], sort=True)
        .agg(value=("project_id", "nunique"), line=("line", "min"))
        .reset_index()
    )
    return pd.DataFrame(
        {
            "region": _object(counts["region"].astype("str")),
            "activity": _object(counts["activity"].astype("str")),
            "time": _object(counts["time"]),
            "measure": _object(["projects"] * len(counts)),
            "value": counts["value"].to_numpy(dtype=np.float64),
            "flag": _nothing(len(counts)),
            "line": counts["line"].to_numpy(dtype=np.int64),
            "column": _object(["project_id"] * len(counts)),
        }
    )


def _known(located: pd.DataFrame, key: str, table: str) -> None:
    orphans = (located["_merge"] == "left_only").to_numpy()
    if orphans.any():
        first = located.loc[orphans].iloc[0]
        count = int(orphans.sum())
        raise InvalidInputError(
            f"The participation from line {int(first['line'])} refers to {key.removesuffix('_id')} "
            f"{first[key]!r}, which is not in the {table} table ({count} such participation"
            f"{'s' if count != 1 else ''}). Pass the tables of one reader call together."
        )
