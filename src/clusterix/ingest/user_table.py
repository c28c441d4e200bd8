"""User tables (CSV, CSV.gz, TSV, Parquet, Excel) as tidy observation frames, streamed.

:func:`read_user_table` maps the user's columns onto the tidy observation contract
(``region, activity, time, measure, value, flag, line, column``) and yields frames of at
most ``chunk_rows`` rows: a CSV is read with pandas' ``chunksize``, a Parquet file batch by
batch and a workbook row by row (openpyxl's read-only mode), so memory stays bounded for
files of any size. Each chunk is checked as it is read; the first problem raises one
:class:`~clusterix.errors.InvalidInputError` naming the file, the line (CSV, TSV: the line
of the file, header = line 1), the row (Excel: the sheet's row number; Parquet: the 1-based
data row) and the column.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clusterix._validation import check_number, parameter_error
from clusterix.errors import InvalidInputError
from clusterix.tables import TableFile, open_table

__all__ = ["MAX_CODE_LENGTH", "read_user_table"]

MAX_CODE_LENGTH = 200
"""Longest region, activity, time or measure label accepted (a longer one is a broken file)."""

_DEFAULT_CHUNK = 500_000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def read_user_table(
    source: str | Path | TableFile,
    *,
    region: str = "region",
    activity: str = "activity",
    value: str = "value",
    time: str | None = None,
    measure: str | None = None,
    encoding: str = "utf-8",
    sheet: str | int | None = None,
    allow_negative: bool = False,
    chunk_rows: int = _DEFAULT_CHUNK,
) -> Iterator[pd.DataFrame]:
    """Stream a user table as tidy observation frames, checking every row.

    Parameters
    ----------
    source : str, Path or TableFile
        The file (``.csv``, ``.csv.gz``, ``.tsv``, ``.parquet``, ``.xlsx``), or a
        :class:`~clusterix.tables.TableFile` from :func:`~clusterix.tables.open_table`.
    region, activity, value : str
        The columns holding the region code, the activity code and the value.
    time, measure : str, optional
        The columns holding the period and the measure; without them every row is in
        period ``'all'`` and the measure is the value column's name.
    encoding : str, default "utf-8"
        Text encoding of a CSV/TSV file.
    sheet : str or int, optional
        Workbooks: the sheet name or its 0-based index (default: the first sheet).
    allow_negative : bool, default False
        Accept negative values (rates, balances); counts must be >= 0.
    chunk_rows : int, default 500,000
        Largest number of rows per yielded frame.

    Returns
    -------
    iterator of pandas.DataFrame
        Frames with the columns ``region, activity, time, measure, value`` (float; NaN for
        an empty cell), ``flag`` (always missing), ``line`` and ``column`` (the value
        column's name). The columns are checked when this is called; the rows as they are
        read.

    Raises
    ------
    InvalidInputError
        Naming the file, line or row, and column: a missing column; a missing, over-long
        or control-character code; a code column of numbers, booleans or dates (codes are
        text, so leading zeros survive); a value that is not a number, is infinite or NaN
        spelled out (``1e309``, ``inf``, ``nan``), is a boolean or a date, or is negative;
        a file with a header but no rows; plus the file-level errors of
        :func:`~clusterix.tables.open_table` and of a damaged or truncated file.
    DataSourceError
        The file does not exist or cannot be read.
    """
    check_number(chunk_rows, name="chunk_rows", function="read_user_table", low=1, integer=True)
    for name, column in (("region", region), ("activity", activity), ("value", value)):
        if not isinstance(column, str) or not column:
            raise parameter_error(name, "read_user_table", "a column name", column)
    table = source if isinstance(source, TableFile) else open_table(source, encoding=encoding, sheet=sheet)
    mapping = {"region": region, "activity": activity, "time": time, "measure": measure, "value": value}
    wanted = list(dict.fromkeys(c for c in mapping.values() if c is not None))
    columns = _header(table)
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise table.error(
            f"missing column(s) {missing}; it has {columns[:20]}{_separator_hint(table, columns)}. "
            "Name the columns with --region, --activity, --value (--time, --measure)."
        )
    return _tidy_frames(table, mapping, wanted, chunk_rows, allow_negative)


def _separator_hint(table: TableFile, columns: list[str]) -> str:
    if len(columns) != 1 or table.kind not in ("csv", "tsv"):
        return ""
    for separator, name in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe"), (",", "comma")):
        if separator in columns[0]:
            wanted = "comma-separated (.csv)" if table.kind == "csv" else "tab-separated (.tsv)"
            return f" (the file looks {name}-separated; it must be {wanted})"
    return ""


# -- reading raw chunks ---------------------------------------------------------------


def _header(table: TableFile) -> list[str]:
    """The column names of the file (the first row of a sheet)."""
    try:
        if table.kind in ("csv", "tsv"):
            return [str(c) for c in _read_csv(table, nrows=0).columns]
        if table.kind == "parquet":
            import pyarrow.parquet as pq

            return list(pq.ParquetFile(table.path).schema_arrow.names)
        if table.sheet is None:  # an old .xls workbook: pandas reads it whole
            return [str(c) for c in pd.read_excel(table.path, nrows=0).columns]
        for row in _sheet_rows(table):
            return [("" if cell is None else str(cell)) for cell in row]
        raise table.error(f"the sheet {table.sheet!r} is empty: expected a header row naming the columns.")
    except Exception as error:  # noqa: BLE001 - one line naming the file for every reader failure
        raise table.translate(error) from error


def _read_csv(table: TableFile, **options: Any) -> Any:
    return pd.read_csv(
        table.path,
        sep="\t" if table.kind == "tsv" else ",",
        dtype=str,
        encoding=table.encoding,
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=False,
        **options,
    )


def _sheet_rows(table: TableFile) -> Iterator[tuple[Any, ...]]:
    from openpyxl import load_workbook

    workbook = load_workbook(table.path, read_only=True, data_only=True)
    try:
        yield from workbook[table.sheet].iter_rows(values_only=True)
    finally:
        workbook.close()


def _raw_chunks(table: TableFile, wanted: list[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Chunks of the wanted columns, indexed by the line or row number used in messages."""
    if table.kind in ("csv", "tsv"):
        # every column is read (not usecols), so that a row with more fields than the header
        # is refused by the parser instead of being silently cut
        with _read_csv(table, chunksize=chunk_rows) as reader:
            for chunk in reader:
                chunk = chunk[wanted]
                chunk.index = chunk.index + 2  # header = line 1
                blank = chunk.isna().all(axis=1).to_numpy()
                yield chunk[~blank] if blank.any() else chunk
        return
    if table.kind == "parquet":
        import pyarrow.parquet as pq

        first = 1
        for batch in pq.ParquetFile(table.path).iter_batches(batch_size=chunk_rows, columns=wanted):
            chunk = batch.to_pandas()
            chunk.index = pd.RangeIndex(first, first + len(chunk))
            first += len(chunk)
            yield chunk
        return
    if table.sheet is None:
        frame = pd.read_excel(table.path, dtype=object, usecols=wanted)
        frame.index = frame.index + 2
        for start in range(0, len(frame), chunk_rows):
            yield frame.iloc[start : start + chunk_rows]
        return
    rows = _sheet_rows(table)
    header = [("" if cell is None else str(cell)) for cell in next(rows)]
    positions = [header.index(c) for c in wanted]
    block: list[list[Any]] = []
    numbers: list[int] = []
    for number, row in enumerate(rows, start=2):
        cells = [row[i] if i < len(row) else None for i in positions]
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
            continue
        block.append(cells)
        numbers.append(number)
        if len(block) == chunk_rows:
            yield pd.DataFrame(block, columns=wanted, index=numbers, dtype=object)
            block, numbers = [], []
    if block:
        yield pd.DataFrame(block, columns=wanted, index=numbers, dtype=object)


# -- checking and tidying -------------------------------------------------------------


def _tidy_frames(
    table: TableFile, mapping: dict[str, str | None], wanted: list[str], chunk_rows: int, allow_negative: bool
) -> Iterator[pd.DataFrame]:
    chunks = _raw_chunks(table, wanted, chunk_rows)
    any_rows = False
    while True:
        try:
            chunk = next(chunks)
        except StopIteration:
            break
        except Exception as error:  # noqa: BLE001 - one line naming the file for every reader failure
            raise table.translate(error) from error
        if chunk.empty:
            continue
        any_rows = True
        yield _tidy(table, chunk, mapping, allow_negative)
    if not any_rows:
        raise table.error("the file has a header but no data rows.")


def _where(table: TableFile, row: Any, column: str) -> str:
    unit = "line" if table.kind in ("csv", "tsv") else "row"
    sheet = f", sheet {table.sheet!r}" if table.sheet is not None else ""
    return f"{table.path}{sheet}, {unit} {int(row)}, column {column!r}"


def _tidy(table: TableFile, chunk: pd.DataFrame, mapping: dict[str, str | None], allow_negative: bool) -> pd.DataFrame:
    value_column = mapping["value"]
    assert value_column is not None  # noqa: S101 - set by read_user_table
    labels: dict[str, Any] = {}
    for role in ("region", "activity", "time", "measure"):
        column = mapping[role]
        if column is None:
            labels[role] = "all" if role == "time" else value_column
            continue
        labels[role] = _labels(table, chunk[column], column, role)
    values = _values(table, chunk[value_column], value_column, allow_negative)
    return pd.DataFrame(
        {
            "region": labels["region"],
            "activity": labels["activity"],
            "time": labels["time"],
            "measure": labels["measure"],
            "value": values,
            "flag": pd.Series(None, index=chunk.index, dtype=object),
            "line": chunk.index.to_numpy(dtype=np.int64),
            "column": value_column,
        },
        index=pd.RangeIndex(len(chunk)),
    )


def _first(mask: np.ndarray, index: pd.Index) -> Any:
    return index[int(np.flatnonzero(mask)[0])]


def _labels(table: TableFile, raw: pd.Series, column: str, role: str) -> np.ndarray:
    """The labels of a code column as text, checked."""
    kind = raw.dtype.kind
    if pd.api.types.is_bool_dtype(raw) or kind in "biufcmM":
        if role == "time" and kind in "iu":
            raw = raw.astype("int64").astype(str)
        else:
            what = _dtype_name(raw)
            raise InvalidInputError(
                f"{_where(table, raw.index[0], column)}: the {role} column holds {what} (dtype {raw.dtype}); "
                f"{role} codes must be text, so that leading zeros such as '0111' survive: store the column "
                "as text (strings)."
            )
    absent = raw.isna().to_numpy()
    if absent.any():
        raise InvalidInputError(f"{_where(table, _first(absent, raw.index), column)}: the {role} is missing.")
    if raw.dtype == object:  # cells of a workbook: text, numbers, dates, booleans
        raw = _text_cells(table, raw, column, role)
    text = raw.astype(str)
    stripped = text.str.strip()
    empty = (stripped.str.len() == 0).to_numpy()
    if empty.any():
        raise InvalidInputError(f"{_where(table, _first(empty, raw.index), column)}: the {role} is empty.")
    long = (text.str.len() > MAX_CODE_LENGTH).to_numpy()
    if long.any():
        row = _first(long, raw.index)
        raise InvalidInputError(
            f"{_where(table, row, column)}: the {role} is {len(text[row]):,} characters long (at most "
            f"{MAX_CODE_LENGTH}); is the file's structure broken (an unclosed quote?)"
        )
    control = text.str.contains(_CONTROL).to_numpy(dtype=bool)
    if control.any():
        row = _first(control, raw.index)
        character = _CONTROL.search(text[row])
        code = ord(character.group()) if character else 0
        raise InvalidInputError(
            f"{_where(table, row, column)}: the {role} holds the control character U+{code:04X}; "
            "codes are printable text (a binary or wrongly encoded file?)."
        )
    return stripped.to_numpy(dtype=object)


def _dtype_name(raw: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(raw):
        return "booleans"
    if raw.dtype.kind in "mM":
        return "dates or times"
    if raw.dtype.kind in "iu":
        return "integers"
    return "numbers"


def _text_cells(table: TableFile, raw: pd.Series, column: str, role: str) -> pd.Series:
    """Workbook cells of a code column: text stays; an integral number of the time column
    becomes its digits (2019); any other number, date or boolean is refused."""
    out = []
    for row, cell in raw.items():
        if isinstance(cell, str):
            out.append(cell)
            continue
        integral = isinstance(cell, numbers.Integral) and not isinstance(cell, bool)
        if role == "time" and (integral or (isinstance(cell, float) and cell.is_integer())):
            out.append(str(int(cell)))
            continue
        if isinstance(cell, bool):
            what = f"the boolean {cell}"
        elif isinstance(cell, dt.date | dt.time | dt.timedelta | pd.Timestamp):
            what = f"the date or time {cell}"
        elif role == "time":
            what = f"the value {cell!r}"
            out.append(str(cell))
            continue
        else:
            what = f"the number {cell!r}"
        raise InvalidInputError(
            f"{_where(table, row, column)}: the {role} is {what}, not text; {role} codes must be text, so "
            "that leading zeros such as '0111' survive: format the column as Text."
        )
    return pd.Series(out, index=raw.index, dtype=object)


def _values(table: TableFile, raw: pd.Series, column: str, allow_negative: bool) -> np.ndarray:
    """The value column as float64 (NaN for an empty cell), checked."""
    if pd.api.types.is_bool_dtype(raw) or raw.dtype.kind in "mM":
        raise InvalidInputError(
            f"{_where(table, raw.index[0], column)}: the value column holds {_dtype_name(raw)} "
            f"(dtype {raw.dtype}), not numbers."
        )
    if raw.dtype == object:
        _check_value_cells(table, raw, column)
    if raw.dtype.kind in "iuf":
        numbers_ = raw.to_numpy(dtype=np.float64, na_value=np.nan)
        absent = np.isnan(numbers_) if raw.dtype.kind == "f" else np.zeros(len(raw), dtype=bool)
        absent &= raw.isna().to_numpy()
    else:
        text = raw.astype(str).str.strip().where(raw.notna())
        numbers_ = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        absent = raw.isna().to_numpy() | (text.str.len() == 0).fillna(True).to_numpy(dtype=bool)
        not_numeric = np.isnan(numbers_) & ~absent & ~_spelled_nan(text)
        if not_numeric.any():
            row = _first(not_numeric, raw.index)
            raise InvalidInputError(
                f"{_where(table, row, column)}: value {_plain(raw[row])!r} is not a number; clean it (e.g. remove "
                "flags such as ':' or 'c', thousands separators) or leave the cell empty when missing."
            )
    non_finite = ~np.isfinite(numbers_) & ~absent
    if non_finite.any():
        row = _first(non_finite, raw.index)
        raise InvalidInputError(
            f"{_where(table, row, column)}: value {_plain(raw[row])!r} is not a finite number (infinite, or NaN "
            "spelled out); leave the cell empty when the value is missing."
        )
    numbers_ = np.where(absent, np.nan, numbers_)
    negative = numbers_ < 0
    if negative.any() and not allow_negative:
        row = _first(negative, raw.index)
        raise InvalidInputError(
            f"{_where(table, row, column)}: negative value {numbers_[np.flatnonzero(negative)[0]]:g}; "
            "sizes (employment, firms, projects) must be >= 0."
        )
    return numbers_


def _plain(value: Any) -> Any:
    """numpy scalars as Python ones, so messages read ``inf`` rather than ``np.float64(inf)``."""
    return value.item() if isinstance(value, np.generic) else value


def _spelled_nan(text: pd.Series) -> np.ndarray:
    return text.str.lower().isin(["nan", "+nan", "-nan"]).to_numpy(dtype=bool)


def _check_value_cells(table: TableFile, raw: pd.Series, column: str) -> None:
    """Workbook cells of the value column: no booleans, dates or times."""
    for row, cell in raw.items():
        if isinstance(cell, bool | np.bool_):
            what = f"the boolean {cell}"
        elif isinstance(cell, dt.date | dt.time | dt.timedelta | pd.Timestamp):
            what = f"the date or time {cell}"
        elif isinstance(cell, float) and not math.isfinite(cell):
            continue  # reported as not finite
        else:
            continue
        raise InvalidInputError(f"{_where(table, row, column)}: {what} is not a number.")
