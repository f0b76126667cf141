"""The supervisor's screens for permissions: record, list, revoke, close a matter."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, Permission
from app.rules.permissions import PermissionState, permission_state
from app.rules.vocabulary import PermissionEventKind, PermissionKind, Role
from app.services import permissions
from tests.helpers import count_rows, csrf_token
from tests.permissions.data import FORM, TODAY, evidence, representative, terms


def _post_new(client, resident, **changes):
    data = FORM | changes
    path = f"/residents/{resident.id}/permissions/new"
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data})


def _recorded_url() -> str:
    return f"/permissions/{db.session.scalars(select(Permission.id)).one()}/recorded"


def test_recording_a_permission_shows_its_passcode_once(signed_in_supervisor, resident):
    response = _post_new(signed_in_supervisor, resident)

    assert response.status_code == 200
    first = response.get_data(as_text=True)
    second = signed_in_supervisor.get(_recorded_url()).get_data(as_text=True)
    passcode = re.search(r'<strong id="passcode">([A-Z0-9]{4}-[A-Z0-9]{4})</strong>', first)
    assert passcode, first
    assert "This passcode will not be shown again" in first
    assert passcode.group(1) not in second
    assert 'id="passcode"' not in second
    assert "has already been shown and cannot be shown again" in second
    permission = db.session.scalars(select(Permission)).one()
    assert permissions.check_representative_passcode(permission, passcode.group(1))
    assert permission.holder_phone == "+447700900456"
    assert permission.lpa_access_code == "V-ABCD-1234-EFGH"
    assert permission.starts_on == date(2024, 5, 1)
    assert permission.area_codes == frozenset({"council-tax"})


def test_another_supervisor_never_sees_the_passcode(signed_in_client, resident):
    recorder = signed_in_client(Role.SUPERVISOR)
    other = signed_in_client(Role.SUPERVISOR)
    response = _post_new(recorder, resident)

    seen_by_other = other.get(_recorded_url()).get_data(as_text=True)

    assert 'id="passcode"' not in seen_by_other
    assert 'id="passcode"' in response.get_data(as_text=True)


def test_a_permission_checked_by_text_shows_no_passcode(signed_in_supervisor, resident):
    response = _post_new(signed_in_supervisor, resident, check="sms")

    page = response.get_data(as_text=True)

    assert 'id="passcode"' not in page
    assert "the handler sends a code by text to 07700 900456" in page


def test_all_council_services_and_disclosure_only_are_recorded(signed_in_supervisor, resident):
    _post_new(
        signed_in_supervisor,
        resident,
        kind="written",
        lpa_access_code="",
        areas=["all"],
        may_act="disclosure-only",
        expires_on=["1", "3", str(TODAY.year + 2)],
        matter="Council tax arrears",
    )

    permission = db.session.scalars(select(Permission)).one()
    assert permission.kind is PermissionKind.WRITTEN
    assert permission.all_areas
    assert not permission.may_act
    assert permission.expires_on == date(TODAY.year + 2, 3, 1)
    assert permission.matter == "Council tax arrears"


SAFEGUARDING = "Confirm the safeguarding questions before recording a permission"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"holder_name": "  "}, "Enter the representative&#39;s full name"),
        ({"holder_relationship": ""}, "Select the representative&#39;s relationship"),
        ({"holder_phone": ""}, "Enter the representative&#39;s phone number"),
        ({"holder_phone": "0770090"}, "phone number in the correct format, like 07700 900123"),
        ({"holder_phone": "01234 5"}, "phone number in the correct format"),
        ({"holder_email": "grace.example.com"}, "Enter an email address in the correct format"),
        ({"kind": ""}, "Select the kind of permission"),
        ({"kind": "verbal"}, "Not a valid choice"),
        ({"evidence_reference": ""}, "Enter the evidence reference"),
        ({"kind": "dwp-appointee", "areas": ["benefits"]}, "Only a Lasting Power of Attorney"),
        ({"lpa_access_code": "ABC"}, "Enter the access code as it was given"),
        ({"starts_on": ["", "", ""]}, "Enter the start date"),
        ({"starts_on": ["1", "", "2024"]}, "The start date must include a month"),
        ({"starts_on": ["31", "2", "2024"]}, "The start date must be a real date"),
        ({"starts_on": ["1", "5", "24"]}, "The start date must be a real date"),
        ({"expires_on": ["1", "5", "2024"]}, "The expiry date must be after the start date"),
        ({"expires_on": ["", "", "2030"]}, "The expiry date must include a day"),
        ({"expires_on": ["2", "5", "2024"]}, "The expiry date must be in the future"),
        ({"areas": []}, "Select all council services, or at least one service area"),
        ({"areas": ["all", "housing"]}, "not both"),
        ({"areas": ["parking"]}, "Select service areas from the list"),
        (
            {"kind": "lpa-health-welfare", "areas": ["council-tax"]},
            "does not cover council tax",
        ),
        ({"may_act": ""}, "Select what the representative may do"),
        ({"check": ""}, "Select how the representative will prove who they are"),
        ({"safeguarding": []}, SAFEGUARDING),
        ({"safeguarding": ["given-freely", "understands"]}, SAFEGUARDING),
        ({"matter": "x" * 501}, "Matter must be 500 characters or fewer"),
    ],
    ids=[
        "no-name",
        "no-relationship",
        "no-phone",
        "phone-too-short",
        "phone-not-a-real-number",
        "bad-email",
        "no-kind",
        "verbal-is-not-written",
        "no-evidence-reference",
        "access-code-for-an-appointee",
        "access-code-malformed",
        "no-start-date",
        "start-date-without-month",
        "start-date-not-real",
        "start-date-two-digit-year",
        "expiry-on-start-date",
        "expiry-without-day",
        "expiry-already-past",
        "no-areas",
        "all-and-some-areas",
        "unknown-area",
        "kind-cannot-reach-areas",
        "no-may-act",
        "no-check",
        "no-safeguarding",
        "safeguarding-partly",
        "matter-too-long",
    ],
)
def test_the_form_explains_each_problem_and_records_nothing(
    signed_in_supervisor, resident, changes, message
):
    response = _post_new(signed_in_supervisor, resident, **changes)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Record a permission" in page
    assert "There is a problem" in page
    assert message in page
    assert count_rows(Permission) == 0


def test_the_form_keeps_what_was_typed_when_it_shows_errors(signed_in_supervisor, resident):
    response = _post_new(signed_in_supervisor, resident, safeguarding=[])

    page = response.get_data(as_text=True)
    assert 'value="Grace Okafor"' in page
    assert 'value="2024"' in page
    assert 'value="council-tax" checked' in page


def test_the_form_offers_written_kinds_all_services_and_the_safeguarding_questions(
    signed_in_supervisor, resident
):
    page = signed_in_supervisor.get(f"/residents/{resident.id}/permissions/new").get_data(
        as_text=True
    )

    assert "Lasting Power of Attorney (health and welfare)" in page
    assert 'value="verbal"' not in page
    assert "All council services" in page
    assert 'data-behaviour="exclusive"' in page
    assert "Nobody is pressing the resident to give it" in page
    assert 'name="starts_on"' in page


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/residents/{resident}/permissions/new"),
        ("POST", "/residents/{resident}/permissions/new"),
        ("GET", "/permissions/{permission}/revoke"),
        ("POST", "/permissions/{permission}/revoke"),
        ("GET", "/permissions/{permission}/close-matter"),
        ("POST", "/permissions/{permission}/close-matter"),
        ("GET", "/permissions/{permission}/recorded"),
        ("GET", "/permissions"),
    ],
    ids=[
        "new-form",
        "new-submit",
        "revoke-form",
        "revoke-submit",
        "close-matter-form",
        "close-matter-submit",
        "recorded",
        "recent",
    ],
)
def test_handlers_cannot_record_or_revoke_permissions(
    signed_in_handler, grant_written, resident, method, path
):
    permission = grant_written(terms_=terms(matter="Arrears")).permission
    url = path.format(resident=resident.id, permission=permission.id)
    data = {"csrf_token": csrf_token(signed_in_handler, "/calls"), **FORM, "reason": "Asked"}

    response = signed_in_handler.open(url, method=method, data=data if method == "POST" else None)

    assert response.status_code == 403
    saved = db.session.get(Permission, permission.id)
    assert saved.revoked_at is None
    assert saved.matter_closed_at is None
    assert count_rows(Permission) == 1


def test_handlers_cannot_list_a_residents_permissions_outside_a_call(
    signed_in_handler, grant_written, resident
):
    grant_written()

    response = signed_in_handler.get(f"/residents/{resident.id}/permissions")

    assert response.status_code == 403
    assert "Grace Okafor" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/residents/999999/permissions"),
        ("GET", "/residents/999999/permissions/new"),
        ("POST", "/residents/999999/permissions/new"),
        ("GET", "/permissions/999999/recorded"),
        ("GET", "/permissions/999999/revoke"),
        ("POST", "/permissions/999999/revoke"),
        ("GET", "/permissions/999999/close-matter"),
        ("POST", "/permissions/999999/close-matter"),
        ("GET", "/permissions?page=2"),
        ("GET", "/permissions?page=0"),
    ],
    ids=[
        "list",
        "new-form",
        "new-submit",
        "recorded",
        "revoke-form",
        "revoke-submit",
        "close-form",
        "close-submit",
        "page-past-the-end",
        "page-zero",
    ],
)
def test_unknown_ids_and_pages_are_not_found(signed_in_supervisor, method, path):
    data = {"csrf_token": csrf_token(signed_in_supervisor, "/permissions"), "reason": "x"}

    response = signed_in_supervisor.open(
        path, method=method, data=data if method == "POST" else None
    )

    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_the_list_shows_status_scope_expiry_and_history(
    signed_in_supervisor, grant_written, supervisor, resident
):
    grant_written(
        representative_=representative(name="Active Annie"),
        terms_=terms(areas=frozenset({"council-tax", "benefits"}), expires_on=date(2031, 3, 1)),
    )
    revoked = grant_written(representative_=representative(name="Revoked Rob")).permission
    permissions.revoke(
        db.session.get(Permission, revoked.id), supervisor, "Resident asked us", now=clock.now()
    )
    grant_written(
        representative_=representative(name="Future Fay"),
        evidence_=evidence(starts_on=TODAY + timedelta(days=5)),
    )

    page = signed_in_supervisor.get(f"/residents/{resident.id}/permissions").get_data(as_text=True)

    assert "Active Annie" in page
    assert "Benefits and council tax" in page
    assert "1 March 2031" in page
    assert "Revoked Rob" in page
    assert "Resident asked us" in page
    assert "Not started yet" in page
    assert page.count(">Granted<") == 3
    assert page.count('govuk-tag--red">Revoked<') == 1
    assert page.count('<td class="govuk-table__cell">Revoked</td>') == 1
    assert page.count(">Revoke<") == 2  # only permissions not revoked yet


def test_a_resident_without_permissions_is_told_so(signed_in_supervisor, resident):
    page = signed_in_supervisor.get(f"/residents/{resident.id}/permissions").get_data(as_text=True)

    assert "has not given anyone permission to speak for them" in page
    assert "Record a permission from written evidence" in page


def test_viewing_a_residents_permissions_is_audited(signed_in_supervisor, grant_written, resident):
    permission = grant_written().permission

    signed_in_supervisor.get(f"/residents/{resident.id}/permissions")

    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "permissions.viewed")
    ).one()
    assert event.staff_id == signed_in_supervisor.user.id
    assert event.resident_id == resident.id
    assert event.detail["permissions"] == [permission.id]


def test_revoking_asks_for_a_reason_then_takes_effect_at_once(
    signed_in_supervisor, grant_written, resident
):
    permission = grant_written().permission
    path = f"/permissions/{permission.id}/revoke"
    token = csrf_token(signed_in_supervisor, path)
    confirmation = signed_in_supervisor.get(path).get_data(as_text=True)

    refused = signed_in_supervisor.post(path, data={"csrf_token": token, "reason": " "})
    revoked = signed_in_supervisor.post(path, data={"csrf_token": token, "reason": "Asked us"})

    assert "This takes effect at once, also on a call in progress" in confirmation
    assert "Enter why the permission is being revoked" in refused.get_data(as_text=True)
    assert revoked.status_code == 302
    assert revoked.headers["Location"] == f"/residents/{resident.id}/permissions"
    saved = db.session.get(Permission, permission.id)
    assert permission_state(permissions.facts_for(saved), TODAY) is PermissionState.REVOKED
    assert saved.revoked_by_id == signed_in_supervisor.user.id
    assert [e.kind for e in saved.events][-1] is PermissionEventKind.REVOKED
    listing = signed_in_supervisor.get(revoked.headers["Location"]).get_data(as_text=True)
    assert "Permission revoked. It no longer applies" in listing
    assert "Grace Okafor" in listing


def test_a_revoked_permission_cannot_be_revoked_again(signed_in_supervisor, grant_written):
    permission = grant_written().permission
    path = f"/permissions/{permission.id}/revoke"
    token = csrf_token(signed_in_supervisor, path)
    signed_in_supervisor.post(path, data={"csrf_token": token, "reason": "First"})

    again = signed_in_supervisor.get(path)

    assert again.status_code == 302
    assert db.session.get(Permission, permission.id).revocation_reason == "First"


def test_closing_the_matter_ends_the_permission(signed_in_supervisor, grant_written):
    permission = grant_written(terms_=terms(matter="Council tax arrears")).permission
    path = f"/permissions/{permission.id}/close-matter"
    token = csrf_token(signed_in_supervisor, path)

    response = signed_in_supervisor.post(path, data={"csrf_token": token, "reason": "Paid"})

    assert response.status_code == 302
    saved = db.session.get(Permission, permission.id)
    assert permission_state(permissions.facts_for(saved), TODAY) is PermissionState.MATTER_CLOSED
    page = signed_in_supervisor.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ended: the matter it was for is closed" in page


def test_recent_changes_are_listed_newest_first(
    signed_in_supervisor, grant_written, supervisor, resident
):
    first = grant_written(representative_=representative(name="First Fiona")).permission
    permissions.revoke(db.session.get(Permission, first.id), supervisor, "Asked", now=clock.now())
    grant_written(representative_=representative(name="Second Sam"))

    page = signed_in_supervisor.get("/permissions").get_data(as_text=True)

    assert "3 changes to permissions" in page
    assert page.index("Second Sam") < page.index("First Fiona")
    assert f'href="/residents/{resident.id}/permissions"' in page


def test_recent_changes_have_an_empty_state(signed_in_supervisor):
    page = signed_in_supervisor.get("/permissions").get_data(as_text=True)

    assert "No permissions have been recorded or revoked yet." in page


def test_the_passcode_is_never_kept_in_the_session_cookie(signed_in_supervisor, resident):
    response = _post_new(signed_in_supervisor, resident)
    passcode = re.search(r'<strong id="passcode">([A-Z0-9-]{9})</strong>', response.get_data(
        as_text=True)).group(1)  # fmt: skip

    with signed_in_supervisor.session_transaction() as session:
        kept = str(dict(session))

    assert passcode not in kept
    assert passcode.replace("-", "") not in kept


def test_the_passcode_never_reaches_the_audit_trail_or_history(signed_in_supervisor, resident):
    response = _post_new(signed_in_supervisor, resident)
    page = response.get_data(as_text=True)
    passcode = re.search(r'<strong id="passcode">([A-Z0-9-]{9})</strong>', page).group(1)

    stored = [str(event.detail) for event in db.session.scalars(select(AuditEvent))]
    stored += [str(p.__dict__) for p in db.session.scalars(select(Permission))]

    assert all(passcode not in text and passcode.replace("-", "") not in text for text in stored)
