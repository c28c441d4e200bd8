"""The partnership tracker: state machine, permissions, private notes and growth, on DuckDB and PostgreSQL."""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta

import pytest

from clusterix.errors import InvalidInputError
from clusterix.tracking import (
    STATUSES,
    TRANSITIONS,
    AccessDeniedError,
    NotFoundError,
    UnknownOrganisationError,
    add_note,
    advance_partnership,
    collaboration_growth,
    get_partnership,
    list_partnerships,
    pair_type,
    partnership_history,
    partnerships_for,
    propose_partnership,
)
from clusterix.tracking.partnerships import DEFAULT_PAGE, MAX_NAME_LENGTH, MAX_NOTE_LENGTH, MAX_PAGE, history_page

# How to reach each status from "proposed".
PATHS = {
    "proposed": [],
    "contacted": ["contacted"],
    "agreed": ["contacted", "agreed"],
    "active": ["contacted", "agreed", "active"],
    "ended": ["ended"],
}


def partnership_in(store, world, status: str, pair=("A", "C")):
    created = propose_partnership(store, *pair, actor=world.admin)
    for step in PATHS[status]:
        created = advance_partnership(store, created.id, step, actor=world.admin)
    assert created.status == status
    return created


def test_the_transition_table_is_the_documented_machine() -> None:
    assert STATUSES == ("proposed", "contacted", "agreed", "active", "ended")
    for status in STATUSES[:-1]:
        assert "ended" in TRANSITIONS[status]  # ended is reachable from every other state
    assert TRANSITIONS["ended"] == ()
    forward = [next(s for s in TRANSITIONS[status] if s != "ended") for status in ("proposed", "contacted", "agreed")]
    assert forward == ["contacted", "agreed", "active"]


@pytest.mark.parametrize(("start", "to"), list(itertools.product(STATUSES, STATUSES)))
def test_every_pair_of_states(store, world, start, to) -> None:
    partnership = partnership_in(store, world, start)
    valid = (start, to) in {
        ("proposed", "contacted"),
        ("contacted", "agreed"),
        ("agreed", "active"),
        ("proposed", "ended"),
        ("contacted", "ended"),
        ("agreed", "ended"),
        ("active", "ended"),
    }
    if valid:
        moved = advance_partnership(store, partnership.id, to, actor=world.alice)
        assert moved.status == to
        assert partnership_history(store, partnership.id, viewer=world.alice)["to_status"].iloc[-1] == to
    else:
        with pytest.raises(InvalidInputError) as error:
            advance_partnership(store, partnership.id, to, actor=world.alice)
        assert f"from {start!r} to {to!r}" in str(error.value)
        assert get_partnership(store, partnership.id, viewer=world.admin).status == start  # unchanged


def test_an_unknown_status_is_refused(store, world) -> None:
    partnership = partnership_in(store, world, "proposed")
    with pytest.raises(InvalidInputError, match="'to' parameter of advance_partnership must be one of 'proposed'"):
        advance_partnership(store, partnership.id, "signed", actor=world.admin)


def test_propose_records_the_first_event_and_public_note(store, world) -> None:
    created = propose_partnership(store, "A", "B", actor=world.alice, note="Joint lab", date="2024-02-03")
    assert (created.status, created.organisation_1_name, created.organisation_2_kind) == (
        "proposed",
        "Acme Ltd",
        "higher_education",
    )
    assert created.created_by == world.alice.id
    history = partnership_history(store, created.id, viewer=world.bob)
    assert history[["from_status", "to_status", "note"]].to_dict("records") == [
        {"from_status": None, "to_status": "proposed", "note": "Joint lab"}
    ]
    assert history["occurred_on"].tolist() == [date(2024, 2, 3)]


def test_propose_checks_the_organisations(store, world) -> None:
    with pytest.raises(UnknownOrganisationError, match="'Z' is not in the store"):
        propose_partnership(store, "A", "Z", actor=world.alice)
    with pytest.raises(InvalidInputError, match="two different organisations"):
        propose_partnership(store, "A", "A", actor=world.alice)
    first = propose_partnership(store, "A", "B", actor=world.alice)
    with pytest.raises(InvalidInputError, match=f"already have partnership {first.id}"):
        propose_partnership(store, "B", "A", actor=world.bob)
    advance_partnership(store, first.id, "ended", actor=world.alice)
    assert propose_partnership(store, "B", "A", actor=world.bob).id != first.id  # a new try after the end


def test_permissions_of_the_library(store, world) -> None:
    with pytest.raises(AccessDeniedError) as anonymous:
        propose_partnership(store, "A", "C", actor=None)
    assert anonymous.value.anonymous
    with pytest.raises(AccessDeniedError, match="Only members of 'A' or 'C'") as outsider:
        propose_partnership(store, "A", "C", actor=world.bob)
    assert not outsider.value.anonymous
    partnership = propose_partnership(store, "A", "C", actor=world.carol)
    for action in (
        lambda actor: advance_partnership(store, partnership.id, "contacted", actor=actor),
        lambda actor: add_note(store, partnership.id, "hello", actor=actor),
    ):
        with pytest.raises(AccessDeniedError):
            action(world.bob)
        with pytest.raises(AccessDeniedError):
            action(None)
    assert advance_partnership(store, partnership.id, "contacted", actor=world.alice).status == "contacted"
    assert add_note(store, partnership.id, "by the admin", actor=world.admin) > 0


def test_private_notes_are_shown_only_to_the_partners_and_admins(store, world) -> None:
    partnership = partnership_in(store, world, "contacted")
    add_note(store, partnership.id, "public remark", actor=world.alice)
    add_note(store, partnership.id, "budget is 50k", actor=world.carol, private=True)
    advance_partnership(store, partnership.id, "agreed", actor=world.alice, note="terms: secret", private=True)

    def notes(viewer):
        return [n for n in partnership_history(store, partnership.id, viewer=viewer)["note"] if n is not None]

    for insider in (world.alice, world.carol, world.admin):
        assert notes(insider) == ["public remark", "budget is 50k", "terms: secret"]
    for outsider in (world.bob, None):
        assert notes(outsider) == ["public remark"]
        history = partnership_history(store, partnership.id, viewer=outsider)
        assert history["to_status"].tolist()[-1] == "agreed"  # the step is public, its note is not
        assert history["author"].isna().all()


def test_anonymous_visitors_see_only_public_statuses(store, world) -> None:
    proposed = partnership_in(store, world, "proposed", pair=("A", "B"))
    agreed = partnership_in(store, world, "agreed", pair=("A", "C"))
    with pytest.raises(AccessDeniedError) as denied:
        get_partnership(store, proposed.id, viewer=None)
    assert denied.value.anonymous
    assert get_partnership(store, agreed.id, viewer=None).status == "agreed"
    assert [p.id for p in list_partnerships(store, viewer=None)[0]] == [agreed.id]
    seen, total = list_partnerships(store, viewer=world.bob)
    assert total == 2 and {p.id for p in seen} == {proposed.id, agreed.id}
    assert [p.id for p in partnerships_for(store, "B", viewer=world.carol)] == [proposed.id]
    assert partnerships_for(store, "B", viewer=None) == []
    with pytest.raises(UnknownOrganisationError):
        partnerships_for(store, "nope", viewer=None)


def test_list_filters_and_pages(store, world) -> None:
    ids = [partnership_in(store, world, "proposed", pair=pair).id for pair in (("A", "B"), ("A", "C"), ("B", "C"))]
    page, total = list_partnerships(store, viewer=world.admin, limit=2, offset=0)
    rest, _ = list_partnerships(store, viewer=world.admin, limit=2, offset=2)
    assert total == 3 and len(page) == 2 and len(rest) == 1
    assert sorted(p.id for p in page + rest) == sorted(ids)
    assert [p.id for p in list_partnerships(store, viewer=world.admin, organisation="C")[0]] == ids[:0:-1]
    advance_partnership(store, ids[0], "contacted", actor=world.admin)
    assert [p.id for p in list_partnerships(store, viewer=world.admin, status="contacted")[0]] == [ids[0]]
    with pytest.raises(InvalidInputError, match="'limit' parameter of list_partnerships"):
        list_partnerships(store, viewer=None, limit=0)
    with pytest.raises(InvalidInputError, match="'status' parameter"):
        list_partnerships(store, viewer=None, status="won")


def test_missing_partnerships_and_bad_ids(store, world) -> None:
    with pytest.raises(NotFoundError, match="no partnership 99"):
        advance_partnership(store, 99, "contacted", actor=world.admin)
    with pytest.raises(NotFoundError):
        get_partnership(store, 99, viewer=world.admin)
    with pytest.raises(InvalidInputError, match="'partnership_id' parameter of add_note"):
        add_note(store, "1; DROP TABLE partnerships", "x", actor=world.admin)  # type: ignore[arg-type]


def test_hostile_notes(store, world) -> None:
    partnership = partnership_in(store, world, "proposed")
    with pytest.raises(InvalidInputError, match=f"at most {MAX_NOTE_LENGTH:,}"):
        add_note(store, partnership.id, "x" * (MAX_NOTE_LENGTH + 1), actor=world.admin)
    with pytest.raises(InvalidInputError, match="non-empty"):
        add_note(store, partnership.id, "   ", actor=world.admin)
    with pytest.raises(InvalidInputError, match="NUL"):
        add_note(store, partnership.id, "a\x00b", actor=world.admin)
    sqlish = "'); DELETE FROM partnership_events; --"
    script = "<script>alert('x')</script>"
    add_note(store, partnership.id, sqlish, actor=world.admin)
    add_note(store, partnership.id, script, actor=world.admin)
    add_note(store, partnership.id, "y" * MAX_NOTE_LENGTH, actor=world.admin)
    notes = partnership_history(store, partnership.id, viewer=world.admin)["note"].tolist()
    assert notes[-3:] == [sqlish, script, "y" * MAX_NOTE_LENGTH]  # stored literally


def test_dates_of_steps(store, world) -> None:
    partnership = propose_partnership(store, "A", "B", actor=world.alice, date="2023-05-01")
    with pytest.raises(InvalidInputError, match="before the previous step"):
        advance_partnership(store, partnership.id, "contacted", actor=world.alice, date="2023-04-30")
    tomorrow = date.today() + timedelta(days=2)
    with pytest.raises(InvalidInputError, match="in the future"):
        advance_partnership(store, partnership.id, "contacted", actor=world.alice, date=tomorrow)
    with pytest.raises(InvalidInputError, match="YYYY-MM-DD"):
        advance_partnership(store, partnership.id, "contacted", actor=world.alice, date="May 2023")
    advance_partnership(store, partnership.id, "contacted", actor=world.alice, date="2023-05-01")


def test_pair_type_has_one_order() -> None:
    assert pair_type("higher_education", "enterprise") == "enterprise-higher_education"
    assert pair_type("enterprise", "higher_education") == "enterprise-higher_education"
    assert pair_type("research", "research") == "research-research"
    assert pair_type(None, "enterprise") == "enterprise-unknown"


def _walk(store, world, pair, steps):
    """Propose on the first date, then take each (status, date) step."""
    (first_date, *rest) = steps
    created = propose_partnership(store, *pair, actor=world.admin, date=first_date)
    for status, when in rest:
        advance_partnership(store, created.id, status, actor=world.admin, date=when)
    return created


def test_collaboration_growth_by_hand(store, world) -> None:
    # A-B enterprise-higher_education: agreed 2021 (active 2022 does not count again).
    _walk(
        store,
        world,
        ("A", "B"),
        ["2021-01-10", ("contacted", "2021-02-01"), ("agreed", "2021-06-01"), ("active", "2022-01-01")],
    )
    # D-B enterprise-higher_education: agreed 2023.
    _walk(store, world, ("D", "B"), ["2022-01-01", ("contacted", "2022-02-01"), ("agreed", "2023-03-01")])
    # C-A enterprise-research: agreed 2022, ended later the same year (still a collaboration achieved).
    _walk(
        store,
        world,
        ("C", "A"),
        ["2022-01-01", ("contacted", "2022-02-01"), ("agreed", "2022-05-01"), ("ended", "2022-12-01")],
    )
    # A-D enterprise-enterprise: agreed 2022.
    _walk(store, world, ("A", "D"), ["2022-01-01", ("contacted", "2022-01-02"), ("agreed", "2022-01-03")])
    # Never agreed: not counted.
    _walk(store, world, ("C", "B"), ["2020-01-01", ("contacted", "2020-02-01")])
    _walk(store, world, ("D", "C"), ["2020-01-01", ("ended", "2020-03-01")])

    growth = collaboration_growth(store)
    table = growth.set_index(["pair_type", "period"])
    assert sorted(growth["pair_type"].unique()) == [
        "enterprise-enterprise",
        "enterprise-higher_education",
        "enterprise-research",
    ]
    assert growth["period"].tolist()[:3] == [2021, 2022, 2023]
    expected = {
        "enterprise-higher_education": ([1, 0, 1], [1, 1, 2], [None, -1, 1], True),
        "enterprise-research": ([0, 1, 0], [0, 1, 1], [None, 1, -1], True),
        "enterprise-enterprise": ([0, 1, 0], [0, 1, 1], [None, 1, -1], False),
    }
    for kind, (new, cumulative, change, knowledge) in expected.items():
        rows = table.loc[kind]
        assert rows["new_partnerships"].tolist() == new
        assert rows["cumulative"].tolist() == cumulative
        assert [None if math.isnan(c) else c for c in rows["change"]] == change
        assert rows["knowledge_enterprise"].tolist() == [knowledge] * 3

    quarterly = collaboration_growth(store, by="quarter")
    assert quarterly["period"].iloc[0] == "2021Q2" and quarterly["period"].iloc[-1] == "2023Q1"
    assert int(quarterly["new_partnerships"].sum()) == 4
    assert quarterly.loc[quarterly["period"] == "2021Q2", "new_partnerships"].sum() == 1


def test_collaboration_growth_empty_and_options(store, world) -> None:
    empty = collaboration_growth(store)
    assert empty.empty
    assert list(empty.columns) == [
        "period",
        "pair_type",
        "knowledge_enterprise",
        "new_partnerships",
        "cumulative",
        "change",
    ]
    with pytest.raises(InvalidInputError, match="'by' parameter of collaboration_growth"):
        collaboration_growth(store, by="month")


def test_each_write_is_one_transaction(store, world, monkeypatch) -> None:
    """A failure after the partnership row is written leaves nothing behind."""
    from clusterix.tracking import partnerships as module

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(module, "_record_event", broken)
    with pytest.raises(RuntimeError):
        propose_partnership(store, "A", "B", actor=world.alice)
    assert int(store.database.scalar("SELECT count(*) FROM partnerships")) == 0


def test_the_private_flag_must_be_a_boolean(store, world) -> None:
    partnership = partnership_in(store, world, "proposed")
    with pytest.raises(InvalidInputError, match="'private' parameter of add_note must be True or False"):
        add_note(store, partnership.id, "x", actor=world.admin, private="yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="'private' parameter of advance_partnership"):
        advance_partnership(store, partnership.id, "contacted", actor=world.admin, private=1)  # type: ignore[arg-type]


# -- bounded data: pages of the history, limits of names ------------------------------------------


def test_the_history_comes_a_page_at_a_time_from_the_newest(store, world) -> None:
    partnership = partnership_in(store, world, "contacted")  # 2 events: proposed, contacted
    for number in range(118):
        add_note(store, partnership.id, f"note {number}", actor=world.alice, private=number % 2 == 1)
    latest, total = history_page(store, partnership, viewer=world.alice)
    assert total == 120 and len(latest) == DEFAULT_PAGE == 50
    assert latest["note"].tolist() == [f"note {n}" for n in range(68, 118)]  # the latest 50, oldest first
    older, _ = history_page(store, partnership, viewer=world.alice, offset=50)
    assert older["note"].tolist() == [f"note {n}" for n in range(18, 68)]
    oldest, _ = history_page(store, partnership, viewer=world.alice, offset=100)
    assert len(oldest) == 20 and oldest["to_status"].tolist()[:2] == ["proposed", "contacted"]
    assert history_page(store, partnership, viewer=world.alice, offset=120)[0].empty
    # pages of the full history, put together, are the full history
    pages = [history_page(store, partnership, viewer=world.admin, limit=7, offset=o)[0] for o in range(0, 120, 7)]
    assert (
        sum((page["id"].tolist() for page in reversed(pages)), [])
        == partnership_history(store, partnership.id, viewer=world.admin)["id"].tolist()
    )
    # an outsider's pages hold only what they may see, and count only that
    public, seen = history_page(store, partnership, viewer=world.bob, limit=MAX_PAGE)
    assert seen == 2 + 59 == len(public)
    assert public["author"].isna().all() and not public["note"].str.contains("note 1$").any()


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (MAX_PAGE + 1, 0), (10, -1), (2.5, 0)])
def test_a_page_out_of_bounds_is_refused(store, world, limit, offset) -> None:
    partnership = partnership_in(store, world, "proposed")
    with pytest.raises(InvalidInputError, match="'(limit|offset)' parameter of history_page"):
        history_page(store, partnership, viewer=world.admin, limit=limit, offset=offset)
    with pytest.raises(InvalidInputError, match="'(limit|offset)' parameter of list_partnerships"):
        list_partnerships(store, viewer=world.admin, limit=limit, offset=offset)


def test_limits_of_notes_and_organisation_ids(store, world) -> None:
    assert (MAX_NOTE_LENGTH, MAX_NAME_LENGTH) == (4000, 200)
    partnership = partnership_in(store, world, "proposed")
    too_long = r"'note' parameter of add_note is 5,001 characters long; at most 4,000 are allowed"
    with pytest.raises(InvalidInputError, match=too_long):
        add_note(store, partnership.id, "x" * 5_001, actor=world.admin)
    with pytest.raises(InvalidInputError, match="'note' parameter of advance_partnership"):
        advance_partnership(store, partnership.id, "contacted", actor=world.admin, note="x" * 5_001)
    with pytest.raises(InvalidInputError, match="'organisation_2' parameter of propose_partnership is 201 characters"):
        propose_partnership(store, "A", "B" * 201, actor=world.admin)
    with pytest.raises(InvalidInputError, match="'note' parameter of propose_partnership"):
        propose_partnership(store, "A", "B", actor=world.admin, note="x" * (MAX_NOTE_LENGTH + 1))
