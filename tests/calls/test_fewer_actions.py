"""Fewer actions on a call: the end follows from what happened on it (a logged report, help
sent), and a caller who only rings to report something is asked who they are with the report."""

from html import unescape

from sqlalchemy import select

from app.extensions import db
from app.models import Call, Entry
from app.rules.vocabulary import CallerType, CallOutcome, Relationship


def _end_section(page: str) -> str:
    return unescape(page.split('id="end"', 1)[1].split("</section>", 1)[0])


def _checked_outcome(section: str) -> str | None:
    for value in (o.value for o in CallOutcome):
        if f'value="{value}" checked' in section:
            return value
    return None


def test_a_call_with_nothing_logged_suggests_no_outcome(call_on_record):
    section = _end_section(call_on_record.page())

    assert _checked_outcome(section) is None
    assert "Reported:" not in section


def test_a_logged_report_suggests_its_outcome_and_summary(call_on_record):
    call_on_record.caller("third-party", name="Pat Kinsella", relationship="neighbour")
    call_on_record.report(summary="Water through the ceiling of the flat below")

    section = _end_section(call_on_record.page())

    assert _checked_outcome(section) == CallOutcome.REPORT_LOGGED.value
    assert "Reported: Water through the ceiling of the flat below" in section


def test_the_htmx_answer_to_a_report_brings_the_new_end_of_the_call(call_on_record):
    call_on_record.caller("third-party", name="Pat Kinsella", relationship="neighbour")

    response = call_on_record.post(
        "/reports",
        {
            "report-area": "housing", "report-category": "repair", "report-urgency": "routine",
            "report-summary": "Front door lock broken",
        },
        htmx=True,
    )  # fmt: skip

    body = response.get_data(as_text=True)
    assert 'id="end"' in body  # the steps come back whole, the end of the call with them
    assert "Reported: Front door lock broken" in _end_section(body)


def test_the_suggested_end_ends_the_call_as_it_stands(call_on_record):
    call_on_record.caller("third-party", name="Pat Kinsella", relationship="neighbour")
    call_on_record.report(summary="Front door lock broken")
    section = _end_section(call_on_record.page())
    summary = section.split("</textarea>")[0].rsplit(">", 1)[1].strip()

    response = call_on_record.end(outcome=_checked_outcome(section), summary=summary)

    assert response.status_code == 302
    ended = db.session.scalar(select(Call).where(Call.id == call_on_record.id))
    assert ended.outcome is CallOutcome.REPORT_LOGGED
    assert ended.summary == "Reported: Front door lock broken"


def test_a_team_sent_suggests_help_sent(call_on_record):
    call_on_record.caller("third-party", name="Pat Kinsella", relationship="neighbour")
    call_on_record.report(
        summary="Water through the ceiling", raise_dispatch="y", team="Emergency repairs",
        instructions="Isolate the water supply",
    )  # fmt: skip

    section = _end_section(call_on_record.page())

    assert _checked_outcome(section) == CallOutcome.DISPATCHED.value
    assert "Sent: Emergency repairs" in section


# --- the relationship, asked with the report when nobody said who is calling -----------------


def test_a_report_from_an_unrecorded_caller_asks_the_relationship_and_records_it(call_on_record):
    call = call_on_record
    assert "Who is the caller to the resident?" not in call.page()  # who is calling comes first
    report_first = call.client.get(call.url + "?step=report").get_data(as_text=True)
    assert "Who is the caller to the resident?" in report_first

    response = call.report(summary="Water through the ceiling", relationship="neighbour")

    assert response.status_code == 302
    entry = db.session.scalar(select(Entry))
    assert entry.reporter_relationship is Relationship.NEIGHBOUR
    assert not entry.reporter_verified
    saved = db.session.scalar(select(Call).where(Call.id == call.id))
    assert saved.caller_type is CallerType.THIRD_PARTY
    assert "Who is the caller to the resident?" not in call.page()  # asked once
    assert "Who is the caller to the resident?" not in call.client.get(
        call.url + "?step=report"
    ).get_data(as_text=True)


def test_the_relationship_is_not_asked_again_once_the_caller_is_recorded(call_on_record):
    call_on_record.caller("third-party", name="Pat Kinsella", relationship="friend")

    call_on_record.report(summary="Bin missed", relationship="landlord")  # posted anyway: ignored

    assert "Who is the caller to the resident?" not in call_on_record.page()
    assert db.session.scalar(select(Entry)).reporter_relationship is Relationship.FRIEND


def test_a_relationship_the_page_never_offers_is_refused(call_on_record):
    response = call_on_record.report(summary="Bin missed", relationship="self")

    assert response.status_code == 200
    assert "Select who the caller is to the resident" in response.get_data(as_text=True)
    assert db.session.scalar(select(Entry)) is None
