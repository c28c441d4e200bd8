"""NACE codes: Rev. 2.1 from naceconverter's file, Rev. 2 from Eurostat's code list layout, spellings."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import pandas as pd
import pytest

from clusterix.errors import DataSourceError, InvalidInputError, UnknownCodeError
from clusterix.reference import nace
from clusterix.reference.nace import check_nace, nace_codes, normalise_nace

# What naceconverter 1.0.1 really ships: NACE Rev. 2.1 (Regulation (EU) 2023/137: sections A-V,
# 87 divisions, 287 groups, 651 classes), not Rev. 2 (21 sections, 88 divisions, 272 groups,
# 615 classes), plus Norwegian SN 2025 subclasses at level 5.
REV_2_1_COUNTS = {1: 22, 2: 87, 3: 287, 4: 651}


@pytest.fixture(scope="module")
def package_file() -> pd.DataFrame:
    path = importlib.resources.files("naceconverter").joinpath("nacecodes.csv")
    with path.open("r", encoding="utf-8") as handle:  # quoted fields, ';'-separated
        return pd.read_csv(handle, sep=";", dtype=str, keep_default_na=False)


def test_counts_per_level_match_the_package_file(package_file: pd.DataFrame) -> None:
    codes = nace_codes("2.1")
    expected = package_file[package_file["level"] != "5"]["level"].astype(int).value_counts().sort_index()
    assert codes["level"].value_counts().sort_index().to_dict() == expected.to_dict() == REV_2_1_COUNTS
    assert list(codes.columns) == ["code", "name", "level", "parent", "section", "eurostat"]
    assert codes["code"].is_unique
    # Level 5 of the file: 736 six-digit national subclasses ('01.110'), below NACE, dropped.
    assert (package_file["level"] == "5").sum() == 736
    assert not codes["code"].isin(package_file.loc[package_file["level"] == "5", "code"]).any()


def test_rev_2_1_structure() -> None:
    codes = nace_codes("2.1").set_index("code")
    sections = codes[codes["level"] == 1]
    assert "".join(sections.index) == "ABCDEFGHIJKLMNOPQRSTUV"
    assert codes.loc["K", "name"].startswith("Telecommunication, computer programming")
    assert "45" not in codes.index  # motor-vehicle trade is inside 46/47 in Rev. 2.1
    assert codes.loc["62", "section"] == "K" and codes.loc["62", "parent"] == "K"
    assert codes.loc["62.1", "parent"] == "62"
    assert codes.loc["62.10", ["name", "parent", "section", "level"]].tolist() == [
        "Computer programming activities",
        "62.1",
        "K",
        4,
    ]
    assert codes.loc[["K", "62", "62.1", "62.10"], "eurostat"].tolist() == ["K", "K62", "K621", "K6210"]
    assert codes["parent"].dropna().isin(codes.index).all()
    # every item is in the section of its parent
    for code, row in codes[codes["level"] > 2].iterrows():
        assert row["section"] == codes.loc[row["parent"], "section"], code


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("C", "C"),
        ("c", "C"),
        ("C10", "10"),
        ("10", "10"),
        ("10.1", "10.1"),
        ("C101", "10.1"),
        ("C10.1", "10.1"),
        ("101", "10.1"),
        ("10.11", "10.11"),
        ("C1011", "10.11"),
        ("C10.11", "10.11"),
        ("1011", "10.11"),
        ("0111", "01.11"),  # UK SIC 2007 class 01.11
        (" 62.01 ", "62.01"),
    ],
)
def test_normalise_nace_spellings(spelling: str, canonical: str) -> None:
    assert normalise_nace(spelling) == canonical


@pytest.mark.parametrize("spelling", ["C10-C12", "B-S_X_O", "TOTAL", "01.11/1", "01110", "1", "10.1.1", ""])
def test_normalise_nace_rejects_other_text(spelling: str) -> None:
    with pytest.raises(UnknownCodeError, match=r"is not a NACE code\. NACE codes look like 'C' \(section\)"):
        normalise_nace(spelling)


def test_normalise_nace_needs_text() -> None:
    with pytest.raises(InvalidInputError, match=r"The 'code' parameter of normalise_nace .*leading zeros"):
        normalise_nace(111)


def test_check_nace_returns_canonical_codes_and_names_unknown_ones() -> None:
    assert check_nace(["C10", "62.10", "2611", "K62", "V"], revision="2.1") == [
        "10",
        "62.10",
        "26.11",
        "62",
        "V",
    ]
    assert check_nace(["C10", "J58"], revision="2.1", level=2) == ["10", "58"]
    with pytest.raises(UnknownCodeError) as raised:
        check_nace(["C10", "A10", "4511", "C10-C12", "G45", "C10", 3], revision="2.1")
    message = str(raised.value)
    assert message.startswith("5 of 6 distinct activity codes are not NACE Rev. 2.1 codes: 'A10' (10 is in section C)")
    assert "'4511'" in message and "'C10-C12' (not a NACE code spelling)" in message
    assert isinstance(raised.value, ValueError)
    with pytest.raises(UnknownCodeError, match=r"not NACE Rev. 2.1 level-4 codes: '10' \(a level-2 code\)"):
        check_nace(["10.11", "10"], revision="2.1", level=4)
    with pytest.raises(InvalidInputError, match=r"The 'revision' parameter of check_nace must be one of '2', '2.1'"):
        check_nace(["10"], revision="1.1")


def test_uk_sic_2007_codes_are_nace_rev_2_not_2_1(shared_data: Path) -> None:
    """The 525 SIC 2007 classes of the ONS data read as NACE classes; 106 of them left NACE in Rev. 2.1."""
    sic = pd.read_csv(shared_data / "uk-bres-nuts2-sic4" / "sic4_to_nesta_industry_segment.csv", dtype=str)
    canonical = [normalise_nace(code) for code in sic["sic_4"]]
    assert all(len(code) == 5 and code[2] == "." for code in canonical)
    assert len(set(canonical)) == 525
    in_rev_2_1 = set(nace_codes("2.1")["code"])
    gone = sorted(set(canonical) - in_rev_2_1)
    assert len(gone) == 106 and {"45.11", "45.20", "14.11", "41.20"} <= set(gone)
    with pytest.raises(UnknownCodeError, match=r"106 of 525 distinct activity codes are not NACE Rev. 2.1 codes"):
        check_nace(sic["sic_4"], revision="2.1")


# --------------------------------------------------------------------------------------
# NACE Rev. 2: not shipped by naceconverter; Eurostat's code list (official layout) or a local file
# --------------------------------------------------------------------------------------

REV_2_SECTIONS = "ABCDEFGHIJKLMNOPQRSTU"


def eurostat_codelist(path: Path, extra: str = "") -> Path:
    """A small file in the layout of Eurostat's SDMX code list NACE_R2 as TSV: code<TAB>label."""
    lines = [f"{letter}\tSection {letter}" for letter in REV_2_SECTIONS]
    lines += [
        "TOTAL\tTotal - all NACE activities",
        "B-S_X_O\tIndustry, construction and services (except public administration)",
        "C10-C12\tManufacture of food products; beverages and tobacco products",
        "C10\tManufacture of food products",
        "C101\tProcessing and preserving of meat and production of meat products",
        "C1011\tProcessing and preserving of meat",
        "G45\tWholesale and retail trade and repair of motor vehicles and motorcycles",
        "G451\tSale of motor vehicles",
        "G4511\tSale of cars and light motor vehicles",
        "J62\tComputer programming, consultancy and related activities",
        "J620\tComputer programming, consultancy and related activities",
        "J6201\tComputer programming activities",
    ]
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def test_rev_2_from_the_eurostat_code_list_layout(tmp_path: Path) -> None:
    source = eurostat_codelist(tmp_path / "NACE_R2.tsv")
    codes = nace_codes("2", source=source).set_index("code")
    assert codes["level"].value_counts().sort_index().to_dict() == {1: 21, 2: 3, 3: 3, 4: 3}
    assert "TOTAL" not in codes.index and "C10-C12" not in codes.index  # aggregates are skipped
    assert codes.loc["62", "section"] == "J"  # in Rev. 2, computer programming is section J
    assert codes.loc["62.01", "eurostat"] == "J6201"  # as in the source
    assert codes.loc["45.11", ["name", "parent", "section"]].tolist() == [
        "Sale of cars and light motor vehicles",
        "45.1",
        "G",
    ]
    assert check_nace(["G4511", "4511", "J62", "62.01"], revision="2", source=source) == [
        "45.11",
        "45.11",
        "62",
        "62.01",
    ]
    with pytest.raises(UnknownCodeError, match=r"not NACE Rev. 2 codes: 'K62' \(62 is in section J\)"):
        check_nace(["K62"], revision="2", source=source)


def test_rev_2_is_downloaded_from_eurostat_when_no_source_is_given(tmp_path: Path, monkeypatch) -> None:
    served = eurostat_codelist(tmp_path / "served.tsv")
    requested = []

    def fake_fetch(remote):  # stands in for the network
        requested.append(remote)
        return served

    monkeypatch.setattr(nace, "fetch", fake_fetch)
    assert len(nace_codes("2")) == 30
    assert requested[0].filename == "NACE_R2.tsv"
    assert requested[0].url == (
        "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/codelist/ESTAT/NACE_R2/latest?format=TSV&lang=en"
    )
    nace_codes("2.1")  # Rev. 2.1 comes from naceconverter, never downloaded
    assert len(requested) == 1


def test_the_wrong_revision_is_refused(tmp_path: Path) -> None:
    rev_2_1 = Path(str(importlib.resources.files("naceconverter").joinpath("nacecodes.csv")))
    with pytest.raises(DataSourceError, match=r"is not NACE Rev. 2: it is NACE Rev. 2.1"):
        nace_codes("2", source=rev_2_1)
    rev_2 = eurostat_codelist(tmp_path / "NACE_R2.tsv")
    with pytest.raises(DataSourceError, match=r"is not NACE Rev. 2.1: it is NACE Rev. 2 \(Rev. 2.1 has sections A-V\)"):
        nace_codes("2.1", source=rev_2)


def test_a_file_with_a_header_and_multi_line_notes(tmp_path: Path) -> None:
    """naceconverter's layout: quoted, ';'-separated, notes that span lines; errors name the right line."""
    rows = ['"code";"parentCode";"level";"name";"notes"']
    rows += [f'"{letter}";"";"1";"Section {letter}";""' for letter in REV_2_SECTIONS]
    rows += [
        '"10";"C";"2";"Manufacture of food products";"This division includes:\n- meat\n- fish"',
        '"10.1";"10";"3";"Processing and preserving of meat";""',
        '"10.11";"10.1";"4";"Processing and preserving of meat";"Includes:\n- slaughtering"',
        '"10.110";"10.11";"5";"A national subclass";""',
    ]
    good = tmp_path / "nace_rev2.csv"
    good.write_text("\n".join(rows) + "\n", encoding="utf-8")
    codes = nace_codes("2", source=good).set_index("code")
    assert codes.loc["10", "section"] == "C" and codes.loc["10.11", "section"] == "C"
    assert "10.110" not in codes.index
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([*rows, '"10.1X";"10.1";"4";"Broken";""']) + "\n", encoding="utf-8")
    line = len(rows) + 1 + 3  # one line per row, plus the three extra lines of the two notes
    with pytest.raises(DataSourceError, match=rf"bad.csv, line {line}, column 'code': value '10.1X' is not a NACE"):
        nace_codes("2", source=bad)
    orphan = tmp_path / "orphan.csv"
    orphan.write_text("\n".join([*rows, '"11.01";"11.0";"4";"Distilling";""']) + "\n", encoding="utf-8")
    with pytest.raises(DataSourceError, match=r"the section of '11.01' is unknown"):
        nace_codes("2", source=orphan)
    headless = tmp_path / "headless.csv"
    headless.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(DataSourceError, match=r"headless.csv, line 1: the header has no code and name columns"):
        nace_codes("2", source=headless)
    with pytest.raises(InvalidInputError, match=r"The 'source' parameter of nace_codes must be a NACE Rev. 2 file"):
        nace_codes("2", source=tmp_path / "absent.csv")
