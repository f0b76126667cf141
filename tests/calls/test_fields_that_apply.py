"""A call page that asks only what applies: the fields of one answer revealed under it, read
only with that answer; the end of a call summarised in the outcome's own words when nothing
else was typed; and an end sent twice ending the call once."""

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Call, Dispatch, Entry
from app.rules.vocabulary import CallerType, CallOutcome


def _section(page: str, step: str) -> str:
    return unescape(page.split(f'id="{step}"', 1)[1].split("</section>", 1)[0])


# --- who is calling ---------------------------------------------------------------------------


def test_each_answer_reveals_only_its_own_fields(call_on_record):
    section = _section(call_on_record.page(), "caller")

    representative = section.split('id="conditional-caller-caller_type-2"', 1)[1]
    representative = representative.split('id="conditional-caller-caller_type-3"', 1)[0]
    someone_else = section.split('id="conditional-caller-caller_type-3"', 1)[1]
    assert 'data-aria-controls="conditional-caller-caller_type-2"' in section
    assert 'data-aria-controls="conditional-caller-caller_type-3"' in section
    assert "govuk-radios__conditional--hidden" in section
    assert 'name="caller-permission_id"' in representative
    assert 'name="caller-caller_name"' not in representative
    assert 'name="caller-caller_name"' in someone_else
    assert 'name="caller-relationship"' in someone_else
    assert 'name="caller-permission_id"' not in someone_else
    # The resident is asked nothing more.
    the_resident = section.split('value="resident"', 1)[1].split('value="representative"', 1)[0]
    assert "govuk-radios__conditional" not in the_resident


@pytest.mark.parametrize(
    "answer", ["resident", "representative"], ids=["resident", "representative"]
)
def test_a_name_typed_under_another_answer_is_neither_checked_nor_kept(
    call_on_record, resident, answer
):
    from tests import factories

    permission, _ = factories.make_permission(resident)
    fields = {"caller-caller_name": "x" * 500, "caller-relationship": "neighbour"}
    if answer == "resident":
        fields["caller-caller_type"] = "resident"
    else:
        fields |= {"caller-caller_type": "representative", "caller-permission_id": permission.id}

    response = call_on_record.post("/caller", fields)

    assert response.status_code == 302
    saved = db.session.get(Call, call_on_record.id)
    assert saved.caller_name != "x" * 500
    assert saved.caller_type is not CallerType.THIRD_PARTY
    if answer == "resident":
        assert saved.caller_name is None
    else:
        assert saved.caller_name == permission.holder_name  # named by their permission


def test_someone_elses_name_is_still_checked_and_kept(call_on_record):
    refused = call_on_record.caller("third-party", name="x" * 201, relationship="neighbour")
    kept = call_on_record.caller("third-party", name="Pat Reynolds", relationship="neighbour")

    assert "Name must be 200 characters or fewer" in refused.get_data(as_text=True)
    assert kept.status_code == 302
    assert db.session.get(Call, call_on_record.id).caller_name == "Pat Reynolds"


def test_without_an_answer_a_relationship_alone_still_says_someone_else_is_calling(
    call_on_record,
):
    # Without JavaScript every answer's fields show: choosing a relationship is enough.
    response = call_on_record.post("/caller", {"caller-relationship": "neighbour"})

    assert response.status_code == 302
    saved = db.session.get(Call, call_on_record.id)
    assert saved.caller_type is CallerType.THIRD_PARTY


# --- sending a team ---------------------------------------------------------------------------


def test_the_team_and_what_to_do_are_revealed_under_send_someone_out(call_on_record):
    call_on_record.caller("third-party", name="Pat", relationship="neighbour")

    section = _section(call_on_record.page(), "report")

    revealed = section.split('id="conditional-report-raise_dispatch"', 1)[1]
    assert 'data-aria-controls="conditional-report-raise_dispatch"' in section
    assert 'name="report-team"' in revealed
    assert 'name="report-instructions"' in revealed
    assert 'name="report-team"' not in section.split('id="conditional-report-raise_dispatch"')[0]


def test_a_team_typed_without_sending_anyone_is_neither_checked_nor_kept(call_on_record):
    call_on_record.caller("third-party", name="Pat", relationship="neighbour")

    response = call_on_record.report(team="x" * 300, instructions="y" * 2000)

    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 1
    assert db.session.scalar(select(func.count()).select_from(Dispatch)) == 0


def test_a_team_sent_is_still_checked(call_on_record):
    call_on_record.caller("third-party", name="Pat", relationship="neighbour")

    response = call_on_record.report(raise_dispatch="y", team="x" * 101, instructions="Go")

    assert "Team must be 100 characters or fewer" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0


# --- the end of the call ----------------------------------------------------------------------


def _summary_shown(page: str) -> str:
    end = _section(page, "end")
    return end.split("</textarea>")[0].rsplit(">", 1)[1].strip()


def test_a_verified_enquiry_offers_the_outcomes_own_words(resident_calling):
    resident_calling.verify(date_of_birth="14/3/1948", postcode="LE1 5AB")

    page = resident_calling.page()

    assert _summary_shown(page) == "Resolved"
    assert re.search(r'value="resolved" checked', page)
    assert "data-outcome-words=" in page


def test_a_call_with_nothing_logged_and_no_outcome_offers_no_words(call_on_record):
    assert _summary_shown(call_on_record.page()) == ""


@pytest.mark.parametrize(
    ("outcome", "typed", "kept"),
    [
        ("dropped", "", "Call dropped"),
        ("referred", "   ", "Referred to another team"),
        ("dropped", "Resolved", "Call dropped"),  # the default left as it was, another chosen
        (
            "resolved",
            "Told her when the bins are collected",
            "Told her when the bins are collected",
        ),
    ],
    ids=["empty", "spaces", "another-outcomes-words", "typed"],
)
def test_the_summary_kept_is_what_was_typed_or_the_outcomes_own_words(
    call_on_record, outcome, typed, kept
):
    response = call_on_record.end(outcome=outcome, summary=typed)

    assert response.status_code == 302
    saved = db.session.get(Call, call_on_record.id)
    assert saved.outcome is CallOutcome(outcome)
    assert saved.summary == kept


def test_an_end_needs_an_outcome_and_a_summary_that_fits(call_on_record):
    no_outcome = call_on_record.end(outcome="", summary="")
    too_long = call_on_record.end(outcome="resolved", summary="x" * 501)

    assert "Select the outcome of the call" in no_outcome.get_data(as_text=True)
    assert "Summary must be 500 characters or fewer" in too_long.get_data(as_text=True)
    assert db.session.get(Call, call_on_record.id).ended_at is None


def test_an_end_sent_twice_ends_the_call_once_and_says_so(call_on_record):
    first = call_on_record.end(outcome="resolved", summary="Answered")
    ended_at = db.session.get(Call, call_on_record.id).ended_at

    second = call_on_record.end(outcome="dropped", summary="Again")

    assert first.headers["Location"] == f"/calls?ended={call_on_record.id}"
    assert second.status_code == 302
    assert second.headers["Location"] == f"/calls?ended={call_on_record.id}"
    saved = db.session.get(Call, call_on_record.id)
    assert (saved.outcome, saved.summary, saved.ended_at) == (
        CallOutcome.RESOLVED,
        "Answered",
        ended_at,
    )


def test_ending_another_handlers_ended_call_is_still_not_found(signed_in_client, start_call):
    from app.rules.vocabulary import Role
    from tests.helpers import csrf_token

    theirs = start_call(signed_in_client(Role.HANDLER))
    theirs.end(outcome="resolved", summary="Done")
    mine = signed_in_client(Role.HANDLER)

    response = mine.post(
        f"/calls/{theirs.id}/end",
        data={"csrf_token": csrf_token(mine, "/calls"), "end-outcome": "resolved"},
    )

    assert response.status_code == 404
