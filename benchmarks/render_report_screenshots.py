"""Render the region report of one profile to HTML and PDF, and screenshot both for the docs.

Usage::

    python benchmarks/render_report_screenshots.py [PROFILE.json] [--out docs/img] [--keep DIR]

PROFILE.json is the dict of ``clusterix.profiling.profile`` saved with ``json.dump``;
without it an illustrative (made-up, not real data) profile of UKI3 is used. Needs the
``report`` extra, plus ``chromium`` (HTML screenshot) and ``pdftoppm`` from poppler-utils
(PDF screenshot) on the PATH; neither is needed by clusterix itself.
Writes ``report-html.png`` and ``report-pdf.png`` into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from clusterix.profiling.report import render_pdf, write_report

NAMES = {
    "62.01": "Computer programming activities",
    "64.19": "Other monetary intermediation",
    "66.12": "Security and commodity contracts brokerage",
    "70.10": "Activities of head offices",
    "70.21": "Public relations and communication",
    "73.11": "Advertising agencies",
    "59.11": "Motion picture and video production",
    "90.01": "Performing arts",
    "91.02": "Museums activities",
    "69.10": "Legal activities",
    "71.11": "Architectural activities",
    "58.11": "Book publishing",
    "55.10": "Hotels and similar accommodation",
    "86.10": "Hospital activities",
    "72.19": "Other research on natural sciences and engineering",
    "63.12": "Web portals",
    "74.10": "Specialised design activities",
    "85.42": "Tertiary education",
    "21.20": "Manufacture of pharmaceutical preparations",
    "26.51": "Manufacture of measuring and testing instruments",
    "62.02": "Computer consultancy activities",
    "72.11": "Research and experimental development on biotechnology",
    "66.30": "Fund management activities",
    "58.29": "Other software publishing",
}


def example_profile() -> dict:
    """An illustrative profile in the schema of clusterix.profiling.profile (made-up figures)."""
    codes = list(NAMES)
    specialisations = []
    for i, code in enumerate(codes[:16]):
        lq = round(6.2 * math.exp(-0.16 * i) + 0.9, 3)
        specialisations.append(
            {
                "activity": code,
                "name": NAMES[code],
                "value": float(round(48000 / (1 + 0.4 * i), -1)),
                "lq": lq,
                "share": round(0.085 / (1 + 0.45 * i), 4),
                "pci": round(1.9 - 0.21 * i + 0.3 * math.sin(i), 3),
            }
        )
    points = []
    for i in range(70):
        density = round(0.05 + 0.5 * ((i * 37) % 70) / 70 + 0.05 * math.sin(i), 3)
        pci = round(2.6 * math.sin(i * 1.7) * (0.4 + density), 3)
        points.append(
            {
                "activity": f"{10 + i // 3:02d}.{(i * 7) % 90 + 10:02d}",
                "density": density,
                "pci": pci,
                "present": i % 4 == 0,
            }
        )
    options = [
        ("72.11", 0.47, 2.31),
        ("21.20", 0.41, 2.05),
        ("26.51", 0.44, 1.72),
        ("62.02", 0.52, 1.41),
        ("66.30", 0.55, 1.18),
        ("58.29", 0.49, 1.02),
        ("72.19", 0.38, 1.64),
        ("85.42", 0.36, 0.82),
    ]
    diversification = []
    for code, density, pci in options:
        diversification.append(
            {
                "activity": code,
                "name": NAMES[code],
                "density": density,
                "pci": pci,
                "cog": round(0.6 * density * pci, 3),
                "quadrant": "high relatedness, high complexity",
            }
        )
        points.append({"activity": code, "density": density, "pci": pci, "present": False})
    clusters = [
        ("financial_services", "Financial services", 210400, 3.92, 0.142, 3),
        ("business_services", "Business services", 305100, 2.41, 0.206, 3),
        ("creative_industries", "Creative industries", 98300, 2.87, 0.066, 2),
        ("ict", "Information and communication technology", 121700, 1.96, 0.082, 2),
        ("hospitality_tourism", "Hospitality and tourism", 87500, 1.31, 0.059, 1),
        ("life_sciences", "Life sciences", 24900, 0.93, 0.017, 0),
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
                "cluster": c,
                "name": n,
                "size": float(s),
                "lq": lq,
                "focus": f,
                "size_star": st >= 1,
                "specialisation_star": st >= 2,
                "focus_star": st >= 3,
                "stars": st,
            }
            for c, n, s, lq, f, st in clusters
        ],
        "emerging": [
            {
                "activity": "63.12",
                "name": NAMES["63.12"],
                "value_start": 2100.0,
                "value_end": 6900.0,
                "lq_start": 0.82,
                "lq_end": 1.64,
                "growth": 2.286,
                "status": "gained",
            },
            {
                "activity": "74.10",
                "name": NAMES["74.10"],
                "value_start": 5400.0,
                "value_end": 8200.0,
                "lq_start": 0.95,
                "lq_end": 1.21,
                "growth": 0.519,
                "status": "gained",
            },
            {
                "activity": "62.01",
                "name": NAMES["62.01"],
                "value_start": 31000.0,
                "value_end": 48000.0,
                "lq_start": 4.10,
                "lq_end": 7.10,
                "growth": 0.548,
                "status": "growing",
            },
            {
                "activity": "73.11",
                "name": NAMES["73.11"],
                "value_start": 14100.0,
                "value_end": 19500.0,
                "lq_start": 3.02,
                "lq_end": 3.86,
                "growth": 0.383,
                "status": "growing",
            },
        ],
        "diversification": diversification,
        "diversification_frame": {"density_median": 0.29, "pci_median": 0.12, "points": points},
        "trends": [
            {
                "period": str(y),
                "total": 1.30e6 + 30000 * k + 4000 * k * k,
                "diversity": 131 + 2 * k,
                "eci": round(1.92 + 0.05 * k + 0.02 * math.sin(k), 3),
            }
            for k, y in enumerate(range(2015, 2022))
        ],
        "notes": [
            "Illustrative figures, not real data: this profile demonstrates the report layout.",
            "Location quotients are relative to the Great Britain total of the same period.",
            "Cluster stars follow the European Cluster Observatory thresholds.",
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", nargs="?", type=Path, help="a profile saved as JSON (default: built-in example)")
    parser.add_argument("--out", type=Path, default=Path("docs/img"), help="folder for the PNG screenshots")
    parser.add_argument("--keep", type=Path, help="also keep report.html, report.pdf and profile.json here")
    args = parser.parse_args(argv)
    profile = json.loads(args.profile.read_text("utf-8")) if args.profile else example_profile()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium is None or shutil.which("pdftoppm") is None:
        print("needs chromium and pdftoppm (apt-get install chromium poppler-utils)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        html = write_report(profile, work / "report.html", format="html")
        pdf = render_pdf(profile, work / "report.pdf")
        (work / "profile.json").write_text(json.dumps(profile, indent=1), encoding="utf-8")
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                f"--user-data-dir={work / 'chromium-profile'}",
                f"--screenshot={(args.out / 'report-html.png').resolve()}",
                "--window-size=1200,1600",
                html.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(args.out / "report-pdf"),
            ],
            check=True,
            timeout=120,
        )
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for name in ("report.html", "report.pdf", "profile.json"):
                shutil.copy(work / name, args.keep / name)
    print(f"wrote {args.out / 'report-html.png'} and {args.out / 'report-pdf.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
