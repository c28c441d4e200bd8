"""The controlled vocabularies of clusterix, defined once: kinds of organisation and the
groups the recommender, the tracker and the readers rely on."""

from __future__ import annotations

__all__ = ["CORDIS_ACTIVITY_TYPES", "ENTERPRISE_KINDS", "KNOWLEDGE_KINDS", "ORGANISATION_KINDS"]

#: Every kind of organisation the store accepts.
ORGANISATION_KINDS = ("enterprise", "higher_education", "research", "public", "other", "cluster")
#: Knowledge institutions: universities and research organisations.
KNOWLEDGE_KINDS = ("higher_education", "research")
#: Enterprises (CORDIS ``PRC``).
ENTERPRISE_KINDS = ("enterprise",)
#: CORDIS activity types (``activityType``) and the kind each stands for.
CORDIS_ACTIVITY_TYPES = {
    "PRC": "enterprise",
    "HES": "higher_education",
    "REC": "research",
    "PUB": "public",
    "OTH": "other",
}
