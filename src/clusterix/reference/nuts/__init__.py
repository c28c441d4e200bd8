"""NUTS regions: codes and names per version, the EL/GR and UK/GB quirk, and conversion between versions.

Everything here is read from Eurostat's official NUTS correspondence tables, the
workbooks ``NUTS2013-NUTS2016.xlsx`` and ``NUTS2016-NUTS2021.xlsx`` (Eurostat publishes
the second as ``NUTS2021.xlsx``), or their main sheets flattened to CSV
(``nuts2013_to_nuts2016.csv``, ``nuts2016_to_nuts2021.csv``). Pass ``source=`` a folder
holding them; without it they are downloaded once through :func:`clusterix.ingest.downloads.fetch`.

Versions
--------
NUTS 2013, 2016 and 2021. The 2013 codes are the "Code 2013" column of the 2013-2016
table; the 2016 codes the "Code 2016" column of the 2016-2021 table (it also lists the
statistical regions of the EFTA and candidate countries, which the 2013-2016 table lacks);
the 2021 codes its "Code 2021" column. Extra-regio codes (``DEZ``, ``DEZZ``, ``DEZZZ``) are
included: Eurostat tables report values for them, though they have no territory or map.

The tables carry a few quirks that are handled here: codes with trailing spaces (``TR100 ``);
a heading row inside the code column; ``FR7`` listed twice in 2013-2016 (recoded ``FRK`` and
"discontinued"; it is the recode); and Northern Ireland's NUTS 3 codes ``UKN10`` ...
``UKN16`` of 2016, which sit under ``UKN0`` (see :func:`nuts_regions`). GISCO's NUTS 2016
boundaries already show Norway's ``NO060`` (merged in 2018), which the table lists only in 2021.

NUTS 2024 is not supported: its correspondence table (``NUTS2021-NUTS2024.xlsx``) is neither
in the reference data clusterix is tested on nor read by this package, so asking for version
2024 raises :class:`~clusterix.errors.InvalidInputError`.

Modules: :mod:`~clusterix.reference.nuts.regions` (:func:`nuts_regions`, :func:`check_codes`),
:mod:`~clusterix.reference.nuts.conversion` (:func:`convert_codes`, :func:`convert_data`),
:mod:`~clusterix.reference.nuts.codes` (the EL/GR and UK/GB spellings),
:mod:`~clusterix.reference.nuts.files` (reading the tables) and
:mod:`~clusterix.reference.nuts.changes` (the regions and changes built from them).
"""

from clusterix.reference.nuts.changes import CONVERSION_COLUMNS
from clusterix.reference.nuts.codes import iso_country, normalise_code, nuts_country
from clusterix.reference.nuts.conversion import convert_codes, convert_data, convert_versions
from clusterix.reference.nuts.files import REMOTE_FILES
from clusterix.reference.nuts.files import _csv_records as _csv_records  # used by clusterix.reference.nace
from clusterix.reference.nuts.regions import REGION_COLUMNS, VERSIONS, check_codes, nuts_regions

__all__ = [
    "CONVERSION_COLUMNS",
    "REGION_COLUMNS",
    "REMOTE_FILES",
    "VERSIONS",
    "check_codes",
    "convert_codes",
    "convert_data",
    "convert_versions",
    "iso_country",
    "normalise_code",
    "nuts_country",
    "nuts_regions",
]
