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

__all__ = ["LongTable", "read_table", "validate_long"]

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


def read_table(path: str | Path, *, encoding: str = "utf-8", sheet: str | int = 0) -> pd.DataFrame:
    """Read a CSV (optionally compressed), TSV, Parquet or Excel file into a DataFrame.

    Code-like columns are kept as text so that leading zeros (``"0111"``) survive; the
    value column is converted by :func:`validate_long`.
    """
    path = Path(path)
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".bz2", ".zip", ".xz", ".zst"):
        suffixes = suffixes[:-1]
    kind = _READERS.get(suffixes[-1] if suffixes else "")
    if kind is None:
        raise InvalidInputError(
            f"Cannot tell the format of {path}: use a .csv, .tsv, .parquet or .xlsx file "
            "(optionally .gz-compressed for CSV/TSV)."
        )
    if not path.is_file():
        raise DataSourceError(f"No such input file: {path}")
    try:
        if kind in ("csv", "tsv"):
            return pd.read_csv(
                path,
                sep="\t" if kind == "tsv" else ",",
                dtype=str,
                encoding=encoding,
                keep_default_na=False,
                na_values=[""],
            )
        if kind == "parquet":
            return pd.read_parquet(path)
        return pd.read_excel(path, sheet_name=sheet, dtype=object)
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{path} is not valid {encoding} text (byte {error.start}: {error.reason}). "
            "Pass the file's encoding, e.g. --encoding latin-1."
        ) from error
    except ImportError as error:
        raise InvalidInputError(
            f"Reading {path} needs an optional dependency ({error.name}): pip install 'clusterix[io]'"
        ) from error
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError) as error:
        raise InvalidInputError(f"Cannot read {path} as {kind}: {error}") from error


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
