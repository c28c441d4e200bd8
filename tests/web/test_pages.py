"""The HTML pages: each returns 200 with the elements browser tests rely on, shows the same
figures as its JSON twin, and loads nothing from another site."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

import clusterix.web as web_package

TEMPLATES = Path(web_package.__file__).parent / "templates"
STATIC = Path(web_package.__file__).parent / "static"


def _html(response) -> str:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def test_every_page_has_the_navigation(client) -> None:
    for path in ("/", "/regions", "/regions/XA11", "/compare", "/partners"):
        text = _html(client.get(path))
        for key in ("map", "regions", "compare", "partners", "partnerships"):
            assert f'data-testid="nav-{key}"' in text, (path, key)
        assert 'data-testid="nav-login"' in text  # nobody is signed in
        assert '<link rel="stylesheet" href="/static/app.css">' in text


def test_map_page_points_to_its_json_twin(client) -> None:
    text = _html(client.get("/", params={"indicator": "total", "year": "2017"}))
    assert 'id="map"' in text and 'data-api="/api/v1/indicators/geojson"' in text
    assert 'data-dataset="tiny"' in text and 'data-indicator="total"' in text and 'data-year="2017"' in text
    assert '<option value="total" selected>' in text and '<option value="2017" selected>' in text
    assert '<script src="/static/vendor/leaflet.js">' in text and '<script src="/static/map.js">' in text
    assert 'href="/static/vendor/leaflet.css"' in text
    assert re.findall(r'<option value="(\w+)">\w+</option>', text.split('id="activity-list"')[1])[:3] == ["A", "B", "C"]


def test_regions_page_lists_regions_by_eci(client) -> None:
    text = _html(client.get("/regions"))
    codes = re.findall(r'class="region-row" data-region="(\w+)"', text)
    twin = client.get("/api/v1/indicators", params={"indicator": "eci"}).json()["items"]
    assert codes == [item["region"] for item in sorted(twin, key=lambda item: -item["value"])]


def test_profile_page_shows_the_profile_and_peers(client) -> None:
    text = _html(client.get("/regions/XA11"))
    assert re.search(r'<h1 id="region-title" data-region="XA11">XA11 · Region 1</h1>', text)
    twin = client.get("/api/v1/regions/XA11/profile").json()
    first = twin["specialisations"][0]
    assert f'class="specialisation-row" data-activity="{first["activity"]}"' in text
    assert f"{first['lq']:.2f}" in text
    peers = client.get("/api/v1/regions/XA11/peers", params={"k": 5}).json()["items"]
    assert re.findall(r'class="peer-row" data-region="(\w+)"', text) == [peer["region"] for peer in peers]
    assert 'hx-get="/regions/XA11/fragment"' in text  # another year is swapped in by HTMX
    assert "<svg" in text  # the report's charts


def test_profile_fragment_for_another_year(client) -> None:
    text = _html(client.get("/regions/XA11/fragment", params={"year": "2017"}))
    assert "<html" not in text and 'id="region-title"' in text
    assert '<option value="2017" selected>' in text
    assert "170" in text  # XA11's total in 2017


def test_page_errors_are_html(client) -> None:
    response = client.get("/regions/XA99")
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert 'id="error-status">Error 404' in response.text and "XA99" in response.text
    malformed = client.get("/regions/x-99")
    assert malformed.status_code == 422 and 'id="error-message"' in malformed.text
    assert client.get("/regions/xa99", follow_redirects=False).status_code == 308  # any case: redirected
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "<html" in missing.text


def test_compare_page(client) -> None:
    text = _html(client.get("/compare", params={"regions": "XA11,XA14"}))
    assert 'id="complementarity-matrix"' in text
    twin = client.get("/api/v1/complementarity", params={"regions": "XA11,XA14"}).json()
    assert f"{twin['matrix'][0][1]:.3f}" in text
    assert 'data-pair="XA11-XA14"' in text and 'data-pair="XA14-XA11"' in text
    assert 'id="compare-peers"' in text
    empty = _html(client.get("/compare"))
    assert 'id="compare-form"' in empty and "complementarity-matrix" not in empty
    unknown = _html(client.get("/compare", params={"regions": "XA11,XA99"}))
    assert 'id="compare-error"' in unknown and "XA99" in unknown


def test_partner_search_and_results(client) -> None:
    text = _html(client.get("/partners", params={"q": "organisation"}))
    assert re.findall(r'class="org-option" data-org="(\d+)"', text) == [str(1001 + i) for i in range(8)]
    fragment = _html(client.get("/partners/search", params={"q": "1008"}))
    assert "<html" not in fragment and fragment.count('class="org-option"') == 1
    deadline = time.monotonic() + 60
    while True:
        page = _html(client.get("/partners", params={"org": "1008"}))
        if "partners-fitting" not in page or time.monotonic() > deadline:
            break
        assert 'hx-trigger="load delay:3s"' in page  # the page polls while the recommender fits
        time.sleep(0.2)
    rows = re.findall(r'class="partner-row" data-partner="(\d+)"', page)
    twin = client.get("/api/v1/organisations/1008/partners", params={"k": 15}).json()["items"]
    assert rows == [item["partner_id"] for item in twin] and len(rows) == 3
    assert page.count('class="reason"') == 3 * 6  # one bar per component and partner


def test_static_assets_are_served_locally(client) -> None:
    for path, kind in (
        ("/static/app.css", "text/css"),
        ("/static/map.js", "javascript"),
        ("/static/vendor/leaflet.js", "javascript"),
        ("/static/vendor/leaflet.css", "text/css"),
        ("/static/vendor/htmx.min.js", "javascript"),
        ("/static/vendor/images/layers.png", "image/png"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert kind in response.headers["content-type"], path
    assert "Leaflet 1.9.4" in client.get("/static/vendor/leaflet.js").text
    assert 'version:"2.0.11"' in client.get("/static/vendor/htmx.min.js").text.replace(" ", "")


@pytest.mark.parametrize("path", sorted([*TEMPLATES.glob("*.html"), STATIC / "app.css", STATIC / "map.js"]), ids=str)
def test_nothing_is_loaded_from_another_site(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"https?://", text), f"{path.name} names an external URL"
    assert not re.search(r"""(src|href)=["']//""", text), f"{path.name} has a protocol-relative URL"
    assert "@import" not in text and "url(http" not in text


def test_vendored_files_are_documented() -> None:
    readme = (STATIC / "vendor" / "README.md").read_text(encoding="utf-8")
    for name in ("leaflet.js", "leaflet.css", "htmx.min.js", "LICENSE-leaflet.txt", "LICENSE-htmx.txt"):
        assert (STATIC / "vendor" / name).is_file(), name
    assert "1.9.4" in readme and "2.0.11" in readme


@pytest.mark.shared
def test_demo_pages(demo_client) -> None:
    text = _html(demo_client.get("/"))
    assert 'data-dataset="uk-bres-employment"' in text
    assert "cordis-h2020-projects" in text  # a choice in the dataset selector
    profile = _html(demo_client.get("/regions/UKI3", params={"dataset": "uk-bres-employment"}))
    assert 'id="region-title" data-region="UKI3"' in profile and "Inner London" in profile
    countries = _html(demo_client.get("/regions", params={"dataset": "cordis-h2020-projects"}))
    assert 'data-region="DE"' in countries
    compare = _html(demo_client.get("/compare", params={"regions": "UKI3,UKM2"}))
    assert 'id="complementarity-matrix"' in compare


def test_templates_and_static_files_are_package_data() -> None:
    import fnmatch
    import tomllib

    root = Path(web_package.__file__).parents[3]
    patterns = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["clusterix"]
    package = Path(web_package.__file__).parents[1]
    for folder in (TEMPLATES, STATIC):
        for path in folder.rglob("*"):
            if path.is_file():
                relative = path.relative_to(package).as_posix()
                assert any(fnmatch.fnmatchcase(relative, p) and "/" not in relative[len(p.rsplit("/", 1)[0]) + 1 :]
                           for p in patterns), f"{relative} is not package data"  # fmt: skip
