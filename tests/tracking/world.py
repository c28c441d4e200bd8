"""A tiny hand-made world for the tracker tests: four organisations and four users.

Organisations: A (enterprise), B (higher education), C (research), D (enterprise).
Users: an admin (no organisation), alice (manages A), bob (manages B), carol (manages C).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from argon2 import PasswordHasher

from clusterix.storage import Store
from clusterix.tracking import User, create_user

PASSWORD = "correct horse battery staple"
ORGANISATIONS = pd.DataFrame(
    {
        "id": ["A", "B", "C", "D"],
        "name": ["Acme Ltd", "Northern University", "Applied Research Lab", "Other Co"],
        "kind": ["enterprise", "higher_education", "research", "enterprise"],
        "country": ["UK", "UK", "DE", "FR"],
    }
)
# Argon2 with the smallest parameters: the tests check behaviour, not hashing cost.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@dataclass(frozen=True)
class World:
    admin: User
    alice: User  # manages A
    bob: User  # manages B
    carol: User  # manages C


def add_organisations(store: Store, folder: Path) -> None:
    """Import the four organisations (the import records a source file, so write one)."""
    path = folder / "organisations.csv"
    ORGANISATIONS.to_csv(path, index=False)
    store.import_organisations(organisations=ORGANISATIONS, source="tests", path=path)


def populate(store: Store, folder: Path) -> World:
    """The organisations and the four users (the admin added as the store's owner)."""
    add_organisations(store, folder)
    admin = create_user(store, "admin@example.org", PASSWORD, role="admin", as_owner=True)
    users = {
        name: create_user(store, f"{name}@example.org", PASSWORD, organisation_id=org, actor=admin)
        for name, org in (("alice", "A"), ("bob", "B"), ("carol", "C"))
    }
    return World(admin=admin, **users)
