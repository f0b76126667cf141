from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.audit_chain import (
    GENESIS,
    AuditFilters,
    ChainCheck,
    EventContent,
    HeadMark,
    StoredEvent,
    anchor_mac,
    canonical,
    event_mac,
    filters_from_args,
    head_line,
    head_problem,
    outcome_of,
    plain_detail,
    read_head_line,
    seal,
)

KEY = b"k" * 32
AT = datetime(2026, 11, 30, 9, 15, 1, 123456, tzinfo=UTC)
CONTENT = EventContent(
    at=AT, action="record.viewed", staff_id=3, role="handler", resident_id=7, call_id=None,
    entry_id=None, purpose="Asked about rent", outcome="done", detail={"b": 1, "a": [1, 2]},
    remote_addr="127.0.0.1", nonce="ab" * 16,
)  # fmt: skip


@pytest.mark.parametrize(
    ("action", "stated", "outcome"),
    [
        ("record.viewed", None, "done"),
        ("verification.failed", None, "failed"),
        ("verification.verified", None, "done"),
        ("verification.locked", None, "refused"),
        ("reveal.refused", None, "refused"),
        ("staff.sign_in_failed", None, "failed"),
        ("call.ended", "resolved", "resolved"),
        ("search.made", "refused", "refused"),
        ("search.made", "", "done"),
    ],
)
def test_outcome_of(action, stated, outcome):
    assert outcome_of(action, stated) == outcome


@pytest.mark.parametrize(
    "change",
    [
        {"action": "record.viewed "},
        {"staff_id": 4},
        {"role": "supervisor"},
        {"resident_id": None},
        {"call_id": 1},
        {"entry_id": 1},
        {"purpose": "Asked about rend"},
        {"outcome": "refused"},
        {"detail": {"b": 2, "a": [1, 2]}},
        {"detail": {"b": 1, "a": [2, 1]}},
        {"remote_addr": "127.0.0.2"},
        {"nonce": "ab" * 15 + "ac"},
        {"at": AT + timedelta(microseconds=1)},
    ],
)
def test_any_change_of_content_changes_the_mac(change):
    assert event_mac(KEY, replace(CONTENT, **change)) != event_mac(KEY, CONTENT)


def test_the_mac_depends_on_the_key_and_not_on_key_order_or_time_zone():
    assert event_mac(b"j" * 32, CONTENT) != event_mac(KEY, CONTENT)
    reordered = replace(CONTENT, detail={"a": [1, 2], "b": 1})
    assert event_mac(KEY, reordered) == event_mac(KEY, CONTENT)
    elsewhere = replace(CONTENT, at=AT.astimezone(timezone(timedelta(hours=1))))
    assert event_mac(KEY, elsewhere) == event_mac(KEY, CONTENT)
    naive_utc = replace(CONTENT, at=AT.replace(tzinfo=None))
    assert canonical(naive_utc) == canonical(CONTENT)


def test_detail_is_kept_as_json_gives_it_back():
    assert plain_detail({"t": (1, 2), 3: "x", "d": date(2026, 1, 2)}) == {
        "t": [1, 2],
        "3": "x",
        "d": "2026-01-02",
    }


def test_seals_and_anchors_cover_what_comes_before_and_the_id():
    mac = event_mac(KEY, CONTENT)
    assert seal(KEY, GENESIS, mac, 1) != seal(KEY, GENESIS, mac, 2)
    assert seal(KEY, "x", mac, 1) != seal(KEY, GENESIS, mac, 1)
    assert anchor_mac(KEY, 10, "s") != anchor_mac(KEY, 11, "s")


def _chain(count: int) -> list[StoredEvent]:
    events, previous = [], GENESIS
    for n in range(1, count + 1):
        content = replace(CONTENT, nonce=f"{n:032x}")
        mac = event_mac(KEY, content)
        previous = seal(KEY, previous, mac, n)
        events.append(StoredEvent(n, content, mac, previous))
    return events


GRACE = timedelta(minutes=5)


def _check(events, now: datetime = AT) -> ChainCheck:
    check = ChainCheck(key=KEY, now=now, grace=GRACE)
    check.feed(events)
    check.finish()
    return check


def test_an_intact_chain_counts_sealed_and_unsealed():
    events = _chain(4)
    events[3] = replace(events[3], seal=None)
    check = _check(events)
    assert check.intact
    assert (check.checked, check.sealed, check.unsealed, check.head_id) == (4, 3, 1, 3)


@pytest.mark.parametrize(
    ("tamper", "broken_at"),
    [
        (lambda e: [e[0], replace(e[1], content=replace(e[1].content, purpose="x")), *e[2:]], 2),
        (lambda e: e[:1] + e[2:], 3),
        (lambda e: [e[0], e[2], e[1], e[3]], 3),
        (lambda e: [e[0], replace(e[1], seal=None), e[2], e[3]], 2),
        (lambda e: [replace(e[0], mac=None), *e[1:]], 1),
        (lambda e: [e[0], replace(e[2], id=2), replace(e[1], id=3), e[3]], 2),
    ],
    ids=["edited", "deleted", "reordered", "unsealed-among-sealed", "mac-removed", "ids-swapped"],
)
def test_the_first_broken_event_is_named(tamper, broken_at):
    check = _check(tamper(_chain(4)))
    assert not check.intact
    assert check.broken_id == broken_at


def test_an_event_without_a_mac_is_a_break_even_before_any_event_that_has_one():
    """Nothing is "written before the chain began": every event is in it from the first."""
    events = _chain(3)
    stripped = [replace(event, mac=None, seal=None) for event in events[:2]]

    check = _check([*stripped, events[2]])

    assert not check.intact
    assert check.broken_id == 1
    assert "no MAC" in check.problem


def test_every_mac_and_seal_removed_is_a_break_at_the_first_event():
    events = [replace(event, mac=None, seal=None) for event in _chain(3)]

    check = _check(events)

    assert (check.intact, check.broken_id) == (False, 1)


@pytest.mark.parametrize(
    ("waited", "intact"),
    [
        (timedelta(0), True),
        (GRACE, True),
        (GRACE + timedelta(microseconds=1), False),
        (timedelta(days=1), False),
    ],
    ids=["just-written", "at-the-grace-period", "just-past-it", "a-day"],
)
def test_an_unsealed_tail_is_allowed_only_within_the_grace_period(waited, intact):
    events = _chain(4)
    tail = [replace(event, seal=None) for event in events[2:]]

    check = _check([*events[:2], *tail], now=AT + waited)

    assert check.intact is intact
    assert check.unsealed == 2
    if not intact:
        assert check.broken_id == 3
        assert "waited more than 5 minutes to be sealed" in check.problem


def test_only_the_overdue_events_of_the_tail_are_named():
    events = _chain(3)
    late = replace(events[2].content, at=AT + timedelta(minutes=10))
    tail = [replace(events[1], seal=None), replace(events[2], content=late, seal=None)]
    tail[1] = replace(tail[1], mac=event_mac(KEY, late))

    check = _check([events[0], *tail], now=AT + timedelta(minutes=11))

    assert check.broken_id == 2
    assert check.oldest_unsealed_at == AT


def test_every_seal_deleted_is_a_break_once_the_grace_period_has_passed():
    events = [replace(event, seal=None) for event in _chain(3)]

    assert _check(events).intact
    assert _check(events, now=AT + timedelta(minutes=6)).broken_id == 1


def test_of_several_breaks_the_lowest_event_is_named():
    check = _check(_chain(4))
    check.copied(4)
    check.missing(3)
    check.before_start(2, after_event_id=2)
    check.missing(3)

    assert check.broken_id == 2
    assert "before the chain's start" in check.problem


@given(
    length=st.integers(min_value=1, max_value=12),
    data=st.data(),
    waited=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2)),
)
def test_an_event_without_its_mac_or_left_unsealed_too_long_never_verifies(length, data, waited):
    """Whatever else is true of the chain, an event stripped of its MAC breaks it, and an
    unsealed event breaks it once it has waited past the grace period."""
    events = _chain(length)
    index = data.draw(st.integers(min_value=0, max_value=length - 1))
    stripped = [*events[:index], replace(events[index], mac=None), *events[index + 1 :]]
    unsealed = [*events[:index], *(replace(event, seal=None) for event in events[index:])]

    assert _check(stripped, now=AT + waited).broken_id == index + 1
    assert _check(unsealed, now=AT + waited).intact is (waited <= GRACE)


MARK = HeadMark(event_id=41, seal="a" * 64, at=AT)


def test_a_head_line_reads_back_as_the_head_it_names():
    line = head_line(KEY, MARK)

    assert read_head_line(KEY, line) == MARK
    assert read_head_line(KEY, line + "\n") == MARK


@pytest.mark.parametrize(
    "edit",
    [
        lambda line: line.replace("event=41", "event=40"),
        lambda line: line.replace("seal=" + "a" * 64, "seal=" + "b" * 64),
        lambda line: line.replace("09:15:01", "09:15:02"),
        lambda line: line[:-1] + ("0" if line[-1] != "0" else "1"),
        lambda line: line.replace("audit-head", "audit-hea"),
        lambda line: line + " extra",
        lambda line: "",
        lambda line: line.replace("event=41", "event=041"),
    ],
    ids=["event", "seal", "time", "mac", "label", "trailing", "empty", "leading-zero"],
)
def test_a_head_line_edited_anywhere_is_not_read(edit):
    assert read_head_line(KEY, edit(head_line(KEY, MARK))) is None


def test_a_head_line_needs_the_key():
    assert read_head_line(b"j" * 32, head_line(KEY, MARK)) is None


@pytest.mark.parametrize(
    ("starts_after", "stored", "problem"),
    [
        (0, MARK.seal, None),
        (41, None, None),
        (50, None, None),
        (40, None, "which is gone with its seal"),
        (0, "b" * 64, "is not the one recorded"),
    ],
    ids=["reached", "purged-at-it", "purged-past-it", "tail-cut", "rewritten"],
)
def test_the_chain_must_reach_the_recorded_head(starts_after, stored, problem):
    found = head_problem(MARK, chain_starts_after=starts_after, stored_seal=stored)

    if problem is None:
        assert found is None
    else:
        assert problem in found


@pytest.mark.parametrize(
    ("args", "filters"),
    [
        ({}, AuditFilters()),
        ({"resident": "12"}, AuditFilters(resident_id=12)),
        (
            {"staff": "3", "action": "record.viewed", "from": "2026-06-01", "to": "2026-06-01"},
            AuditFilters(
                staff_id=3, action="record.viewed", date_from=date(2026, 6, 1),
                date_to=date(2026, 6, 1),
            ),
        ),
        ({"resident": "abc"}, None),
        ({"resident": "0"}, None),
        ({"staff": "-1"}, None),
        ({"resident": "9" * 19}, None),
        ({"from": "2026-02-30"}, None),
        ({"from": "yesterday"}, None),
        ({"from": "2026-06-02", "to": "2026-06-01"}, None),
        ({"action": "x" * 61}, None),
        ({"page": "2", "resident": ""}, AuditFilters()),
    ],
)  # fmt: skip
def test_filters_from_the_address(args, filters):
    assert filters_from_args(args) == filters


def test_filters_go_back_into_the_address():
    filters = AuditFilters(resident_id=1, date_to=date(2026, 1, 2))
    assert filters.as_args() == {"resident": "1", "to": "2026-01-02"}
    assert filters_from_args(filters.as_args()) == filters
