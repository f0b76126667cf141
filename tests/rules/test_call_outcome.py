from hypothesis import given
from hypothesis import strategies as st

from app.rules.call_outcome import SUMMARY_LIMIT, LoggedReport, end_defaults
from app.rules.vocabulary import CallOutcome


def test_a_call_with_nothing_logged_has_no_default_outcome():
    assert end_defaults([]).outcome is None
    assert end_defaults([]).summary == ""


def test_a_verified_caller_with_nothing_logged_suggests_resolved():
    assert end_defaults([], caller_verified=True).outcome is CallOutcome.RESOLVED
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
