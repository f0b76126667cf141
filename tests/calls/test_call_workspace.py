"""The call page's read model (app/services/call_workspace.py): one service call works out
everything a call page or one of its parts shows, from one moment, in a handful of
statements; a read writes nothing but the audit of what it disclosed, and a call left open
past its maximum length reads as closed without anything being written."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from app import clock
from app.extensions import db
from app.models import AuditEvent, Call, StaffUser
from app.refusals import NotFound
from app.rules.call_steps import Step
from app.rules.vocabulary import CallOutcome
from app.services import call_state, call_workspace, calls
from app.services.call_workspace import Show
from tests import factories

RIGHT_ANSWERS = {"date_of_birth": "14/3/1948", "postcode": "LE1 5AB"}
HTMX = {"HX-Request": "true"}
JSON = {"Accept": "application/json"}
# What a verified resident's call page may cost in SQL statements, all told: the member of
# staff, the call (with its resident, numbers and counters), the service areas, the call's
# duty-to-share requests, the entries' four columns, the page of entries, the audit event,
# and the areas' names the entries are shown with.
MOST_STATEMENTS = 8
WRITES = ("INSERT", "UPDATE", "DELETE", "COMMIT")


@contextmanager
def statements_run():
    """Every statement the database is sent meanwhile, and COMMIT for each commit of a
    transaction that wrote (one that only read ends with a COMMIT too, app/read_commits.py,
    which writes nothing)."""
    ran: list[str] = []

    def statement(conn, cursor, text, parameters, context, executemany) -> None:
        ran.append(" ".join(text.split()))

    def commit(conn) -> None:
        since = ran[len(ran) - ran[::-1].index("COMMIT") :] if "COMMIT" in ran else ran
        if writes(since):
            ran.append("COMMIT")

    event.listen(db.engine, "before_cursor_execute", statement)
    event.listen(db.engine, "commit", commit)
    try:
        yield ran
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
        event.remove(db.engine, "commit", commit)


def writes(ran: list[str]) -> list[str]:
    return [text for text in ran if text.split(" ", 1)[0].upper() in WRITES]


def _row(call) -> Call:
    db.session.expire_all()
    return db.session.get(Call, call.id)


def _staff(call) -> StaffUser:
    return db.session.get(StaffUser, call.client.user.id)


def _hhmm(moment) -> str:
    return f"{clock.local(moment):%H:%M}"


@pytest.fixture
def verified_resident(resident_calling):
    resident_calling.verify(**RIGHT_ANSWERS)
    return resident_calling


@pytest.fixture
def busy_record(resident):
    """Margaret's record as a busy one is: 25 entries over two pages of the panel, one of them
    disputed, one sensitive, and one from a number with a hoax strike."""
    start = clock.now() - timedelta(days=100)
    for n in range(25):
        factories.make_entry(resident, summary=f"Report {n}", created_at=start + timedelta(days=n))
    factories.make_entry(resident, summary="Sensitive", is_sensitive=True)
    disputed = factories.make_entry(resident, summary="Disputed one")
    factories.make_dispute(resident, disputed)
    return resident


# --- what a page costs ----------------------------------------------------------------------


def test_a_verified_residents_call_page_runs_at_most_eight_statements(
    signed_in_handler, start_call, busy_record
):
    call = start_call(signed_in_handler)
    call.resident_calls_about(busy_record)
    call.verify(**RIGHT_ANSWERS)
    call.report(summary="Leak", raise_dispatch="y", team="Repairs", instructions="Go round")
    call.page()  # what a running server has drawn once

    with statements_run() as ran:
        page = call.page()

    assert len(ran) - ran.count("COMMIT") <= MOST_STATEMENTS, "\n".join(ran)
    assert [text.split(" ", 2)[:2] for text in writes(ran)] == [
        ["INSERT", "INTO"],  # the disclosure, audited
        ["COMMIT"],
    ]
    assert "Verified</strong> as the resident" in page
    assert "May discuss all council services" in page
    assert "Report 24" in page and "Older entries" in page
    assert "1 entry is disputed and being investigated" in page
    assert 'id="numbers-on-file"' in page
    assert "Reported: Leak" in page and "Sent: Repairs" in page
    assert re.search(r'data-version="[0-9a-f]+"', page)


# How often a verified resident's call page, and its record panel, look up who is signed in
# (each read through `current_user` is one): the guard, the template context, the menu and
# the header's checks of what the member of staff may do, each once; the services are given
# the member of staff, not the proxy. It was 22 and 8.
MOST_LOOKUPS_ON_PAGE = 7
MOST_LOOKUPS_ON_RECORD = 3


def test_the_call_page_looks_up_who_is_signed_in_a_few_times(verified_resident, monkeypatch):
    import flask_login.utils

    verified_resident.page()  # what a running server has drawn once
    lookups = []
    own = flask_login.utils._get_user

    def counted():
        lookups.append(1)
        return own()

    monkeypatch.setattr(flask_login.utils, "_get_user", counted)
    page = verified_resident.page()
    on_page = len(lookups)
    record = verified_resident.record_fragment()

    assert "Verified</strong> as the resident" in page and "Sign out" in page
    assert "May discuss" in record
    assert on_page <= MOST_LOOKUPS_ON_PAGE
    assert len(lookups) - on_page <= MOST_LOOKUPS_ON_RECORD


def test_the_status_the_page_asks_for_reads_little_and_writes_nothing(verified_resident):
    with statements_run() as ran:
        response = verified_resident.client.get(verified_resident.url + "/status", headers=JSON)

    assert response.get_json()["verified"] is True
    assert writes(ran) == []
    assert len(ran) <= 4, "\n".join(ran)


def test_the_record_panel_alone_is_decided_and_audited_in_few_statements(
    signed_in_handler, start_call, busy_record
):
    call = start_call(signed_in_handler)
    call.resident_calls_about(busy_record)
    call.verify(**RIGHT_ANSWERS)

    with statements_run() as ran:
        fragment = call.record_fragment()

    assert "Report 24" in fragment
    assert len(ran) - ran.count("COMMIT") <= MOST_STATEMENTS, "\n".join(ran)
    assert len(writes(ran)) == 2  # the audit event, and its commit


# --- one moment -----------------------------------------------------------------------------


def test_everything_the_page_shows_is_decided_from_the_moment_it_is_given(verified_resident):
    last_activity = _row(verified_resident).last_activity_at
    moment = last_activity + timedelta(minutes=19)  # a minute before the verification lapses
    clock.set_now(last_activity + timedelta(hours=1))  # what the clock says is not asked

    seen = call_workspace.workspace(verified_resident.id, _staff(verified_resident), moment)

    assert seen.now == moment
    assert seen.standing.is_resident
    assert seen.disclosure.allowed
    assert seen.status.verified and seen.status.may_disclose
    assert seen.status.verified_until == last_activity + timedelta(minutes=20)
    assert seen.status.ended is None
    assert Step.CONSENT in seen.steps.open and Step.PHONES in seen.steps.open
    assert seen.end.outcome is CallOutcome.RESOLVED
    assert seen.record.resident is not None


def test_the_page_and_the_status_it_polls_give_one_version(verified_resident):
    moment = clock.now()
    staff = _staff(verified_resident)

    page = call_workspace.workspace(verified_resident.id, staff, moment, Show.PAGE)
    polled = call_workspace.workspace(verified_resident.id, staff, moment, Show.STATUS)

    assert page.status == polled.status
    assert polled.steps is None and polled.record is None


@pytest.mark.parametrize("show", list(Show), ids=lambda show: show.value)
def test_another_handlers_call_is_not_found_whatever_is_asked_of_it(verified_resident, show):
    stranger = factories.make_staff()

    with pytest.raises(NotFound), statements_run() as ran:
        call_workspace.workspace(verified_resident.id, stranger, clock.now(), show)

    assert writes(ran) == []


def test_a_neighbours_call_reads_nothing_the_verification_forms_need(call_on_record):
    call_on_record.caller("third-party", name="Sam", relationship="neighbour")

    seen = call_workspace.workspace(
        call_on_record.id, _staff(call_on_record), clock.now(), Show.STEPS
    )

    assert seen.steps.open == (Step.REPORT, Step.SHARE, Step.END)
    assert seen.verify is None and seen.caller is None and seen.phones is None
    assert seen.report.ask_relationship is False
    assert seen.record is None


# --- reads write nothing; a call left open too long -----------------------------------------


def test_opening_a_call_past_its_maximum_shows_it_closed_and_writes_nothing(verified_resident):
    started = _row(verified_resident).started_at
    clock.set_now(started + timedelta(hours=4, minutes=30))
    client = verified_resident.client

    with statements_run() as ran:
        page = verified_resident.page()
        status = client.get(verified_resident.url + "/status", headers=JSON).get_json()
        record = verified_resident.record_fragment()
        listing = client.get("/calls").get_data(as_text=True)

    assert writes(ran) == [], "\n".join(writes(ran))
    assert "This call has ended" in page
    assert "Closed automatically: the call was open for more than 4 hours" in page
    assert "Outcome: Closed automatically" in page
    assert f"at {_hhmm(started + timedelta(hours=4))}" in page
    assert status["call_open"] is False and status["may_disclose"] is False
    assert status["ended"] == (
        f"The call was closed at {_hhmm(started + timedelta(hours=4))}: "
        "it was open for more than 4 hours"
    )
    assert "Do not disclose: call has ended" in record and "14 March 1948" not in record
    assert f"/calls/{verified_resident.id}" not in listing
    assert _row(verified_resident).ended_at is None  # nothing wrote it


def test_a_change_asked_on_a_call_past_its_maximum_closes_it_as_the_pages_said(
    verified_resident,
):
    started = _row(verified_resident).started_at
    clock.set_now(started + timedelta(hours=5))
    said = verified_resident.page()

    refused = verified_resident.report(summary="Too late")
    again = verified_resident.report(summary="Too late again")

    assert refused.status_code == 404 and again.status_code == 404
    row = _row(verified_resident)
    assert row.outcome is CallOutcome.CLOSED_AUTOMATICALLY
    assert row.ended_at == started + timedelta(hours=4)  # when it passed its maximum
    closed = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "call.closed_automatically")
    )
    assert closed == 1
    assert _ended(verified_resident.page()) == _ended(said)


def _ended(page: str) -> str:
    """What the ended call's page says about how it ended."""
    return re.search(r"Ended .*?</p>\s*<p[^>]*>.*?</p>", page, re.S).group(0)


def test_the_scheduled_command_closes_an_overdue_call_as_every_page_read_it(app, resident):
    handler = factories.make_staff()
    call = factories.make_call(resident, handler)
    moment = call.started_at + timedelta(hours=6)
    read = call_state.closure(call, moment)

    closed = calls.close_overdue_calls(moment)

    assert closed == 1
    assert call_state.closure(_row(call), moment) == read


# --- one owner ------------------------------------------------------------------------------


def test_every_step_has_one_template_and_its_forms_in_one_table(app):
    from app.calls.steps import STEP_TEMPLATES, STEPS

    assert set(STEPS) == set(Step)
    for step, part in STEPS.items():
        assert STEP_TEMPLATES[step.value] == part.template
        app.jinja_env.get_template(part.template)
    steps_template = app.jinja_env.loader.get_source(app.jinja_env, "calls/_steps.html")[0]
    assert "step_templates[step]" in steps_template
    assert not any(part.template in steps_template for part in STEPS.values())


def test_another_handler_asking_for_any_part_of_the_call_is_told_nothing(
    verified_resident, busy_record, signed_in_client
):
    """The read model is asked for the handler's own call only: another handler's request
    for it is "not found" on every part, and discloses nothing."""
    other = signed_in_client()

    for path in ("", "/record", "/record?page=2", "/status"):
        response = other.get(verified_resident.url + path, headers=HTMX)
        assert response.status_code == 404
        assert "Report 24" not in response.get_data(as_text=True)
