"""Disputes opened by the resident in the portal, and permissions revoked by the resident,
on a real database."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, Dispute, Entry, OutboxMessage, Permission
from app.refusals import Refused
from app.rules import disputes as rules
from app.rules.vocabulary import (
    DisputeChannel,
    DisputeReason,
    DisputeStatus,
    EntryStatus,
    MessageKind,
)
from app.services import disputes, permissions
from tests import factories


def test_a_dispute_from_the_portal_marks_the_entry_disputed_at_once_and_is_audited(resident):
    entry = factories.make_entry(resident)
    clock.set_now(datetime(2027, 1, 31, 12, 0, tzinfo=UTC))

    dispute = disputes.open_dispute_from_portal(
        resident.id, entry.id, DisputeReason.HOAX, "  I was away that week  ", now=clock.now()
    )

    db.session.expire_all()
    saved = db.session.get(Dispute, dispute.id)
    assert saved.opened_via is DisputeChannel.PORTAL
    assert saved.call_id is None and saved.opened_by_id is None
    assert saved.statement == "I was away that week"
    assert saved.status is DisputeStatus.OPEN
    assert saved.due_on == date(2027, 2, 28)
    assert db.session.get(Entry, entry.id).status is EntryStatus.DISPUTED
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "dispute.opened"))
    assert event.resident_id == resident.id and event.staff_id is None
    assert event.detail == {
        "dispute": dispute.id,
        "entry": entry.id,
        "reason": "hoax",
        "by": "resident",
        "reference": saved.reference,
    }


def test_a_dispute_from_the_portal_is_confirmed_by_text_in_the_same_transaction(resident):
    entry = factories.make_entry(resident)

    disputes.open_dispute_from_portal(
        resident.id, entry.id, DisputeReason.HOAX, "Away", now=clock.now()
    )

    messages = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.kind, m.resident_id) for m in messages] == [
        (MessageKind.DISPUTE_OPENED, resident.id)
    ]
    assert "Away" not in messages[0].body and entry.summary not in messages[0].body


def test_a_resident_cannot_dispute_another_residents_entry(resident):
    neighbour = factories.make_resident(forename="Olive", surname="Tranter")
    entry = factories.make_entry(neighbour)

    with pytest.raises(Refused) as refused:
        disputes.open_dispute_from_portal(
            resident.id, entry.id, DisputeReason.HOAX, "Not me", now=clock.now()
        )

    assert refused.value.message == rules.NOT_THE_RESIDENTS_ENTRY
    assert db.session.get(Entry, entry.id).status is EntryStatus.ACTIVE


def test_an_entry_already_disputed_is_not_disputed_twice(resident):
    entry = factories.make_entry(resident)
    disputes.open_dispute_from_portal(
        resident.id, entry.id, DisputeReason.HOAX, "Not me", now=clock.now()
    )

    with pytest.raises(Refused) as refused:
        disputes.open_dispute_from_portal(
            resident.id, entry.id, DisputeReason.OTHER, "Again", now=clock.now()
        )

    assert refused.value.message == rules.ALREADY_DISPUTED
    assert len(list(db.session.scalars(select(Dispute)))) == 1


def test_a_dispute_needs_a_statement(resident):
    entry = factories.make_entry(resident)

    with pytest.raises(Refused) as refused:
        disputes.open_dispute_from_portal(
            resident.id, entry.id, DisputeReason.HOAX, "   ", now=clock.now()
        )

    assert refused.value.field == "statement"
    assert db.session.get(Entry, entry.id).status is EntryStatus.ACTIVE


def test_a_permission_revoked_by_the_resident_names_no_member_of_staff(resident):
    permission, _ = factories.make_permission(resident)

    permissions.revoke(
        permission, None, "Revoked by the resident", by_resident=True, now=clock.now()
    )

    db.session.expire_all()
    revoked = db.session.get(Permission, permission.id)
    assert revoked.revoked_at is not None and revoked.revoked_by_id is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "permission.revoked"))
    assert event.staff_id is None and event.detail["by"] == "resident"


def test_a_revocation_is_made_by_staff_or_by_the_resident(resident):
    permission, _ = factories.make_permission(resident)

    with pytest.raises(ValueError):
        permissions.revoke(permission, None, "Nobody", now=clock.now())
