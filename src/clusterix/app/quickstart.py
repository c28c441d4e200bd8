"""The quick start: indicators on real UK employment data, or a labelled synthetic example."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from rich.table import Table

from clusterix.datasets import UK_BRES_FILE, load_uk_bres
from clusterix.examples import synthetic_panel
from clusterix.indicators.frame import complexity, region_summary

__all__ = ["QuickstartReport", "run_quickstart"]


@dataclass(frozen=True)
class QuickstartReport:
    title: str
    table: Table
    notes: list[str]


def run_quickstart(data_from: Path | None, out: Path) -> QuickstartReport:
    """Compute every indicator, write the results under ``out`` and summarise the top regions."""
    out.mkdir(parents=True, exist_ok=True)
    if data_from is not None and (Path(data_from) / UK_BRES_FILE).is_file():
        data = load_uk_bres(data_from)
        data = data[data["year"] == data["year"].max()]
        year = int(data["year"].iloc[0])
        names = data.drop_duplicates("region").set_index("region")["region_name"]
        title = f"Most complex UK NUTS2 regions, BRES employment by SIC4 industry, {year} (real data)"
        stem = f"uk_bres_{year}"
    else:
        data = synthetic_panel(40, 120, seed=7)
        names = pd.Series(dtype=str)
        title = "SYNTHETIC example (no real data found: pass --from DIR with the data sets)"
        stem = "synthetic_example"
    result = complexity(data)
    summary = region_summary(data)
    cells = out / f"{stem}_indicators.csv.gz"
    regions_file = out / f"{stem}_regions.csv"
    result.to_csv(cells, index=False)
    summary.to_csv(regions_file, index=False)
    per_region = (
        result.groupby("region", observed=True)[["diversity", "eci", "coi"]]
        .first()
        .join(summary.set_index("region")[["total", "entropy", "hachman"]])
        .sort_values("eci", ascending=False)
    )
    table = Table("region", "name", "employment" if len(names) else "size", "diversity", "ECI", "COI", "entropy (bits)")
    for code, row in per_region.head(10).iterrows():
        table.add_row(
            str(code),
            str(names.get(code, "")),
            f"{row['total']:,.0f}",
            f"{row['diversity']:.0f}",
            f"{row['eci']:+.2f}",
            f"{row['coi']:+.2f}",
            f"{row['entropy']:.2f}",
        )
    notes = [
        f"{len(result):,} region x activity rows with rca, mcp, diversity, ubiquity, eci, pci, "
        f"density, coi, cog -> {cells}",
        f"{len(summary):,} regions with herfindahl, entropy, krugman, hachman, gini -> {regions_file}",
    ]
    return QuickstartReport(title, table, notes)
