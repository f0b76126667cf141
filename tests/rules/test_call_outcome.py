import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.call_outcome import (
    SUMMARY_LIMIT,
    LoggedReport,
    call_summary,
    end_defaults,
    outcome_words,
)
from app.rules.vocabulary import CallOutcome


def test_a_call_with_nothing_logged_has_no_default_outcome():
    assert end_defaults([]).outcome is None
    assert end_defaults([]).summary == ""


def test_a_verified_caller_with_nothing_logged_suggests_resolved_in_its_own_words():
    assert end_defaults([], caller_verified=True).outcome is CallOutcome.RESOLVED
    assert end_defaults([], caller_verified=True).summary == "Resolved"
    assert end_defaults([LoggedReport("Leak")], caller_verified=True).outcome is (
        CallOutcome.REPORT_LOGGED
    )


def test_a_logged_report_suggests_report_logged_and_its_summary():
    defaults = end_defaults([LoggedReport("Leak through the ceiling")])

    assert defaults.outcome is CallOutcome.REPORT_LOGGED
    assert defaults.summary == "Reported: Leak through the ceiling"


def test_a_team_sent_for_any_report_suggests_help_sent():
    defaults = end_defaults(
        [LoggedReport("Bin missed"), LoggedReport("Leak", ("Emergency repairs", "Housing"))]
    )

    assert defaults.outcome is CallOutcome.DISPATCHED
    assert defaults.summary.splitlines() == [
        "Reported: Bin missed",
        "Reported: Leak",
        "Sent: Emergency repairs, Housing",
    ]


def test_a_team_sent_twice_is_named_once():
    defaults = end_defaults(
        [LoggedReport("Leak", ("Emergency repairs",)), LoggedReport("Damp", ("Emergency repairs",))]
    )

    assert defaults.summary.endswith("Sent: Emergency repairs")


@given(st.lists(st.text(min_size=1, max_size=600), min_size=1, max_size=5))
def test_the_summary_always_fits_the_field(summaries):
    defaults = end_defaults([LoggedReport(s) for s in summaries])

    assert len(defaults.summary) <= SUMMARY_LIMIT


@pytest.mark.parametrize("outcome", list(CallOutcome), ids=[o.value for o in CallOutcome])
def test_an_outcomes_own_words_are_its_label(outcome):
    assert outcome_words(outcome) == outcome.label


@pytest.mark.parametrize(
    ("outcome", "typed", "kept"),
    [
        (CallOutcome.DROPPED, "", "Call dropped"),
        (CallOutcome.DROPPED, " \n ", "Call dropped"),
        (CallOutcome.DROPPED, "Resolved", "Call dropped"),
        (CallOutcome.DROPPED, "  Resolved  ", "Call dropped"),
        (CallOutcome.RESOLVED, "Resolved", "Resolved"),
        (CallOutcome.REFERRED, "Passed to housing", "Passed to housing"),
        (CallOutcome.REFERRED, "  Passed to housing ", "Passed to housing"),
        (CallOutcome.RESOLVED, "Resolved, told her of bins", "Resolved, told her of bins"),
    ],
    ids=[
        "nothing", "blank", "another-outcomes-words", "another-outcomes-words-spaced",
        "its-own-words", "typed", "typed-with-spaces", "words-and-more",
    ],
)  # fmt: skip
def test_the_summary_kept_is_what_was_typed_or_the_chosen_outcomes_words(outcome, typed, kept):
    assert call_summary(outcome, typed) == kept


@given(st.sampled_from(list(CallOutcome)), st.text(max_size=40))
def test_a_summary_never_carries_another_outcomes_words_alone(outcome, typed):
    kept = call_summary(outcome, typed)

    others = {outcome_words(o) for o in CallOutcome if o is not outcome}
    assert kept not in others
    assert kept.strip() == kept and kept
