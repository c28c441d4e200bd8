"""The demo store: real public data loaded into a fresh store for ``clusterix demo``.

Two ways to get the data (nothing synthetic either way):

- ``--from DIR`` with local copies (tests, CI, offline machines): NUTS 2013 and 2016 regions,
  ONS BRES employment by GB NUTS 2013 level-2 region and 4-digit SIC 2007 class, 2015-2018
  (dataset ``uk-bres-employment``, with the SIC class titles as classification ``sic2007``),
  and the CORDIS Horizon 2020 participation extract (datasets ``cordis-h2020`` and
  ``cordis-h2020-projects``);
- online, when no such folder is given (or it lacks those data sets): the official files are
  downloaded once into the cache (:func:`clusterix.config.cache_dir`, ``CLUSTERIX_DATA_DIR``)
  and re-checked by SHA-256 afterwards: Eurostat's ``sbs_r_nuts06_r2`` (SBS by NUTS 2 region
  and NACE Rev. 2, persons employed ``indic_sb=V16110``; dataset ``eurostat-sbs-employment``)
  through the SDMX 2.1 API, CORDIS's ``cordis-h2020projects-csv.zip`` (``project.csv`` and
  ``organization.csv``; datasets ``cordis-h2020`` and ``cordis-h2020-projects``), Eurostat's
  NACE Rev. 2 code list (the activity titles, classification ``nace_r2``) and its NUTS
  correspondence tables.

``cordis-h2020-projects`` counts projects per country (NUTS 2016 country codes; third
countries and start years with too few projects left out), programme part and start year.
The GISCO NUTS 2016 boundaries are read by the app itself (setting ``boundaries``): from
``DIR`` when it holds them, else downloaded on the first map request.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from clusterix.config import cache_dir
from clusterix.datasets import UK_BRES_FILE, load_uk_bres
from clusterix.errors import DataSourceError
from clusterix.ingest.eurostat import EUROSTAT_API
from clusterix.storage import Store

__all__ = [
    "BOUNDARY_FOLDER",
    "CORDIS_FOLDER",
    "CORDIS_H2020_CSV_URL",
    "EUROSTAT_DATASET",
    "EUROSTAT_FILTERS",
    "REFERENCE_FOLDER",
    "RESEARCH_FILES",
    "DemoReport",
    "DemoSources",
    "OnlineSources",
    "load_demo",
    "missing_files",
    "prepare_sources",
]

CORDIS_FOLDER = Path("cordis-h2020-participations")
#: Research competences across Europe (Nesta's EURITO indicators), loaded when the --from folder has them:
#: (file, field column, measure, dataset, classification, NUTS level, description).
_SDG_FILE = Path("cordis-nuts-sdg-indicators") / "cordis_projects_by_nuts_sdg_count.csv.gz"
_SDG_TEXT = (
    "Horizon 2020 projects by NUTS {level} region (NUTS 2021 codes) x Sustainable Development Goal, all years "
    "pooled (Nesta EURITO; SDGs assigned by a text model)"
)
RESEARCH_FILES = (
    (_SDG_FILE, "sdg", "projects", "h2020-sdg-nuts2", "sdg", 2, _SDG_TEXT.format(level=2)),
    (
        Path("eurito-preprints-nuts-topics") / "preprints_by_nuts_topic_count.csv.gz",
        "topic", "participations", "preprints-topics-nuts2", "eurito-topics", 2,
        "Research preprints (arXiv, bioRxiv, medRxiv, CORD-19) by NUTS 2 region (NUTS 2021 codes) x topic "
        "(AI and Covid-19 research clusters), all years pooled (Nesta EURITO)",
    ),
    (_SDG_FILE, "sdg", "projects", "h2020-sdg-nuts1", "sdg", 1, _SDG_TEXT.format(level=1)),
    (_SDG_FILE, "sdg", "projects", "h2020-sdg-nuts3", "sdg", 3, _SDG_TEXT.format(level=3)),
)  # fmt: skip
REFERENCE_FOLDER = Path("nuts-codes-and-changes")
BOUNDARY_FOLDER = Path("nuts-2016-geo")
_CORDIS_FILE = CORDIS_FOLDER / "h2020_participations.csv.gz"
_MIN_PROJECTS_SHARE = 0.25  # a start year needs a quarter of the median yearly number of project counts

#: The Eurostat dataset downloaded online: SBS data by NUTS 2 regions and NACE Rev. 2 (2008-2020).
EUROSTAT_DATASET = "sbs_r_nuts06_r2"
#: Its filter: persons employed (the regional counterpart of BRES employment).
EUROSTAT_FILTERS = {"indic_sb": "V16110"}
#: The official CORDIS Horizon 2020 projects archive (CSV): ``project.csv``, ``organization.csv``, ...
CORDIS_H2020_CSV_URL = "https://cordis.europa.eu/data/cordis-h2020projects-csv.zip"
_CORDIS_ARCHIVE = "cordis-h2020projects-csv.zip"
_CORDIS_MEMBERS = ("project.csv", "organization.csv")
_NACE_DIVISION = re.compile(r"^[A-U][0-9]{2}$")  # divisions only: sections and aggregates would double count
_SBS_DATASET = "eurostat-sbs-employment"
# The NACE Rev. 2 titles: Eurostat's code list from the same API (clusterix.reference.nace.REMOTE_FILES["2"]).
_NACE_CODELIST = "codelist/ESTAT/NACE_R2/latest?format=TSV&lang=en"


@dataclass(frozen=True)
class OnlineSources:
    """Where the online demo downloads from: the official addresses by default (tests use a local server).

    The files are cached in :func:`clusterix.config.cache_dir` (``CLUSTERIX_DATA_DIR``).
    """

    eurostat_api: str = EUROSTAT_API
    cordis_url: str = CORDIS_H2020_CSV_URL


@dataclass(frozen=True)
class DemoSources:
    """The local files :func:`load_demo` reads: a ``--from`` folder, or the downloaded official files."""

    data_from: Path | None = None
    eurostat: Path | None = None
    cordis_projects: Path | None = None
    cordis_organisations: Path | None = None
    cordis_archive: Path | None = None
    nace: Path | None = None

    @property
    def online(self) -> bool:
        """True when the data sets are the downloaded official files."""
        return self.eurostat is not None


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


def _both_ways(data_from: Path | None, error: Exception) -> DataSourceError:
    absent = missing_files(data_from) if data_from is not None else []
    where = f"{data_from} lacks {', '.join(map(str, absent))}" if data_from is not None else "no --from DIR given"
    return DataSourceError(
        f"The demo needs real data sets ({where}) and downloading the official files failed ({error}). Either "
        f"pass --from DIR, a folder with local copies of {UK_BRES_FILE.parent}/ and {CORDIS_FOLDER}/ (and "
        f"optionally {REFERENCE_FOLDER}/ and {BOUNDARY_FOLDER}/), or run online so that Eurostat's "
        f"{EUROSTAT_DATASET}, CORDIS's {_CORDIS_ARCHIVE}, the NUTS tables and the GISCO boundaries are "
        "downloaded and cached."
    )


def prepare_sources(data_from: Path | None = None, *, online_sources: OnlineSources | None = None) -> DemoSources:
    """Find the demo's files: the local copies in ``data_from``, else download (once) the official ones.

    Called before a store is opened or changed, so that a failed download leaves nothing behind.

    Raises
    ------
    DataSourceError
        ``data_from`` lacks the data sets and a download fails (offline); the message names
        both ways to provide them (``--from DIR`` or being online).
    """
    if data_from is not None and not missing_files(data_from):
        return DemoSources(data_from=Path(data_from))
    online = online_sources or OnlineSources()
    from clusterix.ingest.downloads import RemoteFile, fetch
    from clusterix.ingest.eurostat import fetch_eurostat

    reference = None if data_from is None else Path(data_from) / REFERENCE_FOLDER
    try:
        eurostat = fetch_eurostat(
            EUROSTAT_DATASET,
            filters=EUROSTAT_FILTERS,
            format="sdmx-csv",
            base_url=online.eurostat_api,
        )
        nace = fetch(RemoteFile("NACE_R2.tsv", f"{online.eurostat_api.rstrip('/')}/{_NACE_CODELIST}"))
        archive = fetch(RemoteFile(_CORDIS_ARCHIVE, online.cordis_url), folder=cache_dir() / "cordis")
        if reference is None or not reference.is_dir():
            from clusterix.reference.nuts import REMOTE_FILES

            for step in ((2013, 2016), (2016, 2021)):  # what nuts_regions reads, fetched now so failures come first
                fetch(REMOTE_FILES[step])
    except DataSourceError as error:
        raise _both_ways(data_from, error) from error
    projects, organisations = _extract(archive)
    return DemoSources(
        data_from=None if data_from is None else Path(data_from),
        eurostat=eurostat,
        cordis_projects=projects,
        cordis_organisations=organisations,
        cordis_archive=archive,
        nace=nace,
    )


def _extract(archive: Path) -> tuple[Path, Path]:
    """Unpack ``project.csv`` and ``organization.csv`` from the CORDIS archive next to it (once per archive)."""
    target = archive.with_name(archive.name.removesuffix(".zip"))
    paths = (target / _CORDIS_MEMBERS[0], target / _CORDIS_MEMBERS[1])
    if all(path.is_file() and path.stat().st_mtime >= archive.stat().st_mtime for path in paths):
        return paths
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = {Path(info.filename).name: info for info in bundle.infolist() if not info.is_dir()}
            absent = [name for name in _CORDIS_MEMBERS if name not in members]
            if absent:
                raise DataSourceError(
                    f"The CORDIS archive {archive} lacks {', '.join(absent)} (it holds "
                    f"{', '.join(sorted(members)) or 'nothing'}); delete it to download it again."
                )
            target.mkdir(parents=True, exist_ok=True)
            for name, path in zip(_CORDIS_MEMBERS, paths, strict=True):
                partial = path.with_name(name + ".partial")
                with bundle.open(members[name]) as source, open(partial, "wb") as out:
                    while block := source.read(1 << 20):
                        out.write(block)
                partial.replace(path)
    except zipfile.BadZipFile as error:
        raise DataSourceError(f"The CORDIS archive {archive} is not a valid zip file ({error}); delete it.") from error
    return paths


def load_demo(
    store: Store,
    data_from: Path | None = None,
    *,
    online_sources: OnlineSources | None = None,
    sources: DemoSources | None = None,
) -> DemoReport:
    """Load the demo data into ``store``: local copies from ``data_from``, else the official files online.

    With ``data_from`` holding the UK BRES and CORDIS H2020 extracts, those are loaded (the
    NUTS tables and GISCO boundaries too when the folder has them, else they are downloaded).
    Without it, the official files are downloaded and cached (see the module notes and
    :class:`OnlineSources`); every download happens before the store changes. ``sources``
    (from :func:`prepare_sources`) skips that step. Imports are idempotent: loading twice
    changes nothing.

    Raises
    ------
    DataSourceError
        The data sets are neither in ``data_from`` nor downloadable, or a reference file can
        neither be read locally nor downloaded; the message names both ways to provide it.
    """
    if sources is None:
        sources = prepare_sources(data_from, online_sources=online_sources)
    report = DemoReport()
    folder = sources.data_from
    reference = None
    if folder is not None and (folder / REFERENCE_FOLDER).is_dir():
        reference = folder / REFERENCE_FOLDER
    _load_regions(store, reference, report)
    if sources.online:
        assert sources.eurostat is not None and sources.nace is not None  # online: every file was downloaded
        if folder is not None:
            missing = ", ".join(map(str, missing_files(folder)))
            report.notes.append(f"{folder} lacks {missing}: the official files were downloaded instead.")
        report.notes.append(f"official files cached in {sources.eurostat.parent.parent} (downloaded once).")
        _load_sbs(store, sources.eurostat, report)
        _load_nace(store, sources.nace)
        _load_cordis_csv(store, sources, report)
    else:
        assert folder is not None  # offline: the --from folder holds the data sets
        _load_bres(store, folder, report)
        _load_cordis(store, folder, report)
    if folder is not None:
        _load_research(store, folder, reference, report)
    boundaries = folder if folder is not None and (folder / BOUNDARY_FOLDER).is_dir() else None
    report.boundaries = None if boundaries is None else str(boundaries)
    if boundaries is None:
        report.notes.append("NUTS boundaries are downloaded from GISCO on the first map request (then cached).")
    return report


def _load_regions(store: Store, reference: Path | None, report: DemoReport) -> None:
    from clusterix.reference.nuts import nuts_regions

    for version in (2013, 2016, 2021):
        if store.regions(version=version).empty:
            try:
                store.import_regions(nuts_regions(version, source=reference))
            except DataSourceError as error:
                raise DataSourceError(
                    f"The NUTS {version} regions cannot be loaded ({error}). Either pass --from DIR with "
                    f"{REFERENCE_FOLDER}/ or run online to download Eurostat's NUTS tables."
                ) from error
        report.regions += len(store.regions(version=version))


def _load_research(store: Store, folder: Path, reference: Path | None, report: DemoReport) -> None:
    """Research competences of every European region: H2020 projects by SDG (NUTS 1, 2 and 3)
    and preprints by topic (NUTS 2), recoded to NUTS 2021 (:mod:`clusterix.ingest.eurito`)."""
    from clusterix.ingest.eurito import pool_years, read_eurito_counts
    from clusterix.reference.nuts import convert_versions

    for relative, column, measure, name, scheme, level, description in RESEARCH_FILES:
        path = folder / relative
        if not path.is_file():
            report.notes.append(f"{name}: {relative} is not in {folder}; research competences by {column} not loaded.")
            continue
        counts = read_eurito_counts(path, field=column, measure=measure, level=level)
        recoded, unconvertible = convert_versions(counts.observations, to_version=2021, source=reference)
        store.import_classification(scheme, counts.titles.assign(level=1, parent=None))
        result = store.import_observations(
            [pool_years(recoded)],
            source=f"eurito-nuts{level}",  # one file, a dataset per level: the source tells them apart
            path=path,
            name=name,
            description=description,
            region_version=2021,
            unknown_codes="drop",
        )
        report.datasets.append(result.dataset)
        left_out = unconvertible + result.dropped
        if left_out:
            report.notes.append(
                f"{name}: {left_out:,} counts left out (codes of NUTS 2010, or of regions split or re-bounded "
                "since, which cannot be recoded to NUTS 2021)."
            )


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
    # Nesta's industry segments as the cluster mapping: profiles of the demo show cluster stars in every face
    store.import_cluster_mapping("uk-segments", titles[["industry", "cluster", "cluster_name"]])


def _load_sbs(store: Store, path: Path, report: DemoReport) -> None:
    """Import persons employed by NUTS 2 region and NACE division from the downloaded SBS file."""
    from clusterix.ingest.eurostat import read_eurostat

    frames = []
    for frame in read_eurostat(path, activity_dimension="nace_r2"):
        keep = (
            frame["region"].str.len().eq(4)
            & frame["activity"].str.match(_NACE_DIVISION.pattern)
            & frame["value"].notna()
        )
        frames.append(frame.loc[keep].assign(measure="employment"))
    if not frames or not sum(len(frame) for frame in frames):
        raise DataSourceError(
            f"{path} (Eurostat {EUROSTAT_DATASET}) holds no persons employed by NUTS 2 region and NACE division; "
            "delete it to download it again."
        )
    result = store.import_observations(
        frames,
        source="eurostat",
        path=path,
        name=_SBS_DATASET,
        description=(
            f"Eurostat SBS persons employed (indic_sb=V16110), NUTS 2 x NACE Rev. 2 division ({EUROSTAT_DATASET})"
        ),
        region_version=2016,
        unknown_codes="drop",
    )
    if result.dropped:
        report.notes.append(f"{_SBS_DATASET}: {result.dropped:,} values of non-NUTS 2016 regions left out.")
    report.datasets.append(result.dataset)


def _load_nace(store: Store, path: Path) -> None:
    """The NACE Rev. 2 titles (classification ``nace_r2``) in both spellings, ``10`` and Eurostat's ``C10``."""
    from clusterix.reference.nace import nace_codes

    if store.has_classification("nace_r2"):
        return
    codes = nace_codes("2", source=path)
    both = pd.concat([codes, codes.assign(code=codes["eurostat"])], ignore_index=True)
    store.import_classification("nace_r2", both.drop_duplicates("code"))


def _load_cordis_csv(store: Store, sources: DemoSources, report: DemoReport) -> None:
    """Import the official CORDIS H2020 project and organisation files (downloaded archive)."""
    from clusterix.ingest.cordis import read_cordis_csv

    assert sources.cordis_projects and sources.cordis_organisations and sources.cordis_archive  # downloaded
    tables = read_cordis_csv(sources.cordis_projects, sources.cordis_organisations, framework="H2020")
    description = "CORDIS Horizon 2020 projects and participating organisations (official CSV files)"
    _import_cordis(store, tables, sources.cordis_archive, description, report)


def _load_cordis(store: Store, data_from: Path, report: DemoReport) -> None:
    from clusterix.ingest.cordis import read_h2020_participations

    tables = read_h2020_participations(data_from / CORDIS_FOLDER)
    description = "CORDIS Horizon 2020 participations (reduced extract, late 2020): organisations by PIC"
    _import_cordis(store, tables, data_from / _CORDIS_FILE, description, report)


def _import_cordis(store: Store, tables: Any, path: Path, description: str, report: DemoReport) -> None:
    """Import organisations, projects and participations, then the project counts per country."""
    from clusterix.ingest.cordis import project_activity_counts
    from clusterix.ingest.cordis.programmes import programme_part_titles

    result = store.import_organisations(
        organisations=tables.organisations,
        projects=tables.projects,
        participations=tables.participations,
        source="cordis",
        path=path,
        name="cordis-h2020",
        description=description,
    )
    report.datasets.append(result.dataset)
    report.organisations = store.organisation_count()
    store.import_classification("h2020-parts", programme_part_titles())  # SC3 is "Secure, clean and efficient energy"
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
