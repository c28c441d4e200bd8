"""Region report renderer: one region profile as a self-contained HTML page or a PDF.

The input is the JSON-ready dictionary of :func:`clusterix.profiling.profile` (one
region: summary indicators, specialisations, clusters, emerging activities,
diversification options, trends and notes). Rendering needs the optional extras
``jinja2`` and ``matplotlib`` (``pip install 'clusterix[report]'``); they are imported
only when a report is rendered, so the rest of clusterix works without them.

The HTML page has no external assets: the CSS is inline and every chart is an inline
SVG drawn by matplotlib, next to a table with the figures behind it. All user data
(region names, activity labels) is escaped by Jinja2's autoescaping. The PDF is three
A4 pages written with matplotlib's ``PdfPages``, without a creation date so that the
same profile gives the same bytes.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from clusterix.errors import InvalidInputError
from clusterix.extras import require

__all__ = ["REPORT_FORMATS", "render_html", "render_pdf", "write_report", "write_tables_report"]

REPORT_FORMATS = ("html", "pdf")

_EXTRA = "report"
_TOP_SPECIALISATIONS = 15
_TOP_OPTIONS = 10
_LABEL_WIDTH = 38
_A4 = (8.27, 11.69)
_GREY = "#b8bcc4"
_BLUE = "#1f5fa8"
_ORANGE = "#d9731a"
_SUMMARY_ROWS = (
    ("total", "Total", 0),
    ("diversity", "Diversity (activities with RCA ≥ 1)", 0),
    ("eci", "Economic complexity (ECI)", 2),
    ("coi", "Complexity outlook (COI)", 2),
    ("herfindahl", "Herfindahl concentration", 3),
    ("entropy", "Entropy", 3),
    ("krugman", "Krugman specialisation", 3),
    ("hachman", "Hachman index", 3),
    ("specialisation_gini", "Specialisation Gini", 3),
)


# ----------------------------------------------------------------------------- extras


def _matplotlib() -> Any:
    """matplotlib, or an :class:`InvalidInputError` naming the ``report`` extra."""
    purpose = "Rendering a region report (matplotlib)"
    for module in ("matplotlib.backends.backend_pdf", "matplotlib.figure"):  # fail early, before any output
        require(module, _EXTRA, purpose)
    return require("matplotlib", _EXTRA, purpose)


def _jinja() -> Any:
    """jinja2, or an :class:`InvalidInputError` naming the ``report`` extra."""
    return require("jinja2", _EXTRA, "Rendering an HTML report (jinja2)")


# ----------------------------------------------------------------------------- input and formatting


def _check_profile(profile: Any) -> dict:
    if not isinstance(profile, Mapping):
        raise InvalidInputError(f"profile must be a dict (a region profile); got {type(profile).__name__}")
    if not profile.get("region"):
        raise InvalidInputError("profile has no 'region'; pass the dict made by clusterix.profiling.profile")
    for key in ("specialisations", "clusters", "emerging", "diversification", "trends", "notes"):
        value = profile.get(key)
        if value is not None and not isinstance(value, list | tuple):
            raise InvalidInputError(f"profile[{key!r}] must be a list; got {type(value).__name__}")
    return dict(profile)


def _missing(value: Any) -> bool:
    """True for None, NaN, infinities and anything that is not a number (e.g. a missing template field)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return True
    return not math.isfinite(value)


def _fmt(value: Any, digits: int = 2) -> str:
    """A number for display: thousands separators, fixed decimals, an em dash when missing."""
    if isinstance(value, str):
        return value
    return "—" if _missing(value) else f"{value:,.{digits}f}"


def _pct(value: Any, digits: int = 1) -> str:
    """A share or growth rate as a percentage (0.125 -> 12.5%)."""
    return "—" if _missing(value) else f"{100 * value:,.{digits}f}%"


def _label(code: Any, name: Any, width: int = _LABEL_WIDTH) -> str:
    text = f"{code} {name}" if name else str(code)
    return text if len(text) <= width else text[: width - 1] + "…"


def _stars(count: Any) -> str:
    count = 0 if _missing(count) else int(count)
    return "★" * count + "☆" * max(0, 3 - count)


def _title(profile: dict) -> str:
    name = profile.get("name")
    return f"{profile['region']} · {name}" if name else str(profile["region"])


def _subtitle(profile: dict) -> str:
    parts = [
        f"Period {profile['period']}" if profile.get("period") else None,
        f"dataset {profile['dataset']}" if profile.get("dataset") else None,
        f"measure: {profile['measure']}" if profile.get("measure") else None,
    ]
    return " · ".join(part for part in parts if part)


def _summary_rows(profile: dict) -> list[tuple[str, str]]:
    summary = profile.get("summary") or {}
    rows = []
    for key, label, digits in _SUMMARY_ROWS:
        if key not in summary:
            continue
        text = _fmt(summary[key], digits)
        if key == "eci" and not _missing(summary.get("eci_rank")):
            text += f" (rank {summary['eci_rank']} of {_fmt(summary.get('n_regions'), 0)})"
        rows.append((label, text))
    return rows


def _top_specialisations(profile: dict) -> list[dict]:
    rows = [row for row in profile.get("specialisations") or [] if not _missing(row.get("lq"))]
    return sorted(rows, key=lambda row: -row["lq"])[:_TOP_SPECIALISATIONS]


def _frame(profile: dict) -> dict:
    return profile.get("diversification_frame") or {}


# ----------------------------------------------------------------------------- charts


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _bars_chart(ax: Any, profile: dict) -> None:
    rows = _top_specialisations(profile)[::-1]
    labels = [_label(row["activity"], row.get("name")) for row in rows]
    values = [row["lq"] for row in rows]
    ax.barh(range(len(rows)), values, color=_BLUE, height=0.7)
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.axvline(1.0, color="#444", linewidth=0.8, linestyle="--")
    for index, value in enumerate(values):
        ax.text(value, index, f" {value:.2f}", va="center", fontsize=7)
    ax.set_xlabel("Location quotient (1 = national average)")
    ax.set_xlim(0, max(values + [1.0]) * 1.15)
    ax.set_title("Top specialisations by location quotient", fontsize=10, loc="left")
    ax.spines[["top", "right"]].set_visible(False)


def _scatter_chart(ax: Any, profile: dict) -> None:
    frame = _frame(profile)
    points = [p for p in frame.get("points") or [] if not (_missing(p.get("density")) or _missing(p.get("pci")))]
    present = [p for p in points if p.get("present")]
    absent = [p for p in points if not p.get("present")]
    if present:
        ax.scatter(
            [p["density"] for p in present],
            [p["pci"] for p in present],
            s=14,
            color=_GREY,
            label="already specialised (RCA ≥ 1)",
            zorder=2,
        )
    if absent:
        ax.scatter(
            [p["density"] for p in absent],
            [p["pci"] for p in absent],
            s=14,
            color=_BLUE,
            alpha=0.8,
            label="potential new activity",
            zorder=3,
        )
    if not _missing(frame.get("density_median")):
        ax.axvline(frame["density_median"], color="#444", linewidth=0.8, linestyle="--")
    if not _missing(frame.get("pci_median")):
        ax.axhline(frame["pci_median"], color="#444", linewidth=0.8, linestyle="--")
    options = [
        o
        for o in (profile.get("diversification") or [])[:_TOP_OPTIONS]
        if not (_missing(o.get("density")) or _missing(o.get("pci")))
    ]
    if options:
        ax.scatter(
            [o["density"] for o in options],
            [o["pci"] for o in options],
            s=40,
            facecolor="none",
            edgecolor=_ORANGE,
            linewidth=1.4,
            label="top diversification options",
            zorder=4,
        )
        for option in options:
            ax.annotate(
                str(option["activity"]),
                (option["density"], option["pci"]),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=7,
                color=_ORANGE,
                zorder=5,
            )
    ax.set_xlabel("Relatedness density")
    ax.set_ylabel("Product complexity (PCI)")
    ax.set_title("Diversification options: relatedness × complexity", fontsize=10, loc="left")
    ax.legend(fontsize=7, loc="best", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)


def _trend_charts(axes: Any, profile: dict) -> None:
    from matplotlib.ticker import FuncFormatter

    trends = profile.get("trends") or []
    periods = [str(row["period"]) for row in trends]
    for ax, key, label, colour in (
        (axes[0], "eci", "Economic complexity (ECI)", _BLUE),
        (axes[1], "total", str(profile.get("measure") or "total").capitalize(), _ORANGE),
    ):
        values = [math.nan if _missing(row.get(key)) else row[key] for row in trends]
        ax.plot(periods, values, marker="o", color=colour, linewidth=1.6)
        if key == "total":
            ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
        ax.set_ylabel(label, fontsize=8)
        ax.tick_params(labelsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_title("Trends", fontsize=10, loc="left")


def _svg(fig: Any, salt: str) -> str:
    """The figure as SVG markup ready to inline in HTML: no XML prolog, no URLs, stable ids."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": f"clusterix-{salt}", "svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg)
    # Matplotlib numbers its element ids per figure (figure_1, axes_1, ...): prefix them so that several
    # charts can share one page, and the internal references (url(#id), href="#id") with them.
    prefix = f"chart-{salt}-"
    svg = re.sub(r'(\sid=")([^"]+")', rf"\g<1>{prefix}\g<2>", svg)
    svg = re.sub(r'(url\(#|href="#)', rf"\g<1>{prefix}", svg)
    return re.sub(r'<svg([^>]*?)\swidth="[^"]*"\sheight="[^"]*"', r'<svg\1 class="chart"', svg, count=1)


def _html_charts(profile: dict) -> dict[str, str]:
    charts = {}
    if _top_specialisations(profile):
        fig = _figure(7.5, 0.28 * len(_top_specialisations(profile)) + 1.2)
        _bars_chart(fig.add_subplot(), profile)
        charts["specialisations"] = _svg(fig, "specialisations")
    if _frame(profile).get("points"):
        fig = _figure(7.5, 5.0)
        _scatter_chart(fig.add_subplot(), profile)
        charts["diversification"] = _svg(fig, "diversification")
    if len(profile.get("trends") or []) > 1:
        fig = _figure(7.5, 4.0)
        _trend_charts(fig.subplots(2, 1, sharex=True), profile)
        charts["trends"] = _svg(fig, "trends")
    return charts


# ----------------------------------------------------------------------------- HTML


def render_html(profile: dict) -> str:
    """One region profile as a single self-contained HTML page (inline CSS and SVG charts).

    Every chart comes with a table of the figures behind it; no JavaScript, fonts or
    other assets are loaded. User data is escaped. Needs ``pip install 'clusterix[report]'``.
    """
    jinja2 = _jinja()
    _matplotlib()
    profile = _check_profile(profile)
    from markupsafe import Markup  # a dependency of jinja2

    charts = {key: Markup(svg) for key, svg in _html_charts(profile).items()}
    template_text = resources.files("clusterix.profiling").joinpath("templates", "report.html.j2").read_text("utf-8")
    environment = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    environment.filters.update(fmt=_fmt, pct=_pct, stars=_stars)
    template = environment.from_string(template_text)
    return template.render(
        profile=profile,
        title=_title(profile),
        subtitle=_subtitle(profile),
        summary=_summary_rows(profile),
        specialisations=list(profile.get("specialisations") or []),
        clusters=list(profile.get("clusters") or []),
        emerging=list(profile.get("emerging") or []),
        diversification=list(profile.get("diversification") or []),
        frame=_frame(profile),
        trends=list(profile.get("trends") or []),
        notes=list(profile.get("notes") or []),
        charts=charts,
    )


# ----------------------------------------------------------------------------- PDF


def _page_table(
    ax: Any, header: list[str], rows: list[list[str]], title: str, *, font: float = 8, widths: list[float] | None = None
) -> None:
    ax.axis("off")
    ax.set_title(title, fontsize=10, loc="left")
    if not rows:
        ax.text(0, 0.9, "None.", fontsize=font, transform=ax.transAxes, va="top")
        return
    table = ax.table(cellText=rows, colLabels=header, loc="upper left", cellLoc="left", colLoc="left", colWidths=widths)
    table.auto_set_font_size(False)
    table.set_fontsize(font)
    table.scale(1, 1.25)
    for (row, _), cell in table.get_celld().items():
        cell.set_edgecolor("#d5d8dd")
        if row == 0:
            cell.set_facecolor("#eef1f5")
            cell.set_text_props(weight="bold")


def _page(fig_title: str | None = None) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=_A4)
    if fig_title:
        fig.text(0.07, 0.965, fig_title, fontsize=9, color="#555", va="top")
    return fig


def _pdf_pages(profile: dict) -> list[Any]:
    pages = []
    title = _title(profile)

    # Page 1: title, summary table, specialisation bars.
    fig = _page()
    fig.text(0.07, 0.965, title, fontsize=17, weight="bold", va="top")
    fig.text(0.07, 0.935, _subtitle(profile), fontsize=9, color="#555", va="top")
    _page_table(
        fig.add_axes((0.07, 0.64, 0.86, 0.26)),
        ["Indicator", "Value"],
        [list(row) for row in _summary_rows(profile)],
        "Summary",
        font=8.5,
        widths=[0.6, 0.4],
    )
    bars = fig.add_axes((0.40, 0.07, 0.52, 0.52))
    if _top_specialisations(profile):
        _bars_chart(bars, profile)
    else:
        _page_table(bars, [], [], "Top specialisations by location quotient")
    pages.append(fig)

    # Page 2: scatter, cluster stars.
    fig = _page(title)
    scatter = fig.add_axes((0.11, 0.52, 0.82, 0.40))
    if _frame(profile).get("points"):
        _scatter_chart(scatter, profile)
    else:
        _page_table(scatter, [], [], "Diversification options")
    clusters = [
        [
            _label(c.get("name") or c["cluster"], None, 40),
            _fmt(c.get("size"), 0),
            _fmt(c.get("lq")),
            _pct(c.get("focus")),
            _stars(c.get("stars")),
        ]
        for c in (profile.get("clusters") or [])[:20]
    ]
    _page_table(
        fig.add_axes((0.07, 0.05, 0.86, 0.38)),
        ["Cluster", "Size", "LQ", "Focus", "Stars"],
        clusters,
        "Cluster stars",
        widths=[0.5, 0.14, 0.1, 0.12, 0.14],
    )
    pages.append(fig)

    # Page 3: emerging activities, trends, notes.
    fig = _page(title)
    emerging = [
        [
            _label(e["activity"], e.get("name"), 40),
            f"{_fmt(e.get('lq_start'))} → {_fmt(e.get('lq_end'))}",
            _pct(e.get("growth")),
            str(e.get("status") or ""),
        ]
        for e in (profile.get("emerging") or [])[:20]
    ]
    _page_table(
        fig.add_axes((0.07, 0.58, 0.86, 0.35)),
        ["Activity", "LQ start → end", "Growth", "Status"],
        emerging,
        "Emerging activities",
        widths=[0.5, 0.22, 0.14, 0.14],
    )
    if len(profile.get("trends") or []) > 1:
        top = fig.add_axes((0.14, 0.38, 0.78, 0.15))
        _trend_charts([top, fig.add_axes((0.14, 0.20, 0.78, 0.15), sharex=top)], profile)
        top.tick_params(labelbottom=False)
    else:
        ax = fig.add_axes((0.07, 0.20, 0.86, 0.33))
        ax.axis("off")
        ax.set_title("Trends", fontsize=10, loc="left")
        ax.text(0, 0.95, "Only one period: no trends.", fontsize=8, transform=ax.transAxes, va="top")
    notes = fig.add_axes((0.07, 0.03, 0.86, 0.12))
    notes.axis("off")
    notes.set_title("Notes", fontsize=10, loc="left")
    text = "\n".join(f"• {note}" for note in profile.get("notes") or []) or "None."
    notes.text(0, 1, text, fontsize=7.5, va="top", wrap=True, transform=notes.transAxes)
    pages.append(fig)
    return pages


def render_pdf(profile: dict, path: str | Path) -> Path:
    """One region profile as a three-page A4 PDF written to ``path``; returns the path.

    Page 1: title, summary and specialisation bars; page 2: the diversification scatter
    and cluster stars; page 3: emerging activities, trends and notes. The file carries
    no creation date, so the same profile gives the same bytes. Needs
    ``pip install 'clusterix[report]'``.
    """
    matplotlib = _matplotlib()
    from matplotlib.backends.backend_pdf import PdfPages

    profile = _check_profile(profile)
    path = Path(path)
    title = f"clusterix region report: {_title(profile)}"
    with (
        matplotlib.rc_context({"pdf.compression": 6}),
        PdfPages(path, metadata={"CreationDate": None, "ModDate": None, "Title": title, "Creator": "clusterix"}) as pdf,
    ):
        for fig in _pdf_pages(profile):
            pdf.savefig(fig)
    return path


def write_report(profile: dict, path: str | Path, format: str = "html") -> Path:
    """Write ``profile`` as an HTML page (``format="html"``) or a PDF (``format="pdf"``); returns the path."""
    if format not in REPORT_FORMATS:
        raise InvalidInputError(f"format must be one of {', '.join(REPORT_FORMATS)}; got {format!r}")
    if format == "pdf":
        return render_pdf(profile, path)
    path = Path(path)
    path.write_text(render_html(profile), encoding="utf-8")
    return path


def _cell(value: Any) -> dict:
    """A table cell: numbers formatted and right-aligned, everything else as text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return {"text": "" if value is None else str(value), "numeric": False}
    return {"text": _fmt(value, 3), "numeric": True}


def write_tables_report(
    title: str, sections: list[tuple[str, pd.DataFrame]], path: str | Path, format: str = "html", *, subtitle: str = ""
) -> Path:
    """Write titled tables (peers, complementarity) as a self-contained HTML page or a PDF.

    ``sections`` is a list of (heading, DataFrame); user data are escaped in HTML.
    """
    if format not in REPORT_FORMATS:
        raise InvalidInputError(f"format must be one of {', '.join(REPORT_FORMATS)}; got {format!r}")
    path = Path(path)
    if format == "html":
        jinja2 = _jinja()
        environment = jinja2.Environment(
            loader=jinja2.PackageLoader("clusterix.profiling", "templates"), autoescape=True
        )
        rendered = environment.get_template("tables.html.j2").render(
            title=title,
            subtitle=subtitle,
            sections=[
                {
                    "title": heading,
                    "columns": [str(c) for c in frame.columns],
                    "rows": [[_cell(v) for v in row] for row in frame.itertuples(index=False)],
                }
                for heading, frame in sections
            ],
        )
        path.write_text(rendered, encoding="utf-8")
        return path
    matplotlib = _matplotlib()
    from matplotlib.backends.backend_pdf import PdfPages

    with (
        matplotlib.rc_context({"pdf.compression": 6}),
        PdfPages(path, metadata={"CreationDate": None, "ModDate": None, "Title": title, "Creator": "clusterix"}) as pdf,
    ):
        for index, (heading, frame) in enumerate(sections):
            fig = _page(title if index == 0 else None)
            ax = fig.add_axes((0.07, 0.05, 0.86, 0.88))
            rows = [[_cell(v)["text"] for v in row] for row in frame.head(40).itertuples(index=False)]
            _page_table(ax, [str(c) for c in frame.columns], rows, heading)
            pdf.savefig(fig)
    return path
