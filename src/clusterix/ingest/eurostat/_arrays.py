"""Vectorised Arrow and numpy helpers of the Eurostat readers: offsets, key hashes, numbers, the tidy frame."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


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
