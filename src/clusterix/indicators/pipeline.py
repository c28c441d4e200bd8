"""The one orchestration of the complexity steps: RCA -> presence -> diversity/ubiquity
-> ECI/PCI -> proximity -> density -> COI/COG, for one labelled matrix at a time.

The library's DataFrame functions, the command line and (later) the web service all
call :func:`run`; no step is implemented twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from clusterix._validation import FloatArray, as_dense, check_number, check_option, parameter_error
from clusterix.indicators.complexity import (
    COG_VARIANTS,
    METHODS,
    _cog,
    _coi,
    _complexity_vectors,
    scale_vectors,
)
from clusterix.indicators.conventions import GROWTH_LAB, Conventions
from clusterix.indicators.relatedness import _density, _proximity
from clusterix.indicators.specialisation import _presence, _rca, rpop
from clusterix.matrix import RegionActivityMatrix

__all__ = ["PRESENCE_TESTS", "ComplexityOptions", "ComplexityResult", "run", "run_all"]

PRESENCE_TESTS = ("rca", "rpop")


@dataclass(frozen=True)
class ComplexityOptions:
    """Every choice of a complexity run, validated once.

    threshold : presence where RCA (or RPOP) >= threshold.
    presence_test : ``"rca"`` (Balassa) or ``"rpop"`` (per inhabitant; needs population).
    method : ``"eigenvector"`` (SVD) or ``"reflections"`` (``steps`` reflections).
    cog_variant : ``"growthlab"`` (ecomplexity) or ``"atlas"`` (subtracts density x PCI,
        the Atlas term -(1 - distance) PCI, and uses the standardised PCI throughout).
    conventions : proximity diagonal, ddof, density scale, ECI scale and sign.
    """

    threshold: float = 1.0
    presence_test: str = "rca"
    method: str = "eigenvector"
    cog_variant: str = "growthlab"
    conventions: Conventions = field(default=GROWTH_LAB)
    steps: int = 20

    def __post_init__(self) -> None:
        function = "complexity"
        check_number(self.threshold, name="threshold", function=function, low=0, low_inclusive=False)
        check_option(self.presence_test, PRESENCE_TESTS, name="presence_test", function=function)
        check_option(self.method, METHODS, name="method", function=function)
        check_option(self.cog_variant, COG_VARIANTS, name="cog_variant", function=function)
        check_number(self.steps, name="steps", function=function, low=0, integer=True)


@dataclass(frozen=True)
class ComplexityResult:
    """All indicators of one period: dense (n_regions, n_activities) arrays and vectors,
    with the matrix (and so the labels) they belong to."""

    matrix: RegionActivityMatrix
    rca: FloatArray
    rpop: FloatArray | None
    mcp: npt.NDArray[np.int8]
    diversity: FloatArray
    ubiquity: FloatArray
    eci: FloatArray
    pci: FloatArray
    proximity: FloatArray
    density: FloatArray
    coi: FloatArray
    cog: FloatArray


def run(
    matrix: RegionActivityMatrix,
    options: ComplexityOptions = ComplexityOptions(),  # noqa: B008 - frozen, immutable default
    *,
    population: npt.ArrayLike | None = None,
    relatedness: FloatArray | None = None,
) -> ComplexityResult:
    """Compute every complexity indicator for one period.

    ``population`` (aligned with ``matrix.regions``) is needed for RPOP presence;
    ``relatedness`` (aligned with ``matrix.activities`` on both axes) replaces the
    proximity computed from the data in density and COG.
    """
    conventions = options.conventions
    values = matrix.values
    rca = _rca(values)
    rpop_values = None
    if options.presence_test == "rpop":
        if population is None:
            raise parameter_error("population", "complexity", "given when presence_test='rpop'", None)
        rpop_values = rpop(values, population)
        presence = _presence(rpop_values, options.threshold)
    else:
        presence = _presence(rca, options.threshold)
    sparse_presence = sp.csr_array(presence)
    vectors = _complexity_vectors(
        sparse_presence,
        options.method,
        conventions.eci_sign,
        options.steps,
        (matrix.regions, matrix.activities),
    )
    eci, pci = scale_vectors(vectors, conventions)
    dense_presence = sparse_presence.toarray().astype(np.float64)
    proximity = _proximity(dense_presence, conventions.proximity_diagonal) if relatedness is None else relatedness
    density = _density(dense_presence, proximity, "share")
    # The Growth Lab's COI/COG use PCI on the eigenvector scale divided by the ECI's
    # standard deviation (not re-centred); the Atlas COG uses the standardised PCI.
    outlook_pci = vectors.activity / np.std(vectors.region, ddof=conventions.ddof)
    coi = _coi(dense_presence, density, outlook_pci, conventions.ddof)
    if options.cog_variant == "growthlab":
        cog = _cog(dense_presence, proximity, outlook_pci, "growthlab", None)
    else:
        cog = _cog(dense_presence, proximity, pci, "atlas", density)
    if conventions.density_scale == "percent":
        density *= 100.0
    return ComplexityResult(
        matrix=matrix,
        rca=as_dense(rca),
        rpop=None if rpop_values is None else as_dense(rpop_values),
        mcp=dense_presence.astype(np.int8),
        diversity=np.asarray(sparse_presence.sum(axis=1), dtype=np.float64).ravel(),
        ubiquity=np.asarray(sparse_presence.sum(axis=0), dtype=np.float64).ravel(),
        eci=eci,
        pci=pci,
        proximity=proximity,
        density=density,
        coi=coi,
        cog=cog,
    )


def run_all(
    matrices: Iterator[RegionActivityMatrix] | list[RegionActivityMatrix],
    options: ComplexityOptions = ComplexityOptions(),  # noqa: B008
    *,
    population: Callable[[RegionActivityMatrix], FloatArray] | None = None,
    relatedness: Callable[[RegionActivityMatrix], FloatArray] | None = None,
) -> Iterator[ComplexityResult]:
    """:func:`run` over periods; the callables align population/relatedness per period."""
    for matrix in matrices:
        yield run(
            matrix,
            options,
            population=None if population is None else population(matrix),
            relatedness=None if relatedness is None else relatedness(matrix),
        )
