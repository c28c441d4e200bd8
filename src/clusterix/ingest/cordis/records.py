"""CORDIS files as raw text records with their source lines (CSV or JSON), and errors that point into them."""

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
from typing import Any

import numpy as np
import pandas as pd

from clusterix._validation import parameter_error
from clusterix.errors import DataSourceError, InvalidInputError

_QUOTED = re.compile(r'"(?:[^"]|"")*"')
_SEPARATOR_NAMES = {";": "semicolon", ",": "comma", "\t": "tab"}
_SHOW = 60  # characters of a long value quoted in a message


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
