"""Eurostat's NUTS correspondence tables: the official files (local or downloaded) read into rows."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from clusterix._validation import parameter_error
from clusterix.errors import DataSourceError
from clusterix.ingest.downloads import RemoteFile, fetch

__all__ = ["REMOTE_FILES"]


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
