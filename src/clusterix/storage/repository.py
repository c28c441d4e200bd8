"""Every SQL statement of clusterix: imports (transactional, idempotent) and queries.

An import either lands completely or leaves the store exactly as it was; re-importing a
file whose (source, SHA-256) is already recorded changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clusterix._validation import check_option
from clusterix.checksums import sha256_of
from clusterix.config import database_target
from clusterix.errors import InvalidInputError, UnknownCodeError
from clusterix.storage.catalogue import CatalogueQueries
from clusterix.storage.db import Database, connect
from clusterix.storage.organisations import OrganisationQueries
from clusterix.storage.regions import RegionQueries
from clusterix.vocabulary import ORGANISATION_KINDS

__all__ = ["ORGANISATION_KINDS", "ImportResult", "Store"]

_OBSERVATION_COLUMNS = ("region", "activity", "time", "measure", "value", "flag", "line", "column")
_SHOW = 5


def _staging_schema() -> Any:
    """Column types of staged observations, fixed so that every chunk agrees."""
    import pyarrow as pa

    text = pa.string()
    return pa.schema(
        [
            ("region", text),
            ("activity", text),
            ("time", text),
            ("measure", text),
            ("value", pa.float64()),
            ("flag", text),
            ("line", pa.int64()),
            ("source_column", text),
        ]
    )


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the dataset, its rows, and whether anything was written."""

    dataset: str
    dataset_id: int
    rows: int
    created: bool
    dropped: int = 0


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _where(path: Path, line: object, column: object | None = None) -> str:
    place = f"{path.name}, line {int(str(line))}"
    return place + (f", column {column!r}" if column not in (None, "") else "")


class Store(CatalogueQueries, RegionQueries, OrganisationQueries):
    """The clusterix store: datasets with provenance, reference data, observations,
    organisations, projects and participations."""

    def __init__(self, database: Database) -> None:
        self.database = database

    @classmethod
    def open(cls, target: str | Path | None = None, *, read_only: bool = False) -> Store:
        """Open ``target`` (``--db``), else ``CLUSTERIX_DB``, else the per-user store."""
        return cls(connect(database_target(target), read_only=read_only))

    def close(self) -> None:
        self.database.close()

    @property
    def backend(self) -> str:
        """The database behind the store: ``"duckdb"`` or ``"postgresql"``."""
        return self.database.backend

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- datasets ---------------------------------------------------------------------

    def _existing(self, source: str, checksum: str) -> ImportResult | None:
        found = self.database.query(
            "SELECT id, name, row_count FROM datasets WHERE source = ? AND checksum = ?",
            (source, checksum),
        )
        if found.empty:
            return None
        row = found.iloc[0]
        return ImportResult(str(row["name"]), int(row["id"]), int(row["row_count"]), created=False)

    def _claim(self, source: str, checksum: str) -> ImportResult | None:
        """Hold the datasets until the end of the transaction, then look again for this file.

        Called inside the import's transaction, right before the dataset is created: two
        imports of the same file at once (two processes on one PostgreSQL store) would
        otherwise both pass the first look and the second fail on the unique name. The
        table lock is self-exclusive, so the second waits for the first to commit and then
        finds its dataset (``created=False``); DuckDB has one writing process.
        """
        if self.database.backend == "postgresql":
            self.database.execute("LOCK TABLE datasets IN SHARE ROW EXCLUSIVE MODE")
        return self._existing(source, checksum)

    def _new_dataset(
        self,
        *,
        name: str,
        kind: str,
        source: str,
        path: Path,
        checksum: str,
        description: str | None,
        region_version: int | None,
        replace: bool,
    ) -> int:
        clash = self.database.query("SELECT id, source_file, imported_at FROM datasets WHERE name = ?", (name,))
        now = _now()
        if not clash.empty:
            if not replace:
                row = clash.iloc[0]
                raise InvalidInputError(
                    f"A dataset named {name!r} already exists (from {row['source_file']}, imported "
                    f"{row['imported_at']}); choose another name or replace it."
                )
            # Reuse the row: DuckDB cannot delete a row whose references were deleted in the
            # same transaction, and keeping the id is harmless.
            dataset_id = int(clash.iloc[0]["id"])
            self._delete_rows(dataset_id)
            self.database.execute(
                "UPDATE datasets SET kind = ?, source = ?, source_file = ?, checksum = ?, imported_at = ?, "
                "row_count = 0, region_version = ?, description = ? WHERE id = ?",
                (kind, source, str(path), checksum, now, region_version, description, dataset_id),
            )
            return dataset_id
        dataset_id = int(self.database.scalar("SELECT nextval('dataset_ids')"))
        self.database.execute(
            "INSERT INTO datasets (id, name, kind, source, source_file, checksum, imported_at, "
            "row_count, region_version, description) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
            (dataset_id, name, kind, source, str(path), checksum, now, region_version, description),
        )
        return dataset_id

    def _delete_rows(self, dataset_id: int) -> None:
        for table in ("observations", "participations", "projects", "organisations"):
            self.database.execute(f"DELETE FROM {table} WHERE dataset_id = ?", (dataset_id,))

    def datasets(self) -> pd.DataFrame:
        """What is loaded, with row counts and provenance."""
        return self.database.query(
            "SELECT name, kind, source, source_file, checksum, imported_at, row_count, "
            "region_version, description FROM datasets ORDER BY id"
        )

    # -- reference data ---------------------------------------------------------------

    def import_regions(self, regions: pd.DataFrame) -> int:
        """Load (or reload) NUTS regions ``code, name, level, parent, country, version``."""
        needed = ["code", "version", "name", "level", "parent", "country"]
        missing = [c for c in needed if c not in regions.columns]
        if missing:
            raise InvalidInputError(f"regions lacks columns {missing}; expected {needed}.")
        frame = regions[needed].copy()
        frame["version"] = frame["version"].astype(int)
        frame["level"] = frame["level"].astype(int)
        with self.database.transaction():
            for version in sorted(frame["version"].unique()):
                self.database.execute("DELETE FROM regions WHERE version = ?", (int(version),))
            self.database.insert_frame("regions", frame)
        return len(frame)

    def import_classification(self, scheme: str, codes: pd.DataFrame) -> int:
        """Load (or reload) a classification ``code, name, level, parent`` as ``scheme``."""
        frame = codes[["code", "name", "level", "parent"]].copy()
        frame.insert(0, "scheme", scheme)
        frame["level"] = frame["level"].astype(int)
        with self.database.transaction():
            self.database.execute("DELETE FROM classifications WHERE scheme = ?", (scheme,))
            self.database.insert_frame("classifications", frame)
        return len(frame)

    def regions(self, *, level: int | None = None, version: int = 2021) -> pd.DataFrame:
        """NUTS regions of one version (optionally one level), ordered by code."""
        sql = "SELECT code, name, level, parent, country, version FROM regions WHERE version = ?"
        parameters: list[object] = [version]
        if level is not None:
            sql += " AND level = ?"
            parameters.append(level)
        return self.database.query(sql + " ORDER BY code", parameters)

    # -- observations -----------------------------------------------------------------

    def import_observations(
        self,
        frames: Iterable[pd.DataFrame],
        *,
        source: str,
        path: str | Path,
        name: str | None = None,
        description: str | None = None,
        region_version: int | None = None,
        activity_scheme: str | None = None,
        unknown_codes: str = "raise",
        replace: bool = False,
        allow_negative: bool = False,
    ) -> ImportResult:
        """Import tidy observation frames read from ``path`` as one dataset.

        Checks, before anything is kept: labels present, values non-negative (unless
        ``allow_negative``, e.g. for growth rates), no duplicate
        (region, activity, time, measure), region codes known in NUTS ``region_version``
        and activity codes known in ``activity_scheme`` (when given; the reference data must
        be loaded). ``unknown_codes="drop"`` drops rows with unknown codes instead (e.g.
        Eurostat's EU aggregates) and reports how many.
        """
        check_option(unknown_codes, ("raise", "drop"), name="unknown_codes", function="import_observations")
        path = Path(path)
        checksum = sha256_of(path)
        existing = self._existing(source, checksum)
        if existing is not None:
            return existing
        name = name or path.name.split(".")[0]
        database = self.database
        chunks = (_observation_chunk(frame, path, allow_negative) for frame in frames)
        with database.transaction(), database.staged(chunks, _staging_schema()) as staged:
            self._check_staged(path, staged)
            keep: list[tuple[str, object]] = []  # (condition, parameter) on rows to keep
            for column, table, scope_column, scope, what in (
                ("region", "regions", "version", region_version, f"NUTS {region_version} region"),
                ("activity", "classifications", "scheme", activity_scheme, f"{activity_scheme} activity"),
            ):
                if scope is not None:
                    keep += self._check_codes(path, staged, column, table, scope_column, scope, what, unknown_codes)
            where = " AND ".join(condition for condition, _ in keep) or "TRUE"
            parameters = [parameter for _, parameter in keep]
            total = int(database.scalar(f"SELECT count(*) FROM {staged} s"))
            rows = int(database.scalar(f"SELECT count(*) FROM {staged} s WHERE {where}", parameters))
            if rows == 0:
                raise InvalidInputError(f"{path.name} holds no observations to import.")
            meanwhile = self._claim(source, checksum)
            if meanwhile is not None:  # the same file, imported by another process meanwhile
                return meanwhile
            dataset_id = self._new_dataset(
                name=name,
                kind="observations",
                source=source,
                path=path,
                checksum=checksum,
                description=description,
                region_version=region_version,
                replace=replace,
            )
            database.execute(
                "INSERT INTO observations (dataset_id, region, activity, time, measure, value, flag) "
                f"SELECT ?, region, activity, time, measure, value, flag FROM {staged} s WHERE {where}",
                (dataset_id, *parameters),
            )
            database.execute("UPDATE datasets SET row_count = ? WHERE id = ?", (rows, dataset_id))
            dropped = total - rows
        return ImportResult(name, dataset_id, rows, created=True, dropped=dropped)

    def _check_staged(self, path: Path, staged: str) -> None:
        database = self.database
        # A cheap pass first: distinct key hashes equal to the row count prove uniqueness
        # (equal keys hash equally); only otherwise find and name the repeated keys.
        key = database.key_hash(["region", "activity", "time", "measure"])
        counts = database.query(f"SELECT count(*) AS n, count(DISTINCT {key}) AS k FROM {staged} s")
        if int(counts["n"].iloc[0]) == int(counts["k"].iloc[0]):
            return
        duplicates = database.query(
            "SELECT region, activity, time, measure, min(line) AS first_line, "
            "string_agg(CAST(line AS TEXT), ', ' ORDER BY line) AS lines, "
            f"count(*) AS n FROM {staged} s GROUP BY region, activity, time, measure "
            "HAVING count(*) > 1 ORDER BY first_line LIMIT ?",
            (_SHOW,),
        )
        if not duplicates.empty:
            row = duplicates.iloc[0]
            raise InvalidInputError(
                f"{path.name}, lines {row['lines']}: duplicate "
                f"observation (region {row['region']!r}, activity {row['activity']!r}, time "
                f"{row['time']!r}, measure {row['measure']!r}); {len(duplicates)} or more keys repeat. "
                "Each key may appear once: remove the repeats or aggregate them."
            )

    def _check_codes(
        self,
        path: Path,
        staged: str,
        column: str,
        table: str,
        scope_column: str,
        scope: object,
        what: str,
        unknown_codes: str,
    ) -> list[tuple[str, object]]:
        """Raise on unknown codes, or (``"drop"``) return the condition that keeps known ones."""
        database = self.database
        if not int(database.scalar(f"SELECT count(*) FROM {table} WHERE {scope_column} = ?", (scope,))):
            raise UnknownCodeError(
                f"The {what} codes cannot be checked: no {table} are loaded for {scope!r}. Load the "
                "reference data first (clusterix ingest loads it when given --reference DIR)."
            )
        known = f"EXISTS (SELECT 1 FROM {table} t WHERE t.code = s.{column} AND t.{scope_column} = ?)"
        if unknown_codes == "drop":
            return [(known, scope)]
        condition = f"NOT {known}"
        unknown = database.query(
            f"SELECT s.{column} AS code, min(s.line) AS line FROM {staged} s "
            f"WHERE {condition} GROUP BY s.{column} ORDER BY line LIMIT ?",
            (scope, _SHOW),
        )
        if not unknown.empty:
            first = unknown.iloc[0]
            codes = ", ".join(repr(code) for code in unknown["code"])
            raise UnknownCodeError(
                f"{_where(path, first['line'], column)}: unknown {what} code {first['code']!r} "
                f"(unknown codes, first: {codes}). Fix the codes, "
                + (f"convert them to NUTS {scope} first" if table == "regions" else f"map them to {scope}")
                + ", or drop them (unknown codes: drop)."
            )
        return []

    def observations(self, dataset: str, *, measure: str | None = None, time: str | None = None) -> pd.DataFrame:
        """A dataset's observations as a long table ``region, activity, time, measure, value, flag``."""
        dataset_id = self.database.scalar("SELECT id FROM datasets WHERE name = ?", (dataset,))
        if dataset_id is None:
            known = ", ".join(repr(n) for n in self.datasets()["name"]) or "none"
            raise UnknownCodeError(f"No dataset named {dataset!r} in the store (loaded: {known}).")
        sql = "SELECT region, activity, time, measure, value, flag FROM observations WHERE dataset_id = ?"
        parameters: list[object] = [int(dataset_id)]
        if measure is not None:
            sql += " AND measure = ?"
            parameters.append(measure)
        if time is not None:
            sql += " AND time = ?"
            parameters.append(time)
        return self.database.query(sql + " ORDER BY time, region, activity, measure", parameters)

    def datasets_covering(self, region: str) -> list[str]:
        """The observation datasets holding ``region``, in the order they were imported."""
        frame = self.database.query(
            "SELECT d.name FROM datasets d WHERE d.kind = 'observations' AND EXISTS "
            "(SELECT 1 FROM observations o WHERE o.dataset_id = d.id AND o.region = ?) ORDER BY d.id",
            (region,),
        )
        return [str(name) for name in frame["name"]]

    # -- organisations and projects -----------------------------------------------------

    def import_organisations(
        self,
        *,
        organisations: pd.DataFrame,
        projects: pd.DataFrame | None = None,
        participations: pd.DataFrame | None = None,
        source: str,
        path: str | Path,
        name: str | None = None,
        description: str | None = None,
        replace: bool = False,
    ) -> ImportResult:
        """Import organisations (and projects and participations) read from ``path``.

        Records already in the store (same id) are kept as they are; everything else of
        this file lands in one transaction.
        """
        path = Path(path)
        checksum = sha256_of(path)
        existing = self._existing(source, checksum)
        if existing is not None:
            return existing
        organisations = _organisation_frame(organisations, path)
        projects = _project_frame(projects if projects is not None else pd.DataFrame(), path)
        participations = _participation_frame(participations if participations is not None else pd.DataFrame(), path)
        name = name or path.name.split(".")[0]
        with self.database.transaction():
            meanwhile = self._claim(source, checksum)
            if meanwhile is not None:  # the same file, imported by another process meanwhile
                return meanwhile
            dataset_id = self._new_dataset(
                name=name,
                kind="organisations",
                source=source,
                path=path,
                checksum=checksum,
                description=description,
                region_version=None,
                replace=replace,
            )
            rows = 0
            for table, frame, key in (
                ("organisations", organisations, ["id"]),
                ("projects", projects, ["id"]),
                ("participations", participations, ["project_id", "organisation_id"]),
            ):
                if frame.empty:
                    continue
                rows += self._insert_new(table, frame.assign(dataset_id=dataset_id), key)
            self.database.execute("UPDATE datasets SET row_count = ? WHERE id = ?", (rows, dataset_id))
        return ImportResult(name, dataset_id, rows, created=True)

    def _insert_new(self, table: str, frame: pd.DataFrame, key: list[str]) -> int:
        staging = f"staging_{table}"
        self.database.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} AS SELECT * FROM {table} WHERE 1 = 0")
        self.database.execute(f"DELETE FROM {staging}")
        self.database.insert_frame(staging, frame)
        columns = ", ".join(frame.columns)
        match = " AND ".join(f"t.{k} = s.{k}" for k in key)
        before = int(self.database.scalar(f"SELECT count(*) FROM {table}"))
        self.database.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {match})"
        )
        self.database.execute(f"DELETE FROM {staging}")
        return int(self.database.scalar(f"SELECT count(*) FROM {table}")) - before

    def organisations(self, *, kind: str | None = None) -> pd.DataFrame:
        """Organisations, optionally of one kind."""
        sql = "SELECT id, name, kind, country, region, description, external_ids FROM organisations"
        parameters: list[object] = []
        if kind is not None:
            sql += " WHERE kind = ?"
            parameters.append(kind)
        return self.database.query(sql + " ORDER BY id", parameters)

    def participations(self) -> pd.DataFrame:
        """Participations joined with their projects' dates and programme parts."""
        return self.database.query(
            "SELECT p.project_id, p.organisation_id, p.role, p.ec_contribution, j.start_date, "
            "j.end_date, j.programme_part FROM participations p LEFT JOIN projects j ON j.id = p.project_id "
            "ORDER BY p.project_id, p.organisation_id"
        )

    def table_counts(self) -> dict[str, int]:
        """Rows per table: a cheap fingerprint of the store's contents."""
        tables = (
            "datasets",
            "regions",
            "classifications",
            "observations",
            "organisations",
            "projects",
            "participations",
        )
        return {t: int(self.database.scalar(f"SELECT count(*) FROM {t}")) for t in tables}


def _observation_chunk(frame: pd.DataFrame, path: Path, allow_negative: bool = False) -> pd.DataFrame:
    """Check one reader chunk and put it in the staging layout."""
    missing = [c for c in ("region", "activity", "time", "value") if c not in frame.columns]
    if missing:
        raise InvalidInputError(
            f"Observations read from {path.name} lack columns {missing}; readers must give "
            f"{list(_OBSERVATION_COLUMNS)}."
        )
    chunk = pd.DataFrame(
        {
            "region": frame["region"],
            "activity": frame["activity"],
            "time": frame["time"].astype(str),
            "measure": frame.get("measure", ""),
            "value": pd.to_numeric(frame["value"], errors="coerce").astype(np.float64),
            "flag": frame.get("flag", None),
            "line": frame["line"] if "line" in frame else np.arange(2, len(frame) + 2),
            "source_column": frame.get("column", "value"),
        }
    )
    for column in ("region", "activity", "time"):
        absent = chunk[column].isna().to_numpy()
        if absent.any():
            first = chunk.loc[absent].iloc[0]
            raise InvalidInputError(f"{_where(path, first['line'], column)}: the {column} is missing.")
    not_numeric = chunk["value"].isna().to_numpy() & frame["value"].notna().to_numpy()
    if not_numeric.any():
        first = chunk.loc[not_numeric].iloc[0]
        raise InvalidInputError(
            f"{_where(path, first['line'], first['source_column'])}: value "
            f"{frame['value'].to_numpy()[not_numeric][0]!r} is not a number."
        )
    negative = (chunk["value"] < 0).to_numpy()
    if negative.any() and not allow_negative:
        first = chunk.loc[negative].iloc[0]
        raise InvalidInputError(
            f"{_where(path, first['line'], first['source_column'])}: negative value {first['value']:g}; "
            "sizes (employment, firms, projects) must be >= 0."
        )
    return chunk


def _organisation_frame(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    needed = ["id", "kind"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InvalidInputError(f"Organisations read from {path.name} lack columns {missing}.")
    out = pd.DataFrame({"id": frame["id"].astype(str), "kind": frame["kind"]})
    for column in ("name", "country", "region", "description", "external_ids"):
        out[column] = frame.get(column, None)
    bad = ~out["kind"].isin(ORGANISATION_KINDS)
    if bad.any():
        raise InvalidInputError(
            f"{path.name}: organisation {out.loc[bad, 'id'].iloc[0]!r} has kind "
            f"{out.loc[bad, 'kind'].iloc[0]!r}; kinds are {', '.join(ORGANISATION_KINDS)}."
        )
    repeated = out["id"].duplicated()
    if repeated.any():
        raise InvalidInputError(
            f"{path.name}: organisation id {out.loc[repeated, 'id'].iloc[0]!r} appears more than once."
        )
    return out


def _project_frame(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    if frame.empty:
        return frame
    if "id" not in frame.columns:
        raise InvalidInputError(f"Projects read from {path.name} lack the 'id' column.")
    out = pd.DataFrame({"id": frame["id"].astype(str)})
    for column in ("acronym", "title", "framework", "programme", "programme_part"):
        out[column] = frame.get(column, None)
    for column in ("start_date", "end_date"):
        out[column] = pd.to_datetime(frame[column], errors="coerce").dt.date if column in frame else None
    for column in ("total_cost", "ec_contribution"):
        out[column] = pd.to_numeric(frame[column], errors="coerce") if column in frame else np.nan
    repeated = out["id"].duplicated()
    if repeated.any():
        raise InvalidInputError(f"{path.name}: project id {out.loc[repeated, 'id'].iloc[0]!r} appears more than once.")
    return out


def _participation_frame(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    if frame.empty:
        return frame
    missing = [c for c in ("project_id", "organisation_id") if c not in frame.columns]
    if missing:
        raise InvalidInputError(f"Participations read from {path.name} lack columns {missing}.")
    out = pd.DataFrame(
        {
            "project_id": frame["project_id"].astype(str),
            "organisation_id": frame["organisation_id"].astype(str),
            "role": frame.get("role", None),
            "ec_contribution": pd.to_numeric(frame["ec_contribution"], errors="coerce")
            if "ec_contribution" in frame
            else np.nan,
        }
    )
    repeated = out.duplicated(["project_id", "organisation_id"])
    if repeated.any():
        first = out.loc[repeated].iloc[0]
        line = frame.loc[repeated, "line"].iloc[0] if "line" in frame else None
        where = _where(path, line) if line is not None else path.name
        raise InvalidInputError(
            f"{where}: organisation {first['organisation_id']!r} takes part in project "
            f"{first['project_id']!r} more than once."
        )
    return out
