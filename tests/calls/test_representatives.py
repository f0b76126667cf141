"""A representative on a call: their own check, and exactly their permission's scope."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Entry, VerificationAttempt
from app.rules.dates import long_date
from app.rules.vocabulary import PermissionKind, Relationship, Role, ServiceArea
from app.services import permissions as permission_service
from tests import factories


def _entry(resident, area: ServiceArea, summary: str) -> None:
    db.session.add(
        Entry(
            resident_id=resident.id, area_code=area.value, category="enquiry", summary=summary,
            urgency="routine", reporter_relationship=Relationship.SELF, reporter_verified=True,
        )
    )  # fmt: skip
    db.session.commit()


@pytest.fixture
def lpa(resident):
    _entry(resident, ServiceArea.COUNCIL_TAX, "Council tax band query")
    _entry(resident, ServiceArea.ADULT_SOCIAL_CARE, "Care package review")
    return factories.make_permission(resident, kind=PermissionKind.LPA_PROPERTY_FINANCIAL)


def _as_representative(call, permission):
    return call.post(
        "/caller",
        {"caller-caller_type": "representative", "caller-permission_id": str(permission.id)},
    )


def _representative_calls(start_call, handler, resident, permission):
    """A call about `resident` from the holder of `permission`, recorded as their
    representative and not yet verified."""
    call = start_call(handler)
    call.select(resident)
    _as_representative(call, permission)
    return call


def test_before_verification_only_the_holders_name_and_kind_are_shown(
    signed_in_handler, start_call, resident, lpa
):
    _permission, _ = lpa
    call = start_call(signed_in_handler)
    call.select(resident)

    page = call.page()

    assert "Dana Okafor (Lasting Power of Attorney (property and financial))" in page
    assert "LPA-2024-001" not in page
    assert "07700 900456" not in page
    assert "Council tax band query" not in page


def test_a_verified_attorney_hears_about_money_matters_only(
    signed_in_handler, start_call, resident, lpa
):
    permission, passcode = lpa
    call = _representative_calls(start_call, signed_in_handler, resident, permission)

    page = call.post("/verify", {"rep-passcode": passcode.lower().replace("-", " ")}).get_data(
        as_text=True
    )

    assert "May discuss benefits, council tax and housing: Lasting Power of Attorney" in page
    assert "Council tax band query" in page
    assert "Care package review" not in page


def test_a_representative_is_never_verified_by_the_residents_answers(
    signed_in_handler, start_call, resident, lpa
):
    permission, _ = lpa
    call = _representative_calls(start_call, signed_in_handler, resident, permission)

    page = call.verify(date_of_birth="14/3/1948", postcode="LE1 5AB").get_data(as_text=True)

    assert "Only a caller recorded as the resident can answer" in page
    assert "Do not disclose: caller not verified" in page
    assert db.session.scalar(select(VerificationAttempt)) is None
    assert "Date of birth" not in call.page().split('id="verify-heading"')[1].split("</section>")[0]


def test_a_wrong_passcode_is_a_failed_attempt_towards_the_lock(
    signed_in_handler, start_call, resident, lpa
):
    permission, _ = lpa
    call = _representative_calls(start_call, signed_in_handler, resident, permission)

    page = call.post("/verify", {"rep-passcode": "WRONG-CODE"}).get_data(as_text=True)

    assert "No match" in page
    attempt = db.session.scalar(select(VerificationAttempt))
    assert attempt.result.value == "failed"
    assert attempt.factors_failed == "representative-passcode"


def test_revoking_the_permission_mid_call_stops_disclosure_at_the_next_request(
    signed_in_handler, start_call, resident, lpa
):
    permission, passcode = lpa
    call = _representative_calls(start_call, signed_in_handler, resident, permission)
    call.post("/verify", {"rep-passcode": passcode})
    assert "Council tax band query" in call.record_fragment()

    permission_service.revoke(
        permission, factories.make_staff(Role.SUPERVISOR), "Resident asked", now=clock.now()
    )

    fragment = call.record_fragment()
    assert f"Do not disclose: permission revoked on {long_date(clock.today())}" in fragment
    assert "Council tax band query" not in fragment


def test_a_disclosure_only_representative_cannot_report_a_change_of_circumstances(
    signed_in_handler, start_call, resident
):
    permission, passcode = factories.make_permission(resident, may_act=False)
    call = _representative_calls(start_call, signed_in_handler, resident, permission)
    call.post("/verify", {"rep-passcode": passcode})

    refused = call.report(area="council-tax", category="change-of-circumstances")
    accepted = call.report(area="housing", category="repair", summary="Broken window")

    assert "disclosure only" in refused.get_data(as_text=True)
    assert accepted.status_code == 302
    entries = db.session.scalars(select(Entry)).all()
    assert [e.summary for e in entries] == ["Broken window"]
    assert entries[0].reporter_verified
    assert entries[0].reporter_name == "Dana Okafor"


def test_a_permission_of_another_resident_cannot_be_used(signed_in_handler, start_call, resident):
    other = factories.make_resident(forename="Olu", surname="Bello", postcode="LE4 1AA")
    permission, _ = factories.make_permission(other)
    call = start_call(signed_in_handler)
    call.select(resident)

    response = _as_representative(call, permission)

    assert response.status_code == 200
    assert "Select the permission the caller says they hold" in response.get_data(as_text=True)


def test_expired_permissions_are_not_offered(signed_in_handler, start_call, resident):
    factories.make_permission(
        resident, starts_on=clock.today() - timedelta(days=400),
        expires_on=clock.today() + timedelta(days=1), name="Still Valid",
    )  # fmt: skip
    call = start_call(signed_in_handler)
    call.select(resident)

    assert "Still Valid" in call.page()
    assert "Nobody has the resident" not in call.page()


def test_a_verified_resident_gives_verbal_consent_and_the_passcode_is_shown_once(
    call_on_record, resident
):
    consent = {
        "consent-holder_name": "Chris Okafor",
        "consent-holder_relationship": "child",
        "consent-holder_phone": "07700 900777",
        "consent-areas": "housing",
        "consent-may_act": "may-act",
        "consent-check": "passcode",
        "consent-safeguarding": ["given-freely", "nobody-pressing", "understands"],
    }
    refused = call_on_record.post("/consent", consent).get_data(as_text=True)
    call_on_record.caller("resident")
    call_on_record.verify(date_of_birth="14/3/1948", postcode="LE1 5AB")

    granted = call_on_record.post("/consent", consent).get_data(as_text=True)

    assert "Only the resident, verified on this call" in refused
    assert "Verbal consent recorded for Chris Okafor" in granted
    assert "It will not be shown again" in granted
    assert "Verbal consent recorded" not in call_on_record.page()
    holders = permission_service.holders_for_call(resident.id, clock.today())
    assert [h.holder_name for h in holders] == ["Chris Okafor"]
