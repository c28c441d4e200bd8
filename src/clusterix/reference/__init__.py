"""Reference data: NUTS regions and their changes, NACE activity codes, NUTS boundaries.

Read from the official files (Eurostat's NUTS correspondence tables and NACE code lists,
GISCO's GeoJSON), either from a local ``source`` or downloaded once and cached with checksums.
"""

from clusterix.reference.geo import nuts_boundaries
from clusterix.reference.nace import check_nace, nace_codes, normalise_nace
from clusterix.reference.nuts import (
    check_codes,
    convert_codes,
    convert_data,
    iso_country,
    normalise_code,
    nuts_country,
    nuts_regions,
)

__all__ = [
    "check_codes",
    "check_nace",
    "convert_codes",
    "convert_data",
    "iso_country",
    "nace_codes",
    "normalise_code",
    "normalise_nace",
    "nuts_boundaries",
    "nuts_country",
    "nuts_regions",
]
