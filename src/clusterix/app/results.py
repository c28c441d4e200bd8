"""The typed results of the use cases: what every face returns (JSON from the API and
``--format json`` of the CLI, the values of the HTML pages)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Activities", "Activity", "Complementarity", "Dataset", "Datasets", "FeatureCollection", "Glossary",
    "GlossaryEntry", "Health",
    "IndicatorValue", "Indicators", "NamedRegion", "Opportunity", "Organisation", "OrganisationDetail", "Page",
    "Pair", "Partner", "Partners", "Peer", "Peers", "Profile", "Profiles", "Project", "Region", "RegionDetail", "Side",
]  # fmt: skip

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` from position ``offset`` of ``total``."""

    items: list[T]
    total: int
    limit: int
    offset: int


class Region(BaseModel):
    code: str
    name: str | None
    level: int
    parent: str | None
    country: str
    version: int


class RegionDetail(Region):
    geometry: dict[str, Any] | None = Field(description="GeoJSON geometry (WGS84), None without a boundary file")
    geometry_version: int | None = Field(description="The NUTS version of the boundary used")


class Dataset(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    kind: str
    source: str
    source_file: str
    checksum: str
    imported_at: str | None
    row_count: int
    region_version: int | None
    description: str | None
    measures: list[str]
    periods: list[str]


class Datasets(BaseModel):
    items: list[Dataset]


class Activity(BaseModel):
    code: str
    name: str | None


class Activities(BaseModel):
    dataset: str
    measure: str
    items: list[Activity]


class IndicatorValue(BaseModel):
    region: str
    name: str | None
    value: float | None


class Indicators(BaseModel):
    dataset: str
    measure: str
    year: str
    years: list[str]
    indicator: str
    label: str
    activity: str | None
    region_version: int | None
    min: float | None
    max: float | None
    items: list[IndicatorValue]


class FeatureCollection(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    features: list[dict[str, Any]]
    metadata: dict[str, Any]


class Profile(BaseModel):
    """A region profile (:meth:`clusterix.profiling.profile.RegionProfiler.profile`)."""

    model_config = ConfigDict(extra="allow")
    region: str
    name: str | None
    period: str | None
    periods: list[str]
    dataset: str
    measure: str
    summary: dict[str, float | int | None]
    specialisations: list[dict[str, Any]]
    research_specialisations: list[dict[str, Any]]
    clusters: list[dict[str, Any]]
    emerging: list[dict[str, Any]]
    diversification: list[dict[str, Any]]
    diversification_frame: dict[str, Any]
    trends: list[dict[str, Any]]
    notes: list[str]


class Profiles(BaseModel):
    """A region's profiles, one per dataset that holds it."""

    region: str
    items: list[Profile]


class Peer(BaseModel):
    region: str
    name: str | None
    rank: int
    distance: float | None
    similar_on: list[str]
    gaps: dict[str, float | None]


class Peers(BaseModel):
    region: str
    name: str | None
    dataset: str
    measure: str
    year: str
    metric: str
    aspirational: bool
    items: list[Peer]


class Opportunity(BaseModel):
    field: str
    industry: str
    field_name: str | None = Field(description="Title of the research field, when a classification gives it")
    industry_name: str | None = Field(description="Title of the industry, when a classification gives it")
    score: float
    research_rca_a: float
    industry_rca_b: float
    relatedness: float
    reason: str


class Pair(BaseModel):
    research_region: str
    industry_region: str
    score: float | None
    opportunities: list[Opportunity]


class Side(BaseModel):
    dataset: str
    measure: str
    year: str


class NamedRegion(BaseModel):
    code: str
    name: str | None


class Complementarity(BaseModel):
    regions: list[NamedRegion]
    research: Side
    industry: Side
    matrix: list[list[float | None]]
    pairs: list[Pair]


class Organisation(BaseModel):
    id: str
    name: str | None
    kind: str
    country: str | None
    region: str | None
    description: str | None


class Project(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    acronym: str | None
    title: str | None
    programme_part: str | None
    start_date: str | None
    end_date: str | None
    role: str | None


class OrganisationDetail(Organisation):
    external_ids: dict[str, Any]
    participations: int
    partners: int
    projects: list[Project]


class Partner(BaseModel):
    partner_id: str
    name: str | None
    kind: str
    country: str | None
    region: str | None
    score: float | None
    components: dict[str, float | None] = Field(description="Each component's contribution to the score")


class Partners(BaseModel):
    organisation: Organisation
    k: int
    kinds: list[str] | None
    regions: list[str] | None
    components: list[str]
    items: list[Partner]


class Health(BaseModel):
    status: str
    version: str
    backend: str
    counts: dict[str, int]
    partners: dict[str, Any]
    precompute: dict[str, Any]


class GlossaryEntry(BaseModel):
    """One indicator of the glossary (:mod:`clusterix.app.glossary`)."""

    key: str
    name: str
    plain: str
    formula: str
    reference: str
    methods: str


class Glossary(BaseModel):
    items: list[GlossaryEntry]
