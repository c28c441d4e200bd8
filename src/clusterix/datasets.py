"""Loaders for the real data sets clusterix is tested and demonstrated on.

Each loader reads a local copy (a folder the user names) of a published file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from clusterix._validation import check_option
from clusterix.errors import DataSourceError

__all__ = ["UK_BRES_FILE", "TRADE_FILE", "load_trade_sitc4", "load_uk_bres"]

UK_BRES_FILE = Path("uk-bres-nuts2-sic4") / "gb_nuts2_sic4_bres_idbr.csv.gz"
TRADE_FILE = Path("trade-sitc4-1998-2000") / "world_trade_avg_1998_to_2000.csv.gz"


def _locate(folder: str | Path, relative: Path) -> Path:
    path = Path(folder) / relative
    if not path.is_file():
        raise DataSourceError(
            f"{relative} not found under {folder}; pass the folder that holds the data sets "
            "(e.g. --from ../shared/data)."
        )
    return path


def load_uk_bres(folder: str | Path, *, source: str = "BRES") -> pd.DataFrame:
    """ONS employment (BRES) or business counts (IDBR) by UK NUTS 2013 level-2 region and
    4-digit SIC 2007 class as a long table ``region, region_name, activity, year, value``.
    """
    check_option(source, ("BRES", "IDBR"), name="source", function="load_uk_bres")
    raw = pd.read_csv(_locate(folder, UK_BRES_FILE), dtype={"sic4": str, "nuts2_code": str, "nuts2_name": str})
    raw = raw[raw["source"] == source]
    return pd.DataFrame(
        {
            "region": raw["nuts2_code"].to_numpy(),
            "region_name": raw["nuts2_name"].to_numpy(),
            "activity": raw["sic4"].to_numpy(),
            "year": raw["year"].astype(int).to_numpy(),
            "value": raw["value"].astype(float).to_numpy(),
        }
    )


def load_trade_sitc4(folder: str | Path) -> pd.DataFrame:
    """World exports by country (ISO3) and SITC rev. 2 4-digit product, 1998-2000 average,
    as ``region, activity, value`` (the data of the R package ``economiccomplexity``)."""
    raw = pd.read_csv(_locate(folder, TRADE_FILE), dtype={"country": str, "product": str})
    return raw.rename(columns={"country": "region", "product": "activity"})
