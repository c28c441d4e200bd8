"""Render the region report of one profile to HTML and PDF, and screenshot both for the docs.

Usage::

    python benchmarks/render_report_screenshots.py [PROFILE.json] [--out docs/img] [--keep DIR]

PROFILE.json is the dict of ``clusterix.profiling.profile`` saved with ``json.dump``;
without it the real profile of UKI3 (Inner London - West) is built from the ONS BRES copy
in ``--data`` (default ../shared/data), as in the README's screenshots. Needs the
``report`` extra, plus ``chromium`` (HTML screenshot) and ``pdftoppm`` from poppler-utils
(PDF screenshot) on the PATH; neither is needed by clusterix itself.
Writes ``report-html.png`` and ``report-pdf.png`` into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from clusterix.profiling.report import render_pdf, write_report

ROOT = Path(__file__).resolve().parents[1]


def real_profile(data: Path, region: str = "UKI3") -> dict:
    """The profile of ``region`` from the real ONS BRES employment (NUTS2 x SIC4), with
    Nesta's segments as clusters: the profile the README's screenshots show."""
    from clusterix.datasets import load_uk_bres
    from clusterix.profiling import cluster_strength, uk_segments
    from clusterix.profiling.profile import RegionProfiler

    bres = load_uk_bres(data)
    names = bres.drop_duplicates("region").set_index("region")["region_name"]
    segments = uk_segments(data)
    clusters = cluster_strength(bres.drop(columns="region_name"), segments, time="year").merge(
        segments.drop_duplicates("cluster")[["cluster", "cluster_name"]], on="cluster", how="left"
    )
    profiler = RegionProfiler(
        bres.drop(columns="region_name"),
        time="year",
        region_names=names,
        activity_names=segments.set_index("industry")["description"],
        clusters=clusters,
    )
    profile = profiler.profile(region)
    profile["dataset"] = "ONS BRES employment (via Nesta), NUTS2 x SIC4"
    profile["measure"] = "employment"
    return profile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", nargs="?", type=Path, help="a profile saved as JSON (default: UKI3 from real data)")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data", help="folder of the data sets")
    parser.add_argument("--out", type=Path, default=Path("docs/img"), help="folder for the PNG screenshots")
    parser.add_argument("--keep", type=Path, help="also keep report.html, report.pdf and profile.json here")
    args = parser.parse_args(argv)
    profile = json.loads(args.profile.read_text("utf-8")) if args.profile else real_profile(args.data)
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
