"""Named conventions where peer packages differ, so that results can match each peer.

Each field is one documented choice. The presets reproduce ecomplexity ("growthlab")
to machine precision; "econgeo" follows EconGeo's conventions, whose printed KCI/TCI
differ by about 1e-3 because EconGeo rounds its projected matrix (see
``docs/methods.md``, "Conventions").
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from clusterix._validation import check_option, parameter_error

__all__ = ["ATLAS", "CONVENTIONS", "ECONGEO", "GROWTH_LAB", "Conventions", "resolve_conventions"]

_CHOICES = {
    "proximity_diagonal": ("keep", "zero"),
    "ddof": (0, 1),
    "density_scale": ("share", "percent"),
    "eci_scale": ("zscore", "unit_sum"),
    "pci_reference": ("eci", "own"),
    "eci_sign": ("diversity", "reflections"),
}


@dataclass(frozen=True)
class Conventions:
    """Conventions for proximity, density and the scaling and sign of ECI/PCI.

    Attributes
    ----------
    proximity_diagonal : ``"keep"`` keeps phi_pp = 1 (ecomplexity); ``"zero"`` (EconGeo).
    ddof : delta degrees of freedom of every standard deviation: 0 (numpy, ecomplexity)
        or 1 (R's ``sd``).
    density_scale : ``"share"`` in [0, 1] or ``"percent"`` in [0, 100] (EconGeo).
    eci_scale : ``"zscore"`` (Growth Lab) or ``"unit_sum"``, v / |sum(v)| (EconGeo's KCI/TCI).
    pci_reference : with ``zscore``, standardise PCI with the ECI's mean and standard
        deviation (``"eci"``, ecomplexity) or with its own (``"own"``, the Atlas).
    eci_sign : orient ECI to correlate positively with ``"diversity"`` (Growth Lab) or
        with the method of reflections' k_c,20 (``"reflections"``, EconGeo's MORc).
    """

    proximity_diagonal: str = "keep"
    ddof: int = 0
    density_scale: str = "share"
    eci_scale: str = "zscore"
    pci_reference: str = "eci"
    eci_sign: str = "diversity"

    def __post_init__(self) -> None:
        for field in fields(self):
            check_option(
                getattr(self, field.name),
                _CHOICES[field.name],
                name=field.name,
                function="Conventions",
            )


GROWTH_LAB = Conventions()
ATLAS = Conventions(pci_reference="own")
ECONGEO = Conventions(
    proximity_diagonal="zero",
    ddof=1,
    density_scale="percent",
    eci_scale="unit_sum",
    eci_sign="reflections",
)
CONVENTIONS = {"growthlab": GROWTH_LAB, "atlas": ATLAS, "econgeo": ECONGEO}


def resolve_conventions(conventions: str | Conventions, *, function: str) -> Conventions:
    """Accept a preset name or a :class:`Conventions` instance."""
    if isinstance(conventions, Conventions):
        return conventions
    if isinstance(conventions, str) and conventions in CONVENTIONS:
        return CONVENTIONS[conventions]
    raise parameter_error(
        "conventions",
        function,
        f"a Conventions instance or one of {', '.join(map(repr, CONVENTIONS))}",
        conventions,
    )
