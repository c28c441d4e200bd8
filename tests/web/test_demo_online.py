"""``clusterix demo`` online: the official files downloaded from a local HTTP server, cached, and imported.

The server (127.0.0.1, see ``tests/ingest/test_downloads.py``) serves files in the official
formats: Eurostat's SDMX 2.1 structure and an SDMX-CSV extract of ``sbs_r_nuts06_r2``, its
NACE Rev. 2 code list (TSV), and CORDIS's ``cordis-h2020projects-csv.zip`` with
``project.csv`` and ``organization.csv`` (the rows of ``tests/ingest/test_cordis.py``). The
NUTS tables are given as local flattened CSVs (their official URLs are fixed); values are
illustrative, not copied rows.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from clusterix.app.demo import (
    EUROSTAT_DATASET,
    EUROSTAT_FILTERS,
    REFERENCE_FOLDER,
    OnlineSources,
    load_demo,
    prepare_sources,
)
from clusterix.cli import app
from clusterix.errors import DataSourceError
from clusterix.ingest import downloads
from clusterix.ingest.eurostat import eurostat_url
from clusterix.storage import Store
from tests.ingest.test_cordis import ORGANISATION_ROWS, PROJECT_ROWS, official_csv
from tests.ingest.test_downloads import refused_url, serve

DIMENSIONS = ("freq", "nace_r2", "indic_sb", "geo")
STRUCTURE_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<m:Structure xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
             xmlns:s="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure">
 <m:Structures><s:DataStructures><s:DataStructure id="SBS_R_NUTS06_R2">
  <s:DataStructureComponents><s:DimensionList id="DimensionDescriptor">
   <s:Dimension id="freq" position="1"/>
   <s:Dimension id="nace_r2" position="2"/>
   <s:Dimension id="indic_sb" position="3"/>
   <s:Dimension id="geo" position="4"/>
   <s:TimeDimension id="TIME_PERIOD" position="5"/>
  </s:DimensionList></s:DataStructureComponents>
 </s:DataStructure></s:DataStructures></m:Structures>
</m:Structure>
"""
_PREFIX = "ESTAT:SBS_R_NUTS06_R2(1.0),08/06/23 23:00:00,A"
SBS_CSV = (
    "\n".join(
        [
            "DATAFLOW,LAST UPDATE,freq,nace_r2,indic_sb,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG",
            f"{_PREFIX},C10,V16110,DE11,2019,41250,",
            f"{_PREFIX},C10,V16110,DE11,2020,40987,p",
            f"{_PREFIX},J62,V16110,DE11,2020,30111,",
            f"{_PREFIX},C10,V16110,FR10,2020,25400,",
            f"{_PREFIX},J62,V16110,FR10,2020,,c",  # confidential: left out
            f"{_PREFIX},C11,V16110,EL30,2020,3120,",
            f"{_PREFIX},C,V16110,DE11,2020,250000,",  # a section: left out (divisions only)
            f"{_PREFIX},B-N_S95_X_K,V16110,DE11,2020,900000,",  # an aggregate: left out
            f"{_PREFIX},C10,V16110,DE1,2020,60000,",  # NUTS 1: left out
            f"{_PREFIX},C10,V16110,DE,2020,600000,",  # the country: left out
            f"{_PREFIX},C10,V16110,DEZZ,2020,0,",  # extra-regio: not in the NUTS tables below, dropped
        ]
    )
    + "\n"
)
EXPECTED_SBS = {
    ("DE11", "C10", "2019"): 41250.0,
    ("DE11", "C10", "2020"): 40987.0,
    ("DE11", "J62", "2020"): 30111.0,
    ("FR10", "C10", "2020"): 25400.0,
    ("EL30", "C11", "2020"): 3120.0,
}
CORDIS_PATH = "/data/cordis-h2020projects-csv.zip"
NACE_PATH = "/codelist/ESTAT/NACE_R2/latest?format=TSV&lang=en"
# Eurostat's NACE Rev. 2 code list as TSV: every section (the reader checks them), a few divisions, an aggregate.
SECTIONS = {
    "A": "Agriculture, forestry and fishing",
    "B": "Mining and quarrying",
    "C": "Manufacturing",
    "D": "Electricity, gas, steam and air conditioning supply",
    "E": "Water supply; sewerage, waste management and remediation activities",
    "F": "Construction",
    "G": "Wholesale and retail trade; repair of motor vehicles and motorcycles",
    "H": "Transportation and storage",
    "I": "Accommodation and food service activities",
    "J": "Information and communication",
    "K": "Financial and insurance activities",
    "L": "Real estate activities",
    "M": "Professional, scientific and technical activities",
    "N": "Administrative and support service activities",
    "O": "Public administration and defence; compulsory social security",
    "P": "Education",
    "Q": "Human health and social work activities",
    "R": "Arts, entertainment and recreation",
    "S": "Other service activities",
    "T": "Activities of households as employers; undifferentiated goods- and services-producing activities of "
    "households for own use",
    "U": "Activities of extraterritorial organisations and bodies",
}
DIVISIONS = {
    "C10": "Manufacture of food products",
    "C11": "Manufacture of beverages",
    "J62": "Computer programming, consultancy and related activities",
}
NACE_TSV = "".join(f"{code}\t{name}\n" for code, name in {**SECTIONS, **DIVISIONS}.items())
NACE_TSV += "B-N_S95_X_K\tTotal business economy; repair of computers, personal and household goods\n"

# Regions of the tiny flattened NUTS tables: the countries of the CORDIS rows (but CH) and a few regions.
_COUNTRIES = {
    "DE": "Deutschland",
    "FR": "France",
    "EL": "Elláda",
    "UK": "United Kingdom",
    "ES": "España",
    "IT": "Italia",
}
_REGIONS = [("DE1", "Baden-Württemberg"), ("DE11", "Stuttgart"), ("FR1", "Ile-de-France"), ("FR10", "Ile-de-France"),
            ("EL3", "Attiki"), ("EL30", "Attiki")]  # fmt: skip


def _nuts_csv(old: int, new: int) -> str:
    if old == 2013:
        lines = [f"code_{old},code_{new},country,nuts1_label,nuts2_label,nuts3_label,change,nuts_level"]
        lines += [f"{code},{code},{name},,,,,0" for code, name in _COUNTRIES.items()]
        lines += [f"{code},{code},,{name},,,,1" if len(code) == 3 else f"{code},{code},,,{name},,,2"
                  for code, name in _REGIONS]  # fmt: skip
    else:
        lines = [f"code_{old},code_{new},country,nuts1_label,nuts2_label,nuts3_label,change_code,change_comment"]
        lines += [f"{code},{code},{name},,,,," for code, name in _COUNTRIES.items()]
        lines += [f"{code},{code},,{name},,,," if len(code) == 3 else f"{code},{code},,,{name},,,"
                  for code, name in _REGIONS]  # fmt: skip
    return "\n".join(lines) + "\n"


def _cordis_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("project.csv", official_csv(PROJECT_ROWS))
        bundle.writestr("organization.csv", official_csv(ORGANISATION_ROWS))
    return buffer.getvalue()


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _nuts_workbook(path: Path, old: int, new: int) -> None:
    """The layout of Eurostat's correspondence workbook: a heading row, then 'Code 2013', 'Code 2016', ..."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = f"NUTS{old}-NUTS{new}"
    sheet.append([None, None, None, f"Labels (version {new})"])
    sheet.append(
        [None, f"Code {old}", f"Code {new}", "Country", "NUTS level 1", "NUTS level 2", "NUTS level 3", "Change"]
    )
    for number, (code, name) in enumerate([*_COUNTRIES.items(), *_REGIONS], start=1):
        labels = [None, None, None]
        if len(code) > 2:
            labels[len(code) - 3] = name
        sheet.append([number, code, code, name if len(code) == 2 else None, *labels, None])
    book.save(path)


@pytest.fixture
def reference(tmp_path) -> Path:
    """A --from folder holding only the NUTS tables (so the data sets are downloaded)."""
    folder = tmp_path / "from"
    (folder / REFERENCE_FOLDER).mkdir(parents=True)
    (folder / REFERENCE_FOLDER / "nuts2013_to_nuts2016.csv").write_text(_nuts_csv(2013, 2016), encoding="utf-8")
    (folder / REFERENCE_FOLDER / "nuts2016_to_nuts2021.csv").write_text(_nuts_csv(2016, 2021), encoding="utf-8")
    return folder


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CLUSTERIX_DATA_DIR", str(folder))
    monkeypatch.setattr(downloads.time, "sleep", lambda seconds: None)  # no waiting between retries
    return folder


@pytest.fixture
def official():
    """The local server answering as Eurostat's API and the CORDIS data site."""
    with serve() as server:
        data = eurostat_url(
            EUROSTAT_DATASET, filters=EUROSTAT_FILTERS, dimensions=DIMENSIONS, format="sdmx-csv", base_url=server.url
        )
        server.answer("/datastructure/ESTAT/SBS_R_NUTS06_R2", (200, STRUCTURE_XML))
        server.answer(_path(data), (200, gzip.compress(SBS_CSV.encode())))
        server.answer(CORDIS_PATH, (200, _cordis_zip()))
        server.answer(NACE_PATH, (200, NACE_TSV.encode()))
        server.sources = OnlineSources(eurostat_api=server.url, cordis_url=server.url + CORDIS_PATH)
        yield server


def test_the_filtered_query_is_the_documented_one(official) -> None:
    data = [path for path in official.answers if path.startswith("/data/sbs")]
    assert data == ["/data/sbs_r_nuts06_r2/..V16110.?format=SDMX-CSV&compressed=true"]


def test_online_demo_imports_the_official_files_once(official, reference, cache, tmp_path) -> None:
    with Store.open(tmp_path / "demo.duckdb") as store:
        report = load_demo(store, reference, online_sources=official.sources)
        assert report.datasets == ["eurostat-sbs-employment", "cordis-h2020", "cordis-h2020-projects"]
        sbs = store.observations("eurostat-sbs-employment")
        assert set(sbs["measure"]) == {"employment"}
        assert {(r.region, r.activity, r.time): r.value for r in sbs.itertuples()} == EXPECTED_SBS
        assert any("1 values of non-NUTS 2016 regions left out" in note for note in report.notes)  # DEZZ
        assert f"{reference} lacks uk-bres-nuts2-sic4" in report.notes[0]
        assert report.notes[1] == f"official files cached in {cache} (downloaded once)."
        titles = store.database.query("SELECT code, name FROM classifications WHERE scheme = 'nace_r2'")
        titles = dict(zip(titles["code"], titles["name"], strict=True))
        assert titles["C10"] == titles["10"] == "Manufacture of food products"
        assert titles["J62"] == DIVISIONS["J62"] and "B-N_S95_X_K" not in titles
        counts = store.table_counts()
        assert report.organisations == 6  # distinct PICs of the 7 participations
        assert counts["projects"] == 3 and counts["participations"] == 7
        projects = store.observations("cordis-h2020-projects")
        assert "CH" not in set(projects["region"])  # not in the NUTS tables: left out
        assert {"FR", "EL", "UK", "ES", "IT"} <= set(projects["region"])
    assert len(official.requests) == 4
    assert (cache / "eurostat").is_dir() and (cache / "cordis" / "cordis-h2020projects-csv.zip").is_file()
    with Store.open(tmp_path / "again.duckdb") as store:  # a second demo: everything from the cache
        again = load_demo(store, reference, online_sources=official.sources)
        assert again.datasets == report.datasets
        assert store.table_counts() == counts
    assert len(official.requests) == 4


def test_offline_names_both_ways_and_changes_nothing(reference, cache, tmp_path) -> None:
    down = refused_url().rsplit("/", 1)[0]
    sources = OnlineSources(eurostat_api=down, cordis_url=down + CORDIS_PATH)
    with Store.open(tmp_path / "demo.duckdb") as store:
        before = store.table_counts()
        for data_from in (None, reference):
            with pytest.raises(DataSourceError) as raised:
                load_demo(store, data_from, online_sources=sources)
            message = " ".join(str(raised.value).split())
            assert "--from DIR" in message and "run online" in message and "Cannot download" in message
        assert store.table_counts() == before


def test_a_broken_archive_is_reported(official, reference, cache) -> None:
    official.answer(CORDIS_PATH, (200, b"PK\x03\x04 not really a zip"))
    with pytest.raises(DataSourceError, match="not a valid zip file"):
        prepare_sources(reference, online_sources=official.sources)


def test_an_archive_without_the_files_is_reported(official, reference, cache) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("csv/project.csv", official_csv(PROJECT_ROWS))
    official.answer(CORDIS_PATH, (200, buffer.getvalue()))
    with pytest.raises(DataSourceError, match=r"lacks organization.csv \(it holds project.csv\)"):
        prepare_sources(reference, online_sources=official.sources)


def test_demo_command_online(official, reference, cache, tmp_path) -> None:
    target = tmp_path / "demo.duckdb"
    arguments = ["demo", "--from", str(reference), "--db", str(target), "--get", "/api/v1/datasets"]
    arguments += ["--eurostat-url", official.sources.eurostat_api, "--cordis-url", official.sources.cordis_url]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    items = json.loads(result.output.splitlines()[-1])["items"]
    assert [item["name"] for item in items] == ["eurostat-sbs-employment", "cordis-h2020", "cordis-h2020-projects"]
    sbs = items[0]
    assert sbs["measures"] == ["employment"] and sbs["periods"] == ["2019", "2020"]
    assert sbs["row_count"] == len(EXPECTED_SBS), sbs
    assert "Traceback" not in result.output


def test_demo_command_online_without_from(official, cache, tmp_path) -> None:
    pytest.importorskip("openpyxl", reason="the NUTS workbooks are read with openpyxl (the [io] extra)")
    cache.mkdir()
    _nuts_workbook(cache / "NUTS2013-NUTS2016.xlsx", 2013, 2016)  # downloaded before: the cache answers
    _nuts_workbook(cache / "NUTS2016-NUTS2021.xlsx", 2016, 2021)
    arguments = ["demo", "--db", str(tmp_path / "demo.duckdb"), "--get", "/api/v1/datasets"]
    arguments += ["--eurostat-url", official.sources.eurostat_api, "--cordis-url", official.sources.cordis_url]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    items = json.loads(result.output.splitlines()[-1])["items"]
    assert [item["name"] for item in items] == ["eurostat-sbs-employment", "cordis-h2020", "cordis-h2020-projects"]
    assert items[0]["row_count"] == len(EXPECTED_SBS)
    assert len(official.requests) == 4
    arguments[4] = "/api/v1/regions/DE11"  # the same store and cache again: nothing downloaded
    regions = CliRunner().invoke(app, arguments)
    assert regions.exit_code == 0, regions.output
    assert "Stuttgart" in regions.output
    assert len(official.requests) == 4
