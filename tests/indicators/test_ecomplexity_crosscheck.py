"""Cross-check of ``complexity()`` and ``proximity()`` against the Growth Lab's ``ecomplexity``.

Peer
----
``ecomplexity`` 0.5.3 from PyPI (a ``dev`` dependency), called as
``ecomplexity(df, {"time", "loc", "prod", "val"}, verbose=False,
check_logsupermodularity=False[, rca_mcp_threshold=t])`` with its warnings silenced,
and ``ecomplexity.proximity(df, cols)`` (which prints each year: stdout is swallowed).
Each peer result is computed once per module (module-scoped fixtures). The module runs
with one BLAS thread (``threadpoolctl``, installed with the peer's scikit-learn): the
matrices are small (at most 785 x 785), and on a shared 2-core machine competing BLAS
threads made the peer's ``numpy.linalg.eig`` and our small SVDs about ten times slower.

Data (read in place from ``../shared/data``, never copied; skipped when absent)
-------------------------------------------------------------------------------
- ``trade-sitc4-1998-2000/world_trade_avg_1998_to_2000.csv.gz``: exports of 226
  countries x 785 SITC4 products, 1998-2000 average (``product`` read as text). One
  period: a constant ``year`` column is added for ``ecomplexity``; clusterix is called
  without ``time``.
- ``uk-bres-nuts2-sic4/gb_nuts2_sic4_bres_idbr.csv.gz``: ONS BRES employment 2015-2018
  (39 GB NUTS2 regions x 525 SIC4) and IDBR business counts 2016-2018 (40 x 525), each
  as a panel with ``time="year"``. IDBR 2018 has one SIC4 with no business anywhere.
  See each folder's SOURCE.md for provenance.

Tolerances
----------
``atol=1e-6`` (``rtol=0``) on rca, eci, pci, density, coi and cog; mcp, diversity and
ubiquity must be equal. Both packages solve the same eigenproblem in float64, so the
differences seen are ~1e-13, far inside the tolerance; 1e-6 leaves room for BLAS/LAPACK
differences while still catching any change of convention (those move values by > 1e-2).

Documented differences, asserted explicitly rather than hidden
--------------------------------------------------------------
- Rows: ``ecomplexity`` drops regions/activities with a zero total in a period and then
  outer-merges the input back, so they reappear with NaN indicators; clusterix leaves
  them out. So our rows == the peer's rows with a non-NaN ECI, and the peer's NaN rows
  are exactly the zero-total ones.
- An activity with no presence at a stricter threshold: ``ecomplexity`` warns and returns
  NaN PCI/density; clusterix raises ``AmbiguousResultError``.
- ``cog_variant="atlas"`` subtracts (1 - M) d PCI, d the density (the Atlas's
  -(1 - delta) PCI with delta the distance 1 - d; Hausmann et al. 2014), *and*, as the
  comment in ``pipeline.run`` says, uses the standardised PCI in the first term too,
  where ``ecomplexity`` uses the un-centred eigenvector PCI / sd(ECI). The Atlas COG
  therefore differs from the peer's by that term plus c (1 - M) sum_q (1 - M_rq)
  phi_qp / sum_q' phi_qq', with c = mean(k_r) / sd(k_r) of the raw ECI vector; c is
  recovered here from the peer's own ECI/PCI (see ``_pci_offset``).
- ``conventions="atlas"`` z-scores PCI by its own mean and sd; ECI is unchanged.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from clusterix.errors import AmbiguousResultError
from clusterix.indicators import complexity, complexity_outlook_gain, proximity

ecomplexity_package = pytest.importorskip("ecomplexity", reason="the peer `ecomplexity` (dev extra)")

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - installed with ecomplexity's scikit-learn
    threadpool_limits = None


pytestmark = pytest.mark.shared

ATOL = 1e-6
EXACT = ("mcp", "diversity", "ubiquity")
CLOSE = ("rca", "eci", "pci", "density", "coi", "cog")
COLUMNS = (*EXACT, *CLOSE)
TRADE_FILE = ("trade-sitc4-1998-2000", "world_trade_avg_1998_to_2000.csv.gz")
UK_FILE = ("uk-bres-nuts2-sic4", "gb_nuts2_sic4_bres_idbr.csv.gz")


@dataclass(frozen=True)
class Case:
    """One data set, in the shape both packages accept."""

    name: str
    data: pd.DataFrame  # always has a "year" column (constant for the trade data)
    region: str
    activity: str
    panel: bool  # call clusterix with time="year" (else without time)

    @property
    def keys(self) -> list[str]:
        return ["year", self.region, self.activity]

    @property
    def peer_columns(self) -> dict[str, str]:
        return {"time": "year", "loc": self.region, "prod": self.activity, "val": "value"}

    def ours(self, **options: object) -> pd.DataFrame:
        """clusterix's complexity() with plain string labels and a year column."""
        out = complexity(
            self.data,
            region=self.region,
            activity=self.activity,
            value="value",
            time="year" if self.panel else None,
            **options,
        )
        return self._plain(out)

    def proximity(self, **options: object) -> pd.DataFrame:
        out = proximity(
            self.data,
            region=self.region,
            activity=self.activity,
            value="value",
            time="year" if self.panel else None,
            **options,
        )
        return self._plain(out)

    def _plain(self, out: pd.DataFrame) -> pd.DataFrame:
        columns = {}
        for name, column in out.items():
            if isinstance(column.dtype, pd.CategoricalDtype):  # labels as Python strings
                categories = column.cat.categories.to_numpy(dtype=object)
                column = pd.Series(categories.take(column.cat.codes.to_numpy()), dtype=object)
            columns[name] = pd.Series(column.to_numpy(), dtype=np.int64 if name == "year" else column.dtype, copy=False)
        if not self.panel:
            columns = {"year": pd.Series(np.full(len(out), int(self.data["year"].iloc[0]))), **columns}
        return pd.DataFrame(columns, copy=False)

    def peer(self, **options: object) -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas FutureWarnings, 0/0 in empty columns
            out = ecomplexity_package.ecomplexity(
                self.data,
                self.peer_columns,
                verbose=False,
                check_logsupermodularity=False,
                **options,
            )
        return out.astype({self.region: object, self.activity: object})

    def peer_proximity(self) -> pd.DataFrame:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            out = ecomplexity_package.proximity(self.data, self.peer_columns)
        out = out.rename(columns={f"{self.activity}_1": "activity_1", f"{self.activity}_2": "activity_2"})
        return out.astype({"activity_1": object, "activity_2": object})


def _merge(case: Case, ours: pd.DataFrame, peer: pd.DataFrame) -> pd.DataFrame:
    """Our rows joined to the peer's, columns suffixed _ours and _peer."""
    columns = [*case.keys, *COLUMNS]
    return ours[columns].merge(
        peer[columns], on=case.keys, how="inner", suffixes=("_ours", "_peer"), validate="one_to_one"
    )


def _key_index(frame: pd.DataFrame, keys: list[str]) -> pd.MultiIndex:
    """The rows' keys, sorted, for comparing row sets."""
    return pd.MultiIndex.from_frame(frame[keys].astype({key: str for key in keys[1:]})).sort_values()


def _same_rows(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> bool:
    return _key_index(a, keys).equals(_key_index(b, keys))


def _grid(
    frame: pd.DataFrame,
    column: str,
    rows: str,
    columns: str,
    row_labels: pd.Index | None = None,
    column_labels: pd.Index | None = None,
) -> pd.DataFrame:
    """One period of a long frame as a complete rows x columns table (labels sorted
    unless given); fails unless there is exactly one row per cell."""
    if row_labels is None:
        row_labels = pd.Index(np.sort(frame[rows].unique()))
    if column_labels is None:
        column_labels = pd.Index(np.sort(frame[columns].unique()))
    row_codes = row_labels.get_indexer(frame[rows])
    column_codes = column_labels.get_indexer(frame[columns])
    assert len(frame) == len(row_labels) * len(column_labels)
    assert (row_codes >= 0).all() and (column_codes >= 0).all()
    out = np.full((len(row_labels), len(column_labels)), np.nan)
    out[row_codes, column_codes] = frame[column].to_numpy(dtype=np.float64)
    assert not np.isnan(out).any()
    return pd.DataFrame(out, index=row_labels, columns=column_labels)


def _square(prox: pd.DataFrame) -> pd.DataFrame:
    """One period of a proximity table as an activity x activity table."""
    table = _grid(prox, "proximity", "activity_1", "activity_2")
    assert table.index.equals(table.columns)
    return table


def _periods(frame: pd.DataFrame) -> dict:
    return dict(tuple(frame.groupby("year")))


def _by_activity(frame: pd.DataFrame, column: str, activity: str) -> pd.Series:
    return frame.drop_duplicates(activity).set_index(activity)[column].sort_index()


def _by_region(frame: pd.DataFrame, column: str, region: str) -> pd.Series:
    return frame.drop_duplicates(region).set_index(region)[column].sort_index()


def _pci_offset(mcp: np.ndarray, eci: np.ndarray, pci: np.ndarray) -> float:
    """c = mean(k_r) / sd(k_r) of the raw ECI vector, from standardised ECI and PCI alone.

    With k_p = s (PCI + c), k_r = s (ECI + c) = D^-1 M k_p and U^-1 M^T k_r = lambda k_p,
    the mean ECI of the regions present in p is a_p = lambda PCI_p + c (lambda - 1): a
    line in PCI whose slope and intercept give lambda and c.
    """
    mean_eci = (mcp.T @ eci) / mcp.sum(axis=0)
    slope, intercept = np.polyfit(pci, mean_eci, 1)
    # The relation is exact: a check that the peer's PCI is its eigenvector.
    assert_allclose(mean_eci, slope * pci + intercept, rtol=0, atol=1e-9)
    return intercept / (slope - 1.0)


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", autouse=True)
def _one_blas_thread():
    if threadpool_limits is None:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture(scope="module")
def trade(shared_data) -> pd.DataFrame:
    data = pd.read_csv(shared_data.joinpath(*TRADE_FILE), dtype={"country": str, "product": str})
    data["year"] = 1999  # the 1998-2000 average: one period
    return data


@pytest.fixture(scope="module")
def uk(shared_data) -> pd.DataFrame:
    data = pd.read_csv(shared_data.joinpath(*UK_FILE), dtype={"nuts2_code": str, "sic4": str})
    return data[["source", "year", "nuts2_code", "sic4", "value"]]


def _uk_case(uk: pd.DataFrame, source: str) -> Case:
    data = uk.loc[uk["source"] == source, ["year", "nuts2_code", "sic4", "value"]].reset_index(drop=True)
    return Case(source.lower(), data, "nuts2_code", "sic4", panel=True)


@pytest.fixture(scope="module")
def trade_case(trade) -> Case:
    return Case("trade", trade, "country", "product", panel=False)


@pytest.fixture(scope="module")
def bres_case(uk) -> Case:
    return _uk_case(uk, "BRES")


@pytest.fixture(scope="module", params=["trade", "bres", "idbr"])
def case(request, trade_case, bres_case, uk) -> Case:
    return {"trade": trade_case, "bres": bres_case}.get(request.param) or _uk_case(uk, "IDBR")


@pytest.fixture(scope="module")
def peer(case) -> pd.DataFrame:
    return case.peer()


@pytest.fixture(scope="module")
def ours(case) -> pd.DataFrame:
    return case.ours()


@pytest.fixture(scope="module")
def merged(case, ours, peer) -> pd.DataFrame:
    return _merge(case, ours, peer)


@pytest.fixture(scope="module")
def peer_prox(case) -> dict:
    return _periods(case.peer_proximity())


@pytest.fixture(scope="module")
def ours_prox(case) -> pd.DataFrame:
    return case.proximity()


# -------------------------------------------------------------------------------- rows


def test_rows_are_the_peer_rows_with_values(case, ours, peer):
    assert not ours.duplicated(case.keys).any()
    assert _same_rows(ours, peer[peer["eci"].notna()], case.keys)

    # The peer's NaN rows are exactly the data's rows whose region or activity has a
    # zero total in that period.
    data = case.data
    activity_total = data.groupby(["year", case.activity])["value"].transform("sum")
    region_total = data.groupby(["year", case.region])["value"].transform("sum")
    empty = data[(activity_total == 0) | (region_total == 0)]
    assert _same_rows(peer[peer["eci"].isna()], empty, case.keys)
    assert len(ours) == len(peer) - len(empty)
    if case.name == "idbr":
        # IDBR 2018 has one SIC4 with zero units in all 40 regions (from the data itself),
        # so this case exercises the difference.
        assert len(empty) == 40 and set(empty["year"]) == {2018}


# ----------------------------------------------------------------------------- columns


@pytest.mark.parametrize("column", COLUMNS)
def test_column_agrees_with_ecomplexity(merged, ours, column):
    assert len(merged) == len(ours)
    got, expected = merged[f"{column}_ours"].to_numpy(), merged[f"{column}_peer"].to_numpy()
    assert not np.isnan(expected).any()
    if column in EXACT:
        assert_array_equal(got, expected)
    else:
        assert_allclose(got, expected, rtol=0, atol=ATOL)


def _bres_year(bres_case: Case, year: int) -> Case:
    data = bres_case.data[bres_case.data["year"] == year].reset_index(drop=True)
    return Case(f"bres-{year}", data, bres_case.region, bres_case.activity, panel=True)


@pytest.mark.parametrize("source, threshold", [("trade", 1.5), ("bres-2018", 0.5)])
def test_other_thresholds_agree(source, threshold, trade_case, bres_case):
    # One BRES year is enough here (the panel is covered at threshold 1 above).
    case = trade_case if source == "trade" else _bres_year(bres_case, 2018)
    ours, peer = case.ours(threshold=threshold), case.peer(rca_mcp_threshold=threshold)
    assert peer["eci"].notna().all()  # no empty region or activity at this threshold
    merged = _merge(case, ours, peer)
    assert len(merged) == len(ours) == len(peer)
    # The threshold is really applied: presence differs from the RCA >= 1 presence.
    assert ((merged["rca_peer"] >= 1) != (merged["mcp_peer"] == 1)).any()
    for column in EXACT:
        assert_array_equal(merged[f"{column}_ours"], merged[f"{column}_peer"], err_msg=column)
    for column in CLOSE:
        assert_allclose(merged[f"{column}_ours"], merged[f"{column}_peer"], rtol=0, atol=ATOL, err_msg=column)


def test_activity_without_presence_raises_where_the_peer_gives_nan(bres_case):
    # At RCA >= 1.5 some SIC4 classes have no region with presence in BRES 2015.
    case = _bres_year(bres_case, 2015)
    peer = case.peer(rca_mcp_threshold=1.5)
    empty = peer.loc[peer["pci"].isna(), "sic4"].unique()
    assert len(empty) > 0
    assert (peer.loc[peer["sic4"].isin(empty), "ubiquity"] == 0).all()
    assert peer["eci"].notna().all()
    with pytest.raises(AmbiguousResultError, match=rf"\b{len(empty)} activity\(ies\)"):
        case.ours(threshold=1.5)


# --------------------------------------------------------------------------- proximity


def test_proximity_agrees_with_ecomplexity(case, ours_prox, peer_prox):
    ours_by_year = _periods(ours_prox)
    assert ours_by_year.keys() == peer_prox.keys()
    n_diagonal = 0
    for year, period in ours_by_year.items():
        phi, peer_phi = _square(period), _square(peer_prox[year])
        n_diagonal += len(phi)
        assert phi.index.equals(peer_phi.index)  # the same activities
        assert_allclose(phi.to_numpy(), peer_phi.to_numpy(), rtol=0, atol=ATOL)
        assert (np.diag(peer_phi) == 1).all()  # ecomplexity keeps phi_pp = 1

    # diagonal="zero" (EconGeo) changes the diagonal only.
    keys = ["year", "activity_1", "activity_2"]
    zero = case.proximity(diagonal="zero")
    assert_array_equal(zero[keys].to_numpy(), ours_prox[keys].to_numpy())
    on_diagonal = (zero["activity_1"] == zero["activity_2"]).to_numpy()
    assert on_diagonal.sum() == n_diagonal
    assert (zero.loc[on_diagonal, "proximity"] == 0).all()
    assert (ours_prox.loc[on_diagonal, "proximity"] == 1).all()
    assert_array_equal(zero.loc[~on_diagonal, "proximity"], ours_prox.loc[~on_diagonal, "proximity"])


# ------------------------------------------------------------------ documented variants


def test_atlas_cog(case, ours, merged, ours_prox, peer_prox):
    atlas = case.ours(cog_variant="atlas")
    for column in ours.columns.drop("cog"):
        assert_array_equal(atlas[column], ours[column], err_msg=column)
    atlas = atlas[[*case.keys, "cog"]].merge(merged, on=case.keys, validate="one_to_one")
    ours_by_year = _periods(ours_prox)
    for year, period in atlas.groupby("year"):
        mcp = _grid(period, "mcp_peer", case.region, case.activity)
        regions, activities = mcp.index, mcp.columns

        def cells(column, period=period, regions=regions, activities=activities):
            return _grid(period, column, case.region, case.activity, regions, activities).to_numpy()

        M = mcp.to_numpy()
        absent = 1.0 - M
        cog = cells("cog")

        # 1. The Atlas formula recomputed from our own output columns and proximity(),
        #    with d the density (the Atlas's 1 - distance):
        #    COG_rp = (1 - M_rp) [sum_q (1 - M_rq) phi_qp / sum_q' phi_qq' PCI_q - d_rp PCI_p]
        pci = _by_activity(period, "pci_ours", case.activity).loc[activities].to_numpy()
        density = cells("density_ours")
        phi = _square(ours_by_year[year]).loc[activities, activities].to_numpy()
        weights = phi / phi.sum(axis=1, keepdims=True)
        expected = absent * (absent @ (weights * pci[:, None])) - absent * density * pci
        assert_allclose(cog, expected, rtol=0, atol=ATOL)

        # 2. The public function: with the same PCI the two variants differ by exactly
        #    the Atlas term of complexity_outlook_gain's docstring.
        gap = complexity_outlook_gain(M, phi, pci, variant="atlas", density=density)
        gap -= complexity_outlook_gain(M, phi, pci)
        assert_allclose(gap, -absent * density * pci, rtol=0, atol=1e-12)

        # 3. Against ecomplexity, from peer columns only (its proximity, density, ECI/PCI):
        #    Atlas COG = peer COG - (1 - M) d PCI - c (1 - M) sum_q (1 - M_rq) w_qp,
        #    because the Atlas COG's first term uses PCI = k_p / s - c, the peer's k_p / s.
        peer_pci = _by_activity(period, "pci_peer", case.activity).loc[activities].to_numpy()
        peer_eci = _by_region(period, "eci_peer", case.region).loc[regions].to_numpy()
        offset = _pci_offset(M, peer_eci, peer_pci)
        peer_phi = _square(peer_prox[year]).loc[activities, activities].to_numpy()
        offset_term = offset * absent * (absent @ (peer_phi / peer_phi.sum(axis=1, keepdims=True)))
        expected = cells("cog_peer") - absent * cells("density_peer") * peer_pci - offset_term
        assert_allclose(cog, expected, rtol=0, atol=ATOL)
        # ... and the offset term is not negligible: the Atlas term alone is not enough.
        assert np.abs(offset_term).max() > 100 * ATOL


def test_atlas_conventions_standardise_pci_by_itself(case, peer):
    atlas = _merge(case, case.ours(conventions="atlas"), peer)
    for column in COLUMNS:
        if column != "pci":  # everything else, ECI included, is unchanged
            assert_allclose(atlas[f"{column}_ours"], atlas[f"{column}_peer"], rtol=0, atol=ATOL, err_msg=column)
    for _, period in atlas.groupby("year"):
        peer_pci = _by_activity(period, "pci_peer", case.activity)
        ours_pci = _by_activity(period, "pci_ours", case.activity)
        # z-score of the peer's PCI by its own mean and population sd, across activities
        expected = (peer_pci - peer_pci.mean()) / peer_pci.std(ddof=0)
        assert_allclose(ours_pci, expected, rtol=0, atol=ATOL)
        assert abs(ours_pci.mean()) < 1e-9
        assert_allclose(ours_pci.std(ddof=0), 1.0, rtol=1e-9)
        # ... which is a real change: the peer's PCI (scaled by the ECI) is not a z-score.
        assert abs(peer_pci.mean()) > 1e-3 or abs(peer_pci.std(ddof=0) - 1.0) > 1e-3
