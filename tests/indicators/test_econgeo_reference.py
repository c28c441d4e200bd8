"""clusterix against the printed outputs of the R package EconGeo's documented examples.

Reference
---------
``../shared/reference/econgeo-1.3-examples.txt`` (read in place, never copied; skipped
when absent): EconGeo 1.3 (P.-A. Balland, GitHub ``PABalland/EconGeo`` at commit
420c3c5) run under R 4.2.2; each ``===== title =====`` block prints an input or the
result of one call. The parser below reads the four printed shapes: matrices with row
and column labels, named vectors, unnamed ``[1]`` vectors and the ``locational.Gini``
data.frame. Only numbers are taken from EconGeo; no EconGeo code is used.

Conventions of EconGeo, and how they are matched
------------------------------------------------
- ``RCA`` rounds to 2 decimals: compare ``round(rca, 2)``.
- ``relatedness.density`` is in percent and rounded to 2 decimals (``scale="percent"``);
  ``.int``/``.ext`` keep it where M = 1 / M = 0 and round to integers.
- ``co.occurrence`` takes an industry x event matrix: ours takes presence with
  activities in columns, so it gets ``ev.T``; its ``diagonal=TRUE`` is ``diagonal="keep"``.
- ``KCI``/``TCI`` are v / sum(v) with the sign set by MORc: ``conventions="econgeo"``.
- ``MORc``/``MORt`` without ``steps`` are min-max rescaled to 0-100 reflections: 20
  steps for regions, 19 for activities (verified below: 20 steps for activities fails).
- ``locational.Gini`` reports half the Gini coefficient: ``scale="area"``.
- ``location.quotient.avg`` is sum_p s_rp LQ_rp, the reciprocal of the Hachman index
  (by hand, R3: 0.2 x 1 + 0.1 x 0.5 + 0.2 x 1 + 0.5 x 2.5 = 1.7, as printed).

Tolerances
----------
Values printed with 7 significant digits carry a relative rounding error below 5e-7:
``rtol=2e-6`` (``atol=1e-9`` only for exact zeros). ``entropy`` prints 3 decimals:
``atol=5e-4``. KCI/TCI: EconGeo's eigenvectors are accurate to only about 1e-3 relative
(its KCI(hh) sums to 1.0000001 and differs from the exact eigenvector by up to 1.1e-3),
so they are compared with ``rtol=2e-3``; that ours are the exact eigenvectors of
D^-1 M U^-1 M^T (and U^-1 M^T D^-1 M) is then asserted to 1e-10 with ``numpy.linalg.eig``.
Hoover.index has no clusterix counterpart and is not checked.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from clusterix.indicators import (
    co_occurrence,
    diversity,
    eci_pci,
    entropy,
    hachman,
    herfindahl,
    krugman_index,
    location_quotient,
    locational_gini,
    normalise_co_occurrence,
    presence,
    rca,
    reflections,
    relatedness_density,
    ubiquity,
)

pytestmark = pytest.mark.shared

REFERENCE_FILE = "econgeo-1.3-examples.txt"
PRINTED = {"rtol": 2e-6, "atol": 1e-9}  # 7 significant digits
EIGEN_RTOL = 2e-3  # EconGeo's KCI/TCI eigenvectors (see the module docstring)

LQMAT = "input lqmat (location.quotient example)"
M31 = "input m31 = set.seed(31); matrix(sample(0:100,20,replace=T), ncol=4)"
HH = "input hh (Hidalgo-Hausmann 2009 Fig S4 toy) via get.matrix"
K10 = "input k10 = set.seed(31); matrix(sample(0:10,20,replace=T), ncol=4)"
C36 = "input c36 (relatedness example co-occurrence)"
B20 = "input b20 (relatedness.density example Mcp)"
REL = "input rel (relatedness.density example phi)"
EV = "input ev (co.occurrence example industry x event)"


# ------------------------------------------------------------------------------ parser


def _cell(token: str) -> float | str:
    if token == "NA":
        return np.nan
    try:
        return float(token)
    except ValueError:
        return token


def parse_blocks(text: str) -> dict[str, pd.DataFrame | pd.Series | np.ndarray]:
    """Read R's printed ``===== title =====`` blocks.

    - ``[1] a b c``: an unnamed vector (ndarray);
    - a header line followed by rows with one more token (the row label): a matrix or
      data.frame (DataFrame; numbers as float, NA as NaN, other tokens as str);
    - pairs of label and value lines of equal length: a named vector (Series).
    Lines before the first title (the R version) are ignored.
    """
    blocks: dict[str, list[list[str]]] = {}
    title = None
    for line in text.splitlines():
        match = re.fullmatch(r"=====\s+(.*?)\s+=====", line.strip())
        if match:
            title = match.group(1)
            if title in blocks:
                raise ValueError(f"duplicate block {title!r}")
            blocks[title] = []
        elif title is not None and line.strip():
            blocks[title].append(line.split())
    parsed: dict[str, pd.DataFrame | pd.Series | np.ndarray] = {}
    for title, rows in blocks.items():
        if not rows:
            raise ValueError(f"empty block {title!r}")
        if rows[0][0] == "[1]":
            parsed[title] = np.array(
                [float(token) for row in rows for token in row if not re.fullmatch(r"\[\d+\]", token)]
            )
        elif len(rows) > 1 and all(len(row) == len(rows[0]) + 1 for row in rows[1:]):
            parsed[title] = pd.DataFrame(
                [[_cell(token) for token in row[1:]] for row in rows[1:]],
                index=[row[0] for row in rows[1:]],
                columns=rows[0],
            )
        elif len(rows) % 2 == 0 and all(len(a) == len(b) for a, b in zip(rows[::2], rows[1::2], strict=True)):
            labels = [label for row in rows[::2] for label in row]
            values = [float(token) for row in rows[1::2] for token in row]
            parsed[title] = pd.Series(values, index=labels)
        else:
            raise ValueError(f"cannot parse block {title!r}")
    return parsed


def test_parser_reads_each_printed_shape():
    text = """R: R version 4.2.2
===== m =====
   I1 I2
R1  1 NA
R2  0 2.5

===== v =====
  R1   R2
0.5 1.25

===== u =====
[1]  0.5 -1.5

===== df =====
  Industry   Loc.Gini
1       I1 0.05
2       I2 0.25
"""
    blocks = parse_blocks(text)
    assert list(blocks) == ["m", "v", "u", "df"]
    assert_array_equal(blocks["m"].to_numpy(), [[1.0, np.nan], [0.0, 2.5]])
    assert list(blocks["m"].index) == ["R1", "R2"] and list(blocks["m"].columns) == ["I1", "I2"]
    assert blocks["v"].to_dict() == {"R1": 0.5, "R2": 1.25}
    assert_array_equal(blocks["u"], [0.5, -1.5])
    assert blocks["df"].to_dict("list") == {"Industry": ["I1", "I2"], "Loc.Gini": [0.05, 0.25]}


@pytest.fixture(scope="module")
def econgeo(shared_reference) -> dict[str, pd.DataFrame | pd.Series | np.ndarray]:
    return parse_blocks((shared_reference / REFERENCE_FILE).read_text(encoding="utf-8"))


def _matrix(econgeo, title: str) -> np.ndarray:
    return econgeo[title].to_numpy(dtype=np.float64)


def _minmax_percent(vector: np.ndarray) -> np.ndarray:
    return 100.0 * (vector - vector.min()) / (vector.max() - vector.min())


def test_reference_has_every_block_used(econgeo):
    assert len(econgeo) == 42
    for title in (LQMAT, M31, HH, K10, C36, B20, REL, EV):
        assert title in econgeo


# ------------------------------------------------------------------- specialisation


def test_location_quotient(econgeo):
    got = location_quotient(_matrix(econgeo, LQMAT))
    assert_allclose(got, _matrix(econgeo, "location.quotient(lqmat)"), **PRINTED)


def test_location_quotient_binary(econgeo):
    got = presence(location_quotient(_matrix(econgeo, LQMAT)))
    assert_array_equal(got, _matrix(econgeo, "location.quotient(lqmat, binary=TRUE)"))


def test_location_quotient_average_is_reciprocal_hachman(econgeo):
    expected = econgeo["location.quotient.avg(lqmat)"].to_numpy()
    assert_allclose(1.0 / hachman(_matrix(econgeo, LQMAT)), expected, **PRINTED)


def test_rca_rounded_to_two_decimals(econgeo):
    got = np.round(rca(_matrix(econgeo, M31)), 2)
    assert_allclose(got, _matrix(econgeo, "RCA(m31)"), rtol=0, atol=1e-9)


def test_rca_binary(econgeo):
    got = presence(rca(_matrix(econgeo, M31)))
    assert_array_equal(got, _matrix(econgeo, "RCA(m31, binary=TRUE)"))


@pytest.mark.parametrize(
    "title, function",
    [
        ("Hachman(m31)", hachman),
        ("Krugman.index(m31)", lambda m: krugman_index(m, reference="total")),
        ("spec.coeff(m31)", lambda m: krugman_index(m) / 2),
        ("Herfindahl(m31)", herfindahl),
    ],
    ids=["hachman", "krugman", "spec_coeff", "herfindahl"],
)
def test_region_measures(econgeo, title, function):
    expected = econgeo[title]
    assert list(expected.index) == list(econgeo[M31].index)
    assert_allclose(function(_matrix(econgeo, M31)), expected.to_numpy(), **PRINTED)


def test_entropy_in_bits(econgeo):
    # printed with 3 decimals: half a unit of the last place
    assert_allclose(entropy(_matrix(econgeo, M31)), econgeo["entropy(m31)"].to_numpy(), rtol=0, atol=5e-4)


def test_locational_gini_area(econgeo):
    expected = econgeo["locational.Gini(m31)"]
    assert list(expected["Industry"]) == list(econgeo[M31].columns)
    got = locational_gini(_matrix(econgeo, M31), scale="area")
    assert_allclose(got, expected["Loc.Gini"].to_numpy(dtype=np.float64), **PRINTED)


def test_diversity_and_ubiquity_with_rca(econgeo):
    mcp = presence(rca(_matrix(econgeo, M31)))
    assert_array_equal(diversity(mcp), econgeo["diversity(m31, RCA=TRUE)"].to_numpy())
    assert_array_equal(ubiquity(mcp), econgeo["ubiquity(m31, RCA=TRUE)"].to_numpy())


# ------------------------------------------------------------------------- complexity


@pytest.mark.parametrize("steps", [0, 1, 2])
def test_morc_steps_are_reflections(econgeo, steps):
    k_region, _ = reflections(_matrix(econgeo, HH), steps=steps)
    assert_allclose(k_region, econgeo[f"MORc(hh, steps={steps})"].to_numpy(), **PRINTED)


def test_mort_one_step_is_reflections(econgeo):
    _, k_activity = reflections(_matrix(econgeo, HH), steps=1)
    assert_allclose(k_activity, econgeo["MORt(hh, steps=1)"].to_numpy(), **PRINTED)


def test_default_morc_mort_are_rescaled_reflections_20_and_19(econgeo):
    hh = _matrix(econgeo, HH)
    k_region_20, k_activity_20 = reflections(hh, steps=20)
    _, k_activity_19 = reflections(hh, steps=19)
    assert_allclose(_minmax_percent(k_region_20), econgeo["MORc(hh)"].to_numpy(), **PRINTED)
    assert_allclose(_minmax_percent(k_activity_19), econgeo["MORt(hh)"].to_numpy(), **PRINTED)
    # Reflections alternate between even and odd steps, so the step count is identified:
    # 20 steps for the activities would not match.
    assert not np.allclose(_minmax_percent(k_activity_20), econgeo["MORt(hh)"].to_numpy(), atol=1)

    mcp = presence(rca(_matrix(econgeo, K10)))
    _, k_activity = reflections(mcp, steps=19)
    assert_allclose(_minmax_percent(k_activity), econgeo["MORt(k10, RCA=TRUE)"].to_numpy(), **PRINTED)


def _second_eigenvector(matrix: np.ndarray) -> np.ndarray:
    """Eigenvector of the second largest eigenvalue, scaled to v / |sum(v)|."""
    values, vectors = np.linalg.eig(matrix)
    order = np.argsort(values.real)[::-1]
    assert abs(values[order[1]].real - values[order[2]].real) > 1e-6  # no tie
    vector = vectors[:, order[1]].real
    return vector / abs(vector.sum())


@pytest.mark.parametrize(
    "case, input_title, use_rca",
    [("hh", HH, False), ("k10", K10, True)],
    ids=["hh", "k10-rca"],
)
def test_kci_tci(econgeo, case, input_title, use_rca):
    values = _matrix(econgeo, input_title)
    mcp = presence(rca(values)) if use_rca else values
    kci, tci = eci_pci(mcp, conventions="econgeo")

    suffix = ", RCA=TRUE" if use_rca else ""
    assert_allclose(kci, econgeo[f"KCI({case}{suffix})"], rtol=EIGEN_RTOL)
    assert_allclose(tci, econgeo[f"TCI({case}{suffix})"], rtol=EIGEN_RTOL)

    # Exactly the eigenvectors of D^-1 M U^-1 M^T and U^-1 M^T D^-1 M (up to the sign,
    # which the EconGeo comparison above pins).
    M = np.asarray(mcp, dtype=np.float64)
    d_inv, u_inv = np.diag(1.0 / M.sum(axis=1)), np.diag(1.0 / M.sum(axis=0))
    for got, matrix in ((kci, d_inv @ M @ u_inv @ M.T), (tci, u_inv @ M.T @ d_inv @ M)):
        expected = _second_eigenvector(matrix)
        assert_allclose(got, np.sign(expected @ got) * expected, rtol=0, atol=1e-10)
        assert_allclose(abs(got.sum()), 1.0, rtol=1e-12)


# ------------------------------------------------------------------------ relatedness


@pytest.mark.parametrize("diagonal", ["zero", "keep"])
def test_co_occurrence(econgeo, diagonal):
    title = "co.occurrence(ev, diagonal=TRUE)" if diagonal == "keep" else "co.occurrence(ev)"
    industry_by_event = _matrix(econgeo, EV)
    assert_array_equal(co_occurrence(industry_by_event.T, diagonal=diagonal), _matrix(econgeo, title))


@pytest.mark.parametrize(
    "method, econgeo_method",
    [("probability", "prob"), ("association", "association"), ("cosine", "cosine"), ("jaccard", "Jaccard")],
)
def test_relatedness(econgeo, method, econgeo_method):
    got = normalise_co_occurrence(_matrix(econgeo, C36), method=method)
    expected = _matrix(econgeo, f"relatedness(c36, method='{econgeo_method}')")
    assert_allclose(got, expected, **PRINTED)


@pytest.fixture(scope="module")
def density_percent(econgeo) -> np.ndarray:
    return relatedness_density(_matrix(econgeo, B20), _matrix(econgeo, REL), scale="percent")


def test_relatedness_density_percent(econgeo, density_percent):
    expected = _matrix(econgeo, "relatedness.density(b20, rel)")
    assert_allclose(np.round(density_percent, 2), expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("variant, keep", [("int", 1), ("ext", 0)])
def test_relatedness_density_internal_external(econgeo, density_percent, variant, keep):
    mcp = _matrix(econgeo, B20)
    got = np.where(mcp == keep, np.round(density_percent), np.nan)
    expected = _matrix(econgeo, f"relatedness.density.{variant}(b20, rel)")
    assert_array_equal(got, expected)  # NaN where EconGeo prints NA
