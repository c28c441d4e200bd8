"""CORDIS readers: EU research projects and their participants as three tidy tables.

Reads the official CORDIS project and organisation files of FP7, Horizon 2020 and
Horizon Europe (semicolon-separated CSV or JSON) and the reduced Horizon 2020
participation extract, and returns :class:`CordisTables`:

``organisations``
    ``id`` (PIC), ``name``, ``kind`` (``enterprise``, ``higher_education``, ``research``,
    ``public``, ``other``), ``activity_type`` (the CORDIS code), ``country`` (EU style,
    ``EL``/``UK``), ``region`` (NUTS code), ``description``, ``external_ids`` (JSON text).
``projects``
    ``id``, ``acronym``, ``title``, ``programme``, ``programme_part``, ``topic``,
    ``start_date``, ``end_date``, ``total_cost``, ``ec_contribution``, ``framework``,
    ``objective``.
``participations``
    ``project_id``, ``organisation_id``, ``role``, ``ec_contribution``, ``line``.

Text columns hold ``None`` where the source is empty, money columns ``NaN`` and date
columns ``NaT``. Every error about a file names the file, the 1-based line (as a text
editor counts it, so a multi-line quoted field moves the following lines down) and the
column. :func:`project_activity_counts` turns the tables into the tidy observation frame
(``region, activity, time, measure, value, flag, line, column``) that the indicators read.

Modules: :mod:`~clusterix.ingest.cordis.official` (the official CSV and JSON files),
:mod:`~clusterix.ingest.cordis.h2020` (the reduced H2020 extract),
:mod:`~clusterix.ingest.cordis.counts` (:func:`project_activity_counts`),
:mod:`~clusterix.ingest.cordis.columns` (the tables and the parsing of their columns) and
:mod:`~clusterix.ingest.cordis.records` (raw records with their source lines).
"""

from clusterix.ingest.cordis.columns import (
    ACTIVITY_KINDS,
    FRAMEWORKS,
    ORGANISATION_COLUMNS,
    PARTICIPATION_COLUMNS,
    PROJECT_COLUMNS,
    CordisTables,
)
from clusterix.ingest.cordis.counts import project_activity_counts
from clusterix.ingest.cordis.h2020 import read_h2020_participations
from clusterix.ingest.cordis.official import (
    OFFICIAL_ORGANISATION_COLUMNS,
    OFFICIAL_PROJECT_COLUMNS,
    read_cordis_csv,
    read_cordis_json,
)

__all__ = [
    "ACTIVITY_KINDS",
    "FRAMEWORKS",
    "ORGANISATION_COLUMNS",
    "OFFICIAL_ORGANISATION_COLUMNS",
    "OFFICIAL_PROJECT_COLUMNS",
    "PARTICIPATION_COLUMNS",
    "PROJECT_COLUMNS",
    "CordisTables",
    "project_activity_counts",
    "read_cordis_csv",
    "read_cordis_json",
    "read_h2020_participations",
]
