"""The region report: one self-contained, escaped HTML page and a deterministic three-page PDF."""

from __future__ import annotations

import copy
import re
import sys

import pytest

from clusterix.errors import InvalidInputError

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")

from clusterix.profiling.report import render_html, render_pdf, write_report  # noqa: E402

HOSTILE = "<script>alert('x')</script> & Co"


def fake_profile() -> dict:
    """A small profile in the schema of clusterix.profiling.profile (made-up figures)."""
    specialisations = [
        {
            "activity": "62.01",
            "name": "Computer programming",
            "value": 48000.0,
            "lq": 7.104,
            "share": 0.085,
            "pci": 1.9,
        },
        {
            "activity": "64.19",
            "name": "Other monetary intermediation",
            "value": 34290.0,
            "lq": 6.181,
            "share": 0.059,
            "pci": 1.94,
        },
        {"activity": "70.10", "name": None, "value": 21820.0, "lq": 4.7449, "share": 0.036, "pci": 1.31},
        {"activity": "90.01", "name": "Performing arts", "value": 12630.0, "lq": 2.9166, "share": 0.021, "pci": -0.63},
    ]
    points = [
        {"activity": f"A{i:02d}", "density": 0.05 * i, "pci": (-1) ** i * 0.2 * i, "present": i % 3 == 0}
        for i in range(1, 16)
    ]
    return {
        "region": "UKI3",
        "name": "Inner London - West",
        "period": "2018",
        "dataset": "uk_bres",
        "measure": "employment",
        "summary": {
            "total": 1482300.0,
            "diversity": 143,
            "eci": 2.184,
            "eci_rank": 1,
            "n_regions": 41,
            "coi": 0.731,
            "herfindahl": 0.0214,
            "entropy": 4.412,
            "krugman": 0.612,
            "hachman": 0.418,
            "specialisation_gini": 0.547,
        },
        "specialisations": specialisations,
        "clusters": [
            {
                "cluster": "financial_services",
                "name": "Financial services",
                "size": 210400.0,
                "lq": 3.92,
                "focus": 0.142,
                "size_star": True,
                "specialisation_star": True,
                "focus_star": True,
                "stars": 3,
            },
            {
                "cluster": "life_sciences",
                "name": None,
                "size": 24900.0,
                "lq": 0.93,
                "focus": 0.017,
                "size_star": False,
                "specialisation_star": False,
                "focus_star": False,
                "stars": 0,
            },
        ],
        "emerging": [
            {
                "activity": "63.12",
                "name": "Web portals",
                "value_start": 2100.0,
                "value_end": 6900.0,
                "lq_start": 0.82,
                "lq_end": 1.64,
                "growth": 2.286,
                "status": "gained",
            },
        ],
        "diversification": [
            {
                "activity": "A14",
                "name": "Biotech R&D",
                "density": 0.7,
                "pci": 2.8,
                "cog": 0.4,
                "quadrant": "high relatedness, high complexity",
            },
            {
                "activity": "A10",
                "name": None,
                "density": 0.5,
                "pci": 2.0,
                "cog": 0.2,
                "quadrant": "high relatedness, high complexity",
            },
        ],
        "diversification_frame": {"density_median": 0.4, "pci_median": 0.1, "points": points},
        "trends": [
            {"period": str(year), "total": 1.3e6 + 3e4 * k, "diversity": 131 + k, "eci": 1.9 + 0.05 * k}
            for k, year in enumerate(range(2015, 2019))
        ],
        "notes": ["Made-up figures for the tests."],
    }


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(fake_profile())


# ----------------------------------------------------------------------------- HTML


def test_html_shows_the_region_and_every_specialisation(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert "UKI3" in html and "Inner London - West" in html
    for row in fake_profile()["specialisations"]:
        assert row["activity"] in html
        assert f"{row['lq']:.2f}" in html
    assert "7.10" in html and "1,482,300" in html
    assert "rank 1 of 41" in html
    assert "Financial services" in html and "★★★" in html and "☆☆☆" in html
    assert "Web portals" in html and "228.6%" in html
    assert "Made-up figures for the tests." in html


def test_html_has_one_inline_svg_per_chart(html: str) -> None:
    # Specialisation bars, the relatedness x complexity scatter and the trends.
    assert html.count("<svg") == 3
    assert html.count("</svg>") == 3
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "element ids of the inline charts collide"
    references = set(re.findall(r'(?:url\(#|href="#)([^")]+)', html))
    assert references and references <= set(ids)


def test_html_is_self_contained(html: str) -> None:
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"<(link|script|img|iframe)\b", html, flags=re.I)
    assert "@import" not in html
    assert not re.search(r"url\((?!#)", html), "only references inside the page"
    assert not re.search(r'href="(?!#)', html), "only references inside the page"


def test_html_without_trends_or_clusters_drops_those_parts() -> None:
    profile = fake_profile()
    profile.update(trends=profile["trends"][:1], clusters=[], diversification_frame={})
    page = render_html(profile)
    assert page.count("<svg") == 1
    assert "No cluster figures for this region." in page


def test_html_escapes_hostile_user_data() -> None:
    profile = fake_profile()
    profile["name"] = HOSTILE
    profile["specialisations"][0]["name"] = HOSTILE
    profile["specialisations"][1]["activity"] = HOSTILE
    profile["diversification"][0]["activity"] = HOSTILE
    profile["notes"] = [HOSTILE]
    page = render_html(profile)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page


def test_html_renders_missing_numbers_as_a_dash() -> None:
    profile = fake_profile()
    profile["specialisations"][0]["pci"] = None
    profile["specialisations"][1]["pci"] = float("nan")
    assert "—" in render_html(profile)


# ----------------------------------------------------------------------------- PDF


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def test_pdf_has_three_pages_and_is_deterministic(tmp_path) -> None:
    first = render_pdf(fake_profile(), tmp_path / "a.pdf")
    second = render_pdf(fake_profile(), tmp_path / "b.pdf")
    data = first.read_bytes()
    assert data.startswith(b"%PDF")
    assert page_count(data) == 3
    assert b"/CreationDate" not in data
    assert abs(len(data) - len(second.read_bytes())) <= 64
    assert data == second.read_bytes()


def test_pdf_copes_with_a_sparse_profile(tmp_path) -> None:
    profile = {"region": "R1", "period": "2020", "summary": {"total": 10.0, "diversity": 0}}
    path = render_pdf(profile, tmp_path / "sparse.pdf")
    assert page_count(path.read_bytes()) == 3


# ----------------------------------------------------------------------------- write_report and errors


def test_write_report_writes_either_format(tmp_path) -> None:
    html_path = write_report(fake_profile(), tmp_path / "r.html")
    assert "UKI3" in html_path.read_text("utf-8")
    pdf_path = write_report(fake_profile(), str(tmp_path / "r.pdf"), format="pdf")
    assert pdf_path.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("profile", [None, [], {"name": "no region"}, {"region": "R", "clusters": "x"}])
def test_bad_profiles_are_invalid_input(profile, tmp_path) -> None:
    with pytest.raises(InvalidInputError):
        render_html(profile)
    with pytest.raises(InvalidInputError):
        render_pdf(profile, tmp_path / "x.pdf")


def test_unknown_format_is_invalid_input(tmp_path) -> None:
    with pytest.raises(InvalidInputError, match="format must be one of"):
        write_report(fake_profile(), tmp_path / "r.docx", format="docx")


@pytest.mark.parametrize("module", ["jinja2", "matplotlib"])
def test_missing_extras_name_the_install_command(module, monkeypatch, tmp_path) -> None:
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(InvalidInputError, match=re.escape("pip install 'clusterix[report]'")):
        render_html(fake_profile())
    if module == "matplotlib":
        with pytest.raises(InvalidInputError, match=re.escape("pip install 'clusterix[report]'")):
            render_pdf(fake_profile(), tmp_path / "x.pdf")


@pytest.mark.parametrize(("module", "format"), [("matplotlib", "pdf"), ("jinja2", "html")])
def test_the_command_line_prints_the_install_command_whole(module, format, monkeypatch, tmp_path) -> None:
    """``clusterix profile --format pdf`` without the extra: the message keeps its ``[report]``
    (printed through rich, a bracketed word would otherwise be taken for markup and dropped)."""
    from typer.testing import CliRunner

    from clusterix.cli import app

    table = tmp_path / "tiny.csv"
    rows = [("r0", "a0", 50), ("r0", "a1", 50), ("r1", "a1", 50), ("r1", "a2", 50), ("r2", "a2", 50), ("r2", "a0", 5)]
    table.write_text("region,activity,value\n" + "".join(f"{r},{a},{v}\n" for r, a, v in rows), encoding="utf-8")
    monkeypatch.setitem(sys.modules, module, None)
    arguments = ["profile", "r0", "--input", str(table), "--min-value", "1", "--format", format]
    result = CliRunner().invoke(app, [*arguments, "--out", str(tmp_path / f"r0.{format}")])
    assert result.exit_code == 2, result.output
    assert "needs the 'report' extra: pip install 'clusterix[report]'" in " ".join(result.output.split())


def test_rendering_leaves_the_profile_untouched() -> None:
    profile = fake_profile()
    before = copy.deepcopy(profile)
    render_html(profile)
    assert profile == before
