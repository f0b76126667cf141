from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from app.rules.audit_chain import (
    GENESIS,
    AuditFilters,
    ChainCheck,
    EventContent,
    StoredEvent,
    anchor_mac,
    canonical,
    event_mac,
    filters_from_args,
    outcome_of,
    plain_detail,
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


def _check(events) -> ChainCheck:
    check = ChainCheck(key=KEY)
    check.feed(events)
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


def test_events_before_the_chain_are_counted_not_checked():
    old = [StoredEvent(n, CONTENT, None, None) for n in (1, 2)]
    content = replace(CONTENT, nonce="f" * 32)
    mac = event_mac(KEY, content)
    check = _check([*old, StoredEvent(3, content, mac, seal(KEY, GENESIS, mac, 3))])
    assert check.intact
    assert (check.before_chain, check.checked) == (2, 1)


def test_of_several_breaks_the_lowest_event_is_named():
    check = _check(_chain(4))
    check.copied(4)
    check.missing(3)
    check.before_start(2, after_event_id=2)
    check.missing(3)

    assert check.broken_id == 2
    assert "before the chain's start" in check.problem


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
