"""NUTS regions and conversions, on Eurostat's real correspondence tables in ../shared/data.

The expected numbers are computed here from the flattened CSVs with plain pandas, and
stated; every conversion example is first looked up in the raw table, so a test shows
the row of Eurostat's table that the rule was applied to.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusterix.errors import DataSourceError, InvalidInputError, UnknownCodeError
from clusterix.reference import nuts
from clusterix.reference.nuts import (
    changes,
    check_codes,
    convert_codes,
    convert_data,
    files,
    iso_country,
    normalise_code,
    nuts_country,
    nuts_regions,
)


@pytest.fixture(scope="module")
def tables(shared_data: Path) -> Path:
    """The folder of Eurostat's workbooks (read first) and their flattened CSVs."""
    return shared_data / "nuts-codes-and-changes"


@pytest.fixture(scope="module")
def raw(tables: Path) -> dict[str, pd.DataFrame]:
    """The flattened tables as plain strings, for computing expectations independently."""
    read = {"dtype": str, "keep_default_na": False}
    return {
        "2013-2016": pd.read_csv(tables / "nuts2013_to_nuts2016.csv", **read),
        "2016-2021": pd.read_csv(tables / "nuts2016_to_nuts2021.csv", **read),
    }


def raw_codes(raw: dict[str, pd.DataFrame], version: int) -> pd.Series:
    table, column = {
        2013: ("2013-2016", "code_2013"),
        2016: ("2016-2021", "code_2016"),
        2021: ("2016-2021", "code_2021"),
    }[version]
    codes = raw[table][column].str.strip()
    # Drops the empty cells and the heading "Statistical regions (EFTA countries, ...)".
    return codes[codes.str.fullmatch(r"[A-Z]{2}[0-9A-Z]{0,3}")].drop_duplicates()


def raw_row(raw: dict[str, pd.DataFrame], table: str, column: str, code: str) -> pd.Series:
    rows = raw[table][raw[table][column].str.strip() == code]
    assert len(rows) >= 1, f"{code} is not in the {table} table"
    return rows.iloc[0]


# --------------------------------------------------------------------------------------
# Regions per version
# --------------------------------------------------------------------------------------

# Stated from the tables (and recomputed below): the 2013 side lists the EU28, the 2016 and
# 2021 sides of the 2016-2021 table also the EFTA and candidate countries; extra-regio
# codes (xxZ, xxZZ, xxZZZ) are included.
STATED_COUNTS = {
    2013: {0: 28, 1: 126, 2: 304, 3: 1370},
    2016: {0: 37, 1: 162, 2: 369, 3: 1560},
    2021: {0: 37, 1: 162, 2: 371, 3: 1551},
}


@pytest.mark.parametrize("version", [2013, 2016, 2021])
def test_row_counts_per_version_and_level(tables: Path, raw, version: int) -> None:
    regions = nuts_regions(version, source=tables)
    expected = (raw_codes(raw, version).str.len() - 2).value_counts().sort_index().to_dict()
    assert regions["level"].value_counts().sort_index().to_dict() == expected == STATED_COUNTS[version]
    assert regions["code"].is_unique
    assert list(regions.columns) == ["code", "name", "level", "parent", "country", "version"]
    assert (regions["version"] == version).all()
    for level in range(4):
        assert len(nuts_regions(version, level=level, source=tables)) == STATED_COUNTS[version][level]


@pytest.mark.parametrize("version", [2013, 2016, 2021])
def test_hierarchy_parent_and_country(tables: Path, version: int) -> None:
    regions = nuts_regions(version, source=tables)
    upper = regions[regions["level"] > 0]
    # Northern Ireland's UKN10 ... UKN16 (NUTS 2016 only) sit under UKN0, not "UKN1".
    exceptions = {f"UKN1{digit}" for digit in range(7)} if version == 2016 else set()
    by_prefix = upper[~upper["code"].isin(exceptions)]
    assert (by_prefix["parent"] == by_prefix["code"].str[:-1]).all()
    assert (upper.loc[upper["code"].isin(exceptions), "parent"] == "UKN0").sum() == len(exceptions)
    assert regions.loc[regions["level"] == 0, "parent"].isna().all()
    assert (regions["country"] == regions["code"].str[:2]).all()
    assert upper["parent"].isin(regions["code"]).all()  # every parent is a region of the same version
    assert regions["name"].notna().all() and (regions["name"].str.len() > 0).all()


def test_spot_checked_names(tables: Path) -> None:
    def names(version: int) -> pd.Series:
        return nuts_regions(version, source=tables).set_index("code")["name"]

    n2013, n2016, n2021 = names(2013), names(2016), names(2021)
    for table in (n2013, n2016, n2021):
        assert table["DE21"] == "Oberbayern"
        # Eurostat writes an em dash: "Inner London — West".
        assert table["UKI3"].replace("—", "-") == "Inner London - West"
        assert table["UKI4"].replace("—", "-") == "Inner London - East"
    # 2013: a discontinued region keeps its 2013 label (FR7 is listed twice, see changes._labelled).
    assert n2013["FR7"] == "Centre-Est"
    assert n2013["FR2"] == "Bassin Parisien"
    # Renamed in 2021: the 2016 name comes from the 2013-2016 table.
    assert n2016["FRE"] == "NORD-PAS DE CALAIS-PICARDIE"
    assert n2021["FRE"] == "Hauts-de-France"
    assert n2016["UKK21"] == "Bournemouth and Poole"
    assert n2021["UKK24"] == "Bournemouth, Christchurch and Poole"
    # Statistical regions of non-EU countries are in 2016 and 2021 only.
    assert n2016["CH011"] == n2021["CH011"] == "Vaud"
    assert "CH011" not in n2013.index
    # New in 2021, trailing spaces in the source trimmed.
    assert n2021["LT01"] == "Sostinės regionas"
    assert "TR100" in n2021.index and "TR100 " not in n2021.index


def test_workbook_and_flattened_csv_give_the_same_reference(tables: Path, tmp_path: Path) -> None:
    csv_only = tmp_path / "csv"
    csv_only.mkdir()
    for name in ("nuts2013_to_nuts2016.csv", "nuts2016_to_nuts2021.csv"):
        (csv_only / name).symlink_to(tables / name)  # linked, not copied
    for version in (2013, 2016, 2021):
        pd.testing.assert_frame_equal(nuts_regions(version, source=tables), nuts_regions(version, source=csv_only))
    for pair in ((2013, 2016), (2016, 2021), (2013, 2021)):
        from_workbook = changes._reference(tables, "test").crosswalks[pair]
        from_csv = changes._reference(csv_only, "test").crosswalks[pair]
        pd.testing.assert_frame_equal(from_workbook.table, from_csv.table)
        assert from_workbook.members == from_csv.members


def test_nuts_2024_and_bad_versions_raise(tables: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"NUTS 2024 is not supported.*NUTS2021-NUTS2024\.xlsx"):
        nuts_regions(2024, source=tables)
    with pytest.raises(InvalidInputError, match=r"The 'version' parameter of nuts_regions must be one of"):
        nuts_regions("2021", source=tables)
    with pytest.raises(InvalidInputError, match=r"The 'level' parameter of nuts_regions"):
        nuts_regions(2021, level=4, source=tables)


def test_source_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"The 'source' parameter of nuts_regions must be a folder"):
        nuts_regions(2021, source=tmp_path / "absent")
    with pytest.raises(DataSourceError, match=r"NUTS2013-NUTS2016\.xlsx, nuts2013_to_nuts2016\.csv"):
        nuts_regions(2021, source=tmp_path)


def test_download_uses_the_official_eurostat_files(tables: Path, monkeypatch) -> None:
    requested = []

    def fake_fetch(remote):  # stands in for the network: serves the shared copies
        requested.append(remote)
        return tables / remote.filename

    monkeypatch.setattr(files, "fetch", fake_fetch)
    assert len(nuts_regions(2021)) == sum(STATED_COUNTS[2021].values())
    assert [remote.filename for remote in requested] == ["NUTS2013-NUTS2016.xlsx", "NUTS2016-NUTS2021.xlsx"]
    assert all(remote.url.startswith("https://ec.europa.eu/eurostat/documents/345175/629341/") for remote in requested)


# --------------------------------------------------------------------------------------
# Malformed tables: errors name the file, the line and the column
# --------------------------------------------------------------------------------------

HEADER_2013 = "code_2013,code_2016,country,nuts1_label,nuts2_label,nuts3_label,change,nuts_level\n"
HEADER_2016 = "code_2016,code_2021,country,nuts1_label,nuts2_label,nuts3_label,change_code,change_comment,nuts_level\n"


def small_tables(folder: Path, rows_2013: str, rows_2016: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "nuts2013_to_nuts2016.csv").write_text(HEADER_2013 + rows_2013, encoding="utf-8")
    (folder / "nuts2016_to_nuts2021.csv").write_text(HEADER_2016 + rows_2016, encoding="utf-8")
    return folder


def test_a_bad_code_is_reported_with_file_line_and_column(tmp_path: Path) -> None:
    folder = small_tables(
        tmp_path / "bad",
        "XA,XA,Land,,,,,0\nXA-1,XA1,,Nord,,,,1\n",
        "XA,XA,Land,,,,,,0\n",
    )
    with pytest.raises(DataSourceError) as raised:
        nuts_regions(2013, source=folder)
    message = str(raised.value)
    assert "nuts2013_to_nuts2016.csv, line 3, column 'code_2013'" in message
    assert "'XA-1' is not a NUTS code" in message


def test_a_missing_column_and_a_bad_change_code_are_reported(tmp_path: Path) -> None:
    folder = small_tables(tmp_path / "a", "XA,XA,Land,,,,,0\n", "XA,XA,Land,,,,9,odd,0\n")
    with pytest.raises(DataSourceError, match=r"line 2, column 'change_code': value '9' is not one of"):
        nuts_regions(2021, source=folder)
    broken = tmp_path / "b"
    small_tables(broken, "XA,XA,Land,,,,,0\n", "")
    (broken / "nuts2016_to_nuts2021.csv").write_text("code_2016,code_2021\nXA,XA\n", encoding="utf-8")
    with pytest.raises(DataSourceError, match=r"line 1: the header lacks the column\(s\) 'country'"):
        nuts_regions(2021, source=broken)


# --------------------------------------------------------------------------------------
# The conversion rules, on a small table in the official flattened layout
# --------------------------------------------------------------------------------------

SMALL_2013 = """\
XA,XA,Land,,,,,0
XA1,XA1,,NORD,,,,1
XA11,XA11,,,Alpha,,,2
XA12,XA15,,,Beta,,recoded,2
XA13,,,,Gamma,,discontinued; merged with ex-XA14,2
XA14,,,,Delta,,discontinued; merged with ex-XA13,2
,XA16,,,Gamma-Delta,,"new region, merge of ex-XA13 and XA14",2
XA17,,,,Epsilon,,discontinued; split into new XA18 and XA19,2
,XA18,,,Epsilon North,,new region,2
,XA19,,,Epsilon South,,new region,2
XA21,XA24,,,Zeta,,boundary shift,2
"""
SMALL_2016 = """\
XA,XA,Land,,,,,,0
XA1,XA1,,Nord,,,,,1
XA11,XA11,,,Alpha,,1,renamed,2
XA15,XA1A,,,Beta,,2,recoded,2
XA16,XA16,,,Gamma-Delta,,,,2
XA18,,,,Epsilon North,,5,discontinued,2
XA19,XA19,,,Epsilon South,,,,2
XA24,XA24,,,Zeta,,,,2
,XA1B,,,Eta,,6,new; made from parts of ex-XA18,2
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return small_tables(tmp_path / "small", SMALL_2013, SMALL_2016)


def test_rules_on_a_small_table(small: Path) -> None:
    codes = ["XA11", "XA12", "XA13", "XA14", "XA17", "XA21"]
    table = convert_codes(codes, from_version=2013, to_version=2016, source=small, on_unconvertible="flag")
    assert table["change"].tolist() == ["unchanged", "recoded", "merged", "merged", "split", "boundary"]
    assert table["new_code"].tolist()[:4] == ["XA11", "XA15", "XA16", "XA16"]
    assert table["new_code"].iloc[4:].isna().all()
    assert table.loc[2, "note"] == "XA16 = XA13 + XA14"
    assert table.loc[4, "note"].startswith("split into XA18, XA19")
    chained = convert_codes(codes, from_version=2013, to_version=2021, source=small, on_unconvertible="flag")
    # XA12 -> XA15 -> XA1A: recoded twice; XA13 + XA14 -> XA16, unchanged after; XA21 stops in 2016.
    assert chained["new_code"].tolist()[:4] == ["XA11", "XA1A", "XA16", "XA16"]
    assert chained["change"].tolist()[:4] == ["unchanged", "recoded", "merged", "merged"]
    assert not chained["convertible"].iloc[4:].any()
    assert chained.loc[5, "note"].startswith("NUTS 2013-2016: boundary change: XA21 became XA24")
    # 2016 -> 2021: XA18 ended and part of it went to XA1B.
    later = convert_codes(["XA18"], from_version=2016, to_version=2021, source=small, on_unconvertible="flag")
    assert later.loc[0, "change"] == "discontinued" and "XA1B" in later.loc[0, "note"]


def test_convert_data_sums_merged_regions_and_keeps_the_rest(small: Path) -> None:
    data = pd.DataFrame(
        {
            "region": ["XA11", "XA13", "XA14", "XA12", "XA13", "XA14"],
            "time": ["2015", "2015", "2015", "2015", "2016", "2016"],
            "value": [1.0, 2.0, 3.0, 4.0, np.nan, 5.0],
            "flag": [None, "p", "e", None, None, None],
            "line": [2, 3, 4, 5, 6, 7],
        }
    )
    before = data.copy()
    result = convert_data(data, from_version=2013, to_version=2016, source=small)
    pd.testing.assert_frame_equal(data, before)  # the input is not modified
    assert result["region"].tolist() == ["XA11", "XA16", "XA15", "XA16"]
    assert result["time"].tolist() == ["2015", "2015", "2015", "2016"]
    np.testing.assert_array_equal(result["value"].to_numpy(), [1.0, 5.0, 4.0, np.nan])  # NaN + 5 is missing
    assert result["flag"].iloc[1] == "ep"  # the distinct flags of the merged rows
    assert result["line"].iloc[1] == 3  # the first member's source line
    # how="recode": shares and rates cannot be added, so merges are not convertible.
    with pytest.raises(InvalidInputError, match=r"'XA13'.*not added up under how='recode'"):
        convert_data(data, from_version=2013, to_version=2016, source=small, how="recode")


def test_convert_data_flags_or_raises_on_unconvertible_rows(small: Path) -> None:
    data = pd.DataFrame(
        {"region": ["XA17", "XA13", "XA11"], "time": ["2015", "2015", "2015"], "value": [1.0, 2.0, 3.0]}
    )
    with pytest.raises(InvalidInputError) as raised:
        convert_data(data, from_version=2013, to_version=2016, source=small)
    message = str(raised.value)
    assert "2 region codes cannot be converted from NUTS 2013 to NUTS 2016" in message
    assert "'XA17' (split into XA18, XA19" in message
    assert "but XA14 is missing where time='2015'" in message  # half a merge would be wrong
    assert "on_unconvertible='flag'" in message
    flagged = convert_data(data, from_version=2013, to_version=2016, source=small, on_unconvertible="flag")
    assert flagged["region"].tolist() == ["XA17", "XA13", "XA11"]
    assert flagged["convertible"].tolist() == [False, False, True]
    np.testing.assert_array_equal(flagged["value"].to_numpy(), [1.0, 2.0, 3.0])


def test_convert_data_input_checks(small: Path) -> None:
    data = pd.DataFrame({"region": ["XA11", "XA11"], "time": ["2015", "2015"], "value": [1.0, 2.0]})
    with pytest.raises(InvalidInputError, match=r"2 rows share their \(region, time\).*first: \('XA11', '2015'\)"):
        convert_data(data, from_version=2013, to_version=2016, source=small)
    with pytest.raises(InvalidInputError, match=r"The 'value' parameter of convert_data must be a column of"):
        convert_data(data, value="amount", from_version=2013, to_version=2016, source=small)
    text = data.assign(value=["1", "2"])
    with pytest.raises(InvalidInputError, match=r"must be a column of numbers"):
        convert_data(text, from_version=2013, to_version=2016, source=small)
    with pytest.raises(InvalidInputError, match=r"The 'how' parameter of convert_data must be one of"):
        convert_data(data, from_version=2013, to_version=2016, source=small, how="mean")
    with pytest.raises(InvalidInputError, match=r"The 'to_version' parameter .* forward only"):
        convert_data(data, from_version=2016, to_version=2013, source=small)
    with pytest.raises(InvalidInputError, match=r"The 'keys' parameter of convert_data must be columns"):
        convert_data(data, keys=["year"], from_version=2013, to_version=2016, source=small)


def test_same_version_only_checks_codes(small: Path) -> None:
    data = pd.DataFrame({"region": ["XA11", "XA12"], "value": [1.0, 2.0]})
    pd.testing.assert_frame_equal(convert_data(data, from_version=2013, to_version=2013, source=small), data)
    with pytest.raises(UnknownCodeError, match=r"not NUTS 2013 codes: 'XA15' \('XA15' is a NUTS 2016 code"):
        convert_data(data.assign(region=["XA11", "XA15"]), from_version=2013, to_version=2013, source=small)


# --------------------------------------------------------------------------------------
# Real conversions 2013 -> 2016 -> 2021
# --------------------------------------------------------------------------------------


def test_recoded_2013_to_2016(tables: Path, raw) -> None:
    examples = {  # a 1:1 recode in Eurostat's table -> the new code
        "FR24": "FRB0",  # Centre -> Centre — Val de Loire ("recoded and relabelled")
        "FR7": "FRK",  # NUTS 1 Centre-Est = Auvergne-Rhône-Alpes ("relabelled and recoded")
        "IE021": "IE061",  # Dublin
        "IE013": "IE042",  # West
        "UKM24": "UKM91",  # Scottish Borders
        "LT00A": "LT011",  # Vilniaus apskritis
        "PL11": "PL71",  # Łódzkie
    }
    for old, new in examples.items():
        row = raw_row(raw, "2013-2016", "code_2013", old)
        assert row["code_2016"] == new and "recoded" in row["change"], row.to_dict()
    table = convert_codes(list(examples), from_version=2013, to_version=2016, source=tables)
    assert table["new_code"].tolist() == list(examples.values())
    assert (table["change"] == "recoded").all() and table["convertible"].all()
    unchanged = convert_codes(["UKI3", "DE21", "UKM5"], from_version=2013, to_version=2016, source=tables)
    assert unchanged["new_code"].tolist() == ["UKI3", "DE21", "UKM5"]
    assert (unchanged["change"] == "unchanged").all()


def test_merged_2013_to_2016_is_summed(tables: Path, raw) -> None:
    assert raw_row(raw, "2013-2016", "code_2016", "DE91C")["change"] == "new region, merge of ex-DE915 and DE919"
    assert raw_row(raw, "2013-2016", "code_2013", "DE915")["code_2016"] == ""
    table = convert_codes(["DE915", "DE919"], from_version=2013, to_version=2016, source=tables)
    assert table["new_code"].tolist() == ["DE91C", "DE91C"]
    assert table["note"].tolist() == ["DE91C = DE915 + DE919"] * 2
    data = pd.DataFrame(
        {
            "region": ["DE915", "DE919", "DE21"],
            "activity": ["C", "C", "C"],
            "time": ["2015"] * 3,
            "value": [120.0, 30.5, 7.0],
        }
    )
    result = convert_data(data, from_version=2013, to_version=2016, source=tables)
    assert result["region"].tolist() == ["DE91C", "DE21"]
    np.testing.assert_allclose(result["value"], [150.5, 7.0])


@pytest.mark.parametrize(
    ("old", "change", "successors", "eurostat"),
    [
        ("LT00", "split", "LT01, LT02", "split into new LT01 and LT02"),
        ("UKM3", "split", "UKM8, UKM9", "discontinued; split into new UKM8 and UKM9"),
        ("HU10", "split", "HU11, HU12", "discontinued; split into new HU11 and HU12"),
        ("UKM2", "boundary", "UKM7", "boundary shift; lost ex-UKM24"),
        ("IE011", "boundary", "IE041", "boundary shift"),
        ("IE01", "discontinued", "", "discontinued"),
        ("FR2", "discontinued", "", "discontinued"),
    ],
)
def test_split_boundary_and_discontinued_2013_to_2016_are_not_convertible(
    tables: Path, raw, old: str, change: str, successors: str, eurostat: str
) -> None:
    assert raw_row(raw, "2013-2016", "code_2013", old)["change"] == eurostat
    with pytest.raises(InvalidInputError, match=rf"'{old}'.*cannot|cannot.*'{old}'"):
        convert_codes([old, "DE21"], from_version=2013, to_version=2016, source=tables)
    table = convert_codes([old], from_version=2013, to_version=2016, source=tables, on_unconvertible="flag")
    assert table.loc[0, "change"] == change
    assert not table.loc[0, "convertible"] and pd.isna(table.loc[0, "new_code"])
    assert successors in table.loc[0, "note"] and eurostat in table.loc[0, "note"]


def test_conversions_2016_to_2021(tables: Path, raw) -> None:
    assert raw_row(raw, "2016-2021", "code_2016", "UKN10")["change_comment"] == "recode"
    assert raw_row(raw, "2016-2021", "code_2021", "BE328")["change_comment"] == "new; merge of ex-BE327 and BE324"
    assert raw_row(raw, "2016-2021", "code_2016", "HR04")["change_code"] == "5.0"  # discontinued
    table = convert_codes(
        ["UKI3", "UKN10", "HR041", "BE324", "BE327", "ITG29", "NO021", "HR04", "NO05", "UKK21"],
        from_version=2016,
        to_version=2021,
        source=tables,
        on_unconvertible="flag",
    )
    assert table["new_code"].tolist()[:7] == ["UKI3", "UKN0A", "HR050", "BE328", "BE328", "ITG2D", "NO020"]
    assert table["change"].tolist() == [
        "unchanged",
        "recoded",
        "recoded",
        "merged",
        "merged",
        "merged",  # ITG2D = ex-ITG25 + ex-ITG29
        "merged",  # NO020 = ex-NO021 + NO022 (Norway, a statistical region)
        "split",  # HR04 -> HR02, HR05, HR06
        "boundary",  # NO05 -> NO0A "recoded (boundary change)"
        "boundary",  # UKK21 -> UKK24 "boundary change, recode, rename"
    ]
    assert "split into HR02, HR05, HR06" in table.loc[7, "note"]


def test_chained_2013_to_2021(tables: Path) -> None:
    table = convert_codes(
        ["FR24", "UKM24", "LT00A", "DE915", "BE324", "HR041", "UKI3", "LT00", "BE221"],
        from_version=2013,
        to_version=2021,
        source=tables,
        on_unconvertible="flag",
    )
    assert table["new_code"].tolist()[:7] == ["FRB0", "UKM91", "LT011", "DE91C", "BE328", "HR050", "UKI3"]
    assert table["change"].tolist()[:7] == [
        "recoded",
        "recoded",
        "recoded",
        "merged",
        "merged",
        "recoded",  # HR041 is unchanged 2013-2016, then recoded HR050
        "unchanged",
    ]
    assert table.loc[7, "note"].startswith("NUTS 2013-2016: split into LT01, LT02")
    assert table.loc[8, "note"].startswith("NUTS 2016-2021: BE221 in NUTS 2016: boundary change")


def test_real_uk_employment_2013_to_2016(shared_data: Path, tables: Path) -> None:
    """ONS BRES employment by NUTS 2013 level 2: Scotland's UKM2/UKM3 changed in 2016."""
    bres = pd.read_csv(
        shared_data / "uk-bres-nuts2-sic4" / "gb_nuts2_sic4_bres_idbr.csv.gz",
        dtype={"sic4": str, "nuts2_code": str},
    )
    uk_2013 = set(nuts_regions(2013, level=2, source=tables).query("country == 'UK'")["code"]) - {"UKZZ"}
    assert set(bres["nuts2_code"]) == uk_2013  # 40 regions
    with pytest.raises(InvalidInputError, match=r"'UKM2' \(boundary change: UKM2 became UKM7"):
        convert_data(
            bres,
            region="nuts2_code",
            keys=["source", "year", "sic4"],
            from_version=2013,
            to_version=2016,
            source=tables,
        )
    result = convert_data(
        bres,
        region="nuts2_code",
        keys=["source", "year", "sic4"],
        from_version=2013,
        to_version=2016,
        source=tables,
        on_unconvertible="flag",
    )
    assert len(result) == len(bres)  # no merges among UK NUTS 2 regions
    assert set(result.loc[~result["convertible"], "nuts2_code"]) == {"UKM2", "UKM3"}
    assert set(result.loc[result["convertible"], "nuts2_code"]) == uk_2013 - {"UKM2", "UKM3"}
    np.testing.assert_allclose(result["value"].sum(), bres["value"].sum())


# --------------------------------------------------------------------------------------
# EL/GR and UK/GB; unknown codes
# --------------------------------------------------------------------------------------


def test_country_codes() -> None:
    assert [nuts_country(c) for c in ("GR", "GB", "gb", "DE", "EL")] == ["EL", "UK", "UK", "DE", "EL"]
    assert [iso_country(c) for c in ("EL", "UK", "FR", "GR")] == ["GR", "GB", "FR", "GR"]
    with pytest.raises(InvalidInputError, match=r"The 'iso2' parameter of nuts_country must be a two-letter"):
        nuts_country("GRC")


def test_normalise_code_reads_iso_prefixes() -> None:
    assert normalise_code("GR30") == "EL30"
    assert normalise_code("GBI3") == "UKI3"
    assert normalise_code(" de21 ") == "DE21"
    assert normalise_code("EL30") == "EL30"
    assert normalise_code("GR") == "EL"
    with pytest.raises(InvalidInputError, match=r"The 'code' parameter of normalise_code"):
        normalise_code(21)


def test_greece_and_the_uk_are_el_and_uk_in_every_version(tables: Path) -> None:
    for version in (2013, 2016, 2021):
        countries = set(nuts_regions(version, level=0, source=tables)["code"])
        assert {"EL", "UK"} <= countries and not {"GR", "GB"} & countries
    assert check_codes(["GR30", "GBI3", "EL30"], version=2021, source=tables) == ["EL30", "UKI3", "EL30"]
    table = convert_codes(["GR30", "GBM24"], from_version=2013, to_version=2016, source=tables)
    assert table["code"].tolist() == ["EL30", "UKM24"]
    assert table["new_code"].tolist() == ["EL30", "UKM91"]


def test_unknown_codes_are_named_with_the_version(tables: Path) -> None:
    with pytest.raises(UnknownCodeError) as raised:
        check_codes(["DE21", "XX99", "FR24", "DE21", "ZZ1"], version=2021, source=tables)
    message = str(raised.value)
    assert message.startswith("3 of 4 distinct region codes are not NUTS 2021 codes: 'XX99', 'FR24', 'ZZ1'")
    assert "'FR24' is a NUTS 2013 code" in message
    assert isinstance(raised.value, ValueError)
    with pytest.raises(UnknownCodeError, match=r"not NUTS 2021 level-2 codes: 'DE2' \('DE2' is a level-1 code\)"):
        check_codes(["DE21", "DE2"], version=2021, level=2, source=tables)
    with pytest.raises(UnknownCodeError, match=r"not NUTS 2016 codes: 'HR02' \('HR02' is a NUTS 2021 code"):
        convert_data(
            pd.DataFrame({"region": ["HR02"], "value": [1.0]}),
            from_version=2016,
            to_version=2021,
            source=tables,
        )
    with pytest.raises(UnknownCodeError, match=r"None, nan"):
        check_codes(["DE21", None, np.nan], version=2021, source=tables)
    with pytest.raises(InvalidInputError, match=r"The 'codes' parameter of check_codes must be a list"):
        check_codes("DE21", version=2021, source=tables)


def test_check_codes_is_quick_on_many_codes(tables: Path) -> None:
    codes = list(nuts_regions(2021, source=tables)["code"]) * 100
    assert len(check_codes(codes, version=2021, source=tables)) == len(codes)


def test_the_module_documents_its_rules() -> None:
    doc = convert_codes.__doc__ or ""
    for change in ("unchanged", "recoded", "merged", "split", "boundary", "discontinued"):
        assert re.search(rf"``{change}``", doc), change
    assert "NUTS 2024 is not supported" in (nuts.__doc__ or "")
