"""What a signed-in resident sees and does, and what they can never reach by any address."""

import re

import pytest
from sqlalchemy import func, select, update

from app import clock
from app.extensions import db
from app.models import Dispute, Entry, Permission, PortalSession
from app.references import format_reference
from app.rules.vocabulary import (
    DisputeReason,
    DisputeStatus,
    EntryStatus,
    PermissionKind,
    Relationship,
)
from app.services import disputes
from tests import factories
from tests.helpers import count_rows, csrf_token, hidden_inputs


@pytest.fixture
def neighbour():
    return factories.make_resident(forename="Olive", surname="Tranter", phones=["+447700900777"])


def test_entries_show_the_relationship_and_date_never_the_reporters_name_or_number(
    resident_client, resident
):
    factories.make_entry(resident, summary="Says the boiler is broken", reporter_name="Pat Smith")

    page = resident_client.get("/portal/your-record").get_data(as_text=True)

    assert "Says the boiler is broken" in page
    assert "Neighbour" in page
    assert "Pat Smith" not in page
    assert "900555" not in page and "+447700900555" not in page


def test_an_entry_found_incorrect_is_not_shown(resident_client, resident):
    factories.make_entry(resident, summary="A hoax about the roof", status=EntryStatus.UPHELD)

    page = resident_client.get("/portal/your-record").get_data(as_text=True)

    assert "A hoax about the roof" not in page
    assert "Nothing has been recorded about you" in page


def _answer(client, entry, **fields):
    path = f"/portal/entries/{entry.id}/dispute"
    return client.post(path, data={"csrf_token": csrf_token(client, path), **fields})


def test_the_resident_disputes_an_entry_through_check_your_answers(resident_client, resident):
    entry = factories.make_entry(resident)
    path = f"/portal/entries/{entry.id}/dispute"

    answered = _answer(resident_client, entry, reason="hoax", statement="I was away that week")
    assert answered.status_code == 302
    assert answered.headers["Location"] == f"{path}/check"
    page = resident_client.get(f"{path}/check").get_data(as_text=True)
    assert "Check your answers" in page
    assert "I was away that week" in page
    assert db.session.get(Entry, entry.id).status is EntryStatus.ACTIVE
    sent = resident_client.post(f"{path}/check", data=hidden_inputs(page))

    dispute = db.session.scalar(select(Dispute))
    assert sent.headers["Location"] == f"/portal/disputes/{dispute.id}/sent"
    confirmation = resident_client.get(sent.headers["Location"]).get_data(as_text=True)
    assert f"<strong>{format_reference(dispute.reference)}</strong>" in confirmation
    assert f"{dispute.due_on.day} {dispute.due_on:%B %Y}" in confirmation
    assert dispute.statement == "I was away that week"
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).status is EntryStatus.DISPUTED


def test_change_your_answers_shows_what_the_resident_typed(resident_client, resident):
    entry = factories.make_entry(resident)
    path = f"/portal/entries/{entry.id}/dispute"
    _answer(resident_client, entry, reason="hoax", statement="I was away that week")

    page = resident_client.get(path).get_data(as_text=True)

    assert "I was away that week</textarea>" in page
    assert re.search(r'value="hoax"\s+checked', page) or re.search(
        r'checked[^>]*value="hoax"', page
    )


def test_what_was_typed_about_one_entry_is_not_offered_for_another(resident_client, resident):
    first, second = factories.make_entry(resident), factories.make_entry(resident)
    _answer(resident_client, first, reason="hoax", statement="I was away that week")

    page = resident_client.get(f"/portal/entries/{second.id}/dispute").get_data(as_text=True)
    check = resident_client.get(f"/portal/entries/{second.id}/dispute/check")

    assert "I was away that week" not in page
    assert check.headers["Location"] == f"/portal/entries/{second.id}/dispute"


def test_back_after_sending_finds_the_dispute_sent_and_sending_again_makes_no_second(
    resident_client, resident
):
    entry = factories.make_entry(resident)
    path = f"/portal/entries/{entry.id}/dispute"
    _answer(resident_client, entry, reason="hoax", statement="I was away that week")
    token = csrf_token(resident_client, f"{path}/check")
    resident_client.post(f"{path}/check", data={"csrf_token": token})

    back = resident_client.get(f"{path}/check")
    again = resident_client.post(f"{path}/check", data={"csrf_token": token})

    assert back.status_code == 302 and back.headers["Location"] == path
    assert again.status_code == 302 and again.headers["Location"] == path
    assert "You have already told us this entry is wrong" in resident_client.get(path).get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count()).select_from(Dispute)) == 1


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"statement": "I was away"}, "Select why the entry is wrong"),
        ({"reason": "hoax", "statement": "  "}, "Tell us what is wrong with the entry"),
        ({"reason": "made-up", "statement": "x"}, "Not a valid choice"),
        ({"reason": "hoax", "statement": "x" * 2001}, "must be 2000 characters or fewer"),
    ],
    ids=["no-reason", "no-statement", "unknown-reason", "too-long"],
)
def test_a_dispute_with_missing_answers_redirects_to_govuk_errors_keeping_what_was_typed(
    resident_client, resident, fields, error
):
    entry = factories.make_entry(resident)
    path = f"/portal/entries/{entry.id}/dispute"

    response = _answer(resident_client, entry, **fields)

    assert response.status_code == 302 and response.headers["Location"] == path
    page = resident_client.get(path).get_data(as_text=True)
    assert "<title>Error: Tell us this entry is wrong" in page
    assert "govuk-error-summary" in page
    assert error in page
    assert f"{fields['statement'].strip()}</textarea>" in page
    again = resident_client.get(path).get_data(as_text=True)
    assert "govuk-error-summary" not in again, "the errors belong to the answer sent, once"


def test_a_confirmation_without_checked_answers_sends_the_resident_back_to_the_form(
    resident_client, resident
):
    entry = factories.make_entry(resident)
    path = f"/portal/entries/{entry.id}/dispute"

    response = resident_client.post(
        f"{path}/check",
        data={"csrf_token": csrf_token(resident_client, path), "reason": "x", "statement": "y"},
    )

    assert response.headers["Location"] == path
    assert count_rows(Dispute) == 0


def test_a_refusal_when_sending_is_shown_on_the_form(resident_client, resident):
    entry = factories.make_entry(resident)
    path = f"/portal/entries/{entry.id}/dispute"
    _answer(resident_client, entry, reason="hoax", statement="I was away that week")
    token = csrf_token(resident_client, f"{path}/check")
    db.session.execute(
        update(PortalSession).values(
            dispute_draft={"entry": entry.id, "reason": "hoax", "statement": "   "}
        )
    )
    db.session.commit()

    sent = resident_client.post(f"{path}/check", data={"csrf_token": token})

    assert sent.headers["Location"] == path
    assert db.session.scalar(select(func.count()).select_from(Dispute)) == 0


def test_the_resident_sees_their_dispute_and_its_outcome(resident_client, resident):
    entry = factories.make_entry(resident)
    dispute = disputes.open_dispute_from_portal(
        resident.id, entry.id, DisputeReason.HOAX, "No", now=clock.now()
    )
    factories.decide_dispute(dispute, DisputeStatus.NOT_UPHELD, "Our team found the leak")

    page = resident_client.get(f"/portal/disputes/{dispute.id}").get_data(as_text=True)

    assert "Not upheld: the entry stands" in page
    assert "Our team found the leak" in page
    assert "Information Commissioner" in page


def test_the_resident_revokes_a_permission_after_confirming(resident_client, resident):
    permission, _ = factories.make_permission(
        resident, name="Dana Okafor", kind=PermissionKind.WRITTEN
    )
    page = resident_client.get("/portal/your-record").get_data(as_text=True)
    assert "Dana Okafor" in page
    path = f"/portal/permissions/{permission.id}/revoke"
    confirm = resident_client.get(path).get_data(as_text=True)
    assert "Take away Dana Okafor" in confirm and "permission?</h1>" in confirm

    response = resident_client.post(path, data={"csrf_token": csrf_token(resident_client, path)})

    assert response.headers["Location"] == "/portal/your-record"
    db.session.expire_all()
    assert db.session.get(Permission, permission.id).revoked_at is not None
    again = resident_client.post(path, data={"csrf_token": csrf_token(resident_client, path)})
    assert "already been revoked" in again.get_data(as_text=True)


def test_another_residents_entry_dispute_and_permission_are_not_found(
    resident_client, resident, neighbour
):
    entry = factories.make_entry(neighbour)
    dispute = disputes.open_dispute_from_portal(
        neighbour.id, entry.id, DisputeReason.HOAX, "No", now=clock.now()
    )
    permission, _ = factories.make_permission(neighbour)
    token = csrf_token(resident_client, "/portal/your-record")
    attempts = [
        ("GET", f"/portal/entries/{entry.id}/dispute", None),
        ("POST", f"/portal/entries/{entry.id}/dispute", {"reason": "hoax", "statement": "x"}),
        ("POST", f"/portal/entries/{entry.id}/dispute/check", {"reason": "hoax", "statement": "x"}),
        ("GET", f"/portal/disputes/{dispute.id}", None),
        ("GET", f"/portal/disputes/{dispute.id}/sent", None),
        ("GET", f"/portal/permissions/{permission.id}/revoke", None),
        ("POST", f"/portal/permissions/{permission.id}/revoke", {}),
        ("GET", "/portal/entries/999999/dispute", None),
        ("GET", "/portal/disputes/999999", None),
    ]

    for method, path, data in attempts:
        body = None if data is None else {"csrf_token": token, **data}
        response = resident_client.open(path, method=method, data=body)
        assert response.status_code == 404, (method, path)

    db.session.expire_all()
    assert db.session.get(Permission, permission.id).revoked_at is None
    assert count_rows(Dispute) == 1
    page = resident_client.get("/portal/your-record").get_data(as_text=True)
    assert "Olive" not in page and "Tranter" not in page


def test_the_record_page_shows_no_reporter_details_for_the_residents_own_report(
    resident_client, resident
):
    factories.make_entry(
        resident, summary="Asked for a bulky waste pickup", reporter_relationship=Relationship.SELF
    )

    page = resident_client.get("/portal/your-record").get_data(as_text=True)

    assert re.search(r"Who told us\s*</dt>\s*<dd[^>]*>\s*You\s*<", page)


def test_a_page_not_found_in_the_portal_is_told_in_the_portals_own_pages(client):
    response = client.get("/portal/no-such-page")

    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page not found" in page
    assert "Your council record" in page
    assert "Go to the console" not in page
