"""CORDIS readers: the official CSV/JSON files, the reduced H2020 extract, and every bad file.

The sample files below follow the official CORDIS format (header, quoting, a quoted
multi-line objective and street, an embedded semicolon, a decimal comma, an EL and a
UK organisation, a missing NUTS code); the values are illustrative, not copied rows.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusterix.errors import DataSourceError, InvalidInputError, UnknownCodeError
from clusterix.ingest.cordis import (
    OFFICIAL_ORGANISATION_COLUMNS,
    OFFICIAL_PROJECT_COLUMNS,
    ORGANISATION_COLUMNS,
    PARTICIPATION_COLUMNS,
    PROJECT_COLUMNS,
    project_activity_counts,
    read_cordis_csv,
    read_cordis_json,
    read_h2020_participations,
)
from clusterix.tables import validate_long

OBJECTIVE = 'Urban transport "CAMERAS" studies:\nfirst line of the objective;\nsecond line, with a semicolon; and more'

PROJECT_ROWS = [
    {
        "id": "101003588", "acronym": "CAMERAS", "status": "SIGNED",
        "title": "Cities; mobility and the climate", "startDate": "2021-01-01", "endDate": "2024-12-31",
        "totalCost": "2140000", "ecMaxContribution": "2140000", "legalBasis": "H2020-EU.3.4.",
        "topics": "MG-2-9-2019", "ecSignatureDate": "2020-10-15", "frameworkProgramme": "H2020",
        "masterCall": "H2020-MG-2018-2019-2020", "subCall": "H2020-MG-2019-TwoStages",
        "fundingScheme": "RIA", "nature": "", "objective": OBJECTIVE,
        "contentUpdateDate": "2022-08-16 20:13:01", "rcn": "232145", "grantDoi": "10.3030/101003588",
    },
    {
        "id": "633053", "acronym": "EUROfusion", "status": "CLOSED",
        "title": "Implementation of activities described in the Roadmap to Fusion Electricity",
        "startDate": "2014-01-01", "endDate": "2018-12-31", "totalCost": "857000000,5",
        "ecMaxContribution": "424759863,25", "legalBasis": "H2020-Euratom-1.1.",
        "topics": "EURATOM-Adhoc-2014-20", "ecSignatureDate": "2014-12-18", "frameworkProgramme": "H2020",
        "masterCall": "EURATOM-Adhoc-2014-20", "subCall": "EURATOM-Adhoc-2014-20",
        "fundingScheme": "COFUND-EJP", "nature": "", "objective": "Fusion research.",
        "contentUpdateDate": "2022-08-18 09:00:00", "rcn": "193172", "grantDoi": "10.3030/633053",
    },
    {
        "id": "792210", "acronym": "GeoFit", "status": "CLOSED",
        "title": "Deployment of novel GEOthermal systems", "startDate": "2018-09-01",
        "endDate": "2022-02-28", "totalCost": "9998043.75", "ecMaxContribution": "9998043.75",
        "legalBasis": "H2020-EU.3.3.2.", "topics": "LC-SC3-EE-2-2018", "ecSignatureDate": "2018-07-30",
        "frameworkProgramme": "H2020", "masterCall": "H2020-LC-SC3-2018-2019-2020",
        "subCall": "H2020-LC-SC3-EE-2018", "fundingScheme": "IA", "nature": "",
        "objective": "Geothermal retrofitting.", "contentUpdateDate": "2023-07-23 18:32:55",
        "rcn": "217306", "grantDoi": "10.3030/792210",
    },
]  # fmt: skip


CONTACT_FORM = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/contact-form/project"


def organisation(project: str, acronym: str, pic: str, **fields: str) -> dict[str, str]:
    row = dict.fromkeys(OFFICIAL_ORGANISATION_COLUMNS, "")
    row.update(projectID=project, projectAcronym=acronym, organisationID=pic, endOfParticipation="false")
    row["contactForm"] = f"{CONTACT_FORM}/{pic}/{project}"
    row.update(fields)
    return row


ORGANISATION_ROWS = [
    organisation(  # line 2
        "101003588", "CAMERAS", "999990946", vatNumber="FR180034440", name="UNIVERSITE DE BORDEAUX",
        shortName="UBx", SME="false", activityType="HES", street="PLACE PEY BERLAND 35", postCode="33000",
        city="Bordeaux", country="FR", nutsCode="FR612", geolocation="44.8348874,-0.5742567",
        contentUpdateDate="2022-08-30 20:13:01", rcn="2093451", order="1", role="coordinator",
        ecContribution="2140000", netEcContribution="2140000", totalCost="2140000",
    ),
    organisation(  # line 3: Greece is EL; decimal point and decimal comma in one row
        "633053", "EUROfusion", "999643007", vatNumber="EL090145420",
        name="ETHNIKO KAI KAPODISTRIAKO PANEPISTIMIO ATHINON", shortName="UOA", SME="false",
        activityType="HES", street="6 CHRISTOU LADA STR", postCode="105 61", city="ATHINA", country="EL",
        nutsCode="EL303", contentUpdateDate="2017-09-11 10:25:16", rcn="1906280", order="14",
        role="thirdParty", ecContribution="0", netEcContribution="528340.97", totalCost="960619,95",
    ),
    organisation(  # line 4: the United Kingdom is UK
        "633053", "EUROfusion", "999992401", vatNumber="GB125541814",
        name="UNITED KINGDOM ATOMIC ENERGY AUTHORITY", shortName="UKAEA", SME="false", activityType="REC",
        street="Culham Science Centre", postCode="OX14 3DB", city="Abingdon", country="UK",
        nutsCode="UKJ14", contentUpdateDate="2022-08-18 09:00:00", rcn="1907000", order="2",
        role="participant", ecContribution="45000000,5", netEcContribution="45000000,5",
        totalCost="90000001",
    ),
    organisation(  # line 5: no NUTS code; a comma inside a field
        "792210", "GeoFit", "928228018", vatNumber="ESB66340514", name="COMET GLOBAL INNOVATION, SL",
        shortName="COMET", SME="true", activityType="PRC",
        street="C GRAN DE GRACIA NUM 1, PLANTA 4, PUERTA 3", postCode="08012", city="Barcelona",
        country="ES", nutsCode="", contentUpdateDate="2023-07-23 18:32:55", rcn="1947059", order="20",
        role="participant", ecContribution="284812.5", netEcContribution="284812.5", totalCost="406875",
    ),
    organisation(  # line 6: the same university, described by an older row
        "792210", "GeoFit", "999990946", vatNumber="FR180034440", name="UNIVERSITE DE BORDEAUX (OLD)",
        SME="false", activityType="HES", country="FR", nutsCode="FR612",
        contentUpdateDate="2019-01-01 00:00:00", rcn="2093451", order="1", role="coordinator",
    ),
    organisation(  # lines 7-8: a street on two lines
        "792210", "GeoFit", "999834570", name="COMUNE DI MILANO", SME="false", activityType="PUB",
        street="PIAZZA DELLA SCALA 2\nPALAZZO MARINO", postCode="20121", city="Milano", country="IT",
        nutsCode="ITC4C", contentUpdateDate="2023-01-10 08:00:00", rcn="1950000", order="21",
        role="partner",
    ),
    organisation(  # line 9
        "792210", "GeoFit", "906000123", name="VEREIN FUER GEOTHERMIE", SME="false", activityType="OTH",
        city="Zuerich", country="CH", nutsCode="CH040", contentUpdateDate="2023-01-10 08:00:00",
        rcn="1950001", order="22", role="associatedPartner", ecContribution="12000", totalCost="12000",
    ),
]  # fmt: skip
PARTICIPATION_LINES = [2, 3, 4, 5, 6, 7, 9]


def quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def official_csv(rows: list[dict[str, str]], columns=None, *, sep: str = ";") -> str:
    columns = list(columns or rows[0])
    lines = [sep.join(quoted(name) for name in columns)]
    lines += [sep.join(quoted(row[name]) for name in columns) for row in rows]
    return "\n".join(lines) + "\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def sample(tmp_path: Path) -> tuple[Path, Path]:
    return (
        write(tmp_path / "project.csv", official_csv(PROJECT_ROWS, OFFICIAL_PROJECT_COLUMNS)),
        write(tmp_path / "organization.csv", official_csv(ORGANISATION_ROWS, OFFICIAL_ORGANISATION_COLUMNS)),
    )


# --------------------------------------------------------------------------- official CSV


def test_sample_projects_exact(sample) -> None:
    organisations, projects, participations = read_cordis_csv(*sample)
    assert tuple(projects.columns) == PROJECT_COLUMNS
    assert projects["id"].tolist() == ["101003588", "633053", "792210"]
    cameras = projects.iloc[0]
    assert cameras["objective"] == OBJECTIVE  # quoted line breaks, semicolons and "" survive
    assert cameras["title"] == "Cities; mobility and the climate"
    assert cameras["acronym"] == "CAMERAS"
    assert cameras["programme"] == "H2020" and cameras["framework"] == "H2020"
    assert cameras["programme_part"] == "H2020-EU.3.4." and cameras["topic"] == "MG-2-9-2019"
    assert cameras["start_date"] == pd.Timestamp("2021-01-01")
    assert cameras["end_date"] == pd.Timestamp("2024-12-31")
    assert projects["start_date"].dtype.kind == "M"
    # decimal comma in one release, decimal point in another
    assert projects["total_cost"].tolist() == [2140000.0, 857000000.5, 9998043.75]
    assert projects["ec_contribution"].tolist() == [2140000.0, 424759863.25, 9998043.75]


def test_sample_organisations_exact(sample) -> None:
    organisations, _, _ = read_cordis_csv(*sample)
    assert tuple(organisations.columns) == ORGANISATION_COLUMNS
    assert organisations["id"].tolist() == [
        "999990946", "999643007", "999992401", "928228018", "999834570", "906000123",
    ]  # fmt: skip
    by_id = organisations.set_index("id")
    # the most recently updated description of the university wins over the older row
    assert by_id.loc["999990946", "name"] == "UNIVERSITE DE BORDEAUX"
    assert by_id["kind"].tolist() == [
        "higher_education", "higher_education", "research", "enterprise", "public", "other",
    ]  # fmt: skip
    assert by_id["activity_type"].tolist() == ["HES", "HES", "REC", "PRC", "PUB", "OTH"]
    assert by_id["country"].tolist() == ["FR", "EL", "UK", "ES", "IT", "CH"]  # EL and UK, as CORDIS writes
    assert by_id["region"].tolist() == ["FR612", "EL303", "UKJ14", None, "ITC4C", "CH040"]
    assert by_id.loc["928228018", "name"] == "COMET GLOBAL INNOVATION, SL"
    assert by_id["description"].isna().all() and by_id.loc["999990946", "description"] is None
    assert json.loads(by_id.loc["999990946", "external_ids"]) == {"pic": "999990946", "vat": "FR180034440"}
    assert json.loads(by_id.loc["999834570", "external_ids"]) == {"pic": "999834570"}


def test_sample_participations_exact(sample) -> None:
    _, _, participations = read_cordis_csv(*sample)
    assert tuple(participations.columns) == PARTICIPATION_COLUMNS
    assert participations["project_id"].tolist() == ["101003588", "633053", "633053"] + ["792210"] * 4
    assert participations["role"].tolist() == [
        "coordinator", "third party", "participant", "participant", "coordinator", "partner",
        "associated partner",
    ]  # fmt: skip
    np.testing.assert_array_equal(
        participations["ec_contribution"].to_numpy(),
        [2140000.0, 0.0, 45000000.5, 284812.5, np.nan, np.nan, 12000.0],
    )
    # the source line of each record, as an editor counts (the street of line 7 spans two lines)
    assert participations["line"].tolist() == PARTICIPATION_LINES


def test_crlf_line_endings_and_gzip(tmp_path: Path) -> None:
    projects = tmp_path / "project.csv.gz"
    # Windows line ends everywhere, also inside the quoted fields
    projects.write_bytes(gzip.compress(official_csv(PROJECT_ROWS).replace("\n", "\r\n").encode()))
    organisations = write(tmp_path / "organization.csv", official_csv(ORGANISATION_ROWS).replace("\n", "\r\n"))
    tables = read_cordis_csv(projects, organisations)
    assert tables.projects["objective"].iloc[0] == OBJECTIVE.replace("\n", "\r\n")
    assert tables.participations["line"].tolist() == PARTICIPATION_LINES


def test_organisation_file_alone_names_the_projects(sample) -> None:
    organisations, projects, participations = read_cordis_csv(organizations_path=sample[1], framework="H2020")
    assert projects["id"].tolist() == ["101003588", "633053", "792210"]
    assert projects["acronym"].tolist() == ["CAMERAS", "EUROfusion", "GeoFit"]
    assert projects["framework"].tolist() == ["H2020"] * 3
    assert projects["title"].isna().all() and projects["total_cost"].isna().all()
    assert len(organisations) == 6 and len(participations) == 7


def test_project_file_alone_gives_empty_participant_tables(sample) -> None:
    organisations, projects, participations = read_cordis_csv(sample[0])
    assert len(projects) == 3
    assert organisations.empty and tuple(organisations.columns) == ORGANISATION_COLUMNS
    assert participations.empty and tuple(participations.columns) == PARTICIPATION_COLUMNS


def test_framework_from_the_file_or_the_argument(tmp_path: Path) -> None:
    fp7 = dict(PROJECT_ROWS[2], id="314056", frameworkProgramme="FP7", legalBasis="FP7-ICT")
    horizon = dict(PROJECT_ROWS[2], id="101060884", frameworkProgramme="HORIZON", legalBasis="HORIZON.2.4")
    path = write(tmp_path / "project.csv", official_csv([fp7, horizon]))
    assert read_cordis_csv(path).projects["framework"].tolist() == ["FP7", "HORIZON"]
    # without frameworkProgramme, the legalBasis prefix tells
    columns = [c for c in OFFICIAL_PROJECT_COLUMNS if c != "frameworkProgramme"]
    path = write(tmp_path / "project_old.csv", official_csv([fp7, horizon], columns))
    assert read_cordis_csv(path).projects["framework"].tolist() == ["FP7", "HORIZON"]
    with pytest.raises(
        InvalidInputError,
        match=r"line 2, column 'legalBasis': the project belongs to 'FP7-ICT', not to framework=",
    ):
        read_cordis_csv(path, framework="H2020")
    unknown = dict(fp7, legalBasis="EURATOM")
    path = write(tmp_path / "project_unknown.csv", official_csv([unknown], columns))
    with pytest.raises(InvalidInputError, match=r"line 2, column 'legalBasis': cannot tell the framework"):
        read_cordis_csv(path)
    assert read_cordis_csv(path, framework="FP7").projects["framework"].tolist() == ["FP7"]
    with pytest.raises(InvalidInputError, match="The 'framework' parameter of read_cordis_csv must be"):
        read_cordis_csv(path, framework="FP8")


ALIASES = {"legalBasis": "programme", "organisationID": "id"}


def test_pre_2021_column_names(tmp_path: Path) -> None:
    # old releases: 'programme' for legalBasis, 'id' for organisationID
    old_projects = [{ALIASES.get(k, k): v for k, v in row.items()} for row in PROJECT_ROWS]
    old_organisations = [{ALIASES.get(k, k): v for k, v in row.items()} for row in ORGANISATION_ROWS]
    tables = read_cordis_csv(
        write(tmp_path / "p.csv", official_csv(old_projects)),
        write(tmp_path / "o.csv", official_csv(old_organisations)),
    )
    assert tables.projects["programme_part"].iloc[0] == "H2020-EU.3.4."
    assert tables.organisations["id"].iloc[0] == "999990946"


def test_latin1_file_with_encoding_argument(tmp_path: Path) -> None:
    rows = [dict(ORGANISATION_ROWS[0], name="UNIVERSITÉ DE BORDEAUX")]
    path = write(tmp_path / "organization.csv", official_csv(rows), encoding="latin-1")
    with pytest.raises(InvalidInputError) as raised:
        read_cordis_csv(organizations_path=path)
    message = str(raised.value)
    assert "organization.csv, line 2, column 'name'" in message
    assert "encoding='latin-1'" in message
    tables = read_cordis_csv(organizations_path=path, encoding="latin-1")
    assert tables.organisations["name"].iloc[0] == "UNIVERSITÉ DE BORDEAUX"


# --------------------------------------------------------------------------- JSON variant


def test_json_variant_gives_the_same_tables(sample, tmp_path: Path) -> None:
    projects = [dict(row) for row in PROJECT_ROWS]
    projects[0]["totalCost"] = 2140000  # numbers may be JSON numbers
    organisations = [dict(row) for row in ORGANISATION_ROWS]
    organisations[3]["ecContribution"] = 284812.5
    organisations[3]["nutsCode"] = None
    project_path = write(tmp_path / "project.json", json.dumps(projects, indent=1))
    organisation_path = write(tmp_path / "organization.json", json.dumps(organisations, indent=1))
    from_json = read_cordis_json(project_path, organisation_path)
    from_csv = read_cordis_csv(*sample)
    pd.testing.assert_frame_equal(from_json.projects, from_csv.projects)
    pd.testing.assert_frame_equal(from_json.organisations, from_csv.organisations)
    pd.testing.assert_frame_equal(
        from_json.participations.drop(columns="line"), from_csv.participations.drop(columns="line")
    )
    # each object starts on its own line: '[' then 27 lines per organisation object
    per_object = len(OFFICIAL_ORGANISATION_COLUMNS) + 2
    assert from_json.participations["line"].tolist() == [2 + per_object * i for i in range(7)]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('"projectID";"name"\n', r"line 1: not a JSON array of records.*use read_cordis_csv"),
        ('[\n {"projectID": "1",\n  "name": }\n]', r"line 3, character 11: not valid JSON"),
        ("[]", r"line 1: the JSON array is empty"),
        ("[1, 2]", r"line 1: expected an object with CORDIS keys"),
        ("", r"line 1: the file is empty"),
    ],
    ids=["csv", "syntax", "empty-array", "not-objects", "empty-file"],
)
def test_bad_json(tmp_path: Path, text: str, match: str) -> None:
    path = write(tmp_path / "organization.json", text)
    with pytest.raises(InvalidInputError, match=match):
        read_cordis_json(organizations_path=path)


def test_json_error_names_line_and_key(tmp_path: Path) -> None:
    rows = [dict(row) for row in ORGANISATION_ROWS[:2]]
    rows[1]["activityType"] = "XYZ"
    path = write(tmp_path / "organization.json", json.dumps(rows, indent=1))
    line = 2 + len(OFFICIAL_ORGANISATION_COLUMNS) + 2
    with pytest.raises(UnknownCodeError, match=rf"organization.json, line {line}, key 'activityType'"):
        read_cordis_json(organizations_path=path)


# --------------------------------------------------------------------------- malformed files


def bad_organisations(tmp_path: Path, **changes: str) -> Path:
    rows = [dict(row) for row in ORGANISATION_ROWS]
    rows[3].update(changes)  # line 5
    return write(tmp_path / "organization.csv", official_csv(rows))


def bad_projects(tmp_path: Path, **changes: str) -> Path:
    rows = [dict(row) for row in PROJECT_ROWS]
    rows[2].update(changes)  # line 6 (the first project's objective spans lines 2-4)
    return write(tmp_path / "project.csv", official_csv(rows))


@pytest.mark.parametrize(
    ("changes", "column", "match"),
    [
        ({"startDate": "2018/09/01"}, "startDate", "value '2018/09/01' is not a date.*'2019-05-01'"),
        ({"endDate": "2022-02-30"}, "endDate", "value '2022-02-30' is not a date"),
        ({"totalCost": "9 998 043,75"}, "totalCost", "value '9 998 043,75' is not an amount.*'1234,5'"),
        ({"ecMaxContribution": "1.234,5"}, "ecMaxContribution", "value '1.234,5' is not an amount"),
        ({"ecMaxContribution": "-10"}, "ecMaxContribution", "value '-10' is negative"),
    ],
    ids=["date-slashes", "date-impossible", "money-spaces", "money-thousands", "money-negative"],
)
def test_bad_project_values(tmp_path: Path, changes, column: str, match: str) -> None:
    with pytest.raises(InvalidInputError, match=rf"project.csv, line 6, column '{column}': {match}"):
        read_cordis_csv(bad_projects(tmp_path, **changes))


@pytest.mark.parametrize(
    ("changes", "column", "match", "error"),
    [
        ({"activityType": "XYZ"}, "activityType", "unknown activity type 'XYZ'.*PRC, HES", UnknownCodeError),
        ({"ecContribution": "-284812.5"}, "ecContribution", "value '-284812.5' is negative", ValueError),
        ({"netEcContribution": "abc"}, "netEcContribution", "value 'abc' is not an amount", ValueError),
        ({"role": ""}, "role", "the role is empty", InvalidInputError),
        ({"organisationID": " "}, "organisationID", "the organisation id \\(PIC\\) is empty", ValueError),
    ],
    ids=["activity-type", "negative", "money", "role", "id"],
)
def test_bad_organisation_values(tmp_path: Path, changes, column: str, match: str, error) -> None:
    with pytest.raises(error, match=rf"organization.csv, line 5, column '{column}': {match}"):
        read_cordis_csv(organizations_path=bad_organisations(tmp_path, **changes))


def test_unknown_activity_type_is_an_invalid_input_error() -> None:
    assert issubclass(UnknownCodeError, InvalidInputError)


def test_duplicate_project_organisation_pair(tmp_path: Path) -> None:
    rows = [*ORGANISATION_ROWS, dict(ORGANISATION_ROWS[2], role="thirdParty")]  # line 10 repeats line 4
    path = write(tmp_path / "organization.csv", official_csv(rows))
    with pytest.raises(
        InvalidInputError,
        match=r"line 10, columns 'projectID', 'organisationID': \('633053', '999992401'\) already appears "
        r"on line 4",
    ):
        read_cordis_csv(organizations_path=path)


def test_duplicate_project(tmp_path: Path) -> None:
    path = write(tmp_path / "project.csv", official_csv([*PROJECT_ROWS, PROJECT_ROWS[1]]))
    with pytest.raises(InvalidInputError, match=r"line 7, column 'id': '633053' already appears on line 5"):
        read_cordis_csv(path)


def test_missing_columns_list_the_official_header(tmp_path: Path) -> None:
    columns = [c for c in OFFICIAL_ORGANISATION_COLUMNS if c not in ("activityType", "role")]
    path = write(tmp_path / "organization.csv", official_csv(ORGANISATION_ROWS, columns))
    with pytest.raises(InvalidInputError) as raised:
        read_cordis_csv(organizations_path=path)
    message = str(raised.value)
    assert "organization.csv, line 1: the header lacks the required column(s) activityType, role" in message
    assert ";".join(OFFICIAL_ORGANISATION_COLUMNS) in message


@pytest.mark.parametrize(("sep", "name"), [(",", "comma"), ("\t", "tab")])
def test_not_semicolon_separated(tmp_path: Path, sep: str, name: str) -> None:
    path = write(tmp_path / "project.csv", official_csv(PROJECT_ROWS, sep=sep))
    with pytest.raises(InvalidInputError, match=rf"project.csv, line 1: the file is not semicolon-separated; "
                       rf"its header looks {name}-separated"):  # fmt: skip
        read_cordis_csv(path)


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.csv", "")
    with pytest.raises(InvalidInputError, match=r"empty.csv, line 1: the file is empty"):
        read_cordis_csv(empty)
    header = write(tmp_path / "header.csv", ";".join(OFFICIAL_PROJECT_COLUMNS) + "\n")
    with pytest.raises(InvalidInputError, match=r"header.csv, line 2: the file has a header but no data"):
        read_cordis_csv(header)


def test_broken_quoting_and_wrong_field_count(tmp_path: Path) -> None:
    text = official_csv(PROJECT_ROWS)
    broken = write(tmp_path / "broken.csv", text.replace('"GeoFit"', '"Geo"Fit"'))
    with pytest.raises(InvalidInputError, match=r"broken.csv, line 6: broken quoting"):
        read_cordis_csv(broken)
    short = write(tmp_path / "short.csv", text.replace('"GeoFit";', ""))
    with pytest.raises(InvalidInputError, match=r"short.csv, line 6: 19 fields where the header has 20"):
        read_cordis_csv(short)


def test_participation_of_a_project_missing_from_the_project_file(sample, tmp_path: Path) -> None:
    projects = write(tmp_path / "two.csv", official_csv(PROJECT_ROWS[:2]))
    with pytest.raises(InvalidInputError, match=r"line 5, column 'projectID': project '792210' is not in"):
        read_cordis_csv(projects, sample[1])


def test_bad_calls(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="The 'projects_path' parameter of read_cordis_csv"):
        read_cordis_csv()
    with pytest.raises(DataSourceError, match="No such CORDIS project file"):
        read_cordis_csv(tmp_path / "nowhere.csv")
    with pytest.raises(InvalidInputError, match="The 'encoding' parameter"):
        read_cordis_csv(write(tmp_path / "p.csv", official_csv(PROJECT_ROWS)), encoding="no-such-codec")


# --------------------------------------------------------------------------- reduced H2020 extract

EXTRACT_HEADER = (
    "rcn,role,pic,type,contribution,country,start_date,end_date,max_contribution,total_cost,"
    "start_year,end_year,duration,group,nunique"
)
EXTRACT_ROWS = [
    "1001,coordinator,900000001,HES,100000,EL,2016-01-01,2018-12-31,250000.5,300000,2016,2018,36,eu15,3",
    "1001,participant,900000002,PRC,150000.5,UK,2016-01-01,2018-12-31,250000.5,300000,2016,2018,36,eu15,3",
    "1001,partner,900000003,REC,NA,NA,2016-01-01,2018-12-31,250000.5,300000,2016,2018,36,tc,3",
    "1002,coordinator,900000002,PRC,50000,UK,2019-03-01,NA,50000,NA,2019,NA,NA,eu15,1",
]


PARTS = "rcn,programme_part\n1001,SC3\n1001,LEIT\n9999,ERC\n"


def extract(tmp_path: Path, rows=None, parts: str = PARTS) -> Path:
    folder = tmp_path / "extract"
    folder.mkdir(exist_ok=True)
    text = "\n".join([EXTRACT_HEADER, *(EXTRACT_ROWS if rows is None else rows)]) + "\n"
    (folder / "h2020_participations.csv.gz").write_bytes(gzip.compress(text.encode()))
    (folder / "h2020_project_programme_parts.csv.gz").write_bytes(gzip.compress(parts.encode()))
    return folder


def test_small_extract_exact(tmp_path: Path) -> None:
    organisations, projects, participations = read_h2020_participations(extract(tmp_path))
    assert organisations["id"].tolist() == ["900000001", "900000002", "900000003"]
    assert organisations["kind"].tolist() == ["higher_education", "enterprise", "research"]
    assert organisations["country"].tolist() == ["EL", "UK", "NA"]  # NA is Namibia, not missing
    assert organisations["name"].isna().all() and organisations["region"].isna().all()
    assert json.loads(organisations["external_ids"].iloc[0]) == {"pic": "900000001"}
    assert projects["id"].tolist() == ["1001", "1002"]
    assert projects["programme_part"].tolist() == ["SC3;LEIT", None]
    assert projects["programme"].tolist() == ["H2020", "H2020"] == projects["framework"].tolist()
    assert projects["start_date"].tolist() == [pd.Timestamp("2016-01-01"), pd.Timestamp("2019-03-01")]
    assert projects["end_date"].iloc[0] == pd.Timestamp("2018-12-31")
    assert pd.isna(projects["end_date"].iloc[1])
    np.testing.assert_array_equal(projects["total_cost"], [300000.0, np.nan])
    np.testing.assert_array_equal(projects["ec_contribution"], [250000.5, 50000.0])
    assert participations["role"].tolist() == ["coordinator", "participant", "partner", "coordinator"]
    np.testing.assert_array_equal(participations["ec_contribution"], [100000.0, 150000.5, np.nan, 50000.0])
    assert participations["line"].tolist() == [2, 3, 4, 5]


def replace_row(position: int, old: str, new: str) -> list[str]:
    rows = list(EXTRACT_ROWS)
    rows[position] = rows[position].replace(old, new, 1)
    return rows


BAD_EXTRACTS = {
    "type": (replace_row(1, "PRC", "SME"), r"line 3, column 'type': unknown activity type 'SME'"),
    "negative": (replace_row(1, "150000.5", "-1"), r"line 3, column 'contribution': value '-1' is negative"),
    "money": (replace_row(1, "150000.5", "1e3x"), r"line 3, column 'contribution': value '1e3x' is not an"),
    "date": (replace_row(2, "2016-01-01", "2016-13-01"), r"line 4, column 'start_date': value '2016-13-01'"),
    "duplicate": (
        [*EXTRACT_ROWS, EXTRACT_ROWS[0]],
        r"line 6, columns 'rcn', 'pic': \('1001', '900000001'\) already appears on line 2",
    ),
    "project-dates": (
        replace_row(1, "2016-01-01", "2016-02-01"),
        r"line 3, column 'start_date': project '1001' has '2016-02-01' here but '2016-01-01' on line 2",
    ),
    "organisation-type": (
        replace_row(3, "PRC", "REC"),
        r"line 5, column 'type': organisation '900000002' has 'REC' here but 'PRC' on line 3",
    ),
    "header-only": ([], r"line 2: the file has a header but no data rows"),
}


@pytest.mark.parametrize("case", list(BAD_EXTRACTS), ids=list(BAD_EXTRACTS))
def test_bad_extract(tmp_path: Path, case: str) -> None:
    rows, match = BAD_EXTRACTS[case]
    error = UnknownCodeError if case == "type" else InvalidInputError
    with pytest.raises(error, match=r"h2020_participations.csv.gz, " + match):
        read_h2020_participations(extract(tmp_path, rows))


def test_bad_extract_files(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match="No such folder"):
        read_h2020_participations(tmp_path / "nowhere")
    folder = extract(tmp_path)
    text = "\n".join([EXTRACT_HEADER.replace(",", ";"), *(r.replace(",", ";") for r in EXTRACT_ROWS)])
    (folder / "h2020_participations.csv.gz").write_bytes(gzip.compress(text.encode()))
    with pytest.raises(InvalidInputError, match="not comma-separated; its header looks semicolon-separated"):
        read_h2020_participations(folder)
    text = "\n".join([EXTRACT_HEADER.replace(",type", ",kind"), *EXTRACT_ROWS])
    (folder / "h2020_participations.csv.gz").write_bytes(gzip.compress(text.encode()))
    with pytest.raises(InvalidInputError, match=r"line 1: the header lacks the required column\(s\) type"):
        read_h2020_participations(folder)
    folder = extract(tmp_path)
    (folder / "h2020_project_programme_parts.csv.gz").unlink()
    with pytest.raises(DataSourceError, match="No such H2020 programme part file"):
        read_h2020_participations(folder)


# --------------------------------------------------------------------------- observations


def test_project_activity_counts_by_hand(tmp_path: Path) -> None:
    tables = read_h2020_participations(extract(tmp_path))
    counts = project_activity_counts(*tables[1:], tables.organisations)
    observation = ["region", "activity", "time", "measure", "value", "flag", "line", "column"]
    assert list(counts.columns) == observation
    # project 1001 (2016; SC3 and LEIT) has EL, UK and NA participants; 1002 has no part
    expected = [
        ("EL", "LEIT", "2016", 1.0, 2), ("EL", "SC3", "2016", 1.0, 2),
        ("NA", "LEIT", "2016", 1.0, 4), ("NA", "SC3", "2016", 1.0, 4),
        ("UK", "LEIT", "2016", 1.0, 3), ("UK", "SC3", "2016", 1.0, 3),
    ]  # fmt: skip
    got = list(counts[["region", "activity", "time", "value", "line"]].itertuples(index=False, name=None))
    assert got == expected
    assert set(counts["measure"]) == {"projects"} and counts["flag"].isna().all()


def test_project_activity_counts_by_region_and_topic(sample) -> None:
    organisations, projects, participations = read_cordis_csv(*sample)
    counts = project_activity_counts(projects, participations, organisations, by="region", activity="topic")
    rows = set(counts[["region", "activity", "time"]].itertuples(index=False, name=None))
    assert ("FR612", "LC-SC3-EE-2-2018", "2018") in rows
    assert ("EL303", "EURATOM-Adhoc-2014-20", "2014") in rows
    assert not any(region is None for region, _, _ in rows)  # COMET has no NUTS code: not counted
    fr = counts[(counts["region"] == "FR612")]
    assert fr["value"].tolist() == [1.0, 1.0]


def test_project_activity_counts_bad_input(tmp_path: Path) -> None:
    organisations, projects, participations = read_h2020_participations(extract(tmp_path))
    with pytest.raises(InvalidInputError, match="The 'by' parameter of project_activity_counts must be"):
        project_activity_counts(projects, participations, organisations, by="city")
    with pytest.raises(InvalidInputError, match="The 'activity' parameter of project_activity_counts"):
        project_activity_counts(projects, participations, organisations, activity="sdg")
    with pytest.raises(InvalidInputError, match="no NUTS codes: use by='country'"):
        project_activity_counts(projects, participations, organisations, by="region")
    with pytest.raises(InvalidInputError, match=r"line 3 refers to organisation '900000002', which is not"):
        project_activity_counts(projects, participations, organisations.iloc[[0, 2]])
    with pytest.raises(InvalidInputError, match="The 'projects' parameter .* must be a pandas DataFrame"):
        project_activity_counts(None, participations, organisations)


# --------------------------------------------------------------------------- the real extract


@pytest.fixture(scope="module")
def h2020(shared_data: Path):
    folder = shared_data / "cordis-h2020-participations"
    return folder, read_h2020_participations(folder)


@pytest.fixture(scope="module")
def h2020_raw(h2020) -> pd.DataFrame:
    folder, _ = h2020
    # plain pandas, keeping 'NA' (Namibia) as text
    return pd.read_csv(folder / "h2020_participations.csv.gz", dtype=str, keep_default_na=False)


@pytest.mark.shared
def test_real_extract_sizes(h2020) -> None:
    _, (organisations, projects, participations) = h2020
    assert len(participations) == 144_726
    assert len(organisations) == 35_871
    assert len(projects) == 31_451
    assert not participations.duplicated(["project_id", "organisation_id"]).any()
    assert organisations["id"].is_unique and projects["id"].is_unique
    assert participations["role"].value_counts().to_dict() == {
        "participant": 106_108, "coordinator": 31_476, "partner": 7_142,
    }  # fmt: skip


@pytest.mark.shared
def test_real_extract_activity_types(h2020) -> None:
    _, (organisations, _, participations) = h2020
    types = participations.merge(organisations, left_on="organisation_id", right_on="id")["activity_type"]
    assert types.value_counts().to_dict() == {
        "HES": 49_220, "PRC": 48_244, "REC": 29_481, "OTH": 9_840, "PUB": 7_941,
    }  # fmt: skip
    assert organisations.groupby("kind")["activity_type"].unique().map(list).to_dict() == {
        "enterprise": ["PRC"], "higher_education": ["HES"], "research": ["REC"], "public": ["PUB"],
        "other": ["OTH"],
    }  # fmt: skip


@pytest.mark.shared
def test_real_extract_spot_check(h2020, h2020_raw: pd.DataFrame) -> None:
    _, (organisations, projects, participations) = h2020
    raw = h2020_raw[h2020_raw["rcn"] == "221856"]
    # 12 organisations from 4 countries: the extract's 'nunique' column counts countries, not
    # organisations (SOURCE.md says organisations)
    assert len(raw) == 12 and raw["country"].nunique() == 4 and set(raw["nunique"]) == {"4"}
    assert raw.loc[raw["role"] == "coordinator", "country"].tolist() == ["ES"]
    mine = participations[participations["project_id"] == "221856"]
    assert sorted(mine["organisation_id"]) == sorted(raw["pic"])
    assert mine["line"].tolist() == [index + 2 for index in raw.index]  # header is line 1
    np.testing.assert_array_equal(mine["ec_contribution"], raw["contribution"].astype(float))
    coordinator = mine.loc[mine["role"] == "coordinator", "organisation_id"].item()
    assert organisations.set_index("id").loc[coordinator, "country"] == "ES"
    project = projects.set_index("id").loc["221856"]
    assert project["start_date"] == pd.Timestamp(raw["start_date"].iloc[0])
    assert project["total_cost"] == float(raw["total_cost"].iloc[0])
    assert project["ec_contribution"] == float(raw["max_contribution"].iloc[0])
    # 'NA' is Namibia in the country column and a missing value in the number columns
    assert (h2020_raw["country"] == "NA").sum() == 11
    missing = participations["ec_contribution"].isna().sum()
    assert missing == (h2020_raw["contribution"] == "NA").sum() == 13_754


@pytest.mark.shared
def test_real_extract_country_programme_counts(h2020, h2020_raw: pd.DataFrame) -> None:
    folder, (organisations, projects, participations) = h2020
    counts = project_activity_counts(projects, participations, organisations)
    parts = pd.read_csv(folder / "h2020_project_programme_parts.csv.gz", dtype=str).drop_duplicates()
    for country in ("DE", "EL"):
        rows = h2020_raw[(h2020_raw["country"] == country) & (h2020_raw["start_year"] != "NA")]
        expected = (
            rows[["rcn", "start_year"]]
            .merge(parts, on="rcn")
            .groupby(["programme_part", "start_year"])["rcn"]
            .nunique()
            .astype(float)
        )
        mine = counts[counts["region"] == country].set_index(["activity", "time"])["value"]
        assert mine.sort_index().to_dict() == expected.sort_index().to_dict()
    table = validate_long(counts, time="time")  # the indicators' input contract
    assert len(table.periods) == counts["time"].nunique() >= 7
    de_2015 = counts[(counts["region"] == "DE") & (counts["time"] == "2015")]
    assert de_2015["value"].sum() > 0 and counts["value"].min() >= 1
