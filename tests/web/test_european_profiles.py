"""Every European NUTS 2 region has a profile in the demo: the regions of the agencies
clusterix is for answer with research competences named in words (H2020 projects by
Sustainable Development Goal, recoded to NUTS 2021), on the API and on the page, and a
region in more than one dataset is profiled from the first that holds it unless asked."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.shared

#: Lower Austria, South Tyrol, West Pannonia, Bucharest-Ilfov, Skåne's NUTS 2 (South Sweden),
#: Moravia-Silesia, Southern Denmark, Rhône-Alpes, Antwerp (Flanders), North-East Romania.
AGENCIES = {
    "AT12": "Niederösterreich",
    "ITH1": "Bolzano",
    "HU22": "Nyugat-Dunántúl",
    "RO32": "Bucureşti",
    "SE22": "Sydsverige",
    "CZ08": "Moravskoslezsko",
    "DK03": "Syddanmark",
    "FRK2": "Rhône-Alpes",
    "BE21": "Antwerpen",
    "RO21": "Nord-Est",
}
LISTS = ("specialisations", "research_specialisations", "emerging", "diversification")


@pytest.mark.parametrize("code", list(AGENCIES))
def test_the_agencies_regions_have_named_research_competences(demo_client, code: str) -> None:
    answer = demo_client.get(f"/api/v1/regions/{code}/profile")
    assert answer.status_code == 200, answer.text
    profile = answer.json()
    assert AGENCIES[code] in profile["name"]
    assert profile["dataset"] == "h2020-sdg-nuts2" and profile["period"] == "2014-2021"
    assert profile["specialisations"], "no research competence listed"
    for name in LISTS:
        for item in profile[name]:
            title = item.get("name") or item.get("activity_name")
            assert title and not str(title).startswith("SDG"), (name, item)


def test_a_region_page_outside_the_uk_is_no_longer_a_404(demo_client) -> None:
    page = demo_client.get("/regions/AT12")
    assert page.status_code == 200
    assert "Niederösterreich" in page.text and "Industry, innovation and infrastructure" in page.text


def test_the_uk_keeps_its_industry_profile_and_can_ask_for_research(demo_client) -> None:
    industry = demo_client.get("/api/v1/regions/UKI3/profile").json()
    assert industry["dataset"] == "uk-bres-employment"
    research = demo_client.get("/api/v1/regions/UKI3/profile", params={"dataset": "h2020-sdg-nuts2"}).json()
    assert research["dataset"] == "h2020-sdg-nuts2" and research["specialisations"]


def test_an_unknown_region_is_still_a_404(demo_client) -> None:
    assert demo_client.get("/api/v1/regions/ZZ99/profile").status_code == 404


def test_programme_parts_have_their_titles(demo_client) -> None:
    activities = demo_client.get("/api/v1/datasets/cordis-h2020-projects/activities").json()
    titles = {item["code"]: item["name"] for item in activities["items"]}
    assert titles["SC3"] == "Secure, clean and efficient energy"
    assert titles["SWAFS"] == "Science with and for Society"
    assert all(titles.values()), [code for code, name in titles.items() if not name]
    profile = demo_client.get("/api/v1/regions/AT/profile", params={"dataset": "cordis-h2020-projects"}).json()
    assert profile["specialisations"] and all(item["name"] for item in profile["specialisations"])


@pytest.mark.parametrize(
    ("code", "name", "dataset"),
    [("BE2", "Vlaams Gewest", "h2020-sdg-nuts1"), ("SE224", "Skåne", "h2020-sdg-nuts3")],
)
def test_nuts1_and_nuts3_regions_have_profiles_too(demo_client, code: str, name: str, dataset: str) -> None:
    profile = demo_client.get(f"/api/v1/regions/{code}/profile").json()
    assert profile["dataset"] == dataset and name in profile["name"]
    assert profile["specialisations"] and all(item["name"] for item in profile["specialisations"])


def test_a_region_page_says_what_data_it_has_and_what_is_missing(demo_client) -> None:
    austria = demo_client.get("/regions/AT12").text
    assert 'data-dataset="h2020-sdg-nuts2"' in austria and "(research)" in austria
    missing = austria.split('data-testid="missing-data">')[1].split("</p>")[0]
    assert "No industry data" in missing and "clusterix fetch eurostat sbs_r_nuts06_r2" in missing
    london = demo_client.get("/regions/UKI3").text
    assert 'data-dataset="uk-bres-employment"' in london and 'data-dataset="h2020-sdg-nuts2"' in london
    assert 'data-testid="missing-data"' not in london  # industry and research both there


def test_every_dataset_that_holds_a_region_gives_its_profile(demo_client) -> None:
    for code in ("UKI3", "AT12"):
        answer = demo_client.get(f"/api/v1/regions/{code}/profiles")
        assert answer.status_code == 200, answer.text
        items = answer.json()["items"]
        default = demo_client.get(f"/api/v1/regions/{code}/profile").json()
        assert items[0]["dataset"] == default["dataset"]  # the one without dataset= comes first
        datasets = [item["dataset"] for item in items]
        assert len(datasets) == len(set(datasets)) >= 2 and "h2020-sdg-nuts2" in datasets
        one = demo_client.get(f"/api/v1/regions/{code}/profile", params={"dataset": datasets[-1]}).json()
        assert items[-1] == one  # the same profile as asked for one dataset
    assert demo_client.get("/api/v1/regions/ZZ99/profiles").status_code == 404
