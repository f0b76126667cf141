"""Recording, checking and revoking permissions, on the real database (docs/rules.md rule 4)."""

from dataclasses import fields
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.models import AuditEvent, Permission, PermissionEvent
from app.models.types import utcnow
from app.refusals import Refused
from app.rules.disclosure import CallerOnCall, VerifiedAs, decide_disclosure
from app.rules.permissions import PermissionState, default_verbal_expiry, permission_state
from app.rules.vocabulary import (
    PermissionEventKind,
    PermissionKind,
    Relationship,
    RepresentativeCheck,
    ServiceArea,
)
from app.services import permissions
from app.services.permissions import Safeguarding
from tests import factories
from tests.helpers import count_rows
from tests.permissions.data import CONFIRMED, TODAY, evidence, representative, terms

EVERY_AREA = frozenset(area.value for area in ServiceArea)


def _every_stored_value() -> str:
    """Every value in every column of every table, as one text."""
    values = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()):
            values.extend(str(value) for value in row)
    return "\n".join(values)


UNCONFIRMED = [
    Safeguarding(False, True, True),
    Safeguarding(True, False, True),
    Safeguarding(True, True, False),
    Safeguarding(False, False, False),
]
UNCONFIRMED_IDS = ["not-freely", "someone-pressing", "does-not-understand", "none"]


@pytest.mark.parametrize("safeguarding", UNCONFIRMED, ids=UNCONFIRMED_IDS)
def test_a_written_permission_is_refused_without_every_safeguarding_answer(
    grant_written, safeguarding
):
    with pytest.raises(Refused) as refused:
        grant_written(safeguarding=safeguarding)

    assert refused.value.message == (
        "Confirm the safeguarding questions before recording a permission"
    )
    assert refused.value.field == "safeguarding"
    assert count_rows(Permission) == 0
    assert count_rows(PermissionEvent) == 0


@pytest.mark.parametrize("safeguarding", UNCONFIRMED, ids=UNCONFIRMED_IDS)
def test_verbal_consent_is_refused_without_every_safeguarding_answer(
    make_call, handler, safeguarding
):
    call = make_call(VerifiedAs.RESIDENT)

    with pytest.raises(Refused, match="Confirm the safeguarding questions"):
        permissions.grant_verbal_consent(call, representative(), terms(), safeguarding, handler)

    assert count_rows(Permission) == 0


@pytest.mark.parametrize(
    "verified_as",
    [VerifiedAs.NOBODY, VerifiedAs.REPRESENTATIVE],
    ids=["caller-not-verified", "caller-verified-as-a-representative"],
)
def test_verbal_consent_is_refused_unless_the_caller_is_verified_as_the_resident(
    make_call, handler, verified_as
):
    call = make_call(verified_as)

    with pytest.raises(Refused) as refused:
        permissions.grant_verbal_consent(call, representative(), terms(), CONFIRMED, handler)

    assert refused.value.message == (
        "Only the resident, verified on this call, can give verbal consent"
    )
    assert count_rows(Permission) == 0


def test_verbal_consent_is_refused_once_the_call_has_ended(make_call, handler):
    call = make_call(VerifiedAs.RESIDENT, ended_at=utcnow())

    with pytest.raises(Refused, match="The call has ended"):
        permissions.grant_verbal_consent(call, representative(), terms(), CONFIRMED, handler)


def test_verbal_consent_is_refused_before_a_record_is_chosen(make_call, handler):
    call = make_call(VerifiedAs.RESIDENT, resident_id=None)

    with pytest.raises(Refused, match="Choose the resident's record"):
        permissions.grant_verbal_consent(call, representative(), terms(), CONFIRMED, handler)


@pytest.mark.parametrize("months", [12, 6], ids=["default-12-months", "configured-6-months"])
def test_verbal_consent_from_the_verified_resident_expires_after_the_configured_months(
    app, make_call, handler, months, monkeypatch
):
    monkeypatch.setitem(app.config, "VERBAL_CONSENT_MONTHS", months)
    call = make_call(VerifiedAs.RESIDENT)

    granted = permissions.grant_verbal_consent(
        call, representative(), terms(), CONFIRMED, handler, today=date(2028, 2, 29)
    )

    saved = db.session.get(Permission, granted.permission.id)
    assert saved.kind is PermissionKind.VERBAL
    assert saved.starts_on == date(2028, 2, 29)
    assert saved.expires_on == default_verbal_expiry(date(2028, 2, 29), months)
    assert saved.granted_on_call_id == call.id
    assert saved.evidence_reference is None
    assert granted.passcode


def test_verbal_consent_may_be_given_for_less_than_the_default(make_call, handler):
    call = make_call(VerifiedAs.RESIDENT)
    next_month = TODAY + timedelta(days=30)

    granted = permissions.grant_verbal_consent(
        call, representative(), terms(expires_on=next_month), CONFIRMED, handler
    )

    assert db.session.get(Permission, granted.permission.id).expires_on == next_month


def test_a_written_permission_records_its_evidence_scope_and_safeguarding(
    grant_written, supervisor, resident
):
    granted = grant_written(
        terms_=terms(areas=frozenset({"council-tax", "benefits"}), may_act=False)
    )

    saved = db.session.get(Permission, granted.permission.id)
    assert saved.resident_id == resident.id
    assert saved.holder_name == "Grace Okafor"
    assert saved.holder_relationship is Relationship.CHILD
    assert saved.holder_phone == "+447700900456"
    assert saved.holder_email == "grace@example.com"
    assert saved.kind is PermissionKind.LPA_PROPERTY_FINANCIAL
    assert saved.evidence_reference == "7000-1234-5678"
    assert saved.lpa_access_code == "V-ABCD-1234-EFGH"
    assert saved.starts_on == date(2024, 5, 1)
    assert saved.expires_on is None
    assert saved.granted_on_call_id is None
    assert saved.verification_method is RepresentativeCheck.PASSCODE
    assert saved.safeguarding_given_freely
    assert saved.safeguarding_nobody_pressing
    assert saved.safeguarding_understands_scope
    assert saved.safeguarding_confirmed_by_id == supervisor.id
    assert saved.created_by_id == supervisor.id
    facts = permissions.facts_for(saved)
    assert facts.areas == frozenset({"council-tax", "benefits"})
    assert facts.may_act is False
    assert permission_state(facts, TODAY) is PermissionState.ACTIVE


def test_a_permission_for_all_services_is_stored_as_all_not_as_a_list(grant_written):
    granted = grant_written(
        evidence_=evidence(kind=PermissionKind.WRITTEN, lpa_access_code=None),
        terms_=terms(areas=None),
    )

    saved = db.session.get(Permission, granted.permission.id)
    assert saved.all_areas
    assert saved.areas == []
    assert permissions.facts_for(saved).areas is None


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        (
            {"evidence_": evidence(kind=PermissionKind.VERBAL)},
            "Verbal consent is recorded on a call",
            "kind",
        ),
        (
            {"evidence_": evidence(reference="  ")},
            "Enter the evidence reference",
            "evidence_reference",
        ),
        (
            {"evidence_": evidence(kind=PermissionKind.DEPUTYSHIP)},
            "Only a Lasting Power of Attorney has an access code",
            "lpa_access_code",
        ),
        (
            {"evidence_": evidence(lpa_access_code="12")},
            "Enter the access code as it was given",
            "lpa_access_code",
        ),
        (
            {"terms_": terms(expires_on=date(2024, 5, 1))},
            "The expiry date must be in the future",
            "expires_on",
        ),
        (
            {
                "evidence_": evidence(starts_on=TODAY + timedelta(days=10)),
                "terms_": terms(expires_on=TODAY + timedelta(days=5)),
            },
            "The expiry date must be after the start date",
            "expires_on",
        ),
        (
            {"representative_": representative(name=" ")},
            "Enter the representative's",
            "holder_name",
        ),
        (
            {"representative_": representative(phone="12")},
            "phone number in the correct format",
            "holder_phone",
        ),
        (
            {"representative_": representative(relationship=Relationship.SELF)},
            "Select the representative's relationship",
            "holder_relationship",
        ),
        ({"terms_": terms(areas=frozenset())}, "Select all council services", "areas"),
        ({"terms_": terms(areas=frozenset({"parking"}))}, "Select service areas", "areas"),
        (
            {"terms_": terms(areas=frozenset({ServiceArea.ADULT_SOCIAL_CARE.value}))},
            "does not cover adult social care",
            "areas",
        ),
    ],
    ids=[
        "verbal-kind",
        "no-evidence-reference",
        "access-code-for-a-deputyship",
        "access-code-malformed",
        "already-expired",
        "expires-before-it-starts",
        "no-name",
        "bad-phone",
        "representative-is-the-resident",
        "no-areas",
        "unknown-area",
        "lpa-for-money-about-care",
    ],
)
def test_a_written_permission_the_rules_do_not_allow_is_refused(
    grant_written, change, message, field
):
    with pytest.raises(Refused) as refused:
        grant_written(**change)

    assert message in refused.value.message
    assert refused.value.field == field
    assert count_rows(Permission) == 0


def test_only_a_supervisor_can_record_written_evidence(grant_written, handler):
    with pytest.raises(Refused, match="Only a supervisor"):
        grant_written(staff=handler)

    assert count_rows(Permission) == 0


def test_the_passcode_is_never_stored_in_clear(grant_written):
    granted = grant_written()
    passcode = granted.passcode

    stored = _every_stored_value()

    saved = db.session.get(Permission, granted.permission.id)
    assert saved.passcode_hash.startswith("$argon2")
    for form in (passcode, passcode.replace("-", ""), passcode.lower()):
        assert form not in stored


def test_the_passcode_is_two_groups_of_four_from_an_unambiguous_alphabet(grant_written):
    passcode = grant_written().passcode

    first, second = passcode.split("-")
    assert len(first) == len(second) == 4
    assert set(first + second) <= set(permissions.PASSCODE_ALPHABET)
    assert not set("01ILOU") & set(permissions.PASSCODE_ALPHABET)


def test_each_permission_gets_its_own_passcode(grant_written):
    codes = {grant_written().passcode for _ in range(5)}

    assert len(codes) == 5


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: code,
        lambda code: code.lower(),
        lambda code: code.replace("-", ""),
        lambda code: code.replace("-", " "),
        lambda code: f"  {code[:2]} {code[2:]}  ".lower(),
        lambda code: code.replace("-", "\u2013"),
    ],
    ids=["as-shown", "lower-case", "no-hyphen", "space", "extra-spaces", "en-dash"],
)
def test_the_passcode_check_ignores_case_spaces_and_hyphens(grant_written, typed):
    granted = grant_written()
    permission = db.session.get(Permission, granted.permission.id)

    assert permissions.check_representative_passcode(permission, typed(granted.passcode))


@pytest.mark.parametrize(
    "typed",
    [
        lambda code, other: "",
        lambda code, other: code[:-1],
        lambda code, other: code[:-1] + ("2" if code[-1] != "2" else "3"),
        lambda code, other: other,
        lambda code, other: "bluebell",
    ],
    ids=["empty", "too-short", "one-symbol-wrong", "another-permissions-passcode", "secret-word"],
)
def test_a_wrong_passcode_is_refused(grant_written, typed):
    granted = grant_written()
    other = grant_written(representative_=representative(name="Tom Okafor")).passcode
    permission = db.session.get(Permission, granted.permission.id)

    assert not permissions.check_representative_passcode(permission, typed(granted.passcode, other))


def test_a_permission_checked_by_text_has_no_passcode(grant_written):
    granted = grant_written(terms_=terms(check=RepresentativeCheck.SMS))

    saved = db.session.get(Permission, granted.permission.id)
    assert granted.passcode is None
    assert saved.passcode_hash is None
    assert saved.verification_method is RepresentativeCheck.SMS
    assert not permissions.check_representative_passcode(saved, "")


def test_revocation_takes_effect_the_same_second(grant_written, supervisor):
    permission = db.session.get(Permission, grant_written().permission.id)
    caller = CallerOnCall(True, VerifiedAs.REPRESENTATIVE, permissions.facts_for(permission), False)
    assert decide_disclosure(caller, TODAY, EVERY_AREA).allowed

    permissions.revoke(permission, supervisor, "The resident asked on the phone", now=clock.now())

    facts = permissions.facts_for(db.session.get(Permission, permission.id))
    assert permission_state(facts, TODAY) is PermissionState.REVOKED
    caller = CallerOnCall(True, VerifiedAs.REPRESENTATIVE, facts, False)
    disclosure = decide_disclosure(caller, TODAY, EVERY_AREA)
    assert not disclosure.allowed
    assert disclosure.reason.startswith("Do not disclose: permission revoked on")


def test_a_permission_cannot_be_revoked_twice(grant_written, supervisor):
    permission = db.session.get(Permission, grant_written().permission.id)
    permissions.revoke(permission, supervisor, "First", now=clock.now())

    with pytest.raises(Refused, match="already been revoked"):
        permissions.revoke(permission, supervisor, "Second", now=clock.now())

    saved = db.session.get(Permission, permission.id)
    assert saved.revocation_reason == "First"
    assert [e.kind for e in saved.events] == [
        PermissionEventKind.GRANTED,
        PermissionEventKind.REVOKED,
    ]


def test_a_revocation_needs_a_reason(grant_written, supervisor):
    permission = db.session.get(Permission, grant_written().permission.id)

    with pytest.raises(Refused, match="Enter why"):
        permissions.revoke(permission, supervisor, "   ", now=clock.now())

    assert db.session.get(Permission, permission.id).revoked_at is None


def test_granting_and_revoking_write_history_and_audit_in_the_same_change(
    make_call, handler, supervisor, resident
):
    call = make_call(VerifiedAs.RESIDENT)
    granted = permissions.grant_verbal_consent(call, representative(), terms(), CONFIRMED, handler)
    permission = db.session.get(Permission, granted.permission.id)

    permissions.revoke(
        permission, supervisor, "Resident changed their mind", call=call, now=clock.now()
    )

    events = db.session.get(Permission, permission.id).events
    assert [(e.kind, e.staff_id, e.call_id) for e in events] == [
        (PermissionEventKind.GRANTED, handler.id, call.id),
        (PermissionEventKind.REVOKED, supervisor.id, call.id),
    ]
    assert events[0].reason == f"Given by the resident on call {call.id}"
    assert events[1].reason == "Resident changed their mind"
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("permission.%")).order_by(AuditEvent.id)
    ).all()
    assert [(a.action, a.staff_id, a.resident_id) for a in audit] == [
        ("permission.granted", handler.id, resident.id),
        ("permission.revoked", supervisor.id, resident.id),
    ]
    assert audit[0].detail["permission"] == permission.id
    assert audit[0].detail["scope"] == "council tax only"


def test_closing_the_matter_ends_an_issue_limited_permission(grant_written, supervisor):
    granted = grant_written(terms_=terms(matter="Council tax arrears for 2026"))
    permission = db.session.get(Permission, granted.permission.id)

    permissions.close_matter(permission, supervisor, "Arrears paid in full", now=clock.now())

    saved = db.session.get(Permission, permission.id)
    assert saved.matter_closed_at is not None
    assert permission_state(permissions.facts_for(saved), TODAY) is PermissionState.MATTER_CLOSED
    assert saved.events[-1].kind is PermissionEventKind.MATTER_CLOSED
    assert saved.events[-1].reason == "Arrears paid in full"
    assert count_rows(AuditEvent, AuditEvent.action == "permission.matter_closed")


def test_a_permission_without_a_matter_has_no_matter_to_close(grant_written, supervisor):
    permission = db.session.get(Permission, grant_written().permission.id)

    with pytest.raises(Refused, match="not limited to one matter"):
        permissions.close_matter(permission, supervisor, "Done", now=clock.now())


def test_expiries_are_written_to_the_history_once(grant_written):
    expiring = grant_written(terms_=terms(expires_on=TODAY + timedelta(days=1))).permission.id
    lasting = grant_written(representative_=representative(name="Tom")).permission.id

    first = permissions.record_expiries(TODAY + timedelta(days=1))
    second = permissions.record_expiries(TODAY + timedelta(days=2))

    assert (first, second) == (1, 0)
    assert db.session.get(Permission, expiring).events[-1].kind is PermissionEventKind.EXPIRED
    assert db.session.get(Permission, expiring).events[-1].staff_id is None
    assert len(db.session.get(Permission, lasting).events) == 1


def test_holders_for_a_call_are_only_permissions_in_force_and_only_name_and_kind(
    grant_written, supervisor, resident
):
    active = grant_written(representative_=representative(name="Active Annie")).permission.id
    revoked = grant_written(representative_=representative(name="Revoked Rob")).permission
    permissions.revoke(db.session.get(Permission, revoked.id), supervisor, "Asked", now=clock.now())
    grant_written(
        representative_=representative(name="Future Fay"),
        evidence_=evidence(starts_on=TODAY + timedelta(days=3)),
    )
    grant_written(
        representative_=representative(name="Expiring Ed"),
        terms_=terms(expires_on=TODAY + timedelta(days=1)),
    )
    other = factories.make_resident(forename="Other")
    grant_written(resident_id=other.id, representative_=representative(name="Other Olu"))

    today_holders = permissions.holders_for_call(resident.id, TODAY)
    tomorrow_holders = permissions.holders_for_call(resident.id, TODAY + timedelta(days=1))

    assert [field.name for field in fields(permissions.PermissionHolder)] == [
        "id",
        "holder_name",
        "kind_label",
    ]
    assert [(h.holder_name, h.kind_label) for h in today_holders] == [
        ("Active Annie", "Lasting Power of Attorney (property and financial)"),
        ("Expiring Ed", "Lasting Power of Attorney (property and financial)"),
    ]
    assert [h.id for h in tomorrow_holders] == [active]


def test_the_database_refuses_a_permission_without_safeguarding(grant_written):
    granted = grant_written()

    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE permissions SET safeguarding_nobody_pressing = :no WHERE id = :id"),
            {"no": False, "id": granted.permission.id},
        )
        db.session.flush()
    db.session.rollback()


def test_a_revoked_permission_has_no_matter_left_to_close(grant_written, supervisor):
    permission = db.session.get(
        Permission, grant_written(terms_=terms(matter="Arrears")).permission.id
    )
    permissions.revoke(permission, supervisor, "Asked", now=clock.now())

    with pytest.raises(Refused, match="has been revoked"):
        permissions.close_matter(permission, supervisor, "Paid", now=clock.now())


def test_the_expiry_command_records_permissions_whose_expiry_date_has_come(app, grant_written):
    permission_id = grant_written(terms_=terms(expires_on=TODAY + timedelta(days=30))).permission.id
    db.session.execute(
        text("UPDATE permissions SET expires_on = :day WHERE id = :id"),
        {"day": TODAY, "id": permission_id},
    )
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["permissions", "record-expiries"])

    assert result.output == "Recorded 1 expired permission.\n"
    events = db.session.get(Permission, permission_id).events
    assert [e.kind for e in events] == [PermissionEventKind.GRANTED, PermissionEventKind.EXPIRED]
