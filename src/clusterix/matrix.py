"""Region x activity matrices whose rows and columns carry their labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clusterix._validation import FloatSparse
from clusterix.errors import InvalidInputError

__all__ = ["RegionActivityMatrix"]


@dataclass(frozen=True)
class RegionActivityMatrix:
    """Sizes (employment, firms, patents, projects, exports) of activities in regions.

    ``values`` is a sparse (n_regions, n_activities) CSR array whose row *i* belongs to
    ``regions[i]`` and column *j* to ``activities[j]``; ``period`` is the time label or
    ``None`` for a cross-section. The labels travel with the numbers, so no caller ever
    relies on the row order of a ``groupby``.
    """

    values: FloatSparse
    regions: pd.Index
    activities: pd.Index
    period: Any = None

    def __post_init__(self) -> None:
        if self.values.shape != (len(self.regions), len(self.activities)):
            raise InvalidInputError(
                f"values has shape {self.values.shape} but there are {len(self.regions)} "
                f"regions and {len(self.activities)} activities"
            )

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape

    def to_frame(self) -> pd.DataFrame:
        """Dense labelled view (regions as index, activities as columns)."""
        return pd.DataFrame(self.values.toarray(), index=self.regions, columns=self.activities)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, period: Any = None) -> RegionActivityMatrix:
        """Build from a wide table with regions as index and activities as columns."""
        values = sp.csr_array(np.asarray(frame.to_numpy(), dtype=np.float64))
        return cls(values, pd.Index(frame.index), pd.Index(frame.columns), period)
