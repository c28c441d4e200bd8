"""Eurostat data: bulk TSV and SDMX-CSV files as tidy observation frames, and cached downloads.

Both readers stream: they yield pandas DataFrames of at most ``chunk_rows`` observations
with the columns of the tidy observation contract (``region, activity, time, measure,
value, flag, line, column``), so memory stays bounded for files of any size. The work
per value is vectorised (pyarrow's CSV reader and compute kernels, numpy); there is no
Python loop per value or per line.

Every problem in a file raises an :class:`~clusterix.errors.InvalidInputError` that names
the file, the 1-based line and the column, and says what to do.

Modules: :mod:`~clusterix.ingest.eurostat.tsv` and :mod:`~clusterix.ingest.eurostat.sdmx`
(the two readers), :mod:`~clusterix.ingest.eurostat.reader` (either, from the header),
:mod:`~clusterix.ingest.eurostat.api` (the dissemination API); ``_files``, ``_arrays`` and
``_tidy`` hold what the readers share.
"""

from clusterix.ingest.eurostat._tidy import ACTIVITY_DIMENSIONS, TIDY_COLUMNS
from clusterix.ingest.eurostat.api import EUROSTAT_API, eurostat_structure, eurostat_url, fetch_eurostat
from clusterix.ingest.eurostat.reader import eurostat_dimensions, read_eurostat
from clusterix.ingest.eurostat.sdmx import read_sdmx_csv
from clusterix.ingest.eurostat.tsv import read_eurostat_tsv

__all__ = [
    "ACTIVITY_DIMENSIONS",
    "EUROSTAT_API",
    "TIDY_COLUMNS",
    "eurostat_dimensions",
    "eurostat_structure",
    "eurostat_url",
    "fetch_eurostat",
    "read_eurostat",
    "read_eurostat_tsv",
    "read_sdmx_csv",
]
