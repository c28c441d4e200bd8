"""Seeded synthetic region x activity panels with the sparsity of real regional data.

Used by the quick start when no real data is at hand, by tests and by benchmarks.
Sizes follow heavy-tailed (log-normal) region and activity scales and values are
Poisson counts around scale_r x scale_a x affinity, so most small cells are zero, as
in employment or patent tables. Never presented as real data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clusterix._validation import check_number

__all__ = ["synthetic_panel"]


def synthetic_panel(
    n_regions: int = 30,
    n_activities: int = 60,
    n_periods: int = 1,
    *,
    fill: float = 0.3,
    seed: int = 0,
) -> pd.DataFrame:
    """A long table ``region, activity, [year,] value`` with about ``fill`` of cells non-zero.

    Regions are named ``R0001``..., activities ``A00001``...; with ``n_periods > 1`` a
    ``year`` column runs from 2001 and the structure drifts slowly between years.

    Examples
    --------
    >>> panel = synthetic_panel(5, 8, seed=1)
    >>> sorted(panel.columns), panel["value"].ge(0).all()
    (['activity', 'region', 'value'], np.True_)
    """
    for name, number in (("n_regions", n_regions), ("n_activities", n_activities), ("n_periods", n_periods)):
        check_number(number, name=name, function="synthetic_panel", low=1, integer=True)
    check_number(fill, name="fill", function="synthetic_panel", low=0, high=1, low_inclusive=False)
    rng = np.random.default_rng(seed)
    region_scale = rng.lognormal(0.0, 1.0, n_regions)
    activity_scale = rng.lognormal(0.0, 1.2, n_activities)
    affinity = rng.lognormal(0.0, 1.0, (n_regions, n_activities))
    regions = np.array([f"R{i:04d}" for i in range(1, n_regions + 1)])
    activities = np.array([f"A{j:05d}" for j in range(1, n_activities + 1)])
    frames = []
    for period in range(n_periods):
        affinity = affinity * rng.lognormal(0.0, 0.1, affinity.shape)
        intensity = np.outer(region_scale, activity_scale) * affinity
        # Calibrate so that about `fill` of the cells get at least one unit.
        target = np.quantile(intensity, 1.0 - fill)
        counts = rng.poisson(intensity / target * 1.0)
        rows, cols = np.nonzero(counts)
        frame = pd.DataFrame(
            {
                "region": regions[rows],
                "activity": activities[cols],
                "value": counts[rows, cols].astype(np.float64),
            }
        )
        if n_periods > 1:
            frame.insert(2, "year", 2001 + period)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
