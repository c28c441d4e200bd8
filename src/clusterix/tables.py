"""The input contract: tidy long tables in, labelled sparse matrices out, and back.

One row per region, activity and (optional) time, with a numeric, non-negative,
finite value. Validation happens once, here, and every failure is an
:class:`~clusterix.errors.InvalidInputError` naming the column, the first offending
rows and what to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from clusterix.errors import DataSourceError, InvalidInputError
from clusterix.matrix import RegionActivityMatrix

__all__ = ["LongTable", "TableFile", "excel_sheets", "open_table", "read_long_table", "read_table", "validate_long"]

_SHOW = 5  # offending rows quoted in an error message
_READERS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xls": "excel",
    ".xlsm": "excel",
}
_COMPRESSIONS = (".gz", ".bz2", ".zip", ".xz", ".zst")
_SNIFF = 1 << 14  # bytes looked at to recognise HTML pages and UTF-16 text


@dataclass(frozen=True)
class TableFile:
    """A table file checked before reading (:func:`open_table`): it exists, its format is
    known from its suffix, its encoding is known, and for a workbook ``sheet`` is the name
    of the sheet to read."""

    path: Path
    kind: str  # "csv", "tsv", "parquet" or "excel"
    encoding: str = "utf-8"
    sheet: str | None = None

    def error(self, message: str) -> InvalidInputError:
        """An error about the whole file (and sheet), naming it."""
        sheet = f", sheet {self.sheet!r}" if self.sheet is not None else ""
        return InvalidInputError(f"{self.path}{sheet}: {message}")

    def translate(self, error: BaseException) -> InvalidInputError | DataSourceError:
        """The one-line error for a failure of the underlying reader."""
        return _translate(self, error)


def open_table(path: str | Path, *, encoding: str = "utf-8", sheet: str | int | None = None) -> TableFile:
    """Check a table file before it is read: exists, known format, known encoding, sheet.

    ``sheet`` (workbooks only) is a sheet name or a 0-based index; None is the first sheet.

    Raises
    ------
    InvalidInputError
        An unknown suffix or encoding, a ``sheet`` for a file that is not a workbook, a
        file that is not what its suffix says (an HTML page saved as ``.csv``, a ``.xlsx``
        that is not a workbook, UTF-16 text read as UTF-8), or a sheet that is not in the
        workbook (naming the sheets it has).
    DataSourceError
        The file does not exist or cannot be read.
    """
    from clusterix._validation import check_encoding

    path = Path(path)
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in _COMPRESSIONS:
        suffixes = suffixes[:-1]
    kind = _READERS.get(suffixes[-1] if suffixes else "")
    if kind is None:
        raise InvalidInputError(
            f"Cannot tell the format of {path}: use a .csv, .tsv, .parquet or .xlsx file "
            "(optionally .gz-compressed for CSV/TSV)."
        )
    check_encoding(encoding, function="read_table")
    if not path.is_file():
        raise DataSourceError(f"No such input file: {path}")
    try:
        with open(path, "rb") as handle:
            head = handle.read(_SNIFF)
    except OSError as error:
        raise DataSourceError(f"Cannot read {path}: {error.strerror or error}") from error
    table = TableFile(path, kind, encoding)
    if sheet is not None and kind != "excel":
        raise table.error(f"a sheet ({sheet!r}) can only be chosen in an Excel workbook, and this is a {kind} file.")
    if kind in ("csv", "tsv"):
        _sniff_text(table, head)
    elif kind == "excel":
        table = TableFile(path, kind, encoding, _sheet_name(table, head, sheet))
    elif not head.startswith(b"PAR1"):
        raise InvalidInputError(f"Cannot read {path} as parquet: it does not start with 'PAR1'{_looks_like(head)}.")
    return table


def _looks_like(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")):
        return "; it is an HTML page (a web page saved instead of the data file?)"
    if head.startswith(b"\x1f\x8b"):
        return "; it is gzip-compressed: name it .csv.gz or .tsv.gz"
    if head.startswith(b"PK\x03\x04"):
        return "; it is a zip archive (an Excel workbook? name it .xlsx)"
    if head and b"\x00" not in head[:512] and all(byte >= 32 or byte in b"\t\r\n" for byte in head[:512]):
        return "; it looks like text (a CSV file? name it .csv)"
    return ""


def _sniff_text(table: TableFile, head: bytes) -> None:
    """Refuse files that are plainly not delimited text in ``table.encoding``."""
    compressed = table.path.suffix.lower() in _COMPRESSIONS
    if compressed:
        return  # looked at when decompressed
    if _looks_like(head).startswith("; it is an HTML"):
        raise table.error(
            f"it is an HTML page, not a {table.kind.upper()} file (a web page saved instead of the data file?); "
            "download the file itself."
        )
    if head.startswith(b"\x1f\x8b"):
        raise table.error("it is gzip-compressed: name it .csv.gz (or .tsv.gz).")
    if head.startswith(b"PK\x03\x04"):
        raise table.error("it is a zip archive (an Excel workbook?), not text: name it .xlsx or export it as CSV.")
    wide = table.encoding.lower().replace("_", "-").startswith(("utf-16", "utf16", "utf-32", "utf32"))
    if b"\x00" in head and not wide:
        pairs = head[: len(head) // 2 * 2]
        odd_zeros = pairs[1::2].count(0)
        even_zeros = pairs[0::2].count(0)
        guess = "utf-16-le" if odd_zeros >= even_zeros else "utf-16-be"
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            guess = "utf-16"
        raise table.error(
            f"the file holds NUL bytes, so it is not {table.encoding} text; it looks like UTF-16: "
            f"pass its encoding, e.g. --encoding {guess} (encoding={guess!r})."
        )


def _sheet_name(table: TableFile, head: bytes, sheet: str | int | None) -> str | None:
    """The name of the sheet to read (None for an old .xls workbook, read by pandas)."""
    if table.path.suffix.lower() == ".xls":
        return None if sheet is None else str(sheet)
    if not head.startswith(b"PK\x03\x04"):
        raise table.error(f"not an Excel workbook (.xlsx files are zip archives){_looks_like(head)}.")
    names = excel_sheets(table)
    if sheet is None:
        return names[0]
    if isinstance(sheet, str) and sheet in names:
        return sheet
    index = sheet if isinstance(sheet, int) else int(sheet) if sheet.strip().lstrip("-").isdigit() else None
    if index is not None and 0 <= index < len(names):
        return names[index]
    listed = ", ".join(f"{i}: {name!r}" for i, name in enumerate(names))
    raise table.error(f"no sheet {sheet!r}; the workbook has the sheets {listed} (give a name or a 0-based index).")


def excel_sheets(table: TableFile) -> list[str]:
    """The sheet names of an .xlsx workbook, in order."""
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(table.path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise table.error(f"not a readable Excel workbook ({type(error).__name__}: {error}).") from error
    except Exception as error:  # noqa: BLE001 - openpyxl's InvalidFileException and friends
        raise table.error(f"not a readable Excel workbook ({type(error).__name__}: {error}).") from error
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def _translate(table: TableFile, error: BaseException) -> InvalidInputError | DataSourceError:
    import zlib

    path, kind = table.path, table.kind
    if isinstance(error, InvalidInputError):
        return error
    if isinstance(error, UnicodeDecodeError):
        return InvalidInputError(
            f"{path} is not valid {table.encoding} text (byte {error.start}: {error.reason}). "
            "Pass the file's encoding, e.g. --encoding latin-1 (or cp1252, utf-16)."
        )
    if isinstance(error, UnicodeError):
        return InvalidInputError(f"{path} cannot be decoded as {table.encoding} ({error}); pass the file's encoding.")
    if isinstance(error, ImportError):
        return InvalidInputError(
            f"Reading {path} needs an optional dependency ({error.name}): pip install 'clusterix[io]'"
        )
    if isinstance(error, EOFError | zlib.error) or (
        isinstance(error, OSError) and path.suffix.lower() in _COMPRESSIONS
    ):
        return InvalidInputError(
            f"{path}: the compressed file is damaged or truncated ({error or type(error).__name__}); "
            "download or compress it again."
        )
    if isinstance(error, pd.errors.EmptyDataError):
        return InvalidInputError(f"Cannot read {path}: the file is empty; expected a header line naming the columns.")
    if isinstance(error, pd.errors.ParserError):
        return InvalidInputError(f"Cannot read {path} as {kind}: {' '.join(str(error).split())}")
    if isinstance(error, OSError):
        return DataSourceError(f"Cannot read {path}: {error.strerror or error}")
    return InvalidInputError(f"Cannot read {path} as {kind}: {type(error).__name__}: {' '.join(str(error).split())}")


def read_table(path: str | Path, *, encoding: str = "utf-8", sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV (optionally compressed), TSV, Parquet or Excel file into a DataFrame.

    Code-like columns are kept as text so that leading zeros (``"0111"``) survive; the
    value column is converted by :func:`validate_long`. ``sheet`` (workbooks) is a sheet
    name or a 0-based index (None or 0: the first sheet). Every failure is one
    :class:`~clusterix.errors.InvalidInputError` (or :class:`~clusterix.errors.DataSourceError`)
    naming the file (:func:`open_table`).
    """
    return _read_frame(open_table(path, encoding=encoding, sheet=None if sheet == 0 else sheet))


def _read_frame(table: TableFile) -> pd.DataFrame:
    """The whole of a checked table file (:func:`open_table`) as a DataFrame."""
    try:
        if table.kind in ("csv", "tsv"):
            return pd.read_csv(
                table.path,
                sep="\t" if table.kind == "tsv" else ",",
                dtype=str,
                encoding=table.encoding,
                keep_default_na=False,
                na_values=[""],
            )
        if table.kind == "parquet":
            return pd.read_parquet(table.path)
        return pd.read_excel(table.path, sheet_name=table.sheet if table.sheet is not None else 0, dtype=object)
    except Exception as error:  # noqa: BLE001 - every reader failure becomes one line naming the file
        raise _translate(table, error) from error


def _plain(value: Any) -> Any:
    """numpy scalars as Python ones, so messages read ``-2`` rather than ``np.int64(-2)``."""
    return value.item() if isinstance(value, np.generic) else value


def _rows(frame: pd.DataFrame, mask: npt.NDArray[np.bool_], columns: list[str]) -> str:
    """The first offending rows, by their index label, as ``{index: {column: value}}``."""
    shown = frame.loc[mask, columns].head(_SHOW)
    count = int(np.count_nonzero(mask))
    listing = "; ".join(
        f"row {index!r}: " + ", ".join(f"{c}={row[c]!r}" for c in columns) for index, row in shown.iterrows()
    )
    return f"{count} row{'s' if count != 1 else ''} (first: {listing})"


@dataclass(frozen=True)
class LongTable:
    """A validated long table: integer codes plus the labels they stand for.

    ``region_codes[i]`` indexes ``regions`` and so on; ``time_codes`` is ``None`` for a
    cross-section. Built by :func:`validate_long`; never half-valid.
    """

    region_codes: npt.NDArray[np.int64]
    activity_codes: npt.NDArray[np.int64]
    time_codes: npt.NDArray[np.int64] | None
    values: npt.NDArray[np.float64]
    regions: pd.Index
    activities: pd.Index
    periods: pd.Index | None

    def matrices(self) -> Iterator[RegionActivityMatrix]:
        """One sparse matrix per period, regions and activities with a zero total dropped.

        A region or activity with nothing in a period has no defined RCA or complexity
        in it, so it has no row in that period's results (as in ``ecomplexity``).
        """
        if self.time_codes is None or self.periods is None:  # a cross-section (both None, by construction)
            yield self._matrix(slice(None), None)
            return
        order = np.argsort(self.time_codes, kind="stable")
        bounds = np.searchsorted(self.time_codes[order], np.arange(len(self.periods) + 1))
        for position, period in enumerate(self.periods):
            yield self._matrix(order[bounds[position] : bounds[position + 1]], period)

    def _matrix(self, rows: Any, period: Any) -> RegionActivityMatrix:
        regions, activities, values = (
            self.region_codes[rows],
            self.activity_codes[rows],
            self.values[rows],
        )
        keep_regions = np.flatnonzero(np.bincount(regions, values, len(self.regions)) > 0)
        keep_activities = np.flatnonzero(np.bincount(activities, values, len(self.activities)) > 0)
        region_index = np.full(len(self.regions), -1)
        region_index[keep_regions] = np.arange(len(keep_regions))
        activity_index = np.full(len(self.activities), -1)
        activity_index[keep_activities] = np.arange(len(keep_activities))
        positive = values > 0
        matrix = sp.csr_array(
            (values[positive], (region_index[regions[positive]], activity_index[activities[positive]])),
            shape=(len(keep_regions), len(keep_activities)),
        )
        where = f" in period {period!r}" if period is not None else ""
        if len(keep_regions) < 2 or len(keep_activities) < 2:
            raise InvalidInputError(
                f"Indicators need at least 2 regions and 2 activities with positive values{where}; "
                f"found {len(keep_regions)} region(s) and {len(keep_activities)} activity(ies). "
                "Add data or drop that period."
            )
        return RegionActivityMatrix(matrix, self.regions[keep_regions], self.activities[keep_activities], period)


def read_long_table(
    path: str | Path,
    *,
    encoding: str = "utf-8",
    sheet: str | int | None = None,
    region: str = "region",
    activity: str = "activity",
    value: str = "value",
    time: str | None = None,
) -> tuple[pd.DataFrame, LongTable]:
    """Read a long table file (:func:`read_table`) and check it (:func:`validate_long`).

    Every error names the file, and its rows are numbered as in the file: the line of a
    CSV or TSV file, the row of a sheet (the header is line or row 1), the row of a
    Parquet file (from 1). Returns the frame as read (indexed by those numbers) and the
    checked table.

    Raises
    ------
    InvalidInputError
        The errors of :func:`read_table` and :func:`validate_long`, naming the file.
    """
    table = open_table(path, encoding=encoding, sheet=None if sheet == 0 else sheet)
    kind = table.kind
    frame = _read_frame(table)  # the file is checked once
    first = 1 if kind == "parquet" else 2
    frame.index = pd.RangeIndex(first, first + len(frame))
    try:
        return frame, validate_long(frame, region=region, activity=activity, value=value, time=time)
    except InvalidInputError as error:
        unit = "line" if kind in ("csv", "tsv") else "row"
        raise InvalidInputError(f"{path} (rows numbered by {unit} of the file): {error}") from error


def validate_long(
    frame: pd.DataFrame,
    *,
    region: str = "region",
    activity: str = "activity",
    value: str = "value",
    time: str | None = None,
) -> LongTable:
    """Check a long table against the input contract and encode it.

    Raises
    ------
    InvalidInputError
        Not a DataFrame, empty, missing columns, missing labels, non-numeric, NaN,
        infinite or negative values, duplicate keys, or fewer than 2 regions/activities.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InvalidInputError(f"The input must be a pandas DataFrame or a file path; got {type(frame).__name__}.")
    keys = [region, activity] + ([time] if time is not None else [])
    missing = [c for c in [*keys, value] if c not in frame.columns]
    if missing:
        raise InvalidInputError(
            f"Missing column(s) {missing} in the input; it has {list(frame.columns)[:20]}. "
            "Name your columns with region=, activity=, value= and time= (--region, "
            "--activity, --value, --time on the command line)."
        )
    if len(set(keys + [value])) < len(keys) + 1:
        raise InvalidInputError(f"The region, activity, value and time columns must be distinct; got {keys + [value]}.")
    if frame.empty:
        raise InvalidInputError("The input table is empty: it has no rows.")
    for column in keys:
        absent = frame[column].isna().to_numpy()
        if absent.any():
            raise InvalidInputError(
                f"Column {column!r} has missing labels in {_rows(frame, absent, keys)}. "
                "Every row needs a region, an activity (and a time)."
            )
    values = _numeric_values(frame, value)
    region_codes, regions = pd.factorize(frame[region], sort=True)
    activity_codes, activities = pd.factorize(frame[activity], sort=True)
    time_codes, periods = (None, None)
    if time is not None:
        time_codes, periods = pd.factorize(frame[time], sort=True)
    _check_duplicates(frame, keys, region_codes, activity_codes, time_codes, len(regions), len(activities))
    for name, labels in (("region", regions), ("activity", activities)):
        if len(labels) < 2:
            column = region if name == "region" else activity
            raise InvalidInputError(
                f"Column {column!r} has a single {name} ({_plain(labels[0])!r}); indicators "
                f"compare {'activities' if name == 'activity' else 'regions'}, so at least 2 "
                "are needed."
            )
    return LongTable(
        region_codes.astype(np.int64),
        activity_codes.astype(np.int64),
        None if time_codes is None else time_codes.astype(np.int64),
        values,
        pd.Index(regions),
        pd.Index(activities),
        None if periods is None else pd.Index(periods),
    )


def _numeric_values(frame: pd.DataFrame, column: str) -> npt.NDArray[np.float64]:
    raw = frame[column]
    if pd.api.types.is_bool_dtype(raw) or not (
        pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_object_dtype(raw) or pd.api.types.is_string_dtype(raw)
    ):
        raise InvalidInputError(f"Column {column!r} must hold numbers; it has dtype {raw.dtype}.")
    numbers = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    was_missing = raw.isna().to_numpy()
    not_numeric = np.isnan(numbers) & ~was_missing
    if not_numeric.any():
        raise InvalidInputError(
            f"Column {column!r} has non-numeric values in {_rows(frame, not_numeric, [column])}. "
            "Clean them (e.g. remove flags such as ':' or 'c') or map them to numbers first."
        )
    if was_missing.any():
        raise InvalidInputError(
            f"Column {column!r} has missing (NaN) values in {_rows(frame, was_missing, [column])}. "
            "Fill them (0 if truly nothing) or drop those rows."
        )
    infinite = np.isinf(numbers)
    if infinite.any():
        raise InvalidInputError(
            f"Column {column!r} has infinite values in {_rows(frame, infinite, [column])}. Fix or drop those rows."
        )
    negative = numbers < 0
    if negative.any():
        raise InvalidInputError(
            f"Column {column!r} has negative values in {_rows(frame, negative, [column])}. "
            "Sizes (employment, firms, patents, exports) must be >= 0."
        )
    return numbers


def _check_duplicates(
    frame: pd.DataFrame,
    keys: list[str],
    region_codes: npt.NDArray[np.integer[Any]],
    activity_codes: npt.NDArray[np.integer[Any]],
    time_codes: npt.NDArray[np.integer[Any]] | None,
    n_regions: int,
    n_activities: int,
) -> None:
    key = region_codes.astype(np.int64) * n_activities + activity_codes
    if time_codes is not None:
        key = key + time_codes.astype(np.int64) * (n_regions * n_activities)
    if key.max() < 2**28:  # a counting pass is far cheaper than sorting millions of keys
        has_duplicates = bool(np.bincount(key).max() > 1)
    else:
        has_duplicates = len(np.unique(key)) < len(key)
    if has_duplicates:
        duplicated = frame.duplicated(subset=keys, keep=False).to_numpy()
        raise InvalidInputError(
            f"Duplicate keys {keys} in {_rows(frame, duplicated, keys)}. "
            "Aggregate first (e.g. df.groupby(keys, as_index=False).sum()) or drop repeats."
        )
