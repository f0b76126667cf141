"""Retention: what is due for removal on a day, given the schedule, disputes and holds."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules import retention as rules
from app.rules.retention import Schedule
from app.rules.vocabulary import (
    DisputeStatus,
    MessageStatus,
    RetainedKind,
    RetentionDecision,
    ServiceArea,
)
from config import Config

NOW = datetime(2030, 6, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SCHEDULE = Schedule(
    calls=timedelta(days=730),
    entries=timedelta(days=2190),
    hoax_entries=timedelta(days=3650),
    verification_attempts=timedelta(days=365),
    messages=timedelta(days=180),
    audit_events=timedelta(days=2920),
    entries_by_area={ServiceArea.ADULT_SOCIAL_CARE.value: timedelta(days=2920)},
)
REMOVE = RetentionDecision.REMOVE
NOT_YET = RetentionDecision.NOT_YET


def made(period: timedelta, offset: timedelta = timedelta(0)) -> datetime:
    """A record made `period` before NOW, moved by `offset` (positive: later, so younger)."""
    return NOW - period + offset


# The boundary, for every kind: a day short of its period is kept, the moment it ends and a
# day after it is due.
BOUNDARIES = [
    (-DAY, REMOVE),
    (timedelta(0), REMOVE),
    (DAY, NOT_YET),
    (timedelta(seconds=1), NOT_YET),
]


@pytest.mark.parametrize(("offset", "decision"), BOUNDARIES)
def test_a_call_is_removed_once_its_period_has_run(offset, decision):
    assert rules.call_decision(made(SCHEDULE.calls, offset), NOW, SCHEDULE) is decision


@pytest.mark.parametrize(("offset", "decision"), BOUNDARIES)
@pytest.mark.parametrize(
    ("area", "period"),
    [
        (ServiceArea.HOUSING.value, timedelta(days=2190)),
        (ServiceArea.COUNCIL_TAX.value, timedelta(days=2190)),
        (ServiceArea.ADULT_SOCIAL_CARE.value, timedelta(days=2920)),
    ],
)
def test_an_entry_is_removed_once_its_areas_period_has_run(area, period, offset, decision):
    assert rules.entry_decision(made(period, offset), area, [], NOW, SCHEDULE) is decision


@pytest.mark.parametrize(("offset", "decision"), BOUNDARIES)
def test_an_entry_upheld_as_a_hoax_is_kept_for_the_hoax_period(offset, decision):
    created = made(SCHEDULE.hoax_entries, offset)

    assert (
        rules.entry_decision(
            created, ServiceArea.HOUSING.value, [DisputeStatus.UPHELD], NOW, SCHEDULE
        )
        is decision
    )


def test_an_upheld_entry_is_kept_past_its_areas_period():
    created = made(SCHEDULE.entries, -DAY)

    assert rules.entry_decision(created, "housing", [], NOW, SCHEDULE) is REMOVE
    assert rules.entry_decision(created, "housing", [DisputeStatus.UPHELD], NOW, SCHEDULE) is (
        NOT_YET
    )


def test_an_area_kept_longer_than_the_hoax_period_keeps_its_own_period_for_upheld_entries():
    schedule = Schedule(
        **{**SCHEDULE.__dict__, "entries_by_area": {"adult-social-care": timedelta(days=5000)}}
    )

    assert schedule.entry_period("adult-social-care", upheld=True) == timedelta(days=5000)
    assert schedule.entry_period("housing", upheld=True) == SCHEDULE.hoax_entries
    assert schedule.entry_period("housing") == SCHEDULE.entries


def test_an_entry_not_upheld_after_a_dispute_keeps_its_areas_period():
    created = made(SCHEDULE.entries, -DAY)

    assert (
        rules.entry_decision(created, "housing", [DisputeStatus.NOT_UPHELD], NOW, SCHEDULE)
        is REMOVE
    )


@pytest.mark.parametrize(
    "disputes",
    [
        [DisputeStatus.OPEN],
        [DisputeStatus.UPHELD, DisputeStatus.OPEN],
        [DisputeStatus.NOT_UPHELD, DisputeStatus.OPEN],
    ],
)
def test_an_entry_under_an_open_dispute_is_never_removed(disputes):
    ancient = NOW - timedelta(days=100_000)

    assert rules.entry_decision(ancient, "housing", disputes, NOW, SCHEDULE) is (
        RetentionDecision.OPEN_DISPUTE
    )


@pytest.mark.parametrize(
    ("kind", "period"),
    [
        (RetainedKind.VERIFICATION_ATTEMPTS, SCHEDULE.verification_attempts),
        (RetainedKind.PHONE_CHANGES, SCHEDULE.phone_changes),
        (RetainedKind.PORTAL_SIGN_INS, SCHEDULE.portal_sign_ins),
    ],
    ids=["a-verification-attempt", "a-change-to-the-numbers-on-file", "a-portal-sign-in"],
)
@pytest.mark.parametrize(("offset", "decision"), BOUNDARIES)
def test_a_record_kept_for_its_age_is_removed_once_its_period_has_run(
    kind, period, offset, decision
):
    created = made(period, offset)

    assert rules.aged_decision(kind, created, NOW, SCHEDULE) is decision


def test_changes_to_numbers_are_kept_as_long_as_entries_unless_configured():
    configured = Schedule.from_days({**Config.RETENTION_SCHEDULE_DAYS, "phone_changes": 400})
    without = {k: v for k, v in Config.RETENTION_SCHEDULE_DAYS.items() if k != "phone_changes"}

    assert SCHEDULE.phone_changes == rules.PHONE_CHANGES_PERIOD == timedelta(days=2192)
    assert Schedule.from_days(without).phone_changes == rules.PHONE_CHANGES_PERIOD
    assert configured.period(RetainedKind.PHONE_CHANGES) == timedelta(days=400)
    assert Schedule.from_days(Config.RETENTION_SCHEDULE_DAYS).phone_changes >= (
        Schedule.from_days(Config.RETENTION_SCHEDULE_DAYS).entries
    )


@pytest.mark.parametrize(("offset", "decision"), BOUNDARIES)
@pytest.mark.parametrize("status", sorted(rules.FINISHED_MESSAGES))
def test_a_finished_message_is_removed_once_its_period_has_run(status, offset, decision):
    created = made(SCHEDULE.messages, offset)

    assert rules.message_decision(created, status, NOW, SCHEDULE) is decision


def test_a_message_still_waiting_to_be_sent_is_kept():
    ancient = NOW - timedelta(days=100_000)

    assert rules.message_decision(ancient, MessageStatus.PENDING, NOW, SCHEDULE) is (
        RetentionDecision.NOT_SENT
    )


def test_every_message_status_is_either_finished_or_waiting():
    assert set(MessageStatus) - rules.FINISHED_MESSAGES == {MessageStatus.PENDING}


ANCIENT = NOW - timedelta(days=100_000)


@pytest.mark.parametrize(
    ("decide", "expected"),
    [
        (lambda **kw: rules.call_decision(ANCIENT, NOW, SCHEDULE, **kw), REMOVE),
        (lambda **kw: rules.entry_decision(ANCIENT, "housing", [], NOW, SCHEDULE, **kw), REMOVE),
        (
            lambda **kw: rules.aged_decision(
                RetainedKind.VERIFICATION_ATTEMPTS, ANCIENT, NOW, SCHEDULE, **kw
            ),
            REMOVE,
        ),
        (
            lambda **kw: rules.message_decision(
                ANCIENT, MessageStatus.DELIVERED, NOW, SCHEDULE, **kw
            ),
            REMOVE,
        ),
        (
            lambda **kw: rules.aged_decision(
                RetainedKind.PHONE_CHANGES, ANCIENT, NOW, SCHEDULE, **kw
            ),
            REMOVE,
        ),
    ],
    ids=["call", "entry", "attempt", "message", "phone-change"],
)
def test_a_legal_hold_or_a_row_still_referring_keeps_anything(decide, expected):
    assert decide() is expected
    assert decide(on_hold=True) is RetentionDecision.LEGAL_HOLD
    assert decide(referenced=True) is RetentionDecision.REFERENCED
    assert decide(on_hold=True, referenced=True) is RetentionDecision.LEGAL_HOLD


@pytest.mark.parametrize(
    ("flags", "decision"),
    [
        ({}, REMOVE),
        ({"ended": False}, RetentionDecision.CALL_OPEN),
        ({"under_open_dispute": True}, RetentionDecision.OPEN_DISPUTE),
        ({"consent_evidence": True}, RetentionDecision.CONSENT_EVIDENCE),
        ({"on_hold": True, "under_open_dispute": True}, RetentionDecision.LEGAL_HOLD),
    ],
)
def test_a_call_is_kept_while_open_disputed_or_the_evidence_of_a_consent(flags, decision):
    assert rules.call_decision(ANCIENT, NOW, SCHEDULE, **flags) is decision


def test_every_combination_of_call_facts_removes_only_an_old_ended_call_nothing_keeps():
    names = ["ended", "on_hold", "under_open_dispute", "consent_evidence", "referenced"]
    for values in itertools.product([False, True], repeat=len(names)):
        flags = dict(zip(names, values, strict=True))
        for started in (ANCIENT, NOW - DAY):
            decision = rules.call_decision(started, NOW, SCHEDULE, **flags)
            nothing_keeps = flags["ended"] and not any(values[1:]) and started == ANCIENT
            assert (decision is REMOVE) is nothing_keeps, (flags, started)


@given(
    age=st.integers(min_value=0, max_value=20_000),
    area=st.sampled_from(list(ServiceArea)),
    disputes=st.lists(st.sampled_from(list(DisputeStatus)), max_size=3),
    on_hold=st.booleans(),
)
def test_an_entry_is_removed_exactly_when_old_enough_and_nothing_keeps_it(
    age, area, disputes, on_hold
):
    created = NOW - timedelta(days=age)
    decision = rules.entry_decision(created, area.value, disputes, NOW, SCHEDULE, on_hold=on_hold)
    period = SCHEDULE.entry_period(area.value, upheld=DisputeStatus.UPHELD in disputes)
    kept = on_hold or DisputeStatus.OPEN in disputes or timedelta(days=age) < period

    assert (decision is REMOVE) is not kept


@given(age=st.integers(min_value=0, max_value=20_000), holds=st.integers(min_value=0, max_value=3))
def test_audit_events_are_due_by_age_and_not_at_all_while_a_hold_is_in_force(age, holds):
    before = rules.audit_cutoff(NOW, SCHEDULE, holds_in_force=holds)

    if holds:
        assert before is None
    else:
        assert before == NOW - SCHEDULE.audit_events


def test_the_shortest_entry_period_is_the_widest_net():
    assert SCHEDULE.shortest_entry_period == timedelta(days=2190)
    assert SCHEDULE.period(RetainedKind.ENTRIES) == timedelta(days=2190)
    shorter = Schedule(**{**SCHEDULE.__dict__, "entries_by_area": {"waste": timedelta(days=30)}})
    assert shorter.period(RetainedKind.ENTRIES) == timedelta(days=30)


def test_the_configured_defaults_make_a_schedule_that_keeps_hoaxes_and_the_log_longest():
    schedule = Schedule.from_days(Config.RETENTION_SCHEDULE_DAYS)

    assert schedule.calls < schedule.entries < schedule.hoax_entries
    assert schedule.verification_attempts <= schedule.calls
    assert schedule.audit_events >= max(schedule.entries_by_area.values())
    assert all(area in {a.value for a in ServiceArea} for area in schedule.entries_by_area)


@pytest.mark.parametrize(
    "change",
    [
        {"calls": 0},
        {"entries": -1},
        {"hoax_entries": 0},
        {"messages": "soon"},
        {"audit_events": True},
        {"entries_by_area": {"housing": 0}},
        {"phone_changes": 0},
    ],
)
def test_a_schedule_refuses_periods_that_are_not_positive_whole_days(change):
    settings = {**Config.RETENTION_SCHEDULE_DAYS, **change}

    with pytest.raises(ValueError):
        Schedule.from_days(settings)


def test_a_schedule_reads_days_given_as_text():
    settings = {**Config.RETENTION_SCHEDULE_DAYS, "calls": "30"}

    assert Schedule.from_days(settings).calls == timedelta(days=30)


def test_retention_refuses_a_naive_moment():
    with pytest.raises(ValueError):
        rules.cutoff(datetime(2030, 1, 1), DAY)


def test_what_a_purge_records_is_a_count_for_every_kind_and_nothing_else():
    summary = rules.purged_summary({RetainedKind.CALLS: 3, RetainedKind.ENTRIES: 1})

    assert summary == {
        "calls": 3,
        "entries": 1,
        "verification-attempts": 0,
        "messages": 0,
        "audit-events": 0,
        "phone-changes": 0,
        "portal-sign-ins": 0,
    }
