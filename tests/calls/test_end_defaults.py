"""The end of the call follows from what happened on it: a logged report, help sent."""

from html import unescape

from sqlalchemy import select

from app.extensions import db
from app.models import Call
from app.rules.vocabulary import CallOutcome


def _end_section(page: str) -> str:
    return unescape(page.split('id="end"', 1)[1].split("</section>", 1)[0])


def _checked_outcome(section: str) -> str | None:
    for value in (o.value for o in CallOutcome):
        if f'value="{value}" checked' in section:
            return value
    return None


def test_a_call_with_nothing_logged_suggests_no_outcome(signed_in_handler, start_call, resident):
    call = start_call(signed_in_handler)
    call.select(resident)

    section = _end_section(call.page())

    assert _checked_outcome(section) is None
    assert "Reported:" not in section


def test_a_logged_report_suggests_its_outcome_and_summary(signed_in_handler, start_call, resident):
    call = start_call(signed_in_handler)
    call.select(resident)
    call.caller("third-party", name="Pat Kinsella", relationship="neighbour")
    call.report(summary="Water through the ceiling of the flat below")

    section = _end_section(call.page())

    assert _checked_outcome(section) == CallOutcome.REPORT_LOGGED.value
    assert "Reported: Water through the ceiling of the flat below" in section


def test_the_htmx_answer_to_a_report_brings_the_new_end_of_the_call(
    signed_in_handler, start_call, resident
):
    call = start_call(signed_in_handler)
    call.select(resident)
    call.caller("third-party", name="Pat Kinsella", relationship="neighbour")

    response = call.post(
        "/reports",
        {
            "report-area": "housing", "report-category": "repair", "report-urgency": "routine",
            "report-summary": "Front door lock broken",
        },
        htmx=True,
    )  # fmt: skip

    body = response.get_data(as_text=True)
    assert 'id="end"' in body and 'hx-swap-oob="true"' in body
    assert "Reported: Front door lock broken" in _end_section(body)


def test_the_suggested_end_ends_the_call_as_it_stands(signed_in_handler, start_call, resident):
    call = start_call(signed_in_handler)
    call.select(resident)
    call.caller("third-party", name="Pat Kinsella", relationship="neighbour")
    call.report(summary="Front door lock broken")
    section = _end_section(call.page())
    summary = section.split("</textarea>")[0].rsplit(">", 1)[1].strip()

    response = call.end(outcome=_checked_outcome(section), summary=summary)

    assert response.status_code == 302
    ended = db.session.scalar(select(Call).where(Call.id == call.id))
    assert ended.outcome is CallOutcome.REPORT_LOGGED
    assert ended.summary == "Reported: Front door lock broken"


def test_a_team_sent_suggests_help_sent(signed_in_handler, start_call, resident):
    call = start_call(signed_in_handler)
    call.select(resident)
    call.caller("third-party", name="Pat Kinsella", relationship="neighbour")
    call.report(
        summary="Water through the ceiling", raise_dispatch="y", team="Emergency repairs",
        instructions="Isolate the water supply",
    )  # fmt: skip

    section = _end_section(call.page())

    assert _checked_outcome(section) == CallOutcome.DISPATCHED.value
    assert "Sent: Emergency repairs" in section
