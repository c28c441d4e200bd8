"""The Eurostat SDMX-CSV reader (SDMX-CSV 1.0 and 2.0, with or without labels)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from clusterix.ingest.eurostat._arrays import _as_frame, _constant, _numbers, _SeenKeys
from clusterix.ingest.eurostat._files import _block_size, _chunks, _header, _record_batches, _Source
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

__all__ = ["read_sdmx_csv"]


_SDMX_NUMBER = rf"^\s*{_NUMBER}\s*$"
_SDMX_MISSING = ("", ":", "NaN")
_SDMX_STRUCTURE = ("DATAFLOW", "LAST UPDATE", "STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION")
_SDMX_FLAGS = ("OBS_FLAG", "OBS_STATUS")
_SDMX_CONFIDENTIALITY = "CONF_STATUS"
_CONFIDENTIAL_FREE = ("", "F")  # CONF_STATUS 'F' is "free"; any other status is confidential: flag 'c'


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
        if (~valid).any():
            row = int(np.flatnonzero(~valid)[0])
            what = "not a number"
        else:  # every cell looks like a number, so one is too large for a float (1e309)
            parsed = pc.cast(pc.if_else(missing, pa.scalar(None, pa.string()), raw_values), pa.float64())
            finite = np.isfinite(parsed.to_numpy(zero_copy_only=False)) | np.asarray(missing)
            row = int(np.flatnonzero(~finite)[0])
            what = "not a finite number (too large for a float)"
        raise source.error(
            int(line_numbers[row]),
            "OBS_VALUE",
            f"value {raw_values[row].as_py()!r} is {what}; SDMX-CSV values look like '12.3', "
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
