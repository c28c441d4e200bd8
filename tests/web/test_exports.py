"""A region profile as a file: CSV (every list of the profile, with names), the HTML report
(under a policy of its own: inline CSS, no script) and the PDF report; linked from the page."""

from __future__ import annotations

import io

import pandas as pd
from fastapi.testclient import TestClient


def test_the_csv_export_holds_the_profile_s_lists(tiny_app) -> None:
    client = TestClient(tiny_app)
    answer = client.get("/regions/XA11/export.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"] == 'attachment; filename="clusterix-XA11-profile.csv"'
    table = pd.read_csv(io.StringIO(answer.text))
    profile = client.get("/api/v1/regions/XA11/profile").json()
    assert set(table["region"]) == {"XA11"} and set(table["region_name"]) == {"Region 1"}
    expected = sum(len(profile[name]) for name in ("specialisations", "emerging", "diversification", "clusters"))
    assert len(table) == expected + len(profile["research_specialisations"])
    specialised = table[table["table"] == "specialisations"]
    assert specialised["activity"].tolist() == [item["activity"] for item in profile["specialisations"]]


def test_the_report_exports(tiny_app) -> None:
    client = TestClient(tiny_app)
    html = client.get("/regions/xa11/export.html")
    assert html.status_code == 200 and "Region 1" in html.text and "<script" not in html.text
    policy = html.headers["content-security-policy"]
    assert policy.startswith("default-src 'none'") and "script-src" not in policy
    pdf = client.get("/regions/XA11/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert client.get("/regions/XA11/export.docx").status_code in (404, 422)


def test_the_page_links_its_exports(tiny_app) -> None:
    page = TestClient(tiny_app, cookies={"fresh": "1"}).get("/regions/XA11").text
    for kind in ("csv", "html", "pdf"):
        assert f'data-testid="export-{kind}"' in page and f"/regions/XA11/export.{kind}?" in page
