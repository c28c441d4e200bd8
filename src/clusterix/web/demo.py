"""The demo store: real public data loaded into a fresh store for ``clusterix demo``.

What is loaded (nothing synthetic):

- NUTS 2013 and 2016 regions (Eurostat's NUTS correspondence tables);
- ONS BRES employment by GB NUTS 2013 level-2 region and 4-digit SIC 2007 class, 2015-2018
  (dataset ``uk-bres-employment``), with the SIC class titles (classification ``sic2007``);
- the CORDIS Horizon 2020 participation extract: organisations (PIC, kind, country),
  projects and participations (dataset ``cordis-h2020``), and the projects counted per
  country, programme part and start year (dataset ``cordis-h2020-projects``; NUTS 2016
  country codes, third countries and years with too few projects left out);
- the GISCO NUTS 2016 boundaries are read by the app itself (setting ``boundaries``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from clusterix.datasets import UK_BRES_FILE, load_uk_bres
from clusterix.errors import DataSourceError
from clusterix.storage import Store

__all__ = [
    "BOUNDARY_FOLDER",
    "CORDIS_FOLDER",
    "REFERENCE_FOLDER",
    "DemoReport",
    "check_sources",
    "load_demo",
    "missing_files",
]

CORDIS_FOLDER = Path("cordis-h2020-participations")
REFERENCE_FOLDER = Path("nuts-codes-and-changes")
BOUNDARY_FOLDER = Path("nuts-2016-geo")
_CORDIS_FILE = CORDIS_FOLDER / "h2020_participations.csv.gz"
_MIN_PROJECTS_SHARE = 0.25  # a start year needs a quarter of the median yearly number of project counts


@dataclass
class DemoReport:
    """What :func:`load_demo` put in the store, and where the map's boundaries come from."""

    datasets: list[str] = field(default_factory=list)
    regions: int = 0
    organisations: int = 0
    boundaries: str | None = None
    notes: list[str] = field(default_factory=list)


def missing_files(data_from: Path) -> list[Path]:
    """The data files of the demo that ``data_from`` lacks (reference files may be downloaded instead)."""
    return [relative for relative in (UK_BRES_FILE, _CORDIS_FILE) if not (Path(data_from) / relative).is_file()]


def check_sources(data_from: Path | None) -> None:
    """Raise :class:`DataSourceError` (naming both ways to provide them) unless ``data_from``
    holds the demo's data sets."""
    if data_from is not None and not missing_files(data_from):
        return
    absent = missing_files(data_from) if data_from is not None else [UK_BRES_FILE, _CORDIS_FILE]
    where = f"{data_from} lacks {', '.join(map(str, absent))}" if data_from is not None else "no --from DIR given"
    raise DataSourceError(
        f"The demo needs the real data sets ({where}). Either pass --from DIR, a folder with local copies of "
        f"{UK_BRES_FILE.parent}/ and {CORDIS_FOLDER}/ (and optionally {REFERENCE_FOLDER}/ and {BOUNDARY_FOLDER}/), "
        "or run online so that the NUTS reference tables and GISCO boundaries are downloaded and cached (the BRES "
        "and CORDIS extracts have no single official file and are always read from --from DIR)."
    )


def load_demo(store: Store, data_from: Path | None) -> DemoReport:
    """Load the demo data into ``store`` from the local copies in ``data_from``.

    The data sets (UK BRES, the CORDIS H2020 extract) must be local copies: they are
    extracts without a single official download. The NUTS reference tables and the GISCO
    boundaries are read from ``data_from`` when present there, else downloaded once into
    the cache (``CLUSTERIX_DATA_DIR``). Imports are idempotent: loading twice changes nothing.

    Raises
    ------
    DataSourceError
        ``data_from`` is missing or lacks a data set, or a reference file can neither be read
        locally nor downloaded; the message names both ways to provide it.
    """
    check_sources(data_from)
    data_from = Path(data_from)
    report = DemoReport()
    reference = data_from / REFERENCE_FOLDER if (data_from / REFERENCE_FOLDER).is_dir() else None
    _load_regions(store, reference, report)
    _load_bres(store, data_from, report)
    _load_cordis(store, data_from, report)
    boundaries = data_from if (data_from / BOUNDARY_FOLDER).is_dir() else None
    report.boundaries = None if boundaries is None else str(boundaries)
    if boundaries is None:
        report.notes.append("NUTS boundaries are downloaded from GISCO on the first map request (then cached).")
    return report


def _load_regions(store: Store, reference: Path | None, report: DemoReport) -> None:
    from clusterix.reference.nuts import nuts_regions

    for version in (2013, 2016):
        if store.regions(version=version).empty:
            try:
                store.import_regions(nuts_regions(version, source=reference))
            except DataSourceError as error:
                raise DataSourceError(
                    f"The NUTS {version} regions cannot be loaded ({error}). Either pass --from DIR with "
                    f"{REFERENCE_FOLDER}/ or run online to download Eurostat's NUTS tables."
                ) from error
        report.regions += len(store.regions(version=version))


def _load_bres(store: Store, data_from: Path, report: DemoReport) -> None:
    bres = load_uk_bres(data_from, source="BRES")
    frame = pd.DataFrame(
        {
            "region": bres["region"],
            "activity": bres["activity"],
            "time": bres["year"].astype(str),
            "measure": "employment",
            "value": bres["value"],
        }
    )
    result = store.import_observations(
        [frame],
        source="ons-bres",
        path=data_from / UK_BRES_FILE,
        name="uk-bres-employment",
        description="ONS BRES employment, GB NUTS 2013 level 2 x SIC 2007 4-digit (Nesta extract)",
        region_version=2013,
    )
    report.datasets.append(result.dataset)
    from clusterix.profiling.clusters import uk_segments

    titles = uk_segments(data_from)  # SIC 2007 class titles from the same extract
    store.import_classification(
        "sic2007",
        pd.DataFrame({"code": titles["industry"], "name": titles["description"], "level": 4, "parent": None}),
    )


def _load_cordis(store: Store, data_from: Path, report: DemoReport) -> None:
    from clusterix.ingest.cordis import project_activity_counts, read_h2020_participations

    tables = read_h2020_participations(data_from / CORDIS_FOLDER)
    path = data_from / _CORDIS_FILE
    result = store.import_organisations(
        organisations=tables.organisations,
        projects=tables.projects,
        participations=tables.participations,
        source="cordis",
        path=path,
        name="cordis-h2020",
        description="CORDIS Horizon 2020 participations (reduced extract, late 2020): organisations by PIC",
    )
    report.datasets.append(result.dataset)
    report.organisations = int(store.database.scalar("SELECT count(*) FROM organisations"))
    counts = project_activity_counts(tables.projects, tables.participations, tables.organisations)
    per_year = counts.groupby("time")["value"].sum()
    kept = per_year[per_year >= _MIN_PROJECTS_SHARE * per_year.median()].index
    dropped = sorted(set(per_year.index) - set(kept))
    if dropped:
        report.notes.append(f"cordis-h2020-projects: start years {', '.join(dropped)} left out (too few projects).")
    counts = counts[counts["time"].isin(kept)]
    result = store.import_observations(
        [counts],
        source="cordis-h2020-counts",
        path=path,
        name="cordis-h2020-projects",
        description="H2020 projects by participant country (NUTS 0), programme part and start year",
        region_version=2016,
        unknown_codes="drop",
    )
    if result.dropped:
        report.notes.append(f"cordis-h2020-projects: {result.dropped:,} counts of non-NUTS countries left out.")
    report.datasets.append(result.dataset)
