"""Any Eurostat file: its dimensions, and the TSV or SDMX-CSV reader chosen from its header line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from clusterix.ingest.eurostat._files import _header, _Source
from clusterix.ingest.eurostat.sdmx import _parse_sdmx_header, read_sdmx_csv
from clusterix.ingest.eurostat.tsv import _parse_tsv_header, read_eurostat_tsv

__all__ = ["eurostat_dimensions", "read_eurostat"]


def eurostat_dimensions(path: str | Path, *, encoding: str = "utf-8") -> tuple[str, ...]:
    """The dimension names of a Eurostat TSV or SDMX-CSV file, in file order, from its header.

    For example ``('freq', 'unit', 'nace_r2', 'geo')`` for a file whose header starts
    with ``freq,unit,nace_r2,geo\\TIME_PERIOD``. Pass them as ``expected_dimensions`` to
    check later releases of the same dataset.
    """
    source = _Source.open(path, encoding)
    text, _ = _header(source)
    if "\t" in text:
        return tuple(_parse_tsv_header(source, text).dimensions)
    return tuple(_parse_sdmx_header(source, text).dimensions)


def read_eurostat(path: str | Path, **options: Any) -> Iterator[pd.DataFrame]:
    """Stream a Eurostat TSV or SDMX-CSV file, choosing the reader from its header line.

    Takes the keyword options of :func:`read_eurostat_tsv` and :func:`read_sdmx_csv`.
    """
    source = _Source.open(path, options.get("encoding", "utf-8"))
    text, _ = _header(source)
    reader = read_eurostat_tsv if "\t" in text else read_sdmx_csv
    return reader(path, **options)
