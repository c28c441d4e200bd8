"""The tidy observation contract shared by the Eurostat readers: columns, periods, layout and value checks."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from clusterix._validation import check_number, parameter_error
from clusterix.ingest.eurostat._arrays import _constant, _first_in_file_order, _hash_strings, _SeenKeys
from clusterix.ingest.eurostat._files import _Source

__all__ = ["ACTIVITY_DIMENSIONS", "TIDY_COLUMNS"]


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
_DEFAULT_CHUNK = 500_000
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"

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
