"""The glossary: every indicator the API and the pages offer has an entry in plain words with a
formula and a reference; the page and its JSON twin list the same entries."""

from __future__ import annotations

from fastapi.testclient import TestClient

from clusterix.app.glossary import GLOSSARY
from clusterix.app.regions import INDICATORS


def test_every_indicator_is_explained() -> None:
    keys = {entry.key for entry in GLOSSARY}
    assert set(INDICATORS) <= keys  # every indicator of the map and the API
    assert {"pci", "density", "proximity", "cog", "stars"} <= keys  # and what the profiles show
    for entry in GLOSSARY:
        assert len(entry.plain) > 40 and entry.formula and entry.reference and entry.methods
    assert len(keys) == len(GLOSSARY)


def test_the_page_and_its_twin_list_the_same_entries(tiny_app) -> None:
    client = TestClient(tiny_app)
    page = client.get("/glossary")
    assert page.status_code == 200 and 'aria-current="page">Glossary' in page.text
    twin = client.get("/api/v1/glossary").json()["items"]
    assert [item["key"] for item in twin] == [entry.key for entry in GLOSSARY]
    for item in twin:
        assert f'<dt id="{item["key"]}"' in page.text
    assert "has no meaning outside that set of regions" in page.text
