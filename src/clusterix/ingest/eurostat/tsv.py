"""The Eurostat TSV reader (bulk download or API ``format=TSV``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from clusterix.ingest.eurostat._arrays import (
    _as_frame,
    _constant,
    _data,
    _first_in_file_order,
    _null_strings,
    _numbers,
    _offsets,
    _SeenKeys,
)
from clusterix.ingest.eurostat._files import _block_size, _chunks, _header, _lines_per_chunk, _record_batches, _Source
from clusterix.ingest.eurostat._tidy import (
    _DEFAULT_CHUNK,
    _NUMBER,
    _check_negative,
    _check_options,
    _check_repeats,
    _Layout,
    _layout,
    _measure,
    _normalise_period,
)

__all__ = ["read_eurostat_tsv"]


_HINT = "Eurostat values look like '12.3 p' or ':'"

# A TSV cell: a number or ':' (missing), then optional flag letters, spaces anywhere around.
_TSV_CELL = rf"^\s*(?P<number>:|{_NUMBER})\s*(?P<flag>[a-z]*)\s*$"


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
    values = pc.cast(numbers, pa.float64()).to_numpy(zero_copy_only=False)
    infinite = np.flatnonzero(np.isinf(values))  # a number too large for float64, e.g. 1e309
    if infinite.size:
        row, column = _first_in_file_order(infinite, rows)
        cell = cells[column * rows + row].as_py()
        raise source.error(
            int(line_numbers[row]),
            header.columns[column],
            f"value {cell!r} is not a finite number (too large for a float); {_HINT}.",
        )
    return values, flags


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
