"""Eurostat data: bulk TSV and SDMX-CSV files as tidy observation frames, and cached downloads.

Both readers stream: they yield pandas DataFrames of at most ``chunk_rows`` observations
with the columns of the tidy observation contract (``region, activity, time, measure,
value, flag, line, column``), so memory stays bounded for files of any size. The work
per value is vectorised (pyarrow's CSV reader and compute kernels, numpy); there is no
Python loop per value or per line.

Every problem in a file raises an :class:`~clusterix.errors.InvalidInputError` that names
the file, the 1-based line and the column, and says what to do.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from clusterix._validation import check_number, check_option, parameter_error
from clusterix.config import cache_dir
from clusterix.errors import DataSourceError, InvalidInputError
from clusterix.ingest.downloads import RemoteFile, fetch

__all__ = [
    "ACTIVITY_DIMENSIONS",
    "EUROSTAT_API",
    "TIDY_COLUMNS",
    "eurostat_dimensions",
    "eurostat_structure",
    "eurostat_url",
    "fetch_eurostat",
    "read_eurostat",
    "read_eurostat_tsv",
    "read_sdmx_csv",
]

EUROSTAT_API = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1"
"""Base URL of Eurostat's public SDMX 2.1 dissemination API."""

TIDY_COLUMNS = ("region", "activity", "time", "measure", "value", "flag", "line", "column")
"""The columns of every frame the readers yield, in this order."""

ACTIVITY_DIMENSIONS = (
    "nace_r2",
    "nace_r1",
    "cpa2_1",
    "cpa2008",
    "sitc06",
    "sitc",
    "ipc",
    "fos07",
    "fos",
    "isced11",
)
"""Classification dimensions tried, in this order, when ``activity_dimension="auto"``."""

_REGION_DIMENSION = "geo"
_GZIP_MAGIC = b"\x1f\x8b"
_HINT = "Eurostat values look like '12.3 p' or ':'"
_DEFAULT_CHUNK = 500_000
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
# A TSV cell: a number or ':' (missing), then optional flag letters, spaces anywhere around.
_TSV_CELL = rf"^\s*(?P<number>:|{_NUMBER})\s*(?P<flag>[a-z]*)\s*$"
_SDMX_NUMBER = rf"^\s*{_NUMBER}\s*$"
_SDMX_MISSING = ("", ":", "NaN")
_SDMX_STRUCTURE = ("DATAFLOW", "LAST UPDATE", "STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION")
_SDMX_FLAGS = ("OBS_FLAG", "OBS_STATUS")
_SDMX_CONFIDENTIALITY = "CONF_STATUS"
_CONFIDENTIAL_FREE = ("", "F")  # CONF_STATUS 'F' is "free"; any other status is confidential: flag 'c'
_CODE = re.compile(r"^[A-Za-z0-9_\-]+$")
_DATASET = re.compile(r"^[A-Za-z0-9_\-$]+$")

# Time periods as Eurostat writes them (bulk files: 2019Q1, 2019M03; API: 2019-Q1, 2019-03),
# normalised to the API notation of the tidy contract.
_PERIODS = (
    (re.compile(r"^(\d{4})(?:-A1)?$"), "{0}"),
    (re.compile(r"^(\d{4})-?S([12])$"), "{0}-S{1}"),
    (re.compile(r"^(\d{4})-?Q([1-4])$"), "{0}-Q{1}"),
    (re.compile(r"^(\d{4})(?:M|-M?)(0[1-9]|1[0-2])$"), "{0}-{1}"),
    (re.compile(r"^(\d{4})-?W(0[1-9]|[1-4]\d|5[0-3])$"), "{0}-W{1}"),
    (re.compile(r"^(\d{4})-?D(\d{3})$"), "{0}-D{1}"),
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"), "{0}-{1}-{2}"),
)


def _normalise_period(label: str) -> str | None:
    for pattern, template in _PERIODS:
        match = pattern.match(label)
        if match:
            return template.format(*match.groups())
    return None


# --------------------------------------------------------------------------------------
# Files: compression, header line, error messages
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """A file to read: its path, text encoding and whether it is gzip-compressed."""

    path: Path
    encoding: str
    compressed: bool

    @classmethod
    def open(cls, path: str | Path, encoding: str) -> _Source:
        path = Path(path)
        if not path.is_file():
            raise DataSourceError(f"No such input file: {path}")
        try:
            with open(path, "rb") as handle:
                compressed = handle.read(2) == _GZIP_MAGIC
        except OSError as error:
            raise DataSourceError(f"Cannot read {path}: {error}") from error
        return cls(path, encoding, compressed)

    def binary(self):
        return gzip.open(self.path, "rb") if self.compressed else open(self.path, "rb")

    def arrow_stream(self) -> pa.NativeFile:
        return pa.input_stream(str(self.path), compression="gzip" if self.compressed else None)

    def error(self, line: int, column: str | int, message: str) -> InvalidInputError:
        where = f"column {column}" if isinstance(column, int) else f"column '{column}'"
        return InvalidInputError(f"{self.path}, line {line}, {where}: {message}")


def _header(source: _Source) -> tuple[str, float | None]:
    """The first line of the file (decoded) and the average length in bytes of the next lines."""
    with source.binary() as handle:
        try:
            raw = handle.readline(1 << 26)
        except (OSError, EOFError) as error:
            raise DataSourceError(
                f"{source.path}, line 1, column 1: cannot read the file ({error}); if it was "
                "downloaded, the download may be truncated: download it again."
            ) from error
        try:
            sample = handle.read(1 << 20)
        except (OSError, EOFError):  # reported with its line when the data are read
            sample = b""
    if not raw.strip():
        raise source.error(
            1,
            1,
            "the file is empty; expected a Eurostat header line such as "
            "'freq,unit,nace_r2,geo\\TIME_PERIOD<TAB>2019 <TAB>2020 '.",
        )
    try:
        text = raw.decode(source.encoding)
    except UnicodeDecodeError as error:
        raise _decode_error(source, 1, raw, error) from error
    lines = sample.count(b"\n")
    average = sample.rfind(b"\n") / lines if lines else None
    return text.lstrip("\ufeff").rstrip("\r\n"), average


def _decode_error(
    source: _Source,
    line: int,
    raw: bytes,
    error: UnicodeDecodeError,
    names: Sequence[str] = (),
    separator: str = "\t",
) -> InvalidInputError:
    before = raw[: error.start].decode(source.encoding, "replace")
    position = before.count("\t") if separator == "\t" else len(next(csv.reader([before]), [""])) - 1
    column: str | int = names[position].strip() if position < len(names) else position + 1
    bad = raw[error.start : error.start + 1]
    return source.error(
        line,
        column,
        f"byte {error.start + 1} of the line (0x{bad.hex()}) is not valid {source.encoding}; the file is "
        "probably Latin-1 or Windows-1252 encoded: pass encoding='latin-1' (or 'cp1252').",
    )


def _locate_bad_line(source: _Source, expected_fields: int, *, separator: str) -> InvalidInputError | None:
    """Find the first line that cannot be decoded or has the wrong number of fields (slow path)."""
    try:
        return _scan_lines(source, expected_fields, separator)
    except (OSError, EOFError):  # a damaged compressed stream: reported by the caller
        return None


def _scan_lines(source: _Source, expected_fields: int, separator: str) -> InvalidInputError | None:
    names: list[str] = []
    with source.binary() as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode(source.encoding)
            except UnicodeDecodeError as error:
                return _decode_error(source, number, raw, error, names, separator)
            if number == 1:
                header = text.lstrip("\ufeff").rstrip("\r\n")
                cells = header.split("\t") if separator == "\t" else next(csv.reader([header]))
                # SDMX-CSV with labels=both names its columns 'geo: Geopolitical entity'.
                names = [cell.split(":", 1)[0] if separator == "," else cell for cell in cells]
                names = [name.strip() for name in names]
                continue
            text = text.rstrip("\r\n")
            if not text.strip():
                continue
            fields = text.split("\t") if separator == "\t" else next(csv.reader([text]))
            if len(fields) < expected_fields:
                missing = names[len(fields)] if len(fields) < len(names) else len(fields) + 1
                return source.error(
                    number,
                    missing,
                    f"the line has {len(fields)} of the {expected_fields} fields of the header "
                    "(a truncated file?); download the file again.",
                )
            if len(fields) > expected_fields:
                return source.error(
                    number,
                    expected_fields + 1,
                    f"the line has {len(fields)} fields but the header has {expected_fields}; "
                    "check the separators of this line.",
                )
    return None


def _record_batches(
    source: _Source,
    names: list[str],
    *,
    separator: str,
    block_size: int,
    include: list[str] | None = None,
) -> Iterator[tuple[int, pa.RecordBatch]]:
    """(first line, batch) of the file's data lines, all columns as text; errors translated."""
    read_options = pcsv.ReadOptions(
        use_threads=True,
        block_size=block_size,
        skip_rows=1,
        column_names=names,
        encoding=source.encoding,
    )
    parse_options = pcsv.ParseOptions(
        delimiter=separator,
        quote_char='"' if separator == "," else False,
        ignore_empty_lines=False,
    )
    convert_options = pcsv.ConvertOptions(
        column_types={name: pa.string() for name in names},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
        include_columns=include,
    )
    line = 2
    stream = source.arrow_stream()
    try:
        try:
            reader = pcsv.open_csv(stream, read_options, parse_options, convert_options)
        except (pa.ArrowInvalid, OSError) as error:
            raise _translate(source, error, len(names), separator, line) from error
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except (pa.ArrowInvalid, OSError) as error:
                raise _translate(source, error, len(names), separator, line) from error
            if batch.num_rows:
                yield line, batch
                line += batch.num_rows
    finally:
        stream.close()


def _translate(source: _Source, error: Exception, fields: int, separator: str, line: int) -> Exception:
    message = str(error)
    if isinstance(error, pa.ArrowInvalid):
        located = _locate_bad_line(source, fields, separator=separator)
        if located is not None:
            return located
        return source.error(line, 1, f"cannot be read ({message}).")
    if source.compressed:
        return DataSourceError(
            f"{source.path}, line {line} or later, column 1: the compressed file is damaged or "
            f"truncated ({message}); download it again."
        )
    return DataSourceError(f"{source.path}, line {line}, column 1: cannot read the file ({message}).")


def _lines_per_chunk(chunk_rows: int, values_per_line: int) -> int:
    return max(1, chunk_rows // max(1, values_per_line))


def _block_size(average_line: float | None, lines: int) -> int:
    estimate = int((average_line or 200) * lines * 0.97)
    return min(max(estimate, 1 << 16), 1 << 28)


def _chunks(batches: Iterator[tuple[int, pa.RecordBatch]], lines: int) -> Iterator[tuple[int, pa.RecordBatch]]:
    for first_line, batch in batches:
        for start in range(0, batch.num_rows, lines):
            yield first_line + start, batch.slice(start, lines)


# --------------------------------------------------------------------------------------
# Vectorised helpers
# --------------------------------------------------------------------------------------


def _raw_offsets(array: pa.Array) -> np.ndarray:
    """The offsets of a (possibly sliced) string or list array, as stored."""
    if pa.types.is_list(array.type) or pa.types.is_large_list(array.type):
        return array.offsets.to_numpy()
    dtype = np.int64 if pa.types.is_large_string(array.type) else np.int32
    buffer = array.buffers()[1]
    if buffer is None:
        return np.zeros(len(array) + 1, dtype=dtype)
    return np.frombuffer(buffer, dtype=dtype)[array.offset : array.offset + len(array) + 1]


def _offsets(array: pa.Array) -> np.ndarray:
    """Offsets of a string or list array as int64, starting at 0 for its first element."""
    offsets = _raw_offsets(array).astype(np.int64)
    return offsets - offsets[0]


def _data(strings: pa.Array) -> np.ndarray:
    """The bytes of a string array, from its first string to its last."""
    buffer = strings.buffers()[2]
    offsets = _raw_offsets(strings)
    if buffer is None or len(offsets) == 0:
        return np.empty(0, dtype=np.uint8)
    return np.frombuffer(buffer, dtype=np.uint8)[int(offsets[0]) : int(offsets[-1])]


def _hash_strings(strings: pa.Array) -> np.ndarray:
    """A 64-bit polynomial hash of every (non-empty) string, computed with numpy on the bytes."""
    offsets = _offsets(strings)
    lengths = np.diff(offsets)
    data = _data(strings).astype(np.uint64) + np.uint64(1)
    powers = np.cumprod(np.full(int(lengths.max()), 0x100000001B3, dtype=np.uint64))
    position = np.arange(len(data), dtype=np.int64) - np.repeat(offsets[:-1], lengths)
    sums = np.add.reduceat(data * powers[position], offsets[:-1])
    return sums ^ (lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))


class _SeenKeys:
    """Hashes of the keys read so far (8 bytes a key), to catch a key that comes twice."""

    def __init__(self) -> None:
        self._sorted = np.empty(0, dtype=np.uint64)

    def first_repeat(self, hashes: np.ndarray) -> int | None:
        """Position in ``hashes`` of the first one seen before (in this chunk or an earlier one)."""
        order = np.argsort(hashes, kind="stable")
        ordered = hashes[order]
        candidates = []
        same = np.flatnonzero(ordered[1:] == ordered[:-1])
        if same.size:
            candidates.append(int(order[same + 1].min()))
        if self._sorted.size:
            place = np.minimum(np.searchsorted(self._sorted, hashes), self._sorted.size - 1)
            earlier = np.flatnonzero(self._sorted[place] == hashes)
            if earlier.size:
                candidates.append(int(earlier[0]))
        self._sorted = np.sort(np.concatenate([self._sorted, ordered]), kind="stable")
        return min(candidates) if candidates else None


def _first_in_file_order(positions: np.ndarray, lines: int) -> tuple[int, int]:
    """(row, column) of the earliest of column-major ``positions`` in a block of ``lines`` rows."""
    rows, columns = positions % lines, positions // lines
    best = np.lexsort((columns, rows))[0]
    return int(rows[best]), int(columns[best])


def _null_strings(length: int) -> pa.Array:
    return pa.nulls(length, type=pa.large_string())


def _constant(text: str, length: int) -> pa.Array:
    return pa.repeat(pa.scalar(text, pa.large_string()), length)


def _as_frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    """The tidy frame; text columns stay Arrow-backed (pandas ``str`` dtype), so no copy per value."""
    table = pa.table(
        {
            name: (pc.cast(column, pa.large_string()) if isinstance(column, pa.Array) else column)
            for name, column in columns.items()
        }
    )
    return table.to_pandas(split_blocks=True, self_destruct=True)


def _split_tsv_cells(cells: pa.Array) -> tuple[pa.Array, pa.Array] | None:
    """Fast path: number strings (null where ':') and flags (null where none), or None.

    Handles the cells Eurostat writes ('12.3 ', '12.3 p', ': ', ': c', ':', '45'); anything
    else (leading spaces, a flag glued to the number, ...) goes to the careful path of
    :func:`_tsv_values`.
    """
    parts = pc.split_pattern(cells, " ", max_splits=1)
    part_offsets = _offsets(parts)
    counts = np.diff(part_offsets)
    pieces = parts.flatten()
    piece_offsets = _offsets(pieces)
    piece_lengths = np.diff(piece_offsets)
    data = _data(pieces)
    first = part_offsets[:-1]
    if first.size and (piece_lengths[first] == 0).any():
        return None
    starts = piece_offsets[first]
    missing = (piece_lengths[first] == 1) & (data[np.minimum(starts, max(len(data) - 1, 0))] == ord(":"))
    has_flag = counts > 1
    second = np.where(has_flag, first + 1, 0)
    has_flag &= piece_lengths[second] > 0
    numbers = pieces.take(pa.array(first, mask=missing))
    flags = pieces.take(pa.array(second, mask=~has_flag))
    flag_bytes = _data(flags)
    if flag_bytes.size and not ((flag_bytes >= ord("a")) & (flag_bytes <= ord("z"))).all():
        return None
    return numbers, flags


def _numbers(numbers: pa.Array) -> np.ndarray | None:
    """float64 of number strings (null → NaN), or None if one is not a finite number."""
    try:
        values = pc.cast(numbers, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        return None
    present = np.asarray(numbers.is_valid())
    if not np.isfinite(values[present]).all():
        return None
    return values


# --------------------------------------------------------------------------------------
# Bulk TSV
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """Where each part of the tidy frame comes from in a Eurostat file."""

    dimensions: tuple[str, ...]
    region: int
    activity: int | None
    measure: tuple[int, ...]


def _layout(
    source: _Source,
    dimensions: list[str],
    key_column: str | int,
    activity_dimension: str | None,
    expected_dimensions: Sequence[str] | None,
) -> _Layout:
    listed = ", ".join(dimensions)
    if expected_dimensions is not None and set(expected_dimensions) != set(dimensions):
        raise source.error(
            1,
            key_column,
            f"header from a different Eurostat dataset: its dimensions are ({listed}) but "
            f"({', '.join(expected_dimensions)}) were expected; check that the file is the dataset "
            "you asked for.",
        )
    if _REGION_DIMENSION not in dimensions:
        raise source.error(
            1,
            key_column,
            f"the dataset has no '{_REGION_DIMENSION}' dimension (it has {listed}), so its "
            "observations have no region.",
        )
    if activity_dimension == "auto":
        activity_dimension = next((d for d in ACTIVITY_DIMENSIONS if d in dimensions), None)
    elif activity_dimension is not None and activity_dimension not in dimensions:
        raise source.error(
            1,
            key_column,
            f"activity_dimension={activity_dimension!r} is not a dimension of this dataset; it has "
            f"{listed} (or pass activity_dimension=None).",
        )
    region = dimensions.index(_REGION_DIMENSION)
    activity = None if activity_dimension is None else dimensions.index(activity_dimension)
    measure = tuple(i for i in range(len(dimensions)) if i not in (region, activity))
    return _Layout(tuple(dimensions), region, activity, measure)


@dataclass(frozen=True)
class _TsvHeader:
    key_column: str
    dimensions: list[str]
    columns: list[str]
    periods: list[str]


def _parse_tsv_header(source: _Source, text: str) -> _TsvHeader:
    cells = text.split("\t")
    first = cells[0]
    if len(cells) == 1:
        separator = "semicolon" if first.count(";") > first.count(",") else "comma"
        raise source.error(
            1,
            1,
            f"the header has no tab; the file looks {separator}-separated. A Eurostat TSV file "
            "separates its columns with tabs (header like 'freq,unit,geo\\TIME_PERIOD<TAB>2019 ...'); "
            "for SDMX-CSV use read_sdmx_csv (--format sdmx-csv).",
        )
    if "\\" not in first:
        raise source.error(
            1,
            first.strip(),
            "this is not a Eurostat TSV header: the first column should name the dimensions "
            "and the time dimension, like 'freq,unit,nace_r2,geo\\TIME_PERIOD' (or '...geo\\time').",
        )
    names, column_dimension = first.rsplit("\\", 1)
    if column_dimension.strip().lower() not in ("time_period", "time"):
        raise source.error(
            1,
            first.strip(),
            f"the columns of this file are {column_dimension.strip()!r}, not time periods "
            "('\\TIME_PERIOD' or '\\time'); only time-series layouts are supported.",
        )
    dimensions = [name.strip() for name in names.split(",")]
    if not all(dimensions) or len(set(dimensions)) != len(dimensions):
        raise source.error(1, first.strip(), f"the dimension names {dimensions} must be non-empty and distinct.")
    columns = [cell.strip() for cell in cells[1:]]
    periods = []
    for column in columns:
        period = _normalise_period(column)
        if period is None:
            raise source.error(
                1,
                column,
                f"{column!r} is not a Eurostat time period (such as 2019, 2019-Q1, 2019Q1, "
                "2019-03, 2019M03, 2019-S1, 2019-W05 or 2019-03-31).",
            )
        if period in periods:
            raise source.error(1, column, f"the period {period} appears twice in the header.")
        periods.append(period)
    return _TsvHeader(first, dimensions, columns, periods)


def read_eurostat_tsv(
    path: str | Path,
    *,
    activity_dimension: str | None = "auto",
    expected_dimensions: Sequence[str] | None = None,
    allow_negative: bool = False,
    encoding: str = "utf-8",
    chunk_rows: int = _DEFAULT_CHUNK,
) -> Iterator[pd.DataFrame]:
    """Stream a Eurostat TSV file (bulk download or API ``format=TSV``, optionally gzipped).

    The header line names the dimensions, then the time periods, e.g.
    ``freq,unit,nace_r2,geo\\TIME_PERIOD<TAB>2019 <TAB>2020 `` (older bulk files:
    ``unit,nace_r2,geo\\time``). Each data line holds one series: its comma-separated
    codes, then one cell per period, a number and optional flag letters (``12.3 p``,
    ``45 e``) or ``:`` for a missing value (``: c`` when confidential).

    Parameters
    ----------
    path : str or Path
        The file; gzip compression is detected from its content, not its name.
    activity_dimension : str or None, default "auto"
        The dimension that becomes ``activity``: "auto" takes the first of
        :data:`ACTIVITY_DIMENSIONS` in the file; None leaves ``activity`` empty ('').
    expected_dimensions : sequence of str, optional
        The dimensions the dataset should have (any order); a file with others raises.
    allow_negative : bool, default False
        Negative values raise unless True (counts such as employment, firms or projects
        cannot be negative; growth rates and balances can).
    encoding : str, default "utf-8"
        Text encoding of the file (e.g. "latin-1" for old hand-saved files).
    chunk_rows : int, default 500,000
        Largest number of observations per yielded frame (at least one line's worth).

    Returns
    -------
    iterator of pandas.DataFrame
        Frames with the columns :data:`TIDY_COLUMNS`: ``region`` (the ``geo`` code),
        ``activity``, ``time`` ('2019', '2019-Q1', '2019-03', ...), ``measure`` (the other
        dimensions, 'freq=A;unit=NR'), ``value`` (float, NaN when missing), ``flag`` (the
        flag letters, missing when none: pandas ``str`` dtype), ``line`` (1-based line in
        the file) and ``column`` (the header cell of the period, e.g. '2019Q1'). Rows are
        in file order, line by line. The header is checked when this is called; the data
        as it is read.

    Raises
    ------
    InvalidInputError
        Naming the file, line and column: an empty file, a file without tabs (comma- or
        semicolon-separated), a header that is not a Eurostat TSV header or is from another
        dataset than ``expected_dimensions``, a line with too few or too many fields (a
        truncated file), a series key with the wrong number of codes, a value that is not
        a number, a negative value, text that is not valid in ``encoding``, or a series
        key that comes twice.
    DataSourceError
        The file is missing or its compressed stream is damaged.

    Notes
    -----
    Duplicates are caught across the whole file from a 64-bit hash of each series key
    (8 bytes per line are kept; a hash match is confirmed on the text before raising).
    """
    _check_options(activity_dimension, expected_dimensions, chunk_rows, "read_eurostat_tsv")
    source = _Source.open(path, encoding)
    text, average_line = _header(source)
    header = _parse_tsv_header(source, text)
    layout = _layout(source, header.dimensions, header.key_column, activity_dimension, expected_dimensions)
    lines = _lines_per_chunk(chunk_rows, len(header.columns))
    return _read_tsv(source, header, layout, lines, _block_size(average_line, lines), allow_negative)


def _check_options(activity_dimension: Any, expected_dimensions: Any, chunk_rows: Any, function: str) -> None:
    check_number(chunk_rows, name="chunk_rows", function=function, low=1, integer=True)
    if activity_dimension is not None and not isinstance(activity_dimension, str):
        raise parameter_error("activity_dimension", function, "'auto', a dimension name or None", activity_dimension)
    if expected_dimensions is not None and (
        isinstance(expected_dimensions, str) or not all(isinstance(name, str) for name in expected_dimensions)
    ):
        raise parameter_error(
            "expected_dimensions", function, "a sequence of dimension names or None", expected_dimensions
        )


def _read_tsv(
    source: _Source,
    header: _TsvHeader,
    layout: _Layout,
    lines: int,
    block_size: int,
    allow_negative: bool,
) -> Iterator[pd.DataFrame]:
    names = [f"f{i}" for i in range(len(header.columns) + 1)]
    seen = _SeenKeys()
    periods = pa.array(header.periods, pa.large_string())
    columns = pa.array(header.columns, pa.large_string())
    any_data = False
    batches = _record_batches(source, names, separator="\t", block_size=block_size)
    for first_line, batch in _chunks(batches, lines):
        frame = _tsv_frame(source, header, layout, batch, first_line, seen, periods, columns, allow_negative)
        if frame is not None:
            any_data = True
            yield frame
    if not any_data:
        raise source.error(2, header.key_column, "the file has a header but no data lines.")


def _tsv_frame(
    source: _Source,
    header: _TsvHeader,
    layout: _Layout,
    batch: pa.RecordBatch,
    first_line: int,
    seen: _SeenKeys,
    periods: pa.Array,
    columns: pa.Array,
    allow_negative: bool,
) -> pd.DataFrame | None:
    keys = batch.column(0)
    line_numbers = first_line + np.arange(batch.num_rows, dtype=np.int64)
    blank = np.asarray(pc.equal(pc.binary_length(keys), 0))
    if blank.any():
        for position, cells in enumerate(batch.columns[1:]):
            filled = blank & np.asarray(pc.greater(pc.binary_length(cells), 0))
            if filled.any():
                row = int(np.flatnonzero(filled)[0])
                raise source.error(
                    int(line_numbers[row]),
                    header.key_column,
                    f"the line has no series key but a value {cells[row].as_py()!r} in column "
                    f"{header.columns[position]!r}.",
                )
        keep = pa.array(~blank)
        batch, keys, line_numbers = batch.filter(keep), keys.filter(keep), line_numbers[~blank]
        if batch.num_rows == 0:
            return None
    rows = batch.num_rows
    dimension_count = len(layout.dimensions)
    parts = pc.split_pattern(keys, ",")
    codes = pieces = parts.flatten()
    starts = _offsets(parts)
    counts = np.diff(starts)
    code_lengths = np.diff(_offsets(pieces))
    wrong = np.flatnonzero(counts != dimension_count)
    if wrong.size == 0:
        empty = np.flatnonzero(code_lengths == 0)
        wrong = np.unique(empty // dimension_count)
    if wrong.size:
        row = int(wrong[0])
        raise source.error(
            int(line_numbers[row]),
            header.key_column,
            f"the series key {keys[row].as_py()!r} should have {dimension_count} non-empty codes, "
            f"one for each of {', '.join(layout.dimensions)}.",
        )
    _check_repeats(source, seen, keys, line_numbers, header.key_column, _tsv_key_lines)
    dimension = [codes.take(pa.array(starts[:-1] + k)) for k in range(dimension_count)]

    cells = pa.concat_arrays(list(batch.columns[1:]))
    values, flags = _tsv_values(source, header, cells, rows, line_numbers)
    _check_negative(source, values, rows, line_numbers, header.columns, cells, allow_negative)

    period_count = len(header.columns)
    # Column-major (period by period) to row-major (line by line, as in the file).
    order = (np.arange(period_count)[None, :] * rows + np.arange(rows)[:, None]).ravel()
    repeat = pa.array(np.repeat(np.arange(rows), period_count))
    period_index = pa.array(np.tile(np.arange(period_count), rows))
    flags = flags.take(pa.array(order)) if flags.null_count < len(flags) else _null_strings(len(order))
    return _as_frame(
        {
            "region": dimension[layout.region].take(repeat),
            "activity": (
                _constant("", len(order)) if layout.activity is None else dimension[layout.activity].take(repeat)
            ),
            "time": periods.take(period_index),
            "measure": _measure(layout, dimension).take(repeat),
            "value": values[order],
            "flag": flags,
            "line": np.repeat(line_numbers, period_count),
            "column": columns.take(period_index),
        }
    )


def _measure(layout: _Layout, dimension: list[pa.Array]) -> pa.Array:
    """'freq=A;unit=NR' per series from the dimensions that are neither region nor activity."""
    length = len(dimension[0])
    if not layout.measure:
        return _constant("", length)
    pieces: list[Any] = []
    for k in layout.measure:
        pieces += [pa.scalar(f"{layout.dimensions[k]}=", pa.string()), dimension[k]]
    named = [pc.binary_join_element_wise(pieces[i], pieces[i + 1], "") for i in range(0, len(pieces), 2)]
    return pc.binary_join_element_wise(*named, ";") if len(named) > 1 else named[0]


def _tsv_values(
    source: _Source,
    header: _TsvHeader,
    cells: pa.Array,
    rows: int,
    line_numbers: np.ndarray,
) -> tuple[np.ndarray, pa.Array]:
    split = _split_tsv_cells(cells)
    values = None if split is None else _numbers(split[0])
    if values is not None:
        return values, split[1]
    parsed = pc.extract_regex(cells, _TSV_CELL)
    unmatched = np.flatnonzero(np.asarray(parsed.is_null()))
    if unmatched.size:
        row, column = _first_in_file_order(unmatched, rows)
        cell = cells[column * rows + row].as_py()
        what = "empty; Eurostat marks a missing value with ':'" if not cell.strip() else "not a number"
        raise source.error(int(line_numbers[row]), header.columns[column], f"value {cell!r} is {what}; {_HINT}.")
    numbers = parsed.field("number")
    numbers = pc.if_else(pc.equal(numbers, ":"), pa.scalar(None, pa.string()), numbers)
    flags = parsed.field("flag")
    flags = pc.if_else(pc.equal(flags, ""), pa.scalar(None, pa.string()), flags)
    return pc.cast(numbers, pa.float64()).to_numpy(zero_copy_only=False), flags


def _check_negative(
    source: _Source,
    values: np.ndarray,
    rows: int,
    line_numbers: np.ndarray,
    columns: Sequence[str],
    cells: pa.Array,
    allow_negative: bool,
) -> None:
    if allow_negative:
        return
    negative = np.flatnonzero(values < 0)
    if negative.size:
        row, column = _first_in_file_order(negative, rows)
        raise source.error(
            int(line_numbers[row]),
            columns[column],
            f"value {cells[column * rows + row].as_py()!r} is negative; counts such as employment, "
            "firms or projects cannot be negative (pass allow_negative=True for rates or balances).",
        )


def _check_repeats(
    source: _Source,
    seen: _SeenKeys,
    keys: pa.Array,
    line_numbers: np.ndarray,
    column: str,
    key_lines: Callable[[_Source, str, int], list[int]],
) -> None:
    repeat = seen.first_repeat(_hash_strings(keys))
    if repeat is None:
        return
    key = keys[repeat].as_py()
    found = key_lines(source, key, int(line_numbers[repeat]))
    if len(found) >= 2:  # else a hash collision: two different keys
        shown = key.replace("\x1f", ", ")
        raise source.error(
            found[1],
            column,
            f"the key ({shown}) repeats line {found[0]}; each series and period must come once "
            "(remove or aggregate the repeated lines).",
        )


def _tsv_key_lines(source: _Source, key: str, until: int) -> list[int]:
    """Lines up to ``until`` whose series key is ``key`` (slow path, to confirm a repeat)."""
    found = []
    with source.binary() as handle:
        next(handle, None)
        for number, raw in enumerate(handle, start=2):
            if number > until:
                break
            if raw.split(b"\t", 1)[0].decode(source.encoding, "replace") == key:
                found.append(number)
    return found


# --------------------------------------------------------------------------------------
# SDMX-CSV
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SdmxHeader:
    names: list[str]  # the header cells, codes only
    dimensions: list[str]
    dimension_positions: list[int]
    time: int
    value: int
    flag: int | None
    confidentiality: int | None
    labelled_values: bool  # labels=both: cells such as 'DE: Germany'


def _parse_sdmx_header(source: _Source, text: str) -> _SdmxHeader:
    cells = next(csv.reader([text]))
    codes = [cell.split(":", 1)[0].strip() for cell in cells]
    if "TIME_PERIOD" not in codes or "OBS_VALUE" not in codes:
        if "\t" in text:
            hint = "the file is tab-separated: read it with read_eurostat_tsv (--format tsv)"
        elif ";" in text and "," not in text:
            hint = "the file is semicolon-separated; SDMX-CSV separates columns with commas"
        else:
            hint = "is this an SDMX-CSV file from Eurostat (format=SDMX-CSV)?"
        raise source.error(1, cells[0].strip() or 1, f"the header has no TIME_PERIOD and OBS_VALUE columns; {hint}.")
    start = 0
    while start < len(codes) and codes[start] in _SDMX_STRUCTURE:
        start += 1
    step = 2 if "STRUCTURE_NAME" in codes[:start] else 1  # labels=name: a label column after each
    components = list(range(start, len(codes), step))
    named = {codes[i]: i for i in components}
    if "TIME_PERIOD" not in named or "OBS_VALUE" not in named:
        raise source.error(1, "TIME_PERIOD", "cannot tell the code columns from the label columns in this header.")
    time = named["TIME_PERIOD"]
    positions = [i for i in components if i < time]
    dimensions = [codes[i] for i in positions]
    if not dimensions or len(set(dimensions)) != len(dimensions):
        raise source.error(1, "TIME_PERIOD", f"the dimension columns {dimensions} must be present and distinct.")
    flag = next((named[name] for name in _SDMX_FLAGS if name in named), None)
    return _SdmxHeader(
        codes,
        dimensions,
        positions,
        time,
        named["OBS_VALUE"],
        flag,
        named.get(_SDMX_CONFIDENTIALITY),
        any(":" in cell for cell in cells),
    )


def read_sdmx_csv(
    path: str | Path,
    *,
    activity_dimension: str | None = "auto",
    expected_dimensions: Sequence[str] | None = None,
    allow_negative: bool = False,
    encoding: str = "utf-8",
    chunk_rows: int = _DEFAULT_CHUNK,
) -> Iterator[pd.DataFrame]:
    """Stream a Eurostat SDMX-CSV file (1.0 or 2.0, optionally gzipped) as tidy frames.

    SDMX-CSV 1.0 (API ``format=SDMX-CSV``) has the columns ``DATAFLOW, LAST UPDATE``,
    the dimensions, ``TIME_PERIOD, OBS_VALUE, OBS_FLAG``; SDMX-CSV 2.0 starts with
    ``STRUCTURE, STRUCTURE_ID`` (and ``STRUCTURE_NAME``/``ACTION``), may add
    ``CONF_STATUS``, and may carry labels: a label column after each code column
    (``labels=name``) or ``code: label`` cells (``labels=both``). All give the same
    tidy frame as :func:`read_eurostat_tsv`; ``column`` is 'OBS_VALUE', an empty or ':'
    value is missing (NaN), and a confidential ``CONF_STATUS`` adds the flag 'c', as in
    the TSV files.

    Parameters and errors are those of :func:`read_eurostat_tsv`; the key that must not
    repeat is the dimensions plus ``TIME_PERIOD``.
    """
    _check_options(activity_dimension, expected_dimensions, chunk_rows, "read_sdmx_csv")
    source = _Source.open(path, encoding)
    text, average_line = _header(source)
    header = _parse_sdmx_header(source, text)
    first_dimension = header.names[header.dimension_positions[0]]
    layout = _layout(source, header.dimensions, first_dimension, activity_dimension, expected_dimensions)
    block_size = _block_size(average_line, chunk_rows)
    return _read_sdmx(source, header, layout, chunk_rows, block_size, allow_negative)


def _names(header: _SdmxHeader) -> list[str]:
    return [f"f{i}" for i in range(len(header.names))]


def _used(header: _SdmxHeader) -> list[str]:
    """The columns read: dimensions, time, value and flags (labels and structure are skipped)."""
    positions = [*header.dimension_positions, header.time, header.value]
    positions += [i for i in (header.flag, header.confidentiality) if i is not None]
    return [f"f{i}" for i in sorted(positions)]


def _read_sdmx(
    source: _Source,
    header: _SdmxHeader,
    layout: _Layout,
    lines: int,
    block_size: int,
    allow_negative: bool,
) -> Iterator[pd.DataFrame]:
    seen = _SeenKeys()
    any_data = False
    batches = _record_batches(source, _names(header), separator=",", block_size=block_size, include=_used(header))
    for first_line, batch in _chunks(batches, lines):
        frame = _sdmx_frame(source, header, layout, batch, first_line, seen, allow_negative)
        if frame is not None:
            any_data = True
            yield frame
    if not any_data:
        raise source.error(2, "OBS_VALUE", "the file has a header but no observations.")


def _code(cells: pa.Array, labelled: bool) -> pa.Array:
    """The code of each cell: 'DE: Germany' → 'DE' when the file carries labels."""
    if labelled:
        cells = pc.list_element(pc.split_pattern(cells, ":", max_splits=1), 0)
    return pc.utf8_trim_whitespace(cells)


def _column(batch: pa.RecordBatch, position: int) -> pa.Array:
    return batch.column(f"f{position}")


def _sdmx_keys(
    source: _Source, header: _SdmxHeader, batch: pa.RecordBatch, line_numbers: np.ndarray
) -> tuple[pa.Array, tuple[list[pa.Array], pa.Array]]:
    """Observation keys (dimension codes and period joined by U+001F), codes and periods."""
    labelled = header.labelled_values
    dimension = [_code(_column(batch, i), labelled) for i in header.dimension_positions]
    time_codes = _code(_column(batch, header.time), labelled)
    for k, codes in enumerate([*dimension, time_codes]):
        empty = np.flatnonzero(np.asarray(pc.equal(pc.binary_length(codes), 0)))
        if empty.size:
            name = header.dimensions[k] if k < len(dimension) else "TIME_PERIOD"
            raise source.error(int(line_numbers[empty[0]]), name, "the code is empty.")
    times = _sdmx_periods(source, time_codes, line_numbers)
    return pc.binary_join_element_wise(*dimension, times, "\x1f"), (dimension, times)


def _sdmx_frame(
    source: _Source,
    header: _SdmxHeader,
    layout: _Layout,
    batch: pa.RecordBatch,
    first_line: int,
    seen: _SeenKeys,
    allow_negative: bool,
) -> pd.DataFrame | None:
    line_numbers = first_line + np.arange(batch.num_rows, dtype=np.int64)
    blank = np.ones(batch.num_rows, dtype=bool)
    for cells in batch.columns:
        blank &= np.asarray(pc.equal(pc.binary_length(cells), 0))
    if blank.any():
        keep = pa.array(~blank)
        batch, line_numbers = batch.filter(keep), line_numbers[~blank]
        if batch.num_rows == 0:
            return None
    keys, (dimension, times) = _sdmx_keys(source, header, batch, line_numbers)
    _check_repeats(source, seen, keys, line_numbers, "TIME_PERIOD", _sdmx_key_lines(header))

    raw_values = pc.utf8_trim_whitespace(_column(batch, header.value))
    missing = pc.is_in(raw_values, value_set=pa.array(_SDMX_MISSING))
    values = _numbers(pc.if_else(missing, pa.scalar(None, pa.string()), raw_values))
    if values is None:
        valid = np.asarray(pc.match_substring_regex(raw_values, _SDMX_NUMBER)) | np.asarray(missing)
        row = int(np.flatnonzero(~valid)[0])
        raise source.error(
            int(line_numbers[row]),
            "OBS_VALUE",
            f"value {raw_values[row].as_py()!r} is not a number; SDMX-CSV values look like '12.3', "
            "with '' for a missing value.",
        )
    _check_negative(source, values, len(values), line_numbers, ["OBS_VALUE"], raw_values, allow_negative)
    length = len(values)
    return _as_frame(
        {
            "region": dimension[layout.region],
            "activity": _constant("", length) if layout.activity is None else dimension[layout.activity],
            "time": times,
            "measure": _measure(layout, dimension),
            "value": values,
            "flag": _sdmx_flags(header, batch),
            "line": line_numbers,
            "column": _constant("OBS_VALUE", length),
        }
    )


def _sdmx_periods(source: _Source, codes: pa.Array, line_numbers: np.ndarray) -> pa.Array:
    """TIME_PERIOD in the notation of the contract, normalising each distinct period once."""
    distinct = pc.unique(codes)
    normalised = [_normalise_period(period) for period in distinct.to_pylist()]
    if None in normalised:
        bad = distinct[normalised.index(None)].as_py()
        row = int(np.flatnonzero(np.asarray(pc.equal(codes, bad)))[0])
        raise source.error(
            int(line_numbers[row]),
            "TIME_PERIOD",
            f"{bad!r} is not a Eurostat time period (such as 2019, 2019-Q1 or 2019-03).",
        )
    return pa.array(normalised, pa.string()).take(pc.index_in(codes, value_set=distinct))


def _sdmx_flags(header: _SdmxHeader, batch: pa.RecordBatch) -> pa.Array:
    labelled = header.labelled_values
    if header.flag is None:
        flags = pa.repeat(pa.scalar("", pa.string()), batch.num_rows)
    else:
        flags = _code(_column(batch, header.flag), labelled)
    if header.confidentiality is not None:
        status = _code(_column(batch, header.confidentiality), labelled)
        confidential = pc.invert(pc.is_in(status, value_set=pa.array(_CONFIDENTIAL_FREE)))
        add = pc.and_(confidential, pc.invert(pc.match_substring(flags, "c")))
        flags = pc.if_else(add, pc.binary_join_element_wise(flags, "c", ""), flags)
    return pc.if_else(pc.equal(flags, ""), pa.scalar(None, pa.string()), flags)


def _sdmx_key_lines(header: _SdmxHeader) -> Callable[[_Source, str, int], list[int]]:
    def key_lines(source: _Source, key: str, until: int) -> list[int]:
        found: list[int] = []
        batches = _record_batches(source, _names(header), separator=",", block_size=1 << 24, include=_used(header))
        for first_line, batch in batches:
            if first_line > until:
                break
            batch = batch.slice(0, until - first_line + 1)
            keys, _ = _sdmx_keys(source, header, batch, first_line + np.arange(batch.num_rows))
            rows = np.flatnonzero(np.asarray(pc.equal(keys, key)))
            found += [first_line + int(row) for row in rows]
        return found

    return key_lines


# --------------------------------------------------------------------------------------
# Any Eurostat file
# --------------------------------------------------------------------------------------


def eurostat_dimensions(path: str | Path, *, encoding: str = "utf-8") -> tuple[str, ...]:
    """The dimension names of a Eurostat TSV or SDMX-CSV file, in file order, from its header.

    For example ``('freq', 'unit', 'nace_r2', 'geo')`` for a file whose header starts
    with ``freq,unit,nace_r2,geo\\TIME_PERIOD``. Pass them as ``expected_dimensions`` to
    check later releases of the same dataset.
    """
    source = _Source.open(path, encoding)
    text, _ = _header(source)
    if "\t" in text:
        return tuple(_parse_tsv_header(source, text).dimensions)
    return tuple(_parse_sdmx_header(source, text).dimensions)


def read_eurostat(path: str | Path, **options: Any) -> Iterator[pd.DataFrame]:
    """Stream a Eurostat TSV or SDMX-CSV file, choosing the reader from its header line.

    Takes the keyword options of :func:`read_eurostat_tsv` and :func:`read_sdmx_csv`.
    """
    source = _Source.open(path, options.get("encoding", "utf-8"))
    text, _ = _header(source)
    reader = read_eurostat_tsv if "\t" in text else read_sdmx_csv
    return reader(path, **options)


# --------------------------------------------------------------------------------------
# Downloads from the dissemination API
# --------------------------------------------------------------------------------------

_FORMATS = {"tsv": ("TSV", "tsv"), "sdmx-csv": ("SDMX-CSV", "csv")}


def eurostat_url(
    dataset: str,
    *,
    filters: Mapping[str, str | Sequence[str]] | None = None,
    dimensions: Sequence[str] | None = None,
    format: str = "tsv",
    start: str | None = None,
    end: str | None = None,
    base_url: str = EUROSTAT_API,
) -> str:
    """The SDMX 2.1 data-query URL of a Eurostat dataset, optionally filtered (pure function).

    A filter becomes the documented dot-separated *key*: one position per dimension, in
    the dataset's order (``dimensions``), codes of one dimension joined by '+', and an
    empty position for a dimension that is not filtered. ``start``/``end`` become
    ``startPeriod``/``endPeriod``. The response is gzip-compressed.

    Examples
    --------
    >>> eurostat_url("nama_10r_3empers", filters={"geo": ["FR", "DE"], "unit": "THS"},
    ...              dimensions=["freq", "unit", "wstatus", "nace_r2", "geo"], start="2015")
    'https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/nama_10r_3empers/.THS...DE+FR?format=TSV&compressed=true&startPeriod=2015'
    """
    function = "eurostat_url"
    if not isinstance(dataset, str) or not _DATASET.match(dataset):
        raise parameter_error("dataset", function, "a Eurostat dataset code such as 'nama_10r_3empers'", dataset)
    check_option(format, tuple(_FORMATS), name="format", function=function)
    for name, period in (("start", start), ("end", end)):
        if period is not None and (not isinstance(period, str) or _normalise_period(period) is None):
            raise parameter_error(name, function, "a period such as '2015', '2015-Q1' or '2015-03'", period)
    path = f"{base_url.rstrip('/')}/data/{dataset}"
    if filters:
        path += "/" + _key(filters, dimensions, function)
    query = [("format", _FORMATS[format][0]), ("compressed", "true")]
    query += [(name, period) for name, period in (("startPeriod", start), ("endPeriod", end)) if period]
    return f"{path}?{urlencode(query)}"


def _key(filters: Mapping[str, str | Sequence[str]], dimensions: Sequence[str] | None, function: str) -> str:
    if dimensions is None:
        raise parameter_error("dimensions", function, "the dataset's dimensions in order when filters are given", None)
    unknown = [name for name in filters if name not in dimensions]
    if unknown:
        raise parameter_error(
            "filters", function, f"a mapping of the dataset's dimensions ({', '.join(dimensions)})", unknown
        )
    positions = []
    for name in dimensions:
        codes = filters.get(name, ())
        codes = [codes] if isinstance(codes, str) else list(codes)
        bad = [code for code in codes if not isinstance(code, str) or not _CODE.match(code)]
        if bad:
            raise parameter_error("filters", function, f"codes of letters, digits, '_' or '-' for {name!r}", bad)
        positions.append("+".join(quote(code) for code in sorted(set(codes))))
    return ".".join(positions)


def eurostat_structure(
    dataset: str, *, folder: str | Path | None = None, base_url: str = EUROSTAT_API
) -> tuple[str, ...]:
    """The dimensions of a Eurostat dataset in key order, from its data structure definition.

    Downloads (once, cached) ``{base_url}/datastructure/ESTAT/{DATASET}`` and reads the
    ``Dimension`` elements by position; the time dimension is left out.
    """
    if not isinstance(dataset, str) or not _DATASET.match(dataset):
        raise parameter_error(
            "dataset", "eurostat_structure", "a Eurostat dataset code such as 'nama_10r_3empers'", dataset
        )
    url = f"{base_url.rstrip('/')}/datastructure/ESTAT/{dataset.upper()}"
    path = fetch(RemoteFile(f"{dataset.lower()}.dsd.xml", url), folder=_download_folder(folder))
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as error:
        raise DataSourceError(f"The structure of {dataset} from {url} is not valid XML ({error}).") from error
    found = []
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "Dimension" and element.get("id"):
            found.append((int(element.get("position", len(found) + 1)), element.get("id")))
    if not found:
        raise DataSourceError(f"The structure of {dataset} from {url} lists no dimensions.")
    return tuple(name for _, name in sorted(found))


def fetch_eurostat(
    dataset: str,
    *,
    filters: Mapping[str, str | Sequence[str]] | None = None,
    format: str = "tsv",
    start: str | None = None,
    end: str | None = None,
    folder: str | Path | None = None,
    dimensions: Sequence[str] | None = None,
    base_url: str = EUROSTAT_API,
    refresh: bool = False,
) -> Path:
    """Download a Eurostat dataset (or a filtered part of it) once, and return the cached file.

    ``refresh=True`` downloads it again (Eurostat updates datasets in place).

    The file comes from the SDMX 2.1 dissemination API (:func:`eurostat_url`), gzipped,
    through :func:`clusterix.ingest.downloads.fetch` (cache under ``folder``/eurostat,
    SHA-256 recorded at first download, retries). With ``filters`` the dataset's
    dimension order is needed: pass ``dimensions`` or it is read from the dataset's
    structure (:func:`eurostat_structure`, one more small download). Read the result with
    :func:`read_eurostat_tsv` (``format="tsv"``) or :func:`read_sdmx_csv`
    (``format="sdmx-csv"``).

    Raises
    ------
    DataSourceError
        Offline or unreachable after retries, an HTTP error (unknown dataset, too large
        an extraction), or Eurostat queueing the extraction for asynchronous delivery
        instead of sending the data (try again later, or filter more).
    """
    check_option(format, tuple(_FORMATS), name="format", function="fetch_eurostat")
    if filters and dimensions is None:
        dimensions = eurostat_structure(dataset, folder=folder, base_url=base_url)
    url = eurostat_url(
        dataset,
        filters=filters,
        dimensions=dimensions,
        format=format,
        start=start,
        end=end,
        base_url=base_url,
    )
    name = dataset.lower()
    if filters or start or end:
        name += "-" + hashlib.sha256(url.encode()).hexdigest()[:12]
    remote = RemoteFile(f"{name}.{_FORMATS[format][1]}.gz", url)
    return fetch(remote, folder=_download_folder(folder), opener=_data_opener, refresh=refresh)


def _download_folder(folder: str | Path | None) -> Path:
    return cache_dir(folder) / "eurostat"


class _DataResponse:
    """An HTTP response that refuses an XML message (asynchronous delivery) in place of data."""

    def __init__(self, response: Any, url: str) -> None:
        self._response = response
        self._url = url
        self._first = True

    def __enter__(self) -> _DataResponse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._response.close()

    def read(self, size: int = -1) -> bytes:
        block = self._response.read(size)
        if self._first:
            self._first = False
            if block.lstrip()[:1] == b"<":
                message = block + self._response.read(1 << 16)
                raise urllib.error.HTTPError(self._url, 202, _xml_reason(message), None, None)
        return block


def _data_opener(url: str, *, timeout: float) -> _DataResponse:
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except urllib.error.HTTPError as error:
        error.close()  # its status and reason stay readable; the connection is released
        raise
    return _DataResponse(response, url)


def _xml_reason(message: bytes) -> str:
    text = message.decode("utf-8", "replace")
    key = re.search(r"<(?:\w+:)?key>\s*([^<\s]+)\s*<", text)
    if key or "queued" in text.lower() or "SUBMITTED" in text:
        return (
            "Eurostat queued this extraction for asynchronous delivery"
            + (f" (key {key.group(1)})" if key else "")
            + " instead of sending the data; try again in a few minutes, or narrow the filters"
        )
    return f"Eurostat answered with an XML message instead of data: {' '.join(text.split())[:300]!r}"
