"""The NUTS reference built once per set of tables: each version's regions and the classified changes."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from clusterix.errors import DataSourceError
from clusterix.reference.nuts.files import _STEPS, _read_step, _Row, _Step, _step_file

__all__ = ["CONVERSION_COLUMNS"]


#: Columns of :func:`convert_codes`.
CONVERSION_COLUMNS = ("code", "new_code", "change", "convertible", "note")

# A code inside Eurostat's change comments; "FR 21" (with a space) occurs once.
_CODE_IN_TEXT = re.compile(r"\b([A-Z]{2}) ?([0-9A-Z]{1,3})\b")


@dataclass(frozen=True)
class _Crosswalk:
    """How the codes of one version become codes of a later one.

    ``table`` has one row per code of ``from_version`` (:data:`CONVERSION_COLUMNS` except
    that ``convertible`` is about the code). ``members`` maps each code of ``to_version``
    that is exactly a sum of ``from_version`` regions to those regions.
    """

    from_version: int
    to_version: int
    table: pd.DataFrame
    members: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class _Reference:
    regions: dict[int, pd.DataFrame]
    codes: dict[int, frozenset[str]]
    crosswalks: dict[tuple[int, int], _Crosswalk]


def _reference(source: str | Path | None, function: str) -> _Reference:
    paths = [_step_file(step, source, function) for step in _STEPS]
    keys = tuple((str(path.resolve()), path.stat().st_mtime_ns, path.stat().st_size) for path in paths)
    return _build_reference(keys)


@functools.lru_cache(maxsize=4)
def _build_reference(keys: tuple[tuple[str, int, int], ...]) -> _Reference:
    first, second = (_read_step(Path(key[0]), step) for key, step in zip(keys, _STEPS, strict=True))
    regions = {
        2013: _region_frame(2013, _labelled(first, "old")),
        2016: _region_frame(2016, _labelled_2016(first, second)),
        2021: _region_frame(2021, _labelled(second, "new")),
    }
    codes = {version: frozenset(frame["code"]) for version, frame in regions.items()}
    one = _classify(first)
    two = _classify(second)
    crosswalks = {(2013, 2016): one, (2016, 2021): two, (2013, 2021): _chain(one, two)}
    return _Reference(regions, codes, crosswalks)


def _label(row: _Row, level: int) -> str | None:
    return row.labels[level] or next((label for label in row.labels if label), None)


def _labelled(step: _Step, side: str) -> dict[str, str | None]:
    """Code -> name for one side of a table, in table order.

    Eurostat prints the labels of the newer version, and those of discontinued regions
    (in italics) in the older version. So where a code has two rows on the old side (only
    FR7: recoded as FRK, and also listed as discontinued) the row without a new code,
    which carries the old label, wins.
    """
    names: dict[str, str | None] = {}
    for row in step.rows:
        code = getattr(row, side)
        if code is None:
            continue
        if code not in names or (side == "old" and row.new is None):
            names[code] = _label(row, len(code) - 2)
    return names


def _renamed(row: _Row) -> bool:
    text = row.change.lower()
    return row.change_code in (1, 4) or "rename" in text or "name change" in text or "relabel" in text


def _labelled_2016(first: _Step, second: _Step) -> dict[str, str | None]:
    """NUTS 2016 names: from the 2016-2021 table, except for regions renamed in 2021.

    The 2016-2021 table prints 2021 names, so a region renamed in 2021 takes its 2016 name
    from the 2013-2016 table (whose labels are 2016 names) when it is there.
    """
    names = _labelled(second, "old")
    earlier = _labelled(first, "new")
    for row in second.rows:
        if row.old is not None and _renamed(row) and earlier.get(row.old):
            names[row.old] = earlier[row.old]
    return names


def _region_frame(version: int, names: dict[str, str | None]) -> pd.DataFrame:
    codes = list(names)
    levels = [len(code) - 2 for code in codes]
    known = set(codes)
    parents: list[str | None] = []
    last_of_level: dict[int, str] = {}  # the latest code of each level, in table order
    for code, level in zip(codes, levels, strict=True):
        parent = code[:-1] if level > 0 else None
        if parent is not None and parent not in known:
            # NUTS 2016 numbered Northern Ireland's NUTS 3 regions UKN06 ... UKN16 under UKN0, so
            # UKN10 is not in "UKN1": the parent is then the region above it in Eurostat's table.
            parent = last_of_level.get(level - 1)
        parents.append(parent)
        last_of_level[level] = code
    return pd.DataFrame(
        {
            "code": codes,
            "name": [names[code] for code in codes],
            "level": np.array(levels, dtype=np.int64),
            "parent": parents,
            "country": [code[:2] for code in codes],
            "version": np.full(len(codes), version, dtype=np.int64),
        }
    )


def _codes_in(text: str, known: frozenset[str] | set[str]) -> list[str]:
    found = []
    for match in _CODE_IN_TEXT.finditer(text):
        code = match.group(1) + match.group(2)
        if code in known and code not in found:
            found.append(code)
    return found


def _boundary(row: _Row) -> bool:
    return row.change_code in (3, 4) or bool(re.search(r"boundary|lost", row.change.lower()))


def _pure_merge(row: _Row, old_codes: frozenset[str]) -> tuple[str, ...] | None:
    """The old regions whose union is exactly ``row.new``, if the comment says so.

    Accepted: "merge of ex-A and B", "made from ex-A, B and C" naming at least two whole
    regions of the old version at the same level as the new one. Anything mentioning parts,
    "minus", "plus" or new regions is a boundary change, not a merge.
    """
    match = re.search(r"merge of|made from|made of", row.change.lower())
    if match is None or row.new is None:
        return None
    tail = row.change[match.end() :]
    if re.search(r"part|minus|plus|new|lost", tail.lower()):
        return None
    members = tuple(_codes_in(tail, old_codes))
    if len(members) < 2 or any(len(member) != len(row.new) for member in members):
        return None
    return members


def _classify(step: _Step) -> _Crosswalk:
    """Classify every old code of a table; see :func:`convert_codes` for the rules."""
    old_codes = frozenset(row.old for row in step.rows if row.old)
    new_codes = frozenset(row.new for row in step.rows if row.new)
    pairs: dict[str, list[_Row]] = {}  # old -> rows naming a new code
    into: dict[str, list[_Row]] = {}  # new -> rows naming it
    ended: dict[str, _Row] = {}  # old -> its row without a new code
    for row in step.rows:
        if row.new is not None:
            into.setdefault(row.new, []).append(row)
        if row.old is not None and row.new is not None:
            pairs.setdefault(row.old, []).append(row)
        elif row.old is not None:
            ended.setdefault(row.old, row)

    # New codes that are exactly one old region (renamed or recoded) or a union of whole ones.
    members: dict[str, tuple[str, ...]] = {}
    for new, rows in into.items():
        declared = next((m for m in (_pure_merge(row, old_codes) for row in rows) if m), None)
        sources = {row.old for row in rows if row.old is not None}
        if declared is not None:
            if sources <= set(declared):
                members[new] = declared
        elif len(sources) == 1 and all(row.old is not None and not _boundary(row) for row in rows):
            members[new] = (sources.pop(),)
    # An old region may feed one new region only, and one named as "now part of X" must be in X.
    owners: dict[str, list[str]] = {}
    for new, sources in members.items():
        for source in sources:
            owners.setdefault(source, []).append(new)
    for old, rows in pairs.items():
        owners.setdefault(old, []).extend(row.new for row in rows if row.new not in owners.get(old, []))
    for old, row in ended.items():
        owners.setdefault(old, []).extend(n for n in _codes_in(row.change, new_codes) if n not in owners[old])
    for targets in owners.values():
        if len(targets) > 1:
            for target in targets:
                members.pop(target, None)
    target_of = {source: new for new, sources in members.items() for source in sources}
    mentioned_by: dict[str, set[str]] = {}  # old -> new codes whose comment names it
    for new, rows in into.items():
        for row in rows:
            for old in _codes_in(row.change, old_codes):
                mentioned_by.setdefault(old, set()).add(new)

    records = []
    for old in _ordered(row.old for row in step.rows):
        if old in target_of:
            new = target_of[old]
            group = members[new]
            if len(group) > 1:
                change, note = "merged", f"{new} = {' + '.join(group)}"
            elif new == old:
                change, note = "unchanged", ""
            else:
                change, note = "recoded", f"{old} recoded as {new}"
            records.append((old, new, change, True, note))
            continue
        text = "; ".join(row.change for row in [*pairs.get(old, []), *([ended[old]] if old in ended else [])])
        paired = [row.new for row in pairs.get(old, [])]
        successors = _ordered(
            code
            for code in [*paired, *_codes_in(text, new_codes), *sorted(mentioned_by.get(old, ()))]
            if len(code) == len(old)
        )
        if "split" in text.lower() or len(successors) > 1:
            change, note = "split", f"split into {', '.join(successors)}" if successors else "split"
        elif paired:
            change, note = "boundary", f"boundary change: {old} became {', '.join(successors)}"
        else:
            change = "discontinued"
            note = f"discontinued; related: {', '.join(successors)}" if successors else "discontinued"
        note += f" (Eurostat: {text!r})" if text else ""
        records.append((old, None, change, False, note))
    table = pd.DataFrame.from_records(records, columns=list(CONVERSION_COLUMNS))
    return _Crosswalk(step.old_version, step.new_version, table, members)


def _ordered(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value is not None))


def _chain(first: _Crosswalk, second: _Crosswalk) -> _Crosswalk:
    """The crosswalk first.from_version -> second.to_version through the version between."""
    members = {
        new: tuple(old for middle in middles for old in first.members[middle])
        for new, middles in second.members.items()
        if all(middle in first.members for middle in middles)
    }
    target_of = {old: new for new, olds in members.items() for old in olds}
    later = second.table.set_index("code")
    records = []
    for code, middle, change, convertible, note in first.table.itertuples(index=False):
        if code in target_of:
            new = target_of[code]
            group = members[new]
            if len(group) > 1:
                records.append((code, new, "merged", True, f"{new} = {' + '.join(group)}"))
            elif new == code:
                records.append((code, new, "unchanged", True, ""))
            else:
                records.append((code, new, "recoded", True, f"{code} recoded as {new}"))
        elif not convertible:
            records.append((code, None, change, False, f"NUTS {first.from_version}-{first.to_version}: {note}"))
        else:
            if middle not in later.index:
                raise DataSourceError(
                    f"{middle} is a NUTS {first.to_version} code in the {first.from_version}-"
                    f"{first.to_version} table but not in the {second.from_version}-{second.to_version} "
                    "table: the two tables do not fit together."
                )
            step = later.loc[middle]
            if step["convertible"]:  # the later region also takes in regions that do not trace back exactly
                change = "boundary"
                note = f"{step['new_code']} is not a sum of whole NUTS {first.from_version} regions"
            else:
                change, note = step["change"], f"{middle} in NUTS {first.to_version}: {step['note']}"
            records.append((code, None, change, False, f"NUTS {first.to_version}-{second.to_version}: {note}"))
    table = pd.DataFrame.from_records(records, columns=list(CONVERSION_COLUMNS))
    return _Crosswalk(first.from_version, second.to_version, table, members)
