"""Write the malformed-input corpus: one file per kind of bad input, for every reader.

Run ``python tests/data/bad/make_corpus.py`` from the project root after adding a case; it
rewrites the files and ``manifest.csv``. Each case is a file, the command that reads it and
the pieces of the one-line error that command must print (``tests/test_bad_corpus.py``).

Command templates name ``{file}`` (the case's file), ``{dir}`` (this folder), ``{db}`` (a
store that must stay as it was) and ``{reference}`` (the NUTS reference tables of
``../shared/data``); ``{out}`` is a fresh output path. Pieces are separated by `` | ``.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent

USER = "ingest csv {file} --db {db}"
USER_NUTS = "ingest csv {file} --db {db} --nuts-version 2021 --reference {reference}"
EUROSTAT = (
    "ingest eurostat {file} --db {db} --nuts-version 2021 --reference {reference} "
    "--activity-scheme nace_r2_1 --dimensions freq,unit,nace_r2,geo"
)
SDMX = "ingest eurostat {file} --db {db} --nuts-version 2021 --reference {reference} --activity-scheme nace_r2_1"
INDICATORS = "indicators {file} --out {out}"
CORDIS_ORGANISATIONS = "ingest cordis {file} --projects {dir}/cordis/good-project.csv --db {db}"
CORDIS_PROJECTS = "ingest cordis {dir}/cordis/good-organization.csv --projects {file} --db {db}"


@dataclass(frozen=True)
class Case:
    file: str  # relative to this folder
    content: Callable[[], bytes]
    command: str
    expected: tuple[str, ...]


def text(value: str, encoding: str = "utf-8") -> Callable[[], bytes]:
    return lambda: value.encode(encoding)


def gzipped(value: str, *, cut: int | None = None) -> Callable[[], bytes]:
    def make() -> bytes:
        data = gzip.compress(value.encode("utf-8"), mtime=0)
        return data[:cut] if cut is not None else data

    return make


def parquet(columns: dict[str, object], *, cut: int | None = None) -> Callable[[], bytes]:
    def make() -> bytes:
        import pyarrow as pa
        import pyarrow.parquet as pq

        sink = io.BytesIO()
        pq.write_table(pa.table(columns), sink)
        data = sink.getvalue()
        return data[:cut] if cut is not None else data

    return make


def workbook(sheets: dict[str, list[list[object]]], *, cut: int | None = None) -> Callable[[], bytes]:
    def make() -> bytes:
        from openpyxl import Workbook

        book = Workbook()
        book.remove(book.active)
        for name, rows in sheets.items():
            sheet = book.create_sheet(name)
            for row in rows:
                sheet.append(row)
        sink = io.BytesIO()
        book.save(sink)
        data = _fixed_zip_times(sink.getvalue())
        return data[:cut] if cut is not None else data

    return make


def _fixed_zip_times(data: bytes) -> bytes:
    """The same workbook bytes on every run (openpyxl stamps the time of writing)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = b'<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"/>'
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, body)
    return sink.getvalue()


GOOD_ROWS = "region,activity,value\nUKD1,0161,5\nUKD3,0161,3\n"
HTML = "<!DOCTYPE html>\n<html><head><title>Eurostat</title></head><body>Not found</body></html>\n"
TSV_HEADER = "freq,unit,nace_r2,geo\\TIME_PERIOD\t2019 \t2020 "
SDMX_HEADER = "DATAFLOW,LAST UPDATE,freq,unit,nace_r2,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG"
SDMX_ROW = "ESTAT:SBS_R_NUTS2021(1.0),01/01/26 00:00:00,A,NR,C10,{geo},2020,{value},"


def sdmx(*rows: tuple[str, str]) -> Callable[[], bytes]:
    return text("\n".join([SDMX_HEADER, *(SDMX_ROW.format(geo=geo, value=value) for geo, value in rows)]) + "\n")


# -- CORDIS: the official semicolon-separated files, quoted ------------------------------

PROJECT_COLUMNS = ["id", "acronym", "status", "title", "startDate", "endDate", "totalCost", "ecMaxContribution",
                   "legalBasis", "frameworkProgramme", "fundingScheme"]  # fmt: skip
ORGANISATION_COLUMNS = ["projectID", "projectAcronym", "organisationID", "name", "shortName", "SME",
                        "activityType", "city", "country", "nutsCode", "role", "ecContribution",
                        "totalCost"]  # fmt: skip
PROJECT = {"id": "792210", "acronym": "GeoFit", "status": "CLOSED", "title": "Geothermal systems",
           "startDate": "2018-09-01", "endDate": "2022-02-28", "totalCost": "9998043.75",
           "ecMaxContribution": "9998043.75", "legalBasis": "H2020-EU.3.3.2.", "frameworkProgramme": "H2020",
           "fundingScheme": "IA"}  # fmt: skip
ORGANISATIONS = [
    {"projectID": "792210", "projectAcronym": "GeoFit", "organisationID": "999990946",
     "name": "UNIVERSITE DE BORDEAUX", "shortName": "UBx", "SME": "false", "activityType": "HES",
     "city": "Bordeaux", "country": "FR", "nutsCode": "FR612", "role": "coordinator",
     "ecContribution": "2140000", "totalCost": "2140000"},
    {"projectID": "792210", "projectAcronym": "GeoFit", "organisationID": "928228018",
     "name": "COMET GLOBAL INNOVATION, SL", "shortName": "COMET", "SME": "true", "activityType": "PRC",
     "city": "Barcelona", "country": "ES", "nutsCode": "ES511", "role": "participant",
     "ecContribution": "284812.5", "totalCost": "406875"},
]  # fmt: skip


def official(rows: list[dict[str, str]], columns: list[str], **changes: str) -> str:
    rows = [dict(row) for row in rows]
    rows[-1].update(changes)

    def quoted(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    lines = [";".join(quoted(c) for c in columns)] + [";".join(quoted(r.get(c, "")) for c in columns) for r in rows]
    return "\n".join(lines) + "\n"


def organisations(**changes: str) -> Callable[[], bytes]:
    return text(official(ORGANISATIONS, ORGANISATION_COLUMNS, **changes))


def projects(**changes: str) -> Callable[[], bytes]:
    return text(official([PROJECT], PROJECT_COLUMNS, **changes))


def csv_rows(*rows: str, header: str = "region,activity,value") -> Callable[[], bytes]:
    return text("\n".join([header, *rows]) + "\n")


CASES = [
    # -- ingest csv: CSV text --------------------------------------------------------------
    Case("csv/empty.csv", text(""), USER, ("empty.csv", "the file is empty")),
    Case("csv/header-only.csv", csv_rows(), USER, ("header-only.csv", "a header but no data rows")),
    Case("csv/blank-lines-only.csv", text("region,activity,value\n\n\n\n"), USER, ("a header but no data rows",)),
    Case("csv/truncated.csv.gz", gzipped(GOOD_ROWS * 50, cut=60), USER, ("truncated.csv.gz", "damaged or truncated")),
    Case("csv/not-gzip.csv.gz", text(GOOD_ROWS), USER, ("not-gzip.csv.gz", "damaged or truncated")),
    Case("csv/gzip-named-csv.csv", gzipped(GOOD_ROWS), USER, ("gzip-named-csv.csv", "name it .csv.gz")),
    Case("csv/html-page.csv", text(HTML), USER, ("html-page.csv", "an HTML page", "download the file itself")),
    Case("csv/zip-named-csv.csv", workbook({"data": [["region"]]}), USER, ("zip-named-csv.csv", "a zip archive")),
    Case("csv/utf16-le.csv", text(GOOD_ROWS, "utf-16-le"), USER, ("utf16-le.csv", "UTF-16", "--encoding utf-16-le")),
    Case("csv/utf16-bom.csv", text(GOOD_ROWS, "utf-16"), USER, ("utf16-bom.csv", "--encoding utf-16")),
    Case(
        "csv/latin1-as-utf8.csv",
        text("region,activity,value\nÎle-de-France,0161,5\n", "latin-1"),
        USER,
        ("latin1-as-utf8.csv is not valid utf-8", "--encoding latin-1"),
    ),  # fmt: skip
    Case(
        "csv/cp1252-quote.csv",
        text("region,activity,value\n\u201cUKD1\u201d,0161,5\n", "cp1252"),
        USER,
        ("cp1252-quote.csv is not valid utf-8", "--encoding"),
    ),  # fmt: skip
    Case(
        "csv/unknown-encoding.csv",
        text(GOOD_ROWS),
        USER + " --encoding klingon-8",
        ("encoding", "'klingon-8'", "a known text encoding"),
    ),  # fmt: skip
    Case(
        "csv/semicolons.csv",
        text(GOOD_ROWS.replace(",", ";")),
        USER,
        ("semicolons.csv", "missing column(s)", "semicolon-separated"),
    ),  # fmt: skip
    Case("csv/tabs-named-csv.csv", text(GOOD_ROWS.replace(",", "\t")), USER, ("tabs-named-csv.csv", "tab-separated")),
    Case(
        "csv/missing-value-column.csv",
        csv_rows("UKD1,0161", header="region,activity"),
        USER,
        ("missing-value-column.csv", "missing column(s) ['value']"),
    ),  # fmt: skip
    Case(
        "csv/too-large-1e309.csv",
        csv_rows("UKD1,0161,5", "UKD3,0161,1e309"),
        USER,
        ("too-large-1e309.csv, line 3, column 'value'", "'1e309'", "not a finite number"),
    ),  # fmt: skip
    Case("csv/inf.csv", csv_rows("UKD1,0161,inf"), USER, ("inf.csv, line 2, column 'value'", "not a finite number")),
    Case(
        "csv/minus-infinity.csv",
        csv_rows("UKD1,0161,5", "UKD3,0161,-Infinity"),
        USER,
        ("minus-infinity.csv, line 3, column 'value'", "not a finite number"),
    ),  # fmt: skip
    Case("csv/nan-spelled.csv", csv_rows("UKD1,0161,NaN"), USER, ("nan-spelled.csv, line 2", "not a finite number")),
    Case(
        "csv/boolean-value.csv",
        csv_rows("UKD1,0161,true"),
        USER,
        ("boolean-value.csv, line 2", "'true' is not a number"),
    ),
    Case("csv/date-value.csv", csv_rows("UKD1,0161,2020-01-31"), USER, ("date-value.csv, line 2", "is not a number")),
    Case(
        "csv/flag-in-value.csv",
        csv_rows("UKD1,0161,5", "UKD3,0161,:"),
        USER,
        ("flag-in-value.csv, line 3, column 'value'", "':' is not a number"),
    ),  # fmt: skip
    Case(
        "csv/thousands-separator.csv",
        csv_rows('UKD1,0161,"1,234"'),
        USER,
        ("thousands-separator.csv, line 2", "'1,234' is not a number"),
    ),  # fmt: skip
    Case(
        "csv/negative.csv", csv_rows("UKD1,0161,5", "UKD3,0161,-3"), USER, ("negative.csv, line 3", "negative value -3")
    ),
    Case(
        "csv/duplicates.csv",
        csv_rows("UKD1,0161,5", "UKD1,0161,3"),
        USER,
        ("duplicates.csv, lines 2, 3", "duplicate observation"),
    ),  # fmt: skip
    Case(
        "csv/empty-region.csv",
        csv_rows("UKD1,0161,5", " ,0161,3"),
        USER,
        ("empty-region.csv, line 3", "the region is empty"),
    ),
    Case(
        "csv/missing-region.csv",
        csv_rows("UKD1,0161,5", ",0161,3"),
        USER,
        ("missing-region.csv, line 3", "the region is missing"),
    ),
    Case(
        "csv/control-character.csv",
        csv_rows("UKD1,0161,5", "UK\x07D3,0161,3"),
        USER,
        ("control-character.csv, line 3, column 'region'", "U+0007"),
    ),  # fmt: skip
    Case("csv/nul-bytes.csv", text(GOOD_ROWS + "UKD4\x00\x00,0161,1\n"), USER, ("nul-bytes.csv", "NUL bytes")),
    Case(
        "csv/unclosed-quote.csv",
        text('region,activity,value\nUKD1,0161,5\n"UKD3,0161,3\n' + "UKD4,0161,1\n" * 20),
        USER,
        ("unclosed-quote.csv", "EOF inside string"),
    ),  # fmt: skip
    Case(
        "csv/huge-field.csv",
        csv_rows("UKD1,0161,5", "U" * 100_000 + ",0161,3"),
        USER,
        ("huge-field.csv, line 3, column 'region'", "100,000 characters long"),
    ),  # fmt: skip
    Case(
        "csv/ragged-row.csv",
        csv_rows("UKD1,0161,5", "UKD3,0161,3,7,8"),
        USER,
        ("ragged-row.csv", "Expected 3 fields in line 3, saw 5"),
    ),
    Case(
        "csv/unknown-nuts.csv",
        csv_rows("UKD1,0161,5", "XX99,0161,3"),
        USER_NUTS,
        ("unknown-nuts.csv, line 3, column 'region'", "unknown NUTS 2021 region code 'XX99'"),
    ),  # fmt: skip
    Case(
        "csv/mixed-nuts-versions.csv",
        csv_rows("UKD1,0161,5", "UKM2,0161,3"),
        USER_NUTS,
        ("mixed-nuts-versions.csv, line 3, column 'region'", "'UKM2'"),
    ),  # fmt: skip
    Case(
        "csv/lowercase-codes-unknown.csv",
        csv_rows("ukd1,0161,5"),
        USER_NUTS,
        ("lowercase-codes-unknown.csv, line 2, column 'region'", "'ukd1'"),
    ),  # fmt: skip
    Case(
        "csv/sheet-on-csv.csv",
        text(GOOD_ROWS),
        USER + " --sheet data",
        ("sheet-on-csv.csv", "only be chosen in an Excel workbook"),
    ),
    # -- ingest csv: Parquet ------------------------------------------------------------
    Case(
        "csv/integer-region.parquet",
        parquet({"region": [1, 2], "activity": ["0161", "0161"], "value": [5.0, 3.0]}),
        USER,
        ("integer-region.parquet, row 1, column 'region'", "integers", "must be text"),
    ),  # fmt: skip
    Case(
        "csv/float-activity.parquet",
        parquet({"region": ["UKD1"], "activity": [161.0], "value": [5.0]}),
        USER,
        ("float-activity.parquet, row 1, column 'activity'", "numbers"),
    ),  # fmt: skip
    Case(
        "csv/boolean-value.parquet",
        parquet({"region": ["UKD1"], "activity": ["0161"], "value": [True]}),
        USER,
        ("boolean-value.parquet, row 1, column 'value'", "booleans"),
    ),  # fmt: skip
    Case(
        "csv/datetime-value.parquet",
        parquet({"region": ["UKD1"], "activity": ["0161"], "value": [dt.datetime(2020, 1, 31)]}),
        USER,
        ("datetime-value.parquet, row 1, column 'value'", "dates or times"),
    ),  # fmt: skip
    Case(
        "csv/infinite-value.parquet",
        parquet({"region": ["UKD1", "UKD3"], "activity": ["0161"] * 2, "value": [1.0, float("inf")]}),
        USER,
        ("infinite-value.parquet, row 2, column 'value'", "not a finite number"),
    ),  # fmt: skip
    Case(
        "csv/not-parquet.parquet",
        text(GOOD_ROWS),
        USER,
        ("not-parquet.parquet", "does not start with 'PAR1'", "looks like text"),
    ),
    Case(
        "csv/truncated.parquet",
        parquet({"region": ["UKD1"] * 100, "activity": ["0161"] * 100, "value": [1.0] * 100}, cut=200),
        USER,
        ("truncated.parquet", "the file is corrupted"),
    ),  # fmt: skip
    Case(
        "csv/missing-column.parquet",
        parquet({"region": ["UKD1"], "value": [1.0]}),
        USER,
        ("missing-column.parquet", "missing column(s) ['activity']"),
    ),  # fmt: skip
    # -- ingest csv: Excel ----------------------------------------------------------------
    Case("csv/not-a-workbook.xlsx", text(GOOD_ROWS), USER, ("not-a-workbook.xlsx", "not an Excel workbook")),
    Case("csv/html-named-xlsx.xlsx", text(HTML), USER, ("html-named-xlsx.xlsx", "not an Excel workbook", "HTML page")),
    Case(
        "csv/truncated.xlsx",
        workbook({"data": [["region", "activity", "value"], ["UKD1", "0161", 5]] * 20}, cut=900),
        USER,
        ("truncated.xlsx", "not a readable Excel workbook"),
    ),  # fmt: skip
    Case(
        "csv/date-value.xlsx",
        workbook({"data": [["region", "activity", "value"], ["UKD1", "0161", dt.date(2020, 1, 31)]]}),
        USER,
        ("date-value.xlsx, sheet 'data', row 2, column 'value'", "date or time"),
    ),  # fmt: skip
    Case(
        "csv/boolean-value.xlsx",
        workbook({"data": [["region", "activity", "value"], ["UKD1", "0161", True]]}),
        USER,
        ("boolean-value.xlsx, sheet 'data', row 2, column 'value'", "boolean True"),
    ),  # fmt: skip
    Case(
        "csv/numeric-activity.xlsx",
        workbook({"data": [["region", "activity", "value"], ["UKD1", 161, 5]]}),
        USER,
        (
            "numeric-activity.xlsx, sheet 'data', row 2, column 'activity'",
            "the number 161",
            "format the column as Text",
        ),
    ),  # fmt: skip
    Case(
        "csv/text-1e309.xlsx",
        workbook({"data": [["region", "activity", "value"], ["UKD1", "0161", "1e309"]]}),
        USER,
        ("text-1e309.xlsx, sheet 'data', row 2, column 'value'", "not a finite number"),
    ),  # fmt: skip
    Case(
        "csv/unknown-sheet.xlsx",
        workbook({"notes": [["read me"]], "data": [["region", "activity", "value"]]}),
        USER + " --sheet Daten",
        ("unknown-sheet.xlsx", "no sheet 'Daten'", "0: 'notes', 1: 'data'"),
    ),  # fmt: skip
    Case(
        "csv/sheet-index-out-of-range.xlsx",
        workbook({"data": [["region", "activity", "value"]]}),
        USER + " --sheet 3",
        ("sheet-index-out-of-range.xlsx", "no sheet '3'", "0: 'data'"),
    ),  # fmt: skip
    Case("csv/empty-sheet.xlsx", workbook({"data": []}), USER, ("empty-sheet.xlsx", "sheet 'data' is empty")),
    Case(
        "csv/first-sheet-is-notes.xlsx",
        workbook({"notes": [["read me"]], "data": [["region", "activity", "value"]]}),
        USER,
        ("first-sheet-is-notes.xlsx, sheet 'notes'", "missing column(s)"),
    ),  # fmt: skip
    # -- ingest eurostat: bulk TSV ----------------------------------------------------------
    Case("eurostat/empty.tsv", text(""), EUROSTAT, ("empty.tsv, line 1", "the file is empty")),
    Case(
        "eurostat/truncated-line.tsv",
        text(f"{TSV_HEADER}\nA,NR,C10,DE21\t10\t12 p\nA,NR,C10,DE22\t5\n"),
        EUROSTAT,
        ("truncated-line.tsv, line 3, column '2020'", "truncated"),
    ),  # fmt: skip
    Case(
        "eurostat/truncated.tsv.gz",
        gzipped(f"{TSV_HEADER}\n" + "A,NR,C10,DE21\t10\t12\n" * 200, cut=80),
        EUROSTAT,
        ("truncated.tsv.gz", "damaged or truncated"),
    ),  # fmt: skip
    Case(
        "eurostat/wrong-delimiter.tsv",
        text("freq,unit,nace_r2,geo,2019,2020\nA,NR,C10,DE21,10,12\n"),
        EUROSTAT,
        ("wrong-delimiter.tsv, line 1, column 'freq'", "no TIME_PERIOD"),
    ),  # fmt: skip
    Case(
        "eurostat/latin1-as-utf8.tsv",
        text(f"{TSV_HEADER}\nA,NR,C10,DE21\t10\t12\nA,Ré,C10,DE22\t5\t6\n", "latin-1"),
        EUROSTAT,
        ("latin1-as-utf8.tsv, line 3", "not valid utf-8", "encoding='latin-1'"),
    ),  # fmt: skip
    Case(
        "eurostat/unknown-encoding.tsv",
        text(f"{TSV_HEADER}\nA,NR,C10,DE21\t10\t12\n"),
        EUROSTAT + " --encoding ebcdic-x",
        ("encoding", "'ebcdic-x'"),
    ),  # fmt: skip
    Case(
        "eurostat/unknown-nuts.tsv",
        text(f"{TSV_HEADER}\nA,NR,C10,DE21\t10\t12\nA,NR,C10,XX99\t5\t6\n"),
        EUROSTAT,
        ("unknown-nuts.tsv, line 3, column 'region'", "unknown NUTS 2021 region code 'XX99'"),
    ),  # fmt: skip
    Case(
        "eurostat/mixed-nuts-versions.tsv",
        text(f"{TSV_HEADER}\nA,NR,C10,DE21\t10\t12\nA,NR,C10,UKM2\t5\t6\n"),
        EUROSTAT,
        ("mixed-nuts-versions.tsv, line 3, column 'region'", "'UKM2'"),
    ),  # fmt: skip
    Case(
        "eurostat/unknown-nace.tsv",
        text(f"{TSV_HEADER}\nA,NR,C10,DE21\t10\t12\nA,NR,C99,DE22\t5\t6\n"),
        EUROSTAT,
        ("unknown-nace.tsv, line 3, column 'activity'", "unknown nace_r2_1 activity code 'C99'"),
    ),  # fmt: skip
    Case(
        "eurostat/duplicate-keys.tsv",
        text(f"{TSV_HEADER}\nA,NR,C10,DE21\t10\t12\nA,NR,C10,DE21\t5\t6\n"),
        EUROSTAT,
        ("duplicate-keys.tsv, line 3", "repeats line 2"),
    ),  # fmt: skip
    Case(
        "eurostat/negative.tsv",
        text(f"{TSV_HEADER}\nA,NR,C10,DE21\t10\t12\nA,NR,C10,DE22\t-5\t6\n"),
        EUROSTAT,
        ("negative.tsv, line 3, column '2019'", "negative"),
    ),  # fmt: skip
    Case(
        "eurostat/too-large-1e309.tsv",
        text(f"{TSV_HEADER}\nA,NR,C10,DE21\t10\t12\nA,NR,C10,DE22\t1e309\t6\n"),
        EUROSTAT,
        ("too-large-1e309.tsv, line 3, column '2019'", "'1e309'", "not a finite number"),
    ),  # fmt: skip
    Case(
        "eurostat/other-dataset.tsv",
        text("freq,unit,isced11,geo\\TIME_PERIOD\t2019 \t2020 \nA,NR,ED5,DE21\t10\t12\n"),
        EUROSTAT,
        ("other-dataset.tsv, line 1", "header from a different Eurostat dataset"),
    ),  # fmt: skip
    Case("eurostat/html-page.tsv", text(HTML), EUROSTAT, ("html-page.tsv, line 1", "an HTML page")),
    Case(
        "eurostat/not-a-number.tsv",
        text(f"{TSV_HEADER}\nA,NR,C10,DE21\t10\tabc\n"),
        EUROSTAT,
        ("not-a-number.tsv, line 2, column '2020'", "'abc'"),
    ),  # fmt: skip
    # -- ingest eurostat: SDMX-CSV --------------------------------------------------------------
    Case(
        "sdmx/too-large-1e309.csv",
        sdmx(("DE21", "10"), ("DE22", "1e309")),
        SDMX,
        ("too-large-1e309.csv, line 3, column 'OBS_VALUE'", "'1e309'", "not a finite number"),
    ),  # fmt: skip
    Case(
        "sdmx/not-a-number.csv",
        sdmx(("DE21", "10"), ("DE22", "n/a")),
        SDMX,
        ("not-a-number.csv, line 3, column 'OBS_VALUE'", "'n/a' is not a number"),
    ),  # fmt: skip
    Case(
        "sdmx/unknown-nuts.csv",
        sdmx(("DE21", "10"), ("ZZ12", "5")),
        SDMX,
        ("unknown-nuts.csv, line 3", "unknown NUTS 2021 region code 'ZZ12'"),
    ),  # fmt: skip
    Case(
        "sdmx/duplicates.csv", sdmx(("DE21", "10"), ("DE21", "5")), SDMX, ("duplicates.csv, line 3", "repeats line 2")
    ),
    Case("sdmx/negative.csv", sdmx(("DE21", "10"), ("DE22", "-1")), SDMX, ("negative.csv, line 3", "negative")),
    Case(
        "sdmx/no-obs-value.csv",
        text(SDMX_HEADER.replace(",OBS_VALUE", "") + "\n"),
        SDMX,
        ("no-obs-value.csv, line 1", "no TIME_PERIOD and OBS_VALUE"),
    ),
    # -- ingest cordis: the official organisation and project files -------------------------
    Case("cordis/good-organization.csv", organisations(), "", ()),  # the partner of the project cases
    Case("cordis/good-project.csv", projects(), "", ()),  # the partner of the organisation cases
    Case(
        "cordis/unknown-activity-type.csv",
        organisations(activityType="XYZ"),
        CORDIS_ORGANISATIONS,
        ("unknown-activity-type.csv, line 3, column 'activityType'", "'XYZ'"),
    ),  # fmt: skip
    Case(
        "cordis/missing-name-column.csv",
        text(official(ORGANISATIONS, [c for c in ORGANISATION_COLUMNS if c != "name"])),
        CORDIS_ORGANISATIONS,
        ("missing-name-column.csv, line 1", "lacks the required column(s) name"),
    ),  # fmt: skip
    Case(
        "cordis/latin1-organisations.csv",
        text(official(ORGANISATIONS, ORGANISATION_COLUMNS, name="UNIVERSITÉ"), "latin-1"),
        CORDIS_ORGANISATIONS,
        ("latin1-organisations.csv, line 3", "not valid utf-8"),
    ),  # fmt: skip
    Case(
        "cordis/bad-start-date.csv",
        projects(startDate="2018-13-45"),
        CORDIS_PROJECTS,
        ("bad-start-date.csv, line 2, column 'startDate'", "'2018-13-45'"),
    ),  # fmt: skip
    Case(
        "cordis/infinite-cost.csv",
        projects(totalCost="1e309"),
        CORDIS_PROJECTS,
        ("infinite-cost.csv, line 2, column 'totalCost'", "'1e309'"),
    ),  # fmt: skip
    Case("cordis/empty-projects.csv", text(""), CORDIS_PROJECTS, ("empty-projects.csv, line 1", "the file is empty")),
    # -- indicators: a long table read straight from a file ---------------------------------
    Case(
        "indicators/too-large-1e309.csv",
        csv_rows("UKD1,0161,5", "UKD3,0162,1e309"),
        INDICATORS,
        ("too-large-1e309.csv (rows numbered by line", "infinite values", "row 3: value='1e309'"),
    ),  # fmt: skip
    Case(
        "indicators/duplicates.csv",
        csv_rows("UKD1,0161,5", "UKD1,0161,3"),
        INDICATORS,
        ("duplicates.csv (rows numbered by line", "Duplicate keys", "row 2", "row 3"),
    ),
    Case(
        "indicators/missing-column.csv",
        csv_rows("UKD1,5", header="region,value"),
        INDICATORS,
        ("missing-column.csv", "Missing column(s) ['activity']"),
    ),  # fmt: skip
    Case(
        "indicators/unknown-encoding.csv",
        text(GOOD_ROWS),
        INDICATORS + " --encoding no-such-codec",
        ("encoding", "'no-such-codec'", "a known text encoding"),
    ),
    Case(
        "indicators/unwritable-out.csv",
        csv_rows("UKD1,0161,5", "UKD3,0162,3", "UKD1,0162,2", "UKD3,0161,1"),
        "indicators {file} --out /proc/clusterix/out.csv",
        ("Cannot write /proc/clusterix/out.csv",),
    ),  # fmt: skip
    Case("indicators/html-page.csv", text(HTML), INDICATORS, ("html-page.csv", "an HTML page")),
]


def write_corpus(folder: Path = HERE) -> list[dict[str, str]]:
    """Write every case's file under ``folder`` and the manifest; return the manifest rows."""
    rows = []
    for case in CASES:
        path = folder / case.file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(case.content())
        rows.append({"file": case.file, "command": case.command, "expected": " | ".join(case.expected)})
    with open(folder / "manifest.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["file", "command", "expected"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


if __name__ == "__main__":
    written = write_corpus()
    print(json.dumps({"files": len(written)}))
