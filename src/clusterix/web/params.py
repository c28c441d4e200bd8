"""The patterns and annotated types of the path and query parameters, shared by the API and the pages.

Every parameter is validated before a route runs (422 with the error envelope): codes and
names by a pattern, numbers by their bounds.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator

from clusterix.app.regions import INDICATORS

__all__ = [
    "ACTIVITY_PATTERN",
    "DATASET_PATTERN",
    "KINDS_PATTERN",
    "INDICATOR_PATTERN",
    "KIND_LIST_PATTERN",
    "MEASURE_PATTERN",
    "ORGANISATION_PATTERN",
    "PERIOD_PATTERN",
    "REGION_LIST_PATTERN",
    "REGION_PATTERN",
    "TEXT_PATTERN",
    "ActivityCode",
    "DatasetName",
    "IndicatorName",
    "Limit",
    "MeasureName",
    "Offset",
    "OrganisationId",
    "RegionCode",
    "RegionList",
    "Year",
]

#: A NUTS code (level 0-3), e.g. ``DE``, ``UKI3``, ``FR101``; any case (``uki3`` is read as ``UKI3``).
REGION_PATTERN = r"^[A-Za-z]{2}[0-9A-Za-z]{0,3}$"
DATASET_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$"
ORGANISATION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$"
ACTIVITY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 _.:&/\-]{0,79}$"
PERIOD_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,19}$"
MEASURE_PATTERN = r"^[A-Za-z0-9_.\- ]{0,60}$"
#: Free text (a search): no control characters (PostgreSQL text cannot hold NUL).
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"
KINDS_PATTERN = r"^(enterprise|higher_education|research|public|other|cluster)$"
REGION_LIST_PATTERN = r"^[A-Za-z]{2}[0-9A-Za-z]{0,3}(,[A-Za-z]{2}[0-9A-Za-z]{0,3}){0,19}$"
KIND_LIST_PATTERN = r"^(enterprise|higher_education|research|public|other|cluster)(,(enterprise|higher_education|research|public|other|cluster)){0,5}$"  # noqa: E501
INDICATOR_PATTERN = "^(" + "|".join(INDICATORS) + ")$"

RegionCode = Annotated[
    str, Path(pattern=REGION_PATTERN, description="A NUTS code, e.g. UKI3 (any case)"), AfterValidator(str.upper)
]
RegionList = Annotated[
    str,
    Query(pattern=REGION_LIST_PATTERN, description="Two or more NUTS codes, comma-separated (any case)"),
    AfterValidator(str.upper),
]
DatasetName = Annotated[str | None, Query(pattern=DATASET_PATTERN, description="Dataset name (default: the first)")]
MeasureName = Annotated[str | None, Query(pattern=MEASURE_PATTERN, description="Measure (default: the only one)")]
Year = Annotated[str | None, Query(pattern=PERIOD_PATTERN, description="Period (default: the last)")]
Limit = Annotated[
    int | None, Query(ge=1, le=10_000, description="Page size (default 100 for regions, 20 for organisations; at most "
                      "the max_page_size setting)")
]  # fmt: skip
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
IndicatorName = Annotated[str, Query(pattern=INDICATOR_PATTERN)]
ActivityCode = Annotated[str | None, Query(pattern=ACTIVITY_PATTERN, description="Activity for indicator=lq")]
OrganisationId = Annotated[str, Path(pattern=ORGANISATION_PATTERN, description="Organisation id (e.g. a PIC)")]
