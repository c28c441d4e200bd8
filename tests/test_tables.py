"""The input contract: every bad long table or file raises one clear error.

Each message must name the column and the first offending rows and say what to do.
"""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from clusterix import DataSourceError, InvalidInputError, read_table, validate_long
from clusterix.indicators import complexity


def good() -> pd.DataFrame:
    """A valid 3 x 3 table whose RCA presence is a connected chain:
    [[5,5,0],[0,5,5],[0,0,5]] -> presence [[1,1,0],[0,1,1],[0,0,1]]."""
    return pd.DataFrame(
        {
            "region": ["r0", "r0", "r1", "r1", "r2"],
            "activity": ["0111", "0112", "0112", "0113", "0113"],
            "value": [5.0, 5.0, 5.0, 5.0, 5.0],
        }
    )


def raises_invalid(frame, match: str, **columns) -> InvalidInputError:
    with pytest.raises(InvalidInputError, match=match) as raised:
        validate_long(frame, **columns)
    assert isinstance(raised.value, ValueError)
    return raised.value


def test_invalid_input_error_is_a_value_error() -> None:
    assert issubclass(InvalidInputError, ValueError)


def test_a_good_table_is_encoded_with_sorted_labels() -> None:
    table = validate_long(good().iloc[::-1])
    assert list(table.regions) == ["r0", "r1", "r2"]
    assert list(table.activities) == ["0111", "0112", "0113"]
    (matrix,) = list(table.matrices())
    assert_allclose(matrix.values.toarray(), [[5, 5, 0], [0, 5, 5], [0, 0, 5]])


@pytest.mark.parametrize("frame", [[1, 2], {"region": ["a"]}, np.ones((2, 3)), None])
def test_not_a_dataframe(frame) -> None:
    raises_invalid(frame, f"must be a pandas DataFrame or a file path; got {type(frame).__name__}")


def test_missing_column_lists_the_available_ones() -> None:
    frame = good().rename(columns={"value": "employment"})
    error = raises_invalid(frame, r"Missing column\(s\) \['value'\]")
    assert "['region', 'activity', 'employment']" in str(error)
    assert "value=" in str(error)  # says how to map the column


def test_missing_time_column() -> None:
    raises_invalid(good(), r"Missing column\(s\) \['year'\]", time="year")


@pytest.mark.parametrize(
    "columns", [{"value": "region"}, {"activity": "region"}, {"time": "activity"}, {"time": "value"}]
)
def test_same_column_used_twice(columns: dict) -> None:
    raises_invalid(good(), "must be distinct", **columns)


def test_empty_table() -> None:
    raises_invalid(good().iloc[:0], "empty")


@pytest.mark.parametrize("column", ["region", "activity"])
def test_missing_labels_name_column_and_rows(column: str) -> None:
    frame = good()
    frame[column] = frame[column].astype(object)
    frame.loc[3, column] = None
    raises_invalid(frame, rf"Column '{column}' has missing labels in 1 row \(first: row 3:")


def test_missing_time_labels() -> None:
    frame = good().assign(year=[2001.0, 2001.0, np.nan, 2001.0, 2001.0])
    raises_invalid(frame, r"Column 'year' has missing labels in 1 row \(first: row 2:", time="year")


@pytest.mark.parametrize("flag", [":", "c", "1,5", "n/a"])
def test_non_numeric_values_name_the_rows(flag: str) -> None:
    frame = good().astype({"value": object})
    frame.loc[1, "value"] = flag
    frame.loc[4, "value"] = flag
    error = raises_invalid(frame, r"Column 'value' has non-numeric values in 2 rows \(first: row 1:")
    assert f"value={flag!r}" in str(error)
    assert "row 4" in str(error)


def test_nan_values() -> None:
    frame = good()
    frame.loc[2, "value"] = np.nan
    raises_invalid(frame, r"Column 'value' has missing \(NaN\) values in 1 row \(first: row 2:")


@pytest.mark.parametrize("bad", [np.inf, -np.inf, "inf", "-inf"])
def test_infinite_values(bad) -> None:
    frame = good().astype({"value": object})
    frame.loc[0, "value"] = bad
    raises_invalid(frame, r"Column 'value' has infinite values in 1 row \(first: row 0:")


def test_negative_values() -> None:
    frame = good()
    frame.loc[3, "value"] = -2.5
    error = raises_invalid(frame, r"Column 'value' has negative values in 1 row \(first: row 3:")
    assert "-2.5" in str(error)


def test_boolean_values_are_not_numbers() -> None:
    raises_invalid(good().assign(value=True), "Column 'value' must hold numbers")


def test_duplicate_keys_show_rows_and_suggest_aggregating() -> None:
    frame = pd.concat([good(), good().iloc[[2]]], ignore_index=True)
    error = raises_invalid(frame, r"Duplicate keys \['region', 'activity'\] in 2 rows")
    message = str(error)
    assert "row 2: region='r1', activity='0112'" in message
    assert "row 5: region='r1', activity='0112'" in message
    assert "Aggregate" in message and "groupby" in message


def test_same_keys_in_different_periods_are_not_duplicates() -> None:
    panel = pd.concat([good().assign(year=2001), good().assign(year=2002)], ignore_index=True)
    table = validate_long(panel, time="year")
    assert list(table.periods) == [2001, 2002]
    with pytest.raises(InvalidInputError, match=r"Duplicate keys \['region', 'activity', 'year'\]"):
        validate_long(pd.concat([panel, panel.iloc[[0]]]), time="year")


def test_a_single_region() -> None:
    frame = good().assign(region="r0").drop_duplicates(["region", "activity"])
    raises_invalid(frame, r"Column 'region' has a single region \('r0'\)")


def test_a_single_activity() -> None:
    frame = good().assign(activity="0111").drop_duplicates(["region", "activity"])
    raises_invalid(frame, r"Column 'activity' has a single activity \('0111'\)")


def test_a_period_with_only_one_region() -> None:
    lonely = pd.DataFrame({"region": ["r0", "r0"], "activity": ["0111", "0112"], "value": [1.0, 2.0]})
    panel = pd.concat([good().assign(year=2001), lonely.assign(year=2002)], ignore_index=True)
    validate_long(panel, time="year")  # each column has several labels over the whole panel
    with pytest.raises(InvalidInputError, match=r"at least 2 regions.* in period 2002.*found 1 region"):
        complexity(panel, time="year")


def test_regions_with_only_zeros_are_dropped_not_an_error() -> None:
    frame = pd.concat(
        [good(), pd.DataFrame({"region": ["r9"], "activity": ["0111"], "value": [0.0]})], ignore_index=True
    )
    out = complexity(frame)
    assert "r9" not in set(out["region"].astype(str))


def test_complexity_does_not_mutate_the_callers_frame() -> None:
    frame = good().astype({"value": object}).assign(year=2001)
    frame.index = [10, 11, 12, 13, 14]
    before = frame.copy(deep=True)
    complexity(frame, time="year")
    pd.testing.assert_frame_equal(frame, before)
    assert frame["value"].dtype == object


def test_complexity_accepts_custom_column_names() -> None:
    frame = good().rename(columns={"region": "nuts2", "activity": "sic4", "value": "jobs"})
    out = complexity(frame, region="nuts2", activity="sic4", value="jobs")
    assert list(out.columns[:3]) == ["nuts2", "sic4", "jobs"]
    assert set(out["sic4"].astype(str)) == {"0111", "0112", "0113"}


# --------------------------------------------------------------------------- files


def check_codes_survive(frame: pd.DataFrame) -> None:
    assert sorted(frame["activity"].astype(str).unique()) == ["0111", "0112", "0113"]
    table = validate_long(frame)
    assert list(table.activities.astype(str)) == ["0111", "0112", "0113"]
    (matrix,) = list(table.matrices())
    assert_allclose(matrix.values.toarray(), [[5, 5, 0], [0, 5, 5], [0, 0, 5]])


@pytest.mark.parametrize(
    ("name", "write"),
    [
        ("data.csv", lambda frame, path: frame.to_csv(path, index=False)),
        ("data.CSV", lambda frame, path: frame.to_csv(path, index=False)),
        ("data.csv.gz", lambda frame, path: frame.to_csv(path, index=False, compression="gzip")),
        ("data.tsv", lambda frame, path: frame.to_csv(path, index=False, sep="\t")),
        ("data.parquet", lambda frame, path: frame.to_parquet(path, index=False)),
        ("data.xlsx", lambda frame, path: frame.to_excel(path, index=False)),
    ],
    ids=["csv", "csv-upper", "csv.gz", "tsv", "parquet", "xlsx"],
)
def test_files_read_with_leading_zero_codes(tmp_path, name: str, write) -> None:
    path = tmp_path / name
    write(good(), path)
    frame = read_table(path)
    check_codes_survive(frame)
    assert_allclose(complexity(path)["value"].sum(), 25.0)


def test_gzip_csv_is_really_compressed(tmp_path) -> None:
    path = tmp_path / "data.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        good().to_csv(handle, index=False)
    check_codes_survive(read_table(str(path)))


def test_csv_keeps_na_like_codes_as_text(tmp_path) -> None:
    # "NA" is Namibia's ISO code: it must not become a missing label.
    path = tmp_path / "data.csv"
    path.write_text("region,activity,value\nNA,0111,5\nNA,0112,5\nZA,0112,5\nZA,0113,5\nZW,0113,5\n")
    assert sorted(read_table(path)["region"].unique()) == ["NA", "ZA", "ZW"]


def test_latin1_csv_read_as_utf8_names_the_encoding(tmp_path) -> None:
    path = tmp_path / "latin.csv"
    text = "region,activity,value\nRégion Île,0111,5\nRégion Île,0112,5\nZürich,0112,5\nZürich,0113,5\nÅland,0113,5\n"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(InvalidInputError, match="utf-8") as raised:
        read_table(path)
    assert "encoding" in str(raised.value)
    assert isinstance(raised.value, ValueError)
    frame = read_table(path, encoding="latin-1")
    assert sorted(frame["region"].unique()) == ["Région Île", "Zürich", "Åland"]
    check_codes_survive(frame)


@pytest.mark.parametrize("name", ["data.json", "data", "data.csv.tar", "data.gz"])
def test_unknown_suffix(tmp_path, name: str) -> None:
    path = tmp_path / name
    path.write_text("region,activity,value\n")
    with pytest.raises(InvalidInputError, match="Cannot tell the format"):
        read_table(path)


@pytest.mark.parametrize("name", ["missing.csv", "missing.parquet", "missing.xlsx"])
def test_missing_file_is_a_data_source_error(tmp_path, name: str) -> None:
    with pytest.raises(DataSourceError, match="No such input file") as raised:
        read_table(tmp_path / name)
    assert isinstance(raised.value, OSError)


def test_a_corrupt_parquet_file(tmp_path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(InvalidInputError, match="Cannot read"):
        read_table(path)


def test_bad_values_in_a_file_name_the_rows(tmp_path) -> None:
    path = tmp_path / "flags.csv"
    path.write_text("region,activity,value\nr0,0111,5\nr0,0112,:\nr1,0112,5\nr1,0113,c\nr2,0113,5\n")
    with pytest.raises(InvalidInputError, match=r"Column 'value' has non-numeric values in 2 rows") as raised:
        complexity(path)
    assert "row 1: value=':'" in str(raised.value)
    assert "row 3: value='c'" in str(raised.value)


def test_empty_cells_in_a_file_are_missing_values(tmp_path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text("region,activity,value\nr0,0111,5\nr0,0112,\nr1,0112,5\n,0113,5\nr2,0113,5\n")
    with pytest.raises(InvalidInputError, match=r"Column 'region' has missing labels in 1 row \(first: row 3"):
        complexity(path)
