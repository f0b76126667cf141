"""A resident asks us to end a legal authority; a supervisor checks with them and decides. On
a real database (two supervisors deciding at once: tests/permissions/
test_end_request_concurrency.py)."""

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import (
    AuthorityEndRequest,
    OutboxMessage,
    Permission,
    PermissionEvent,
)
from app.refusals import Refused
from app.rules import authority_ends as rules
from app.rules.authority_ends import Checks
from app.rules.vocabulary import (
    AuthorityEndStatus,
    MessageKind,
    PermissionEventKind,
    PermissionKind,
    Role,
)
from app.services import authority_ends, permissions, portal
from tests import factories
from tests.helpers import audit_events, count_rows
from tests.services.test_portal import _signed_in

ALL_CHECKS = Checks(spoke_alone=True, told_holder=True, told_issuer=True)
ENDED, KEPT = AuthorityEndStatus.ENDED, AuthorityEndStatus.KEPT


@pytest.fixture
def user(resident) -> portal.SignedInResident:
    return _signed_in(resident)


@pytest.fixture
def asked(user, lpa):
    return portal.ask_to_end_permission(user, lpa, "She is pressing me for money", now=clock.now())


def test_asking_records_a_waiting_request_and_leaves_the_permission_in_force(resident, lpa, asked):
    db.session.expire_all()
    saved = db.session.get(AuthorityEndRequest, asked.id)
    assert saved.status is AuthorityEndStatus.WAITING
    assert (saved.permission_id, saved.resident_id) == (lpa.id, resident.id)
    assert saved.resident_note == "She is pressing me for money"
    assert db.session.get(Permission, lpa.id).revoked_at is None
    (event,) = audit_events("authority_end.requested")
    assert event.resident_id == resident.id and event.staff_id is None
    assert event.detail == {
        "request": asked.id,
        "permission": lpa.id,
        "kind": "lpa-property-financial",
        "note_given": True,
        "by": "resident",
    }
    assert "money" not in str(event.detail)  # never the resident's words


def test_asking_again_while_a_request_waits_writes_nothing_new(user, lpa, asked):
    again = portal.ask_to_end_permission(user, lpa, "Again", now=clock.now())

    assert again.id == asked.id
    assert count_rows(AuthorityEndRequest) == 1
    assert len(audit_events("authority_end.requested")) == 1


@pytest.mark.parametrize("kind", [PermissionKind.VERBAL, PermissionKind.WRITTEN], ids=str)
def test_consent_the_resident_gave_is_not_asked_about_but_taken_away(resident, kind):
    if kind is PermissionKind.VERBAL:
        permission = _verbal_consent(resident)
    else:
        permission, _ = factories.make_permission(resident, kind=kind)

    with pytest.raises(Refused) as refused:
        authority_ends.ask_to_end(permission, "", now=clock.now())

    assert refused.value.message == rules.NOT_A_LEGAL_AUTHORITY
    assert count_rows(AuthorityEndRequest) == 0


def _verbal_consent(resident) -> Permission:
    from app.rules.permissions import Representative, Safeguarding, Terms
    from app.rules.vocabulary import Relationship

    handler = factories.make_staff(Role.HANDLER)
    call = factories.make_call(resident, handler)
    return permissions.grant_verbal_consent(
        call,
        Representative("Femi Adeyemi", Relationship.FRIEND, "07700 900458"),
        Terms(areas=None, may_act=False),
        Safeguarding(True, True, True),
        handler,
    ).permission


def test_an_authority_already_revoked_is_not_asked_about(resident, lpa, supervisor):
    permissions.revoke(lpa, supervisor, "Court order ended it", now=clock.now())

    with pytest.raises(Refused) as refused:
        authority_ends.ask_to_end(lpa, "", now=clock.now())

    assert refused.value.message == rules.ALREADY_ENDED


def test_a_note_over_the_limit_is_refused_next_to_its_field(resident, lpa):
    with pytest.raises(Refused) as refused:
        authority_ends.ask_to_end(lpa, "x" * 1001, now=clock.now())

    assert (refused.value.field, refused.value.message) == ("note", rules.NOTE_TOO_LONG)
    assert count_rows(AuthorityEndRequest) == 0


@pytest.mark.parametrize(
    "kind",
    [
        PermissionKind.LPA_PROPERTY_FINANCIAL,
        PermissionKind.LPA_HEALTH_WELFARE,
        PermissionKind.DEPUTYSHIP,
        PermissionKind.DWP_APPOINTEE,
    ],
    ids=str,
)
def test_the_portal_never_revokes_a_legal_authority_at_once(resident, user, kind):
    areas = frozenset({"adult-social-care"}) if kind is PermissionKind.LPA_HEALTH_WELFARE else None
    permission, _ = factories.make_permission(resident, kind=kind, areas=areas)

    with pytest.raises(Refused) as refused:
        portal.revoke_permission(user, permission, now=clock.now())

    assert refused.value.message == rules.NOT_ENDED_WITH_A_TAP
    db.session.expire_all()
    assert db.session.get(Permission, permission.id).revoked_at is None
    assert audit_events("permission.revoked") == []


def test_ending_it_revokes_the_permission_at_once_as_the_supervisor_on_the_residents_request(
    resident, lpa, asked, supervisor
):
    authority_ends.decide(
        asked, ENDED, ALL_CHECKS, "Spoke to her alone; OPG told", supervisor, now=clock.now()
    )

    db.session.expire_all()
    permission = db.session.get(Permission, lpa.id)
    assert permission.revoked_at is not None and permission.revoked_by_id == supervisor.id
    assert permission.revocation_reason == (
        f"Ended by a supervisor on the resident's request {asked.id}: Spoke to her alone; OPG told"
    )
    history = db.session.scalars(
        select(PermissionEvent).where(PermissionEvent.kind == PermissionEventKind.REVOKED)
    ).all()
    assert [(e.permission_id, e.staff_id) for e in history] == [(lpa.id, supervisor.id)]
    saved = db.session.get(AuthorityEndRequest, asked.id)
    assert saved.status is ENDED
    assert (saved.spoke_alone, saved.told_holder, saved.told_issuer) == (True, True, True)
    assert (saved.decided_by_id, saved.decision_reason) == (
        supervisor.id,
        "Spoke to her alone; OPG told",
    )
    (decided,) = audit_events("authority_end.decided")
    assert decided.staff_id == supervisor.id and decided.resident_id == resident.id
    assert decided.detail["outcome"] == "ended" and decided.detail["ended_now"] is True
    assert audit_events("permission.revoked")[0].detail["request"] == asked.id
    message = db.session.scalar(select(OutboxMessage))
    assert message.kind is MessageKind.AUTHORITY_END_DECIDED
    assert message.resident_id == resident.id
    assert "ended it" in message.body
    for personal in ("Dana", "Okafor", "Attorney", "money", "OPG"):
        assert personal not in message.body


def test_keeping_it_leaves_the_permission_in_force_and_tells_the_resident(
    resident, lpa, asked, supervisor
):
    authority_ends.decide(
        asked,
        KEPT,
        Checks(True, False, False),
        "Her nephew was pressing her to ask",
        supervisor,
        now=clock.now(),
    )

    db.session.expire_all()
    assert db.session.get(Permission, lpa.id).revoked_at is None
    saved = db.session.get(AuthorityEndRequest, asked.id)
    assert (saved.status, saved.spoke_alone, saved.told_holder) == (KEPT, True, False)
    assert audit_events("permission.revoked") == []
    assert audit_events("authority_end.decided")[0].detail["outcome"] == "kept"
    message = db.session.scalar(select(OutboxMessage))
    assert "stays in place" in message.body and "nephew" not in message.body


@pytest.mark.parametrize(
    ("checks", "message"),
    [
        (Checks(False, True, True), rules.CHECK_SPOKE_ALONE),
        (Checks(True, False, True), rules.CHECK_TOLD_HOLDER),
        (
            Checks(True, True, False),
            "Tell the Office of the Public Guardian before ending the permission",
        ),
    ],
    ids=["not-spoken-to-alone", "holder-not-told", "issuer-not-told"],
)
def test_ending_it_without_the_checks_is_refused_and_writes_nothing(
    lpa, asked, supervisor, checks, message
):
    with pytest.raises(Refused) as refused:
        authority_ends.decide(asked, ENDED, checks, "Resident asked", supervisor, now=clock.now())

    assert (refused.value.field, refused.value.message) == ("checks", message)
    db.session.expire_all()
    assert db.session.get(AuthorityEndRequest, asked.id).status is AuthorityEndStatus.WAITING
    assert db.session.get(Permission, lpa.id).revoked_at is None
    assert count_rows(OutboxMessage) == 0
    assert audit_events("authority_end.decided") == []


@pytest.mark.parametrize("role", [Role.HANDLER, Role.ADMIN], ids=str)
def test_only_a_supervisor_decides(lpa, asked, role):
    with pytest.raises(Refused) as refused:
        authority_ends.decide(
            asked, ENDED, ALL_CHECKS, "Asked", factories.make_staff(role), now=clock.now()
        )

    assert refused.value.message == rules.ONLY_SUPERVISORS
    db.session.expire_all()
    assert db.session.get(Permission, lpa.id).revoked_at is None


def test_a_request_is_decided_once(lpa, asked, supervisor):
    authority_ends.decide(asked, KEPT, ALL_CHECKS, "Pressed to ask", supervisor, now=clock.now())

    with pytest.raises(Refused) as refused:
        authority_ends.decide(
            asked, ENDED, ALL_CHECKS, "Changed my mind", supervisor, now=clock.now()
        )

    assert refused.value.message == rules.ALREADY_DECIDED
    db.session.expire_all()
    assert db.session.get(Permission, lpa.id).revoked_at is None
    assert count_rows(OutboxMessage) == 1


def test_ending_a_permission_revoked_meanwhile_records_the_decision_and_revokes_nothing(
    lpa, asked, supervisor
):
    permissions.revoke(lpa, supervisor, "The court order was discharged", now=clock.now())

    authority_ends.decide(asked, ENDED, ALL_CHECKS, "Already ended", supervisor, now=clock.now())

    db.session.expire_all()
    assert db.session.get(Permission, lpa.id).revocation_reason == "The court order was discharged"
    assert db.session.get(AuthorityEndRequest, asked.id).status is ENDED
    assert audit_events("authority_end.decided")[0].detail["ended_now"] is False
    assert len(audit_events("permission.revoked")) == 1


def test_a_new_request_can_follow_a_decided_one(resident, lpa, asked, supervisor):
    authority_ends.decide(asked, KEPT, ALL_CHECKS, "Pressed to ask", supervisor, now=clock.now())

    again = authority_ends.ask_to_end(lpa, "I still want it ended", now=clock.now())

    assert again.id != asked.id and again.is_waiting
    assert authority_ends.waiting_count() == 1
