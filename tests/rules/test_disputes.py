"""Rule 5: disputes. Deadlines in London time, the life-cycle, and what a decision does."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules import disputes as rules
from app.rules.disputes import Deadline
from app.rules.outbox import dispute_decided_text
from app.rules.vocabulary import DisputeStatus, EntryStatus


@pytest.mark.parametrize(
    ("opened", "due"),
    [
        (date(2027, 1, 31), date(2027, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2027, 1, 30), date(2027, 2, 28)),
        (date(2027, 1, 28), date(2027, 2, 28)),
        (date(2027, 3, 31), date(2027, 4, 30)),
        (date(2027, 4, 30), date(2027, 5, 30)),
        (date(2027, 5, 31), date(2027, 6, 30)),
        (date(2027, 8, 31), date(2027, 9, 30)),
        (date(2027, 10, 31), date(2027, 11, 30)),
        (date(2027, 12, 31), date(2028, 1, 31)),
        (date(2027, 12, 15), date(2028, 1, 15)),
        (date(2028, 2, 29), date(2028, 3, 29)),
        (date(2027, 6, 1), date(2027, 7, 1)),
    ],
    ids=[
        "31-january-to-28-february",
        "31-january-to-29-february-in-a-leap-year",
        "30-january-to-28-february",
        "28-january-to-28-february",
        "31-march-to-30-april",
        "30-april-to-30-may",
        "31-may-to-30-june",
        "31-august-to-30-september",
        "31-october-to-30-november",
        "31-december-to-31-january-next-year",
        "mid-december-to-mid-january",
        "29-february-to-29-march",
        "first-of-the-month",
    ],
)
def test_a_response_is_due_one_calendar_month_after_the_dispute_is_opened(opened, due):
    assert rules.add_one_month(opened) == due


@pytest.mark.parametrize(
    ("opened_at", "due"),
    [
        (datetime(2027, 6, 30, 23, 30, tzinfo=UTC), date(2027, 8, 1)),
        (datetime(2027, 6, 30, 22, 59, tzinfo=UTC), date(2027, 7, 30)),
        (datetime(2027, 1, 31, 23, 30, tzinfo=UTC), date(2027, 2, 28)),
        (datetime(2027, 3, 27, 23, 30, tzinfo=UTC), date(2027, 4, 27)),
        (datetime(2027, 3, 28, 1, 30, tzinfo=UTC), date(2027, 4, 28)),
        (datetime(2027, 10, 30, 23, 30, tzinfo=UTC), date(2027, 11, 30)),
        (datetime(2027, 10, 31, 1, 30, tzinfo=UTC), date(2027, 11, 30)),
        (datetime(2027, 1, 31, 0, 30, tzinfo=UTC), date(2027, 2, 28)),
    ],
    ids=[
        "00-30-bst-on-1-july-counts-as-1-july",
        "23-59-bst-on-30-june-counts-as-30-june",
        "23-30-gmt-on-31-january-is-still-31-january",
        "23-30-gmt-the-night-clocks-go-forward",
        "02-30-bst-after-clocks-go-forward",
        "00-30-bst-on-31-october-before-clocks-go-back",
        "01-30-gmt-after-clocks-go-back",
        "00-30-gmt-on-31-january",
    ],
)
def test_the_deadline_is_counted_from_the_london_date(opened_at, due):
    assert rules.response_due_on(opened_at) == due


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        rules.response_due_on(datetime(2027, 1, 1, 12, 0))


DUE = date(2027, 3, 31)


@pytest.mark.parametrize(
    ("status", "today", "expected"),
    [
        (DisputeStatus.OPEN, date(2027, 3, 1), Deadline.ON_TIME),
        (DisputeStatus.OPEN, date(2027, 3, 23), Deadline.ON_TIME),
        (DisputeStatus.OPEN, date(2027, 3, 24), Deadline.DUE_SOON),
        (DisputeStatus.OPEN, date(2027, 3, 31), Deadline.DUE_SOON),
        (DisputeStatus.OPEN, date(2027, 4, 1), Deadline.OVERDUE),
        (DisputeStatus.UPHELD, date(2027, 4, 1), Deadline.ON_TIME),
        (DisputeStatus.NOT_UPHELD, date(2027, 5, 1), Deadline.ON_TIME),
        (DisputeStatus.UPHELD, date(2027, 3, 30), Deadline.ON_TIME),
    ],
    ids=[
        "open-a-month-ahead",
        "open-eight-days-ahead",
        "open-seven-days-ahead-is-due-soon",
        "open-on-the-due-date-is-due-soon",
        "open-the-day-after-is-overdue",
        "upheld-is-never-late",
        "not-upheld-is-never-late",
        "decided-before-due-is-not-due-soon",
    ],
)
def test_an_open_dispute_is_due_soon_then_overdue(status, today, expected):
    assert rules.deadline_state(status, DUE, today) is expected


def test_only_due_soon_and_overdue_carry_a_tag():
    assert rules.DEADLINE_TAGS == {
        Deadline.ON_TIME: None,
        Deadline.DUE_SOON: "Due soon",
        Deadline.OVERDUE: "Overdue",
    }


@pytest.mark.parametrize(
    ("entry_status", "expected"),
    [
        (EntryStatus.ACTIVE, None),
        (EntryStatus.DISPUTED, rules.ALREADY_DISPUTED),
        (EntryStatus.UPHELD, rules.ALREADY_UPHELD),
    ],
    ids=["active-can-be-disputed", "disputed-already", "already-found-incorrect"],
)
def test_only_an_active_entry_can_be_disputed(entry_status, expected):
    assert rules.refusal_to_open(entry_status) == expected


def test_opening_a_dispute_marks_the_entry_disputed_at_once():
    assert rules.entry_status_when_opened() is EntryStatus.DISPUTED


@pytest.mark.parametrize(
    ("status", "seen", "made", "expected"),
    [
        (DisputeStatus.OPEN, 0, 0, None),
        (DisputeStatus.UPHELD, 0, 1, rules.ALREADY_DECIDED),
        (DisputeStatus.NOT_UPHELD, 0, 1, rules.ALREADY_DECIDED),
        (DisputeStatus.OPEN, 1, 0, rules.NOT_DECIDED_YET),
        (DisputeStatus.UPHELD, 1, 1, None),
        (DisputeStatus.NOT_UPHELD, 1, 1, None),
        (DisputeStatus.UPHELD, 1, 2, rules.DECISION_CHANGED),
        (DisputeStatus.NOT_UPHELD, 2, 3, rules.DECISION_CHANGED),
    ],
    ids=[
        "first-decision-on-an-open-dispute",
        "first-decision-after-another-upheld-it",
        "first-decision-after-another-did-not-uphold-it",
        "correction-of-an-undecided-dispute",
        "correction-of-the-standing-upheld-decision",
        "correction-of-the-standing-not-upheld-decision",
        "correction-of-a-decision-already-corrected",
        "second-correction-racing-another",
    ],
)
def test_a_decision_is_recorded_only_on_the_dispute_as_the_supervisor_saw_it(
    status, seen, made, expected
):
    assert rules.refusal_to_decide(status, seen, made) == expected


@pytest.mark.parametrize(
    ("outcome", "number", "entry_status", "strike", "ico"),
    [
        (DisputeStatus.UPHELD, "+447700900123", EntryStatus.UPHELD, True, False),
        (DisputeStatus.UPHELD, None, EntryStatus.UPHELD, False, False),
        (DisputeStatus.NOT_UPHELD, "+447700900123", EntryStatus.ACTIVE, False, True),
        (DisputeStatus.NOT_UPHELD, None, EntryStatus.ACTIVE, False, True),
    ],
    ids=[
        "upheld-marks-incorrect-and-strikes-the-number",
        "upheld-with-a-withheld-number-strikes-nobody",
        "not-upheld-puts-the-entry-back-with-the-ico-right",
        "not-upheld-withheld-number",
    ],
)
def test_what_a_decision_does_to_the_entry(outcome, number, entry_status, strike, ico):
    effect = rules.decision_effect(outcome, number)

    assert effect.dispute_status is outcome
    assert effect.entry_status is entry_status
    assert (effect.gives_hoax_strike, effect.tells_ico_right) == (strike, ico)
    assert effect.deletes_entry is False


def test_open_is_not_a_decision():
    with pytest.raises(ValueError):
        rules.decision_effect(DisputeStatus.OPEN, None)
    with pytest.raises(ValueError):
        dispute_decided_text(DisputeStatus.OPEN, "https://example.org/portal")


def test_an_upheld_entry_is_hidden_from_routine_views_but_not_one_put_back():
    from app.rules.disclosure import shown_in_routine_view

    upheld = rules.decision_effect(DisputeStatus.UPHELD, None)
    not_upheld = rules.decision_effect(DisputeStatus.NOT_UPHELD, None)

    assert shown_in_routine_view(upheld.entry_status) is False
    assert shown_in_routine_view(not_upheld.entry_status) is True


@pytest.mark.parametrize(
    ("outcome", "says", "ico"),
    [
        (DisputeStatus.UPHELD, "agree it was not correct", False),
        (DisputeStatus.NOT_UPHELD, "decided to keep it", True),
    ],
    ids=["upheld", "not-upheld"],
)
def test_the_resident_is_told_the_outcome_and_where_to_read_why(outcome, says, ico):
    text = dispute_decided_text(outcome, "https://example.org/portal")

    assert says in text
    assert "https://example.org/portal" in text
    assert ("Information Commissioner" in text) is ico
    assert "reported by" not in text.lower()


@pytest.mark.parametrize(
    ("entry_status", "expected"),
    [
        (EntryStatus.ACTIVE, None),
        (EntryStatus.DISPUTED, "The resident disputes the report behind this dispatch"),
        (
            EntryStatus.UPHELD,
            "Correction: the report behind this dispatch was found incorrect after a dispute",
        ),
    ],
    ids=["active", "disputed", "upheld"],
)
def test_a_team_sees_a_correction_notice_on_its_dispatch(entry_status, expected):
    assert rules.dispatch_notice(entry_status) == expected


@pytest.mark.parametrize(
    ("strikes", "expected"),
    [
        (0, None),
        (-1, None),
        (1, "1 earlier report from this number was upheld as a hoax"),
        (2, "2 earlier reports from this number were upheld as hoaxes"),
        (11, "11 earlier reports from this number were upheld as hoaxes"),
    ],
    ids=["none", "negative", "one", "two", "many"],
)
def test_a_number_with_hoax_strikes_gets_a_warning(strikes, expected):
    assert rules.hoax_warning(strikes) == expected


# Properties.

moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@given(moments)
def test_the_deadline_is_always_a_month_on_in_london(opened_at):
    opened_on = rules.london_date(opened_at)

    due = rules.response_due_on(opened_at)

    months_on = (due.year - opened_on.year) * 12 + due.month - opened_on.month
    assert months_on == 1
    assert due.day == opened_on.day or (due.day < opened_on.day and (due + timedelta(1)).day == 1)
    assert timedelta(days=28) <= due - opened_on <= timedelta(days=31)


@given(moments)
def test_the_london_date_is_the_utc_date_or_the_next_day(moment):
    assert rules.london_date(moment) - moment.date() in {timedelta(0), timedelta(days=1)}


@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(rules.DECIDED)),
            st.one_of(st.none(), st.just("+447700900123")),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_a_dispute_never_deletes_an_entry(decisions):
    entry_status = rules.entry_status_when_opened()
    dispute_status = DisputeStatus.OPEN
    made = 0

    for outcome, number in decisions:
        assert rules.refusal_to_decide(dispute_status, made, made) is None
        effect = rules.decision_effect(outcome, number)
        entry_status, dispute_status, made = effect.entry_status, effect.dispute_status, made + 1
        assert effect.deletes_entry is False

    assert entry_status in set(EntryStatus)
    assert entry_status is rules.decision_effect(decisions[-1][0], None).entry_status


@given(st.sampled_from(sorted(rules.DECIDED)), st.integers(0, 5), st.integers(0, 5))
def test_a_decision_made_on_a_stale_view_is_always_refused(status, seen, made):
    if seen != made:
        assert rules.refusal_to_decide(status, seen, made) is not None


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_an_open_dispute_is_overdue_exactly_after_its_due_date(due):
    assert rules.deadline_state(DisputeStatus.OPEN, due, due) is not Deadline.OVERDUE
    assert rules.deadline_state(DisputeStatus.OPEN, due, due + timedelta(1)) is Deadline.OVERDUE
