"""Seeing a resident's record outside a call: only with a typed reason, always audited,
and only the entries the member of staff's job needs (docs/rules.md rule 7)."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from app.references import format_reference
from app.rules.vocabulary import EntryStatus, Role
from tests.helpers import csrf_token
from tests.residents.conftest import REASONS_TOO_SHORT

REASON_ERROR = "Enter why you need to see this record, in at least 10 characters"


def _views_of(resident) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "record.viewed", AuditEvent.resident_id == resident.id
            )
        )
    )


def test_the_reason_page_shows_nothing_about_the_resident(signed_in_handler, resident):
    response = signed_in_handler.get(f"/residents/{resident.id}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Why do you need to see this record?" in page
    for personal in [
        "Margaret",
        "Okafor",
        "14 March 1948",
        "1948",
        "LE1 5AB",
        "Mill Lane",
        "07700 900123",
        "+447700900123",
        "margaret@example.com",
        resident.reference,
        format_reference(resident.reference),
    ]:
        assert personal not in page, personal


def test_asking_for_the_reason_is_not_recorded_as_a_view(signed_in_handler, resident):
    signed_in_handler.get(f"/residents/{resident.id}")

    assert _views_of(resident) == []


@REASONS_TOO_SHORT
def test_a_reason_under_ten_characters_is_refused_and_nothing_is_shown(
    signed_in_handler, resident, view_record, reason
):
    response = view_record(signed_in_handler, resident.id, reason)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert REASON_ERROR in page
    assert "<title>Error: " in page
    assert "Okafor" not in page and "14 March 1948" not in page
    assert _views_of(resident) == []


def test_a_reason_shows_the_record_on_the_same_response_without_a_redirect(
    signed_in_handler, resident, view_record
):
    response = view_record(signed_in_handler, resident.id)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Margaret Okafor" in page
    assert "Mill Lane, Leicester (house number hidden)" in page
    assert "LE1 (full postcode hidden)" in page
    assert "07700 900123" in page
    assert "margaret@example.com" in page
    assert f"Hidden (ends in {resident.reference[-3:]})" in page


def test_a_view_is_audited_with_its_reason_who_looked_and_the_entries_shown(
    signed_in_client, resident, view_record, make_entry
):
    client = signed_in_client(Role.HANDLER)
    entry = make_entry(resident, "Boiler not working")

    view_record(client, resident.id, "  Investigating complaint C-1042  ")

    [event] = _views_of(resident)
    assert event.purpose == "Investigating complaint C-1042"
    assert event.staff_id == client.user.id
    assert event.call_id is None
    assert event.detail["entries"] == [entry.id]


def test_entries_outside_the_staff_members_areas_are_hidden(
    signed_in_client, resident, view_record, make_entry
):
    client = signed_in_client(Role.HANDLER, area_codes=["housing"])
    housing = make_entry(resident, "Boiler not working", area_code="housing")
    make_entry(resident, "Council tax band query", area_code="council-tax")

    page = view_record(client, resident.id).get_data(as_text=True)

    assert "Boiler not working" in page
    assert "Council tax band query" not in page
    assert "Some entries are not shown" in page
    assert _views_of(resident)[0].detail["entries"] == [housing.id]


def test_sensitive_entries_are_hidden_without_the_sensitive_data_permission(
    signed_in_client, resident, view_record, make_entry
):
    client = signed_in_client(Role.HANDLER, may_see_sensitive=False)
    make_entry(resident, "Diagnosed with dementia", is_sensitive=True)

    page = view_record(client, resident.id).get_data(as_text=True)

    assert "Diagnosed with dementia" not in page
    assert _views_of(resident)[0].detail["entries"] == []


def test_sensitive_entries_are_shown_with_the_sensitive_data_permission(
    signed_in_client, resident, view_record, make_entry
):
    client = signed_in_client(Role.HANDLER, may_see_sensitive=True)
    make_entry(resident, "Diagnosed with dementia", is_sensitive=True)

    page = view_record(client, resident.id).get_data(as_text=True)

    assert "Diagnosed with dementia" in page


def test_entries_found_incorrect_after_a_dispute_are_hidden(
    signed_in_handler, resident, view_record, make_entry
):
    make_entry(resident, "Hoax report of a gas leak", status=EntryStatus.UPHELD)

    page = view_record(signed_in_handler, resident.id).get_data(as_text=True)

    assert "Hoax report of a gas leak" not in page
    assert _views_of(resident)[0].detail["entries"] == []


def test_an_unverified_report_carries_the_good_faith_label(
    signed_in_handler, resident, view_record, make_entry
):
    make_entry(resident, "Water coming through the ceiling", reporter_verified=False)

    page = view_record(signed_in_handler, resident.id).get_data(as_text=True)

    assert "Water coming through the ceiling" in page
    assert "Reported in good faith, not verified" in page


def test_a_verified_report_carries_no_good_faith_label(
    signed_in_handler, resident, view_record, make_entry
):
    make_entry(resident, "Water coming through the ceiling", reporter_verified=True)

    page = view_record(signed_in_handler, resident.id).get_data(as_text=True)

    assert "Water coming through the ceiling" in page
    assert "Reported in good faith, not verified" not in page


def test_a_disputed_entry_is_withheld_and_counted_while_investigated(
    signed_in_handler, resident, view_record, make_entry
):
    make_entry(resident, "Says she cannot manage stairs", status=EntryStatus.DISPUTED)
    make_entry(resident, "Bins not collected")

    page = view_record(signed_in_handler, resident.id).get_data(as_text=True)

    assert "Says she cannot manage stairs" not in page
    assert "Bins not collected" in page
    assert "Disputed" in page
    assert "1 entry is disputed and being investigated" in page


@pytest.mark.parametrize("method", ["GET", "POST"], ids=["reason-page", "record"])
def test_an_unknown_record_is_not_found(signed_in_handler, view_record, method):
    if method == "GET":
        response = signed_in_handler.get("/residents/999999")
    else:
        response = view_record(signed_in_handler, 999999)

    assert response.status_code == 404
    views = select(AuditEvent).where(AuditEvent.action == "record.viewed")
    assert db.session.scalars(views).all() == []


def test_the_record_shows_that_phone_verification_is_locked(
    signed_in_handler, resident, view_record, fail_verification
):
    fail_verification(resident, times=3)

    page = view_record(signed_in_handler, resident.id).get_data(as_text=True)

    assert "Phone verification locked" in page


def test_the_record_shows_that_phone_verification_is_open(signed_in_handler, resident, view_record):
    page = view_record(signed_in_handler, resident.id).get_data(as_text=True)

    assert "Phone verification open" in page


def _find(client, typed: str, htmx: bool = False):
    """Search from the record finder as its form does: posted, with the page's token."""
    headers = {"HX-Request": "true"} if htmx else {}
    token = csrf_token(client, "/residents")
    return client.post("/residents", data={"q": typed, "csrf_token": token}, headers=headers)


def test_finding_a_record_links_each_result_to_its_reason_page(signed_in_handler, resident):
    response = _find(signed_in_handler, "Margaret Okafor")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="/residents/{resident.id}"' in page
    assert "Mill Lane" in page and "LE1" in page


def test_search_results_show_no_date_of_birth_phone_or_full_postcode(signed_in_handler, resident):
    page = _find(signed_in_handler, "Okafor").get_data(as_text=True)

    assert "Margaret Okafor" in page
    assert "14 March 1948" not in page
    assert "07700 900123" not in page
    assert "LE1 5AB" not in page


def test_finding_a_record_as_you_type_answers_with_the_results_alone(signed_in_handler, resident):
    page = _find(signed_in_handler, "Okafor", htmx=True).get_data(as_text=True)

    assert f'href="/residents/{resident.id}"' in page
    assert "<html" not in page


def test_the_record_finder_posts_what_was_typed_never_in_the_address(signed_in_handler):
    page = signed_in_handler.get("/residents").get_data(as_text=True)

    form = page[page.index('role="search"') : page.index("</form>", page.index('role="search"'))]
    assert '<form method="post" action="/residents" role="search"' in page
    assert 'hx-post="/residents"' in form
    assert 'name="csrf_token"' in form
    assert "hx-get" not in form


def test_a_search_in_the_address_is_not_run(signed_in_handler, resident):
    response = signed_in_handler.get("/residents?q=Margaret+Okafor")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Find a record" in page
    assert "Margaret Okafor" not in page


@pytest.mark.parametrize("htmx", [True, False], ids=["as-you-type", "full-page"])
def test_a_search_without_the_pages_token_is_refused(signed_in_handler, resident, htmx):
    headers = {"HX-Request": "true"} if htmx else {}

    response = signed_in_handler.post("/residents", data={"q": "Okafor"}, headers=headers)

    assert response.status_code == (400 if htmx else 302)
    assert "Margaret Okafor" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_every_staff_role_finds_records_from_the_navigation(signed_in_client, role):
    page = signed_in_client(role).get("/").get_data(as_text=True)

    assert 'href="/residents"' in page
