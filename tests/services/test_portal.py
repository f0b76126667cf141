"""What a resident signed in to the portal is shown, and a permission they take back, on a
real database."""

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, Permission, PortalSession
from app.rules import disputes as rules
from app.rules.vocabulary import DisputeReason, DisputeStatus, EntryStatus, PermissionKind
from app.services import disputes, portal
from tests import factories


def _signed_in(resident) -> portal.SignedInResident:
    row = PortalSession(
        token=f"token-{resident.id}",
        resident_id=resident.id,
        expires_at=clock.now(),
        checks=0,
        status="signed-in",
    )
    db.session.add(row)
    db.session.commit()
    return portal.SignedInResident(row)


def test_a_permission_revoked_by_the_resident_is_recorded_as_theirs(resident):
    permission, _ = factories.make_permission(resident, kind=PermissionKind.WRITTEN)
    user = _signed_in(resident)

    portal.revoke_permission(user, permission, now=clock.now())

    db.session.expire_all()
    revoked = db.session.get(Permission, permission.id)
    assert revoked.revoked_at is not None and revoked.revoked_by_id is None
    assert revoked.revocation_reason == portal.REVOKED_BY_RESIDENT
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "permission.revoked"))
    assert event.staff_id is None and event.detail["by"] == "resident"


def test_the_resident_sees_their_entries_but_not_those_found_incorrect(resident):
    kept = factories.make_entry(resident, summary="Bins not collected")
    factories.make_entry(resident, summary="A hoax", status=EntryStatus.UPHELD)
    factories.make_entry(factories.make_resident(), summary="Someone else's")

    rows = portal.entries_for(_signed_in(resident))

    assert [row.entry.id for row in rows] == [kept.id]
    assert rows[0].reported_by == "Neighbour"


def test_a_not_upheld_dispute_tells_the_resident_of_their_right_to_complain(resident):
    entry = factories.make_entry(resident)
    dispute = disputes.open_dispute_from_portal(
        resident.id, entry.id, DisputeReason.HOAX, "No", now=clock.now()
    )
    factories.decide_dispute(dispute, DisputeStatus.NOT_UPHELD, "The neighbour saw a leak")

    (row,) = portal.disputes_for(_signed_in(resident))

    assert row.reasons == "The neighbour saw a leak"
    assert row.ico_right == rules.ICO_RIGHT
