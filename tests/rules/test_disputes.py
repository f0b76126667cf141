"""Rule 5: disputes. Deadlines in London time, the life-cycle, and what a decision does."""

from datetime import UTC, date, datetime, timedelta
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules import disputes as rules
from app.rules.disputes import Deadline, DisputeOnEntry
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


OPEN, UPHELD, NOT_UPHELD = DisputeStatus.OPEN, DisputeStatus.UPHELD, DisputeStatus.NOT_UPHELD


@pytest.mark.parametrize("entry_status", list(EntryStatus), ids=str)
def test_an_entry_with_a_dispute_open_about_it_is_never_disputed_again(entry_status):
    disputes = [DisputeOnEntry(1, NOT_UPHELD), DisputeOnEntry(2, OPEN)]

    assert rules.refusal_to_open(entry_status, disputes) == rules.ALREADY_DISPUTED


@pytest.mark.parametrize(
    ("entry_status", "statuses", "expected"),
    [
        (EntryStatus.ACTIVE, [NOT_UPHELD], None),
        (EntryStatus.ACTIVE, [NOT_UPHELD, NOT_UPHELD], None),
        (EntryStatus.UPHELD, [UPHELD], rules.ALREADY_UPHELD),
        (EntryStatus.UPHELD, [NOT_UPHELD, UPHELD], rules.ALREADY_UPHELD),
        (EntryStatus.DISPUTED, [NOT_UPHELD], rules.ALREADY_DISPUTED),
    ],
    ids=[
        "not-upheld-before-can-be-disputed-again",
        "twice-not-upheld-can-be-disputed-again",
        "upheld-is-settled",
        "upheld-after-a-not-upheld-one-is-settled",
        "marked-disputed-without-an-open-dispute-is-still-refused",
    ],
)
def test_an_entry_whose_disputes_are_all_decided_follows_its_state(
    entry_status, statuses, expected
):
    disputes = [DisputeOnEntry(i, status) for i, status in enumerate(statuses, 1)]

    assert rules.refusal_to_open(entry_status, disputes) == expected


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], EntryStatus.ACTIVE),
        ([OPEN], EntryStatus.DISPUTED),
        ([UPHELD], EntryStatus.UPHELD),
        ([NOT_UPHELD], EntryStatus.ACTIVE),
        ([NOT_UPHELD, OPEN], EntryStatus.DISPUTED),
        ([NOT_UPHELD, UPHELD], EntryStatus.UPHELD),
        ([NOT_UPHELD, NOT_UPHELD], EntryStatus.ACTIVE),
        ([UPHELD, NOT_UPHELD], EntryStatus.ACTIVE),
        ([NOT_UPHELD, NOT_UPHELD, UPHELD], EntryStatus.UPHELD),
        ([OPEN, NOT_UPHELD], EntryStatus.DISPUTED),
        ([OPEN, UPHELD], EntryStatus.DISPUTED),
    ],
    ids=[
        "never-disputed",
        "open",
        "upheld",
        "not-upheld",
        "not-upheld-then-open",
        "not-upheld-then-upheld",
        "not-upheld-twice",
        "newest-not-upheld-governs-an-older-upheld-one",
        "newest-upheld-governs",
        "an-older-open-one-keeps-it-disputed",
        "an-older-open-one-keeps-it-disputed-whatever-the-newest-says",
    ],
)
def test_an_entrys_state_follows_its_newest_dispute_and_any_open_one(statuses, expected):
    disputes = [DisputeOnEntry(i, status) for i, status in enumerate(statuses, 1)]

    assert rules.entry_status_for(disputes) is expected
    assert rules.entry_status_for(list(reversed(disputes))) is expected


# Every combination of the dispute decided (open, or decided once), the outcome asked for, a
# newer dispute about the same entry (none, or in each state) and an older one (likewise).
THIS = [(OPEN, 0), (UPHELD, 1), (NOT_UPHELD, 1)]
OUTCOMES = [UPHELD, NOT_UPHELD]
OTHER = [None, OPEN, UPHELD, NOT_UPHELD]
THIS_ID, OLDER_ID, NEWER_ID = 5, 2, 9


def _others(older, newer) -> list[DisputeOnEntry]:
    others = [DisputeOnEntry(OLDER_ID, older)] if older else []
    return others + ([DisputeOnEntry(NEWER_ID, newer)] if newer else [])


@pytest.mark.parametrize(
    ("this", "outcome", "older"), list(product(THIS, OUTCOMES, OTHER)), ids=str
)
def test_a_decision_or_correction_under_a_newer_open_dispute_is_refused_naming_it(
    this, outcome, older
):
    (status, made) = this

    ruling = rules.rule_on_decision(
        DisputeOnEntry(THIS_ID, status), made, made, outcome, _others(older, OPEN)
    )

    assert ruling.refusal == f"Dispute {NEWER_ID} about this entry is open; decide that one"
    assert ruling.entry_status is None


@pytest.mark.parametrize(
    ("this", "outcome", "older", "newer"),
    list(product(THIS, OUTCOMES, OTHER, [UPHELD, NOT_UPHELD])),
    ids=str,
)
def test_a_decision_or_correction_under_a_newer_decided_dispute_is_refused_naming_it(
    this, outcome, older, newer
):
    (status, made) = this

    ruling = rules.rule_on_decision(
        DisputeOnEntry(THIS_ID, status), made, made, outcome, _others(older, newer)
    )

    assert ruling.refusal == (
        f"Dispute {NEWER_ID} about this entry is newer and governs it; correct that one instead"
    )
    assert ruling.entry_status is None


@pytest.mark.parametrize(
    ("this", "outcome", "older"), list(product(THIS, OUTCOMES, OTHER)), ids=str
)
def test_the_newest_dispute_decides_the_entry_unless_an_older_one_is_still_open(
    this, outcome, older
):
    (status, made) = this
    expected = {UPHELD: EntryStatus.UPHELD, NOT_UPHELD: EntryStatus.ACTIVE}[outcome]
    if older is OPEN:
        expected = EntryStatus.DISPUTED

    ruling = rules.rule_on_decision(
        DisputeOnEntry(THIS_ID, status), made, made, outcome, _others(older, None)
    )

    assert ruling.refusal is None
    assert ruling.entry_status is expected


def test_the_open_newer_dispute_is_named_before_a_decided_one():
    others = [DisputeOnEntry(7, OPEN), DisputeOnEntry(8, NOT_UPHELD), DisputeOnEntry(1, UPHELD)]

    ruling = rules.rule_on_decision(DisputeOnEntry(4, NOT_UPHELD), 1, 1, UPHELD, others)

    assert ruling.refusal == "Dispute 7 about this entry is open; decide that one"


@pytest.mark.parametrize(
    ("status", "seen", "made", "expected"),
    [
        (OPEN, 0, 1, rules.ALREADY_DECIDED),
        (UPHELD, 0, 1, rules.ALREADY_DECIDED),
        (OPEN, 1, 0, rules.NOT_DECIDED_YET),
        (NOT_UPHELD, 1, 2, rules.DECISION_CHANGED),
    ],
    ids=["decided-meanwhile", "decided-already", "undecided", "corrected-meanwhile"],
)
def test_the_newest_dispute_is_still_decided_only_as_the_supervisor_saw_it(
    status, seen, made, expected
):
    ruling = rules.rule_on_decision(
        DisputeOnEntry(THIS_ID, status), seen, made, UPHELD, [DisputeOnEntry(OLDER_ID, NOT_UPHELD)]
    )

    assert (ruling.refusal, ruling.entry_status) == (expected, None)


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


# One entry's life: disputes opened, decided and corrected in any order, some of them from a
# page gone stale. Whatever is asked, the entry stays governed by its newest dispute.

ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("open")),
        st.tuples(
            st.just("decide"),
            st.integers(0, 5),  # which dispute, counted from the first
            st.sampled_from(sorted(rules.DECIDED)),
            st.booleans(),  # from a stale page
        ),
    ),
    max_size=25,
)


@given(ACTIONS)
def test_an_entry_is_always_governed_by_its_newest_dispute(actions):
    entry_status = EntryStatus.ACTIVE
    disputes: list[DisputeOnEntry] = []
    made: dict[int, int] = {}

    for action in actions:
        if action[0] == "open":
            if rules.refusal_to_open(entry_status, disputes) is None:
                disputes.append(DisputeOnEntry(len(disputes) + 1, DisputeStatus.OPEN))
                made[len(disputes)] = 0
                entry_status = rules.entry_status_when_opened()
        elif disputes:
            _, which, outcome, stale = action
            dispute = disputes[which % len(disputes)]
            seen = made[dispute.id] + (1 if stale else 0)
            others = [other for other in disputes if other.id != dispute.id]
            ruling = rules.rule_on_decision(dispute, seen, made[dispute.id], outcome, others)
            if ruling.refusal is None:
                disputes[dispute.id - 1] = DisputeOnEntry(dispute.id, outcome)
                made[dispute.id] += 1
                entry_status = ruling.entry_status

        open_ones = [d for d in disputes if d.status is DisputeStatus.OPEN]
        assert len(open_ones) <= 1
        assert not open_ones or open_ones[0] is disputes[-1]
        assert entry_status is rules.entry_status_for(disputes)
        # Only the newest can stand upheld: one entry never gives a number two strikes.
        assert all(d.status is not DisputeStatus.UPHELD for d in disputes[:-1])
