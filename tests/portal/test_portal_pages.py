"""What a signed-in resident sees and does, and what they can never reach by any address."""

import re

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Dispute, Entry, Permission
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


def test_the_resident_disputes_an_entry_through_check_your_answers(resident_client, resident):
    entry = factories.make_entry(resident)
    path = f"/portal/entries/{entry.id}/dispute"
    token = csrf_token(resident_client, path)

    check = resident_client.post(
        path,
        data={"csrf_token": token, "reason": "hoax", "statement": "I was away that week"},
    )
    page = check.get_data(as_text=True)
    assert "Check your answers" in page
    assert db.session.get(Entry, entry.id).status is EntryStatus.ACTIVE
    sent = resident_client.post(f"{path}/check", data=hidden_inputs(page))

    dispute = db.session.scalar(select(Dispute))
    assert sent.headers["Location"] == f"/portal/disputes/{dispute.id}/sent"
    confirmation = resident_client.get(sent.headers["Location"]).get_data(as_text=True)
    assert f"<strong>{dispute.id}</strong>" in confirmation
    assert f"{dispute.due_on.day} {dispute.due_on:%B %Y}" in confirmation
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).status is EntryStatus.DISPUTED


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"statement": "I was away"}, "Select why the entry is wrong"),
        ({"reason": "hoax", "statement": "  "}, "Tell us what is wrong with the entry"),
        ({"reason": "made-up", "statement": "x"}, "Not a valid choice"),
    ],
    ids=["no-reason", "no-statement", "unknown-reason"],
)
def test_a_dispute_with_missing_answers_shows_govuk_errors(
    resident_client, resident, fields, error
):
    entry = factories.make_entry(resident)
    path = f"/portal/entries/{entry.id}/dispute"

    response = resident_client.post(
        path, data={"csrf_token": csrf_token(resident_client, path), **fields}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Tell us this entry is wrong" in page
    assert "govuk-error-summary" in page
    assert error in page


def test_a_tampered_confirmation_sends_the_resident_back_to_the_form(resident_client, resident):
    entry = factories.make_entry(resident)
    path = f"/portal/entries/{entry.id}/dispute"

    response = resident_client.post(
        f"{path}/check",
        data={"csrf_token": csrf_token(resident_client, path), "reason": "x", "statement": "y"},
    )

    assert response.headers["Location"] == path
    assert count_rows(Dispute) == 0


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
