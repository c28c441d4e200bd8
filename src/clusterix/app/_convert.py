"""JSON-ready values from numpy, pandas and dates: the one conversion every result uses."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["plain", "records"]


def plain(value: Any) -> Any:
    """A JSON-ready scalar: numpy numbers as Python ones, NaN and infinities as None, dates as text."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NaT or (not isinstance(value, str | int | float | bool | list | dict) and pd.isna(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts of JSON-ready values."""
    return [{str(key): plain(value) for key, value in row.items()} for row in frame.to_dict("records")]
