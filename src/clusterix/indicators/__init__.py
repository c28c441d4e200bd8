"""Specialisation, concentration, relatedness and complexity indicators.

The DataFrame functions (:func:`complexity`, :func:`proximity`, :func:`region_summary`,
:func:`activity_summary`) take long tables; everything else is a pure function on
region x activity matrices (dense or ``scipy.sparse``).
"""

from clusterix.indicators.complexity import (
    complexity_outlook_gain,
    complexity_outlook_index,
    complexity_vectors,
    diversity,
    eci_pci,
    fitness_complexity,
    reflections,
    ubiquity,
)
from clusterix.indicators.concentration import (
    entropy,
    entropy_decomposition,
    herfindahl,
    locational_gini,
    related_variety,
    specialisation_gini,
    unrelated_variety,
)
from clusterix.indicators.conventions import ATLAS, ECONGEO, GROWTH_LAB, Conventions
from clusterix.indicators.frame import (
    activity_summary,
    complexity,
    proximity,
    region_summary,
)
from clusterix.indicators.relatedness import (
    co_occurrence,
    normalise_co_occurrence,
    proximity_matrix,
    relatedness_density,
)
from clusterix.indicators.specialisation import (
    hachman,
    krugman_dissimilarity,
    krugman_index,
    location_quotient,
    presence,
    rca,
    rpop,
    shares,
)

__all__ = [
    "ATLAS",
    "ECONGEO",
    "GROWTH_LAB",
    "Conventions",
    "activity_summary",
    "co_occurrence",
    "complexity",
    "complexity_outlook_gain",
    "complexity_outlook_index",
    "complexity_vectors",
    "diversity",
    "eci_pci",
    "entropy",
    "entropy_decomposition",
    "fitness_complexity",
    "hachman",
    "herfindahl",
    "krugman_dissimilarity",
    "krugman_index",
    "location_quotient",
    "locational_gini",
    "normalise_co_occurrence",
    "presence",
    "proximity",
    "proximity_matrix",
    "rca",
    "reflections",
    "region_summary",
    "related_variety",
    "relatedness_density",
    "rpop",
    "shares",
    "specialisation_gini",
    "ubiquity",
    "unrelated_variety",
]
