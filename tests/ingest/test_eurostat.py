"""Eurostat readers and downloads: small files in the official formats, and every bad file.

The files are written in tmp_path in the layouts Eurostat publishes: the TSV of the
dissemination API (``freq,...,geo\\TIME_PERIOD``, a trailing space after each value,
flags after it), the older bulk-download TSV (``...,geo\\time``, 2019Q1 / 2019M03
periods), and SDMX-CSV 1.0 and 2.0 (plain, ``labels=name`` and ``labels=both``).
The values are illustrative, not copied from a dataset.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pytest

from clusterix.errors import DataSourceError, InvalidInputError
from clusterix.ingest import downloads
from clusterix.ingest.eurostat import (
    TIDY_COLUMNS,
    _tidy,
    eurostat_dimensions,
    eurostat_structure,
    eurostat_url,
    fetch_eurostat,
    read_eurostat,
    read_eurostat_tsv,
    read_sdmx_csv,
)
from tests.ingest.test_downloads import refused_url, serve

# nama_10r_3empers-like: employment by NUTS region, API TSV layout.
API_TSV = (
    "freq,unit,wstatus,nace_r2,geo\\TIME_PERIOD\t2019 \t2020 \t2021 \n"
    "A,THS,EMP,C,DE11\t812.5 \t798.1 p\t: c\n"
    "A,THS,EMP,C,EL30\t95 e\t: \t101.2 bp\n"
    "A,THS,SAL,C,DE11\t700 \t:\t0 \n"
)


def expected_frame(rows: list[tuple]) -> pd.DataFrame:
    """The tidy frame with the readers' dtypes: Arrow-backed text, float values, int lines."""
    frame = pd.DataFrame(rows, columns=list(TIDY_COLUMNS))
    text = ["region", "activity", "time", "measure", "flag", "column"]
    return frame.astype({**dict.fromkeys(text, "str"), "value": "float64", "line": "int64"})


API_EXPECTED = expected_frame(
    [
        ("DE11", "C", "2019", "freq=A;unit=THS;wstatus=EMP", 812.5, None, 2, "2019"),
        ("DE11", "C", "2020", "freq=A;unit=THS;wstatus=EMP", 798.1, "p", 2, "2020"),
        ("DE11", "C", "2021", "freq=A;unit=THS;wstatus=EMP", np.nan, "c", 2, "2021"),
        ("EL30", "C", "2019", "freq=A;unit=THS;wstatus=EMP", 95.0, "e", 3, "2019"),
        ("EL30", "C", "2020", "freq=A;unit=THS;wstatus=EMP", np.nan, None, 3, "2020"),
        ("EL30", "C", "2021", "freq=A;unit=THS;wstatus=EMP", 101.2, "bp", 3, "2021"),
        ("DE11", "C", "2019", "freq=A;unit=THS;wstatus=SAL", 700.0, None, 4, "2019"),
        ("DE11", "C", "2020", "freq=A;unit=THS;wstatus=SAL", np.nan, None, 4, "2020"),
        ("DE11", "C", "2021", "freq=A;unit=THS;wstatus=SAL", 0.0, None, 4, "2021"),
    ]
)


def write(folder: Path, name: str, text: str, *, encoding: str = "utf-8") -> Path:
    path = folder / name
    data = text.encode(encoding)
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def read_all(path: Path, reader=read_eurostat_tsv, **options) -> pd.DataFrame:
    frames = list(reader(path, **options))
    assert frames, "the reader yielded nothing"
    for frame in frames:
        assert tuple(frame.columns) == TIDY_COLUMNS
    return pd.concat(frames, ignore_index=True)


def message_of(excinfo: pytest.ExceptionInfo) -> str:
    return str(excinfo.value)


# --------------------------------------------------------------------------------------
# TSV: the tidy output
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["nama_10r_3empers.tsv", "nama_10r_3empers.tsv.gz"], ids=["plain", "gzip"])
def test_api_tsv_gives_the_exact_tidy_frame(tmp_path, name) -> None:
    path = write(tmp_path, name, API_TSV)
    pd.testing.assert_frame_equal(read_all(path), API_EXPECTED)


def test_gzip_is_recognised_by_content_not_name(tmp_path) -> None:
    path = tmp_path / "download.bin"
    path.write_bytes(gzip.compress(API_TSV.encode()))
    pd.testing.assert_frame_equal(read_all(path), API_EXPECTED)


def test_flags_are_kept_in_every_spelling(tmp_path) -> None:
    text = (
        "unit,nace_r2,geo\\TIME_PERIOD\t2018 \t2019 \t2020 \t2021 \t2022 \t2023 \n"
        "NR,C10,AT11\t1 u\t2 d\t3 r\t: z\t: bc\t4 s\n"
        # Non-standard spacing: a flag glued to the number, leading and double spaces.
        "NR,C11,AT11\t5p\t  6 \t7  e\t:c\t-0 \t.5 f\n"
    )
    frame = read_all(write(tmp_path, "flags.tsv", text))
    assert frame["flag"].fillna("-").tolist() == ["u", "d", "r", "z", "bc", "s", "p", "-", "e", "c", "-", "f"]
    np.testing.assert_array_equal(frame["value"].to_numpy(), [1, 2, 3, np.nan, np.nan, 4, 5, 6, 7, np.nan, 0, 0.5])
    assert frame["line"].tolist() == [2] * 6 + [3] * 6


def test_old_bulk_tsv_with_time_header_and_compact_periods(tmp_path) -> None:
    text = "s_adj,nace_r2,geo\\time\t2019Q2 \t2019Q1 \nNSA,C,FR10\t1.5 \t2 \n"
    frame = read_all(write(tmp_path, "old.tsv", text))
    assert frame["time"].tolist() == ["2019-Q2", "2019-Q1"]
    assert frame["column"].tolist() == ["2019Q2", "2019Q1"]
    assert frame["measure"].tolist() == ["s_adj=NSA", "s_adj=NSA"]
    assert eurostat_dimensions(tmp_path / "old.tsv") == ("s_adj", "nace_r2", "geo")


@pytest.mark.parametrize(
    ("column", "period"),
    [
        ("2019", "2019"),
        ("2019-Q3", "2019-Q3"),
        ("2019Q3", "2019-Q3"),
        ("2019-03", "2019-03"),
        ("2019M03", "2019-03"),
        ("2019-S2", "2019-S2"),
        ("2019S2", "2019-S2"),
        ("2019-W05", "2019-W05"),
        ("2019W05", "2019-W05"),
        ("2019-03-31", "2019-03-31"),
    ],
)
def test_periods_use_the_notation_of_the_api(tmp_path, column, period) -> None:
    path = write(tmp_path, "p.tsv", f"freq,geo\\TIME_PERIOD\t{column} \nA,DE\t1 \n")
    frame = read_all(path)
    assert frame["time"].tolist() == [period]
    assert frame["column"].tolist() == [column]


def test_activity_dimension_choice(tmp_path) -> None:
    path = write(tmp_path, "a.tsv", API_TSV)
    none = read_all(path, activity_dimension=None)
    assert (none["activity"] == "").all()
    assert none["measure"][0] == "freq=A;unit=THS;wstatus=EMP;nace_r2=C"
    chosen = read_all(path, activity_dimension="wstatus")
    assert chosen["activity"].tolist()[:4] == ["EMP", "EMP", "EMP", "EMP"]
    assert chosen["measure"][0] == "freq=A;unit=THS;nace_r2=C"


def test_auto_activity_takes_the_first_known_classification(tmp_path) -> None:
    path = write(tmp_path, "cpa.tsv", "unit,cpa2_1,geo\\TIME_PERIOD\t2020 \nNR,CPA_C10,SE\t3 \n")
    assert read_all(path)["activity"].tolist() == ["CPA_C10"]
    path = write(tmp_path, "none.tsv", "unit,geo\\TIME_PERIOD\t2020 \nNR,SE\t3 \n")
    frame = read_all(path)
    assert frame["activity"].tolist() == [""]
    assert frame["measure"].tolist() == ["unit=NR"]


def test_no_other_dimensions_give_an_empty_measure(tmp_path) -> None:
    path = write(tmp_path, "m.tsv", "nace_r2,geo\\TIME_PERIOD\t2020 \nC,SE\t3 \n")
    assert read_all(path)["measure"].tolist() == [""]


def test_blank_lines_and_crlf_keep_line_numbers_right(tmp_path) -> None:
    text = API_TSV.replace("\n", "\r\n").replace("\r\nA,THS,SAL", "\r\n\r\nA,THS,SAL") + "\r\n"
    frame = read_all(write(tmp_path, "crlf.tsv", text))
    assert frame["line"].tolist() == [2, 2, 2, 3, 3, 3, 5, 5, 5]
    assert frame["value"].equals(API_EXPECTED["value"])


def test_chunks_are_bounded_and_join_to_the_whole(tmp_path) -> None:
    lines = [f"A,NR,C{i:02d},DE{i:02d}\t{i} \t{i + 0.5} p" for i in range(40)]
    path = write(tmp_path, "c.tsv.gz", "freq,unit,nace_r2,geo\\TIME_PERIOD\t2020 \t2021 \n" + "\n".join(lines))
    frames = list(read_eurostat_tsv(path, chunk_rows=6))
    assert len(frames) >= 14
    assert all(len(frame) <= 6 for frame in frames)
    whole = pd.concat(frames, ignore_index=True)
    pd.testing.assert_frame_equal(whole, read_all(path))
    assert whole["line"].tolist() == [line for line in range(2, 42) for _ in range(2)]
    assert whole["value"].tolist()[-2:] == [39.0, 39.5]


def test_a_header_is_checked_when_the_reader_is_made(tmp_path) -> None:
    path = write(tmp_path, "x.tsv", "no header here\n")
    with pytest.raises(InvalidInputError):
        read_eurostat_tsv(path)  # before any iteration


def test_dimensions_of_a_file(tmp_path) -> None:
    assert eurostat_dimensions(write(tmp_path, "d.tsv.gz", API_TSV)) == (
        "freq",
        "unit",
        "wstatus",
        "nace_r2",
        "geo",
    )


# --------------------------------------------------------------------------------------
# TSV: every bad file names file, line and column
# --------------------------------------------------------------------------------------


def test_empty_file(tmp_path) -> None:
    path = write(tmp_path, "empty.tsv", "")
    with pytest.raises(InvalidInputError) as raised:
        read_eurostat_tsv(path)
    assert message_of(raised).startswith(f"{path}, line 1, column 1: the file is empty")


def test_header_without_data(tmp_path) -> None:
    path = write(tmp_path, "header.tsv", API_TSV.splitlines()[0] + "\n")
    with pytest.raises(InvalidInputError) as raised:
        list(read_eurostat_tsv(path))
    assert message_of(raised) == (
        f"{path}, line 2, column 'freq,unit,wstatus,nace_r2,geo\\TIME_PERIOD': the file has a header but no data lines."
    )


@pytest.mark.parametrize("name", ["cut.tsv", "cut.tsv.gz"])
def test_truncated_last_line(tmp_path, name) -> None:
    text = API_TSV + "A,THS,SAL,C,EL30\t12 "
    path = write(tmp_path, name, text)
    with pytest.raises(InvalidInputError) as raised:
        list(read_eurostat_tsv(path))
    message = message_of(raised)
    assert message.startswith(f"{path}, line 5, column '2020': the line has 2 of the 4 fields")
    assert "truncated" in message


def test_a_line_with_too_many_fields(tmp_path) -> None:
    text = API_TSV.replace("700 \t:\t0 ", "700 \t:\t0 \t5 ")
    path = write(tmp_path, "extra.tsv", text)
    with pytest.raises(InvalidInputError) as raised:
        list(read_eurostat_tsv(path))
    assert message_of(raised).startswith(f"{path}, line 4, column 5: the line has 5 fields but the header has 4")


def test_truncated_gzip_stream(tmp_path) -> None:
    lines = "".join(f"A,NR,C,R{i:05d}\t{i} \t{i} \n" for i in range(20000))
    data = gzip.compress(("freq,unit,nace_r2,geo\\TIME_PERIOD\t2020 \t2021 \n" + lines).encode())
    path = tmp_path / "cut.tsv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataSourceError) as raised:
        list(read_eurostat_tsv(path))
    message = message_of(raised)
    assert message.startswith(f"{path}, line ")
    assert "column 1" in message
    assert "damaged or truncated" in message


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("freq,unit,geo,2019,2020\nA,NR,DE,1,2\n", "comma"),
        ("freq;unit;geo;2019;2020\nA;NR;DE;1;2\n", "semicolon"),
    ],
)
def test_wrong_delimiter(tmp_path, text, kind) -> None:
    path = write(tmp_path, "wrong.tsv", text)
    with pytest.raises(InvalidInputError) as raised:
        read_eurostat_tsv(path)
    message = message_of(raised)
    assert message.startswith(f"{path}, line 1, column 1: the header has no tab; the file looks {kind}-separated")
    assert "read_sdmx_csv" in message


def test_sdmx_csv_given_as_tsv(tmp_path) -> None:
    path = write(tmp_path, "data.tsv", SDMX_1)
    with pytest.raises(InvalidInputError, match="comma-separated"):
        read_eurostat_tsv(path)


def test_header_without_time_dimension(tmp_path) -> None:
    path = write(tmp_path, "plain.tsv", "region\tactivity\tvalue\nDE11\tC10\t3\n")
    with pytest.raises(InvalidInputError) as raised:
        read_eurostat_tsv(path)
    assert message_of(raised).startswith(f"{path}, line 1, column 'region': this is not a Eurostat TSV header")


def test_header_from_a_different_dataset(tmp_path) -> None:
    path = write(tmp_path, "sbs_r_nuts06_r2.tsv", API_TSV)  # really nama_10r_3empers
    with pytest.raises(InvalidInputError) as raised:
        read_eurostat_tsv(path, expected_dimensions=["freq", "nace_r2", "indic_sb", "geo"])
    message = message_of(raised)
    assert message.startswith(f"{path}, line 1, column 'freq,unit,wstatus,nace_r2,geo\\TIME_PERIOD': ")
    assert "header from a different Eurostat dataset" in message
    assert "(freq, unit, wstatus, nace_r2, geo)" in message
    assert "(freq, nace_r2, indic_sb, geo)" in message
    # The same dimensions in another order are the same dataset.
    read_eurostat_tsv(path, expected_dimensions=["geo", "nace_r2", "wstatus", "unit", "freq"])


@pytest.mark.parametrize("bad", ["12,3 p", "abc", "1 234", "nan", "12.3 P", "12.3 p1"])
def test_a_value_that_is_not_a_number(tmp_path, bad) -> None:
    path = write(tmp_path, "bad.tsv", API_TSV.replace("95 e", bad))
    with pytest.raises(InvalidInputError) as raised:
        list(read_eurostat_tsv(path))
    assert message_of(raised) == (
        f"{path}, line 3, column '2019': value {bad!r} is not a number; Eurostat values look like '12.3 p' or ':'."
    )


def test_an_empty_value(tmp_path) -> None:
    path = write(tmp_path, "empty_cell.tsv", API_TSV.replace("\t: \t", "\t\t"))
    with pytest.raises(InvalidInputError) as raised:
        list(read_eurostat_tsv(path))
    assert message_of(raised).startswith(f"{path}, line 3, column '2020': value '' is empty")


def test_the_first_bad_value_in_file_order_is_named(tmp_path) -> None:
    # Column 2019 of line 4 and column 2021 of line 3: line 3 comes first.
    path = write(tmp_path, "two.tsv", API_TSV.replace("700 ", "x").replace("101.2 bp", "y"))
    with pytest.raises(InvalidInputError, match=r"line 3, column '2021': value 'y'"):
        list(read_eurostat_tsv(path))


def test_negative_values_are_refused_unless_allowed(tmp_path) -> None:
    path = write(tmp_path, "neg.tsv", API_TSV.replace("798.1 p", "-798.1 p"))
    with pytest.raises(InvalidInputError) as raised:
        list(read_eurostat_tsv(path))
    message = message_of(raised)
    assert message.startswith(f"{path}, line 2, column '2020': value '-798.1 p' is negative")
    assert "allow_negative=True" in message
    frame = read_all(path, allow_negative=True)
    assert frame["value"][1] == -798.1
    assert frame["flag"][1] == "p"


def test_latin1_file_read_as_utf8(tmp_path) -> None:
    text = API_TSV + "A,THS,EMP,C,Zürich\t1 \t2 \t3 \n"
    path = write(tmp_path, "latin.tsv", text, encoding="latin-1")
    with pytest.raises(InvalidInputError) as raised:
        list(read_eurostat_tsv(path))
    message = message_of(raised)
    assert message.startswith(f"{path}, line 5, column 'freq,unit,wstatus,nace_r2,geo\\TIME_PERIOD': byte 14 ")
    assert "(0xfc)" in message
    assert "pass encoding='latin-1'" in message
    frame = read_all(path, encoding="latin-1")
    assert frame["region"].tolist()[-1] == "Zürich"


def test_latin1_in_the_header(tmp_path) -> None:
    path = write(tmp_path, "latin_header.tsv", "unit,géo\\TIME_PERIOD\t2020 \nNR,DE\t1 \n", encoding="latin-1")
    with pytest.raises(InvalidInputError) as raised:
        read_eurostat_tsv(path)
    assert message_of(raised).startswith(f"{path}, line 1, column 1: byte 7 of the line (0xe9)")


def test_a_repeated_series_key(tmp_path) -> None:
    text = API_TSV + "A,THS,EMP,C,DE11\t1 \t2 \t3 \n"
    path = write(tmp_path, "dup.tsv", text)
    with pytest.raises(InvalidInputError) as raised:
        list(read_eurostat_tsv(path))
    message = message_of(raised)
    assert message.startswith(f"{path}, line 5, column 'freq,unit,wstatus,nace_r2,geo\\TIME_PERIOD': ")
    assert "the key (A,THS,EMP,C,DE11) repeats line 2" in message


def test_a_repeated_series_key_in_a_later_chunk(tmp_path) -> None:
    lines = [f"A,NR,C,R{i:03d}\t{i} " for i in range(50)] + ["A,NR,C,R007\t1 "]
    path = write(tmp_path, "dup.tsv.gz", "freq,unit,nace_r2,geo\\TIME_PERIOD\t2020 \n" + "\n".join(lines) + "\n")
    with pytest.raises(InvalidInputError, match=r"line 52, .*repeats line 9"):
        list(read_eurostat_tsv(path, chunk_rows=5))


def test_a_hash_collision_is_not_a_repeat(tmp_path, monkeypatch) -> None:
    # Every key hashes alike: the reader must confirm on the text and carry on.
    monkeypatch.setattr(_tidy, "_hash_strings", lambda keys: np.zeros(len(keys), dtype=np.uint64))
    path = write(tmp_path, "ok.tsv", API_TSV)
    pd.testing.assert_frame_equal(read_all(path, chunk_rows=3), API_EXPECTED)


def test_a_period_twice_in_the_header(tmp_path) -> None:
    path = write(tmp_path, "twice.tsv", "freq,geo\\TIME_PERIOD\t2019Q1 \t2019-Q1 \nA,DE\t1 \t2 \n")
    with pytest.raises(InvalidInputError) as raised:
        read_eurostat_tsv(path)
    assert message_of(raised) == f"{path}, line 1, column '2019-Q1': the period 2019-Q1 appears twice in the header."


def test_a_header_cell_that_is_not_a_period(tmp_path) -> None:
    path = write(tmp_path, "p.tsv", "freq,geo\\TIME_PERIOD\t2019 \ttotal \nA,DE\t1 \t2 \n")
    with pytest.raises(InvalidInputError, match=r"line 1, column 'total': 'total' is not a Eurostat time period"):
        read_eurostat_tsv(path)


def test_a_series_key_with_the_wrong_number_of_codes(tmp_path) -> None:
    path = write(tmp_path, "k.tsv", API_TSV.replace("A,THS,SAL,C,DE11", "A,THS,C,DE11"))
    with pytest.raises(InvalidInputError) as raised:
        list(read_eurostat_tsv(path))
    assert message_of(raised).startswith(
        f"{path}, line 4, column 'freq,unit,wstatus,nace_r2,geo\\TIME_PERIOD': the series key 'A,THS,C,DE11' "
        "should have 5 non-empty codes"
    )


def test_a_series_key_with_an_empty_code(tmp_path) -> None:
    path = write(tmp_path, "k.tsv", API_TSV.replace("A,THS,SAL,C,DE11", "A,THS,,C,DE11"))
    with pytest.raises(InvalidInputError, match=r"line 4, .*'A,THS,,C,DE11' should have 5 non-empty codes"):
        list(read_eurostat_tsv(path))


def test_a_dataset_without_regions(tmp_path) -> None:
    path = write(tmp_path, "eu.tsv", "freq,unit\\TIME_PERIOD\t2020 \nA,NR\t1 \n")
    with pytest.raises(InvalidInputError, match=r"line 1, column 'freq,unit\\TIME_PERIOD': .* no 'geo'"):
        read_eurostat_tsv(path)


def test_an_unknown_activity_dimension(tmp_path) -> None:
    path = write(tmp_path, "a.tsv", API_TSV)
    with pytest.raises(InvalidInputError, match=r"line 1, .*activity_dimension='nace_r1' is not a dimension"):
        read_eurostat_tsv(path, activity_dimension="nace_r1")


def test_missing_file_and_bad_options(tmp_path) -> None:
    with pytest.raises(DataSourceError, match="No such input file"):
        read_eurostat_tsv(tmp_path / "absent.tsv")
    path = write(tmp_path, "a.tsv", API_TSV)
    with pytest.raises(InvalidInputError, match=r"The 'chunk_rows' parameter of read_eurostat_tsv must be an int"):
        read_eurostat_tsv(path, chunk_rows=0)
    with pytest.raises(InvalidInputError, match=r"The 'activity_dimension' parameter of read_sdmx_csv"):
        read_sdmx_csv(path, activity_dimension=3)
    with pytest.raises(InvalidInputError, match=r"The 'expected_dimensions' parameter of read_eurostat_tsv"):
        read_eurostat_tsv(path, expected_dimensions="freq,unit,geo")


# --------------------------------------------------------------------------------------
# SDMX-CSV 1.0 and 2.0
# --------------------------------------------------------------------------------------

SDMX_1 = (
    "DATAFLOW,LAST UPDATE,freq,unit,wstatus,nace_r2,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
    "ESTAT:NAMA_10R_3EMPERS(1.0),26/01/24 23:00:00,A,THS,EMP,C,DE11,2019,812.5,\n"
    "ESTAT:NAMA_10R_3EMPERS(1.0),26/01/24 23:00:00,A,THS,EMP,C,DE11,2020,798.1,p\n"
    "ESTAT:NAMA_10R_3EMPERS(1.0),26/01/24 23:00:00,A,THS,EMP,C,DE11,2021,,c\n"
    "ESTAT:NAMA_10R_3EMPERS(1.0),26/01/24 23:00:00,A,THS,EMP,C,EL30,2019,95,e\n"
    "ESTAT:NAMA_10R_3EMPERS(1.0),26/01/24 23:00:00,A,THS,EMP,C,EL30,2021,101.2,bp\n"
)

SDMX_1_EXPECTED = expected_frame(
    [
        ("DE11", "C", "2019", "freq=A;unit=THS;wstatus=EMP", 812.5, None, 2, "OBS_VALUE"),
        ("DE11", "C", "2020", "freq=A;unit=THS;wstatus=EMP", 798.1, "p", 3, "OBS_VALUE"),
        ("DE11", "C", "2021", "freq=A;unit=THS;wstatus=EMP", np.nan, "c", 4, "OBS_VALUE"),
        ("EL30", "C", "2019", "freq=A;unit=THS;wstatus=EMP", 95.0, "e", 5, "OBS_VALUE"),
        ("EL30", "C", "2021", "freq=A;unit=THS;wstatus=EMP", 101.2, "bp", 6, "OBS_VALUE"),
    ]
)

# SDMX-CSV 2.0 as the SDMX 3.0 API writes it; confidentiality in its own attribute.
SDMX_2 = (
    "STRUCTURE,STRUCTURE_ID,ACTION,freq,unit,wstatus,nace_r2,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS\n"
    "dataflow,ESTAT:NAMA_10R_3EMPERS(1.0),I,A,THS,EMP,C,DE11,2019,812.5,,F\n"
    "dataflow,ESTAT:NAMA_10R_3EMPERS(1.0),I,A,THS,EMP,C,DE11,2020,798.1,p,\n"
    "dataflow,ESTAT:NAMA_10R_3EMPERS(1.0),I,A,THS,EMP,C,DE11,2021,,,C\n"
    "dataflow,ESTAT:NAMA_10R_3EMPERS(1.0),I,A,THS,EMP,C,EL30,2019,95,e,\n"
    "dataflow,ESTAT:NAMA_10R_3EMPERS(1.0),I,A,THS,EMP,C,EL30,2021,101.2,bp,\n"
)

# labels=name: a label column after each code column.
SDMX_2_NAMES = (
    "STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,freq,Time frequency,unit,Unit of measure,wstatus,"
    "Activity and employment status,nace_r2,Statistical classification of economic activities,geo,"
    "Geopolitical entity (reporting),TIME_PERIOD,Time,OBS_VALUE,Observation value,OBS_FLAG,"
    "Observation status (Flag) V2 structure,CONF_STATUS,Confidentiality status (flag)\n"
    + "".join(
        f'dataflow,ESTAT:NAMA_10R_3EMPERS(1.0),"Employment, thousands",A,Annual,THS,Thousand persons,EMP,'
        f"Employed persons,C,Manufacturing,{geo},{name},{year},,{value},,"
        f"{flag},{flag_name},{conf},{conf_name}\n"
        for geo, name, year, value, flag, flag_name, conf, conf_name in [
            ("DE11", "Stuttgart", "2019", "812.5", "", "", "F", "Free"),
            ("DE11", "Stuttgart", "2020", "798.1", "p", "provisional", "", ""),
            ("DE11", "Stuttgart", "2021", "", "", "", "C", "Confidential"),
            ("EL30", "Attiki", "2019", "95", "e", "estimated", "", ""),
            ("EL30", "Attiki", "2021", "101.2", "bp", '"break in series, provisional"', "", ""),
        ]
    )
)

# labels=both: 'code: label' in the header and in coded cells.
SDMX_2_BOTH = (
    "STRUCTURE,STRUCTURE_ID,ACTION,freq: Time frequency,unit: Unit of measure,wstatus: Activity status,"
    "nace_r2: NACE Rev. 2,geo: Geopolitical entity,TIME_PERIOD: Time,OBS_VALUE: Observation value,"
    "OBS_FLAG: Observation status\n"
    + "".join(
        f"dataflow,ESTAT:NAMA_10R_3EMPERS(1.0): Employment,I,A: Annual,THS: Thousand persons,EMP: Employed,"
        f"C: Manufacturing,{geo},{year},{value},{flag}\n"
        for geo, year, value, flag in [
            ("DE11: Stuttgart", "2019", "812.5", ""),
            ("DE11: Stuttgart", "2020", "798.1", "p: provisional"),
            ("DE11: Stuttgart", "2021", "", "c: confidential"),
            ("EL30: Attiki", "2019", "95", "e: estimated"),
            ("EL30: Attiki", "2021", "101.2", "bp"),
        ]
    )
)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (SDMX_1, "sdmx1.csv"),
        (SDMX_1, "sdmx1.csv.gz"),
        (SDMX_2, "sdmx2.csv"),
        (SDMX_2_NAMES, "sdmx2_names.csv"),
        (SDMX_2_BOTH, "sdmx2_both.csv.gz"),
    ],
    ids=["1.0", "1.0-gzip", "2.0", "2.0-labels-name", "2.0-labels-both"],
)
def test_sdmx_csv_gives_the_exact_tidy_frame(tmp_path, text, name) -> None:
    path = write(tmp_path, name, text)
    pd.testing.assert_frame_equal(read_all(path, read_sdmx_csv), SDMX_1_EXPECTED)
    assert eurostat_dimensions(path) == ("freq", "unit", "wstatus", "nace_r2", "geo")


def test_sdmx_csv_and_tsv_give_the_same_observations(tmp_path) -> None:
    tsv = read_all(write(tmp_path, "a.tsv", API_TSV)).dropna(subset=["value", "flag"], how="all")
    sdmx = read_all(write(tmp_path, "a.csv", SDMX_1), read_sdmx_csv)
    keys = ["region", "activity", "time", "measure", "value", "flag"]
    left = tsv[keys].iloc[:5].reset_index(drop=True)
    pd.testing.assert_frame_equal(left, sdmx[keys])


def test_read_eurostat_chooses_the_reader(tmp_path) -> None:
    pd.testing.assert_frame_equal(read_all(write(tmp_path, "a.tsv.gz", API_TSV), read_eurostat), API_EXPECTED)
    pd.testing.assert_frame_equal(read_all(write(tmp_path, "a.csv", SDMX_1), read_eurostat), SDMX_1_EXPECTED)


def test_sdmx_quarterly_periods_and_chunks(tmp_path) -> None:
    rows = "".join(f"ESTAT:X(1.0),01/01/24 00:00:00,Q,NR,C,DE{i:02d},2020Q{q},{i},\n" for i in range(5) for q in (1, 2))
    path = write(
        tmp_path,
        "q.csv",
        "DATAFLOW,LAST UPDATE,freq,unit,nace_r2,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n" + rows,
    )
    frames = list(read_sdmx_csv(path, chunk_rows=3))
    assert [len(frame) for frame in frames] == [3, 3, 3, 1]
    whole = pd.concat(frames, ignore_index=True)
    assert whole["time"].tolist()[:2] == ["2020-Q1", "2020-Q2"]
    assert whole["line"].tolist() == list(range(2, 12))


def test_sdmx_value_that_is_not_a_number(tmp_path) -> None:
    path = write(tmp_path, "bad.csv", SDMX_1.replace(",95,e", ',"12,3",e'))
    with pytest.raises(InvalidInputError) as raised:
        list(read_sdmx_csv(path))
    assert message_of(raised).startswith(f"{path}, line 5, column 'OBS_VALUE': value '12,3' is not a number")


def test_sdmx_negative_value(tmp_path) -> None:
    path = write(tmp_path, "neg.csv", SDMX_1.replace(",95,e", ",-95,e"))
    with pytest.raises(InvalidInputError, match=r"line 5, column 'OBS_VALUE': value '-95' is negative"):
        list(read_sdmx_csv(path))
    assert read_all(path, read_sdmx_csv, allow_negative=True)["value"][3] == -95.0


def test_sdmx_repeated_observation(tmp_path) -> None:
    path = write(tmp_path, "dup.csv", SDMX_1 + SDMX_1.splitlines()[2] + "\n")
    with pytest.raises(InvalidInputError) as raised:
        list(read_sdmx_csv(path))
    assert message_of(raised).startswith(
        f"{path}, line 7, column 'TIME_PERIOD': the key (A, THS, EMP, C, DE11, 2020) repeats line 3"
    )


def test_sdmx_truncated_last_line(tmp_path) -> None:
    path = write(tmp_path, "cut.csv", SDMX_1 + "ESTAT:NAMA_10R_3EMPERS(1.0),26/01/24 23:00:00,A,THS")
    with pytest.raises(InvalidInputError) as raised:
        list(read_sdmx_csv(path))
    assert message_of(raised).startswith(f"{path}, line 7, column 'wstatus': the line has 4 of the 10 fields")


def test_sdmx_from_a_different_dataset(tmp_path) -> None:
    path = write(tmp_path, "other.csv", SDMX_1)
    with pytest.raises(InvalidInputError) as raised:
        read_sdmx_csv(path, expected_dimensions=("freq", "nace_r2", "indic_sb", "geo"))
    assert message_of(raised).startswith(f"{path}, line 1, column 'freq': header from a different Eurostat dataset")


def test_sdmx_bad_period(tmp_path) -> None:
    path = write(tmp_path, "p.csv", SDMX_1.replace(",2021,101.2", ",twenty,101.2"))
    with pytest.raises(InvalidInputError, match=r"line 6, column 'TIME_PERIOD': 'twenty' is not a Eurostat time"):
        list(read_sdmx_csv(path))


@pytest.mark.parametrize(
    ("text", "hint"),
    [(API_TSV, "read it with read_eurostat_tsv"), ("a;b;c\n1;2;3\n", "semicolon-separated"), ("", "empty")],
)
def test_not_sdmx_csv(tmp_path, text, hint) -> None:
    path = write(tmp_path, "x.csv", text)
    with pytest.raises(InvalidInputError) as raised:
        read_sdmx_csv(path)
    assert message_of(raised).startswith(f"{path}, line 1, column ")
    assert hint in message_of(raised)


def test_sdmx_latin1(tmp_path) -> None:
    path = write(tmp_path, "l.csv", SDMX_1.replace("EL30,2019", "Zürich,2019"), encoding="latin-1")
    with pytest.raises(InvalidInputError, match=r"line 5, column 'geo': .*pass encoding='latin-1'"):
        list(read_sdmx_csv(path))
    assert read_all(path, read_sdmx_csv, encoding="latin-1")["region"][3] == "Zürich"


# --------------------------------------------------------------------------------------
# The dissemination API: URLs (pure) and downloads (local HTTP server)
# --------------------------------------------------------------------------------------

DIMENSIONS = ["freq", "unit", "wstatus", "nace_r2", "geo"]
API = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1"


def test_url_of_a_whole_dataset() -> None:
    assert eurostat_url("nama_10r_3empers") == f"{API}/data/nama_10r_3empers?format=TSV&compressed=true"
    assert eurostat_url("nama_10r_3empers", format="sdmx-csv", start="2015", end="2020-Q4") == (
        f"{API}/data/nama_10r_3empers?format=SDMX-CSV&compressed=true&startPeriod=2015&endPeriod=2020-Q4"
    )


def test_url_key_follows_the_dimension_order() -> None:
    url = eurostat_url(
        "nama_10r_3empers", filters={"geo": ["FR10", "DE11", "DE11"], "unit": "THS"}, dimensions=DIMENSIONS
    )
    assert url == f"{API}/data/nama_10r_3empers/.THS...DE11+FR10?format=TSV&compressed=true"
    every = {name: [f"X{i}"] for i, name in enumerate(DIMENSIONS)}
    assert "/X0.X1.X2.X3.X4?" in eurostat_url("d", filters=every, dimensions=DIMENSIONS, base_url="http://h/")


@pytest.mark.parametrize(
    ("arguments", "parameter"),
    [
        ({"dataset": "nama/../x"}, "dataset"),
        ({"dataset": "x", "format": "json"}, "format"),
        ({"dataset": "x", "start": "last year"}, "start"),
        ({"dataset": "x", "filters": {"geo": ["DE"]}}, "dimensions"),
        ({"dataset": "x", "filters": {"nuts": ["DE"]}, "dimensions": DIMENSIONS}, "filters"),
        ({"dataset": "x", "filters": {"geo": ["DE.FR"]}, "dimensions": DIMENSIONS}, "filters"),
        ({"dataset": "x", "filters": {"geo": ["DE+FR"]}, "dimensions": DIMENSIONS}, "filters"),
    ],
)
def test_url_parameters_are_checked(arguments, parameter) -> None:
    dataset = arguments.pop("dataset")
    with pytest.raises(InvalidInputError, match=rf"^The '{parameter}' parameter of eurostat_url must be"):
        eurostat_url(dataset, **arguments)


STRUCTURE_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<m:Structure xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
             xmlns:s="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure">
 <m:Structures><s:DataStructures><s:DataStructure id="NAMA_10R_3EMPERS">
  <s:DataStructureComponents><s:DimensionList id="DimensionDescriptor">
   <s:Dimension id="geo" position="5"/>
   <s:Dimension id="freq" position="1"/>
   <s:Dimension id="unit" position="2"/>
   <s:Dimension id="nace_r2" position="4"/>
   <s:Dimension id="wstatus" position="3"/>
   <s:TimeDimension id="TIME_PERIOD" position="6"/>
  </s:DimensionList></s:DataStructureComponents>
 </s:DataStructure></s:DataStructures></m:Structures>
</m:Structure>
"""

QUEUED_XML = (
    b'<?xml version="1.0"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body>'
    b"<ns0:syncResponse><dataResponse><queued><id>1</id><key>a1b2-c3d4</key><status>SUBMITTED</status>"
    b"</queued></dataResponse></ns0:syncResponse></env:Body></env:Envelope>"
)


@pytest.fixture
def server():
    with serve() as running:
        yield running


@pytest.fixture
def no_waiting(monkeypatch) -> None:
    monkeypatch.setattr(downloads.time, "sleep", lambda seconds: None)


def served_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_fetch_a_whole_dataset_once(server, tmp_path) -> None:
    url = eurostat_url("nama_10r_3empers", base_url=server.url)
    server.answer(served_path(url), (200, gzip.compress(API_TSV.encode())))
    path = fetch_eurostat("nama_10r_3empers", folder=tmp_path, base_url=server.url)
    assert path == tmp_path / "eurostat" / "nama_10r_3empers.tsv.gz"
    pd.testing.assert_frame_equal(read_all(path), API_EXPECTED)
    assert fetch_eurostat("nama_10r_3empers", folder=tmp_path, base_url=server.url) == path
    assert server.requests == ["/data/nama_10r_3empers?format=TSV&compressed=true"]


def test_fetch_filtered_reads_the_dimension_order_from_the_structure(server, tmp_path) -> None:
    server.answer("/datastructure/ESTAT/NAMA_10R_3EMPERS", (200, STRUCTURE_XML))
    expected = "/data/nama_10r_3empers/A....DE11+EL30?format=SDMX-CSV&compressed=true&startPeriod=2019"
    server.answer(expected, (200, gzip.compress(SDMX_1.encode())))
    path = fetch_eurostat(
        "nama_10r_3empers",
        filters={"geo": ["EL30", "DE11"], "freq": ["A"]},
        format="sdmx-csv",
        start="2019",
        folder=tmp_path,
        base_url=server.url,
    )
    assert path.name.startswith("nama_10r_3empers-") and path.name.endswith(".csv.gz")
    assert server.requests == ["/datastructure/ESTAT/NAMA_10R_3EMPERS", expected]
    pd.testing.assert_frame_equal(read_all(path, read_sdmx_csv), SDMX_1_EXPECTED)
    assert eurostat_structure("nama_10r_3empers", folder=tmp_path, base_url=server.url) == tuple(DIMENSIONS)
    assert len(server.requests) == 2  # the structure is cached too


def test_fetch_retries_a_busy_server(server, tmp_path, no_waiting) -> None:
    url = eurostat_url("nama_10r_3empers", base_url=server.url)
    server.answer(served_path(url), (503, b"busy"), (200, gzip.compress(API_TSV.encode())))
    path = fetch_eurostat("nama_10r_3empers", folder=tmp_path, base_url=server.url)
    assert len(server.requests) == 2
    assert read_all(path)["value"].equals(API_EXPECTED["value"])


def test_fetch_refuses_an_asynchronous_answer_and_keeps_nothing(server, tmp_path) -> None:
    url = eurostat_url("nama_10r_3empers", base_url=server.url)
    server.answer(served_path(url), (200, QUEUED_XML))
    with pytest.raises(DataSourceError) as raised:
        fetch_eurostat("nama_10r_3empers", folder=tmp_path, base_url=server.url)
    message = message_of(raised)
    assert "asynchronous delivery (key a1b2-c3d4)" in message
    assert "try again in a few minutes" in message
    assert not list((tmp_path / "eurostat").glob("nama_10r_3empers*"))
    # Once Eurostat has the data ready, the same call works (no stale checksum was recorded).
    server.answer(served_path(url), (200, gzip.compress(API_TSV.encode())))
    assert fetch_eurostat("nama_10r_3empers", folder=tmp_path, base_url=server.url).is_file()


def test_fetch_of_an_unknown_dataset(server, tmp_path) -> None:
    with pytest.raises(DataSourceError, match="HTTP 404"):
        fetch_eurostat("no_such_dataset", folder=tmp_path, base_url=server.url)


def test_fetch_offline(tmp_path, no_waiting) -> None:
    base = refused_url().rsplit("/", 1)[0]
    with pytest.raises(DataSourceError) as raised:
        fetch_eurostat("nama_10r_3empers", folder=tmp_path, base_url=base)
    message = message_of(raised)
    assert f"Cannot download {base}/data/nama_10r_3empers?format=TSV&compressed=true after 3 attempts" in message
    assert "offline" in message
