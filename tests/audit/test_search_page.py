"""The supervisors' search of the audit log: filters, pages, CSV, and what it refuses."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent
from app.references import format_reference
from app.rules.vocabulary import Role
from app.services import audit
from tests import factories
from tests.helpers import csrf_token, hidden_inputs

DAY = datetime(2026, 6, 10, 11, 0, tzinfo=UTC)


def _search(client, **fields):
    data = {"csrf_token": csrf_token(client, "/audit"), **fields}
    return client.post("/audit", data=data)


def _cells(page: str) -> list[str]:
    return re.findall(r'<td class="govuk-table__cell[^"]*">([^<]*)</td>', page)


def _event(action: str, at: datetime = DAY, **fields) -> AuditEvent:
    clock.set_now(at)
    event = audit.record(action, **fields)
    db.session.commit()
    clock.set_now(None)
    return event


def test_a_search_by_reference_lists_that_residents_events_newest_first(
    signed_in_supervisor, resident
):
    other = factories.make_resident(forename="Ada")
    _event("record.viewed", resident_id=resident.id, purpose="Called about rent")
    _event("record.viewed", DAY + timedelta(hours=1), resident_id=resident.id, purpose="Later")
    _event("record.viewed", resident_id=other.id, purpose="Not this one")

    response = _search(signed_in_supervisor, reference=resident.reference.lower())

    assert response.status_code == 302
    location = response.headers["Location"]
    assert resident.reference not in location
    assert location == f"/audit?resident={resident.id}"
    page = signed_in_supervisor.get(location).get_data(as_text=True)
    assert page.index("Later") < page.index("Called about rent")
    assert "Not this one" not in page
    assert format_reference(resident.reference) in page
    assert "3 events" in page  # and this search itself


def test_filters_by_staff_action_and_dates(signed_in_supervisor, resident):
    handler = factories.make_staff(Role.HANDLER, name="Hana Handler")
    _event("call.started", DAY - timedelta(days=2), staff_id=handler.id)
    _event("call.started", DAY, staff_id=handler.id, purpose="the one")
    _event("call.ended", DAY, staff_id=handler.id)
    _event("call.started", DAY + timedelta(days=2), staff_id=handler.id)

    response = _search(
        signed_in_supervisor,
        staff_id=str(handler.id),
        action="call.started",
        date_from=["10", "6", "2026"],
        date_to=["10", "6", "2026"],
    )

    assert response.headers["Location"] == (
        f"/audit?staff={handler.id}&action=call.started&from=2026-06-10&to=2026-06-10"
    )
    page = signed_in_supervisor.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 event," in page  # the search is another action
    assert "the one" in page
    assert "Hana Handler" in page
    assert "Call handler" in page or "Handler" in page


def test_bad_input_shows_errors_next_to_the_fields(signed_in_supervisor):
    response = _search(
        signed_in_supervisor,
        reference="not a reference",
        date_from=["31", "2", "2026"],
        date_to=["1", "", "2026"],
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Audit log" in page
    assert "Enter a reference number like ABCD-EFGH-JKM" in page
    assert "The start date must be a real date" in page
    assert "The end date must include a month" in page
    assert 'class="govuk-error-summary"' in page


def test_an_end_before_the_start_is_refused(signed_in_supervisor):
    page = _search(
        signed_in_supervisor, date_from=["2", "6", "2026"], date_to=["1", "6", "2026"]
    ).get_data(as_text=True)
    assert "The end date must be the same as or after the start date" in page


def test_an_unknown_reference_is_told_next_to_the_field(signed_in_supervisor):
    from app.references import new_reference

    page = _search(signed_in_supervisor, reference=new_reference()).get_data(as_text=True)
    assert "No resident has this reference number" in page
    assert "<title>Error: " in page


def test_a_staff_member_or_action_the_page_never_offered_is_refused(signed_in_supervisor):
    page = _search(signed_in_supervisor, staff_id="99999", action="made.up").get_data(as_text=True)
    assert "Not a valid choice" in page


def test_tampered_addresses_are_not_found(signed_in_supervisor):
    for query in ("resident=abc", "from=2026-13-01", "staff=-1", "from=2026-06-02&to=2026-06-01"):
        assert signed_in_supervisor.get(f"/audit?{query}").status_code == 404, query


def test_results_come_a_page_at_a_time(signed_in_supervisor, resident):
    for n in range(60):
        _event(
            "record.viewed", DAY + timedelta(minutes=n), resident_id=resident.id, purpose=f"p{n}"
        )

    first = signed_in_supervisor.get(f"/audit?resident={resident.id}").get_data(as_text=True)
    second = signed_in_supervisor.get(f"/audit?resident={resident.id}&page=2").get_data(
        as_text=True
    )

    assert "61 events" in first  # and this search itself
    assert f"/audit?resident={resident.id}&amp;page=2" in first
    assert "p59<" in first and "p11<" in first and "p10<" not in first
    assert "p10<" in second and "p0<" in second
    assert signed_in_supervisor.get(f"/audit?resident={resident.id}&page=3").status_code == 404


def test_an_empty_search_says_so(signed_in_supervisor, resident):
    page = signed_in_supervisor.get(f"/audit?resident={resident.id}&action=nothing.here")
    assert "No events match this search." in page.get_data(as_text=True)


def test_searching_is_itself_recorded(signed_in_supervisor, resident):
    signed_in_supervisor.get(f"/audit?resident={resident.id}")

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.searched"))
    assert event.staff_id == signed_in_supervisor.user.id
    assert event.role == "supervisor"
    assert event.resident_id == resident.id
    assert event.detail["filters"] == {"resident": str(resident.id)}


def test_the_csv_export_holds_the_current_search_and_is_recorded(signed_in_supervisor, resident):
    other = factories.make_resident(forename="Ada")
    _event("record.viewed", resident_id=resident.id, purpose='=HYPERLINK("x")')
    _event("record.viewed", resident_id=other.id, purpose="Not this one")
    page = signed_in_supervisor.get(f"/audit?resident={resident.id}").get_data(as_text=True)
    form = hidden_inputs(page)

    response = signed_in_supervisor.post("/audit/export", data=form)

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {row["resident reference"] for row in rows} == {format_reference(resident.reference)}
    assert "Not this one" not in response.get_data(as_text=True)
    assert "'=HYPERLINK" in response.get_data(as_text=True)
    exported = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.exported"))
    assert exported.staff_id == signed_in_supervisor.user.id
    assert exported.resident_id == resident.id
    assert exported.detail["rows"] == len(rows)


def test_an_export_without_a_valid_token_is_refused(signed_in_supervisor, resident):
    response = signed_in_supervisor.post("/audit/export", data={"resident": str(resident.id)})
    assert response.status_code in (302, 400)
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.exported")) is None
    )


def test_handlers_are_refused(signed_in_handler, resident):
    assert signed_in_handler.get("/audit").status_code == 403
    token = csrf_token(signed_in_handler, "/")
    response = signed_in_handler.post(
        "/audit/export", data={"csrf_token": token, "resident": str(resident.id)}
    )
    assert response.status_code == 403
    assert signed_in_handler.post("/audit", data={"csrf_token": token}).status_code == 403


def test_the_page_is_in_the_supervisors_navigation(signed_in_supervisor, signed_in_handler):
    assert 'href="/audit"' in signed_in_supervisor.get("/").get_data(as_text=True)
    assert 'href="/audit"' not in signed_in_handler.get("/").get_data(as_text=True)


def test_the_log_and_its_filter_say_in_words_what_was_done_and_the_csv_keeps_the_codes(
    signed_in_supervisor, resident
):
    _event("staff.password_accepted", staff_id=signed_in_supervisor.user.id)
    _event("dispute.decided", resident_id=resident.id, outcome="not-upheld")
    _event("search.made", outcome="refused")
    _event("gone.from_the_vocabulary")

    page = signed_in_supervisor.get("/audit").get_data(as_text=True)
    csv_page = signed_in_supervisor.post("/audit/export", data=hidden_inputs(page))

    cells = _cells(page)
    for words in (
        "A right password was given",
        "A dispute was decided",
        "Not upheld",
        "Records were searched",
        "Refused",
        "Done",
        "gone.from_the_vocabulary",  # no words for it: shown as stored
    ):
        assert words in cells
    assert "staff.password_accepted" not in page.split("<table", 1)[1]
    assert "done" not in cells and "not-upheld" not in cells
    options = dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', page))
    assert options["staff.password_accepted"] == "A right password was given"
    assert options["dispute.decided"] == "A dispute was decided"
    rows = list(csv.DictReader(io.StringIO(csv_page.get_data(as_text=True))))
    assert {"staff.password_accepted", "dispute.decided"} <= {row["action"] for row in rows}
    assert {"done", "not-upheld", "refused"} <= {row["outcome"] for row in rows}
